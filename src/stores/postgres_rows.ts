import type { JsonValue } from "../types.ts";
import type {
  CandidateRow,
  EventRow,
  InviteRow,
  MemberRow,
  PairRow,
  VersionRow,
} from "./store.ts";

/** A result row as postgres.js returns it. */
export type Row = Record<string, unknown>;

/**
 * A JSON value split for storage. `jsonb` cannot store U+0000 or a lone
 * surrogate in a string, so such a value is kept as its JSON text instead.
 */
export interface StoredValue {
  /** JSON text to cast to `jsonb`, or null. */
  json: string | null;
  /** JSON text kept verbatim when `jsonb` cannot store it, or null. */
  text: string | null;
}

// Matches a \u0000 or \uD800-\uDFFF escape that is not itself an escaped
// backslash followed by "u". JSON.stringify writes lone surrogates this way
// and leaves paired ones as raw characters.
const UNSTORABLE_ESCAPE = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/i;

/** Splits a value for the `value` (jsonb) and `value_text` columns. */
export function storeValue(
  value: JsonValue | null,
  absent: boolean,
): StoredValue {
  if (absent) return { json: null, text: null };
  const json = JSON.stringify(value);
  return UNSTORABLE_ESCAPE.test(json)
    ? { json: null, text: json }
    : { json, text: null };
}

/** Reads back a value stored by {@linkcode storeValue}. */
export function loadValue(row: Row): JsonValue {
  const text = row.value_text ?? row.value;
  return text === null || text === undefined
    ? null
    : JSON.parse(text as string) as JsonValue;
}

/** Converts a count or int8 column, which postgres.js returns as a string or bigint. */
export function toNumber(value: unknown): number {
  return Number(value);
}

function toTime(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

export function toPair(row: Row): PairRow {
  return {
    pairId: row.pair_id as string,
    pairName: row.pair_name as string | null,
    maxMembers: row.max_members as number | null,
    createdAt: Number(row.created_at),
    createdBy: row.created_by as string,
  };
}

export function toMember(row: Row): MemberRow {
  return {
    pairId: row.pair_id as string,
    memberId: row.member_id as string,
    role: row.role as MemberRow["role"],
    displayName: row.display_name as string | null,
    joinedAt: Number(row.joined_at),
    leftAt: toTime(row.left_at),
    leftReason: row.left_reason as MemberRow["leftReason"],
    removedAt: toTime(row.removed_at),
    forgottenAt: toTime(row.forgotten_at),
  };
}

export function toInvite(row: Row): InviteRow {
  return {
    pairId: row.pair_id as string,
    inviteId: row.invite_id as string,
    tokenHash: row.token_hash as string,
    codeHash: row.code_hash as string,
    inviterMemberId: row.inviter_member_id as string,
    inviteeHint: row.invitee_hint as string | null,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    status: row.status as InviteRow["status"],
    acceptedBy: row.accepted_by as string | null,
    acceptedAt: toTime(row.accepted_at),
    revokedAt: toTime(row.revoked_at),
  };
}

export function toVersion(row: Row): VersionRow {
  return {
    pairId: row.pair_id as string,
    space: row.space as VersionRow["space"],
    scopeId: row.scope_id as string,
    key: row.key as string,
    version: row.version as number,
    value: loadValue(row),
    deleted: row.deleted as boolean,
    shared: row.shared as boolean,
    writtenBy: row.written_by as string,
    validFrom: Number(row.valid_from),
    validTo: Number(row.valid_to),
    recordedAt: Number(row.recorded_at),
    supersededAt: toTime(row.superseded_at),
    resolution: row.resolution as VersionRow["resolution"],
  };
}

export function toCandidate(row: Row): CandidateRow {
  return {
    pairId: row.pair_id as string,
    candidateId: row.candidate_id as string,
    namespace: row.namespace as string,
    key: row.key as string,
    value: loadValue(row),
    writtenBy: row.written_by as string,
    expectedVersion: toNumber(row.expected_version),
    validFrom: Number(row.valid_from),
    recordedAt: Number(row.recorded_at),
    status: row.status as CandidateRow["status"],
    resolvedAt: toTime(row.resolved_at),
    winnerVersion: row.winner_version as number | null,
  };
}

export function toEvent(row: Row): EventRow {
  return {
    id: toNumber(row.id),
    pairId: row.pair_id as string,
    type: row.type as string,
    actorMemberId: row.actor_member_id as string | null,
    subjectMemberId: row.subject_member_id as string | null,
    at: Number(row.at),
    data: JSON.parse(row.data as string) as Record<string, JsonValue>,
  };
}

/**
 * Returns SELECT lists that return times as int8 milliseconds and JSON as text, so
 * rows read the same whatever type parsers the caller's client has.
 * `s` is the quoted schema name.
 */
export function selectLists(s: string): {
  pair: string;
  member: string;
  invite: string;
  version: string;
  candidate: string;
  event: string;
} {
  const ms = (column: string, alias = column) =>
    `${s}.to_millis(${column}) AS ${alias}`;
  return {
    pair: [
      "pair_id, pair_name, max_members",
      ms("created_at"),
      "created_by",
    ].join(", "),
    member: [
      "pair_id, member_id, role, display_name",
      ms("joined_at"),
      ms("left_at"),
      "left_reason",
      ms("removed_at"),
      ms("forgotten_at"),
    ].join(", "),
    invite: [
      "pair_id, invite_id, token_hash, code_hash, inviter_member_id, invitee_hint",
      ms("created_at"),
      ms("expires_at"),
      "status, accepted_by",
      ms("accepted_at"),
      ms("revoked_at"),
    ].join(", "),
    version: [
      "pair_id, space, scope_id, key, version, value::text AS value, value_text",
      "deleted, shared, written_by",
      ms("valid_from"),
      ms("valid_to"),
      ms("recorded_at"),
      ms("superseded_at"),
      "resolution",
    ].join(", "),
    candidate: [
      "pair_id, candidate_id, namespace, key, value::text AS value, value_text",
      "written_by, expected_version",
      ms("valid_from"),
      ms("recorded_at"),
      "status",
      ms("resolved_at"),
      "winner_version",
    ].join(", "),
    event: [
      "id, pair_id, type, actor_member_id, subject_member_id",
      ms("at"),
      "data::text AS data",
    ].join(", "),
  };
}
