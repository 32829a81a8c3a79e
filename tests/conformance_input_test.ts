import assert from "node:assert/strict";
import type { TenantPair } from "../mod.ts";
import { aliceAndBob, assertCode, storeTest } from "./support/harness.ts";

/** Everything observable about a pair, to compare before and after. */
async function snapshot(tenants: TenantPair, pairId: string): Promise<string> {
  return JSON.stringify([
    await tenants.getPair(pairId),
    await tenants.listMembers(pairId, { includeLeft: true }),
    await tenants.listInvites(pairId, "alice"),
    await tenants.getSharedState(pairId),
    await tenants.getMemberConstraints(pairId, "alice"),
    await tenants.getMemberConstraints(pairId, "bob"),
    await tenants.listEvents(pairId, { limit: 1000 }),
    await tenants.listPairs("alice"),
    await tenants.listConflicts(pairId),
  ]);
}

const LONG = "x".repeat(1_000_000);
const BAD_IDS: [unknown, string][] = [
  ["", "must not be empty"],
  ["a".repeat(65), "at most 64"],
  ["has space", "must start with a letter or digit"],
  ["-leading", "must start with a letter or digit"],
  ["tab\there", "must start with a letter or digit"],
  ["emoji😀", "must start with a letter or digit"],
  [LONG, "at most 64"],
  [42, "must be a string"],
  [null, "must be a string"],
];

storeTest(
  "bad ids are INVALID_INPUT naming the field, with nothing written",
  async ({ tenants }) => {
    const { pairId } = await aliceAndBob(tenants);
    const before = await snapshot(tenants, pairId);
    for (const [bad, rule] of BAD_IDS) {
      const id = bad as string;
      const calls: [string, () => Promise<unknown>][] = [
        ["creatorMemberId", () => tenants.createPair({ creatorMemberId: id })],
        [
          "pairId",
          () => tenants.inviteMember({ pairId: id, inviterMemberId: "alice" }),
        ],
        [
          "inviterMemberId",
          () => tenants.inviteMember({ pairId, inviterMemberId: id }),
        ],
        [
          "memberId",
          () => tenants.acceptInvite({ inviteToken: "abc", memberId: id }),
        ],
        ["memberId", () => tenants.setSharedState(pairId, id, "k", 1)],
        [
          "namespace",
          () =>
            tenants.setSharedState(pairId, "alice", "k", 1, { namespace: id }),
        ],
        ["memberId", () => tenants.setMemberPreference(pairId, id, "k", 1)],
        ["targetMemberId", () => tenants.kickMember(pairId, "alice", id)],
        [
          "newOwnerMemberId",
          () => tenants.transferOwnership(pairId, "alice", id),
        ],
        ["inviteId", () => tenants.revokeInvite(pairId, "alice", id)],
        ["memberId", () => tenants.forgetMember(pairId, id)],
        ["memberId", () => tenants.exportMemberData(pairId, id)],
        ["pairId", () => tenants.getSharedState(id)],
      ];
      for (const [field, call] of calls) {
        const error = await assertCode(call(), "INVALID_INPUT", field);
        assert.ok(
          error.message.includes(rule),
          `${error.message} lacks ${rule}`,
        );
        assert.ok(
          error.message.length < 400,
          "a long value is quoted only in part",
        );
      }
    }
    assert.equal(await snapshot(tenants, pairId), before);
  },
);

storeTest(
  "bad values are INVALID_INPUT with nothing written",
  async ({ tenants, withOptions }) => {
    const { pairId } = await aliceAndBob(tenants);
    const before = await snapshot(tenants, pairId);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const badValues: [unknown, string][] = [
      [undefined, "got undefined"],
      [() => 1, "got a function"],
      [Number.NaN, "finite"],
      [Number.POSITIVE_INFINITY, "finite"],
      [{ nested: [1, undefined] }, "[1]: must be JSON; got undefined"],
      [cyclic, "cycle"],
      [new Date(), "plain JSON object"],
      [new Map(), "plain JSON object"],
      [10n, "bigint"],
      ["x".repeat(70_000), "more than the limit of 65536"],
    ];
    for (const [value, rule] of badValues) {
      const shared = await assertCode(
        tenants.setSharedState(pairId, "alice", "k", value as never),
        "INVALID_INPUT",
        "value",
      );
      assert.ok(shared.message.includes(rule), shared.message);
      await assertCode(
        tenants.setMemberPreference(pairId, "alice", "k", value as never),
        "INVALID_INPUT",
        rule,
      );
    }
    // Shared values name the path; private ones keep their key names out.
    await assertCode(
      tenants.setSharedState(
        pairId,
        "alice",
        "k",
        { nested: [undefined] } as never,
      ),
      "INVALID_INPUT",
      "value.nested[0]",
    );
    const hidden = await assertCode(
      tenants.setMemberPreference(pairId, "alice", "k", {
        "diagnosis since 2019": undefined,
      } as never),
      "INVALID_INPUT",
      "value.(key)",
    );
    assert.ok(!hidden.message.includes("diagnosis"));
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    await assertCode(
      tenants.setSharedState(pairId, "alice", "k", deep as never),
      "INVALID_INPUT",
      "deeper than 64 levels",
    );
    const small = withOptions({ maxValueBytes: 10 });
    await assertCode(
      small.setSharedState(pairId, "alice", "k", "ünïcødé"),
      "INVALID_INPUT",
      "bytes",
    );
    assert.equal(await snapshot(tenants, pairId), before);
  },
);

