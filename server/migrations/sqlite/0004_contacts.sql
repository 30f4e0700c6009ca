-- Address books and contacts. A contact row holds the vCard as received or written (the
-- truth); the other columns index what the list, search and groups need.
CREATE TABLE address_books (
    id         INTEGER PRIMARY KEY,
    owner_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    is_default BOOLEAN NOT NULL DEFAULT FALSE,
    -- Bumped on every change (CardDAV getctag / sync).
    ctag       INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE INDEX address_books_owner_idx ON address_books (owner_id);

CREATE TABLE address_book_shares (
    book_id INTEGER NOT NULL REFERENCES address_books (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    access  TEXT    NOT NULL,
    CONSTRAINT address_book_shares_pkey PRIMARY KEY (book_id, user_id)
);
CREATE INDEX address_book_shares_user_idx ON address_book_shares (user_id);

CREATE TABLE contacts (
    id            INTEGER PRIMARY KEY,
    book_id       INTEGER NOT NULL REFERENCES address_books (id) ON DELETE CASCADE,
    uid           TEXT    NOT NULL,
    vcard         TEXT    NOT NULL,
    etag          TEXT    NOT NULL,
    display_name  TEXT    NOT NULL,
    given_name    TEXT    NOT NULL,
    family_name   TEXT    NOT NULL,
    email         TEXT,
    phone         TEXT,
    organization  TEXT,
    -- One group per line, with a leading and trailing newline for exact matching.
    groups        TEXT    NOT NULL,
    -- Lower-case names, e-mails, phone digits and organization, for search.
    search        TEXT    NOT NULL,
    last_modified INTEGER NOT NULL,
    CONSTRAINT contacts_book_uid_key UNIQUE (book_id, uid)
);
CREATE INDEX contacts_book_idx ON contacts (book_id, display_name);

INSERT INTO address_books (owner_id, name, is_default, created_at)
SELECT id, 'Contacts', TRUE, created_at FROM users;
