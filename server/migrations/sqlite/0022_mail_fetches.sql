-- Mail brought over from other IMAP servers. The password is kept only while the fetch
-- waits or runs, and wiped when it ends.
CREATE TABLE mail_fetches (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    address_id  INTEGER NOT NULL REFERENCES mail_addresses(id) ON DELETE CASCADE,
    host        TEXT    NOT NULL,
    port        INTEGER NOT NULL,
    security    TEXT    NOT NULL,
    username    TEXT    NOT NULL,
    password    TEXT,
    state       TEXT    NOT NULL DEFAULT 'waiting',
    done        INTEGER NOT NULL DEFAULT 0,
    total       INTEGER NOT NULL DEFAULT 0,
    imported    INTEGER NOT NULL DEFAULT 0,
    error       TEXT,
    created_at  INTEGER NOT NULL
);
CREATE INDEX mail_fetches_user ON mail_fetches (user_id);
CREATE INDEX mail_fetches_state ON mail_fetches (state);
