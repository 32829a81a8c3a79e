import type { ConflictResolver } from "./resolvers/resolver.ts";

/** A JSON value: what preferences and shared state hold. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

/** A member's role in a pair. */
export type Role = "owner" | "admin" | "member";

/** A time given to the library: a `Date`, or an ISO 8601 string with a zone. */
export type TimeInput = Date | string;

/** Options for {@linkcode TenantPair.createPair}. */
export interface CreatePairOptions {
  /** The member who creates the pair and becomes its owner. */
  creatorMemberId: string;
  /** The creator's own display name. */
  displayName?: string;
  /** A name for the pair, such as "Home". */
  pairName?: string;
  /** Cap on active members; overrides the `TenantPair` default. */
  maxMembers?: number;
}

/** Result of {@linkcode TenantPair.createPair}: the pair and its first invite. */
export interface CreatePairResult {
  /** The new pair's id. */
  pairId: string;
  /** The public id of the first invite. */
  inviteId: string;
  /** The secret invite token for a link; shown once, stored only hashed. */
  inviteToken: string;
  /** The secret short code to read aloud, as `XXXX-XXXX`; shown once. */
  shortCode: string;
  /** When the invite stops working, ISO 8601 UTC. */
  expiresAt: string;
}

/** Options for {@linkcode TenantPair.inviteMember}. */
export interface InviteMemberOptions {
  /** The pair to invite into. */
  pairId: string;
  /** The active member who sends the invite. */
  inviterMemberId: string;
  /** A note on who the invite is for, such as "Sam". */
  inviteeHint?: string;
  /** Lifetime in seconds, 60 to 2,592,000. */
  ttlSeconds?: number;
}

/** Result of {@linkcode TenantPair.inviteMember}. */
export interface InviteResult {
  /** The invite's public id, for listing and revoking. */
  inviteId: string;
  /** The secret invite token for a link; shown once, stored only hashed. */
  inviteToken: string;
  /** The secret short code to read aloud, as `XXXX-XXXX`; shown once. */
  shortCode: string;
  /** When the invite stops working, ISO 8601 UTC. */
  expiresAt: string;
}

/** Status of an invite. */
export type InviteStatus = "pending" | "accepted" | "revoked";

/** An invite as listed: never its token or short code. */
export interface InviteRecord {
  /** The invite's public id. */
  inviteId: string;
  /** The pair it joins. */
  pairId: string;
  /** The member who sent it. */
  inviterMemberId: string;
  /** The note on who it is for, or `null`. */
  inviteeHint: string | null;
  /** When it was created, ISO 8601 UTC. */
  createdAt: string;
  /** When it stops working, ISO 8601 UTC. */
  expiresAt: string;
  /** Its status. */
  status: InviteStatus;
}

/** Options for {@linkcode TenantPair.acceptInvite}: give the token or the short code. */
export interface AcceptInviteOptions {
  /** The invite token from a link. */
  inviteToken?: string;
  /** The short code, in any case, with or without the dash. */
  shortCode?: string;
  /** The member who joins. */
  memberId: string;
  /** The joining member's display name. */
  displayName?: string;
}

/** Result of {@linkcode TenantPair.acceptInvite}. */
export interface AcceptInviteResult {
  /** The pair joined. */
  pairId: string;
  /** The member who joined. */
  memberId: string;
  /** The active members after joining. */
  members: MemberRecord[];
}

/** A pair as returned by {@linkcode TenantPair.getPair}. */
export interface PairRecord {
  /** The pair's id. */
  pairId: string;
  /** The pair's name, or `null`. */
  pairName: string | null;
  /** When it was created, ISO 8601 UTC. */
  createdAt: string;
  /** Number of active members. */
  memberCount: number;
  /** Cap on active members, or `null` for none. */
  maxMembers: number | null;
}

