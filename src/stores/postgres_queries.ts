import type postgres from "postgres";
import type { TransactionState } from "./postgres_begin.ts";
import { type Row, selectLists } from "./postgres_rows.ts";

/** A query parameter as this store passes it. */
export type Param = string | number | boolean | null;

/** The store settings and attempt state a transaction works with. */
export interface TransactionContext {
  /** The schema name as given. */
  schema: string;
  /** The schema name quoted as an identifier. */
  quoted: string;
  /** Whether the transaction may write and take locks. */
  writable: boolean;
  /** Whether the attempt is still running and its connection alive. */
  state: TransactionState;
}

/**
 * Query helpers and locks shared by the row operations of
 * {@linkcode PostgresTransaction}. Every query runs on the transaction's own
 * connection.
 */
export class PostgresQueries {
  protected readonly sql: postgres.TransactionSql;
  protected readonly context: TransactionContext;
  /** The quoted schema name, to prefix tables and functions. */
  protected readonly s: string;
  protected readonly cols: ReturnType<typeof selectLists>;
  #locks = new Set<string>();
  /** Lock requests sent but not yet awaited. */
  #queued: Promise<unknown>[] = [];

  constructor(sql: postgres.TransactionSql, context: TransactionContext) {
    this.sql = sql;
    this.context = context;
    this.s = context.quoted;
    this.cols = selectLists(context.quoted);
  }

  /** Runs a query after any queued lock requests and returns its result. */
  async #query(
    text: string,
    params: Param[],
  ): Promise<postgres.RowList<Row[]>> {
    const state = this.context.state;
    state.assertUsable();
    const query = this.sql.unsafe<Row[]>(
      text,
      params as postgres.ParameterOrJSON<never>[],
      { prepare: true },
    );
    const queued = this.#queued;
    this.#queued = [];
    try {
      if (queued.length === 0) return await query;
      const [result] = await Promise.all([query, ...queued]);
      return result;
    } catch (error) {
      state.noteFailure(error);
      throw error;
    }
  }

  protected async rows(text: string, params: Param[]): Promise<Row[]> {
    return await this.#query(text, params);
  }

  protected async one(text: string, params: Param[]): Promise<Row | undefined> {
    return (await this.#query(text, params))[0];
  }

  /** Runs a statement and returns how many rows it changed. */
  protected async run(text: string, params: Param[]): Promise<number> {
    return (await this.#query(text, params)).count;
  }

  /** Returns a placeholder that converts milliseconds to `timestamptz`. */
  protected time(index: number): string {
    return `${this.s}.from_millis($${index})`;
  }

  /**
   * Returns a placeholder for a time to compare with. Unlike {@linkcode time} it
   * accepts any integer, such as the minimum safe integer callers pass for
   * "any time".
   */
  protected bound(index: number): string {
    return `${this.s}.bound_millis($${index})`;
  }

  /**
   * Takes a transaction-scoped advisory lock once per transaction; locks are
   * released at commit or rollback. The request is sent at once and awaited
   * with the next query, saving a round trip: the server runs the two in
   * order, so that query's snapshot is taken after the lock is granted.
   */
  protected lock(name: string): Promise<void> {
    try {
      this.context.state.assertUsable();
    } catch (error) {
      return Promise.reject(error);
    }
    if (!this.context.writable || this.#locks.has(name)) {
      return Promise.resolve();
    }
    this.#locks.add(name);
    const request = this.sql.unsafe(
      "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
      [`tenant_pair:${this.context.schema}:${name}`],
      { prepare: true },
    ).execute();
    // A failure surfaces through the next query; this only keeps it from
    // counting as unhandled if the transaction ends first.
    request.catch(() => {});
    this.#queued.push(request);
    return Promise.resolve();
  }

  /**
   * Serialises write transactions on one pair, as SQLite's one writer does
   * for the whole file, so that checks such as "the invite is pending" or
   * "the pair has room" still hold when the write lands. Because the lock is
   * held until commit, event ids within a pair also grow in commit order.
   */
  protected lockPair(pairId: string): Promise<void> {
    return this.lock(`pair:${pairId}`);
  }
}
