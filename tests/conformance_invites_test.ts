import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { aliceAndBob, assertCode, storeTest } from "./support/harness.ts";

storeTest(
  "createPair() makes the creator owner with a first invite",
  async ({ tenants, clock }) => {
    const pair = await tenants.createPair({
      creatorMemberId: "alice",
      displayName: "Alice",
      pairName: "Home",
    });

    assert.match(pair.inviteToken, /^[A-Za-z0-9_-]{43}$/);
    assert.match(
      pair.shortCode,
      /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/,
    );
    assert.equal(
      pair.expiresAt,
      new Date(clock.time + 604_800_000).toISOString(),
    );
    const record = await tenants.getPair(pair.pairId);
    assert.deepEqual(record, {
      pairId: pair.pairId,
      pairName: "Home",
      createdAt: clock.iso(),
      memberCount: 1,
      maxMembers: null,
    });
    const members = await tenants.listMembers(pair.pairId);
    assert.equal(members.length, 1);
    assert.equal(members[0]?.role, "owner");
    assert.equal(members[0]?.displayName, "Alice");
    const types = (await tenants.listEvents(pair.pairId)).map((e) => e.type);
    assert.deepEqual(types, ["pair.created", "invite.created"]);
  },
);

storeTest("acceptInvite() joins by token alone", async ({ tenants }) => {
  const pair = await tenants.createPair({ creatorMemberId: "alice" });
  const joined = await tenants.acceptInvite({
    inviteToken: pair.inviteToken,
    memberId: "bob",
    displayName: "Bob",
  });
  assert.equal(joined.pairId, pair.pairId);
  assert.deepEqual(joined.members.map((m) => [m.memberId, m.role]), [
    ["alice", "owner"],
    ["bob", "member"],
  ]);
});

storeTest(
  "acceptInvite() forgives case, dash and misread symbols",
  async ({ tenants }) => {
    // Crockford base32 has no I, L, O or U; a code typed with O for 0 and
    // I or L for 1 must still match.
    const variants = (code: string) => {
      const bare = code.replace("-", "");
      return [
        code,
        bare.toLowerCase(),
        ` ${bare.slice(0, 4)} - ${bare.slice(4)} `,
        bare.replaceAll("0", "O").replaceAll("1", "l"),
        bare.replaceAll("0", "o").replaceAll("1", "I"),
      ];
    };
    for (let i = 0; i < 5; i++) {
      const pair = await tenants.createPair({ creatorMemberId: `owner-${i}` });
      const typed = variants(pair.shortCode)[i] as string;
      const joined = await tenants.acceptInvite({
        shortCode: typed,
        memberId: `guest-${i}`,
      });
      assert.equal(
        joined.pairId,
        pair.pairId,
        `variant ${JSON.stringify(typed)}`,
      );
    }
  },
);

storeTest(
  "acceptInvite() by a code with every misread",
  async ({ withOptions }) => {
    // Fixed random bytes give the code 0000-1111 style symbols to misread.
    let counter = 0;
    const tenants = withOptions({
      random: (length) => {
        counter++;
        const bytes = new Uint8Array(length);
        if (length !== 5) {
          bytes.fill(counter % 256);
          bytes[0] = counter >> 8;
        } else {
          // The 40 bits 00000 00000 00001 00001 00000 00000 00001 00001 are
          // the symbols of "0011-0011".
          bytes.set([0x00, 0x02, 0x10, 0x00, 0x21]);
        }
        return bytes;
      },
    });
    const pair = await tenants.createPair({ creatorMemberId: "alice" });
    assert.match(pair.shortCode, /^[01]{4}-[01]{4}$/);
    const misread = pair.shortCode.replace("-", "").replaceAll("0", "o")
      .replaceAll("1", "L");
    const joined = await tenants.acceptInvite({
      shortCode: misread,
      memberId: "bob",
    });
    assert.equal(joined.pairId, pair.pairId);
  },
);

storeTest("invites are single use", async ({ tenants }) => {
  const pair = await tenants.createPair({ creatorMemberId: "alice" });
  await tenants.acceptInvite({
    inviteToken: pair.inviteToken,
    memberId: "bob",
  });
  await assertCode(
    tenants.acceptInvite({ inviteToken: pair.inviteToken, memberId: "carol" }),
    "INVITE_ALREADY_ACCEPTED",
  );
  await assertCode(
    tenants.acceptInvite({ shortCode: pair.shortCode, memberId: "carol" }),
    "INVITE_NOT_FOUND",
  );
  assert.equal((await tenants.listMembers(pair.pairId)).length, 2);
});

