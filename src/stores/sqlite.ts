import { DatabaseSync } from "node:sqlite";
import { TenantPairError } from "../errors.ts";
import type { StateChange } from "../types.ts";
import { ChangeHub } from "./change_hub.ts";
import { SQLITE_MIGRATIONS } from "./sqlite_schema.ts";
import { SqliteTransaction, StatementCache } from "./sqlite_transaction.ts";
import type { ScrubResult, StoreTransaction, TenantStore } from "./store.ts";

/** Options for {@linkcode SqliteTenantStore}. */
export interface SqliteTenantStoreOptions {
  /**
   * The database file, created if missing, or `":memory:"`.
   * @default {":memory:"}
   */
  path?: string;
  /**
   * How long a write waits for another process's lock, in milliseconds.
   * @default {5000}
   */
  busyTimeoutMs?: number;
  /**
   * SQLite's `synchronous` setting. `"NORMAL"` may lose the last commits on
   * power loss but never corrupts the file in WAL mode; `"FULL"` syncs every
   * commit.
   * @default {"NORMAL"}
   */
  synchronous?: "NORMAL" | "FULL";
}

const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_READONLY = 8;
const SQLITE_IOERR = 10;
const SQLITE_CORRUPT = 11;
const SQLITE_FULL = 13;
const SQLITE_CANTOPEN = 14;
const SQLITE_NOTADB = 26;

/** Result codes that mean the file cannot be used as this store's database. */
const UNUSABLE_FILE = new Map<number, string>([
  [SQLITE_READONLY, "it is read-only; check its permissions"],
  [SQLITE_IOERR, "reading or writing it failed; check the disk"],
  [SQLITE_CORRUPT, "it is corrupt; restore it from a backup"],
  [SQLITE_CANTOPEN, "it cannot be opened; check the path and permissions"],
  [
    SQLITE_NOTADB,
    "it is not a SQLite database; point TENANT_PAIR_DB elsewhere",
  ],
]);

function sqliteCode(error: unknown): number | undefined {
  const code = (error as { errcode?: unknown } | null)?.errcode;
  if (typeof code === "number") return code & 0xff;
  // Errors from DatabaseSync.exec() carry only the message.
  const message = error instanceof Error ? error.message : "";
  if (/database is locked|database table is locked/.test(message)) {
    return SQLITE_BUSY;
  }
  if (/database or disk is full/.test(message)) return SQLITE_FULL;
  if (/readonly database/.test(message)) return SQLITE_READONLY;
  if (/file is not a database/.test(message)) return SQLITE_NOTADB;
  if (/database disk image is malformed/.test(message)) return SQLITE_CORRUPT;
  if (/unable to open database file/.test(message)) return SQLITE_CANTOPEN;
  if (/disk I\/O error/.test(message)) return SQLITE_IOERR;
  return undefined;
}

/** Turns engine errors callers can act on into {@linkcode TenantPairError}. */
function translate(error: unknown, path: string): unknown {
  if (error instanceof TenantPairError) return error;
  const code = sqliteCode(error);
  const unusable = code === undefined ? undefined : UNUSABLE_FILE.get(code);
  if (unusable !== undefined) {
    return new TenantPairError(
      "STORE_UNAVAILABLE",
      `Cannot use SQLite database ${JSON.stringify(path)}: ${unusable}`,
      { cause: error },
    );
  }
  if (code === SQLITE_BUSY || code === SQLITE_LOCKED) {
    return new TenantPairError(
      "STORE_UNAVAILABLE",
      "Cannot reach the SQLite database: another connection held its lock past the busy timeout; retry, or raise busyTimeoutMs",
      { cause: error },
    );
  }
  if (code === SQLITE_FULL) {
    return new TenantPairError(
      "STORAGE_FULL",
      "Cannot write to the SQLite database: the disk is full; free space and retry",
      { cause: error },
    );
  }
  return error;
}

