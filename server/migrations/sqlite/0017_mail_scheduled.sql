-- Send later and undo send: a message waits as a draft in the sending address's Drafts
-- folder until `send_at`. `message` is the composer's message as JSON, its attachments
-- referring to the draft's parts. Removing the draft (edited, deleted over IMAP or the
-- web) cancels the send; sending deletes the row in the transaction that files the
-- message, so it goes exactly once, and a cancel racing the send either wins or finds the
-- row gone.
CREATE TABLE mail_scheduled (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    draft_id    INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    message     TEXT    NOT NULL,
    send_at     INTEGER NOT NULL,
    state       TEXT    NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'failed')),
    last_error  TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX mail_scheduled_draft_idx ON mail_scheduled (draft_id);
CREATE INDEX mail_scheduled_due_idx ON mail_scheduled (send_at) WHERE state = 'waiting';
CREATE INDEX mail_scheduled_user_idx ON mail_scheduled (user_id, send_at);

-- How long after Send a message can be taken back.
ALTER TABLE users ADD COLUMN undo_send_seconds INTEGER NOT NULL DEFAULT 10
    CHECK (undo_send_seconds BETWEEN 0 AND 30);
