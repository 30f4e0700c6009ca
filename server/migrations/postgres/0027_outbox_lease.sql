-- A relay attempt claims its message (state 'sending') until `lease_until`, so that of
-- several ksuite processes one sends it; a claim whose process died runs out and the
-- message is sent again.
ALTER TABLE mail_outbox ADD COLUMN lease_until BIGINT;
