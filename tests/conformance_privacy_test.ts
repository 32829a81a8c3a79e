import assert from "node:assert/strict";
import { aliceAndBob, assertCode, storeTest } from "./support/harness.ts";

storeTest(
  "getMemberConstraints() returns only the named member's values",
  async ({ tenants }) => {
    const { pairId } = await aliceAndBob(tenants);
    await tenants.setMemberPreference(pairId, "alice", "diet", "vegan");
    await tenants.setMemberPreference(pairId, "bob", "diet", "omnivore");
    await tenants.setMemberPreference(pairId, "bob", "budget", 40);
    assert.deepEqual(await tenants.getMemberConstraints(pairId, "alice"), {
      diet: "vegan",
    });
    assert.deepEqual(await tenants.getMemberConstraints(pairId, "bob"), {
      budget: 40,
      diet: "omnivore",
    });
    assert.deepEqual(
      await tenants.getMemberConstraints(pairId, "bob", {
        keys: ["budget", "absent"],
      }),
      { budget: 40 },
    );
  },
);

storeTest(
  "getPairConstraints() merges shared preferences without attribution",
  async ({ tenants }) => {
    const { pairId } = await aliceAndBob(tenants);
    await tenants.setMemberPreference(pairId, "alice", "allergies", [
      "shellfish",
      "peanuts",
    ], {
      shareWithPair: true,
    });
    await tenants.setMemberPreference(pairId, "bob", "allergies", [
      "peanuts",
      "gluten",
    ], {
      shareWithPair: true,
    });
    await tenants.setMemberPreference(pairId, "alice", "diet", "vegetarian", {
      shareWithPair: true,
    });
    await tenants.setMemberPreference(pairId, "bob", "diet", "vegetarian", {
      shareWithPair: true,
    });
    await tenants.setMemberPreference(pairId, "bob", "weight", 80);

    const merged = await tenants.getPairConstraints(pairId, "alice");
    assert.deepEqual(merged, {
      allergies: ["gluten", "peanuts", "shellfish"],
      diet: "vegetarian",
    });
    assert.ok(!JSON.stringify(merged).includes("bob"));
    assert.deepEqual(
      await tenants.getPairConstraints(pairId, "bob", { keys: ["diet"] }),
      {
        diet: "vegetarian",
      },
    );

    // A later version without shareWithPair withdraws the value.
    await tenants.setMemberPreference(pairId, "bob", "allergies", ["gluten"]);
    assert.deepEqual(
      (await tenants.getPairConstraints(pairId, "alice")).allergies,
      [
        "peanuts",
        "shellfish",
      ],
    );
    // Differing scalars become the sorted list of distinct values.
    await tenants.setMemberPreference(pairId, "bob", "diet", "halal", {
      shareWithPair: true,
    });
    assert.deepEqual((await tenants.getPairConstraints(pairId, "alice")).diet, [
      "halal",
      "vegetarian",
    ]);
  },
);

storeTest(
  "getPairConstraints() drops what a departed member shared",
  async ({ tenants }) => {
    const { pairId } = await aliceAndBob(tenants);
    await tenants.setMemberPreference(pairId, "bob", "allergies", ["nuts"], {
      shareWithPair: true,
    });
    await tenants.leavePair(pairId, "bob");
    assert.deepEqual(await tenants.getPairConstraints(pairId, "alice"), {});
  },
);

storeTest(
  "shared writes of a member who left stay in shared state",
  async ({ tenants }) => {
    const { pairId } = await aliceAndBob(tenants);
    await tenants.setSharedState(pairId, "bob", "groceries", ["milk"]);
    await tenants.leavePair(pairId, "bob");
    assert.deepEqual((await tenants.getSharedState(pairId)).state, {
      groceries: ["milk"],
    });
    const history = await tenants.getPairStateHistory(
      pairId,
      "default",
      "groceries",
    );
    assert.equal(history[0]?.writtenByMemberId, "bob");
  },
);

