import assert from "node:assert/strict";
import type { StateChange } from "../mod.ts";
import { aliceAndBob, assertCode, storeTest } from "./support/harness.ts";

storeTest("values are copied when the call is made", async ({ tenants }) => {
  const { pairId } = await aliceAndBob(tenants);
  const item: Record<string, unknown> = {};
  const writes = ["mon", "tue", "wed"].map((day) => {
    item.meal = `${day} soup`;
    return tenants.setSharedState(pairId, "alice", day, item as never);
  });
  item.meal = "x".repeat(100_000);
  await Promise.all(writes);
  assert.deepEqual((await tenants.getSharedState(pairId)).state, {
    mon: { meal: "mon soup" },
    tue: { meal: "tue soup" },
    wed: { meal: "wed soup" },
  });
});

storeTest("a __proto__ key stays an ordinary key", async ({ tenants }) => {
  const { pairId } = await aliceAndBob(tenants);
  await tenants.setSharedState(pairId, "bob", "__proto__", { isAdmin: true });
  await tenants.setSharedState(pairId, "alice", "dinner", "risotto");
  const { state } = await tenants.getSharedState(pairId);
  assert.deepEqual(Object.keys(state).sort(), ["__proto__", "dinner"]);
  assert.equal(Object.getPrototypeOf(state), Object.prototype);
  assert.equal((state as Record<string, unknown>).isAdmin, undefined);

  await tenants.setMemberPreference(pairId, "bob", "__proto__", ["peanuts"], {
    shareWithPair: true,
  });
  const merged = await tenants.getPairConstraints(pairId, "alice");
  assert.deepEqual(Object.keys(merged), ["__proto__"]);
  assert.equal(Object.getPrototypeOf(merged), Object.prototype);
  const own = await tenants.getMemberConstraints(pairId, "bob");
  assert.deepEqual(Object.getOwnPropertyDescriptor(own, "__proto__")?.value, [
    "peanuts",
  ]);
});

storeTest(
  "forgetMember() keeps the wrong-code count",
  async ({ withOptions }) => {
    const tenants = withOptions({ shortCodeAttempts: { storeWide: 8 } });
    await tenants.createPair({ creatorMemberId: "victim" });
    const own = await tenants.createPair({ creatorMemberId: "mallory" });
    for (let i = 0; i < 5; i++) {
      await assertCode(
        tenants.acceptInvite({ shortCode: "ZZZZ-ZZZZ", memberId: "mallory" }),
        "INVITE_NOT_FOUND",
      );
    }
    await tenants.forgetMember(own.pairId, "mallory");
    await assertCode(
      tenants.acceptInvite({ shortCode: "ZZZZ-ZZZZ", memberId: "mallory" }),
      "RATE_LIMITED",
    );
    for (let i = 0; i < 3; i++) {
      await assertCode(
        tenants.acceptInvite({ shortCode: "ZZZZ-ZZZZ", memberId: `m${i}` }),
        "INVITE_NOT_FOUND",
      );
    }
    await assertCode(
      tenants.acceptInvite({ shortCode: "ZZZZ-ZZZZ", memberId: "fresh" }),
      "RATE_LIMITED",
    );
  },
);

storeTest("eraseSharedWrites announces what it hides", async ({ tenants }) => {
  const { pairId } = await aliceAndBob(tenants);
  await tenants.setSharedState(pairId, "bob", "dinner", "bob's recipe");
  await tenants.setSharedState(pairId, "alice", "other", "kept");
  await tenants.setSharedState(pairId, "bob", "other", "late", {
    expectedVersion: 0,
  });
  const heard: StateChange[] = [];
  const stop = await tenants.subscribe(pairId, (c) => heard.push(c));
  await tenants.forgetMember(pairId, "bob", { eraseSharedWrites: true });
  await stop();

  const snapshot = await tenants.getSharedState(pairId);
  assert.deepEqual(snapshot.state, { other: "kept" });
  assert.equal(snapshot.version, 3);
  assert.equal(snapshot.conflicts, 0);
  assert.deepEqual(heard, [
    {
      pairId,
      namespace: "default",
      key: "dinner",
      version: 1,
      change: "delete",
    },
  ]);
  const result = await tenants.resolveConflicts(pairId);
  assert.deepEqual([result.resolved, result.remaining], [0, 0]);
  assert.deepEqual((await tenants.getSharedState(pairId)).state, {
    other: "kept",
  });
});

storeTest(
  "a write stays visible after the clock steps back",
  async ({ tenants, clock }) => {
    const { pairId } = await aliceAndBob(tenants);
    await tenants.setSharedState(pairId, "alice", "k", "first");
    await tenants.setMemberPreference(pairId, "alice", "p", "first");
    clock.advance(-5000);
    await tenants.setSharedState(pairId, "alice", "k", "second");
    await tenants.setMemberPreference(pairId, "alice", "p", "second");
    assert.deepEqual((await tenants.getSharedState(pairId)).state, {
      k: "second",
    });
    assert.deepEqual(await tenants.getMemberConstraints(pairId, "alice"), {
      p: "second",
    });
  },
);

storeTest("errors never quote invite secrets", async ({ tenants }) => {
  const pair = await tenants.createPair({ creatorMemberId: "alice" });
  const token = await assertCode(
    tenants.acceptInvite({
      inviteToken: `${pair.inviteToken}\n`,
      memberId: "bob",
    }),
    "INVALID_INPUT",
    "inviteToken",
  );
  assert.ok(!token.message.includes(pair.inviteToken));
  const code = await assertCode(
    tenants.acceptInvite({
      shortCode: ` ${pair.shortCode}${" ".repeat(30)}`,
      memberId: "bob",
    }),
    "INVALID_INPUT",
    "shortCode",
  );
  assert.ok(!code.message.includes(pair.shortCode));
});