/** A member of a pair. */
export interface MemberRecord {
  /** The pair. */
  pairId: string;
  /** The member. */
  memberId: string;
  /** The member's role. */
  role: Role;
  /** The member's display name, or `null`. */
  displayName: string | null;
  /** When the member last joined, ISO 8601 UTC. */
  joinedAt: string;
  /** When the member left or was removed, or `null` while active. */
  leftAt: string | null;
  /** The reason the member is no longer active, or `null` while active. */
  leftReason: "left" | "kicked" | "forgotten" | null;
}

/** Options for {@linkcode TenantPair.listMembers}. */
export interface ListMembersOptions {
  /** Include members who left or were removed. */
  includeLeft?: boolean;
}

/** Options for {@linkcode TenantPair.kickMember}. */
export interface KickMemberOptions {
  /** The reason for the removal, kept in the audit log until erasure. */
  reason?: string;
}

/** Options for {@linkcode TenantPair.setMemberPreference}. */
export interface SetPreferenceOptions {
  /** When the value starts to hold in the world; defaults to now. */
  validFrom?: TimeInput;
  /** Let the value count in the pair's merged constraints, unattributed. */
  shareWithPair?: boolean;
}

/** Result of a write that created a version. */
export interface SetPreferenceResult {
  /** The new version of the key. */
  version: number;
  /** Start of the new version's validity, ISO 8601 UTC. */
  validFrom: string;
}

/** Options for reading a member's private preferences. */
export interface MemberConstraintsOptions {
  /** Only these keys. */
  keys?: string[];
  /** The valid time to read at; defaults to now. */
  validAt?: TimeInput;
  /** Read what the store knew at this time; defaults to now. */
  knownAt?: TimeInput;
}

/** Options for {@linkcode TenantPair.getPairConstraints}. */
export interface PairConstraintsOptions {
  /** Only these keys. */
  keys?: string[];
}

/** Whether a version won or lost a conflict resolution, or waits for one. */
export type Resolution = "pending" | "won" | "lost";

/** One version (or pending candidate) of a key, with both time axes. */
export interface HistoryEntry {
  /** The version, or `null` for a conflict candidate that took none. */
  version: number | null;
  /** The value, or `null` for a tombstone. */
  value: JsonValue;
  /** The member who wrote it. */
  writtenByMemberId: string;
  /** When the value starts to hold in the world. */
  validFrom: string;
  /** When it stops holding, as currently known, or `null` for open-ended. */
  validTo: string | null;
  /** When the store learned it. */
  recordedAt: string;
  /** When a later write changed the recorded validity of this entry, or `null`. */
  supersededAt: string | null;
  /** Its part in a conflict, or `null`. */
  resolution: Resolution | null;
}

/** A version of a private preference. */
export interface PreferenceHistoryEntry extends HistoryEntry {
  /** The key. */
  key: string;
  /** Whether this version counts in the pair's merged constraints. */
  sharedWithPair: boolean;
}

/** A version of shared state, or a conflict candidate. */
export interface StateHistoryEntry extends HistoryEntry {
  /** The namespace. */
  namespace: string;
  /** The key. */
  key: string;
  /** Whether this version deletes the key. */
  deleted: boolean;
  /** The candidate's id when this entry is a conflict candidate, else `null`. */
  candidateId: string | null;
}

/** Options for {@linkcode TenantPair.setSharedState}. */
export interface SetSharedStateOptions {
  /** The namespace; defaults to `"default"`. */
  namespace?: string;
  /** The version the writer last read; 0 means the key must not exist yet. */
  expectedVersion?: number;
  /** When the value starts to hold in the world; defaults to now. */
  validFrom?: TimeInput;
}

/** Options for {@linkcode TenantPair.deleteSharedState}. */
export interface DeleteSharedStateOptions {
  /** The namespace; defaults to `"default"`. */
  namespace?: string;
  /** The version the caller last read. */
  expectedVersion?: number;
}

/** Result of {@linkcode TenantPair.setSharedState}. */
export interface SetSharedStateResult {
  /** The new version, or on conflict the key's current version. */
  version: number;
  /** Whether the write became a pending conflict candidate. */
  conflict: boolean;
  /** The candidate's id when `conflict` is true, else `null`. */
  candidateId: string | null;
  /** The namespace written. */
  namespace: string;
  /** The key written. */
  key: string;
  /** Start of the new version's validity, ISO 8601 UTC. */
  validFrom: string;
}

