import assert from "node:assert/strict";
import postgres from "postgres";
import { PostgresTenantStore, TenantPair, TenantPairError } from "../mod.ts";
import type { PairRow } from "../mod.ts";
import { openStore, resolveDatabase } from "../src/config.ts";
import { assertCode } from "./support/harness.ts";
import {
  createTestSchema,
  POSTGRES_IGNORE,
  withAdmin,
} from "./support/postgres.ts";

const PG_TEST = {
  ignore: POSTGRES_IGNORE,
  sanitizeOps: false,
  sanitizeResources: false,
};

function pairRow(pairId: string): PairRow {
  return {
    pairId,
    pairName: null,
    maxMembers: null,
    createdAt: Date.parse("2026-03-01T09:00:00.000Z"),
    createdBy: "alice",
  };
}

function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Returns `url` with another user, password or database. */
function withParts(
  url: string,
  parts: { username?: string; password?: string; database?: string },
): string {
  const parsed = new URL(url);
  if (parts.username !== undefined) parsed.username = parts.username;
  if (parts.password !== undefined) parsed.password = parts.password;
  if (parts.database !== undefined) parsed.pathname = `/${parts.database}`;
  return parsed.toString();
}

Deno.test({
  name: "PostgresTenantStore names an unreachable server without the password",
  ...PG_TEST,
  async fn() {
    const port = closedPort();
    const url = `postgres://alice:s3cret-Passw0rd@127.0.0.1:${port}/tenants`;
    const store = new PostgresTenantStore({ url });
    try {
      const tenants = new TenantPair({ store });
      const error = await assertCode(
        tenants.createPair({ creatorMemberId: "alice" }),
        "STORE_UNAVAILABLE",
      );
      assert.ok(
        error.message.startsWith(
          `Cannot use PostgreSQL at 127.0.0.1:${port}/tenants: `,
        ),
        error.message,
      );
      assert.match(error.message, /ECONNREFUSED/);
      assert.match(error.message, /check that the server runs/);
      assert.ok(!error.message.includes("s3cret"), error.message);
      assert.ok(!JSON.stringify(error.details).includes("s3cret"));
      // The store stays usable: the next call tries the server again.
      await assertCode(store.open(), "STORE_UNAVAILABLE");
    } finally {
      await store.close();
    }

    await assertCode(
      openStore(resolveDatabase({ TENANT_PAIR_DB: url })),
      "STORE_UNAVAILABLE",
      `127.0.0.1:${port}/tenants`,
    );
  },
});

Deno.test({
  name: "PostgresTenantStore names a missing database or role",
  ...PG_TEST,
  async fn() {
    const { url } = await createTestSchema();
    const missing = [
      {
        url: withParts(url, { database: "no_such_database_for_tenant_pair" }),
        says: 'database "no_such_database_for_tenant_pair" does not exist',
      },
      {
        url: withParts(url, {
          username: "no_such_role_for_tenant_pair",
          password: "hunter2-secret",
        }),
        says: "no_such_role_for_tenant_pair",
      },
    ];
    for (const { url: wrong, says } of missing) {
      const store = new PostgresTenantStore({ url: wrong });
      try {
        const error = await assertCode(store.open(), "STORE_UNAVAILABLE");
        assert.ok(error.message.includes(says), error.message);
        assert.ok(!error.message.includes("hunter2"), error.message);
      } finally {
        await store.close();
      }
    }
  },
});

