import type postgres from "postgres";
import type { StateChange } from "../types.ts";
import type { ChangeListener, PendingEcho } from "./postgres_notify.ts";
import {
  toEvent,
  toInvite,
  toMember,
  toNumber,
  toPair,
} from "./postgres_rows.ts";
import type { TransactionContext } from "./postgres_queries.ts";
import { PostgresStateRows } from "./postgres_state_rows.ts";
import type {
  EventRow,
  InviteRow,
  MemberRow,
  PairRow,
  StoreTransaction,
} from "./store.ts";

/**
 * The row operations of {@linkcode PostgresTenantStore}, run on one
 * transaction's connection. Write transactions lock each pair they touch
 * before reading it, plus the rows noted on {@linkcode StoreTransaction}.
 */
export class PostgresTransaction extends PostgresStateRows
  implements StoreTransaction {
  /** Notifications queued by `announce`, sent before commit. */
  readonly echoes: PendingEcho[] = [];
  #listener: ChangeListener;

  constructor(
    sql: postgres.TransactionSql,
    context: TransactionContext,
    listener: ChangeListener,
  ) {
    super(sql, context);
    this.#listener = listener;
  }

  async insertPair(row: PairRow): Promise<void> {
    await this.lockPair(row.pairId);
    await this.run(
      `INSERT INTO ${this.s}.pairs (pair_id, pair_name, max_members, created_at, created_by) VALUES ($1, $2, $3, ${
        this.time(4)
      }, $5)`,
      [row.pairId, row.pairName, row.maxMembers, row.createdAt, row.createdBy],
    );
  }

  async getPair(pairId: string): Promise<PairRow | undefined> {
    await this.lockPair(pairId);
    const row = await this.one(
      `SELECT ${this.cols.pair} FROM ${this.s}.pairs WHERE pair_id = $1`,
      [pairId],
    );
    return row === undefined ? undefined : toPair(row);
  }

  async listPairsOfMember(memberId: string): Promise<PairRow[]> {
    const rows = await this.rows(
      `SELECT ${this.cols.pair} FROM ${this.s}.pairs WHERE pair_id IN (SELECT pair_id FROM ${this.s}.members WHERE member_id = $1 AND left_at IS NULL) ORDER BY created_at, pair_id`,
      [memberId],
    );
    return rows.map(toPair);
  }

  async countActiveMembers(pairId: string): Promise<number> {
    await this.lockPair(pairId);
    const row = await this.one(
      `SELECT COUNT(*) AS n FROM ${this.s}.members WHERE pair_id = $1 AND left_at IS NULL`,
      [pairId],
    );
    return toNumber(row?.n);
  }

  async getMember(
    pairId: string,
    memberId: string,
  ): Promise<MemberRow | undefined> {
    await this.lockPair(pairId);
    const row = await this.one(
      `SELECT ${this.cols.member} FROM ${this.s}.members WHERE pair_id = $1 AND member_id = $2`,
      [pairId, memberId],
    );
    return row === undefined ? undefined : toMember(row);
  }

  async listMembers(
    pairId: string,
    includeLeft: boolean,
  ): Promise<MemberRow[]> {
    await this.lockPair(pairId);
    const rows = await this.rows(
      `SELECT ${this.cols.member} FROM ${this.s}.members WHERE pair_id = $1 AND ($2 OR left_at IS NULL) ORDER BY joined_at, member_id`,
      [pairId, includeLeft],
    );
    return rows.map(toMember);
  }

  async putMember(row: MemberRow): Promise<void> {
    await this.lockPair(row.pairId);
    await this.run(
      `INSERT INTO ${this.s}.members (pair_id, member_id, role, display_name, joined_at, left_at, left_reason, removed_at, forgotten_at) VALUES ($1, $2, $3, $4, ${
        this.time(5)
      }, ${this.time(6)}, $7, ${this.time(8)}, ${
        this.time(9)
      }) ON CONFLICT (pair_id, member_id) DO UPDATE SET role = EXCLUDED.role, display_name = EXCLUDED.display_name, joined_at = EXCLUDED.joined_at, left_at = EXCLUDED.left_at, left_reason = EXCLUDED.left_reason, removed_at = EXCLUDED.removed_at, forgotten_at = EXCLUDED.forgotten_at`,
      [
        row.pairId,
        row.memberId,
        row.role,
        row.displayName,
        row.joinedAt,
        row.leftAt,
        row.leftReason,
        row.removedAt,
        row.forgottenAt,
      ],
    );
  }

  async insertInvite(row: InviteRow): Promise<void> {
    await this.lockPair(row.pairId);
    await this.run(
      `INSERT INTO ${this.s}.invites (pair_id, invite_id, token_hash, code_hash, inviter_member_id, invitee_hint, created_at, expires_at, status, accepted_by, accepted_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, ${
        this.time(7)
      }, ${this.time(8)}, $9, $10, ${this.time(11)}, ${this.time(12)})`,
      [
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
      ],
    );
  }

  async getInvite(
    pairId: string,
    inviteId: string,
  ): Promise<InviteRow | undefined> {
    await this.lockPair(pairId);
    const row = await this.one(
      `SELECT ${this.cols.invite} FROM ${this.s}.invites WHERE pair_id = $1 AND invite_id = $2`,
      [pairId, inviteId],
    );
    return row === undefined ? undefined : toInvite(row);
  }

  /**
   * Finds an invite by a filter and, in a write transaction, locks its pair
   * and then its row, in the order every other write takes them. The second
   * read returns what a concurrent accept committed while this one waited.
   */
  async #findInvite(
    filter: string,
    params: (string | number)[],
  ): Promise<InviteRow | undefined> {
    const select =
      `SELECT ${this.cols.invite} FROM ${this.s}.invites WHERE ${filter}`;
    const found = await this.one(select, params);
    if (found === undefined || !this.context.writable) {
      return found === undefined ? undefined : toInvite(found);
    }
    await this.lockPair(found.pair_id as string);
    const locked = await this.one(`${select} FOR UPDATE`, params);
    return locked === undefined ? undefined : toInvite(locked);
  }

  findInviteByTokenHash(tokenHash: string): Promise<InviteRow | undefined> {
    return this.#findInvite("token_hash = $1", [tokenHash]);
  }

  findPendingInviteByCodeHash(
    codeHash: string,
    now: number,
  ): Promise<InviteRow | undefined> {
    return this.#findInvite(
      `code_hash = $1 AND status = 'pending' AND expires_at > ${this.bound(2)}`,
      [codeHash, now],
    );
  }

  async listPendingInvites(pairId: string, now: number): Promise<InviteRow[]> {
    await this.lockPair(pairId);
    const rows = await this.rows(
      `SELECT ${this.cols.invite} FROM ${this.s}.invites WHERE pair_id = $1 AND status = 'pending' AND expires_at > ${
        this.bound(2)
      } ORDER BY created_at, invite_id`,
      [pairId, now],
    );
    return rows.map(toInvite);
  }

  async listInvitesOfMember(
    pairId: string,
    memberId: string,
  ): Promise<InviteRow[]> {
    await this.lockPair(pairId);
    const rows = await this.rows(
      `SELECT ${this.cols.invite} FROM ${this.s}.invites WHERE pair_id = $1 AND (inviter_member_id = $2 OR accepted_by = $2) ORDER BY created_at, invite_id`,
      [pairId, memberId],
    );
    return rows.map(toInvite);
  }

  async updateInviteStatus(
    pairId: string,
    inviteId: string,
    change: Pick<
      InviteRow,
      "status" | "acceptedBy" | "acceptedAt" | "revokedAt"
    >,
  ): Promise<void> {
    await this.lockPair(pairId);
    await this.run(
      `UPDATE ${this.s}.invites SET status = $3, accepted_by = $4, accepted_at = ${
        this.time(5)
      }, revoked_at = ${this.time(6)} WHERE pair_id = $1 AND invite_id = $2`,
      [
        pairId,
        inviteId,
        change.status,
        change.acceptedBy,
        change.acceptedAt,
        change.revokedAt,
      ],
    );
  }

  async eraseInviteHints(pairId: string, memberId: string): Promise<number> {
    await this.lockPair(pairId);
    return await this.run(
      `UPDATE ${this.s}.invites SET invitee_hint = NULL WHERE pair_id = $1 AND (inviter_member_id = $2 OR accepted_by = $2) AND invitee_hint IS NOT NULL`,
      [pairId, memberId],
    );
  }

  /**
   * Wrong-code counts are checked and then added to, so writers take one
   * store-wide lock first. Without it, parallel guesses could all pass the
   * check before any is counted.
   */
  async countCodeFailures(
    memberId: string | null,
    since: number,
  ): Promise<number> {
    await this.lock("code_failures");
    const row = await this.one(
      `SELECT COUNT(*) AS n FROM ${this.s}.code_failures WHERE ($1::text IS NULL OR member_id = $1) AND at > ${
        this.bound(2)
      }`,
      [memberId, since],
    );
    return toNumber(row?.n);
  }

  async insertCodeFailure(
    memberId: string,
    at: number,
    pruneBefore: number,
  ): Promise<void> {
    await this.lock("code_failures");
    await this.run(
      `DELETE FROM ${this.s}.code_failures WHERE at <= ${this.bound(1)}`,
      [pruneBefore],
    );
    await this.run(
      `INSERT INTO ${this.s}.code_failures (member_id, at) VALUES ($1, ${
        this.time(2)
      })`,
      [memberId, at],
    );
  }

  async listCodeFailures(memberId: string): Promise<number[]> {
    const rows = await this.rows(
      `SELECT ${this.s}.to_millis(at) AS at FROM ${this.s}.code_failures WHERE member_id = $1 ORDER BY code_failures.at, id`,
      [memberId],
    );
    return rows.map((row) => toNumber(row.at));
  }

  async insertEvent(row: Omit<EventRow, "id">): Promise<number> {
    await this.lockPair(row.pairId);
    const inserted = await this.one(
      `INSERT INTO ${this.s}.events (pair_id, type, actor_member_id, subject_member_id, at, data) VALUES ($1, $2, $3, $4, ${
        this.time(5)
      }, $6::text::jsonb) RETURNING id`,
      [
        row.pairId,
        row.type,
        row.actorMemberId,
        row.subjectMemberId,
        row.at,
        JSON.stringify(row.data),
      ],
    );
    return toNumber(inserted?.id);
  }

  async listEvents(
    pairId: string,
    after: number,
    limit: number,
  ): Promise<EventRow[]> {
    await this.lockPair(pairId);
    const rows = await this.rows(
      `SELECT ${this.cols.event} FROM ${this.s}.events WHERE pair_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
      [pairId, after, limit],
    );
    return rows.map(toEvent);
  }

  async listEventsOfMember(
    pairId: string,
    memberId: string,
  ): Promise<EventRow[]> {
    await this.lockPair(pairId);
    const rows = await this.rows(
      `SELECT ${this.cols.event} FROM ${this.s}.events WHERE pair_id = $1 AND (actor_member_id = $2 OR subject_member_id = $2) ORDER BY id`,
      [pairId, memberId],
    );
    return rows.map(toEvent);
  }

  async eraseEventData(pairId: string, memberId: string): Promise<number> {
    await this.lockPair(pairId);
    return await this.run(
      `UPDATE ${this.s}.events SET data = '{}'::jsonb WHERE pair_id = $1 AND type = 'member.kicked' AND subject_member_id = $2 AND data <> '{}'::jsonb`,
      [pairId, memberId],
    );
  }

  announce(change: StateChange): void {
    this.echoes.push(this.#listener.prepare(change));
  }

  /** Sends the queued notifications; PostgreSQL delivers them on commit. */
  async sendNotifications(): Promise<void> {
    for (const echo of this.echoes) {
      await this.rows("SELECT pg_notify($1, $2)", [echo.channel, echo.payload]);
    }
  }
}
