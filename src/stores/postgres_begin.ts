import type postgres from "postgres";
import { TenantPairError } from "../errors.ts";

/** SQLSTATE and client codes that mean a connection is gone or going. */
const CONNECTION_LOST = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_DESTROYED",
  "CONNECTION_ENDED",
  "ECONNRESET",
  "EPIPE",
  "57P01", // admin_shutdown, also sent by pg_terminate_backend
  "57P02", // crash_shutdown
]);

/** Checks whether an error means the query's connection is lost. */
export function isConnectionLost(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" &&
    (CONNECTION_LOST.has(code) || code.startsWith("08"));
}

/**
 * The life of one transaction attempt, shared by the store and the
 * transaction's queries.
 */
export class TransactionState {
  /** Set once the attempt committed, rolled back or was given up. */
  ended = false;
  /** Set once a query saw the connection fail. */
  lost = false;
  /** Rejects with the connection error once a query receives it. */
  readonly lostSignal: Promise<never>;
  #rejectLost: (error: unknown) => void = () => {};

  constructor() {
    this.lostSignal = new Promise<never>((_, reject) => {
      this.#rejectLost = reject;
    });
    this.lostSignal.catch(() => {});
  }

  /** Records a failed query; connection errors end the attempt at once. */
  noteFailure(error: unknown): void {
    if (this.lost || !isConnectionLost(error)) return;
    this.lost = true;
    this.#rejectLost(error);
  }

  /** Throws when no query may be sent any more. */
  assertUsable(): void {
    if (this.ended || this.lost) {
      throw new TenantPairError(
        "STORE_UNAVAILABLE",
        "Cannot run a query: its transaction already ended, for example because the connection was lost; run the whole operation again",
      );
    }
  }
}

/**
 * Runs `work` in `sql.begin(mode, …)` without ever sending a statement on a
 * connection that was lost.
 *
 * postgres.js (3.4.10) sends ROLLBACK or COMMIT when the callback settles,
 * even after the connection closed. On a closed socket that throws outside
 * any promise and ends the process. On a connection object the pool has
 * meanwhile reconnected, the statement would run outside the transaction.
 * So once a query sees the connection fail, the callback is left pending
 * and this function rejects with that error instead. When the connection
 * closes between queries, postgres.js rejects `begin()` itself.
 */
export async function beginTransaction<T>(
  // deno-lint-ignore no-explicit-any
  sql: postgres.Sql<any>,
  mode: string,
  state: TransactionState,
  work: (sql: postgres.TransactionSql) => Promise<T>,
): Promise<T> {
  const begun = sql.begin(
    mode,
    (transaction) =>
      new Promise<T>((resolve, reject) => {
        work(transaction).then(
          (value) => {
            if (!state.lost && !state.ended) resolve(value);
          },
          (error) => {
            if (!state.lost && !state.ended) reject(error);
          },
        );
      }),
  ) as Promise<T>;
  begun.catch(() => {});
  try {
    return await Promise.race([begun, state.lostSignal]);
  } finally {
    state.ended = true;
  }
}
