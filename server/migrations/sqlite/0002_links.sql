-- chk.me short links. Slugs are stored lower-case; uniqueness is global (one namespace
-- per short host).
CREATE TABLE links (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    slug          TEXT    NOT NULL,
    url           TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER,
    enabled       BOOLEAN NOT NULL DEFAULT TRUE,
    password_hash TEXT,
    max_visits    INTEGER,
    visits        INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT links_slug_key UNIQUE (slug)
);
CREATE INDEX links_user_created_idx ON links (user_id, created_at);

-- Visits per link and UTC day, written in batches by the visit counter.
CREATE TABLE link_visits_daily (
    link_id INTEGER NOT NULL REFERENCES links (id) ON DELETE CASCADE,
    day     TEXT    NOT NULL,
    visits  INTEGER NOT NULL,
    CONSTRAINT link_visits_daily_pkey PRIMARY KEY (link_id, day)
);

-- Links created per user and month. Deleting a link does not give the quota back.
CREATE TABLE link_quota_usage (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    month   TEXT    NOT NULL,
    created INTEGER NOT NULL,
    CONSTRAINT link_quota_usage_pkey PRIMARY KEY (user_id, month)
);
