import { OPEN_END } from "./store.ts";

/**
 * SQLite schema migrations. Entry `i` moves a file from `user_version` i to
 * i + 1; a file with a higher `user_version` than this list covers was written
 * by a newer release and is refused.
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE pairs (
    pair_id TEXT PRIMARY KEY,
    pair_name TEXT,
    max_members INTEGER,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE members (
    pair_id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    role TEXT NOT NULL,
    display_name TEXT,
    joined_at INTEGER NOT NULL,
    left_at INTEGER,
    left_reason TEXT,
    removed_at INTEGER,
    forgotten_at INTEGER,
    PRIMARY KEY (pair_id, member_id)
  ) WITHOUT ROWID;
  CREATE INDEX members_by_member ON members (member_id, left_at);

  CREATE TABLE invites (
    pair_id TEXT NOT NULL,
    invite_id TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    inviter_member_id TEXT NOT NULL,
    invitee_hint TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    status TEXT NOT NULL,
    accepted_by TEXT,
    accepted_at INTEGER,
    revoked_at INTEGER,
    PRIMARY KEY (pair_id, invite_id)
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX invites_by_token ON invites (token_hash);
  CREATE UNIQUE INDEX invites_by_pending_code ON invites (code_hash)
    WHERE status = 'pending';

  CREATE TABLE code_failures (
    -- Events are never deleted, so SQLite's next rowid, one past the
    -- largest, keeps ids growing without an AUTOINCREMENT table.
    id INTEGER PRIMARY KEY,
    member_id TEXT NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE INDEX code_failures_by_member ON code_failures (member_id, at);
  CREATE INDEX code_failures_by_time ON code_failures (at);

  CREATE TABLE state_versions (
    pair_id TEXT NOT NULL,
    space TEXT NOT NULL,
    scope_id TEXT NOT NULL,
    key TEXT NOT NULL,
    version INTEGER NOT NULL,
    value TEXT,
    deleted INTEGER NOT NULL,
    shared INTEGER NOT NULL,
    written_by TEXT NOT NULL,
    valid_from INTEGER NOT NULL,
    valid_to INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL,
    superseded_at INTEGER,
    resolution TEXT,
    PRIMARY KEY (pair_id, space, scope_id, key, version)
  ) WITHOUT ROWID;
  CREATE INDEX state_versions_open
    ON state_versions (pair_id, space, scope_id, key)
    WHERE valid_to = ${OPEN_END};

  CREATE TABLE namespaces (
    pair_id TEXT NOT NULL,
    namespace TEXT NOT NULL,
    revision INTEGER NOT NULL,
    PRIMARY KEY (pair_id, namespace)
  ) WITHOUT ROWID;

  CREATE TABLE conflict_candidates (
    pair_id TEXT NOT NULL,
    candidate_id TEXT NOT NULL,
    namespace TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT,
    written_by TEXT NOT NULL,
    expected_version INTEGER NOT NULL,
    valid_from INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL,
    status TEXT NOT NULL,
    resolved_at INTEGER,
    winner_version INTEGER,
    PRIMARY KEY (pair_id, candidate_id)
  );
  CREATE INDEX conflict_candidates_by_key
    ON conflict_candidates (pair_id, namespace, key);
  CREATE INDEX conflict_candidates_pending
    ON conflict_candidates (pair_id, namespace, key) WHERE status = 'pending';

  CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    pair_id TEXT NOT NULL,
    type TEXT NOT NULL,
    actor_member_id TEXT,
    subject_member_id TEXT,
    at INTEGER NOT NULL,
    data TEXT NOT NULL
  );
  CREATE INDEX events_by_pair ON events (pair_id, id);
  `,
];
