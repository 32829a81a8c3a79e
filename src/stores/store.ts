import type { JsonValue, Role, StateChange } from "../types.ts";

/** A value, or a promise of it: SQLite returns at once, PostgreSQL later. */
export type Awaitable<T> = T | Promise<T>;

/** The space of a state row: a member's private space or a pair namespace. */
export type StateSpace = "member" | "pair";

/**
 * The address of one state key. For `space: "member"` the `scopeId` is the
 * member id; for `space: "pair"` it is the namespace.
 */
export interface StateScope {
  /** The pair. */
  pairId: string;
  /** Private member space or shared pair space. */
  space: StateSpace;
  /** The member id or the namespace. */
  scopeId: string;
}

/** A pair row. Times are milliseconds since the epoch. */
export interface PairRow {
  /** The pair's id. */
  pairId: string;
  /** The pair's name, or `null`. */
  pairName: string | null;
  /** Cap on active members, or `null`. */
  maxMembers: number | null;
  /** Creation time. */
  createdAt: number;
  /** The creator's member id. */
  createdBy: string;
}

/** A member row; one per member and pair, updated on leave and rejoin. */
export interface MemberRow {
  /** The pair. */
  pairId: string;
  /** The member. */
  memberId: string;
  /** The member's role. */
  role: Role;
  /** The display name, or `null`. */
  displayName: string | null;
  /** Time of the latest join. */
  joinedAt: number;
  /** Time the membership ended, or `null` while active. */
  leftAt: number | null;
  /** The reason the membership ended, or `null` while active. */
  leftReason: "left" | "kicked" | "forgotten" | null;
  /** Last time the member was kicked or forgotten; older invites cannot readmit them. */
  removedAt: number | null;
  /** Time of erasure, or `null`. */
  forgottenAt: number | null;
}

/** An invite row. Secrets are stored only as SHA-256 hex digests. */
export interface InviteRow {
  /** The pair the invite joins. */
  pairId: string;
  /** The public id. */
  inviteId: string;
  /** SHA-256 hex of the token. */
  tokenHash: string;
  /** SHA-256 hex of the normalised short code. */
  codeHash: string;
  /** The member who sent it. */
  inviterMemberId: string;
  /** The note on who it is for, or `null`. */
  inviteeHint: string | null;
  /** Creation time. */
  createdAt: number;
  /** Expiry time; the invite fails from this instant on. */
  expiresAt: number;
  /** Its status. */
  status: "pending" | "accepted" | "revoked";
  /** The member who accepted it, or `null`. */
  acceptedBy: string | null;
  /** Acceptance time, or `null`. */
  acceptedAt: number | null;
  /** Revocation time, or `null`. */
  revokedAt: number | null;
}

/** One version of one key, private or shared. */
export interface VersionRow {
  /** The pair. */
  pairId: string;
  /** Private member space or shared pair space. */
  space: StateSpace;
  /** The member id or the namespace. */
  scopeId: string;
  /** The key. */
  key: string;
  /** The per-key version, from 1. */
  version: number;
  /** `null` for a tombstone. */
  value: JsonValue;
  /** Whether this version is a tombstone. */
  deleted: boolean;
  /** For private rows: counts in the pair's merged constraints. */
  shared: boolean;
  /** The member who wrote it. */
  writtenBy: string;
  /** Start of validity. */
  validFrom: number;
  /** End of validity as currently known; {@linkcode OPEN_END} when open. */
  validTo: number;
  /** Time the store recorded it. */
  recordedAt: number;
  /** Time a later write changed its recorded validity, or `null`. */
  supersededAt: number | null;
  /** Its part in a conflict resolution, or `null`. */
  resolution: "won" | "lost" | null;
}

/** The per-key counter that hands out versions without gaps. */
export interface HeadRow {
  /** The key's newest version. */
  version: number;
  /** The latest recorded time of the key; new writes never go below it. */
  lastRecordedAt: number;
}

/** A write kept pending because its `expectedVersion` was stale. */
export interface CandidateRow {
  /** The pair. */
  pairId: string;
  /** The candidate's public id. */
  candidateId: string;
  /** The namespace. */
  namespace: string;
  /** The key. */
  key: string;
  /** The value it wanted to write. */
  value: JsonValue;
  /** The member who wrote it. */
  writtenBy: string;
  /** The stale version the writer had read. */
  expectedVersion: number;
  /** Start of validity it asked for. */
  validFrom: number;
  /** Time the store recorded it. */
  recordedAt: number;
  /** Pending, or the outcome of resolution. */
  status: "pending" | "won" | "lost";
  /** Resolution time, or `null`. */
  resolvedAt: number | null;
  /** Version the winning value became, set on the winner only. */
  winnerVersion: number | null;
}

