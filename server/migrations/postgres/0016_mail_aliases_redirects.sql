-- Other addresses that deliver into an address. An alias never equals an address (both
-- are checked in the write transaction that creates either).
CREATE TABLE mail_aliases (
    -- Lower-case local@domain.
    address    TEXT    NOT NULL,
    target_id  BIGINT NOT NULL REFERENCES mail_addresses (id) ON DELETE CASCADE DEFERRABLE,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL DEFERRABLE,
    created_at BIGINT NOT NULL,
    CONSTRAINT mail_aliases_pkey PRIMARY KEY (address)
);
CREATE INDEX mail_aliases_target_idx ON mail_aliases (target_id);

-- An address sending all its mail on to other addresses, keeping a copy or not.
CREATE TABLE mail_redirects (
    address_id BIGINT PRIMARY KEY REFERENCES mail_addresses (id) ON DELETE CASCADE DEFERRABLE,
    -- Lower-case addresses, one per line.
    targets    TEXT    NOT NULL,
    keep_copy  BOOLEAN NOT NULL,
    -- Whoever set it last: copies to outside addresses leave in their outbox.
    updated_by BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE DEFERRABLE,
    updated_at BIGINT NOT NULL
);