storeTest(
  "forgetMember() erases private data and keeps a content-free trace",
  async ({ tenants, clock }) => {
    const { pairId } = await aliceAndBob(tenants);
    const marker = `marker-${crypto.randomUUID()}`;
    await tenants.setMemberPreference(pairId, "bob", "secret", marker);
    await tenants.setMemberPreference(pairId, "bob", "secret", `${marker}-v2`);
    await tenants.setSharedState(pairId, "bob", "plan", "tacos");
    const hinted = await tenants.inviteMember({
      pairId,
      inviterMemberId: "alice",
      inviteeHint: "Bob's sister",
    });
    await tenants.kickMember(pairId, "alice", "bob", {
      reason: "Bob asked to leave",
    });
    clock.advance(1000);
    const rejoin = await tenants.inviteMember({
      pairId,
      inviterMemberId: "alice",
      inviteeHint: "Bob again",
    });
    await tenants.acceptInvite({
      inviteToken: rejoin.inviteToken,
      memberId: "bob",
      displayName: "Bobby",
    });
    await tenants.setMemberPreference(pairId, "bob", "secret", marker);

    const before = JSON.stringify(
      await tenants.exportMemberData(pairId, "bob"),
    );
    assert.ok(before.includes(marker));
    assert.ok(before.includes("Bobby"));
    assert.ok(before.includes("Bob again"));

    const report = await tenants.forgetMember(pairId, "bob", {
      actorMemberId: "alice",
    });
    assert.equal(report.removedFromPair, true);
    assert.equal(report.privateVersionsErased, 1);
    assert.equal(report.displayNamesErased, 1);
    assert.equal(report.inviteHintsErased, 1);
    assert.equal(report.sharedWritesErased, 0);
    assert.equal(typeof report.diskScrubbed, "boolean");

    const after = JSON.stringify(await tenants.exportMemberData(pairId, "bob"));
    assert.ok(!after.includes(marker));
    assert.ok(!after.includes("Bobby"));
    assert.ok(!after.includes("Bob again"));
    assert.ok(!after.includes("Bob asked to leave"));
    const events = await tenants.listEvents(pairId);
    assert.ok(!JSON.stringify(events).includes("Bob asked to leave"));
    const forgotten = events.filter((e) => e.type === "member.forgotten");
    assert.equal(forgotten.length, 1);
    assert.equal(forgotten[0]?.actorMemberId, "alice");
    assert.equal(forgotten[0]?.subjectMemberId, "bob");
    assert.deepEqual(forgotten[0]?.data, {});
    assert.ok(
      !events.some((e) =>
        e.type === "member.left" && e.subjectMemberId === "bob"
      ),
    );

    const trace = (await tenants.listMembers(pairId, { includeLeft: true }))
      .find((m) => m.memberId === "bob");
    assert.equal(trace?.leftReason, "forgotten");
    assert.equal(trace?.displayName, null);
    // Shared writes stay, attributed to the member id.
    assert.deepEqual((await tenants.getSharedState(pairId)).state, {
      plan: "tacos",
    });
    // An invite hint that does not name the forgotten member is kept.
    const pending = await tenants.listInvites(pairId, "alice");
    assert.equal(
      pending.find((i) => i.inviteId === hinted.inviteId)?.inviteeHint,
      "Bob's sister",
    );
  },
);

storeTest(
  "forgetMember() with eraseSharedWrites tombstones shared values",
  async ({ tenants }) => {
    const { pairId } = await aliceAndBob(tenants);
    await tenants.setSharedState(pairId, "bob", "plan", "tacos");
    await tenants.setSharedState(pairId, "alice", "plan", "soup", {
      expectedVersion: 1,
    });
    await tenants.setSharedState(pairId, "bob", "plan", "ramen", {
      expectedVersion: 1,
    });
    await tenants.setSharedState(pairId, "alice", "other", "kept");
    const report = await tenants.forgetMember(pairId, "bob", {
      eraseSharedWrites: true,
    });
    assert.equal(report.sharedWritesErased, 2);
    const history = await tenants.getPairStateHistory(
      pairId,
      "default",
      "plan",
    );
    assert.deepEqual(
      history.map((h) => [h.version, h.value, h.writtenByMemberId]),
      [
        [1, null, "bob"],
        [2, "soup", "alice"],
        [null, null, "bob"],
      ],
    );
    assert.deepEqual((await tenants.getSharedState(pairId)).state, {
      plan: "soup",
      other: "kept",
    });
  },
);

storeTest(
  "forgetMember() of the owner hands ownership on",
  async ({ tenants }) => {
    const { pairId } = await aliceAndBob(tenants);
    await tenants.forgetMember(pairId, "alice");
    const members = await tenants.listMembers(pairId);
    assert.deepEqual(members.map((m) => [m.memberId, m.role]), [[
      "bob",
      "owner",
    ]]);
    await assertCode(tenants.forgetMember(pairId, "nobody"), "NOT_A_MEMBER");
    // Forgetting again is allowed and finds nothing more to erase.
    const again = await tenants.forgetMember(pairId, "alice");
    assert.equal(again.removedFromPair, false);
    assert.equal(again.privateVersionsErased, 0);
  },
);

storeTest(
  "exportMemberData() holds every stored fact about the member",
  async ({ tenants }) => {
    const { pairId } = await aliceAndBob(tenants);
    await tenants.setMemberPreference(pairId, "bob", "diet", "vegan", {
      shareWithPair: true,
    });
    await tenants.setSharedState(pairId, "bob", "plan", "tacos", "meals");
    const invite = await tenants.inviteMember({
      pairId,
      inviterMemberId: "bob",
      inviteeHint: "Cleo",
    });
    const data = await tenants.exportMemberData(pairId, "bob");
    assert.equal(data.memberId, "bob");
    assert.equal(data.membership.displayName, "Bob");
    assert.equal(data.membership.role, "member");
    assert.deepEqual(
      data.preferences.map((p) => [p.key, p.value, p.sharedWithPair]),
      [["diet", "vegan", true]],
    );
    assert.deepEqual(
      data.sharedWrites.map((w) => [w.namespace, w.key, w.value]),
      [["meals", "plan", "tacos"]],
    );
    assert.deepEqual(
      data.invitesCreated.map((i) => [i.inviteId, i.inviteeHint]),
      [[invite.inviteId, "Cleo"]],
    );
    assert.equal(data.invitesAccepted.length, 1);
    assert.ok(data.events.some((e) => e.type === "invite.accepted"));
    assert.ok(!JSON.stringify(data).includes(invite.inviteToken));
    assert.deepEqual(JSON.parse(JSON.stringify(data)), data);
  },
);
