-- Messages a user moved into or out of Spam, waiting to be taught to rspamd: a durable
-- queue, so a lesson outlives a restart or crash until rspamd has taken it.
CREATE TABLE spam_lessons (
    id          INTEGER PRIMARY KEY,
    blob        TEXT    NOT NULL,
    spam        INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);
