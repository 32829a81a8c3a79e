import postgres from "postgres";
// A named import keeps `Sql` a public type for `deno doc --lint`; the
// `postgres.Sql` form counts as a private reference.
import type { Sql } from "postgres";
import { quote, TenantPairError } from "../errors.ts";
import type { StateChange } from "../types.ts";
import {
  describeServer,
  isRetryable,
  translatePostgresError,
} from "./postgres_errors.ts";
import { beginTransaction, TransactionState } from "./postgres_begin.ts";
import { ChangeListener } from "./postgres_notify.ts";
import { postgresMigrations } from "./postgres_schema.ts";
import type { TransactionContext } from "./postgres_queries.ts";
import { PostgresTransaction } from "./postgres_transaction.ts";
import type { ScrubResult, StoreTransaction, TenantStore } from "./store.ts";

/**
 * The connection of a {@linkcode PostgresTenantStore}: a `postgres://` URL,
 * for a connection pool the store owns, or a postgres.js `Sql` instance that
 * the caller owns and ends.
 */
export type PostgresConnection =
  | { url: string }
  // deno-lint-ignore no-explicit-any
  | { sql: Sql<any> };

/** Options for {@linkcode PostgresTenantStore}. */
export interface PostgresTenantStoreOptions {
  /**
   * The schema for the store's tables, created if missing. It must match
   * `^[a-z_][a-z0-9_]{0,62}$` and not start with `pg_`.
   * @default {"tenant_pair"}
   */
  schema?: string;
}

/** The schema names this store accepts; they never need escaping. */
export const POSTGRES_SCHEMA_PATTERN: RegExp = /^[a-z_][a-z0-9_]{0,62}$/;

/** Maximum runs of one transaction before a serialization failure or deadlock is raised. */
const MAX_ATTEMPTS = 10;

function checkSchema(schema: unknown): string {
  if (
    typeof schema !== "string" || !POSTGRES_SCHEMA_PATTERN.test(schema) ||
    schema.startsWith("pg_")
  ) {
    throw new TenantPairError(
      "INVALID_INPUT",
      `Invalid schema ${
        quote(schema)
      }: must be 1 to 63 lower-case letters, digits and underscores, start with a letter or underscore, and not start with "pg_"; set TENANT_PAIR_PG_SCHEMA to such a name`,
      { details: { field: "schema" } },
    );
  }
  return schema;
}

// deno-lint-ignore no-explicit-any
function openPool(connection: PostgresConnection): postgres.Sql<any> {
  if ("sql" in connection && typeof connection.sql === "function") {
    return connection.sql;
  }
  const url = (connection as { url?: unknown }).url;
  if (typeof url !== "string" || !/^postgres(ql)?:\/\//i.test(url)) {
    throw new TenantPairError(
      "INVALID_INPUT",
      "Invalid connection: give { url } with a postgres:// URL or { sql } with a postgres.js client",
      { details: { field: "connection" } },
    );
  }
  try {
    return postgres(url, {
      max: 10,
      idle_timeout: 60,
      connect_timeout: 10,
      // The library stays silent: postgres.js would print notices to stdout.
      onnotice: () => {},
      connection: { application_name: "tenant-pair" },
    });
  } catch (error) {
    throw new TenantPairError(
      "INVALID_INPUT",
      "Invalid connection URL: postgres.js could not parse it; check its form, postgres://user:password@host:port/database",
      { cause: error, details: { field: "url" } },
    );
  }
}

