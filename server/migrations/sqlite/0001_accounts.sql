-- Accounts and server-side sessions.
-- Timestamps are Unix seconds (INTEGER) so the same SQL works on SQLite and PostgreSQL.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT    NOT NULL,
    display_name  TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    language      TEXT    NOT NULL DEFAULT 'en',
    time_zone     TEXT    NOT NULL DEFAULT 'UTC',
    theme         TEXT    NOT NULL DEFAULT 'system',
    plan          TEXT    NOT NULL DEFAULT 'free',
    created_at    INTEGER NOT NULL,
    CONSTRAINT users_email_key UNIQUE (email)
);

-- A session cookie holds a random token; only its SHA-256 is stored, so a database leak
-- does not hand out live sessions. Deleting the row revokes the session.
CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   BLOB    NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    user_agent   TEXT,
    CONSTRAINT sessions_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
