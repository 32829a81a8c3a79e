import assert from "node:assert/strict";
import type { StateChange } from "../mod.ts";
import { aliceAndBob, assertCode, storeTest } from "./support/harness.ts";

const T1 = Date.parse("2026-03-01T10:00:00.000Z");
const T2 = Date.parse("2026-03-05T10:00:00.000Z");
const T3 = Date.parse("2026-03-09T10:00:00.000Z");
const iso = (ms: number) => new Date(ms).toISOString();

storeTest(
  "setMemberPreference() keeps a correction of the past bi-temporal",
  async ({ tenants, clock }) => {
    const { pairId } = await aliceAndBob(tenants);
    clock.time = T1;
    const first = await tenants.setMemberPreference(
      pairId,
      "bob",
      "diet",
      "vegan",
    );
    assert.deepEqual(first, { version: 1, validFrom: iso(T1) });
    clock.time = T3;
    const fix = await tenants.setMemberPreference(
      pairId,
      "bob",
      "diet",
      "vegetarian",
      {
        validFrom: iso(T2),
      },
    );
    assert.deepEqual(fix, { version: 2, validFrom: iso(T2) });

    const read = (validAt: number, knownAt?: number) =>
      tenants.getMemberConstraints(pairId, "bob", {
        validAt: iso(validAt),
        ...(knownAt === undefined ? {} : { knownAt: new Date(knownAt) }),
      });
    assert.deepEqual(await read(T1 + 1000), { diet: "vegan" });
    assert.deepEqual(await read(T2 + 1000), { diet: "vegetarian" });
    assert.deepEqual(await read(T2 + 1000, T3 - 1000), { diet: "vegan" });
    assert.deepEqual(await read(T1 - 1000), {});
    assert.deepEqual(await tenants.getMemberConstraints(pairId, "bob"), {
      diet: "vegetarian",
    });

    const history = await tenants.getMemberPreferenceHistory(
      pairId,
      "bob",
      "diet",
    );
    assert.deepEqual(
      history.map((
        h,
      ) => [
        h.version,
        h.value,
        h.validFrom,
        h.validTo,
        h.recordedAt,
        h.supersededAt,
      ]),
      [
        [1, "vegan", iso(T1), iso(T2), iso(T1), iso(T3)],
        [2, "vegetarian", iso(T2), null, iso(T3), null],
      ],
    );
    assert.equal(history[0]?.writtenByMemberId, "bob");
  },
);

storeTest(
  "setSharedState() keeps a correction of the past bi-temporal",
  async ({ tenants, clock }) => {
    const { pairId } = await aliceAndBob(tenants);
    clock.time = T1;
    await tenants.setSharedState(pairId, "alice", "diet", "vegan", {
      namespace: "meals",
    });
    clock.time = T3;
    const fix = await tenants.setSharedState(
      pairId,
      "bob",
      "diet",
      "vegetarian",
      {
        namespace: "meals",
        validFrom: iso(T2),
      },
    );
    assert.equal(fix.version, 2);
    assert.equal(fix.conflict, false);

    const read = async (validAt: number, knownAt?: number) =>
      (await tenants.getSharedState(pairId, {
        namespace: "meals",
        validAt: iso(validAt),
        ...(knownAt === undefined ? {} : { knownAt: iso(knownAt) }),
      })).state;
    assert.deepEqual(await read(T1 + 1000), { diet: "vegan" });
    assert.deepEqual(await read(T2 + 1000), { diet: "vegetarian" });
    assert.deepEqual(await read(T2 + 1000, T3 - 1000), { diet: "vegan" });

    const history = await tenants.getPairStateHistory(pairId, "meals", "diet");
    assert.deepEqual(
      history.map((
        h,
      ) => [
        h.version,
        h.value,
        h.writtenByMemberId,
        h.validFrom,
        h.validTo,
        h.recordedAt,
        h.supersededAt,
      ]),
      [
        [1, "vegan", "alice", iso(T1), iso(T2), iso(T1), iso(T3)],
        [2, "vegetarian", "bob", iso(T2), null, iso(T3), null],
      ],
    );
  },
);

