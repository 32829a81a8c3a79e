import {
  type Row,
  storeValue,
  toCandidate,
  toNumber,
  toVersion,
} from "./postgres_rows.ts";
import { PostgresQueries } from "./postgres_queries.ts";
import type { CandidateRow, HeadRow, StateScope, VersionRow } from "./store.ts";

const KEY_FILTER = "pair_id = $1 AND space = $2 AND scope_id = $3 AND key = $4";
const SCOPE_FILTER = "pair_id = $1 AND space = $2 AND scope_id = $3";

/** The state, revision and conflict rows of {@linkcode PostgresTransaction}. */
export class PostgresStateRows extends PostgresQueries {
  async getHead(scope: StateScope, key: string): Promise<HeadRow | undefined> {
    await this.lockPair(scope.pairId);
    const params = [scope.pairId, scope.space, scope.scopeId, key];
    const select =
      `SELECT version, ${this.s}.to_millis(last_recorded_at) AS last_recorded_at FROM ${this.s}.state_heads WHERE ${KEY_FILTER}`;
    if (!this.context.writable) return toHead(await this.one(select, params));

    // Lock the head row; for a new key, first insert a placeholder row so
    // that a concurrent first write waits on it too.
    let row = await this.one(`${select} FOR UPDATE`, params);
    if (row === undefined) {
      await this.run(
        `INSERT INTO ${this.s}.state_heads (pair_id, space, scope_id, key, version) VALUES ($1, $2, $3, $4, 0) ON CONFLICT DO NOTHING`,
        params,
      );
      row = await this.one(`${select} FOR UPDATE`, params);
    }
    return toHead(row);
  }

  async putHead(scope: StateScope, key: string, head: HeadRow): Promise<void> {
    await this.lockPair(scope.pairId);
    await this.run(
      `INSERT INTO ${this.s}.state_heads (pair_id, space, scope_id, key, version, last_recorded_at) VALUES ($1, $2, $3, $4, $5, ${
        this.time(6)
      }) ON CONFLICT (pair_id, space, scope_id, key) DO UPDATE SET version = EXCLUDED.version, last_recorded_at = EXCLUDED.last_recorded_at`,
      [
        scope.pairId,
        scope.space,
        scope.scopeId,
        key,
        head.version,
        head.lastRecordedAt,
      ],
    );
  }

  async getVersion(
    scope: StateScope,
    key: string,
    version: number,
  ): Promise<VersionRow | undefined> {
    await this.lockPair(scope.pairId);
    const row = await this.one(
      `SELECT ${this.cols.version} FROM ${this.s}.state_versions WHERE ${KEY_FILTER} AND version = $5`,
      [scope.pairId, scope.space, scope.scopeId, key, version],
    );
    return row === undefined ? undefined : toVersion(row);
  }

  async findCoveringRow(
    scope: StateScope,
    key: string,
    at: number,
  ): Promise<VersionRow | undefined> {
    await this.lockPair(scope.pairId);
    const row = await this.one(
      `SELECT ${this.cols.version} FROM ${this.s}.state_versions WHERE ${KEY_FILTER} AND valid_from <= ${
        this.bound(5)
      } AND valid_to > ${this.bound(5)} ORDER BY version DESC LIMIT 1`,
      [scope.pairId, scope.space, scope.scopeId, key, at],
    );
    return row === undefined ? undefined : toVersion(row);
  }

  async findNextValidFrom(
    scope: StateScope,
    key: string,
    at: number,
  ): Promise<number | undefined> {
    await this.lockPair(scope.pairId);
    const row = await this.one(
      `SELECT ${this.s}.to_millis(MIN(valid_from)) AS next FROM ${this.s}.state_versions WHERE ${KEY_FILTER} AND valid_from > ${
        this.bound(5)
      }`,
      [scope.pairId, scope.space, scope.scopeId, key, at],
    );
    return row?.next === null || row?.next === undefined
      ? undefined
      : toNumber(row.next);
  }

  async closeRow(
    scope: StateScope,
    key: string,
    version: number,
    validTo: number,
    supersededAt: number,
  ): Promise<void> {
    await this.lockPair(scope.pairId);
    await this.run(
      `UPDATE ${this.s}.state_versions SET valid_to = ${
        this.time(6)
      }, superseded_at = ${this.time(7)} WHERE ${KEY_FILTER} AND version = $5`,
      [
        scope.pairId,
        scope.space,
        scope.scopeId,
        key,
        version,
        validTo,
        supersededAt,
      ],
    );
  }

  async insertVersion(row: VersionRow): Promise<void> {
    await this.lockPair(row.pairId);
    const value = storeValue(row.value, row.deleted);
    await this.run(
      `INSERT INTO ${this.s}.state_versions (pair_id, space, scope_id, key, version, value, value_text, deleted, shared, written_by, valid_from, valid_to, recorded_at, superseded_at, resolution) VALUES ($1, $2, $3, $4, $5, $6::text::jsonb, $7::text, $8, $9, $10, ${
        this.time(11)
      }, ${this.time(12)}, ${this.time(13)}, ${this.time(14)}, $15)`,
      [
        row.pairId,
        row.space,
        row.scopeId,
        row.key,
        row.version,
        value.json,
        value.text,
        row.deleted,
        row.shared,
        row.writtenBy,
        row.validFrom,
        row.validTo,
        row.recordedAt,
        row.supersededAt,
        row.resolution,
      ],
    );
  }

