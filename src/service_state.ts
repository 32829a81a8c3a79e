import { appendVersion, readRows, setOwn, toValueMap } from "./bitemporal.ts";
import type { ServiceContext } from "./context.ts";
import { quote, TenantPairError } from "./errors.ts";
import { requireActiveMember, requirePair } from "./membership.ts";
import { createId } from "./invites.ts";
import {
  candidateToEntry,
  toPreferenceEntry,
  toStateEntry,
} from "./records.ts";
import {
  checkJsonValue,
  expectedVersionSchema,
  idSchema,
  keySchema,
  keysSchema,
  optionsObject,
  parseField,
  parseOptional,
  timeSchema,
  toIso,
  toMillis,
} from "./schemas.ts";
import type { CandidateRow, StateScope } from "./stores/store.ts";
import type {
  DeleteSharedStateOptions,
  DeleteSharedStateResult,
  GetSharedStateOptions,
  JsonValue,
  MemberConstraintsOptions,
  PairConstraintsOptions,
  PreferenceHistoryEntry,
  SetPreferenceOptions,
  SetPreferenceResult,
  SetSharedStateOptions,
  SetSharedStateResult,
  SharedStateSnapshot,
  StateHistoryEntry,
} from "./types.ts";

/** The namespace used when a caller names none. */
export const DEFAULT_NAMESPACE = "default";

/** Accepts a namespace string where older callers pass one instead of options. */
export function namespaceOptions<T extends { namespace?: string }>(
  options: T | string | undefined,
): T {
  if (typeof options === "string") return { namespace: options } as T;
  return optionsObject(options);
}

export function parseNamespace(value: unknown): string {
  return parseOptional(idSchema, value, "namespace") ?? DEFAULT_NAMESPACE;
}

function parseTime(value: unknown, field: string): number | undefined {
  const time = parseOptional(timeSchema, value, field);
  return time === undefined ? undefined : toMillis(time);
}

function memberScope(pairId: string, memberId: string): StateScope {
  return { pairId, space: "member", scopeId: memberId };
}

export function pairScope(pairId: string, namespace: string): StateScope {
  return { pairId, space: "pair", scopeId: namespace };
}

/** Writes a new version of one of a member's private preferences. */
export async function setMemberPreference(
  ctx: ServiceContext,
  args: {
    pairId: unknown;
    memberId: unknown;
    key: unknown;
    value: unknown;
    options: SetPreferenceOptions | undefined;
  },
): Promise<SetPreferenceResult> {
  const pairId = parseField(idSchema, args.pairId, "pairId");
  const memberId = parseField(idSchema, args.memberId, "memberId");
  const key = parseField(keySchema, args.key, "key");
  const value = checkJsonValue(args.value, "value", {
    maxBytes: ctx.maxValueBytes,
    showKeys: false,
  }) as JsonValue;
  const options = optionsObject(args.options);
  const validFrom = parseTime(options.validFrom, "validFrom");
  const shared = options.shareWithPair === true;
  const now = ctx.now();

  return await ctx.store.write(async (tx) => {
    await requireActiveMember(tx, pairId, memberId);
    const row = await appendVersion(tx, {
      scope: memberScope(pairId, memberId),
      key,
      value,
      deleted: false,
      shared,
      writtenBy: memberId,
      validFrom,
      now,
      resolution: null,
    });
    ctx.noteRecorded(row.recordedAt);
    return { version: row.version, validFrom: toIso(row.validFrom) };
  });
}

/** Reads one member's private preferences. */
export async function getMemberConstraints(
  ctx: ServiceContext,
  pairIdInput: unknown,
  memberIdInput: unknown,
  options: MemberConstraintsOptions = {},
): Promise<Record<string, JsonValue>> {
  const pairId = parseField(idSchema, pairIdInput, "pairId");
  const memberId = parseField(idSchema, memberIdInput, "memberId");
  const keys = parseOptional(keysSchema, options.keys, "keys");
  const validAt = parseTime(options.validAt, "validAt") ?? ctx.readTime();
  const knownAt = parseTime(options.knownAt, "knownAt");

  return await ctx.store.read(async (tx) => {
    await requireActiveMember(tx, pairId, memberId);
    const scope = memberScope(pairId, memberId);
    return toValueMap(await readRows(tx, scope, validAt, knownAt, keys));
  });
}

/**
 * Merges the shared-with-pair preferences of all active members per key.
 * Arrays merge into their union; differing other values become an array of
 * the distinct values. Values are sorted by their JSON text, so the order
 * reveals nothing about who contributed what.
 */