function checkOptions(options: SqliteTenantStoreOptions): void {
  const invalid = (field: string, rule: string) =>
    new TenantPairError("INVALID_INPUT", `Invalid ${field}: ${rule}`, {
      details: { field },
    });
  if (typeof options !== "object" || options === null) {
    throw invalid("options", "must be an options object");
  }
  const { path, busyTimeoutMs, synchronous } = options;
  if (path !== undefined && (typeof path !== "string" || path === "")) {
    throw invalid("path", 'must be a file path or ":memory:"');
  }
  if (
    busyTimeoutMs !== undefined &&
    !(Number.isSafeInteger(busyTimeoutMs) && busyTimeoutMs >= 0 &&
      busyTimeoutMs <= 600_000)
  ) {
    throw invalid("busyTimeoutMs", "must be a whole number from 0 to 600000");
  }
  if (
    synchronous !== undefined && synchronous !== "NORMAL" &&
    synchronous !== "FULL"
  ) {
    throw invalid("synchronous", 'must be "NORMAL" or "FULL"');
  }
}

/**
 * A {@linkcode TenantStore} on one SQLite file through `node:sqlite`, which
 * Deno 2 and Node 22.5+ build in.
 *
 * The file runs in WAL mode with `secure_delete` on, so erased values are
 * overwritten with zeros. Writes take `BEGIN IMMEDIATE` and wait up to the
 * busy timeout for other processes, so several processes can share a file.
 * Calls from one process run one at a time on the store's one connection.
 *
 * NOTE: Change events reach subscribers in this process only; a write made
 * by another process on the same file is not announced here. Open one store
 * per file in a process: two stores on one file in one process wait on each
 * other's locks while blocking the thread both need, and time out.
 *
 * @example Open a file-backed store
 * ```ts
 * import { SqliteTenantStore, TenantPair } from "../../mod.ts";
 *
 * const store = new SqliteTenantStore({ path: ":memory:" });
 * const tenants = new TenantPair({ store });
 * const { pairId } = await tenants.createPair({ creatorMemberId: "alice" });
 * console.log(pairId);
 * await store.close();
 * ```
 */
export class SqliteTenantStore implements TenantStore {
  /** The engine name. */
  readonly engine: string = "sqlite";
  /** The database file, or `":memory:"`. */
  readonly path: string;
  #db: DatabaseSync;
  #statements: StatementCache;
  #opened: Promise<void> | undefined;
  /** Set once the schema is ready, so calls queue for the lock at once. */
  #migrated = false;
  #hub = new ChangeHub();
  #locked = false;
  #waiters: (() => void)[] = [];
  #closed = false;

  /**
   * Opens the file; the schema is created or migrated on first use.
   *
   * @throws {TenantPairError} `STORE_UNAVAILABLE` when the file cannot be opened.
   */
  constructor(options: SqliteTenantStoreOptions = {}) {
    checkOptions(options);
    this.path = options.path ?? ":memory:";
    try {
      this.#db = new DatabaseSync(this.path);
    } catch (error) {
      throw new TenantPairError(
        "STORE_UNAVAILABLE",
        `Cannot open SQLite database ${JSON.stringify(this.path)}: ${
          (error as Error).message
        }; check that its folder exists and is writable`,
        { cause: error },
      );
    }
    const busy = options.busyTimeoutMs ?? 5000;
    const synchronous = options.synchronous ?? "NORMAL";
    try {
      this.#db.exec(`PRAGMA busy_timeout = ${Math.trunc(busy)}`);
      if (this.path !== ":memory:") this.#db.exec("PRAGMA journal_mode = WAL");
      this.#db.exec(`PRAGMA synchronous = ${synchronous}`);
      this.#db.exec("PRAGMA secure_delete = ON");
    } catch (error) {
      this.#db.close();
      throw translate(error, this.path);
    }
    this.#statements = new StatementCache(this.#db);
  }