storeTest(
  "bad keys, names, times and numbers are INVALID_INPUT",
  async ({ tenants }) => {
    const { pairId } = await aliceAndBob(tenants);
    const before = await snapshot(tenants, pairId);
    const cases: [string, () => Promise<unknown>][] = [
      ["key", () => tenants.setSharedState(pairId, "alice", "", 1)],
      [
        "key",
        () => tenants.setSharedState(pairId, "alice", "k".repeat(129), 1),
      ],
      ["key", () => tenants.setSharedState(pairId, "alice", "line\nbreak", 1)],
      [
        "key",
        () => tenants.setMemberPreference(pairId, "alice", "nul\u0000", 1),
      ],
      [
        "displayName",
        () => tenants.createPair({ creatorMemberId: "x", displayName: "" }),
      ],
      [
        "displayName",
        () =>
          tenants.createPair({
            creatorMemberId: "x",
            displayName: "n".repeat(121),
          }),
      ],
      [
        "pairName",
        () =>
          tenants.createPair({ creatorMemberId: "x", pairName: "bell\u0007" }),
      ],
      [
        "maxMembers",
        () => tenants.createPair({ creatorMemberId: "x", maxMembers: 0 }),
      ],
      [
        "maxMembers",
        () => tenants.createPair({ creatorMemberId: "x", maxMembers: 2.5 }),
      ],
      [
        "inviteeHint",
        () =>
          tenants.inviteMember({
            pairId,
            inviterMemberId: "alice",
            inviteeHint: "h".repeat(201),
          }),
      ],
      [
        "ttlSeconds",
        () =>
          tenants.inviteMember({
            pairId,
            inviterMemberId: "alice",
            ttlSeconds: 59,
          }),
      ],
      [
        "ttlSeconds",
        () =>
          tenants.inviteMember({
            pairId,
            inviterMemberId: "alice",
            ttlSeconds: 2_592_001,
          }),
      ],
      [
        "ttlSeconds",
        () =>
          tenants.inviteMember({
            pairId,
            inviterMemberId: "alice",
            ttlSeconds: "3600" as never,
          }),
      ],
      [
        "reason",
        () =>
          tenants.kickMember(pairId, "alice", "bob", {
            reason: "r".repeat(501),
          }),
      ],
      [
        "expectedVersion",
        () =>
          tenants.setSharedState(pairId, "alice", "k", 1, {
            expectedVersion: -1,
          }),
      ],
      [
        "expectedVersion",
        () =>
          tenants.setSharedState(pairId, "alice", "k", 1, {
            expectedVersion: 1.5,
          }),
      ],
      [
        "validFrom",
        () =>
          tenants.setSharedState(pairId, "alice", "k", 1, {
            validFrom: "2026-03-01T10:00:00",
          }),
      ],
      [
        "validFrom",
        () =>
          tenants.setMemberPreference(pairId, "alice", "k", 1, {
            validFrom: "yesterday",
          }),
      ],
      [
        "validFrom",
        () =>
          tenants.setMemberPreference(pairId, "alice", "k", 1, {
            validFrom: new Date(Number.NaN),
          }),
      ],
      [
        "validAt",
        () => tenants.getSharedState(pairId, { validAt: "2026-03-01" }),
      ],
      [
        "knownAt",
        () =>
          tenants.getMemberConstraints(pairId, "alice", {
            knownAt: "2026-13-45T99:00:00Z",
          }),
      ],
      [
        "keys",
        () =>
          tenants.getMemberConstraints(pairId, "alice", {
            keys: "diet" as never,
          }),
      ],
      ["limit", () => tenants.listEvents(pairId, { limit: 0 })],
      ["limit", () => tenants.listEvents(pairId, { limit: 1001 })],
      ["after", () => tenants.listEvents(pairId, { after: -1 })],
      [
        "shortCode",
        () =>
          tenants.acceptInvite({ shortCode: "x".repeat(33), memberId: "zed" }),
      ],
      ["options", () => tenants.createPair(null as never)],
    ];
    for (const [field, call] of cases) {
      await assertCode(call(), "INVALID_INPUT", field);
    }
    assert.equal(await snapshot(tenants, pairId), before);
  },
);

storeTest("times with an offset are accepted", async ({ tenants }) => {
  const { pairId } = await aliceAndBob(tenants);
  const result = await tenants.setSharedState(pairId, "alice", "k", 1, {
    validFrom: "2026-03-01T12:00:00+02:00",
  });
  assert.equal(result.validFrom, "2026-03-01T10:00:00.000Z");
  const read = await tenants.getSharedState(pairId, {
    validAt: "2026-03-01T10:00:00.000Z",
  });
  assert.deepEqual(read.state, { k: 1 });
});

storeTest("values round-trip exactly", async ({ tenants }) => {
  const { pairId } = await aliceAndBob(tenants);
  const values = [
    {
      b: 1,
      a: [true, false, null],
      "": "empty key",
      nested: { deep: { deeper: [1.5, -0.25, 1e21] } },
    },
    'quotes " and \\ backslashes and\nnewlines',
    "ünïcødé ✓ 😀",
    0,
    -1.25,
    [],
    {},
    null,
    false,
  ];
  for (const [i, value] of values.entries()) {
    await tenants.setSharedState(pairId, "alice", `k${i}`, value);
    await tenants.setMemberPreference(pairId, "alice", `k${i}`, value);
  }
  const shared = (await tenants.getSharedState(pairId)).state;
  const own = await tenants.getMemberConstraints(pairId, "alice");
  for (const [i, value] of values.entries()) {
    assert.deepEqual(shared[`k${i}`], value);
    assert.deepEqual(own[`k${i}`], value);
  }
});
