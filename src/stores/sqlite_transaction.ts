import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { JsonValue, StateChange } from "../types.ts";
import { OPEN_END } from "./store.ts";
import type {
  CandidateRow,
  EventRow,
  HeadRow,
  InviteRow,
  MemberRow,
  PairRow,
  StateScope,
  StoreTransaction,
  VersionRow,
} from "./store.ts";

type Row = Record<string, unknown>;

/** Prepares each SQL text once per connection and reuses it. */
export class StatementCache {
  #db: DatabaseSync;
  #statements = new Map<string, StatementSync>();

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  get(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}

function toPair(row: Row): PairRow {
  return {
    pairId: row.pair_id as string,
    pairName: row.pair_name as string | null,
    maxMembers: row.max_members as number | null,
    createdAt: row.created_at as number,
    createdBy: row.created_by as string,
  };
}

function toMember(row: Row): MemberRow {
  return {
    pairId: row.pair_id as string,
    memberId: row.member_id as string,
    role: row.role as MemberRow["role"],
    displayName: row.display_name as string | null,
    joinedAt: row.joined_at as number,
    leftAt: row.left_at as number | null,
    leftReason: row.left_reason as MemberRow["leftReason"],
    removedAt: row.removed_at as number | null,
    forgottenAt: row.forgotten_at as number | null,
  };
}

function toInvite(row: Row): InviteRow {
  return {
    pairId: row.pair_id as string,
    inviteId: row.invite_id as string,
    tokenHash: row.token_hash as string,
    codeHash: row.code_hash as string,
    inviterMemberId: row.inviter_member_id as string,
    inviteeHint: row.invitee_hint as string | null,
    createdAt: row.created_at as number,
    expiresAt: row.expires_at as number,
    status: row.status as InviteRow["status"],
    acceptedBy: row.accepted_by as string | null,
    acceptedAt: row.accepted_at as number | null,
    revokedAt: row.revoked_at as number | null,
  };
}

function parseValue(text: unknown): JsonValue {
  return text === null ? null : JSON.parse(text as string) as JsonValue;
}

function toVersion(row: Row): VersionRow {
  return {
    pairId: row.pair_id as string,
    space: row.space as VersionRow["space"],
    scopeId: row.scope_id as string,
    key: row.key as string,
    version: row.version as number,
    value: parseValue(row.value),
    deleted: row.deleted === 1,
    shared: row.shared === 1,
    writtenBy: row.written_by as string,
    validFrom: row.valid_from as number,
    validTo: row.valid_to as number,
    recordedAt: row.recorded_at as number,
    supersededAt: row.superseded_at as number | null,
    resolution: row.resolution as VersionRow["resolution"],
  };
}

function toCandidate(row: Row): CandidateRow {
  return {
    pairId: row.pair_id as string,
    candidateId: row.candidate_id as string,
    namespace: row.namespace as string,
    key: row.key as string,
    value: parseValue(row.value),
    writtenBy: row.written_by as string,
    expectedVersion: row.expected_version as number,
    validFrom: row.valid_from as number,
    recordedAt: row.recorded_at as number,
    status: row.status as CandidateRow["status"],
    resolvedAt: row.resolved_at as number | null,
    winnerVersion: row.winner_version as number | null,
  };
}

function toEvent(row: Row): EventRow {
  return {
    id: row.id as number,
    pairId: row.pair_id as string,
    type: row.type as string,
    actorMemberId: row.actor_member_id as string | null,
    subjectMemberId: row.subject_member_id as string | null,
    at: row.at as number,
    data: JSON.parse(row.data as string) as Record<string, JsonValue>,
  };
}

function onlyKeys(
  rows: VersionRow[],
  keys: readonly string[] | undefined,
): VersionRow[] {
  if (keys === undefined) return rows;
  const wanted = new Set(keys);
  return rows.filter((row) => wanted.has(row.key));
}

const VERSION_COLUMNS =
  "pair_id, space, scope_id, key, version, value, deleted, shared, " +
  "written_by, valid_from, valid_to, recorded_at, superseded_at, resolution";

const KEY_FILTER = "pair_id = ? AND space = ? AND scope_id = ? AND key = ?";
const SCOPE_FILTER = "pair_id = ? AND space = ? AND scope_id = ?";

/**
 * The row operations of {@linkcode SqliteTenantStore}, run on its one
 * connection. Methods return synchronously, and the store serialises callers.
 */
export class SqliteTransaction implements StoreTransaction {
  #sql: StatementCache;
  /** Changes to deliver once the surrounding transaction commits. */
  readonly changes: StateChange[] = [];