storeTest("invites expire at exactly expiresAt", async ({ tenants, clock }) => {
  const pair = await tenants.createPair({ creatorMemberId: "alice" });
  const invite = await tenants.inviteMember({
    pairId: pair.pairId,
    inviterMemberId: "alice",
    ttlSeconds: 60,
  });
  clock.advance(60_000 - 1);
  await tenants.acceptInvite({
    inviteToken: invite.inviteToken,
    memberId: "bob",
  });

  const late = await tenants.inviteMember({
    pairId: pair.pairId,
    inviterMemberId: "alice",
    ttlSeconds: 60,
  });
  clock.time = Date.parse(late.expiresAt);
  await assertCode(
    tenants.acceptInvite({ inviteToken: late.inviteToken, memberId: "carol" }),
    "INVITE_EXPIRED",
  );
  await assertCode(
    tenants.acceptInvite({ shortCode: late.shortCode, memberId: "carol" }),
    "INVITE_NOT_FOUND",
  );
});

storeTest(
  "revokeInvite() stops the invite and hides it from the list",
  async ({ tenants }) => {
    const { pairId } = await aliceAndBob(tenants);
    const invite = await tenants.inviteMember({
      pairId,
      inviterMemberId: "bob",
      inviteeHint: "Carol",
    });
    const listed = await tenants.listInvites(pairId, "alice");
    const mine = listed.find((i) => i.inviteId === invite.inviteId);
    assert.equal(mine?.inviteeHint, "Carol");
    assert.equal(mine?.inviterMemberId, "bob");
    assert.ok(!JSON.stringify(listed).includes(invite.inviteToken));
    assert.ok(!JSON.stringify(listed).includes(invite.shortCode));

    const revoked = await tenants.revokeInvite(
      pairId,
      "alice",
      invite.inviteId,
    );
    assert.equal(revoked.status, "revoked");
    await assertCode(
      tenants.acceptInvite({
        inviteToken: invite.inviteToken,
        memberId: "carol",
      }),
      "INVITE_REVOKED",
    );
    await assertCode(
      tenants.acceptInvite({ shortCode: invite.shortCode, memberId: "carol" }),
      "INVITE_NOT_FOUND",
    );
    const after = await tenants.listInvites(pairId, "alice");
    assert.ok(after.every((i) => i.inviteId !== invite.inviteId));
  },
);

storeTest(
  "revokeInvite() rejects a plain member revoking others' invites",
  async ({ tenants }) => {
    const { pairId } = await aliceAndBob(tenants);
    const invite = await tenants.inviteMember({
      pairId,
      inviterMemberId: "alice",
    });
    await assertCode(
      tenants.revokeInvite(pairId, "bob", invite.inviteId),
      "FORBIDDEN",
    );
    await assertCode(
      tenants.revokeInvite(pairId, "alice", "inv-missing"),
      "INVITE_NOT_FOUND",
    );
    const own = await tenants.inviteMember({ pairId, inviterMemberId: "bob" });
    const revoked = await tenants.revokeInvite(pairId, "bob", own.inviteId);
    assert.equal(revoked.status, "revoked");
  },
);

storeTest(
  "inviteMember() rejects more than the pending cap",
  async ({ withOptions }) => {
    const tenants = withOptions({ maxPendingInvites: 3 });
    const pair = await tenants.createPair({ creatorMemberId: "alice" });
    await tenants.inviteMember({
      pairId: pair.pairId,
      inviterMemberId: "alice",
    });
    await tenants.inviteMember({
      pairId: pair.pairId,
      inviterMemberId: "alice",
    });
    await assertCode(
      tenants.inviteMember({ pairId: pair.pairId, inviterMemberId: "alice" }),
      "TOO_MANY_PENDING_INVITES",
    );
    assert.equal((await tenants.listInvites(pair.pairId, "alice")).length, 3);
  },
);

storeTest(
  "acceptInvite() answers PAIR_FULL at the member cap",
  async ({ tenants }) => {
    const pair = await tenants.createPair({
      creatorMemberId: "alice",
      maxMembers: 2,
    });
    const second = await tenants.inviteMember({
      pairId: pair.pairId,
      inviterMemberId: "alice",
    });
    await tenants.acceptInvite({
      inviteToken: pair.inviteToken,
      memberId: "bob",
    });
    await assertCode(
      tenants.acceptInvite({
        inviteToken: second.inviteToken,
        memberId: "carol",
      }),
      "PAIR_FULL",
    );
    assert.equal((await tenants.getPair(pair.pairId)).memberCount, 2);
    assert.equal((await tenants.getPair(pair.pairId)).maxMembers, 2);
  },
);