  /**
   * Creates or migrates the schema.
   *
   * @throws {TenantPairError} `SCHEMA_TOO_NEW` when a newer release wrote the file.
   */
  open(): Promise<void> {
    this.#opened ??= this.#exclusive(() => Promise.resolve(this.#migrate()))
      .catch((error) => {
        // Let a later call try again, for example once a lock is released.
        this.#opened = undefined;
        throw error;
      });
    return this.#opened;
  }

  #migrate(): void {
    this.#assertOpen();
    try {
      this.#db.exec("BEGIN IMMEDIATE");
    } catch (error) {
      throw translate(error, this.path);
    }
    try {
      const row = this.#db.prepare("PRAGMA user_version").get() as {
        user_version: number;
      };
      const current = row.user_version;
      if (current > SQLITE_MIGRATIONS.length) {
        throw new TenantPairError(
          "SCHEMA_TOO_NEW",
          `Cannot open SQLite database ${
            JSON.stringify(this.path)
          }: its schema version ${current} is newer than ${SQLITE_MIGRATIONS.length}, the newest this release knows; upgrade tenant-pair`,
          { details: { found: current, supported: SQLITE_MIGRATIONS.length } },
        );
      }
      for (let i = current; i < SQLITE_MIGRATIONS.length; i++) {
        this.#db.exec(SQLITE_MIGRATIONS[i] as string);
      }
      this.#db.exec(`PRAGMA user_version = ${SQLITE_MIGRATIONS.length}`);
      this.#db.exec("COMMIT");
      this.#migrated = true;
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      throw translate(error, this.path);
    }
  }

  /** Runs `fn` in a deferred read transaction. */
  async read<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    if (!this.#migrated) await this.open();
    return await this.#exclusive(() => this.#transact("BEGIN", fn));
  }

  /** Runs `fn` in a `BEGIN IMMEDIATE` transaction. */
  async write<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    if (!this.#migrated) await this.open();
    return await this.#exclusive(() => this.#transact("BEGIN IMMEDIATE", fn));
  }

  async #transact<T>(
    begin: "BEGIN" | "BEGIN IMMEDIATE",
    fn: (tx: StoreTransaction) => Promise<T>,
  ): Promise<T> {
    this.#assertOpen();
    try {
      this.#statements.get(begin).run();
    } catch (error) {
      throw translate(error, this.path);
    }
    const tx = new SqliteTransaction(this.#statements);
    let result: T;
    try {
      result = await fn(tx);
      this.#statements.get("COMMIT").run();
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      throw translate(error, this.path);
    }
    for (const change of tx.changes) this.#hub.emit(change);
    return result;
  }

  /** Serialises callers of this process on the one connection. */
  async #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#locked) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    this.#locked = true;
    try {
      return await fn();
    } finally {
      const next = this.#waiters.shift();
      if (next === undefined) this.#locked = false;
      else next();
    }
  }

  /** Hears changes committed through this store object. */
  subscribe(
    pairId: string,
    listener: (change: StateChange) => void,
  ): Promise<() => Promise<void>> {
    this.#assertOpen();
    return Promise.resolve(this.#hub.add(pairId, listener));
  }

  /**
   * Copies the WAL into the main file and truncates the WAL to zero bytes,
   * so deleted values survive in neither.
   */
  async scrub(): Promise<ScrubResult> {
    if (this.path === ":memory:") return "scrubbed";
    return await this.#exclusive(() => {
      const row = this.#db.prepare("PRAGMA wal_checkpoint(TRUNCATE)").get() as
        | { busy: number }
        | undefined;
      return Promise.resolve(row?.busy === 0 ? "scrubbed" : "blocked");
    });
  }

  /** Closes the connection. Later calls fail with `STORE_UNAVAILABLE`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#exclusive(() => {
      this.#closed = true;
      this.#db.close();
      return Promise.resolve();
    });
  }

  #assertOpen(): void {
    if (this.#closed) {
      throw new TenantPairError(
        "STORE_UNAVAILABLE",
        `Cannot use SQLite database ${
          JSON.stringify(this.path)
        }: the store is closed; create a new store`,
      );
    }
  }
}
