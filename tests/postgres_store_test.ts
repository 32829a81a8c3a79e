import assert from "node:assert/strict";
import postgres from "postgres";
import { PostgresTenantStore, TenantPair, TenantPairError } from "../mod.ts";
import type { StateChange } from "../mod.ts";
import { openStore, resolveDatabase } from "../src/config.ts";
import { channelName } from "../src/stores/postgres_notify.ts";
import {
  createTestSchema,
  createTestStore,
  POSTGRES_IGNORE,
  postgresTestUrl,
  withAdmin,
} from "./support/postgres.ts";
import { assertCode } from "./support/harness.ts";

const PG_TEST = {
  ignore: POSTGRES_IGNORE,
  sanitizeOps: false,
  sanitizeResources: false,
};

Deno.test("PostgresTenantStore rejects a hostile schema before any SQL", () => {
  // Nothing listens on port 9, so any attempt to connect would fail with
  // STORE_UNAVAILABLE rather than INVALID_INPUT.
  const url = "postgres://nobody@127.0.0.1:9/none";
  const names: unknown[] = [
    'x"; DROP SCHEMA public CASCADE; --',
    "Tenant",
    "1st",
    "",
    "a".repeat(64),
    "pg_catalog",
    "pg_temp",
    "has-dash",
    "has space",
    "ümlaut",
    "semi;colon",
    42,
  ];
  for (const schema of names) {
    let caught: unknown;
    try {
      new PostgresTenantStore({ url }, { schema: schema as string });
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof TenantPairError, `accepted ${String(schema)}`);
    assert.equal(caught.code, "INVALID_INPUT");
    assert.match(caught.message, /^Invalid schema /);
  }
});

Deno.test("PostgresTenantStore rejects a connection without a URL", () => {
  const bad: unknown[] = [{}, { url: "mysql://x" }, { url: 5 }, { sql: "no" }];
  for (const connection of bad) {
    assert.throws(
      () =>
        new PostgresTenantStore(
          connection as { url: string },
        ),
      (error) =>
        error instanceof TenantPairError && error.code === "INVALID_INPUT",
    );
  }
});

Deno.test("channelName() fits PostgreSQL's 63-byte limit", () => {
  const longId = "p".repeat(64);
  const name = channelName("a".repeat(63), longId);
  assert.ok(name.length <= 63, name);
  assert.match(name, /^[a-z0-9_]+$/);
  assert.notEqual(channelName("one", longId), channelName("two", longId));
  assert.notEqual(channelName("one", "p1"), channelName("one", "p2"));
});

