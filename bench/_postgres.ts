import postgres from "postgres";
import { openStore, resolveDatabase } from "../src/config.ts";
import { type BenchCase, expect } from "./_harness.ts";
import type { ProcessTargetFactory } from "./_processes.ts";
import type { Sizes } from "./_sizes.ts";

/** PostgreSQL cases to run, or why they are skipped. */
export type PostgresPlan =
  | { factory: ProcessTargetFactory; url: string; status: string }
  | { factory: null; status: string };

const STORE_PATH = new URL("../src/stores/postgres.ts", import.meta.url);

function schemaName(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  const suffix = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(
    "",
  );
  return `tenant_pair_bench_${suffix}`;
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await sql.end();
  }
}

interface RawState {
  sql: postgres.Sql;
  schema: string;
}

/**
 * Returns the PostgreSQL reference: single-row inserts into a 4-column table through
 * postgres.js (prepared by the driver), each in its own autocommit
 * transaction, on the server's own settings.
 */
export function postgresRawCase(
  url: string,
  sizes: Sizes,
): BenchCase<RawState> {
  return {
    id: "raw",
    variant: "engine=postgres, one transaction per insert",
    operation: "prepared INSERT into a 4-column table, autocommit",
    kind: "write",
    engine: "postgres",
    synchronous: null,
    calls: sizes.postgresRawInserts,
    freshPerPass: true,
    facts: { transactionPerInsert: 1 },
    prepare: async () => {
      const schema = schemaName();
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      await sql.unsafe(`CREATE SCHEMA "${schema}"`);
      await sql.unsafe(
        `CREATE TABLE "${schema}".raw (id bigserial PRIMARY KEY, key text NOT NULL, value text NOT NULL, at bigint NOT NULL)`,
      );
      return { sql, schema };
    },
    call: async ({ sql, schema }, i) => {
      await sql`INSERT INTO ${
        sql(schema)
      }.raw (key, value, at) VALUES (${`key-${i}`}, ${`value-${i}`}, ${i})`;
    },
    verify: async ({ sql, schema }, calls) => {
      const [row] = await sql`SELECT count(*)::int AS n FROM ${
        sql(schema)
      }.raw`;
      expect(row?.n === calls, `the raw table holds ${calls} rows`);
      return `the table holds ${calls} rows`;
    },
    dispose: async ({ sql, schema }) => {
      try {
        await sql.unsafe(`DROP SCHEMA "${schema}" CASCADE`);
      } finally {
        await sql.end();
      }
    },
  };
}

/**
 * Returns targets that give each pass its own schema in the database at
 * `url`, dropped afterwards, so no pass reads another's rows.
 */
function postgresFactory(url: string): ProcessTargetFactory {
  return () => {
    const schema = schemaName();
    return Promise.resolve({
      engine: "postgres",
      env: { TENANT_PAIR_DB: url, TENANT_PAIR_PG_SCHEMA: schema },
      dispose: () => dropSchema(url, schema),
    });
  };
}

/**
 * Decides whether the PostgreSQL cases can run: they need
 * `TENANT_PAIR_TEST_PG_URL` and a PostgreSQL store that `openStore` opens.
 */
export async function planPostgres(): Promise<PostgresPlan> {
  const url = Deno.env.get("TENANT_PAIR_TEST_PG_URL");
  if (url === undefined || url === "") {
    return {
      factory: null,
      status: "not measured: TENANT_PAIR_TEST_PG_URL is unset",
    };
  }
  try {
    await Deno.stat(STORE_PATH);
  } catch {
    return {
      factory: null,
      status: "not measured: src/stores/postgres.ts is missing",
    };
  }
  const factory = postgresFactory(url);
  const probe = await factory();
  try {
    const store = await openStore(resolveDatabase(probe.env));
    await store.close();
  } catch (error) {
    return {
      factory: null,
      status: `not measured: cannot open the PostgreSQL store: ${
        (error as Error).message
      }`,
    };
  } finally {
    await probe.dispose();
  }
  return { factory, url, status: "measured" };
}