storeTest(
  "a backdated write holds only until the next later version",
  async ({ tenants, clock }) => {
    const { pairId } = await aliceAndBob(tenants);
    clock.time = T1;
    await tenants.setSharedState(pairId, "alice", "k", "a");
    clock.time = T3;
    await tenants.setSharedState(pairId, "alice", "k", "c");
    clock.time = T3 + 1000;
    await tenants.setSharedState(pairId, "alice", "k", "b", {
      validFrom: iso(T2),
    });

    const at = async (ms: number) =>
      (await tenants.getSharedState(pairId, { validAt: iso(ms) })).state.k;
    assert.equal(await at(T1 + 1), "a");
    assert.equal(await at(T2 + 1), "b");
    assert.equal(await at(T3 + 1), "c");
    assert.equal(await at(T3 + 5000), "c");
    const history = await tenants.getPairStateHistory(pairId, "default", "k");
    assert.deepEqual(history.map((h) => [h.version, h.validFrom, h.validTo]), [
      [1, iso(T1), iso(T2)],
      [2, iso(T3), null],
      [3, iso(T2), iso(T3)],
    ]);
  },
);

storeTest(
  "versions grow by one for writes in the same millisecond",
  async ({ tenants }) => {
    const { pairId } = await aliceAndBob(tenants);
    const a = await tenants.setSharedState(pairId, "alice", "k", 1);
    const b = await tenants.setSharedState(pairId, "bob", "k", 2);
    assert.deepEqual([a.version, b.version], [1, 2]);
    assert.deepEqual((await tenants.getSharedState(pairId)).state, { k: 2 });
    const history = await tenants.getPairStateHistory(pairId, "default", "k");
    assert.deepEqual(history.map((h) => h.version), [1, 2]);
    for (const entry of history) {
      assert.ok(entry.validTo === null || entry.validTo >= entry.validFrom);
    }
  },
);

storeTest(
  "a clock that steps backwards never breaks validity order",
  async ({ tenants, clock }) => {
    const { pairId } = await aliceAndBob(tenants);
    clock.time = T3;
    await tenants.setSharedState(pairId, "alice", "k", "late");
    clock.time = T1;
    const back = await tenants.setSharedState(pairId, "alice", "k", "early");
    assert.equal(back.version, 2);
    assert.equal(back.validFrom, iso(T3));
    await tenants.setMemberPreference(pairId, "alice", "p", 1);
    clock.time = T3 + 10;
    await tenants.setMemberPreference(pairId, "alice", "p", 2);
    clock.time = T1;
    const pref = await tenants.setMemberPreference(pairId, "alice", "p", 3);
    assert.equal(pref.version, 3);

    for (
      const entry of await tenants.getPairStateHistory(pairId, "default", "k")
    ) {
      assert.ok(
        entry.validTo === null || entry.validTo >= entry.validFrom,
        JSON.stringify(entry),
      );
    }
    const prefs = await tenants.getMemberPreferenceHistory(
      pairId,
      "alice",
      "p",
    );
    assert.deepEqual(prefs.map((p) => p.recordedAt), [
      iso(T1),
      iso(T3 + 10),
      iso(T3 + 10),
    ]);
    for (const entry of prefs) {
      assert.ok(
        entry.validTo === null || entry.validTo >= entry.validFrom,
        JSON.stringify(entry),
      );
    }
    clock.time = T3 + 20;
    assert.deepEqual((await tenants.getSharedState(pairId)).state, {
      k: "early",
    });
  },
);

