import { join } from "node:path";
import { SqliteTenantStore, TenantPair } from "../mod.ts";
import {
  mergeSorted,
  percentile,
  round,
  type Spread,
  spread,
} from "./_stats.ts";

/** SQLite's `synchronous` levels that the store accepts. */
export type Synchronous = "NORMAL" | "FULL";

/** Database engines the cases run on. */
export type Engine = "sqlite" | "postgres";

/** The level `SqliteTenantStore` uses when none is given. */
export const DEFAULT_SYNCHRONOUS: Synchronous = "NORMAL";

/**
 * One measured line of the report: a workload at one setting, such as
 * workload c at `synchronous=FULL`.
 */
export interface BenchCase<S> {
  /** Workload id, such as `"c"`. */
  id: string;
  /** Setting that distinguishes this case from others of its workload. */
  variant: string;
  /** The timed call as a reader would write it. */
  operation: string;
  /** Write workloads are compared with the raw insert rate. */
  kind: "write" | "read";
  /** The database engine; `"sqlite"` when unset. */
  engine?: Engine;
  /** The store's `synchronous` level, for SQLite cases. */
  synchronous: Synchronous | null;
  /** Calls per timed run. */
  calls: number;
  /** Calls in the discarded warm-up pass; `calls` when unset. */
  warmupCalls?: number;
  /**
   * Gives every pass its own new database. Write workloads need this so each
   * run starts from the same state; read workloads share one setup.
   */
  freshPerPass: boolean;
  /** Sizes worth reporting, such as the number of state rows. */
  facts?: Record<string, number>;
  /** Creates a temporary database and fills it; never timed. */
  prepare(): Promise<S>;
  /** One timed call; awaited before the next starts. */
  call?(state: S, index: number): Promise<unknown>;
  /** One timed call that completes synchronously, for the raw reference. */
  callSync?(state: S, index: number): void;
  /**
   * Checks the database after `calls` calls and describes what it checked.
   * Throws when a count or value is wrong.
   */
  verify(state: S, calls: number): Promise<string>;
  /** Closes and removes what `prepare` made. */
  dispose(state: S): Promise<void>;
  /** Removes what the case keeps across passes, after the last pass. */
  cleanup?(): Promise<void>;
}

/** Figures of one case, as written to the JSON report. */
export interface CaseResult {
  id: string;
  variant: string;
  operation: string;
  kind: "write" | "read";
  engine: Engine;
  synchronous: Synchronous | null;
  calls: number;
  runs: number;
  /** Calls per second over each run's timed loop. */
  opsPerSecond: Spread & { perRun: number[] };
  /** Latency of single calls, pooled over all timed runs. */
  latencyMs: { p50: number; p99: number };
  /**
   * Median rate over the raw one-transaction-per-insert rate of the same
   * engine and `synchronous` level: the paired passes' rate where they ran,
   * else the standalone raw case's.
   */
  ratioToRaw: number | null;
  /** Raw insert passes run right before each timed pass, when any ran. */
  pairedRawOpsPerSecond: Spread | null;
  facts: Record<string, number>;
  /** Description of the counts the check after each run confirmed. */
  verified: string;
}

/** Timing of one pass: the loop's length and each call's latency. */
interface LoopTiming {
  seconds: number;
  latencies: Float64Array;
}

// One clock reading per call: a call's latency runs from the end of the
// previous call to its own end, so the loop's overhead is counted too.
async function timeLoop<S>(
  benchCase: BenchCase<S>,
  state: S,
  calls: number,
): Promise<LoopTiming> {
  const latencies = new Float64Array(calls);
  const call = benchCase.call;
  const callSync = benchCase.callSync;
  const start = performance.now();
  let last = start;
  if (callSync !== undefined) {
    for (let i = 0; i < calls; i++) {
      callSync(state, i);
      const now = performance.now();
      latencies[i] = now - last;
      last = now;
    }
  } else if (call !== undefined) {
    for (let i = 0; i < calls; i++) {
      await call(state, i);
      const now = performance.now();
      latencies[i] = now - last;
      last = now;
    }
  } else {
    throw new Error(`Case ${benchCase.id} defines neither call nor callSync`);
  }
  return { seconds: (last - start) / 1000, latencies };
}