/**
 * A {@linkcode TenantStore} on PostgreSQL through postgres.js, for many
 * processes and machines sharing one database.
 *
 * Each `write` runs in a READ COMMITTED transaction that takes a
 * transaction-scoped advisory lock per pair it touches. It also locks the
 * head row of each key it writes and the row of an invite it accepts. So
 * per-key versions have no gaps and an invite is accepted once, across
 * processes. Reads run in
 * REPEATABLE READ READ ONLY transactions, which see one snapshot and take
 * no locks. Deadlocks and serialization failures are retried up to 10 times.
 *
 * Changes are sent with `pg_notify` inside the writing transaction and heard
 * through `LISTEN`, so subscribers in every process hear each committed
 * change once.
 *
 * NOTE: Values are stored as `jsonb`, which keeps object keys in its own
 * order (shorter keys first). Values read back are equal as JSON to what was
 * written, but their keys may come in another order than on SQLite.
 * NOTE: A caller-owned `sql` must keep postgres.js's default column names
 * (no `transform`), since rows are read by column name.
 * NOTE: Notifications sent while the listening connection is reconnecting
 * are lost; postgres.js listens again once it is back.
 *
 * @example Open a store from a URL
 * ```ts ignore
 * import { PostgresTenantStore, TenantPair } from "../../mod.ts";
 *
 * const store = new PostgresTenantStore(
 *   { url: "postgres://app@localhost:5432/app" },
 *   { schema: "tenant_pair" },
 * );
 * const tenants = new TenantPair({ store });
 * const { pairId } = await tenants.createPair({ creatorMemberId: "alice" });
 * console.log(pairId);
 * await store.close();
 * ```
 */
export class PostgresTenantStore implements TenantStore {
  /** The engine name. */
  readonly engine: string = "postgres";
  /** The schema holding the tables. */
  readonly schema: string;
  // deno-lint-ignore no-explicit-any
  #sql: postgres.Sql<any>;
  #ownsSql: boolean;
  #target: string;
  #context: Omit<TransactionContext, "writable" | "state">;
  #listener: ChangeListener;
  #opened: Promise<void> | undefined;
  #closed = false;