/** Result of {@linkcode TenantPair.deleteSharedState}. */
export interface DeleteSharedStateResult {
  /** The tombstone's version. */
  version: number;
  /** The namespace. */
  namespace: string;
  /** The key. */
  key: string;
}

/** Options for {@linkcode TenantPair.getSharedState}. */
export interface GetSharedStateOptions {
  /** The namespace; defaults to `"default"`. */
  namespace?: string;
  /** The valid time to read at; defaults to now. */
  validAt?: TimeInput;
  /** Read what the store knew at this time; defaults to now. */
  knownAt?: TimeInput;
}

/** Result of {@linkcode TenantPair.getSharedState}. */
export interface SharedStateSnapshot {
  /** The namespace read. */
  namespace: string;
  /** Key to value; deleted keys are absent. */
  state: Record<string, JsonValue>;
  /**
   * Key to the version of the value read, to pass back as
   * `expectedVersion`; deleted keys are absent.
   */
  versions: Record<string, number>;
  /** The namespace revision: +1 for every set, delete or resolution. */
  version: number;
  /** Number of keys with pending conflict candidates. */
  conflicts: number;
}

/** The version a conflict was raised against. */
export interface ConflictCurrent {
  /** Its version. */
  version: number;
  /** Its value, or `null` for a tombstone. */
  value: JsonValue;
  /** Whether it is a tombstone. */
  deleted: boolean;
  /** The member who wrote it. */
  writtenByMemberId: string;
  /** Start of its validity. */
  validFrom: string;
  /** When it was recorded. */
  recordedAt: string;
}

/** A write that arrived with a stale `expectedVersion`, kept pending. */
export interface ConflictCandidate {
  /** The candidate's id. */
  candidateId: string;
  /** The value it wanted to write. */
  value: JsonValue;
  /** The member who wrote it. */
  writtenByMemberId: string;
  /** The version the writer had read. */
  expectedVersion: number;
  /** When it would hold from. */
  validFrom: string;
  /** When it was recorded. */
  recordedAt: string;
}

/** One key with pending candidates. */
export interface Conflict {
  /** The pair. */
  pairId: string;
  /** The namespace. */
  namespace: string;
  /** The key. */
  key: string;
  /** The key's current version. */
  current: ConflictCurrent;
  /** Pending candidates, oldest first. */
  candidates: ConflictCandidate[];
}

/**
 * A resolver's choice for one key: `winner` is a candidate id, or
 * `"current"` to keep the current version's value.
 */
export interface ConflictDecision {
  /** The namespace. */
  namespace: string;
  /** The key. */
  key: string;
  /** A candidate id, or `"current"`. */
  winner: string;
}

/** Options for {@linkcode TenantPair.listConflicts}. */
export interface ListConflictsOptions {
  /** Only this namespace. */
  namespace?: string;
}

/** Options for {@linkcode TenantPair.resolveConflicts}. */
export interface ResolveConflictsOptions {
  /** Only this namespace. */
  namespace?: string;
  /** The resolver to use; defaults to the `TenantPair` resolver. */
  resolver?: ConflictResolver;
}

/** One resolved key. */
export interface ResolvedConflict {
  /** The namespace. */
  namespace: string;
  /** The key. */
  key: string;
  /** The version the winning value became. */
  winnerVersion: number;
  /** The winning candidate id, or `"current"`. */
  winner: string;
}

/** Result of {@linkcode TenantPair.resolveConflicts}. */
export interface ResolveConflictsResult {
  /** Number of keys resolved. */
  resolved: number;
  /** Number of keys still with pending candidates. */
  remaining: number;
  /** Each resolved key. */
  resolutions: ResolvedConflict[];
}