storeTest(
  "bad options reject the promise with INVALID_INPUT",
  async ({ tenants, withOptions, store }) => {
    const { pairId } = await aliceAndBob(tenants);
    const calls: [string, () => Promise<unknown>][] = [
      [
        "options",
        () => tenants.setSharedState(pairId, "alice", "k", 1, [] as never),
      ],
      ["options", () => tenants.getSharedState(pairId, null as never)],
      ["options", () => tenants.listEvents(pairId, null as never)],
      [
        "options",
        () => tenants.getMemberConstraints(pairId, "alice", null as never),
      ],
      ["options", () => tenants.listMembers(pairId, null as never)],
      [
        "options",
        () => tenants.kickMember(pairId, "alice", "bob", null as never),
      ],
      ["options", () => tenants.forgetMember(pairId, "bob", null as never)],
      [
        "options",
        () =>
          tenants.setMemberPreference(pairId, "alice", "k", 1, null as never),
      ],
      ["key", () => tenants.setSharedState(pairId, "alice", "\u200b", 1)],
      ["key", () => tenants.setSharedState(pairId, "alice", "a\u2028b", 1)],
      [
        "validFrom",
        () =>
          tenants.setSharedState(pairId, "alice", "k", 1, {
            validFrom: new Date(8.64e15),
          }),
      ],
    ];
    for (const [field, call] of calls) {
      let promise: Promise<unknown> | undefined;
      assert.doesNotThrow(() => {
        promise = call();
      }, "a method returning a promise must not throw synchronously");
      await assertCode(promise as Promise<unknown>, "INVALID_INPUT", field);
    }
    assert.throws(
      () =>
        withOptions({
          shortCodeAttempts: { perMember: undefined, storeWide: 0 } as never,
        }),
      /shortCodeAttempts.storeWide/,
    );
    assert.throws(() => withOptions({ resolver: 5 as never }), /resolver/);
    assert.throws(() => withOptions({ random: 5 as never }), /random/);
    const badClock = withOptions({ now: (() => 5) as never });
    await assertCode(
      badClock.createPair({ creatorMemberId: "c" }),
      "INVALID_INPUT",
      "now",
    );
    // Emoji sequences joined by U+200D are fine in keys.
    const family = "\u{1F469}\u200d\u{1F467}";
    await tenants.setSharedState(pairId, "alice", family, 1);
    assert.deepEqual((await tenants.getSharedState(pairId)).state, {
      [family]: 1,
    });
    assert.equal(typeof store.engine, "string");
  },
);

storeTest("a rejecting async listener is contained", async ({ tenants }) => {
  const { pairId } = await aliceAndBob(tenants);
  const heard: string[] = [];
  const stopBad = await tenants.subscribe(
    pairId,
    () => Promise.reject(new Error("listener failed")) as never,
  );
  const stopGood = await tenants.subscribe(pairId, (c) => heard.push(c.key));
  await tenants.setSharedState(pairId, "alice", "k", 1);
  await new Promise((resolve) => setTimeout(resolve, 20));
  await stopBad();
  await stopGood();
  assert.deepEqual(heard, ["k"]);
});

storeTest(
  "forgetMember() twice adds no second event",
  async ({ tenants, clock }) => {
    const { pairId } = await aliceAndBob(tenants);
    const first = await tenants.forgetMember(pairId, "bob");
    clock.advance(1000);
    const invite = await tenants.inviteMember({
      pairId,
      inviterMemberId: "alice",
    });
    clock.advance(1000);
    const second = await tenants.forgetMember(pairId, "bob");
    assert.equal(second.forgottenAt, first.forgottenAt);
    const events = await tenants.listEvents(pairId);
    assert.equal(events.filter((e) => e.type === "member.forgotten").length, 1);
    // The invite made between the two calls still admits the member.
    const joined = await tenants.acceptInvite({
      inviteToken: invite.inviteToken,
      memberId: "bob",
    });
    assert.ok(joined.members.some((m) => m.memberId === "bob"));
    const data = await tenants.exportMemberData(pairId, "bob");
    assert.equal(data.membership.forgottenAt, null);
  },
);

storeTest(
  "a resolved winner keeps its valid time",
  async ({ tenants, clock }) => {
    const { pairId } = await aliceAndBob(tenants);
    await tenants.setSharedState(pairId, "alice", "k", "a");
    clock.advance(1000);
    await tenants.setSharedState(pairId, "alice", "k", "b", {
      expectedVersion: 1,
    });
    clock.advance(1000);
    const tomorrow = new Date(clock.time + 86_400_000);
    await tenants.setSharedState(pairId, "bob", "k", "y", {
      expectedVersion: 1,
      validFrom: tomorrow,
    });
    clock.advance(1000);
    const result = await tenants.resolveConflicts(pairId);
    assert.equal(result.resolved, 1);
    assert.deepEqual((await tenants.getSharedState(pairId)).state, { k: "b" });
    const later = await tenants.getSharedState(pairId, {
      validAt: new Date(tomorrow.getTime() + 1),
    });
    assert.deepEqual(later.state, { k: "y" });
    const history = await tenants.getPairStateHistory(pairId, "default", "k");
    assert.equal(history.at(-1)?.validFrom, tomorrow.toISOString());
  },
);