  async setVersionResolution(
    scope: StateScope,
    key: string,
    version: number,
    resolution: "won" | "lost",
  ): Promise<void> {
    await this.lockPair(scope.pairId);
    await this.run(
      `UPDATE ${this.s}.state_versions SET resolution = $6 WHERE ${KEY_FILTER} AND version = $5`,
      [scope.pairId, scope.space, scope.scopeId, key, version, resolution],
    );
  }

  async readCurrent(
    scope: StateScope,
    validAt: number,
    keys?: readonly string[],
  ): Promise<VersionRow[]> {
    await this.lockPair(scope.pairId);
    const rows = await this.rows(
      `SELECT ${this.cols.version} FROM ${this.s}.state_versions WHERE ${SCOPE_FILTER} AND valid_to > ${
        this.bound(4)
      } AND valid_from <= ${
        this.bound(4)
      } AND ($5::text IS NULL OR key IN (SELECT jsonb_array_elements_text($5::text::jsonb))) ORDER BY key`,
      [scope.pairId, scope.space, scope.scopeId, validAt, keyList(keys)],
    );
    return rows.map(toVersion);
  }

  async readAsOf(
    scope: StateScope,
    validAt: number,
    knownAt: number,
    keys?: readonly string[],
  ): Promise<VersionRow[]> {
    await this.lockPair(scope.pairId);
    const rows = await this.rows(
      `SELECT ${this.cols.version} FROM (SELECT *, row_number() OVER (PARTITION BY key ORDER BY valid_from DESC, version DESC) AS rank FROM ${this.s}.state_versions WHERE ${SCOPE_FILTER} AND recorded_at <= ${
        this.bound(4)
      } AND valid_from <= ${
        this.bound(5)
      } AND ($6::text IS NULL OR key IN (SELECT jsonb_array_elements_text($6::text::jsonb)))) AS ranked WHERE rank = 1 ORDER BY key`,
      [
        scope.pairId,
        scope.space,
        scope.scopeId,
        knownAt,
        validAt,
        keyList(keys),
      ],
    );
    return rows.map(toVersion);
  }

  async listVersions(scope: StateScope, key: string): Promise<VersionRow[]> {
    await this.lockPair(scope.pairId);
    const rows = await this.rows(
      `SELECT ${this.cols.version} FROM ${this.s}.state_versions WHERE ${KEY_FILTER} ORDER BY version`,
      [scope.pairId, scope.space, scope.scopeId, key],
    );
    return rows.map(toVersion);
  }

  async readSharedPreferences(
    pairId: string,
    memberIds: readonly string[],
    validAt: number,
  ): Promise<VersionRow[]> {
    await this.lockPair(pairId);
    // Ordered by the position of the member in `memberIds`, then by key.
    const rows = await this.rows(
      `SELECT ${this.cols.version} FROM ${this.s}.state_versions JOIN jsonb_array_elements_text($2::text::jsonb) WITH ORDINALITY AS wanted (member_id, position) ON scope_id = wanted.member_id WHERE pair_id = $1 AND space = 'member' AND valid_to > ${
        this.bound(3)
      } AND valid_from <= ${
        this.bound(3)
      } AND shared AND NOT deleted ORDER BY wanted.position, key`,
      [pairId, JSON.stringify(memberIds), validAt],
    );
    return rows.map(toVersion);
  }

  async listMemberVersions(
    pairId: string,
    memberId: string,
  ): Promise<VersionRow[]> {
    await this.lockPair(pairId);
    const rows = await this.rows(
      `SELECT ${this.cols.version} FROM ${this.s}.state_versions WHERE ${SCOPE_FILTER} ORDER BY key, version`,
      [pairId, "member", memberId],
    );
    return rows.map(toVersion);
  }

  async listSharedVersionsBy(
    pairId: string,
    memberId: string,
  ): Promise<VersionRow[]> {
    await this.lockPair(pairId);
    const rows = await this.rows(
      `SELECT ${this.cols.version} FROM ${this.s}.state_versions WHERE pair_id = $1 AND space = 'pair' AND written_by = $2 ORDER BY scope_id, key, version`,
      [pairId, memberId],
    );
    return rows.map(toVersion);
  }

  async deleteMemberState(pairId: string, memberId: string): Promise<number> {
    await this.lockPair(pairId);
    const params = [pairId, "member", memberId];
    const deleted = await this.run(
      `DELETE FROM ${this.s}.state_versions WHERE ${SCOPE_FILTER}`,
      params,
    );
    await this.run(
      `DELETE FROM ${this.s}.state_heads WHERE ${SCOPE_FILTER}`,
      params,
    );
    return deleted;
  }