Deno.test({
  name: "PostgresTenantStore rolls back when its backend is terminated",
  ...PG_TEST,
  async fn() {
    const { url, schema, drop } = await createTestSchema();
    const name = `tenant-pair-victim-${crypto.randomUUID().slice(0, 8)}`;
    const sql = postgres(url, {
      onnotice: () => {},
      connection: { application_name: name },
    });
    const store = new PostgresTenantStore({ sql }, { schema });
    try {
      await store.open();
      let terminated: Promise<number> = Promise.resolve(0);
      const error = await assertCode(
        store.write(async (tx) => {
          await tx.insertPair(pairRow("half"));
          await tx.insertEvent({
            pairId: "half",
            type: "pair.created",
            actorMemberId: "alice",
            subjectMemberId: "alice",
            at: 0,
            data: {},
          });
          terminated = withAdmin(
            url,
            (admin) =>
              admin`SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = ${name} AND state = 'idle in transaction'`,
          ).then(([row]) => Number(row?.n));
          await terminated;
          await tx.insertPair(pairRow("half-2"));
        }),
        "STORE_UNAVAILABLE",
      );
      // The write may fail as soon as the client sees the connection close,
      // before the terminating query has returned.
      assert.equal(await terminated, 1);
      assert.match(error.message, /^Cannot use PostgreSQL at /);
      assert.match(
        error.message,
        /administrator command|the connection (closed|was reset)/,
      );

      const rows = await withAdmin(url, async (admin) => ({
        pairs: await admin.unsafe(`SELECT pair_id FROM "${schema}".pairs`),
        events: await admin.unsafe(`SELECT id FROM "${schema}".events`),
      }));
      assert.equal(rows.pairs.length, 0);
      assert.equal(rows.events.length, 0);

      // A new connection serves the next call.
      const tenants = new TenantPair({ store });
      const pair = await tenants.createPair({ creatorMemberId: "alice" });
      assert.equal((await tenants.getPair(pair.pairId)).memberCount, 1);
    } finally {
      await store.close();
      // A connection that was lost mid-query keeps postgres.js 3.4.10 from
      // ending gracefully, so end() waits for its whole timeout.
      await sql.end({ timeout: 1 });
      await drop();
    }
  },
});

Deno.test({
  name: "PostgresTenantStore replaces an idle connection that was terminated",
  ...PG_TEST,
  async fn() {
    const { url, schema, drop } = await createTestSchema();
    const name = `tenant-pair-idle-${crypto.randomUUID().slice(0, 8)}`;
    const sql = postgres(url, {
      onnotice: () => {},
      connection: { application_name: name },
    });
    const store = new PostgresTenantStore({ sql }, { schema });
    try {
      const tenants = new TenantPair({ store });
      const pair = await tenants.createPair({ creatorMemberId: "alice" });
      const [row] = await withAdmin(
        url,
        (admin) =>
          admin`SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = ${name}`,
      );
      assert.ok(Number(row?.n) >= 1);

      // The first call may meet the dead connection. The next one must not.
      try {
        await tenants.getPair(pair.pairId);
      } catch (error) {
        assert.ok(error instanceof TenantPairError);
        assert.equal(error.code, "STORE_UNAVAILABLE");
      }
      assert.equal((await tenants.getPair(pair.pairId)).memberCount, 1);
    } finally {
      await store.close();
      // A connection that was lost mid-query keeps postgres.js 3.4.10 from
      // ending gracefully, so end() waits for its whole timeout.
      await sql.end({ timeout: 1 });
      await drop();
    }
  },
});

Deno.test({
  name: "PostgresTenantStore.write() runs again after a deadlock",
  ...PG_TEST,
  async fn() {
    const { url, schema, drop } = await createTestSchema();
    const store = new PostgresTenantStore({ url }, { schema });
    try {
      await store.write(async (tx) => {
        await tx.insertPair(pairRow("a"));
        await tx.insertPair(pairRow("b"));
      });
      // Each first attempt locks one pair, waits until the other has locked
      // the other pair, then requests it: a deadlock PostgreSQL breaks by
      // failing one transaction, which the store then runs again.
      let locked = 0;
      let bothLocked: () => void = () => {};
      const barrier = new Promise<void>((resolve) => bothLocked = resolve);
      const attempts = { ab: 0, ba: 0 };
      const crossing = (first: string, second: string, id: "ab" | "ba") =>
        store.write(async (tx) => {
          attempts[id]++;
          await tx.getPair(first);
          if (attempts[id] === 1) {
            if (++locked === 2) bothLocked();
            await barrier;
          }
          await tx.getPair(second);
          return id;
        });

      const results = await Promise.all([
        crossing("a", "b", "ab"),
        crossing("b", "a", "ba"),
      ]);

      assert.deepEqual(results, ["ab", "ba"]);
      assert.equal(attempts.ab + attempts.ba, 3);
    } finally {
      await store.close();
      await drop();
    }
  },
});