storeTest(
  "acceptInvite() rate limits wrong short codes per member",
  async ({ tenants, clock }) => {
    const pair = await tenants.createPair({ creatorMemberId: "alice" });
    const firstWrong = clock.time;
    for (let i = 0; i < 5; i++) {
      await assertCode(
        tenants.acceptInvite({ shortCode: "ZZZZ-ZZZZ", memberId: "mallory" }),
        "INVITE_NOT_FOUND",
      );
      clock.advance(1000);
    }
    await assertCode(
      tenants.acceptInvite({ shortCode: "ZZZZ-ZZZ0", memberId: "mallory" }),
      "RATE_LIMITED",
    );
    // While limited even the right code is refused.
    await assertCode(
      tenants.acceptInvite({ shortCode: pair.shortCode, memberId: "mallory" }),
      "RATE_LIMITED",
    );
    // Another member is not limited by mallory's failures.
    await tenants.acceptInvite({ shortCode: pair.shortCode, memberId: "bob" });

    // Refusals do not extend the window: 15 minutes after the first wrong
    // code, one slot is free again.
    clock.time = firstWrong + 900_000;
    await assertCode(
      tenants.acceptInvite({ shortCode: "ZZZZ-ZZZZ", memberId: "mallory" }),
      "INVITE_NOT_FOUND",
    );
    await assertCode(
      tenants.acceptInvite({ shortCode: "ZZZZ-ZZZZ", memberId: "mallory" }),
      "RATE_LIMITED",
    );
  },
);

storeTest("acceptInvite() counts used codes as wrong", async ({ tenants }) => {
  const pair = await tenants.createPair({ creatorMemberId: "alice" });
  await tenants.acceptInvite({ shortCode: pair.shortCode, memberId: "bob" });
  for (let i = 0; i < 5; i++) {
    await assertCode(
      tenants.acceptInvite({ shortCode: pair.shortCode, memberId: "eve" }),
      "INVITE_NOT_FOUND",
    );
  }
  await assertCode(
    tenants.acceptInvite({ shortCode: pair.shortCode, memberId: "eve" }),
    "RATE_LIMITED",
  );
});

storeTest(
  "acceptInvite() rate limits wrong codes store-wide",
  async ({ withOptions }) => {
    const tenants = withOptions({ shortCodeAttempts: { storeWide: 3 } });
    const pair = await tenants.createPair({ creatorMemberId: "alice" });
    for (const member of ["m1", "m2", "m3"]) {
      await assertCode(
        tenants.acceptInvite({ shortCode: "ZZZZ-ZZZZ", memberId: member }),
        "INVITE_NOT_FOUND",
      );
    }
    await assertCode(
      tenants.acceptInvite({ shortCode: pair.shortCode, memberId: "m4" }),
      "RATE_LIMITED",
    );
  },
);

storeTest(
  "invites store only SHA-256 digests of their secrets",
  async ({ tenants }) => {
    const pair = await tenants.createPair({ creatorMemberId: "alice" });
    const exported = await tenants.exportMemberData(pair.pairId, "alice");
    const text = JSON.stringify(exported);
    assert.ok(!text.includes(pair.inviteToken));
    assert.ok(!text.includes(pair.shortCode.replace("-", "")));
    const events = JSON.stringify(await tenants.listEvents(pair.pairId));
    assert.ok(!events.includes(pair.inviteToken));
    assert.ok(!events.includes(pair.shortCode.replace("-", "")));
    // The digest the store keeps is the standard SHA-256 of the token.
    const digest = createHash("sha256").update(pair.inviteToken).digest("hex");
    assert.equal(digest.length, 64);
  },
);

storeTest("acceptInvite() rejects an active member", async ({ tenants }) => {
  const { pairId } = await aliceAndBob(tenants);
  const invite = await tenants.inviteMember({
    pairId,
    inviterMemberId: "alice",
  });
  await assertCode(
    tenants.acceptInvite({ inviteToken: invite.inviteToken, memberId: "bob" }),
    "ALREADY_MEMBER",
  );
  const still = await tenants.listInvites(pairId, "alice");
  assert.ok(still.some((i) => i.inviteId === invite.inviteId));
});

storeTest("acceptInvite() needs exactly one secret", async ({ tenants }) => {
  const pair = await tenants.createPair({ creatorMemberId: "alice" });
  await assertCode(
    tenants.acceptInvite({ memberId: "bob" }),
    "INVALID_INPUT",
    "inviteToken",
  );
  await assertCode(
    tenants.acceptInvite({
      memberId: "bob",
      inviteToken: pair.inviteToken,
      shortCode: pair.shortCode,
    }),
    "INVALID_INPUT",
  );
  await assertCode(
    tenants.acceptInvite({ memberId: "bob", inviteToken: "not a token!" }),
    "INVALID_INPUT",
    "inviteToken",
  );
});
