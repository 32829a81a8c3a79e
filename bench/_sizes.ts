/** How much work each workload does; the full set is the published shape. */
export interface Sizes {
  /** Timed runs after the warm-up pass. */
  runs: number;
  /** a: `createPair` calls. */
  createPairs: number;
  /** b: pairs whose first invite is accepted. */
  acceptPairs: number;
  /** c: pairs written to, and `setSharedState` calls. */
  writePairs: number;
  sharedWrites: number;
  /** d: keys in the pair read, and `getSharedState` calls. */
  readKeys: number;
  stateReads: number;
  /** e: pairs, and preference write-and-read operations. */
  preferencePairs: number;
  preferenceOps: number;
  /**
   * f: versions of the key read, per case, and history calls; cases above
   * 1,000 versions make proportionally fewer calls.
   */
  historyVersions: number[];
  historyReads: number;
  /** f: versions of the key in the case that adds filler rows elsewhere. */
  historyVersionsWithFiller: number;
  /** g: pairs, keys per pair and stale candidates per key. */
  conflictPairs: number;
  conflictKeys: number;
  conflictCandidates: number;
  /** h and h2: state rows in the database, per case. */
  scaleRows: number[];
  scaleWarmupReads: number;
  scaleReads: number;
  /** raw: inserts with one transaction each, and inserts in one transaction. */
  rawEach: number;
  rawBatch: number;
  /** raw: inserts in the short pass run before each timed write pass. */
  rawPaired: number;
  /** MCP: server starts, and round trips of each tool. */
  mcpStarts: number;
  mcpRoundTrips: number;
  mcpWarmupRoundTrips: number;
  /** Multi-process workloads: `setSharedState` calls per process. */
  processWrites: number;
  /** The same on PostgreSQL, where each commit waits for a WAL flush. */
  postgresProcessWrites: number;
  /** PostgreSQL reference: autocommit inserts through postgres.js. */
  postgresRawInserts: number;
}

/** The workload shapes that published figures use. */
export const FULL_SIZES: Sizes = {
  runs: 5,
  createPairs: 5_000,
  acceptPairs: 5_000,
  writePairs: 100,
  sharedWrites: 10_000,
  readKeys: 50,
  stateReads: 5_000,
  preferencePairs: 50,
  preferenceOps: 5_000,
  historyVersions: [10, 1_000, 10_000],
  historyReads: 200,
  historyVersionsWithFiller: 1_000,
  conflictPairs: 100,
  conflictKeys: 10,
  conflictCandidates: 20,
  scaleRows: [1, 1_000, 100_000],
  scaleWarmupReads: 2_000,
  scaleReads: 10_000,
  rawEach: 20_000,
  rawBatch: 200_000,
  rawPaired: 2_000,
  mcpStarts: 10,
  mcpRoundTrips: 1_000,
  mcpWarmupRoundTrips: 100,
  processWrites: 2_000,
  postgresProcessWrites: 100,
  postgresRawInserts: 500,
};

/** Tiny counts so a check that the runner still works takes seconds. */
export const QUICK_SIZES: Sizes = {
  runs: 2,
  createPairs: 20,
  acceptPairs: 20,
  writePairs: 5,
  sharedWrites: 100,
  readKeys: 50,
  stateReads: 20,
  preferencePairs: 5,
  preferenceOps: 100,
  historyVersions: [10, 30],
  historyReads: 5,
  historyVersionsWithFiller: 30,
  conflictPairs: 3,
  conflictKeys: 10,
  conflictCandidates: 3,
  scaleRows: [1, 250],
  scaleWarmupReads: 10,
  scaleReads: 20,
  rawEach: 50,
  rawBatch: 500,
  rawPaired: 20,
  mcpStarts: 2,
  mcpRoundTrips: 10,
  mcpWarmupRoundTrips: 2,
  processWrites: 20,
  postgresProcessWrites: 5,
  postgresRawInserts: 10,
};
