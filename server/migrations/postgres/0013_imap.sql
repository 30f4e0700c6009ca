-- IMAP: the \Deleted flag and keywords, the UIDs that left each folder (for QRESYNC's
-- VANISHED), and which protocol last used an application password.

ALTER TABLE messages ADD COLUMN flag_deleted BOOLEAN NOT NULL DEFAULT FALSE;
-- Keywords ($Forwarded, $Junk, a user's own), space-separated, as the client wrote them.
ALTER TABLE messages ADD COLUMN keywords TEXT NOT NULL DEFAULT '';
-- What changed in a folder since a MODSEQ (CONDSTORE, QRESYNC, IDLE updates).
CREATE INDEX messages_modseq_idx ON messages (mailbox_id, modseq);

CREATE TABLE mail_expunged (
    mailbox_id BIGINT NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE DEFERRABLE,
    uid        BIGINT NOT NULL,
    modseq     BIGINT NOT NULL
);
CREATE INDEX mail_expunged_modseq_idx ON mail_expunged (mailbox_id, modseq);

-- A UID leaves its folder when the message is deleted for good, hidden (deleted from the
-- Trash), or moved (a new UID elsewhere). Each records the UID with a fresh MODSEQ of
-- the folder it left, whatever code path did it.
CREATE FUNCTION messages_expunge() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE mailboxes SET highest_modseq = highest_modseq + 1 WHERE id = OLD.mailbox_id;
    INSERT INTO mail_expunged (mailbox_id, uid, modseq)
        SELECT OLD.mailbox_id, OLD.uid, highest_modseq FROM mailboxes WHERE id = OLD.mailbox_id;
    RETURN NULL;
END $$;

CREATE TRIGGER messages_expunge_on_delete AFTER DELETE ON messages
FOR EACH ROW WHEN (OLD.deleted_at IS NULL)
EXECUTE FUNCTION messages_expunge();

CREATE TRIGGER messages_expunge_on_move AFTER UPDATE OF mailbox_id, uid, deleted_at ON messages
FOR EACH ROW WHEN (OLD.deleted_at IS NULL
     AND (NEW.deleted_at IS NOT NULL OR OLD.mailbox_id <> NEW.mailbox_id OR OLD.uid <> NEW.uid))
EXECUTE FUNCTION messages_expunge();

ALTER TABLE app_passwords ADD COLUMN last_used_protocol TEXT;

-- ENVELOPE, BODY and BODYSTRUCTURE of a stored message as sent to IMAP clients, made on
-- first FETCH (mail apps ask for them for every message when they list a folder). Keyed
-- by the content digest: a stored message never changes.
CREATE TABLE mail_imap_structure (
    blob          TEXT PRIMARY KEY,
    envelope      BYTEA NOT NULL,
    body          BYTEA NOT NULL,
    bodystructure BYTEA NOT NULL
);
