-- DKIM keys of the mail domain. One signs outgoing mail ('active'); one may wait for its
-- DNS record to be published ('next'); replaced ones stay listed ('retired') so the
-- administrator knows which records to keep until mail signed with them is delivered.
CREATE TABLE mail_dkim_keys (
    id           INTEGER PRIMARY KEY,
    domain       TEXT    NOT NULL,
    selector     TEXT    NOT NULL,
    -- PKCS#1 PEM.
    private_key  TEXT    NOT NULL,
    -- Base64 of the DER SubjectPublicKeyInfo: the p= of the DNS record.
    public_key   TEXT    NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('next', 'active', 'retired')),
    created_at   INTEGER NOT NULL,
    activated_at INTEGER,
    retired_at   INTEGER,
    CONSTRAINT mail_dkim_keys_selector_key UNIQUE (domain, selector)
);
CREATE UNIQUE INDEX mail_dkim_keys_one_active ON mail_dkim_keys (domain) WHERE state = 'active';
CREATE UNIQUE INDEX mail_dkim_keys_one_next ON mail_dkim_keys (domain) WHERE state = 'next';