/** An audit event row. */
export interface EventRow {
  /** A growing integer. */
  id: number;
  /** The pair. */
  pairId: string;
  /** The event type. */
  type: string;
  /** The acting member, or `null`. */
  actorMemberId: string | null;
  /** Whom it concerns, or `null`. */
  subjectMemberId: string | null;
  /** When it happened. */
  at: number;
  /** Content-free details. */
  data: Record<string, JsonValue>;
}

/** Outcome of {@linkcode TenantStore.scrub}. */
export type ScrubResult = "scrubbed" | "blocked" | "unsupported";

/** Largest time a `Date` can hold; the stored `validTo` of an open-ended row. */
export const OPEN_END = 8_640_000_000_000_000;

/**
 * Row operations inside one transaction. Every method runs on the
 * transaction's own connection; none decides who may do what.
 */
export interface StoreTransaction {
  /** Inserts a new pair. */
  insertPair(row: PairRow): Awaitable<void>;
  /** Loads a pair, or undefined. */
  getPair(pairId: string): Awaitable<PairRow | undefined>;
  /** Pairs where the member is active, oldest first. */
  listPairsOfMember(memberId: string): Awaitable<PairRow[]>;
  /** Counts the pair's active members. */
  countActiveMembers(pairId: string): Awaitable<number>;

  /** Loads a member row, active or not, or undefined. */
  getMember(pairId: string, memberId: string): Awaitable<MemberRow | undefined>;
  /** Members ordered by `joinedAt`, then `memberId`. */
  listMembers(pairId: string, includeLeft: boolean): Awaitable<MemberRow[]>;
  /** Inserts the row or replaces the one with the same pair and member. */
  putMember(row: MemberRow): Awaitable<void>;

  /** Inserts a new invite. */
  insertInvite(row: InviteRow): Awaitable<void>;
  /** Loads an invite by its public id, or undefined. */
  getInvite(pairId: string, inviteId: string): Awaitable<InviteRow | undefined>;
  /** Locks the row for the rest of the transaction where the engine can. */
  findInviteByTokenHash(tokenHash: string): Awaitable<InviteRow | undefined>;
  /** A pending, unexpired invite with this code digest; locks it. */
  findPendingInviteByCodeHash(
    codeHash: string,
    now: number,
  ): Awaitable<InviteRow | undefined>;
  /** Pending, unexpired invites of a pair, oldest first. */
  listPendingInvites(pairId: string, now: number): Awaitable<InviteRow[]>;
  /** Every invite the member created or accepted in the pair. */
  listInvitesOfMember(pairId: string, memberId: string): Awaitable<InviteRow[]>;
  /** Sets an invite's status and the fields that go with it. */
  updateInviteStatus(
    pairId: string,
    inviteId: string,
    change: Pick<
      InviteRow,
      "status" | "acceptedBy" | "acceptedAt" | "revokedAt"
    >,
  ): Awaitable<void>;
  /** Sets `inviteeHint` to null on invites the member created or accepted. */
  eraseInviteHints(pairId: string, memberId: string): Awaitable<number>;

  /** Counts wrong short codes after `since`, of one member or, with `null`, of all. */
  countCodeFailures(memberId: string | null, since: number): Awaitable<number>;
  /** Records a wrong short code and drops records older than `pruneBefore`. */
  insertCodeFailure(
    memberId: string,
    at: number,
    pruneBefore: number,
  ): Awaitable<void>;
  /** Lists the times of the member's wrong short codes, oldest first. */
  listCodeFailures(memberId: string): Awaitable<number[]>;

