import type {
  HeadRow,
  StateScope,
  StoreTransaction,
  VersionRow,
} from "./stores/store.ts";
import { OPEN_END } from "./stores/store.ts";
import type { JsonValue } from "./types.ts";

/** One new version to append to a key. */
export interface NewVersion {
  scope: StateScope;
  key: string;
  value: JsonValue;
  deleted: boolean;
  shared: boolean;
  writtenBy: string;
  /** When the value starts to hold; defaults to the recorded time. */
  validFrom: number | undefined;
  /** The caller's clock reading. */
  now: number;
  resolution: "won" | null;
  /** The key's head when the caller has already read it in this transaction. */
  head?: { row: HeadRow | undefined };
}

/**
 * Appends the next version of a key and keeps the known valid times tiled.
 *
 * Versions come from the key's head, which the store locks, so they grow by
 * one without gaps. The recorded time never goes below the key's latest one,
 * so a clock that steps backwards cannot produce `validTo < validFrom`.
 *
 * The row whose known validity contains the new `validFrom` is cut there:
 * its `validTo` becomes the new `validFrom` and its `supersededAt` the
 * recorded time. The new row is valid until that old row's end, or until the
 * next later `validFrom`, so a backdated write covers only the gap it falls
 * in. Reads as of an earlier `knownAt` ignore these cuts and rebuild the
 * timeline from `validFrom` and `recordedAt` alone.
 */
export async function appendVersion(
  tx: StoreTransaction,
  input: NewVersion,
): Promise<VersionRow> {
  const { scope, key } = input;
  const head = input.head === undefined
    ? await tx.getHead(scope, key)
    : input.head.row;
  const recordedAt = Math.max(input.now, head?.lastRecordedAt ?? input.now);
  const validFrom = input.validFrom ?? recordedAt;
  const version = (head?.version ?? 0) + 1;

  const covering = await tx.findCoveringRow(scope, key, validFrom);
  let validTo: number;
  if (covering !== undefined) {
    validTo = covering.validTo;
    await tx.closeRow(scope, key, covering.version, validFrom, recordedAt);
  } else {
    validTo = (await tx.findNextValidFrom(scope, key, validFrom)) ?? OPEN_END;
  }

  const row: VersionRow = {
    pairId: scope.pairId,
    space: scope.space,
    scopeId: scope.scopeId,
    key,
    version,
    value: input.deleted ? null : input.value,
    deleted: input.deleted,
    shared: input.shared,
    writtenBy: input.writtenBy,
    validFrom,
    validTo,
    recordedAt,
    supersededAt: null,
    resolution: input.resolution,
  };
  await tx.insertVersion(row);
  await tx.putHead(scope, key, { version, lastRecordedAt: recordedAt });
  return row;
}

/**
 * Reads the rows valid at `validAt`: from the stored current timeline, or,
 * with `knownAt`, rebuilt from what was recorded by then.
 */
export async function readRows(
  tx: StoreTransaction,
  scope: StateScope,
  validAt: number,
  knownAt: number | undefined,
  keys: readonly string[] | undefined,
): Promise<VersionRow[]> {
  return knownAt === undefined
    ? await tx.readCurrent(scope, validAt, keys)
    : await tx.readAsOf(scope, validAt, knownAt, keys);
}

/**
 * Sets an own, enumerable property. Unlike assignment it never reaches a
 * prototype setter, so a key named `__proto__` stays an ordinary key.
 */
export function setOwn<T>(
  target: Record<string, T>,
  key: string,
  value: T,
): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** Maps rows to key → value, leaving tombstones out. */
export function toValueMap(rows: VersionRow[]): Record<string, JsonValue> {
  const values: Record<string, JsonValue> = {};
  for (const row of rows) {
    if (!row.deleted) setOwn(values, row.key, row.value);
  }
  return values;
}