/** Options for {@linkcode TenantPair.forgetMember}. */
export interface ForgetMemberOptions {
  /** Also replace every shared value the member wrote with a tombstone. */
  eraseSharedWrites?: boolean;
  /** The requester of the erasure for the audit log: a member or an operator id. */
  actorMemberId?: string;
}

/** Report of what {@linkcode TenantPair.forgetMember} erased. */
export interface ForgetReport {
  /** The pair. */
  pairId: string;
  /** The forgotten member. */
  memberId: string;
  /** Whether the member was active and was removed first. */
  removedFromPair: boolean;
  /** Private preference versions deleted. */
  privateVersionsErased: number;
  /** Display names erased (0 or 1). */
  displayNamesErased: number;
  /** Invite hints erased from invites to or from the member. */
  inviteHintsErased: number;
  /** Shared state versions and candidates replaced with tombstones. */
  sharedWritesErased: number;
  /** Removal reasons cleared from audit events about the member. */
  eventDetailsErased: number;
  /** Whether the erased bytes were also removed from disk. */
  diskScrubbed: boolean;
  /** When the member was forgotten, ISO 8601 UTC. */
  forgottenAt: string;
}

/** Every stored fact about one member of one pair. */
export interface MemberExport {
  /** When the export was made. */
  exportedAt: string;
  /** The pair. */
  pairId: string;
  /** The member. */
  memberId: string;
  /** The membership record. */
  membership: MemberRecord & { forgottenAt: string | null };
  /** Every version of the member's private preferences. */
  preferences: PreferenceHistoryEntry[];
  /** Every shared state version and candidate the member wrote. */
  sharedWrites: StateHistoryEntry[];
  /** Invites the member created, without secrets. */
  invitesCreated: InviteRecord[];
  /** Invites the member accepted, without secrets. */
  invitesAccepted: InviteRecord[];
  /** Audit events where the member acted or was the subject. */
  events: EventRecord[];
  /** Times the member entered a wrong short code. */
  wrongShortCodeAttempts: string[];
}

/** Types of audit events. */
export type EventType =
  | "pair.created"
  | "invite.created"
  | "invite.revoked"
  | "invite.accepted"
  | "member.left"
  | "member.kicked"
  | "member.forgotten"
  | "owner.transferred"
  | "conflict.resolved";

/** An audit event. Never contains private values, tokens or codes. */
export interface EventRecord {
  /** A growing integer, used as the `after` cursor. */
  id: number;
  /** The pair. */
  pairId: string;
  /** The event type. */
  type: EventType;
  /** The acting member, or `null` when no member acted. */
  actorMemberId: string | null;
  /** Whom it concerns, or `null`. */
  subjectMemberId: string | null;
  /** When it happened, ISO 8601 UTC. */
  at: string;
  /** Further content-free facts. */
  data: Record<string, JsonValue>;
}

/** Options for {@linkcode TenantPair.listEvents}. */
export interface ListEventsOptions {
  /** Only events with an id greater than this. */
  after?: number;
  /** At most this many, 1 to 1,000; defaults to 100. */
  limit?: number;
}

/** Kinds of shared-state change. */
export type ChangeKind = "set" | "delete" | "conflict" | "resolve";

/** A committed shared-state change, as heard by a subscriber. */
export interface StateChange {
  /** The pair. */
  pairId: string;
  /** The namespace. */
  namespace: string;
  /** The key. */
  key: string;
  /** The key's version after the change. */
  version: number;
  /** What happened. */
  change: ChangeKind;
}

/** A subscriber to shared-state changes. */
export type StateChangeListener = (change: StateChange) => void;

/** Stops a subscription. */
export type Unsubscribe = () => Promise<void>;

/** Limits on wrong short code attempts. */
export interface ShortCodeAttemptLimits {
  /** Wrong codes one member may enter per window. @default {5} */
  perMember: number;
  /** The per-member window in seconds. @default {900} */
  perMemberWindowSeconds: number;
  /** Wrong codes the whole store accepts per window. @default {100} */
  storeWide: number;
  /** The store-wide window in seconds. @default {3600} */
  storeWideWindowSeconds: number;
}
