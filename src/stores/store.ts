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
  pairId: string;
  space: StateSpace;
  scopeId: string;
}

/** A pair row. Times are milliseconds since the epoch. */
export interface PairRow {
  pairId: string;
  pairName: string | null;
  maxMembers: number | null;
  createdAt: number;
  createdBy: string;
}

/** A member row; one per member and pair, updated on leave and rejoin. */
export interface MemberRow {
  pairId: string;
  memberId: string;
  role: Role;
  displayName: string | null;
  joinedAt: number;
  leftAt: number | null;
  leftReason: "left" | "kicked" | "forgotten" | null;
  /** Last time the member was kicked or forgotten; older invites cannot readmit them. */
  removedAt: number | null;
  forgottenAt: number | null;
}

/** An invite row. Secrets are stored only as SHA-256 hex digests. */
export interface InviteRow {
  pairId: string;
  inviteId: string;
  tokenHash: string;
  codeHash: string;
  inviterMemberId: string;
  inviteeHint: string | null;
  createdAt: number;
  expiresAt: number;
  status: "pending" | "accepted" | "revoked";
  acceptedBy: string | null;
  acceptedAt: number | null;
  revokedAt: number | null;
}

/** One version of one key, private or shared. */
export interface VersionRow {
  pairId: string;
  space: StateSpace;
  scopeId: string;
  key: string;
  version: number;
  /** `null` for a tombstone. */
  value: JsonValue;
  deleted: boolean;
  /** For private rows: counts in the pair's merged constraints. */
  shared: boolean;
  writtenBy: string;
  validFrom: number;
  /** End of validity as currently known; {@linkcode OPEN_END} when open. */
  validTo: number;
  recordedAt: number;
  supersededAt: number | null;
  resolution: "won" | "lost" | null;
}

/** The per-key counter that hands out versions without gaps. */
export interface HeadRow {
  version: number;
  /** The latest recorded time of the key; new writes never go below it. */
  lastRecordedAt: number;
}

/** A write kept pending because its `expectedVersion` was stale. */
export interface CandidateRow {
  pairId: string;
  candidateId: string;
  namespace: string;
  key: string;
  value: JsonValue;
  writtenBy: string;
  expectedVersion: number;
  validFrom: number;
  recordedAt: number;
  status: "pending" | "won" | "lost";
  resolvedAt: number | null;
  /** Version the winning value became, set on the winner only. */
  winnerVersion: number | null;
}

/** An audit event row. */
export interface EventRow {
  id: number;
  pairId: string;
  type: string;
  actorMemberId: string | null;
  subjectMemberId: string | null;
  at: number;
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
  insertPair(row: PairRow): Awaitable<void>;
  getPair(pairId: string): Awaitable<PairRow | undefined>;
  /** Pairs where the member is active, oldest first. */
  listPairsOfMember(memberId: string): Awaitable<PairRow[]>;
  countActiveMembers(pairId: string): Awaitable<number>;

  getMember(pairId: string, memberId: string): Awaitable<MemberRow | undefined>;
  /** Members ordered by `joinedAt`, then `memberId`. */
  listMembers(pairId: string, includeLeft: boolean): Awaitable<MemberRow[]>;
  /** Inserts the row or replaces the one with the same pair and member. */
  putMember(row: MemberRow): Awaitable<void>;

  insertInvite(row: InviteRow): Awaitable<void>;
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

  countCodeFailures(memberId: string | null, since: number): Awaitable<number>;
  /** Records a wrong short code and drops records older than `pruneBefore`. */
  insertCodeFailure(
    memberId: string,
    at: number,
    pruneBefore: number,
  ): Awaitable<void>;
  listCodeFailures(memberId: string): Awaitable<number[]>;
  deleteCodeFailures(memberId: string): Awaitable<number>;

  /** Locks the key's head row for the rest of the transaction where the engine can. */
  getHead(scope: StateScope, key: string): Awaitable<HeadRow | undefined>;
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
  insertVersion(row: VersionRow): Awaitable<void>;
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
  getRevision(pairId: string, namespace: string): Awaitable<number>;

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
  listCandidatesBy(pairId: string, memberId: string): Awaitable<CandidateRow[]>;
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
  listEvents(
    pairId: string,
    after: number,
    limit: number,
  ): Awaitable<EventRow[]>;
  /** Events where the member acted or is the subject, oldest first. */
  listEventsOfMember(pairId: string, memberId: string): Awaitable<EventRow[]>;
  /** Empties `data` of events about the member; returns how many changed. */
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
