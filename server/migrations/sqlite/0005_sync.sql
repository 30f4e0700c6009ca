-- Device sync (CalDAV/CardDAV), application passwords and two-factor authentication.

-- Path segment of a collection under its owner's home; clients choose it on MKCALENDAR /
-- MKCOL, collections made in the web app use their id.
ALTER TABLE calendars ADD COLUMN dav_name TEXT;
ALTER TABLE calendars ADD COLUMN description TEXT NOT NULL DEFAULT '';
UPDATE calendars SET dav_name = CAST(id AS TEXT);
CREATE UNIQUE INDEX calendars_dav_name_key ON calendars (owner_id, dav_name);

ALTER TABLE address_books ADD COLUMN dav_name TEXT;
ALTER TABLE address_books ADD COLUMN description TEXT NOT NULL DEFAULT '';
UPDATE address_books SET dav_name = CAST(id AS TEXT);
CREATE UNIQUE INDEX address_books_dav_name_key ON address_books (owner_id, dav_name);

-- Objects: the resource name clients address (`<name>.ics` / `.vcf`), the component kind
-- (VEVENT or VTODO) and the collection ctag value at their last change (`modseq`), which
-- is what a sync-collection token compares against.
ALTER TABLE events ADD COLUMN href TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN component TEXT NOT NULL DEFAULT 'VEVENT';
ALTER TABLE events ADD COLUMN modseq INTEGER NOT NULL DEFAULT 0;
UPDATE events SET href = lower(hex(randomblob(16))) || '.ics';
CREATE UNIQUE INDEX events_href_key ON events (calendar_id, href);

ALTER TABLE contacts ADD COLUMN href TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN modseq INTEGER NOT NULL DEFAULT 0;
UPDATE contacts SET href = lower(hex(randomblob(16))) || '.vcf';
CREATE UNIQUE INDEX contacts_href_key ON contacts (book_id, href);

-- Deleted objects, so an incremental sync can report them.
CREATE TABLE event_tombstones (
    calendar_id INTEGER NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    href        TEXT    NOT NULL,
    modseq      INTEGER NOT NULL,
    CONSTRAINT event_tombstones_pkey PRIMARY KEY (calendar_id, href)
);
CREATE TABLE contact_tombstones (
    book_id INTEGER NOT NULL REFERENCES address_books (id) ON DELETE CASCADE,
    href    TEXT    NOT NULL,
    modseq  INTEGER NOT NULL,
    CONSTRAINT contact_tombstones_pkey PRIMARY KEY (book_id, href)
);

-- Application passwords: random, high-entropy secrets; only their SHA-256 is stored.
CREATE TABLE app_passwords (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    secret_hash  TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    CONSTRAINT app_passwords_secret_hash_key UNIQUE (secret_hash)
);
CREATE INDEX app_passwords_user_idx ON app_passwords (user_id);

-- Two-factor authentication (TOTP). `totp_secret` is set once 2FA is on; the pending
-- secret waits for the first correct code; `totp_last_step` refuses a replayed code.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_pending TEXT;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;

CREATE TABLE recovery_codes (
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT    NOT NULL,
    used_at   INTEGER,
    CONSTRAINT recovery_codes_pkey PRIMARY KEY (user_id, code_hash)
);
