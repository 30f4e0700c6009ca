-- Sign-in and sign-up attempts in the throttling window, shared by every ksuite process
-- on this database so that limits are exact however requests are spread (see
-- server/src/auth/throttle.rs). `at_ms` is Unix milliseconds.
CREATE TABLE login_attempts (
    id    INTEGER PRIMARY KEY,
    key   TEXT    NOT NULL,
    at_ms INTEGER NOT NULL
);
CREATE INDEX login_attempts_key_idx ON login_attempts (key, at_ms);
CREATE INDEX login_attempts_at_idx ON login_attempts (at_ms);