  constructor(statements: StatementCache) {
    this.#sql = statements;
  }

  #get(sql: string, ...params: (string | number | null)[]): Row | undefined {
    return this.#sql.get(sql).get(...params) as Row | undefined;
  }

  #all(sql: string, ...params: (string | number | null)[]): Row[] {
    return this.#sql.get(sql).all(...params) as Row[];
  }

  #run(sql: string, ...params: (string | number | null)[]): number {
    return Number(this.#sql.get(sql).run(...params).changes);
  }

  insertPair(row: PairRow): void {
    this.#run(
      "INSERT INTO pairs (pair_id, pair_name, max_members, created_at, created_by) VALUES (?, ?, ?, ?, ?)",
      row.pairId,
      row.pairName,
      row.maxMembers,
      row.createdAt,
      row.createdBy,
    );
  }

  getPair(pairId: string): PairRow | undefined {
    const row = this.#get("SELECT * FROM pairs WHERE pair_id = ?", pairId);
    return row === undefined ? undefined : toPair(row);
  }

  listPairsOfMember(memberId: string): PairRow[] {
    return this.#all(
      "SELECT p.* FROM members m JOIN pairs p ON p.pair_id = m.pair_id WHERE m.member_id = ? AND m.left_at IS NULL ORDER BY p.created_at, p.pair_id",
      memberId,
    ).map(toPair);
  }

  countActiveMembers(pairId: string): number {
    const row = this.#get(
      "SELECT COUNT(*) AS n FROM members WHERE pair_id = ? AND left_at IS NULL",
      pairId,
    );
    return row?.n as number;
  }

  getMember(pairId: string, memberId: string): MemberRow | undefined {
    const row = this.#get(
      "SELECT * FROM members WHERE pair_id = ? AND member_id = ?",
      pairId,
      memberId,
    );
    return row === undefined ? undefined : toMember(row);
  }

  listMembers(pairId: string, includeLeft: boolean): MemberRow[] {
    const sql = includeLeft
      ? "SELECT * FROM members WHERE pair_id = ? ORDER BY joined_at, member_id"
      : "SELECT * FROM members WHERE pair_id = ? AND left_at IS NULL ORDER BY joined_at, member_id";
    return this.#all(sql, pairId).map(toMember);
  }

  putMember(row: MemberRow): void {
    this.#run(
      "INSERT OR REPLACE INTO members (pair_id, member_id, role, display_name, joined_at, left_at, left_reason, removed_at, forgotten_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      row.pairId,
      row.memberId,
      row.role,
      row.displayName,
      row.joinedAt,
      row.leftAt,
      row.leftReason,
      row.removedAt,
      row.forgottenAt,
    );
  }

  insertInvite(row: InviteRow): void {
    this.#run(
      "INSERT INTO invites (pair_id, invite_id, token_hash, code_hash, inviter_member_id, invitee_hint, created_at, expires_at, status, accepted_by, accepted_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      row.pairId,
      row.inviteId,
      row.tokenHash,
      row.codeHash,
      row.inviterMemberId,
      row.inviteeHint,
      row.createdAt,
      row.expiresAt,
      row.status,
      row.acceptedBy,
      row.acceptedAt,
      row.revokedAt,
    );
  }

  getInvite(pairId: string, inviteId: string): InviteRow | undefined {
    const row = this.#get(
      "SELECT * FROM invites WHERE pair_id = ? AND invite_id = ?",
      pairId,
      inviteId,
    );
    return row === undefined ? undefined : toInvite(row);
  }

  findInviteByTokenHash(tokenHash: string): InviteRow | undefined {
    const row = this.#get(
      "SELECT * FROM invites WHERE token_hash = ?",
      tokenHash,
    );
    return row === undefined ? undefined : toInvite(row);
  }

  findPendingInviteByCodeHash(
    codeHash: string,
    now: number,
  ): InviteRow | undefined {
    const row = this.#get(
      "SELECT * FROM invites WHERE code_hash = ? AND status = 'pending' AND expires_at > ?",
      codeHash,
      now,
    );
    return row === undefined ? undefined : toInvite(row);
  }

  listPendingInvites(pairId: string, now: number): InviteRow[] {
    return this.#all(
      "SELECT * FROM invites WHERE pair_id = ? AND status = 'pending' AND expires_at > ? ORDER BY created_at, invite_id",
      pairId,
      now,
    ).map(toInvite);
  }

  listInvitesOfMember(pairId: string, memberId: string): InviteRow[] {
    return this.#all(
      "SELECT * FROM invites WHERE pair_id = ? AND (inviter_member_id = ? OR accepted_by = ?) ORDER BY created_at, invite_id",
      pairId,
      memberId,
      memberId,
    ).map(toInvite);
  }

  updateInviteStatus(
    pairId: string,
    inviteId: string,
    change: Pick<
      InviteRow,
      "status" | "acceptedBy" | "acceptedAt" | "revokedAt"
    >,
  ): void {
    this.#run(
      "UPDATE invites SET status = ?, accepted_by = ?, accepted_at = ?, revoked_at = ? WHERE pair_id = ? AND invite_id = ?",
      change.status,
      change.acceptedBy,
      change.acceptedAt,
      change.revokedAt,
      pairId,
      inviteId,
    );
  }

  eraseInviteHints(pairId: string, memberId: string): number {
    return this.#run(
      "UPDATE invites SET invitee_hint = NULL WHERE pair_id = ? AND (inviter_member_id = ? OR accepted_by = ?) AND invitee_hint IS NOT NULL",
      pairId,
      memberId,
      memberId,
    );
  }

  countCodeFailures(memberId: string | null, since: number): number {
    const row = memberId === null
      ? this.#get("SELECT COUNT(*) AS n FROM code_failures WHERE at > ?", since)
      : this.#get(
        "SELECT COUNT(*) AS n FROM code_failures WHERE member_id = ? AND at > ?",
        memberId,
        since,
      );
    return row?.n as number;
  }

  insertCodeFailure(memberId: string, at: number, pruneBefore: number): void {
    this.#run("DELETE FROM code_failures WHERE at <= ?", pruneBefore);
    this.#run(
      "INSERT INTO code_failures (member_id, at) VALUES (?, ?)",
      memberId,
      at,
    );
  }

  listCodeFailures(memberId: string): number[] {
    return this.#all(
      "SELECT at FROM code_failures WHERE member_id = ? ORDER BY at",
      memberId,
    ).map((row) => row.at as number);
  }

  getHead(scope: StateScope, key: string): HeadRow | undefined {
    // Writers are serialised by BEGIN IMMEDIATE, so the newest version row is
    // the head; no separate counter row is needed on SQLite.
    const row = this.#get(
      `SELECT version, recorded_at FROM state_versions WHERE ${KEY_FILTER} ORDER BY version DESC LIMIT 1`,
      scope.pairId,
      scope.space,
      scope.scopeId,
      key,
    );
    if (row === undefined) return undefined;
    return {
      version: row.version as number,
      lastRecordedAt: row.recorded_at as number,
    };
  }

  putHead(): void {
    // The head is derived from state_versions on SQLite.
  }

  getVersion(
    scope: StateScope,
    key: string,
    version: number,
  ): VersionRow | undefined {
    const row = this.#get(
      `SELECT ${VERSION_COLUMNS} FROM state_versions WHERE ${KEY_FILTER} AND version = ?`,
      scope.pairId,
      scope.space,
      scope.scopeId,
      key,
      version,
    );
    return row === undefined ? undefined : toVersion(row);
  }

  findCoveringRow(
    scope: StateScope,
    key: string,
    at: number,
  ): VersionRow | undefined {
    const row = this.#get(
      `SELECT ${VERSION_COLUMNS} FROM state_versions WHERE ${KEY_FILTER} AND valid_from <= ? AND valid_to > ? ORDER BY version DESC LIMIT 1`,
      scope.pairId,
      scope.space,
      scope.scopeId,
      key,
      at,
      at,
    );
    return row === undefined ? undefined : toVersion(row);
  }

  findNextValidFrom(
    scope: StateScope,
    key: string,
    at: number,
  ): number | undefined {
    const row = this.#get(
      `SELECT MIN(valid_from) AS next FROM state_versions WHERE ${KEY_FILTER} AND valid_from > ?`,
      scope.pairId,
      scope.space,
      scope.scopeId,
      key,
      at,
    );
    return (row?.next ?? undefined) as number | undefined;
  }

  closeRow(
    scope: StateScope,
    key: string,
    version: number,
    validTo: number,
    supersededAt: number,
  ): void {
    this.#run(
      `UPDATE state_versions SET valid_to = ?, superseded_at = ? WHERE ${KEY_FILTER} AND version = ?`,
      validTo,
      supersededAt,
      scope.pairId,
      scope.space,
      scope.scopeId,
      key,
      version,
    );
  }

  insertVersion(row: VersionRow): void {
    this.#run(
      `INSERT INTO state_versions (${VERSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      row.pairId,
      row.space,
      row.scopeId,
      row.key,
      row.version,
      row.deleted ? null : JSON.stringify(row.value),
      row.deleted ? 1 : 0,
      row.shared ? 1 : 0,
      row.writtenBy,
      row.validFrom,
      row.validTo,
      row.recordedAt,
      row.supersededAt,
      row.resolution,
    );
  }

  setVersionResolution(
    scope: StateScope,
    key: string,
    version: number,
    resolution: "won" | "lost",
  ): void {
    this.#run(
      `UPDATE state_versions SET resolution = ? WHERE ${KEY_FILTER} AND version = ?`,
      resolution,
      scope.pairId,
      scope.space,
      scope.scopeId,
      key,
      version,
    );
  }

  readCurrent(
    scope: StateScope,
    validAt: number,
    keys?: readonly string[],
  ): VersionRow[] {
    // Each key has one open-ended row, found through a small partial index.
    // That row is the result unless it starts after validAt, and only then is
    // the key's older timeline searched. Without INDEXED BY the planner prefers the
    // primary key and reads every version in the scope, so a read would cost
    // O(versions) instead of O(keys).
    const open = onlyKeys(
      this.#all(
        `SELECT ${VERSION_COLUMNS} FROM state_versions INDEXED BY state_versions_open WHERE ${SCOPE_FILTER} AND valid_to = ${OPEN_END} ORDER BY key`,
        scope.pairId,
        scope.space,
        scope.scopeId,
      ).map(toVersion),
      keys,
    );
    const rows: VersionRow[] = [];
    for (const row of open) {
      const current = row.validFrom <= validAt
        ? row
        : this.findCoveringRow(scope, row.key, validAt);
      if (current !== undefined) rows.push(current);
    }
    return rows;
  }

  readAsOf(
    scope: StateScope,
    validAt: number,
    knownAt: number,
    keys?: readonly string[],
  ): VersionRow[] {
    const rows = this.#all(
      `SELECT ${VERSION_COLUMNS} FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY key ORDER BY valid_from DESC, version DESC) AS rank FROM state_versions WHERE ${SCOPE_FILTER} AND recorded_at <= ? AND valid_from <= ?) WHERE rank = 1 ORDER BY key`,
      scope.pairId,
      scope.space,
      scope.scopeId,
      knownAt,
      validAt,
    ).map(toVersion);
    return onlyKeys(rows, keys);
  }

  listVersions(scope: StateScope, key: string): VersionRow[] {
    return this.#all(
      `SELECT ${VERSION_COLUMNS} FROM state_versions WHERE ${KEY_FILTER} ORDER BY version`,
      scope.pairId,
      scope.space,
      scope.scopeId,
      key,
    ).map(toVersion);
  }

  readSharedPreferences(
    pairId: string,
    memberIds: readonly string[],
    validAt: number,
  ): VersionRow[] {
    const rows: VersionRow[] = [];
    for (const memberId of memberIds) {
      const scope: StateScope = { pairId, space: "member", scopeId: memberId };
      for (const row of this.readCurrent(scope, validAt)) {
        if (row.shared && !row.deleted) rows.push(row);
      }
    }
    return rows;
  }

  listMemberVersions(pairId: string, memberId: string): VersionRow[] {
    return this.#all(
      `SELECT ${VERSION_COLUMNS} FROM state_versions WHERE ${SCOPE_FILTER} ORDER BY key, version`,
      pairId,
      "member",
      memberId,
    ).map(toVersion);
  }

  listSharedVersionsBy(pairId: string, memberId: string): VersionRow[] {
    return this.#all(
      `SELECT ${VERSION_COLUMNS} FROM state_versions WHERE pair_id = ? AND space = 'pair' AND written_by = ? ORDER BY scope_id, key, version`,
      pairId,
      memberId,
    ).map(toVersion);
  }

  deleteMemberState(pairId: string, memberId: string): number {
    return this.#run(
      `DELETE FROM state_versions WHERE ${SCOPE_FILTER}`,
      pairId,
      "member",
      memberId,
    );
  }

  tombstoneSharedWrites(pairId: string, memberId: string): number {
    const versions = this.#run(
      "UPDATE state_versions SET value = NULL, deleted = 1 WHERE pair_id = ? AND space = 'pair' AND written_by = ? AND deleted = 0",
      pairId,
      memberId,
    );
    const candidates = this.#run(
      "UPDATE conflict_candidates SET value = NULL WHERE pair_id = ? AND written_by = ? AND value IS NOT NULL",
      pairId,
      memberId,
    );
    return versions + candidates;
  }

  bumpRevision(pairId: string, namespace: string): number {
    const row = this.#get(
      "INSERT INTO namespaces (pair_id, namespace, revision) VALUES (?, ?, 1) ON CONFLICT (pair_id, namespace) DO UPDATE SET revision = revision + 1 RETURNING revision",
      pairId,
      namespace,
    );
    return row?.revision as number;
  }

  getRevision(pairId: string, namespace: string): number {
    const row = this.#get(
      "SELECT revision FROM namespaces WHERE pair_id = ? AND namespace = ?",
      pairId,
      namespace,
    );
    return (row?.revision ?? 0) as number;
  }

  insertCandidate(row: CandidateRow): void {
    this.#run(
      "INSERT INTO conflict_candidates (pair_id, candidate_id, namespace, key, value, written_by, expected_version, valid_from, recorded_at, status, resolved_at, winner_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      row.pairId,
      row.candidateId,
      row.namespace,
      row.key,
      JSON.stringify(row.value),
      row.writtenBy,
      row.expectedVersion,
      row.validFrom,
      row.recordedAt,
      row.status,
      row.resolvedAt,
      row.winnerVersion,
    );
  }

  listPendingCandidates(pairId: string, namespace?: string): CandidateRow[] {
    const rows = namespace === undefined
      ? this.#all(
        "SELECT * FROM conflict_candidates WHERE pair_id = ? AND status = 'pending' ORDER BY rowid",
        pairId,
      )
      : this.#all(
        "SELECT * FROM conflict_candidates WHERE pair_id = ? AND namespace = ? AND status = 'pending' ORDER BY rowid",
        pairId,
        namespace,
      );
    return rows.map(toCandidate);
  }

  listCandidates(
    pairId: string,
    namespace: string,
    key: string,
  ): CandidateRow[] {
    return this.#all(
      "SELECT * FROM conflict_candidates WHERE pair_id = ? AND namespace = ? AND key = ? ORDER BY rowid",
      pairId,
      namespace,
      key,
    ).map(toCandidate);
  }

  listCandidatesBy(pairId: string, memberId: string): CandidateRow[] {
    return this.#all(
      "SELECT * FROM conflict_candidates WHERE pair_id = ? AND written_by = ? ORDER BY rowid",
      pairId,
      memberId,
    ).map(toCandidate);
  }

  setCandidateStatus(
    pairId: string,
    candidateId: string,
    status: "won" | "lost",
    resolvedAt: number,
    winnerVersion: number | null,
  ): void {
    this.#run(
      "UPDATE conflict_candidates SET status = ?, resolved_at = ?, winner_version = ? WHERE pair_id = ? AND candidate_id = ?",
      status,
      resolvedAt,
      winnerVersion,
      pairId,
      candidateId,
    );
  }

  countConflictKeys(pairId: string, namespace: string): number {
    const row = this.#get(
      "SELECT COUNT(DISTINCT key) AS n FROM conflict_candidates WHERE pair_id = ? AND namespace = ? AND status = 'pending'",
      pairId,
      namespace,
    );
    return row?.n as number;
  }

  insertEvent(row: Omit<EventRow, "id">): number {
    const result = this.#sql.get(
      "INSERT INTO events (pair_id, type, actor_member_id, subject_member_id, at, data) VALUES (?, ?, ?, ?, ?, ?)",
    ).run(
      row.pairId,
      row.type,
      row.actorMemberId,
      row.subjectMemberId,
      row.at,
      JSON.stringify(row.data),
    );
    return Number(result.lastInsertRowid);
  }

  listEvents(pairId: string, after: number, limit: number): EventRow[] {
    return this.#all(
      "SELECT * FROM events WHERE pair_id = ? AND id > ? ORDER BY id LIMIT ?",
      pairId,
      after,
      limit,
    ).map(toEvent);
  }

  listEventsOfMember(pairId: string, memberId: string): EventRow[] {
    return this.#all(
      "SELECT * FROM events WHERE pair_id = ? AND (actor_member_id = ? OR subject_member_id = ?) ORDER BY id",
      pairId,
      memberId,
      memberId,
    ).map(toEvent);
  }

  eraseEventData(pairId: string, memberId: string): number {
    return this.#run(
      "UPDATE events SET data = '{}' WHERE pair_id = ? AND type = 'member.kicked' AND subject_member_id = ? AND data <> '{}'",
      pairId,
      memberId,
    );
  }

  announce(change: StateChange): void {
    this.changes.push(change);
  }
}
