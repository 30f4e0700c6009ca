-- Calendars and events. An event row holds one iCalendar object (all VEVENTs of one UID
-- plus their VTIMEZONEs) as the source of truth; the other columns index it.
CREATE TABLE calendars (
    id         INTEGER PRIMARY KEY,
    owner_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    color      TEXT    NOT NULL,
    is_default BOOLEAN NOT NULL DEFAULT FALSE,
    visible    BOOLEAN NOT NULL DEFAULT TRUE,
    -- Bumped on every change of the calendar or its events (CalDAV getctag / sync).
    ctag       INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE INDEX calendars_owner_idx ON calendars (owner_id);

CREATE TABLE calendar_shares (
    calendar_id INTEGER NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    access      TEXT    NOT NULL,
    visible     BOOLEAN NOT NULL DEFAULT TRUE,
    CONSTRAINT calendar_shares_pkey PRIMARY KEY (calendar_id, user_id)
);
CREATE INDEX calendar_shares_user_idx ON calendar_shares (user_id);

CREATE TABLE events (
    id            INTEGER PRIMARY KEY,
    calendar_id   INTEGER NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    uid           TEXT    NOT NULL,
    ics           TEXT    NOT NULL,
    etag          TEXT    NOT NULL,
    start_utc     INTEGER NOT NULL,
    -- NULL when the series never ends.
    end_utc       INTEGER,
    recurring     BOOLEAN NOT NULL,
    last_modified INTEGER NOT NULL,
    CONSTRAINT events_calendar_uid_key UNIQUE (calendar_id, uid)
);
CREATE INDEX events_range_idx ON events (calendar_id, start_utc);

-- Every existing user gets the default calendar new users get at sign-up.
INSERT INTO calendars (owner_id, name, color, is_default, created_at)
SELECT id, 'Calendar', '#2454d6', TRUE, created_at FROM users;