async function runPass<S>(
  benchCase: BenchCase<S>,
  state: S,
  calls: number,
): Promise<LoopTiming & { verified: string }> {
  const timing = await timeLoop(benchCase, state, calls);
  const verified = await benchCase.verify(state, calls);
  return { ...timing, verified };
}

/** Runs one pass of a fresh-per-pass case and returns its rate. */
async function rateOf<S>(benchCase: BenchCase<S>): Promise<number> {
  const state = await benchCase.prepare();
  try {
    const result = await runPass(benchCase, state, benchCase.calls);
    return benchCase.calls / result.seconds;
  } finally {
    await benchCase.dispose(state);
  }
}

/** Rates, latencies and checks collected by the timed passes of one case. */
interface Tally {
  rates: number[];
  referenceRates: number[];
  latencies: Float64Array[];
  verified: string;
}

function newTally(): Tally {
  return { rates: [], referenceRates: [], latencies: [], verified: "" };
}

function callsFor<S>(benchCase: BenchCase<S>, pass: number): number {
  return pass === 0
    ? benchCase.warmupCalls ?? benchCase.calls
    : benchCase.calls;
}

/** Runs one pass on `state` and adds it to the tally unless it is the warm-up. */
async function recordPass<S>(
  benchCase: BenchCase<S>,
  state: S,
  pass: number,
  tally: Tally,
): Promise<void> {
  const calls = callsFor(benchCase, pass);
  const result = await runPass(benchCase, state, calls);
  tally.verified = result.verified;
  if (pass === 0) return;
  tally.rates.push(calls / result.seconds);
  tally.latencies.push(result.latencies);
}

/**
 * Runs a case: one discarded warm-up pass, then `runs` timed passes, each
 * checked afterwards. With a `reference`, one pass of it runs right before
 * each timed pass, and the ratio of the median rates is stored, so drift in
 * the machine's speed during the run touches both sides alike.
 */
export async function measure<S, R>(
  benchCase: BenchCase<S>,
  runs: number,
  reference?: BenchCase<R>,
): Promise<CaseResult> {
  const tally = newTally();
  const shared = benchCase.freshPerPass ? null : await benchCase.prepare();

  try {
    for (let pass = 0; pass <= runs; pass++) {
      if (pass > 0 && reference !== undefined) {
        tally.referenceRates.push(await rateOf(reference));
      }
      const state = shared ?? await benchCase.prepare();
      try {
        await recordPass(benchCase, state, pass, tally);
      } finally {
        if (shared === null) await benchCase.dispose(state);
      }
    }
  } finally {
    if (shared !== null) await benchCase.dispose(shared);
    await benchCase.cleanup?.();
  }
  return summarize(benchCase, runs, tally);
}

/**
 * Runs cases that share one setup each (read workloads) in turn: first every
 * case's warm-up, then pass 1 of each case, then pass 2, and so on. Cases
 * compared with each other, such as one read at 1 and at 100,000 rows, so
 * see the same moments of a noisy machine.
 */
export async function measureGroup(
  cases: BenchCase<unknown>[],
  runs: number,
): Promise<CaseResult[]> {
  const states: unknown[] = [];
  const tallies = cases.map(newTally);
  try {
    for (const benchCase of cases) {
      if (benchCase.freshPerPass) {
        throw new Error(`Case ${benchCase.id} needs a new database per pass`);
      }
      states.push(await benchCase.prepare());
    }
    for (let pass = 0; pass <= runs; pass++) {
      for (const [k, benchCase] of cases.entries()) {
        await recordPass(benchCase, states[k], pass, tallies[k] as Tally);
      }
    }
  } finally {
    for (const [k, state] of states.entries()) {
      await cases[k]?.dispose(state);
    }
    for (const benchCase of cases) await benchCase.cleanup?.();
  }
  return cases.map((benchCase, k) =>
    summarize(benchCase, runs, tallies[k] as Tally)
  );
}

