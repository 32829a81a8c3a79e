import assert from "node:assert/strict";
import { OPEN_END, TenantPair } from "../mod.ts";
import type { PairRow, StateScope, VersionRow } from "../mod.ts";
import { assertCode } from "./support/harness.ts";
import {
  createTestStore,
  POSTGRES_IGNORE,
  withAdmin,
} from "./support/postgres.ts";

const PG_TEST = {
  ignore: POSTGRES_IGNORE,
  sanitizeOps: false,
  sanitizeResources: false,
};

function pairRow(pairId: string, createdAt: number): PairRow {
  return {
    pairId,
    pairName: null,
    maxMembers: null,
    createdAt,
    createdBy: "alice",
  };
}

Deno.test({
  name: "PostgresTenantStore keeps times exact from 4714 BC to the open end",
  ...PG_TEST,
  async fn() {
    const { store, cleanup } = await createTestStore();
    try {
      const times = [
        OPEN_END,
        0,
        -1,
        1,
        Date.parse("2026-03-01T09:00:00.123Z"),
        Date.parse("1969-07-20T20:17:40.999Z"),
        Date.parse("9999-12-31T23:59:59.999Z"),
        OPEN_END - 1,
        -210_866_803_200_000,
        2 ** 53 / 2 ** 3 + 7,
      ];
      await store.write(async (tx) => {
        for (const [i, time] of times.entries()) {
          await tx.insertPair(pairRow(`p${i}`, time));
        }
      });
      const read = await store.read(async (tx) => {
        const rows: number[] = [];
        for (const i of times.keys()) {
          rows.push((await tx.getPair(`p${i}`))?.createdAt ?? NaN);
        }
        return rows;
      });
      assert.deepEqual(read, times);

      await assertCode(
        store.write((tx) =>
          Promise.resolve(tx.insertPair(pairRow("early", -8.64e15)))
        ),
        "INVALID_INPUT",
        "4714 BC",
      );
      const early = await store.read((tx) =>
        Promise.resolve(tx.getPair("early"))
      );
      assert.equal(early, undefined);
    } finally {
      await cleanup();
    }
  },
});

Deno.test({
  name: "PostgresTenantStore keeps values jsonb cannot hold",
  ...PG_TEST,
  async fn() {
    const { url, schema, store, cleanup } = await createTestStore();
    try {
      const tenants = new TenantPair({ store });
      const pair = await tenants.createPair({ creatorMemberId: "alice" });
      const values = {
        nul: "before\u0000after",
        lone: "half \ud83d of a pair",
        nested: { list: ["ok", "\u0000"], z: 1, a: 2 },
        escaped: "a backslash then u0000: \\u0000",
        order: { z: 1, a: 2, m: { y: 1, b: 2 } },
        numbers: [5e-324, 1.7976931348623157e308, 0.1 + 0.2, 2 ** 53, -1e-7],
      };
      for (const [key, value] of Object.entries(values)) {
        await tenants.setSharedState(pair.pairId, "alice", key, value);
      }
      const state = (await tenants.getSharedState(pair.pairId)).state;
      for (const [key, value] of Object.entries(values)) {
        assert.deepEqual(state[key], value, key);
      }
      assert.deepEqual(Object.keys(state.order as object), ["a", "m", "z"]);

      const stored = await withAdmin(
        url,
        (sql) =>
          sql.unsafe(
            `SELECT key, value IS NOT NULL AS in_jsonb, value_text IS NOT NULL AS in_text FROM "${schema}".state_versions ORDER BY key`,
          ),
      );
      assert.deepEqual(
        stored.map((row) => [row.key, row.in_jsonb, row.in_text]),
        [
          ["escaped", true, false],
          ["lone", false, true],
          ["nested", false, true],
          ["nul", false, true],
          ["numbers", true, false],
          ["order", true, false],
        ],
      );
    } finally {
      await cleanup();
    }
  },
});

Deno.test({
  name: "PostgresTenantStore compares times beyond timestamp range",
  ...PG_TEST,
  async fn() {
    const { store, cleanup } = await createTestStore();
    try {
      const tenants = new TenantPair({ store });
      const pair = await tenants.createPair({ creatorMemberId: "alice" });
      await tenants.setMemberPreference(pair.pairId, "alice", "diet", "vegan");
      const scope: StateScope = {
        pairId: pair.pairId,
        space: "member",
        scopeId: "alice",
      };
      const keys = (rows: VersionRow[]) => rows.map((row) => row.key);
      // The service passes the extremes of safe integers to mean "any time".
      const read = await store.read(async (tx) => ({
        early: keys(await tx.readCurrent(scope, -Number.MAX_SAFE_INTEGER)),
        late: keys(await tx.readCurrent(scope, Number.MAX_SAFE_INTEGER)),
        open: keys(await tx.readCurrent(scope, OPEN_END - 1)),
        knownEarly: keys(
          await tx.readAsOf(scope, OPEN_END - 1, -Number.MAX_SAFE_INTEGER),
        ),
        knownLate: keys(
          await tx.readAsOf(scope, OPEN_END - 1, Number.MAX_SAFE_INTEGER),
        ),
        anyInvite: (await tx.listPendingInvites(
          pair.pairId,
          -Number.MAX_SAFE_INTEGER,
        )).length,
      }));
      assert.deepEqual(read, {
        early: [],
        late: [],
        open: ["diet"],
        knownEarly: [],
        knownLate: ["diet"],
        anyInvite: 1,
      });
    } finally {
      await cleanup();
    }
  },
});
