/** One step of the SQLite schema. Version n is applied to a database at version n - 1. */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

/**
 * Schema version 1: every table, index and trigger of the store.
 *
 * Events outlive their challenge (event retention is longer than challenge retention), so
 * `events.challenge_id` carries no foreign key. Triggers keep the pending-challenge count in
 * `counters`, because `createChallenge` needs the count on every call and `count(*)` walks the
 * whole status index: about 5 ms at 200,000 pending rows in a one-off measurement on a 2-core VM.
 */
const schemaVersion1 = `
CREATE TABLE challenges (
  id TEXT PRIMARY KEY NOT NULL,
  tenant_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  questions TEXT NOT NULL,
  verifier TEXT NOT NULL,
  return_target TEXT NOT NULL,
  locale TEXT,
  metadata TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'passed', 'failed', 'expired', 'canceled')),
  attempts INTEGER NOT NULL,
  max_attempts INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  completed_at INTEGER,
  return_code TEXT,
  confirmed_at INTEGER,
  webhook_url TEXT
) STRICT;
CREATE UNIQUE INDEX challenges_token_hash ON challenges (token_hash);
CREATE UNIQUE INDEX challenges_return_code ON challenges (return_code) WHERE return_code IS NOT NULL;
CREATE INDEX challenges_tenant_client_status ON challenges (tenant_id, client_id, status);
CREATE INDEX challenges_status_expires_at ON challenges (status, expires_at);
CREATE INDEX challenges_completed_at ON challenges (completed_at) WHERE completed_at IS NOT NULL;

CREATE TABLE counters (
  name TEXT PRIMARY KEY NOT NULL,
  value INTEGER NOT NULL
) STRICT;
INSERT INTO counters (name, value) VALUES ('pending_challenges', 0);
CREATE TRIGGER challenges_count_insert AFTER INSERT ON challenges WHEN NEW.status = 'pending'
BEGIN
  UPDATE counters SET value = value + 1 WHERE name = 'pending_challenges';
END;
CREATE TRIGGER challenges_count_update AFTER UPDATE OF status ON challenges
WHEN (OLD.status = 'pending') <> (NEW.status = 'pending')
BEGIN
  UPDATE counters SET value = value + (CASE WHEN NEW.status = 'pending' THEN 1 ELSE -1 END)
  WHERE name = 'pending_challenges';
END;
CREATE TRIGGER challenges_count_delete AFTER DELETE ON challenges WHEN OLD.status = 'pending'
BEGIN
  UPDATE counters SET value = value - 1 WHERE name = 'pending_challenges';
END;

CREATE TABLE events (
  id TEXT PRIMARY KEY NOT NULL,
  tenant_id TEXT NOT NULL,
  challenge_id TEXT NOT NULL,
  type TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  body TEXT NOT NULL,
  webhook_url TEXT,
  status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead', 'no_endpoint')),
  attempts TEXT NOT NULL,
  next_attempt_at INTEGER,
  lease_until INTEGER
) STRICT;
CREATE INDEX events_status_next_attempt_at ON events (status, next_attempt_at);
CREATE INDEX events_tenant_challenge ON events (tenant_id, challenge_id);
CREATE INDEX events_tenant_created_at ON events (tenant_id, created_at);
CREATE INDEX events_created_at ON events (created_at);

CREATE TABLE idempotency_keys (
  tenant_id TEXT NOT NULL,
  key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  reply_status INTEGER,
  reply_body TEXT,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);

CREATE TABLE rate_limits (
  key TEXT PRIMARY KEY NOT NULL,
  count INTEGER NOT NULL,
  reset_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX rate_limits_reset_at ON rate_limits (reset_at);

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY NOT NULL,
  tenant_id TEXT NOT NULL,
  key_hash TEXT NOT NULL,
  prefix TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
) STRICT;
CREATE UNIQUE INDEX api_keys_key_hash ON api_keys (key_hash);
CREATE INDEX api_keys_tenant_created_at ON api_keys (tenant_id, created_at);
`;

/**
 * The schema history, oldest first. To change the schema, append an entry with the next version
 * and never edit an entry that has shipped: databases already past it would not see the change.
 */
export const migrations: readonly Migration[] = [
  { version: 1, description: 'create challenges, counters, events, idempotency keys, rate limits and API keys', sql: schemaVersion1 },
];