export async function getPairConstraints(
  ctx: ServiceContext,
  pairIdInput: unknown,
  actorInput: unknown,
  options: PairConstraintsOptions = {},
): Promise<Record<string, JsonValue>> {
  const pairId = parseField(idSchema, pairIdInput, "pairId");
  const actor = parseField(idSchema, actorInput, "actorMemberId");
  const keys = parseOptional(keysSchema, options.keys, "keys");
  const now = ctx.readTime();

  const rows = await ctx.store.read(async (tx) => {
    await requireActiveMember(tx, pairId, actor);
    const members = await tx.listMembers(pairId, false);
    return await tx.readSharedPreferences(
      pairId,
      members.map((member) => member.memberId),
      now,
    );
  });
  const wanted = keys === undefined ? undefined : new Set(keys);
  const byKey = new Map<string, JsonValue[]>();
  for (const row of rows) {
    if (wanted !== undefined && !wanted.has(row.key)) continue;
    const list = byKey.get(row.key) ?? [];
    list.push(row.value);
    byKey.set(row.key, list);
  }
  const merged: Record<string, JsonValue> = {};
  for (const key of [...byKey.keys()].sort()) {
    setOwn(merged, key, mergeValues(byKey.get(key) as JsonValue[]));
  }
  return merged;
}

function mergeValues(values: JsonValue[]): JsonValue {
  const allArrays = values.every(Array.isArray);
  const items = allArrays ? (values as JsonValue[][]).flat() : values.flatMap(
    (value) => Array.isArray(value) ? value : [value],
  );
  const distinct = new Map<string, JsonValue>();
  for (const item of items) distinct.set(JSON.stringify(item), item);
  const sorted = [...distinct.keys()].sort().map((text) =>
    distinct.get(text) as JsonValue
  );
  if (!allArrays && sorted.length === 1) return sorted[0] as JsonValue;
  return sorted;
}

/** Lists every version of one of a member's private preferences. */
export async function getMemberPreferenceHistory(
  ctx: ServiceContext,
  pairIdInput: unknown,
  memberIdInput: unknown,
  keyInput: unknown,
): Promise<PreferenceHistoryEntry[]> {
  const pairId = parseField(idSchema, pairIdInput, "pairId");
  const memberId = parseField(idSchema, memberIdInput, "memberId");
  const key = parseField(keySchema, keyInput, "key");
  return await ctx.store.read(async (tx) => {
    await requireActiveMember(tx, pairId, memberId);
    const rows = await tx.listVersions(memberScope(pairId, memberId), key);
    return rows.map(toPreferenceEntry);
  });
}

/**
 * Writes a shared value. With a stale `expectedVersion` the write is kept as
 * a pending conflict candidate instead.
 */
export async function setSharedState(
  ctx: ServiceContext,
  args: {
    pairId: unknown;
    memberId: unknown;
    key: unknown;
    value: unknown;
    options: SetSharedStateOptions;
  },
): Promise<SetSharedStateResult> {
  const pairId = parseField(idSchema, args.pairId, "pairId");
  const memberId = parseField(idSchema, args.memberId, "memberId");
  const key = parseField(keySchema, args.key, "key");
  const value = checkJsonValue(args.value, "value", {
    maxBytes: ctx.maxValueBytes,
    showKeys: true,
  }) as JsonValue;
  const namespace = parseNamespace(args.options.namespace);
  const expected = parseOptional(
    expectedVersionSchema,
    args.options.expectedVersion,
    "expectedVersion",
  );
  const validFrom = parseTime(args.options.validFrom, "validFrom");
  const now = ctx.now();

  return await ctx.store.write(async (tx) => {
    await requireActiveMember(tx, pairId, memberId);
    const scope = pairScope(pairId, namespace);
    const head = await tx.getHead(scope, key);
    const current = head?.version ?? 0;
    if (expected !== undefined && expected > current) {
      throw aheadOfHead(namespace, key, expected, current);
    }
    if (expected !== undefined && expected < current) {
      const recordedAt = Math.max(now, head?.lastRecordedAt ?? now);
      const candidateId = createId("cand", ctx.random);
      await tx.insertCandidate({
        pairId,
        candidateId,
        namespace,
        key,
        value,
        writtenBy: memberId,
        expectedVersion: expected,
        validFrom: validFrom ?? recordedAt,
        recordedAt,
        status: "pending",
        resolvedAt: null,
        winnerVersion: null,
      });
      tx.announce({
        pairId,
        namespace,
        key,
        version: current,
        change: "conflict",
      });
      return {
        version: current,
        conflict: true,
        candidateId,
        namespace,
        key,
        validFrom: toIso(validFrom ?? recordedAt),
      };
    }
    const row = await appendVersion(tx, {
      scope,
      key,
      value,
      deleted: false,
      shared: false,
      writtenBy: memberId,
      validFrom,
      now,
      resolution: null,
      head: { row: head },
    });
    await tx.bumpRevision(pairId, namespace);
    tx.announce({
      pairId,
      namespace,
      key,
      version: row.version,
      change: "set",
    });
    ctx.noteRecorded(row.recordedAt);
    return {
      version: row.version,
      conflict: false,
      candidateId: null,
      namespace,
      key,
      validFrom: toIso(row.validFrom),
    };
  });
}