storeTest(
  "versions have no gaps under concurrent writers",
  async ({ tenants }) => {
    const { pairId } = await aliceAndBob(tenants);
    const writes = Array.from({ length: 40 }, (_, i) =>
      tenants.setSharedState(
        pairId,
        i % 2 === 0 ? "alice" : "bob",
        "counter",
        i,
      ));
    const versions = (await Promise.all(writes)).map((r) => r.version).sort((
      a,
      b,
    ) => a - b);
    assert.deepEqual(
      versions,
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    const snapshot = await tenants.getSharedState(pairId);
    assert.equal(snapshot.version, 40);
  },
);

storeTest(
  "a stale expectedVersion becomes a conflict and LWW resolves it",
  async ({ tenants, clock }) => {
    const { pairId } = await aliceAndBob(tenants);
    const v1 = await tenants.setSharedState(pairId, "alice", "dinner", "pasta");
    assert.equal(v1.version, 1);
    const seenByBob = (await tenants.getSharedState(pairId)).version;
    assert.equal(seenByBob, 1);
    clock.advance(1000);
    const v2 = await tenants.setSharedState(pairId, "alice", "dinner", "soup", {
      expectedVersion: 1,
    });
    assert.deepEqual([v2.version, v2.conflict], [2, false]);
    clock.advance(1000);
    const stale = await tenants.setSharedState(
      pairId,
      "bob",
      "dinner",
      "pizza",
      { expectedVersion: 1 },
    );
    assert.equal(stale.conflict, true);
    assert.equal(stale.version, 2);
    assert.match(stale.candidateId ?? "", /^cand-/);

    const during = await tenants.getSharedState(pairId);
    assert.deepEqual(during.state, { dinner: "soup" });
    assert.equal(during.conflicts, 1);
    assert.equal(during.version, 2);

    const conflicts = await tenants.listConflicts(pairId);
    assert.equal(conflicts.length, 1);
    assert.equal(conflicts[0]?.current.value, "soup");
    assert.deepEqual(
      conflicts[0]?.candidates.map((
        c,
      ) => [c.value, c.writtenByMemberId, c.expectedVersion]),
      [["pizza", "bob", 1]],
    );

    clock.advance(1000);
    const result = await tenants.resolveConflicts(pairId);
    assert.equal(result.resolved, 1);
    assert.equal(result.remaining, 0);
    const after = await tenants.getSharedState(pairId);
    assert.deepEqual(after.state, { dinner: "pizza" });
    assert.deepEqual(after.versions, { dinner: 3 });
    assert.equal(after.conflicts, 0);
    assert.equal(after.version, 3);

    const history = await tenants.getPairStateHistory(
      pairId,
      "default",
      "dinner",
    );
    assert.deepEqual(
      history.map((
        h,
      ) => [h.version, h.value, h.writtenByMemberId, h.resolution]),
      [
        [1, "pasta", "alice", null],
        [2, "soup", "alice", "lost"],
        [null, "pizza", "bob", "won"],
        [3, "pizza", "bob", "won"],
      ],
    );
    const event = (await tenants.listEvents(pairId)).at(-1);
    assert.equal(event?.type, "conflict.resolved");
    assert.deepEqual(event?.data, {
      namespace: "default",
      key: "dinner",
      winnerVersion: 3,
    });
  },
);

storeTest("ManualResolver leaves conflicts pending", async ({ tenants }) => {
  const { ManualResolver } = await import("../mod.ts");
  const { pairId } = await aliceAndBob(tenants);
  await tenants.setSharedState(pairId, "alice", "k", "a");
  await tenants.setSharedState(pairId, "alice", "k", "b", {
    expectedVersion: 1,
  });
  await tenants.setSharedState(pairId, "bob", "k", "c", { expectedVersion: 1 });
  const result = await tenants.resolveConflicts(pairId, {
    resolver: new ManualResolver(),
  });
  assert.deepEqual([result.resolved, result.remaining], [0, 1]);
  const snapshot = await tenants.getSharedState(pairId);
  assert.deepEqual(snapshot.state, { k: "b" });
  assert.equal(snapshot.conflicts, 1);
  const history = await tenants.getPairStateHistory(pairId, "default", "k");
  assert.equal(history.at(-1)?.resolution, "pending");
});

storeTest("a custom resolver object picks the winner", async ({ tenants }) => {
  const { pairId } = await aliceAndBob(tenants);
  await tenants.setSharedState(pairId, "alice", "k", "a", "lists");
  await tenants.setSharedState(pairId, "alice", "k", "b", {
    namespace: "lists",
    expectedVersion: 1,
  });
  await tenants.setSharedState(pairId, "bob", "k", "c", {
    namespace: "lists",
    expectedVersion: 1,
  });
  const seen: number[] = [];
  const result = await tenants.resolveConflicts(pairId, {
    namespace: "lists",
    resolver: {
      name: "keep-current",
      resolve(conflicts) {
        seen.push(conflicts.length);
        return conflicts.map((c) => ({
          namespace: c.namespace,
          key: c.key,
          winner: "current",
        }));
      },
    },
  });
  assert.deepEqual(seen, [1]);
  assert.equal(result.resolved, 1);
  assert.equal(result.resolutions[0]?.winner, "current");
  const snapshot = await tenants.getSharedState(pairId, "lists");
  assert.deepEqual(snapshot.state, { k: "b" });
  assert.equal(snapshot.version, 3);
  const history = await tenants.getPairStateHistory(pairId, "lists", "k");
  assert.deepEqual(
    history.filter((h) => h.candidateId !== null).map((h) => h.resolution),
    ["lost"],
  );
});

storeTest(
  "a throwing or wrong resolver changes nothing",
  async ({ tenants }) => {
    const { pairId } = await aliceAndBob(tenants);
    await tenants.setSharedState(pairId, "alice", "k", "a");
    await tenants.setSharedState(pairId, "alice", "k", "b", {
      expectedVersion: 1,
    });
    await tenants.setSharedState(pairId, "bob", "k", "c", {
      expectedVersion: 1,
    });
    await assert.rejects(
      tenants.resolveConflicts(pairId, {
        resolver: {
          name: "broken",
          resolve: () => {
            throw new Error("boom");
          },
        },
      }),
      /boom/,
    );
    await assertCode(
      tenants.resolveConflicts(pairId, {
        resolver: {
          name: "confused",
          resolve: (conflicts) =>
            conflicts.map((c) => ({
              namespace: c.namespace,
              key: c.key,
              winner: "cand-nope",
            })),
        },
      }),
      "CONFLICT_NOT_FOUND",
    );
    const snapshot = await tenants.getSharedState(pairId);
    assert.deepEqual([snapshot.state.k, snapshot.version, snapshot.conflicts], [
      "b",
      2,
      1,
    ]);
  },
);

storeTest(
  "resolving several keys adds one revision per key",
  async ({ tenants }) => {
    const { pairId } = await aliceAndBob(tenants);
    for (const key of ["a", "b", "c"]) {
      await tenants.setSharedState(pairId, "alice", key, 1);
      await tenants.setSharedState(pairId, "alice", key, 2, {
        expectedVersion: 1,
      });
      await tenants.setSharedState(pairId, "bob", key, 3, {
        expectedVersion: 1,
      });
    }
    assert.equal((await tenants.getSharedState(pairId)).version, 6);
    const changes: StateChange[] = [];
    const stop = await tenants.subscribe(pairId, (c) => changes.push(c));
    const result = await tenants.resolveConflicts(pairId);
    await stop();
    assert.equal(result.resolved, 3);
    assert.equal((await tenants.getSharedState(pairId)).version, 9);
    assert.deepEqual(changes.map((c) => [c.key, c.change, c.version]), [
      ["a", "resolve", 3],
      ["b", "resolve", 3],
      ["c", "resolve", 3],
    ]);
  },
);

storeTest(
  "expectedVersion 0 means the key must not exist",
  async ({ tenants }) => {
    const { pairId } = await aliceAndBob(tenants);
    const first = await tenants.setSharedState(pairId, "alice", "k", 1, {
      expectedVersion: 0,
    });
    assert.deepEqual([first.version, first.conflict], [1, false]);
    const second = await tenants.setSharedState(pairId, "bob", "k", 2, {
      expectedVersion: 0,
    });
    assert.deepEqual([second.version, second.conflict], [1, true]);
    await assertCode(
      tenants.setSharedState(pairId, "bob", "k", 2, { expectedVersion: 5 }),
      "VERSION_CONFLICT",
    );
  },
);

storeTest(
  "deleteSharedState() writes a tombstone version",
  async ({ tenants }) => {
    const { pairId } = await aliceAndBob(tenants);
    await tenants.setSharedState(pairId, "alice", "k", "v");
    await tenants.setSharedState(pairId, "alice", "other", "w");
    await assertCode(
      tenants.deleteSharedState(pairId, "bob", "k", { expectedVersion: 0 }),
      "VERSION_CONFLICT",
    );
    const deleted = await tenants.deleteSharedState(pairId, "bob", "k", {
      expectedVersion: 1,
    });
    assert.equal(deleted.version, 2);
    const snapshot = await tenants.getSharedState(pairId);
    assert.deepEqual(snapshot.state, { other: "w" });
    assert.equal(snapshot.version, 3);
    const history = await tenants.getPairStateHistory(pairId, "default", "k");
    assert.deepEqual(history.map((h) => [h.version, h.value, h.deleted]), [
      [1, "v", false],
      [2, null, true],
    ]);
    const again = await tenants.setSharedState(pairId, "alice", "k", "back", {
      expectedVersion: 2,
    });
    assert.equal(again.version, 3);
  },
);

storeTest(
  "subscribe() hears each committed shared change once",
  async ({ tenants }) => {
    const { pairId } = await aliceAndBob(tenants);
    const other = await tenants.createPair({ creatorMemberId: "zoe" });
    const heard: StateChange[] = [];
    const stop = await tenants.subscribe(
      pairId,
      (change) => heard.push(change),
    );
    await tenants.setSharedState(pairId, "alice", "k", 1, "ns");
    await tenants.setSharedState(pairId, "bob", "k", 2, {
      namespace: "ns",
      expectedVersion: 0,
    });
    await tenants.deleteSharedState(pairId, "alice", "k", "ns");
    await tenants.setMemberPreference(pairId, "alice", "private", "x");
    await tenants.setSharedState(other.pairId, "zoe", "k", 1);
    await assertCode(
      tenants.setSharedState(pairId, "zed", "k", 3),
      "NOT_A_MEMBER",
    );
    await stop();
    await tenants.setSharedState(pairId, "alice", "k", 4, "ns");
    assert.deepEqual(heard, [
      { pairId, namespace: "ns", key: "k", version: 1, change: "set" },
      { pairId, namespace: "ns", key: "k", version: 1, change: "conflict" },
      { pairId, namespace: "ns", key: "k", version: 2, change: "delete" },
    ]);
  },
);

storeTest(
  "getSharedState() counts revisions per namespace",
  async ({ tenants }) => {
    const { pairId } = await aliceAndBob(tenants);
    assert.deepEqual(await tenants.getSharedState(pairId), {
      namespace: "default",
      state: {},
      versions: {},
      version: 0,
      conflicts: 0,
    });
    await tenants.setSharedState(pairId, "alice", "a", {
      nested: [1, "two", null, true],
    });
    await tenants.setSharedState(pairId, "alice", "b", null, "other");
    const snapshot = await tenants.getSharedState(pairId);
    assert.deepEqual(snapshot.state, { a: { nested: [1, "two", null, true] } });
    assert.deepEqual(snapshot.versions, { a: 1 });
    assert.equal(snapshot.version, 1);
    const other = await tenants.getSharedState(pairId, "other");
    assert.deepEqual(other.state, { b: null });
    assert.equal(other.version, 1);
  },
);
