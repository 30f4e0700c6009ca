-- A running fetch is its process's while `lease_until` is ahead (renewed every poll), so
-- that of several ksuite processes one runs it; a fetch whose process died is taken up
-- again once its lease runs out.
ALTER TABLE mail_fetches ADD COLUMN lease_until BIGINT;