function summarize<S>(
  benchCase: BenchCase<S>,
  runs: number,
  tally: Tally,
): CaseResult {
  const sorted = mergeSorted(tally.latencies);
  const rate = spread(tally.rates);
  const referenceRate = tally.referenceRates.length === 0
    ? null
    : spread(tally.referenceRates);
  return {
    id: benchCase.id,
    variant: benchCase.variant,
    operation: benchCase.operation,
    kind: benchCase.kind,
    engine: benchCase.engine ?? "sqlite",
    synchronous: benchCase.synchronous,
    calls: benchCase.calls,
    runs,
    opsPerSecond: {
      min: round(rate.min),
      median: round(rate.median),
      max: round(rate.max),
      perRun: tally.rates.map((value) => round(value)),
    },
    latencyMs: {
      p50: round(percentile(sorted, 50)),
      p99: round(percentile(sorted, 99)),
    },
    ratioToRaw: referenceRate === null
      ? null
      : round(rate.median / referenceRate.median, 3),
    pairedRawOpsPerSecond: referenceRate === null ? null : {
      min: round(referenceRate.min),
      median: round(referenceRate.median),
      max: round(referenceRate.max),
    },
    facts: benchCase.facts ?? {},
    verified: tally.verified,
  };
}

/** A `TenantPair` on a new SQLite file in a new temporary folder. */
export interface SqliteSubject {
  tenants: TenantPair;
  store: SqliteTenantStore;
  /** The database file. */
  path: string;
  /** Closes the store and removes the folder. */
  close(): Promise<void>;
}

/** Makes a temporary folder for one benchmark database. */
export async function makeBenchDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "tenant-pair-bench-" });
}

/**
 * Opens a `TenantPair` on a new SQLite file (WAL) in a new temporary folder.
 * With `copyOf`, the file starts as a copy of that closed database file.
 */
export async function openSqliteSubject(
  synchronous: Synchronous = DEFAULT_SYNCHRONOUS,
  copyOf?: string,
): Promise<SqliteSubject> {
  const dir = await makeBenchDir();
  const path = join(dir, "bench.db");
  if (copyOf !== undefined) await Deno.copyFile(copyOf, path);
  const store = new SqliteTenantStore({ path, synchronous });
  await store.open();
  return {
    tenants: new TenantPair({ store }),
    store,
    path,
    close: async () => {
      await store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** A database built once and copied for every pass that needs it. */
export interface Template<T> {
  /** Opens a copy, with what the build returned. */
  open(synchronous: Synchronous): Promise<{ subject: SqliteSubject; data: T }>;
  /** Removes the built database. */
  remove(): Promise<void>;
}

/**
 * Builds a database on first use, at the default `synchronous` level, and
 * hands out copies. Write workloads whose setup is slow (thousands of pairs
 * or conflicts) start every pass from a copy, so each pass starts from the
 * same rows without paying for the setup again.
 */
export function templateOf<T>(
  build: (tenants: TenantPair) => Promise<T>,
): Template<T> {
  let built: Promise<{ dir: string; path: string; data: T }> | undefined;
  const make = async () => {
    const dir = await makeBenchDir();
    const path = join(dir, "template.db");
    const store = new SqliteTenantStore({ path });
    const data = await build(new TenantPair({ store }));
    // Closing the only connection checkpoints the WAL into the file and
    // deletes the WAL, so the file alone contains every row.
    await store.close();
    return { dir, path, data };
  };
  return {
    open: async (synchronous) => {
      built ??= make();
      const { path, data } = await built;
      return { subject: await openSqliteSubject(synchronous, path), data };
    },
    remove: async () => {
      if (built === undefined) return;
      const { dir } = await built;
      built = undefined;
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Throws with `message` unless `condition` holds. */
export function expect(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`Benchmark check failed: ${message}`);
}

const encoder = new TextEncoder();

/** Writes a progress line to stderr, keeping stdout for the report. */
export function progress(line: string): void {
  Deno.stderr.writeSync(encoder.encode(`${line}\n`));
}
