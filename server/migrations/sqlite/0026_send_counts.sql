-- Recipients each user sent to in the last hour, shared by every ksuite process on this
-- database (see server/src/mail/rate.rs). `at_ms` is Unix milliseconds.
CREATE TABLE send_counts (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    recipients INTEGER NOT NULL,
    at_ms      INTEGER NOT NULL
);
CREATE INDEX send_counts_user_idx ON send_counts (user_id, at_ms);
CREATE INDEX send_counts_at_idx ON send_counts (at_ms);