Deno.test({
  name: "PostgresTenantStore works in a schema named like a keyword",
  ...PG_TEST,
  async fn() {
    const url = await postgresTestUrl();
    const schema = "current_user";
    const exists = await withAdmin(
      url,
      (sql) => sql`SELECT 1 FROM pg_namespace WHERE nspname = ${schema}`,
    );
    assert.equal(exists.length, 0, `schema ${schema} already exists`);
    const store = new PostgresTenantStore({ url }, { schema });
    try {
      const tenants = new TenantPair({ store });
      const pair = await tenants.createPair({ creatorMemberId: "alice" });
      await tenants.setSharedState(pair.pairId, "alice", "k", "v");
      const state = await tenants.getSharedState(pair.pairId);
      assert.deepEqual(state.state, { k: "v" });
      const tables = await withAdmin(
        url,
        (sql) =>
          sql`SELECT tablename FROM pg_tables WHERE schemaname = ${schema} ORDER BY 1`,
      );
      assert.ok(tables.some((row) => row.tablename === "state_heads"));
    } finally {
      await store.close();
      await withAdmin(
        url,
        (sql) => sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`),
      );
    }
  },
});

Deno.test({
  name: "PostgresTenantStore.open() refuses a schema from a newer release",
  ...PG_TEST,
  async fn() {
    const { url, schema, store, cleanup } = await createTestStore();
    try {
      await store.open();
      await withAdmin(
        url,
        (sql) =>
          sql.unsafe(
            `INSERT INTO "${schema}".schema_migrations (version) VALUES (99)`,
          ),
      );
      const newer = new PostgresTenantStore({ url }, { schema });
      try {
        const error = await assertCode(newer.open(), "SCHEMA_TOO_NEW");
        assert.match(error.message, /schema version 99 is newer than 1/);
        assert.deepEqual(error.details, { found: 99, supported: 1 });
      } finally {
        await newer.close();
      }
    } finally {
      await cleanup();
    }
  },
});

Deno.test({
  name: "PostgresTenantStore.open() migrates once when many open together",
  ...PG_TEST,
  async fn() {
    const { url, schema, drop } = await createTestSchema();
    const stores = Array.from(
      { length: 6 },
      () => new PostgresTenantStore({ url }, { schema }),
    );
    try {
      await Promise.all(stores.map((store) => store.open()));
      const rows = await withAdmin(
        url,
        (sql) =>
          sql.unsafe(`SELECT version FROM "${schema}".schema_migrations`),
      );
      assert.deepEqual(rows.map((row) => row.version), [1]);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await drop();
    }
  },
});

Deno.test({
  name: "PostgresTenantStore.open() names a schema that holds other tables",
  ...PG_TEST,
  async fn() {
    const { url, schema, drop } = await createTestSchema();
    await withAdmin(url, async (sql) => {
      await sql.unsafe(`CREATE SCHEMA "${schema}"`);
      await sql.unsafe(`CREATE TABLE "${schema}".pairs (x integer)`);
    });
    const store = new PostgresTenantStore({ url }, { schema });
    try {
      const error = await assertCode(store.open(), "STORE_UNAVAILABLE");
      assert.match(error.message, /choose an unused schema/);
      assert.ok(error.message.includes(schema), error.message);
      const tables = await withAdmin(
        url,
        (sql) =>
          sql`SELECT tablename FROM pg_tables WHERE schemaname = ${schema}`,
      );
      assert.deepEqual(tables.map((row) => row.tablename), ["pairs"]);
    } finally {
      await store.close();
      await drop();
    }
  },
});

Deno.test({
  name: "PostgresTenantStore.close() leaves a caller's client open",
  ...PG_TEST,
  async fn() {
    const { url, schema, drop } = await createTestSchema();
    const sql = postgres(url, { onnotice: () => {} });
    try {
      const store = new PostgresTenantStore({ sql }, { schema });
      const tenants = new TenantPair({ store });
      const pair = await tenants.createPair({ creatorMemberId: "alice" });
      const stop = await tenants.subscribe(pair.pairId, () => {});
      await stop();
      await store.close();
      await store.close();

      const [row] = await sql`SELECT 1 AS one`;
      assert.equal(row?.one, 1);
      await assertCode(tenants.getPair(pair.pairId), "STORE_UNAVAILABLE");
      await assertCode(
        store.open(),
        "STORE_UNAVAILABLE",
        "the store is closed",
      );
    } finally {
      await sql.end({ timeout: 5 });
      await drop();
    }
  },
});

Deno.test({
  name: "forgetMember() on PostgreSQL deletes rows but reports no scrub",
  ...PG_TEST,
  async fn() {
    const { url, schema, store, cleanup } = await createTestStore();
    try {
      assert.equal(await store.scrub(), "unsupported");
      const tenants = new TenantPair({ store });
      const pair = await tenants.createPair({ creatorMemberId: "alice" });
      await tenants.acceptInvite({
        inviteToken: pair.inviteToken,
        memberId: "bob",
      });
      await tenants.setMemberPreference(pair.pairId, "bob", "diet", "vegan");
      await tenants.setMemberPreference(
        pair.pairId,
        "bob",
        "diet",
        "vegetarian",
      );
      const report = await tenants.forgetMember(pair.pairId, "bob");
      assert.equal(report.privateVersionsErased, 2);
      assert.equal(report.diskScrubbed, false);
      const left = await withAdmin(url, async (sql) => ({
        versions: await sql.unsafe(
          `SELECT 1 FROM "${schema}".state_versions WHERE scope_id = 'bob'`,
        ),
        heads: await sql.unsafe(
          `SELECT 1 FROM "${schema}".state_heads WHERE scope_id = 'bob'`,
        ),
      }));
      assert.equal(left.versions.length, 0);
      assert.equal(left.heads.length, 0);
    } finally {
      await cleanup();
    }
  },
});

Deno.test({
  name: "openStore() opens PostgreSQL from TENANT_PAIR_DB",
  ...PG_TEST,
  async fn() {
    const { url, schema, drop } = await createTestSchema();
    const target = resolveDatabase({
      TENANT_PAIR_DB: url,
      TENANT_PAIR_PG_SCHEMA: schema,
    });
    const store = await openStore(target);
    try {
      assert.equal(store.engine, "postgres");
      const tenants = new TenantPair({ store });
      const pair = await tenants.createPair({ creatorMemberId: "alice" });
      assert.equal((await tenants.getPair(pair.pairId)).memberCount, 1);
    } finally {
      await store.close();
      await drop();
    }
    await assertCode(
      openStore(resolveDatabase({
        TENANT_PAIR_DB: url,
        TENANT_PAIR_PG_SCHEMA: "Bad-Schema",
      })),
      "INVALID_INPUT",
    );
  },
});

Deno.test({
  name: "subscribe() hears each change once across two store objects",
  ...PG_TEST,
  async fn() {
    const { url, schema, store, cleanup } = await createTestStore();
    const other = new PostgresTenantStore({ url }, { schema });
    try {
      const writer = new TenantPair({ store });
      const reader = new TenantPair({ store: other });
      const pair = await writer.createPair({ creatorMemberId: "alice" });
      const mine: StateChange[] = [];
      const theirs: StateChange[] = [];
      const late: StateChange[] = [];
      const stopMine = await writer.subscribe(pair.pairId, (c) => mine.push(c));
      const stopTheirs = await reader.subscribe(
        pair.pairId,
        (c) => theirs.push(c),
      );
      let marker: () => void = () => {};
      const markerHeard = new Promise<void>((resolve) => marker = resolve);
      const stopLate = await reader.subscribe(pair.pairId, (c) => {
        late.push(c);
        if (c.key === "marker") marker();
      });

      await writer.setSharedState(pair.pairId, "alice", "k", 1);
      await writer.deleteSharedState(pair.pairId, "alice", "k");
      // The writer's own subscriber has heard its writes once they resolve.
      assert.deepEqual(mine.map((c) => [c.key, c.change, c.version]), [
        ["k", "set", 1],
        ["k", "delete", 2],
      ]);
      await stopMine();
      await stopTheirs();
      await writer.setSharedState(pair.pairId, "alice", "marker", true);
      await markerHeard;
      await stopLate();

      assert.equal(mine.length, 2);
      assert.deepEqual(theirs, [
        {
          pairId: pair.pairId,
          namespace: "default",
          key: "k",
          version: 1,
          change: "set",
        },
        {
          pairId: pair.pairId,
          namespace: "default",
          key: "k",
          version: 2,
          change: "delete",
        },
      ]);
      assert.deepEqual(late.map((c) => c.key), ["k", "k", "marker"]);
    } finally {
      await other.close();
      await cleanup();
    }
  },
});
