-- Mail: addresses, the users who may use them, folders and messages. Shaped for IMAP to
-- come: per-folder UIDs with UIDVALIDITY, a MODSEQ change counter, the four system flags.

CREATE TABLE mail_addresses (
    id         INTEGER PRIMARY KEY,
    -- Lower-case local@domain.
    address    TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    CONSTRAINT mail_addresses_address_key UNIQUE (address)
);

CREATE TABLE mail_address_users (
    address_id INTEGER NOT NULL REFERENCES mail_addresses (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- read | send | manage (each includes the ones before).
    permission TEXT    NOT NULL,
    CONSTRAINT mail_address_users_pkey PRIMARY KEY (address_id, user_id)
);
CREATE INDEX mail_address_users_user_idx ON mail_address_users (user_id);

CREATE TABLE mailboxes (
    id             INTEGER PRIMARY KEY,
    address_id     INTEGER NOT NULL REFERENCES mail_addresses (id) ON DELETE CASCADE,
    parent_id      INTEGER REFERENCES mailboxes (id) ON DELETE CASCADE,
    name           TEXT    NOT NULL,
    -- inbox | drafts | sent | archive | spam | trash; NULL for the user's own folders.
    role           TEXT,
    uidvalidity    INTEGER NOT NULL,
    uidnext        INTEGER NOT NULL DEFAULT 1,
    highest_modseq INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX mailboxes_address_idx ON mailboxes (address_id);
CREATE UNIQUE INDEX mailboxes_role_key ON mailboxes (address_id, role) WHERE role IS NOT NULL;

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    mailbox_id      INTEGER NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
    uid             INTEGER NOT NULL,
    modseq          INTEGER NOT NULL,
    -- SHA-256 (hex) of the raw message, stored as a file under <data-dir>/mail/.
    blob            TEXT    NOT NULL,
    size            INTEGER NOT NULL,
    seen            BOOLEAN NOT NULL DEFAULT FALSE,
    flagged         BOOLEAN NOT NULL DEFAULT FALSE,
    answered        BOOLEAN NOT NULL DEFAULT FALSE,
    draft           BOOLEAN NOT NULL DEFAULT FALSE,
    from_name       TEXT,
    from_address    TEXT,
    -- One address per line.
    to_addresses    TEXT    NOT NULL,
    cc_addresses    TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    snippet         TEXT    NOT NULL,
    sent_at         INTEGER,
    received_at     INTEGER NOT NULL,
    message_id      TEXT,
    in_reply_to     TEXT,
    thread_id       TEXT    NOT NULL,
    has_attachments BOOLEAN NOT NULL,
    -- Set when deleted from the Trash: hidden, restorable until the retention period ends.
    deleted_at      INTEGER,
    -- The folder it was in before it went to the Trash (where a restore puts it back).
    previous_mailbox_id INTEGER REFERENCES mailboxes (id) ON DELETE SET NULL,
    CONSTRAINT messages_uid_key UNIQUE (mailbox_id, uid)
);
-- Keyset pagination, newest first.
CREATE INDEX messages_list_idx ON messages (mailbox_id, received_at DESC, id DESC);
CREATE INDEX messages_thread_idx ON messages (thread_id);
-- Folder counts (unread / total) read only these small partial indexes.
CREATE INDEX messages_unread_idx ON messages (mailbox_id) WHERE NOT seen AND deleted_at IS NULL;
CREATE INDEX messages_live_idx ON messages (mailbox_id) WHERE deleted_at IS NULL;

-- Full-text index over subject, addresses and body text; rowid = messages.id.
CREATE VIRTUAL TABLE message_search USING fts5 (
    subject, addresses, body,
    content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
);