  async tombstoneSharedWrites(
    pairId: string,
    memberId: string,
  ): Promise<number> {
    await this.lockPair(pairId);
    const versions = await this.run(
      `UPDATE ${this.s}.state_versions SET value = NULL, value_text = NULL, deleted = true WHERE pair_id = $1 AND space = 'pair' AND written_by = $2 AND NOT deleted`,
      [pairId, memberId],
    );
    const candidates = await this.run(
      `UPDATE ${this.s}.conflict_candidates SET value = NULL, value_text = NULL WHERE pair_id = $1 AND written_by = $2 AND (value IS NOT NULL OR value_text IS NOT NULL)`,
      [pairId, memberId],
    );
    return versions + candidates;
  }

  async bumpRevision(pairId: string, namespace: string): Promise<number> {
    await this.lockPair(pairId);
    const row = await this.one(
      `INSERT INTO ${this.s}.namespaces (pair_id, namespace, revision) VALUES ($1, $2, 1) ON CONFLICT (pair_id, namespace) DO UPDATE SET revision = namespaces.revision + 1 RETURNING revision`,
      [pairId, namespace],
    );
    return row?.revision as number;
  }

  async getRevision(pairId: string, namespace: string): Promise<number> {
    await this.lockPair(pairId);
    const row = await this.one(
      `SELECT revision FROM ${this.s}.namespaces WHERE pair_id = $1 AND namespace = $2`,
      [pairId, namespace],
    );
    return (row?.revision ?? 0) as number;
  }

  async insertCandidate(row: CandidateRow): Promise<void> {
    await this.lockPair(row.pairId);
    const value = storeValue(row.value, false);
    await this.run(
      `INSERT INTO ${this.s}.conflict_candidates (pair_id, candidate_id, namespace, key, value, value_text, written_by, expected_version, valid_from, recorded_at, status, resolved_at, winner_version) VALUES ($1, $2, $3, $4, $5::text::jsonb, $6::text, $7, $8, ${
        this.time(9)
      }, ${this.time(10)}, $11, ${this.time(12)}, $13)`,
      [
        row.pairId,
        row.candidateId,
        row.namespace,
        row.key,
        value.json,
        value.text,
        row.writtenBy,
        row.expectedVersion,
        row.validFrom,
        row.recordedAt,
        row.status,
        row.resolvedAt,
        row.winnerVersion,
      ],
    );
  }

  async listPendingCandidates(
    pairId: string,
    namespace?: string,
  ): Promise<CandidateRow[]> {
    await this.lockPair(pairId);
    const rows = await this.rows(
      `SELECT ${this.cols.candidate} FROM ${this.s}.conflict_candidates WHERE pair_id = $1 AND ($2::text IS NULL OR namespace = $2) AND status = 'pending' ORDER BY seq`,
      [pairId, namespace ?? null],
    );
    return rows.map(toCandidate);
  }

  async listCandidates(
    pairId: string,
    namespace: string,
    key: string,
  ): Promise<CandidateRow[]> {
    await this.lockPair(pairId);
    const rows = await this.rows(
      `SELECT ${this.cols.candidate} FROM ${this.s}.conflict_candidates WHERE pair_id = $1 AND namespace = $2 AND key = $3 ORDER BY seq`,
      [pairId, namespace, key],
    );
    return rows.map(toCandidate);
  }

  async listCandidatesBy(
    pairId: string,
    memberId: string,
  ): Promise<CandidateRow[]> {
    await this.lockPair(pairId);
    const rows = await this.rows(
      `SELECT ${this.cols.candidate} FROM ${this.s}.conflict_candidates WHERE pair_id = $1 AND written_by = $2 ORDER BY seq`,
      [pairId, memberId],
    );
    return rows.map(toCandidate);
  }

  async setCandidateStatus(
    pairId: string,
    candidateId: string,
    status: "won" | "lost",
    resolvedAt: number,
    winnerVersion: number | null,
  ): Promise<void> {
    await this.lockPair(pairId);
    await this.run(
      `UPDATE ${this.s}.conflict_candidates SET status = $3, resolved_at = ${
        this.time(4)
      }, winner_version = $5 WHERE pair_id = $1 AND candidate_id = $2`,
      [pairId, candidateId, status, resolvedAt, winnerVersion],
    );
  }

  async countConflictKeys(pairId: string, namespace: string): Promise<number> {
    await this.lockPair(pairId);
    const row = await this.one(
      `SELECT COUNT(DISTINCT key) AS n FROM ${this.s}.conflict_candidates WHERE pair_id = $1 AND namespace = $2 AND status = 'pending'`,
      [pairId, namespace],
    );
    return toNumber(row?.n);
  }
}

function toHead(row: Row | undefined): HeadRow | undefined {
  if (row === undefined || row.version === 0) return undefined;
  return {
    version: row.version as number,
    lastRecordedAt: toNumber(row.last_recorded_at),
  };
}

/** Encodes keys as a JSON array for `jsonb_array_elements_text`, or null for all keys. */
function keyList(keys: readonly string[] | undefined): string | null {
  return keys === undefined ? null : JSON.stringify(keys);
}
