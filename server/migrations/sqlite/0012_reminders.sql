-- Reminders: the scheduler's cursor per event, the deliveries it creates, per-user
-- reminders on shared calendars, calendar defaults, chat webhooks and push devices.

-- One row per event with alarms to look at. `next_due` is when the scheduler must look
-- again (the next due reminder, or "now" after a write); `checked_through` is the instant
-- up to which every due reminder has been turned into a delivery.
CREATE TABLE reminder_schedule (
    event_id        INTEGER PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
    next_due        INTEGER,
    checked_through INTEGER,
    -- Bumped by every write of the event, so a recomputation that raced a write is
    -- not saved over it.
    version         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX reminder_schedule_due_idx ON reminder_schedule (next_due);

-- One reminder of one occurrence for one user. `idempotency_key` is unique: a
-- recomputation after a crash or by a second process can never create it twice, and it
-- travels with the delivery so receivers can drop a repeat of an unconfirmed send.
CREATE TABLE reminder_deliveries (
    id               INTEGER PRIMARY KEY,
    idempotency_key  TEXT    NOT NULL,
    user_id          INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    calendar_id      INTEGER NOT NULL,
    event_uid        TEXT    NOT NULL,
    occurrence_start INTEGER NOT NULL,
    all_day          BOOLEAN NOT NULL,
    channel          TEXT    NOT NULL,
    webhook_id       INTEGER,
    due_at           INTEGER NOT NULL,
    -- pending | sending | sent | failed | missed | dismissed
    state            TEXT    NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    lease_until      INTEGER,
    token            TEXT    NOT NULL,
    title            TEXT    NOT NULL,
    location         TEXT,
    description      TEXT,
    last_error       TEXT,
    sent_at          INTEGER,
    created_at       INTEGER NOT NULL,
    CONSTRAINT reminder_deliveries_key UNIQUE (idempotency_key),
    CONSTRAINT reminder_deliveries_token_key UNIQUE (token)
);
CREATE INDEX reminder_deliveries_work_idx ON reminder_deliveries (state, next_attempt_at);

-- A user's own reminders on an event of a calendar shared with them (never written into
-- the owner's iCalendar). JSON list of {before_minutes, channel, webhook_id}.
CREATE TABLE reminder_overlays (
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    event_id  INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    reminders TEXT    NOT NULL,
    PRIMARY KEY (user_id, event_id)
);
CREATE INDEX reminder_overlays_event_idx ON reminder_overlays (event_id);

-- Each user's default reminders for new events of a calendar (own or shared).
CREATE TABLE calendar_reminder_defaults (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    calendar_id INTEGER NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    timed       TEXT    NOT NULL,
    all_day     TEXT    NOT NULL,
    PRIMARY KEY (user_id, calendar_id)
);

CREATE TABLE webhooks (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    url        TEXT    NOT NULL,
    template   TEXT    NOT NULL,
    format     TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX webhooks_user_idx ON webhooks (user_id);

CREATE TABLE webhook_attempts (
    id         INTEGER PRIMARY KEY,
    webhook_id INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    at         INTEGER NOT NULL,
    ok         BOOLEAN NOT NULL,
    status     INTEGER,
    error      TEXT,
    kind       TEXT    NOT NULL
);
CREATE INDEX webhook_attempts_idx ON webhook_attempts (webhook_id, id);

CREATE TABLE push_subscriptions (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    endpoint        TEXT    NOT NULL,
    p256dh          TEXT    NOT NULL,
    auth            TEXT    NOT NULL,
    device_name     TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    last_success_at INTEGER,
    CONSTRAINT push_subscriptions_endpoint_key UNIQUE (endpoint)
);
CREATE INDEX push_subscriptions_user_idx ON push_subscriptions (user_id);

-- Events that exist already get a cursor from now on.
INSERT INTO reminder_schedule (event_id, next_due, checked_through)
SELECT id, 0, CAST(strftime('%s', 'now') AS INTEGER) FROM events;
