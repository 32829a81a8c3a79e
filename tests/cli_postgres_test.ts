import assert from "node:assert/strict";
import { runCli } from "./support/cli.ts";
import { createTestSchema, POSTGRES_IGNORE } from "./support/postgres.ts";

Deno.test({
  name: "cli works on PostgreSQL from TENANT_PAIR_DB",
  ignore: POSTGRES_IGNORE,
  async fn() {
    const target = await createTestSchema();
    try {
      const env = {
        TENANT_PAIR_DB: target.url,
        TENANT_PAIR_PG_SCHEMA: target.schema,
      };

      const created = await runCli(
        ["pair", "create", "--member-id", "alice", "--json"],
        env,
      );
      assert.equal(created.code, 0, created.stderr);
      assert.equal(created.stderr, "");
      const { pairId, shortCode } = JSON.parse(created.stdout);

      const joined = await runCli(
        ["pair", "accept", "--code", shortCode, "--member-id", "bob"],
        env,
      );
      assert.equal(joined.code, 0, joined.stderr);

      const written = await runCli([
        "state",
        "set",
        "--pair-id",
        pairId,
        "--member-id",
        "bob",
        "--key",
        "dinner",
        "--value",
        '{"dish":"ramen 🍜","serves":2}',
      ], env);
      assert.equal(written.code, 0, written.stderr);

      const read = await runCli(
        ["state", "get", "--pair-id", pairId, "--json"],
        env,
      );
      assert.equal(read.code, 0, read.stderr);
      assert.deepEqual(JSON.parse(read.stdout).state, {
        dinner: { dish: "ramen 🍜", serves: 2 },
      });

      const missing = await runCli(
        ["pair", "show", "--pair-id", "nope"],
        env,
      );
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /^tenant-pair: PAIR_NOT_FOUND: /);
    } finally {
      await target.drop();
    }
  },
});
