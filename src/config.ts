import { mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { TenantPairError } from "./errors.ts";
import { PostgresTenantStore } from "./stores/postgres.ts";
import { SqliteTenantStore } from "./stores/sqlite.ts";
import type { TenantStore } from "./stores/store.ts";

/** Environment variables as a plain record, such as `process.env`. */
export type Environment = Record<string, string | undefined>;

/** The database that a flag or the environment selects. */
export type DatabaseTarget =
  | { engine: "sqlite"; path: string; isDefault: boolean }
  | { engine: "postgres"; url: string; schema: string };

/**
 * Returns the default SQLite file path: `$XDG_DATA_HOME/tenant-pair/tenant-pair.db`, or
 * `~/.local/share/tenant-pair/tenant-pair.db` when `XDG_DATA_HOME` is unset.
 */
export function defaultDatabasePath(env: Environment): string {
  const base = env.XDG_DATA_HOME !== undefined && env.XDG_DATA_HOME !== ""
    ? env.XDG_DATA_HOME
    : join(env.HOME ?? homedir(), ".local", "share");
  return join(base, "tenant-pair", "tenant-pair.db");
}

/**
 * Picks the database from a flag, then `TENANT_PAIR_DB`, then the older
 * `MCP_TENANT_PAIR_DB`, then the default file.
 */
export function resolveDatabase(
  env: Environment,
  flag?: string,
): DatabaseTarget {
  const given = flag ?? nonEmpty(env.TENANT_PAIR_DB) ??
    nonEmpty(env.MCP_TENANT_PAIR_DB);
  if (given !== undefined && /^postgres(ql)?:\/\//i.test(given)) {
    return {
      engine: "postgres",
      url: given,
      schema: nonEmpty(env.TENANT_PAIR_PG_SCHEMA) ?? "tenant_pair",
    };
  }
  if (given !== undefined) {
    return { engine: "sqlite", path: given, isDefault: false };
  }
  return {
    engine: "sqlite",
    path: defaultDatabasePath(env),
    isDefault: true,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

/**
 * Opens the store for a target, creating the SQLite file's folder if needed,
 * and runs migrations.
 *
 * @throws {TenantPairError} `STORE_UNAVAILABLE` or `SCHEMA_TOO_NEW`.
 */
export async function openStore(target: DatabaseTarget): Promise<TenantStore> {
  if (target.engine === "postgres") {
    const store = new PostgresTenantStore(
      { url: target.url },
      { schema: target.schema },
    );
    try {
      await store.open();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }
  if (target.path !== ":memory:") {
    try {
      mkdirSync(dirname(target.path), { recursive: true });
    } catch (error) {
      throw new TenantPairError(
        "STORE_UNAVAILABLE",
        `Cannot create the folder for ${JSON.stringify(target.path)}: ${
          (error as Error).message
        }; set TENANT_PAIR_DB to a writable path`,
        { cause: error },
      );
    }
  }
  const store = new SqliteTenantStore({ path: target.path });
  await store.open();
  return store;
}

/** Describes a target for logs without the password of a URL. */
export function describeTarget(target: DatabaseTarget): string {
  if (target.engine === "sqlite") return `sqlite:${target.path}`;
  try {
    const url = new URL(target.url);
    if (url.password !== "") url.password = "***";
    return `postgres:${url.toString()} schema ${target.schema}`;
  } catch {
    return "postgres:(unparsable URL)";
  }
}
