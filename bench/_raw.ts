import { join } from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import {
  type BenchCase,
  expect,
  makeBenchDir,
  type Synchronous,
} from "./_harness.ts";
import type { Sizes } from "./_sizes.ts";

/** Busy timeout that `SqliteTenantStore` uses by default, in milliseconds. */
const BUSY_TIMEOUT_MS = 5000;

interface RawState {
  dir: string;
  db: DatabaseSync;
  insert: StatementSync;
}

/**
 * Opens a 4-column table with the pragmas `SqliteTenantStore` sets: WAL,
 * the given `synchronous`, its busy timeout and `secure_delete`.
 */
async function openRaw(synchronous: Synchronous): Promise<RawState> {
  const dir = await makeBenchDir();
  const db = new DatabaseSync(join(dir, "raw.db"));
  db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec(`PRAGMA synchronous = ${synchronous}`);
  db.exec("PRAGMA secure_delete = ON");
  db.exec(
    "CREATE TABLE raw (id INTEGER PRIMARY KEY, key TEXT NOT NULL, value TEXT NOT NULL, at INTEGER NOT NULL)",
  );
  const insert = db.prepare(
    "INSERT INTO raw (key, value, at) VALUES (?, ?, ?)",
  );
  return { dir, db, insert };
}

function verifyRaw(state: RawState, calls: number): Promise<string> {
  const row = state.db.prepare("SELECT COUNT(*) AS n FROM raw").get() as {
    n: number;
  };
  expect(row.n === calls, `the raw table holds ${calls} rows`);
  return Promise.resolve(`the table holds ${calls} rows`);
}

async function closeRaw(state: RawState): Promise<void> {
  state.db.close();
  await Deno.remove(state.dir, { recursive: true });
}

/**
 * Returns a short run of raw inserts, one transaction each, that the runner places
 * right before each timed pass of a write workload.
 */
export function pairedRawCase(
  sizes: Sizes,
  synchronous: Synchronous,
): BenchCase<unknown> {
  const [each] = rawCases(sizes, synchronous);
  return { ...each as BenchCase<unknown>, calls: sizes.rawPaired };
}

/**
 * Returns the physical reference: prepared inserts through `node:sqlite`, each in
 * its own (autocommit) transaction, and all in one transaction.
 */
export function rawCases(
  sizes: Sizes,
  synchronous: Synchronous,
): BenchCase<unknown>[] {
  const each: BenchCase<RawState> = {
    id: "raw",
    variant: `one transaction per insert, synchronous=${synchronous}`,
    operation: "prepared INSERT into a 4-column table, autocommit",
    kind: "write",
    synchronous,
    calls: sizes.rawEach,
    freshPerPass: true,
    facts: { transactionPerInsert: 1 },
    prepare: () => openRaw(synchronous),
    callSync: (state, i) => {
      state.insert.run(`key-${i}`, `value-${i}`, i);
    },
    verify: verifyRaw,
    dispose: closeRaw,
  };
  const batch: BenchCase<RawState> = {
    id: "raw",
    variant: `all in one transaction, synchronous=${synchronous}`,
    operation: "prepared INSERT into a 4-column table, one BEGIN … COMMIT",
    kind: "write",
    synchronous,
    calls: sizes.rawBatch,
    freshPerPass: true,
    facts: { transactionPerInsert: 0 },
    prepare: () => openRaw(synchronous),
    // BEGIN and COMMIT fall inside the first and last call, so the timed loop
    // covers the whole transaction.
    callSync: (state, i) => {
      if (i === 0) state.db.exec("BEGIN IMMEDIATE");
      state.insert.run(`key-${i}`, `value-${i}`, i);
      if (i === sizes.rawBatch - 1) state.db.exec("COMMIT");
    },
    verify: verifyRaw,
    dispose: closeRaw,
  };
  return [each, batch];
}
