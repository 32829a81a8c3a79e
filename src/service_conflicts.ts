import { appendVersion } from "./bitemporal.ts";
import type { ServiceContext } from "./context.ts";
import { quote, TenantPairError } from "./errors.ts";
import { requirePair } from "./membership.ts";
import { addEvent } from "./records.ts";
import type { ConflictResolver } from "./resolvers/resolver.ts";
import { idSchema, parseField, toIso } from "./schemas.ts";
import { pairScope, parseNamespace } from "./service_state.ts";
import { OPEN_END } from "./stores/store.ts";
import type { CandidateRow, StoreTransaction } from "./stores/store.ts";
import type {
  Conflict,
  ConflictDecision,
  ListConflictsOptions,
  ResolveConflictsOptions,
  ResolveConflictsResult,
  ResolvedConflict,
} from "./types.ts";

function byNamespaceAndKey(a: Conflict, b: Conflict): number {
  if (a.namespace !== b.namespace) return a.namespace < b.namespace ? -1 : 1;
  if (a.key === b.key) return 0;
  return a.key < b.key ? -1 : 1;
}

async function loadConflicts(
  tx: StoreTransaction,
  pairId: string,
  namespace: string | undefined,
): Promise<Conflict[]> {
  const pending = await tx.listPendingCandidates(pairId, namespace);
  const groups = new Map<string, CandidateRow[]>();
  for (const candidate of pending) {
    const id = JSON.stringify([candidate.namespace, candidate.key]);
    const group = groups.get(id) ?? [];
    group.push(candidate);
    groups.set(id, group);
  }

  const conflicts: Conflict[] = [];
  for (const group of groups.values()) {
    const first = group[0] as CandidateRow;
    const scope = pairScope(pairId, first.namespace);
    const head = await tx.getHead(scope, first.key);
    const current = head === undefined
      ? undefined
      : await tx.getVersion(scope, first.key, head.version);
    if (current === undefined) continue;
    conflicts.push({
      pairId,
      namespace: first.namespace,
      key: first.key,
      current: {
        version: current.version,
        value: current.deleted ? null : current.value,
        deleted: current.deleted,
        writtenByMemberId: current.writtenBy,
        validFrom: toIso(current.validFrom),
        recordedAt: toIso(current.recordedAt),
      },
      candidates: group.map((candidate) => ({
        candidateId: candidate.candidateId,
        value: candidate.value,
        writtenByMemberId: candidate.writtenBy,
        expectedVersion: candidate.expectedVersion,
        validFrom: toIso(candidate.validFrom),
        recordedAt: toIso(candidate.recordedAt),
      })),
    });
  }
  return conflicts.sort(byNamespaceAndKey);
}

/** Lists keys with pending conflict candidates. */
export async function listConflicts(
  ctx: ServiceContext,
  pairIdInput: unknown,
  options: ListConflictsOptions,
): Promise<Conflict[]> {
  const pairId = parseField(idSchema, pairIdInput, "pairId");
  const namespace = options.namespace === undefined
    ? undefined
    : parseNamespace(options.namespace);
  return await ctx.store.read(async (tx) => {
    await requirePair(tx, pairId);
    return await loadConflicts(tx, pairId, namespace);
  });
}

/** Checks every decision against the listed conflicts before anything changes. */
function matchDecisions(
  conflicts: Conflict[],
  decisions: unknown,
  resolver: ConflictResolver,
): { conflict: Conflict; decision: ConflictDecision }[] {
  if (!Array.isArray(decisions)) {
    throw new TenantPairError(
      "INVALID_INPUT",
      `Invalid resolver ${
        quote(resolver.name)
      }: resolve() must return an array of decisions`,
      { details: { field: "resolver" } },
    );
  }
  const matched: { conflict: Conflict; decision: ConflictDecision }[] = [];
  for (const decision of decisions as ConflictDecision[]) {
    const conflict = conflicts.find((c) =>
      c.namespace === decision?.namespace && c.key === decision?.key
    );
    const known = conflict !== undefined && (
      decision.winner === "current" ||
      conflict.candidates.some((c) => c.candidateId === decision.winner)
    );
    if (!known) {
      throw new TenantPairError(
        "CONFLICT_NOT_FOUND",
        `Cannot apply resolver ${quote(resolver.name)}: it chose ${
          quote(decision?.winner)
        } for key ${
          quote(decision?.key)
        }, which is not a pending candidate of a listed conflict; nothing was changed`,
        { details: { namespace: decision?.namespace, key: decision?.key } },
      );
    }
    matched.push({ conflict: conflict as Conflict, decision });
  }
  return matched;
}

