import assert from "node:assert/strict";
import { aliceAndBob, assertCode, storeTest } from "./support/harness.ts";

storeTest(
  "leavePair() then rejoin starts as a plain member with no private state",
  async ({ tenants, clock }) => {
    const { pairId } = await aliceAndBob(tenants);
    await tenants.setMemberPreference(pairId, "bob", "diet", "vegan");
    clock.advance(1000);
    await tenants.leavePair(pairId, "bob");
    await assertCode(
      tenants.getMemberConstraints(pairId, "bob"),
      "NOT_A_MEMBER",
    );

    clock.advance(1000);
    const invite = await tenants.inviteMember({
      pairId,
      inviterMemberId: "alice",
    });
    await tenants.acceptInvite({
      inviteToken: invite.inviteToken,
      memberId: "bob",
      displayName: "Robert",
    });
    assert.deepEqual(await tenants.getMemberConstraints(pairId, "bob"), {});
    assert.deepEqual(
      await tenants.getMemberPreferenceHistory(pairId, "bob", "diet"),
      [],
    );
    const bob = (await tenants.listMembers(pairId)).find((m) =>
      m.memberId === "bob"
    );
    assert.equal(bob?.role, "member");
    assert.equal(bob?.displayName, "Robert");
    assert.equal(bob?.joinedAt, clock.iso());
  },
);

storeTest(
  "kickMember() blocks invites created before the removal",
  async ({ tenants, clock }) => {
    const { pairId } = await aliceAndBob(tenants);
    const before = await tenants.inviteMember({
      pairId,
      inviterMemberId: "alice",
    });
    clock.advance(1000);
    await tenants.kickMember(pairId, "alice", "bob", { reason: "moved out" });

    await assertCode(
      tenants.acceptInvite({
        inviteToken: before.inviteToken,
        memberId: "bob",
      }),
      "FORBIDDEN",
    );
    await assertCode(
      tenants.acceptInvite({ shortCode: before.shortCode, memberId: "bob" }),
      "FORBIDDEN",
    );
    clock.advance(1000);
    const after = await tenants.inviteMember({
      pairId,
      inviterMemberId: "alice",
    });
    const joined = await tenants.acceptInvite({
      inviteToken: after.inviteToken,
      memberId: "bob",
    });
    assert.ok(joined.members.some((m) => m.memberId === "bob"));
    // The older invite still works for someone else.
    await tenants.acceptInvite({
      inviteToken: before.inviteToken,
      memberId: "carol",
    });
  },
);

storeTest(
  "kickMember() revokes invites the removed member sent",
  async ({ tenants }) => {
    const { pairId } = await aliceAndBob(tenants);
    const fromBob = await tenants.inviteMember({
      pairId,
      inviterMemberId: "bob",
    });
    await tenants.kickMember(pairId, "alice", "bob");
    await assertCode(
      tenants.acceptInvite({
        inviteToken: fromBob.inviteToken,
        memberId: "carol",
      }),
      "INVITE_REVOKED",
    );
    const events = await tenants.listEvents(pairId);
    const revoked = events.filter((e) => e.type === "invite.revoked");
    assert.equal(revoked.length, 1);
    assert.equal(revoked[0]?.actorMemberId, null);
    assert.deepEqual(revoked[0]?.data, { inviteId: fromBob.inviteId });
  },
);

storeTest(
  "leavePair() revokes invites the leaver sent",
  async ({ tenants }) => {
    const { pairId } = await aliceAndBob(tenants);
    const fromBob = await tenants.inviteMember({
      pairId,
      inviterMemberId: "bob",
    });
    await tenants.leavePair(pairId, "bob");
    await assertCode(
      tenants.acceptInvite({
        inviteToken: fromBob.inviteToken,
        memberId: "carol",
      }),
      "INVITE_REVOKED",
    );
  },
);

storeTest(
  "kickMember() is for the owner only, never on self",
  async ({ tenants }) => {
    const { pairId } = await aliceAndBob(tenants);
    await assertCode(
      tenants.kickMember(pairId, "alice", "alice"),
      "CANNOT_KICK_SELF",
    );
    await assertCode(
      tenants.kickMember(pairId, "bob", "bob"),
      "CANNOT_KICK_SELF",
    );
    await assertCode(tenants.kickMember(pairId, "bob", "alice"), "FORBIDDEN");
    await assertCode(
      tenants.kickMember(pairId, "zed", "alice"),
      "NOT_A_MEMBER",
    );
    await assertCode(
      tenants.kickMember(pairId, "alice", "zed"),
      "NOT_A_MEMBER",
    );
    assert.equal((await tenants.listMembers(pairId)).length, 2);
  },
);

storeTest(
  "kickMember() records the owner as actor and the target as subject",
  async ({ tenants }) => {
    const { pairId } = await aliceAndBob(tenants);
    const kicked = await tenants.kickMember(pairId, "alice", "bob", {
      reason: "asked to",
    });
    assert.equal(kicked.leftReason, "kicked");
    assert.notEqual(kicked.leftAt, null);
    const event = (await tenants.listEvents(pairId)).find((e) =>
      e.type === "member.kicked"
    );
    assert.equal(event?.actorMemberId, "alice");
    assert.equal(event?.subjectMemberId, "bob");
    assert.deepEqual(event?.data, { reason: "asked to" });
    const all = await tenants.listMembers(pairId, { includeLeft: true });
    assert.deepEqual(all.map((m) => [m.memberId, m.leftReason]), [
      ["alice", null],
      ["bob", "kicked"],
    ]);
    assert.equal((await tenants.listMembers(pairId)).length, 1);
  },
);

