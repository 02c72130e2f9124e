-- Failed credential checks, counted per throttle key (a hash of account and source, of
-- a source, or of an account) in fixed windows. In the database rather than in each
-- process: the counts hold across server processes and restarts, and a flood of junk
-- usernames cannot evict a real account's count from a bounded in-memory table.
CREATE TABLE login_failures (
  key_hash           TEXT PRIMARY KEY CHECK (length(key_hash) = 64),
  window_started_at  TIMESTAMPTZ NOT NULL,
  failures           INTEGER NOT NULL CHECK (failures >= 0)
);
CREATE INDEX login_failures_window ON login_failures (window_started_at);

-- Sources (an IPv4 address, an IPv6 /64) a credential was verified from: while its
-- account is under a distributed guessing attack, only these are still checked.
CREATE TABLE credential_sources (
  credential_id     BIGINT NOT NULL REFERENCES service_credentials(id),
  source            TEXT NOT NULL CHECK (length(source) BETWEEN 1 AND 64),
  last_verified_at  TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (credential_id, source)
);
CREATE INDEX credential_sources_seen ON credential_sources (last_verified_at);
