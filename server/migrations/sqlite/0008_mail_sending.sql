-- Sending mail: the relay queue, files uploaded for attachments, signatures, filters.

-- Messages on their way to recipients outside this server, retried until the relay takes
-- them (or they fail for good). `message_id` is the copy in the sender's Sent folder.
CREATE TABLE mail_outbox (
    id              INTEGER PRIMARY KEY,
    message_id      INTEGER REFERENCES messages (id) ON DELETE SET NULL,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- SHA-256 of the message as transmitted (no Bcc header).
    blob            TEXT    NOT NULL,
    mail_from       TEXT    NOT NULL,
    -- One address per line.
    recipients      TEXT    NOT NULL,
    -- queued | sent | failed
    state           TEXT    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
);
CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at) WHERE state = 'queued';
CREATE INDEX mail_outbox_message_idx ON mail_outbox (message_id);

-- Files uploaded for a message being written; removed a day after upload.
CREATE TABLE mail_uploads (
    id           TEXT    PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    size         INTEGER NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX mail_uploads_created_idx ON mail_uploads (created_at);

-- A user's signature for one of their addresses.
ALTER TABLE mail_address_users ADD COLUMN signature TEXT NOT NULL DEFAULT '';

-- Rules applied, in order, to messages arriving at the addresses a user manages.
CREATE TABLE mail_filters (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    enabled    BOOLEAN NOT NULL,
    match_all  BOOLEAN NOT NULL,
    stop       BOOLEAN NOT NULL,
    -- JSON arrays of FilterCondition / FilterAction.
    conditions TEXT    NOT NULL,
    actions    TEXT    NOT NULL
);
CREATE INDEX mail_filters_user_idx ON mail_filters (user_id, position);

-- Whether a raw message file is still used (before it is deleted).
CREATE INDEX messages_blob_idx ON messages (blob);
CREATE INDEX mail_outbox_blob_idx ON mail_outbox (blob);