storeTest(
  "leavePair() by the owner hands ownership to the earliest joiner",
  async ({ tenants, clock }) => {
    const pair = await tenants.createPair({ creatorMemberId: "alice" });
    const second = await tenants.inviteMember({
      pairId: pair.pairId,
      inviterMemberId: "alice",
    });
    clock.advance(1000);
    await tenants.acceptInvite({
      inviteToken: second.inviteToken,
      memberId: "carol",
    });
    clock.advance(1000);
    await tenants.acceptInvite({
      inviteToken: pair.inviteToken,
      memberId: "bob",
    });
    clock.advance(1000);

    await tenants.leavePair(pair.pairId, "alice");
    const members = await tenants.listMembers(pair.pairId);
    assert.deepEqual(members.map((m) => [m.memberId, m.role]), [
      ["carol", "owner"],
      ["bob", "member"],
    ]);
    const events = await tenants.listEvents(pair.pairId);
    const transfer = events.find((e) => e.type === "owner.transferred");
    assert.equal(transfer?.actorMemberId, null);
    assert.equal(transfer?.subjectMemberId, "carol");
  },
);

storeTest(
  "leavePair() by the last member revokes pending invites",
  async ({ tenants }) => {
    const pair = await tenants.createPair({ creatorMemberId: "alice" });
    await tenants.leavePair(pair.pairId, "alice");
    await assertCode(
      tenants.acceptInvite({ inviteToken: pair.inviteToken, memberId: "bob" }),
      "INVITE_REVOKED",
    );
    assert.equal((await tenants.getPair(pair.pairId)).memberCount, 0);
  },
);

storeTest("transferOwnership() moves the owner role", async ({ tenants }) => {
  const { pairId } = await aliceAndBob(tenants);
  await assertCode(
    tenants.transferOwnership(pairId, "bob", "alice"),
    "FORBIDDEN",
  );
  await assertCode(
    tenants.transferOwnership(pairId, "alice", "zed"),
    "NOT_A_MEMBER",
  );
  const members = await tenants.transferOwnership(pairId, "alice", "bob");
  assert.deepEqual(members.map((m) => [m.memberId, m.role]), [
    ["alice", "member"],
    ["bob", "owner"],
  ]);
  const event = (await tenants.listEvents(pairId)).at(-1);
  assert.equal(event?.type, "owner.transferred");
  assert.equal(event?.actorMemberId, "alice");
  assert.equal(event?.subjectMemberId, "bob");
  await tenants.kickMember(pairId, "bob", "alice");
});

storeTest(
  "listPairs() lists only pairs where the member is active",
  async ({ tenants, clock }) => {
    const one = await aliceAndBob(tenants);
    clock.advance(1000);
    const two = await tenants.createPair({
      creatorMemberId: "bob",
      pairName: "Work",
    });
    assert.deepEqual(
      (await tenants.listPairs("bob")).map((p) => p.pairId),
      [one.pairId, two.pairId],
    );
    await tenants.leavePair(one.pairId, "bob");
    const left = await tenants.listPairs("bob");
    assert.deepEqual(left.map((p) => [p.pairId, p.pairName]), [[
      two.pairId,
      "Work",
    ]]);
    assert.deepEqual(await tenants.listPairs("nobody"), []);
  },
);

storeTest(
  "getPair() and listMembers() reject unknown pairs",
  async ({ tenants }) => {
    await assertCode(tenants.getPair("pair-missing"), "PAIR_NOT_FOUND");
    await assertCode(tenants.listMembers("pair-missing"), "PAIR_NOT_FOUND");
    await assertCode(tenants.listEvents("pair-missing"), "PAIR_NOT_FOUND");
    await assertCode(
      tenants.inviteMember({
        pairId: "pair-missing",
        inviterMemberId: "alice",
      }),
      "PAIR_NOT_FOUND",
    );
  },
);

storeTest("non-members cannot act in a pair", async ({ tenants }) => {
  const { pairId } = await aliceAndBob(tenants);
  await assertCode(
    tenants.inviteMember({ pairId, inviterMemberId: "zed" }),
    "NOT_A_MEMBER",
  );
  await assertCode(tenants.listInvites(pairId, "zed"), "NOT_A_MEMBER");
  await assertCode(
    tenants.setSharedState(pairId, "zed", "k", 1),
    "NOT_A_MEMBER",
  );
  await assertCode(
    tenants.setMemberPreference(pairId, "zed", "k", 1),
    "NOT_A_MEMBER",
  );
  await assertCode(tenants.getPairConstraints(pairId, "zed"), "NOT_A_MEMBER");
  await assertCode(tenants.leavePair(pairId, "zed"), "NOT_A_MEMBER");
});

storeTest("listEvents() pages with after and limit", async ({ tenants }) => {
  const { pairId } = await aliceAndBob(tenants);
  await tenants.leavePair(pairId, "bob");
  const all = await tenants.listEvents(pairId);
  assert.deepEqual(all.map((e) => e.type), [
    "pair.created",
    "invite.created",
    "invite.accepted",
    "member.left",
  ]);
  const ids = all.map((e) => e.id);
  assert.deepEqual([...ids].sort((a, b) => a - b), ids);
  const page = await tenants.listEvents(pairId, {
    after: ids[1] as number,
    limit: 1,
  });
  assert.deepEqual(page.map((e) => e.type), ["invite.accepted"]);
  const joined = all[2];
  assert.equal(joined?.actorMemberId, "bob");
  assert.equal(joined?.subjectMemberId, "bob");
});
