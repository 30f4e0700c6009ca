-- Automatic replies (out of office), one per address, set by a user who manages it.
CREATE TABLE mail_auto_replies (
    address_id    BIGINT PRIMARY KEY REFERENCES mail_addresses (id) ON DELETE CASCADE DEFERRABLE,
    enabled       BOOLEAN NOT NULL,
    -- The first and last day as entered (YYYY-MM-DD) and, in the setter's time zone at
    -- the time, the span they cover as unix seconds [starts_at, ends_at).
    starts_on     TEXT,
    ends_on       TEXT,
    starts_at     BIGINT,
    ends_at       BIGINT,
    subject       TEXT    NOT NULL,
    body_text     TEXT    NOT NULL,
    body_html     TEXT,
    interval_days BIGINT NOT NULL,
    -- Whoever set it last: replies to outside addresses leave in their outbox.
    updated_by    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE DEFERRABLE,
    updated_at    BIGINT NOT NULL
);

-- Who was answered when, so each sender gets one reply per interval. Emptied for an
-- address when its reply is saved again (a new absence answers everyone anew).
CREATE TABLE mail_auto_reply_log (
    address_id BIGINT NOT NULL REFERENCES mail_addresses (id) ON DELETE CASCADE DEFERRABLE,
    sender     TEXT    NOT NULL,
    replied_at BIGINT NOT NULL,
    CONSTRAINT mail_auto_reply_log_pkey PRIMARY KEY (address_id, sender)
);
CREATE INDEX mail_auto_reply_log_time_idx ON mail_auto_reply_log (address_id, replied_at);