async function applyDecision(
  tx: StoreTransaction,
  conflict: Conflict,
  winner: string,
  now: number,
): Promise<ResolvedConflict | undefined> {
  const { pairId, namespace, key } = conflict;
  const scope = pairScope(pairId, namespace);
  const head = await tx.getHead(scope, key);
  // A write after the listing makes the resolver's view stale; that key stays
  // pending rather than marking a version it never saw as lost.
  if (head?.version !== conflict.current.version) return undefined;
  const pending = new Map(
    (await tx.listCandidates(pairId, namespace, key))
      .filter((c) => c.status === "pending")
      .map((c) => [c.candidateId, c]),
  );
  const chosen = winner === "current" ? undefined : pending.get(winner);
  if (winner !== "current" && chosen === undefined) return undefined;

  // The winner keeps its own valid time, but never starts before the key's
  // open-ended row, so that it becomes the current value.
  const open = await tx.findCoveringRow(scope, key, OPEN_END - 1);
  const currentFrom = Date.parse(conflict.current.validFrom);
  const winnerFrom = chosen === undefined ? currentFrom : chosen.validFrom;
  const openFrom = open?.validFrom ?? currentFrom;
  const row = await appendVersion(tx, {
    scope,
    key,
    value: chosen === undefined ? conflict.current.value : chosen.value,
    deleted: chosen === undefined && conflict.current.deleted,
    shared: false,
    writtenBy: chosen?.writtenBy ?? conflict.current.writtenByMemberId,
    validFrom: Math.max(winnerFrom, openFrom),
    now,
    resolution: "won",
    head: { row: head },
  });

  for (const listed of conflict.candidates) {
    if (!pending.has(listed.candidateId)) continue;
    const won = listed.candidateId === winner;
    await tx.setCandidateStatus(
      pairId,
      listed.candidateId,
      won ? "won" : "lost",
      row.recordedAt,
      won ? row.version : null,
    );
  }
  await tx.setVersionResolution(
    scope,
    key,
    conflict.current.version,
    chosen === undefined ? "won" : "lost",
  );
  await tx.bumpRevision(pairId, namespace);
  await addEvent(tx, {
    pairId,
    type: "conflict.resolved",
    actor: null,
    subject: null,
    at: row.recordedAt,
    data: { namespace, key, winnerVersion: row.version },
  });
  tx.announce({
    pairId,
    namespace,
    key,
    version: row.version,
    change: "resolve",
  });
  return { namespace, key, winnerVersion: row.version, winner };
}

/**
 * Lets a resolver pick winners; each winner becomes the key's next version.
 * Keys the resolver leaves out, or that moved since the listing, stay pending.
 */
export async function resolveConflicts(
  ctx: ServiceContext,
  pairIdInput: unknown,
  options: ResolveConflictsOptions,
): Promise<ResolveConflictsResult> {
  const pairId = parseField(idSchema, pairIdInput, "pairId");
  const namespace = options.namespace === undefined
    ? undefined
    : parseNamespace(options.namespace);
  const resolver = options.resolver ?? ctx.resolver;
  if (typeof resolver?.resolve !== "function") {
    throw new TenantPairError(
      "INVALID_INPUT",
      "Invalid resolver: must be an object with a resolve(conflicts) method",
      { details: { field: "resolver" } },
    );
  }

  const conflicts = await listConflicts(
    ctx,
    pairId,
    namespace === undefined ? {} : { namespace },
  );
  if (conflicts.length === 0) {
    return { resolved: 0, remaining: 0, resolutions: [] };
  }
  const decisions = await resolver.resolve(structuredClone(conflicts));
  const matched = matchDecisions(conflicts, decisions, resolver);
  const now = ctx.now();

  return await ctx.store.write(async (tx) => {
    const resolutions: ResolvedConflict[] = [];
    const done = new Set<string>();
    for (const { conflict, decision } of matched) {
      const id = JSON.stringify([conflict.namespace, conflict.key]);
      if (done.has(id)) continue;
      done.add(id);
      const resolved = await applyDecision(tx, conflict, decision.winner, now);
      if (resolved !== undefined) resolutions.push(resolved);
    }
    const left = await loadConflicts(tx, pairId, namespace);
    return {
      resolved: resolutions.length,
      remaining: left.length,
      resolutions,
    };
  });
}