Deno.test({
  name:
    "PostgresTenantStore.write() gives up after repeated serialization failures",
  ...PG_TEST,
  async fn() {
    const { url, schema, drop } = await createTestSchema();
    const store = new PostgresTenantStore({ url }, { schema });
    try {
      // A real serialization failure, raised by the server.
      const failure = await withAdmin(url, async (admin) => {
        try {
          await admin.unsafe(
            "DO $$ BEGIN RAISE EXCEPTION 'simulated conflict' USING ERRCODE = 'serialization_failure'; END $$",
          );
        } catch (error) {
          return error;
        }
        throw new Error("the server raised nothing");
      });
      let attempts = 0;
      const error = await assertCode(
        store.write(async (tx) => {
          attempts++;
          await tx.insertPair(pairRow(`try-${attempts}`));
          throw failure;
        }),
        "STORE_UNAVAILABLE",
        "serialization failure or deadlock",
      );
      assert.equal(attempts, 10);
      assert.deepEqual(error.details, { sqlState: "40001", attempts: 10 });
      const pairs = await withAdmin(
        url,
        (admin) => admin.unsafe(`SELECT pair_id FROM "${schema}".pairs`),
      );
      assert.equal(pairs.length, 0);
    } finally {
      await store.close();
      await drop();
    }
  },
});

Deno.test({
  name:
    "PostgresTenantStore fails cleanly when killed while waiting for a lock",
  ...PG_TEST,
  async fn() {
    const { url, schema, drop } = await createTestSchema();
    const name = `tenant-pair-waiter-${crypto.randomUUID().slice(0, 8)}`;
    const holder = new PostgresTenantStore({ url }, { schema });
    const sql = postgres(url, {
      onnotice: () => {},
      connection: { application_name: name },
    });
    const victim = new PostgresTenantStore({ sql }, { schema });
    try {
      await holder.write((tx) => Promise.resolve(tx.insertPair(pairRow("p"))));
      await victim.open();
      let release: () => void = () => {};
      const released = new Promise<void>((resolve) => release = resolve);
      let holding: () => void = () => {};
      const held = new Promise<void>((resolve) => holding = resolve);
      const holderDone = holder.write(async (tx) => {
        await tx.getPair("p");
        holding();
        await released;
        await tx.insertPair(pairRow("q"));
      });
      await held;

      const failed = assertCode(
        victim.write(async (tx) => {
          await tx.getPair("p");
          await tx.insertPair(pairRow("never"));
        }),
        "STORE_UNAVAILABLE",
      );
      // Wait until the victim is blocked on the pair's lock, then end it.
      let terminated = 0;
      while (terminated === 0) {
        const [row] = await withAdmin(
          url,
          (admin) =>
            admin`SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = ${name} AND wait_event_type = 'Lock'`,
        );
        terminated = Number(row?.n);
      }
      const error = await failed;
      assert.match(error.message, /^Cannot use PostgreSQL at /);
      release();
      await holderDone;

      const pairs = await withAdmin(
        url,
        (admin) =>
          admin.unsafe(`SELECT pair_id FROM "${schema}".pairs ORDER BY 1`),
      );
      assert.deepEqual(pairs.map((row) => row.pair_id), ["p", "q"]);
    } finally {
      await holder.close();
      await victim.close();
      // A connection that was lost mid-query keeps postgres.js 3.4.10 from
      // ending gracefully, so end() waits for its whole timeout.
      await sql.end({ timeout: 1 });
      await drop();
    }
  },
});
