import { OPEN_END } from "./store.ts";

/** 4714-11-24 BC 00:00 UTC, the earliest time a PostgreSQL timestamp can store. */
const PG_MIN_MILLIS = -210_866_803_200_000;

/**
 * Returns the PostgreSQL schema migrations for the quoted schema name. Entry
 * `i` moves a schema from version i to i + 1, and the `schema_migrations`
 * table records each applied version. A schema with a version beyond this
 * list was written by a newer release and is rejected.
 *
 * Text columns use the "C" collation, so ordering is by code point as in
 * SQLite. Times are `timestamptz`, and the store converts them to and from
 * integer milliseconds with `from_millis` and `to_millis`. Those work in
 * whole days plus the milliseconds within the day, so no step goes through a
 * float of the full value. Every time from 4714 BC up to the open end (year
 * 275760), where PostgreSQL timestamps and JavaScript dates overlap,
 * round-trips exactly. Storing an earlier time fails.
 */
export function postgresMigrations(s: string): readonly string[] {
  return [migration1(s)];
}

function migration1(s: string): string {
  return `
  CREATE FUNCTION ${s}.from_millis(ms bigint) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
      SELECT (timestamp '1970-01-01' + make_interval(
        days => floor(ms / 86400000.0)::integer,
        secs => ((ms - floor(ms / 86400000.0)::bigint * 86400000) / 1000.0)::float8
      )) AT TIME ZONE 'UTC'
    $$;

  -- For comparisons with a caller's time: times beyond what a timestamp
  -- holds compare as minus or plus infinity instead of failing.
  CREATE FUNCTION ${s}.bound_millis(ms bigint) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
      SELECT CASE
        WHEN ms < ${PG_MIN_MILLIS} THEN '-infinity'::timestamptz
        WHEN ms > ${OPEN_END} THEN 'infinity'::timestamptz
        ELSE ${s}.from_millis(ms)
      END
    $$;

  CREATE FUNCTION ${s}.to_millis(t timestamptz) RETURNS bigint
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
      SELECT ((t AT TIME ZONE 'UTC')::date - date '1970-01-01')::bigint * 86400000
        + round(extract(epoch FROM (t AT TIME ZONE 'UTC')::time) * 1000)::bigint
    $$;

  CREATE TABLE ${s}.pairs (
    pair_id text COLLATE "C" PRIMARY KEY,
    pair_name text COLLATE "C",
    max_members integer,
    created_at timestamptz NOT NULL,
    created_by text COLLATE "C" NOT NULL
  );

  CREATE TABLE ${s}.members (
    pair_id text COLLATE "C" NOT NULL,
    member_id text COLLATE "C" NOT NULL,
    role text NOT NULL,
    display_name text COLLATE "C",
    joined_at timestamptz NOT NULL,
    left_at timestamptz,
    left_reason text,
    removed_at timestamptz,
    forgotten_at timestamptz,
    PRIMARY KEY (pair_id, member_id)
  );
  CREATE INDEX members_by_member ON ${s}.members (member_id, left_at);

  CREATE TABLE ${s}.invites (
    pair_id text COLLATE "C" NOT NULL,
    invite_id text COLLATE "C" NOT NULL,
    token_hash text NOT NULL,
    code_hash text NOT NULL,
    inviter_member_id text COLLATE "C" NOT NULL,
    invitee_hint text COLLATE "C",
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    status text NOT NULL,
    accepted_by text COLLATE "C",
    accepted_at timestamptz,
    revoked_at timestamptz,
    PRIMARY KEY (pair_id, invite_id)
  );
  CREATE UNIQUE INDEX invites_by_token ON ${s}.invites (token_hash);
  CREATE UNIQUE INDEX invites_by_pending_code ON ${s}.invites (code_hash)
    WHERE status = 'pending';
  CREATE INDEX invites_pending ON ${s}.invites (pair_id, status, expires_at);

  CREATE TABLE ${s}.code_failures (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id text COLLATE "C" NOT NULL,
    at timestamptz NOT NULL
  );
  CREATE INDEX code_failures_by_member ON ${s}.code_failures (member_id, at);
  CREATE INDEX code_failures_by_time ON ${s}.code_failures (at);

  CREATE TABLE ${s}.state_versions (
    pair_id text COLLATE "C" NOT NULL,
    space text COLLATE "C" NOT NULL,
    scope_id text COLLATE "C" NOT NULL,
    key text COLLATE "C" NOT NULL,
    version integer NOT NULL,
    value jsonb,
    value_text text,
    deleted boolean NOT NULL,
    shared boolean NOT NULL,
    written_by text COLLATE "C" NOT NULL,
    valid_from timestamptz NOT NULL,
    valid_to timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL,
    superseded_at timestamptz,
    resolution text,
    PRIMARY KEY (pair_id, space, scope_id, key, version)
  );
  CREATE INDEX state_versions_by_valid_to
    ON ${s}.state_versions (pair_id, space, scope_id, valid_to);
  CREATE INDEX state_versions_by_writer
    ON ${s}.state_versions (pair_id, written_by);

  -- The per-key counter that writers lock, so versions have no gaps.
  -- A row with version 0 is a placeholder taken only to lock a new key.
  CREATE TABLE ${s}.state_heads (
    pair_id text COLLATE "C" NOT NULL,
    space text COLLATE "C" NOT NULL,
    scope_id text COLLATE "C" NOT NULL,
    key text COLLATE "C" NOT NULL,
    version integer NOT NULL,
    last_recorded_at timestamptz,
    PRIMARY KEY (pair_id, space, scope_id, key)
  );

  CREATE TABLE ${s}.namespaces (
    pair_id text COLLATE "C" NOT NULL,
    namespace text COLLATE "C" NOT NULL,
    revision integer NOT NULL,
    PRIMARY KEY (pair_id, namespace)
  );

  CREATE TABLE ${s}.conflict_candidates (
    seq bigint GENERATED ALWAYS AS IDENTITY,
    pair_id text COLLATE "C" NOT NULL,
    candidate_id text COLLATE "C" NOT NULL,
    namespace text COLLATE "C" NOT NULL,
    key text COLLATE "C" NOT NULL,
    value jsonb,
    value_text text,
    written_by text COLLATE "C" NOT NULL,
    expected_version bigint NOT NULL,
    valid_from timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL,
    status text NOT NULL,
    resolved_at timestamptz,
    winner_version integer,
    PRIMARY KEY (pair_id, candidate_id)
  );
  CREATE INDEX conflict_candidates_by_key
    ON ${s}.conflict_candidates (pair_id, namespace, key, seq);
  CREATE INDEX conflict_candidates_pending
    ON ${s}.conflict_candidates (pair_id, namespace, key)
    WHERE status = 'pending';

  CREATE TABLE ${s}.events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pair_id text COLLATE "C" NOT NULL,
    type text NOT NULL,
    actor_member_id text COLLATE "C",
    subject_member_id text COLLATE "C",
    at timestamptz NOT NULL,
    data jsonb NOT NULL
  );
  CREATE INDEX events_by_pair ON ${s}.events (pair_id, id);
  `;
}
