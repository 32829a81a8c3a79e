import { DatabaseSync } from "node:sqlite";
import type { SharedStateSnapshot, StateHistoryEntry } from "../mod.ts";
import {
  type BenchCase,
  DEFAULT_SYNCHRONOUS,
  expect,
  openSqliteSubject,
  type SqliteSubject,
} from "./_harness.ts";
import type { Sizes } from "./_sizes.ts";

/** A subject with the one pair that the timed calls read. */
interface TargetState {
  subject: SqliteSubject;
  pairId: string;
  snapshot?: SharedStateSnapshot;
  history?: StateHistoryEntry[];
}

const TARGET_OWNER = "owner-target";
const FILLER_KEYS = 10;
const FILLER_VERSIONS = 10;

/**
 * Writes `rows` shared-state rows into other pairs, 10 keys of 10 versions
 * each per pair, so that the target pair's reads run over a fuller table.
 */
async function writeFiller(subject: SqliteSubject, rows: number) {
  const perPair = FILLER_KEYS * FILLER_VERSIONS;
  let pairId = "";
  for (let r = 0; r < rows; r++) {
    const q = Math.floor(r / perPair);
    if (r % perPair === 0) {
      const created = await subject.tenants.createPair({
        creatorMemberId: `filler-${q}`,
      });
      pairId = created.pairId;
    }
    await subject.tenants.setSharedState(
      pairId,
      `filler-${q}`,
      `key-${r % FILLER_KEYS}`,
      { r },
    );
  }
}

/** Opens a subject with a target pair whose one key has `versions` versions. */
async function openTarget(
  versions: number,
  fillerRows: number,
  keys = 1,
): Promise<TargetState> {
  const subject = await openSqliteSubject(DEFAULT_SYNCHRONOUS);
  const { pairId } = await subject.tenants.createPair({
    creatorMemberId: TARGET_OWNER,
  });
  for (let k = 0; k < keys; k++) {
    for (let v = 1; v <= versions; v++) {
      await subject.tenants.setSharedState(
        pairId,
        TARGET_OWNER,
        keys === 1 ? "key" : `key-${k}`,
        { k, v },
      );
    }
  }
  await writeFiller(subject, fillerRows);
  return { subject, pairId };
}

/** Counts the state rows in the file through a second, read-only connection. */
function countStateRows(path: string): number {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const row = db.prepare("SELECT COUNT(*) AS n FROM state_versions")
      .get() as {
        n: number;
      };
    return row.n;
  } finally {
    db.close();
  }
}

const readSnapshot = async (state: TargetState) => {
  state.snapshot = await state.subject.tenants.getSharedState(state.pairId);
};

/** d: `getSharedState` of a pair with 50 keys. */
function sharedStateCase(sizes: Sizes): BenchCase<TargetState> {
  const keys = sizes.readKeys;
  return {
    id: "d",
    variant: `keys=${keys}`,
    operation: "getSharedState(pair) returning 50 keys",
    kind: "read",
    synchronous: DEFAULT_SYNCHRONOUS,
    calls: sizes.stateReads,
    freshPerPass: false,
    facts: { keys },
    prepare: () => openTarget(1, 0, keys),
    call: readSnapshot,
    verify: (state) => {
      const snapshot = state.snapshot;
      expect(
        snapshot !== undefined &&
          Object.keys(snapshot.state).length === keys &&
          snapshot.version === keys && snapshot.conflicts === 0,
        `the read returned ${keys} keys at revision ${keys}`,
      );
      return Promise.resolve(
        `each read returned ${keys} keys at revision ${keys}`,
      );
    },
    dispose: (state) => state.subject.close(),
  };
}

/** f: `getPairStateHistory` of one key with `versions` versions. */
function historyCase(
  sizes: Sizes,
  versions: number,
  otherRows: number,
): BenchCase<TargetState> {
  return {
    id: "f",
    variant: otherRows === 0
      ? `versions=${versions}`
      : `versions=${versions}, otherRows=${otherRows}`,
    operation:
      `getPairStateHistory(pair, "default", key) returning ${versions} versions`,
    kind: "read",
    synchronous: DEFAULT_SYNCHRONOUS,
    // Calls shrink above 1,000 versions, so each run returns about as many
    // versions as the 1,000-version case does in its 200 calls.
    calls: Math.max(
      1,
      Math.round(sizes.historyReads * Math.min(1, 1_000 / versions)),
    ),
    freshPerPass: false,
    facts: { versions, otherRows },
    prepare: () => openTarget(versions, otherRows),
    call: async (state) => {
      state.history = await state.subject.tenants.getPairStateHistory(
        state.pairId,
        "default",
        "key",
      );
    },
    verify: (state) => {
      const history = state.history ?? [];
      expect(history.length === versions, `history has ${versions} versions`);
      expect(
        history.every((entry, i) => entry.version === i + 1),
        "history lists versions 1 to n in order",
      );
      expect(
        countStateRows(state.subject.path) === versions + otherRows,
        `the database holds ${versions + otherRows} state rows`,
      );
      return Promise.resolve(
        `each read returned versions 1 to ${versions} in order; ${
          versions + otherRows
        } state rows in the file`,
      );
    },
    dispose: (state) => state.subject.close(),
  };
}

/**
 * h and h2: `getSharedState` of a pair with 1 key while the database contains
 * `rows` state rows, in other pairs (h) or as versions of that key (h2).
 */
function scaleCase(
  sizes: Sizes,
  id: "h" | "h2",
  rows: number,
): BenchCase<TargetState> {
  const versions = id === "h" ? 1 : rows;
  return {
    id,
    variant: `rows=${rows}`,
    operation: id === "h"
      ? "getSharedState(target) with 1 key; the other rows in other pairs"
      : "getSharedState(target) with 1 key; every row a version of that key",
    kind: "read",
    synchronous: DEFAULT_SYNCHRONOUS,
    calls: sizes.scaleReads,
    warmupCalls: sizes.scaleWarmupReads,
    freshPerPass: false,
    facts: { rows },
    prepare: () => openTarget(versions, rows - versions),
    call: readSnapshot,
    verify: (state) => {
      const snapshot = state.snapshot;
      const value = snapshot?.state.key as { v: number } | undefined;
      expect(
        snapshot !== undefined && Object.keys(snapshot.state).length === 1 &&
          value?.v === versions && snapshot.version === versions,
        `the read returned 1 key at version ${versions}`,
      );
      expect(
        countStateRows(state.subject.path) === rows,
        `the database holds ${rows} state rows`,
      );
      return Promise.resolve(
        `each read returned 1 key at revision ${versions}; ${rows} state rows in the file`,
      );
    },
    dispose: (state) => state.subject.close(),
  };
}

/** Returns every read workload's cases, grouped by workload id. */
export function readCases(sizes: Sizes): Map<string, BenchCase<unknown>[]> {
  const biggest = Math.max(...sizes.scaleRows);
  return new Map<string, BenchCase<unknown>[]>([
    ["d", [sharedStateCase(sizes)]],
    ["f", [
      ...sizes.historyVersions.map((v) => historyCase(sizes, v, 0)),
      historyCase(sizes, sizes.historyVersionsWithFiller, biggest),
    ]],
    ["h", sizes.scaleRows.map((rows) => scaleCase(sizes, "h", rows))],
    ["h2", sizes.scaleRows.map((rows) => scaleCase(sizes, "h2", rows))],
  ]);
}
