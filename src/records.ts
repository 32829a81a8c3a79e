import { toIso } from "./schemas.ts";
import type {
  CandidateRow,
  EventRow,
  InviteRow,
  MemberRow,
  PairRow,
  StoreTransaction,
  VersionRow,
} from "./stores/store.ts";
import { OPEN_END } from "./stores/store.ts";
import type {
  EventRecord,
  EventType,
  InviteRecord,
  JsonValue,
  MemberRecord,
  PairRecord,
  PreferenceHistoryEntry,
  StateHistoryEntry,
} from "./types.ts";

/** Converts store rows to the public records, with times as ISO strings. */
export function toPairRecord(row: PairRow, memberCount: number): PairRecord {
  return {
    pairId: row.pairId,
    pairName: row.pairName,
    createdAt: toIso(row.createdAt),
    memberCount,
    maxMembers: row.maxMembers,
  };
}

export function toMemberRecord(row: MemberRow): MemberRecord {
  return {
    pairId: row.pairId,
    memberId: row.memberId,
    role: row.role,
    displayName: row.displayName,
    joinedAt: toIso(row.joinedAt),
    leftAt: row.leftAt === null ? null : toIso(row.leftAt),
    leftReason: row.leftReason,
  };
}

export function toInviteRecord(row: InviteRow): InviteRecord {
  return {
    inviteId: row.inviteId,
    pairId: row.pairId,
    inviterMemberId: row.inviterMemberId,
    inviteeHint: row.inviteeHint,
    createdAt: toIso(row.createdAt),
    expiresAt: toIso(row.expiresAt),
    status: row.status,
  };
}

function validTo(row: VersionRow): string | null {
  return row.validTo >= OPEN_END ? null : toIso(row.validTo);
}

export function toPreferenceEntry(row: VersionRow): PreferenceHistoryEntry {
  return {
    key: row.key,
    version: row.version,
    value: row.deleted ? null : row.value,
    writtenByMemberId: row.writtenBy,
    validFrom: toIso(row.validFrom),
    validTo: validTo(row),
    recordedAt: toIso(row.recordedAt),
    supersededAt: row.supersededAt === null ? null : toIso(row.supersededAt),
    resolution: row.resolution,
    sharedWithPair: row.shared,
  };
}

export function toStateEntry(row: VersionRow): StateHistoryEntry {
  return {
    namespace: row.scopeId,
    key: row.key,
    version: row.version,
    value: row.deleted ? null : row.value,
    deleted: row.deleted,
    candidateId: null,
    writtenByMemberId: row.writtenBy,
    validFrom: toIso(row.validFrom),
    validTo: validTo(row),
    recordedAt: toIso(row.recordedAt),
    supersededAt: row.supersededAt === null ? null : toIso(row.supersededAt),
    resolution: row.resolution,
  };
}

export function candidateToEntry(row: CandidateRow): StateHistoryEntry {
  return {
    namespace: row.namespace,
    key: row.key,
    version: null,
    value: row.value,
    deleted: false,
    candidateId: row.candidateId,
    writtenByMemberId: row.writtenBy,
    validFrom: toIso(row.validFrom),
    validTo: null,
    recordedAt: toIso(row.recordedAt),
    supersededAt: row.resolvedAt === null ? null : toIso(row.resolvedAt),
    resolution: row.status,
  };
}

export function toEventRecord(row: EventRow): EventRecord {
  return {
    id: row.id,
    pairId: row.pairId,
    type: row.type as EventType,
    actorMemberId: row.actorMemberId,
    subjectMemberId: row.subjectMemberId,
    at: toIso(row.at),
    data: row.data,
  };
}

/** Appends an audit event. */
export async function addEvent(
  tx: StoreTransaction,
  event: {
    pairId: string;
    type: EventType;
    actor: string | null;
    subject: string | null;
    at: number;
    data?: Record<string, JsonValue>;
  },
): Promise<void> {
  await tx.insertEvent({
    pairId: event.pairId,
    type: event.type,
    actorMemberId: event.actor,
    subjectMemberId: event.subject,
    at: event.at,
    data: event.data ?? {},
  });
}