function aheadOfHead(
  namespace: string,
  key: string,
  expected: number,
  current: number,
): TenantPairError {
  return new TenantPairError(
    "VERSION_CONFLICT",
    `Cannot write key ${quote(key)} in namespace ${
      quote(namespace)
    }: expectedVersion ${expected} is ahead of its current version ${current}; read the key again`,
    {
      details: { namespace, key, expectedVersion: expected, version: current },
    },
  );
}

/** Deletes a shared key by writing a tombstone version. */
export async function deleteSharedState(
  ctx: ServiceContext,
  args: {
    pairId: unknown;
    memberId: unknown;
    key: unknown;
    options: DeleteSharedStateOptions;
  },
): Promise<DeleteSharedStateResult> {
  const pairId = parseField(idSchema, args.pairId, "pairId");
  const memberId = parseField(idSchema, args.memberId, "memberId");
  const key = parseField(keySchema, args.key, "key");
  const namespace = parseNamespace(args.options.namespace);
  const expected = parseOptional(
    expectedVersionSchema,
    args.options.expectedVersion,
    "expectedVersion",
  );
  const now = ctx.now();

  return await ctx.store.write(async (tx) => {
    await requireActiveMember(tx, pairId, memberId);
    const scope = pairScope(pairId, namespace);
    const head = await tx.getHead(scope, key);
    const current = head?.version ?? 0;
    if (expected !== undefined && expected > current) {
      throw aheadOfHead(namespace, key, expected, current);
    }
    if (expected !== undefined && expected < current) {
      throw new TenantPairError(
        "VERSION_CONFLICT",
        `Cannot delete key ${quote(key)} in namespace ${
          quote(namespace)
        }: it moved to version ${current} after version ${expected} was read; read it again and retry`,
        {
          details: {
            namespace,
            key,
            expectedVersion: expected,
            version: current,
          },
        },
      );
    }
    const row = await appendVersion(tx, {
      scope,
      key,
      value: null,
      deleted: true,
      shared: false,
      writtenBy: memberId,
      validFrom: undefined,
      now,
      resolution: null,
      head: { row: head },
    });
    await tx.bumpRevision(pairId, namespace);
    tx.announce({
      pairId,
      namespace,
      key,
      version: row.version,
      change: "delete",
    });
    ctx.noteRecorded(row.recordedAt);
    return { version: row.version, namespace, key };
  });
}

/** Reads a namespace of shared state, optionally as of other times. */
export async function getSharedState(
  ctx: ServiceContext,
  pairIdInput: unknown,
  options: GetSharedStateOptions,
): Promise<SharedStateSnapshot> {
  const pairId = parseField(idSchema, pairIdInput, "pairId");
  const namespace = parseNamespace(options.namespace);
  const validAt = parseTime(options.validAt, "validAt") ?? ctx.readTime();
  const knownAt = parseTime(options.knownAt, "knownAt");

  return await ctx.store.read(async (tx) => {
    await requirePair(tx, pairId);
    const scope = pairScope(pairId, namespace);
    const rows = await readRows(tx, scope, validAt, knownAt, undefined);
    const versions: Record<string, number> = {};
    for (const row of rows) {
      if (!row.deleted) setOwn(versions, row.key, row.version);
    }
    return {
      namespace,
      state: toValueMap(rows),
      versions,
      version: await tx.getRevision(pairId, namespace),
      conflicts: await tx.countConflictKeys(pairId, namespace),
    };
  });
}

/** Lists every version and conflict candidate of one shared key. */
export async function getPairStateHistory(
  ctx: ServiceContext,
  pairIdInput: unknown,
  namespaceInput: unknown,
  keyInput: unknown,
): Promise<StateHistoryEntry[]> {
  const pairId = parseField(idSchema, pairIdInput, "pairId");
  const namespace = parseNamespace(namespaceInput);
  const key = parseField(keySchema, keyInput, "key");
  return await ctx.store.read(async (tx) => {
    await requirePair(tx, pairId);
    const versions = await tx.listVersions(pairScope(pairId, namespace), key);
    const candidates = await tx.listCandidates(pairId, namespace, key);
    if (candidates.length === 0) return versions.map(toStateEntry);
    // Versions are already in recorded order; merge the candidates in by
    // their recorded time, versions first within the same instant.
    const entries: StateHistoryEntry[] = [];
    let next = 0;
    for (const version of versions) {
      while (
        next < candidates.length &&
        (candidates[next] as CandidateRow).recordedAt < version.recordedAt
      ) {
        entries.push(candidateToEntry(candidates[next++] as CandidateRow));
      }
      entries.push(toStateEntry(version));
    }
    for (; next < candidates.length; next++) {
      entries.push(candidateToEntry(candidates[next] as CandidateRow));
    }
    return entries;
  });
}