  /**
   * Checks the options; no connection is made until first use.
   *
   * @throws {TenantPairError} `INVALID_INPUT` for a bad schema name or
   * connection, before any SQL runs.
   */
  constructor(
    connection: PostgresConnection,
    options: PostgresTenantStoreOptions = {},
  ) {
    this.schema = checkSchema(options.schema ?? "tenant_pair");
    this.#ownsSql = !("sql" in connection);
    this.#sql = openPool(connection);
    const parsed = this.#sql.options;
    this.#target = describeServer({
      host: parsed.host?.[0],
      port: parsed.port?.[0],
      path: parsed.path || undefined,
      database: parsed.database,
    });
    this.#context = { schema: this.schema, quoted: `"${this.schema}"` };
    this.#listener = new ChangeListener(this.#sql, this.schema);
  }

  /**
   * Creates the schema and its tables, or migrates them, once per store.
   * Several processes may open one schema at the same time: an advisory
   * lock lets one migrate while the others wait.
   *
   * @throws {TenantPairError} `SCHEMA_TOO_NEW` when a newer release wrote
   * the schema; `STORE_UNAVAILABLE` when the server cannot be used.
   */
  open(): Promise<void> {
    if (this.#closed) return Promise.reject(this.#closedError());
    this.#opened ??= this.#migrate().catch((error) => {
      // A server that was down may be back at the next call.
      this.#opened = undefined;
      throw translatePostgresError(error, this.#target, 1);
    });
    return this.#opened;
  }

  async #migrate(): Promise<void> {
    const { schema, quoted } = this.#context;
    const migrations = postgresMigrations(quoted);
    await this.#sql.begin(async (sql) => {
      await sql.unsafe(
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
        [
          `tenant_pair:${schema}:migrate`,
        ],
      );
      const [found] = await sql.unsafe(
        "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS schema, EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'schema_migrations') AS versioned",
        [schema],
      );
      if (found?.schema !== true) await sql.unsafe(`CREATE SCHEMA ${quoted}`);
      if (found?.versioned !== true) {
        await sql.unsafe(
          `CREATE TABLE ${quoted}.schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
        );
      }
      const [row] = await sql.unsafe(
        `SELECT COALESCE(MAX(version), 0) AS version FROM ${quoted}.schema_migrations`,
      );
      const current = Number(row?.version ?? 0);
      if (current > migrations.length) {
        throw new TenantPairError(
          "SCHEMA_TOO_NEW",
          `Cannot open PostgreSQL schema ${
            quote(schema)
          } at ${this.#target}: its schema version ${current} is newer than ${migrations.length}, the newest this release knows; upgrade tenant-pair`,
          { details: { found: current, supported: migrations.length } },
        );
      }
      for (let i = current; i < migrations.length; i++) {
        await this.#applyMigration(sql, migrations[i] as string, i + 1);
      }
    });
  }

  async #applyMigration(
    sql: postgres.TransactionSql,
    text: string,
    version: number,
  ): Promise<void> {
    const quoted = this.#context.quoted;
    try {
      await sql.unsafe(text).simple();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code !== "42P07" && code !== "42723") throw error;
      throw new TenantPairError(
        "STORE_UNAVAILABLE",
        `Cannot create the tables in PostgreSQL schema ${
          quote(this.schema)
        } at ${this.#target}: ${
          (error as Error).message
        }, so the schema holds other tables; choose an unused schema (TENANT_PAIR_PG_SCHEMA)`,
        { cause: error },
      );
    }
    await sql.unsafe(
      `INSERT INTO ${quoted}.schema_migrations (version) VALUES ($1)`,
      [version],
    );
  }

  /** Runs `fn` in a REPEATABLE READ READ ONLY transaction. */
  async read<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    await this.open();
    return await this.#transact(false, fn);
  }

  /**
   * Runs `fn` in a READ COMMITTED transaction, running it again after a
   * deadlock or serialization failure.
   */
  async write<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    await this.open();
    return await this.#transact(true, fn);
  }

  async #transact<T>(
    writable: boolean,
    fn: (tx: StoreTransaction) => Promise<T>,
  ): Promise<T> {
    const mode = writable
      ? "read write"
      : "isolation level repeatable read read only";
    for (let attempt = 1;; attempt++) {
      this.#assertOpen();
      const context: TransactionContext = {
        ...this.#context,
        writable,
        state: new TransactionState(),
      };
      let tx: PostgresTransaction | undefined;
      try {
        const result = await beginTransaction(
          this.#sql,
          mode,
          context.state,
          async (sql) => {
            tx = new PostgresTransaction(sql, context, this.#listener);
            const value = await fn(tx);
            await tx.sendNotifications();
            return value;
          },
        );
        // Resolve once this store's own subscribers have heard the changes.
        await this.#listener.awaitEchoes(tx?.echoes ?? []);
        return result;
      } catch (error) {
        if (tx !== undefined) this.#listener.forget(tx.echoes);
        if (isRetryable(error) && attempt < MAX_ATTEMPTS) {
          await backoff(attempt);
          continue;
        }
        throw translatePostgresError(error, this.#target, attempt);
      }
    }
  }

  /**
   * Calls `listener` once per committed shared-state change of the pair,
   * made by this or any other process on the same schema. Resolves once
   * `LISTEN` is active.
   *
   * @throws {TenantPairError} `STORE_UNAVAILABLE` when the server cannot be used.
   */
  async subscribe(
    pairId: string,
    listener: (change: StateChange) => void,
  ): Promise<() => Promise<void>> {
    await this.open();
    this.#assertOpen();
    try {
      return await this.#listener.add(pairId, listener);
    } catch (error) {
      throw translatePostgresError(error, this.#target, 1);
    }
  }

  /**
   * PostgreSQL has no step to make deleted bytes unreadable at once: dead
   * rows stay in the table files until `VACUUM` reclaims them and in the
   * write-ahead log until it is recycled. See docs/security.md.
   */
  scrub(): Promise<ScrubResult> {
    return Promise.resolve("unsupported");
  }

  /**
   * Ends the store's connections, or for a caller-owned `sql` stops only
   * this store's `LISTEN`s. Later calls fail with `STORE_UNAVAILABLE`.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsSql) {
      await this.#sql.end({ timeout: 5 });
    } else {
      await this.#listener.close();
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw this.#closedError();
  }

  #closedError(): TenantPairError {
    return new TenantPairError(
      "STORE_UNAVAILABLE",
      `Cannot use PostgreSQL at ${this.#target}: the store is closed; create a new store`,
    );
  }
}

/** Waits a random time that grows with the attempt, so retries spread out. */
function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(250, 5 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}