  /** Locks the key's head row for the rest of the transaction where the engine can. */
  getHead(scope: StateScope, key: string): Awaitable<HeadRow | undefined>;
  /** Stores the key's new head. */
  putHead(scope: StateScope, key: string, head: HeadRow): Awaitable<void>;
  /** One version of a key, or undefined. */
  getVersion(
    scope: StateScope,
    key: string,
    version: number,
  ): Awaitable<VersionRow | undefined>;
  /** The row whose known validity contains `at`: `validFrom <= at < validTo`. */
  findCoveringRow(
    scope: StateScope,
    key: string,
    at: number,
  ): Awaitable<VersionRow | undefined>;
  /** Smallest `validFrom` after `at` among the key's rows, or undefined. */
  findNextValidFrom(
    scope: StateScope,
    key: string,
    at: number,
  ): Awaitable<number | undefined>;
  /** Ends a row's known validity and stamps when that knowledge changed. */
  closeRow(
    scope: StateScope,
    key: string,
    version: number,
    validTo: number,
    supersededAt: number,
  ): Awaitable<void>;
  /** Inserts a new version row. */
  insertVersion(row: VersionRow): Awaitable<void>;
  /** Marks a version as having won or lost a conflict. */
  setVersionResolution(
    scope: StateScope,
    key: string,
    version: number,
    resolution: "won" | "lost",
  ): Awaitable<void>;
  /**
   * Rows valid at `validAt` as currently known, one per key at most.
   * With `keys`, only those keys.
   */
  readCurrent(
    scope: StateScope,
    validAt: number,
    keys?: readonly string[],
  ): Awaitable<VersionRow[]>;
  /**
   * Rows valid at `validAt` as known at `knownAt`: per key, among rows with
   * `recordedAt <= knownAt` and `validFrom <= validAt`, the one with the
   * greatest `validFrom`, ties to the greatest version.
   */
  readAsOf(
    scope: StateScope,
    validAt: number,
    knownAt: number,
    keys?: readonly string[],
  ): Awaitable<VersionRow[]>;
  /** Every version of one key, oldest first. */
  listVersions(scope: StateScope, key: string): Awaitable<VersionRow[]>;
  /** Current private rows marked shared, of the given members. */
  readSharedPreferences(
    pairId: string,
    memberIds: readonly string[],
    validAt: number,
  ): Awaitable<VersionRow[]>;
  /** Every private version of the member in the pair. */
  listMemberVersions(pairId: string, memberId: string): Awaitable<VersionRow[]>;
  /** Every shared version the member wrote in the pair. */
  listSharedVersionsBy(
    pairId: string,
    memberId: string,
  ): Awaitable<VersionRow[]>;
  /** Deletes every private version and head of the member in the pair. */
  deleteMemberState(pairId: string, memberId: string): Awaitable<number>;
  /** Replaces the member's shared versions and candidates with tombstones. */
  tombstoneSharedWrites(pairId: string, memberId: string): Awaitable<number>;

  /** Adds 1 to the namespace revision and returns the new revision. */
  bumpRevision(pairId: string, namespace: string): Awaitable<number>;
  /** Returns the namespace revision, 0 when it has none. */
  getRevision(pairId: string, namespace: string): Awaitable<number>;

  /** Inserts a pending conflict candidate. */
  insertCandidate(row: CandidateRow): Awaitable<void>;
  /** Pending candidates, oldest first; all namespaces when `namespace` is undefined. */
  listPendingCandidates(
    pairId: string,
    namespace?: string,
  ): Awaitable<CandidateRow[]>;
  /** Every candidate of one key, oldest first. */
  listCandidates(
    pairId: string,
    namespace: string,
    key: string,
  ): Awaitable<CandidateRow[]>;
  /** Lists every candidate the member wrote in the pair, oldest first. */
  listCandidatesBy(pairId: string, memberId: string): Awaitable<CandidateRow[]>;
  /** Records a candidate's outcome. */
  setCandidateStatus(
    pairId: string,
    candidateId: string,
    status: "won" | "lost",
    resolvedAt: number,
    winnerVersion: number | null,
  ): Awaitable<void>;
  /** Number of keys in the namespace with pending candidates. */
  countConflictKeys(pairId: string, namespace: string): Awaitable<number>;

  /** Appends an event and returns its id. */
  insertEvent(row: Omit<EventRow, "id">): Awaitable<number>;
  /** Lists the pair's events with an id above `after`, oldest first. */
  listEvents(
    pairId: string,
    after: number,
    limit: number,
  ): Awaitable<EventRow[]>;
  /** Events where the member acted or is the subject, oldest first. */
  listEventsOfMember(pairId: string, memberId: string): Awaitable<EventRow[]>;
  /**
   * Empties `data`, the free-text reason, of `member.kicked` events whose
   * subject is the member; returns how many changed.
   */
  eraseEventData(pairId: string, memberId: string): Awaitable<number>;

  /** Queues a change for subscribers; delivered only if the transaction commits. */
  announce(change: StateChange): void;
}

/**
 * A storage back end for {@linkcode TenantPair}. The service calls only this
 * interface and never builds SQL; a store never decides who may do what.
 */
export interface TenantStore {
  /** A short engine name, such as `"sqlite"`. */
  readonly engine: string;
  /** Creates or migrates the schema. Safe to call more than once. */
  open(): Promise<void>;
  /** Runs `fn` in a read-only transaction. */
  read<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` in a write transaction, committing when it resolves and rolling
   * back when it throws. Changes announced inside are delivered after commit.
   */
  write<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T>;
  /**
   * Calls `listener` once per committed shared-state change of the pair.
   * Resolves once listening.
   */
  subscribe(
    pairId: string,
    listener: (change: StateChange) => void,
  ): Promise<() => Promise<void>>;
  /**
   * Makes deleted bytes unreadable on disk where the engine allows it:
   * `"scrubbed"` when done, `"blocked"` when another connection prevented
   * it, `"unsupported"` when the engine has no such step.
   */
  scrub(): Promise<ScrubResult>;
  /** Closes connections the store owns. */
  close(): Promise<void>;
}
