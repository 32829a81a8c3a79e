import assert from "node:assert/strict";
import { PostgresTenantStore, TenantPair } from "../mod.ts";
import {
  createTestSchema,
  POSTGRES_IGNORE,
  withAdmin,
} from "./support/postgres.ts";

/** The tables docs/security.md asks operators to rewrite after erasure. */
const TABLES = [
  "state_versions",
  "state_heads",
  "conflict_candidates",
  "members",
  "invites",
  "events",
  "code_failures",
];

/** Lists every file of the schema's tables, their indexes and their TOAST data. */
async function relationFiles(url: string, schema: string): Promise<string[]> {
  return await withAdmin(url, async (sql) => {
    const [setting] = await sql`SHOW data_directory`;
    const rows = await sql`
      SELECT pg_relation_filepath(c.oid) AS path
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ${schema} AND c.relkind IN ('r', 'i')
      UNION ALL
      SELECT pg_relation_filepath(t.oid)
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_class t ON t.oid = c.reltoastrelid
      WHERE n.nspname = ${schema}
      UNION ALL
      SELECT pg_relation_filepath(i.indexrelid)
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_index i ON i.indrelid = c.reltoastrelid
      WHERE n.nspname = ${schema}`;
    return rows.map((row) => `${setting?.data_directory}/${row.path}`);
  });
}

async function filesContain(paths: string[], marker: string): Promise<boolean> {
  const needle = new TextEncoder().encode(marker);
  for (const path of paths) {
    // Tables over 1 GB continue in files ending .1, .2 and so on.
    for (let segment = 0;; segment++) {
      let bytes: Uint8Array;
      try {
        bytes = await Deno.readFile(
          segment === 0 ? path : `${path}.${segment}`,
        );
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) break;
        throw error;
      }
      if (indexOf(bytes, needle) >= 0) return true;
    }
  }
  return false;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i <= haystack.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) {
      if (haystack[i + j] !== needle[j]) continue outer;
    }
    return i;
  }
  return -1;
}

async function dataDirectoryReadable(url: string): Promise<boolean> {
  try {
    const [path] = await relationFiles(url, "pg_catalog");
    return path !== undefined && (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

Deno.test({
  name: "forgetMember() on PostgreSQL plus VACUUM FULL clears the table files",
  ignore: POSTGRES_IGNORE,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const { url, schema, drop } = await createTestSchema();
    const store = new PostgresTenantStore({ url }, { schema });
    try {
      const tenants = new TenantPair({ store });
      const pair = await tenants.createPair({ creatorMemberId: "alice" });
      await tenants.acceptInvite({
        inviteToken: pair.inviteToken,
        memberId: "bob",
      });
      const marker = `erase-me-${crypto.randomUUID()}`;
      await tenants.setMemberPreference(pair.pairId, "bob", "secret", marker);
      const report = await tenants.forgetMember(pair.pairId, "bob");
      assert.equal(report.diskScrubbed, false);

      await t.step({
        name: "the documented VACUUM FULL and CHECKPOINT remove the value",
        // The server's files must be on this machine and readable.
        ignore: !(await dataDirectoryReadable(url)),
        async fn() {
          const before = await relationFiles(url, schema);
          await withAdmin(url, (sql) => sql`CHECKPOINT`);
          assert.ok(
            await filesContain(before, marker),
            "the deleted value should still be in the table files",
          );

          const tables = TABLES.map((table) => `"${schema}".${table}`);
          await withAdmin(url, async (sql) => {
            await sql.unsafe(`VACUUM (FULL) ${tables.join(", ")}`);
            await sql`CHECKPOINT`;
          });

          const after = await relationFiles(url, schema);
          assert.equal(await filesContain(after, marker), false);
        },
      });
    } finally {
      await store.close();
      await drop();
    }
  },
});
