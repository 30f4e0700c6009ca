-- Sessions show when they were last used (updated at most every few minutes), so users
-- can recognise and sign out devices; administrators can disable accounts; sign-up can
-- require an invitation.
ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER;
ALTER TABLE users ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE invitations (
    id          INTEGER PRIMARY KEY,
    -- SHA-256 of the code handed out; the code itself is shown once.
    code_hash   BLOB    NOT NULL,
    -- When set, only this e-mail address may use the invitation.
    email       TEXT,
    created_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_by     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    used_at     INTEGER,
    CONSTRAINT invitations_code_hash_key UNIQUE (code_hash)
);
