-- Identities, tokens, access policy and the audit trail. Times are milliseconds since the
-- Unix epoch; lists are JSON arrays of strings.

-- Accounts of the local identity provider. System accounts (CI robots) have no password:
-- they authenticate with their API tokens.
CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  account_type TEXT NOT NULL CHECK (account_type IN ('human', 'system')),
  roles TEXT NOT NULL DEFAULT '[]',
  disabled INTEGER NOT NULL DEFAULT 0,
  password_hash TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Bearer tokens, stored only as the SHA-256 of the secret. The subject is copied in so that
-- tokens of an external identity service's accounts need no local account row.
CREATE TABLE tokens (
  id TEXT PRIMARY KEY,
  secret_hash TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('registry', 'refresh', 'session', 'api')),
  subject_id TEXT NOT NULL,
  username TEXT NOT NULL,
  account_type TEXT NOT NULL,
  roles TEXT NOT NULL DEFAULT '[]',
  access TEXT,
  description TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  revoked_at INTEGER
) WITHOUT ROWID;
CREATE INDEX tokens_subject ON tokens (subject_id, kind);
CREATE INDEX tokens_expires_at ON tokens (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE policy_rules (
  id INTEGER PRIMARY KEY,
  priority INTEGER NOT NULL,
  effect TEXT NOT NULL CHECK (effect IN ('allow', 'deny')),
  subjects TEXT NOT NULL DEFAULT '[]',
  account_types TEXT NOT NULL DEFAULT '[]',
  roles TEXT NOT NULL DEFAULT '[]',
  actions TEXT NOT NULL DEFAULT '[]',
  repositories TEXT NOT NULL DEFAULT '[]',
  description TEXT NOT NULL DEFAULT '',
  enabled INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  time INTEGER NOT NULL,
  event_type TEXT NOT NULL,
  actor TEXT,
  repository TEXT,
  digest TEXT,
  client_address TEXT,
  details TEXT
);
CREATE INDEX audit_log_time ON audit_log (time);
CREATE INDEX audit_log_event_type ON audit_log (event_type, id);
CREATE INDEX audit_log_actor ON audit_log (actor, id);
CREATE INDEX audit_log_repository ON audit_log (repository, id);
