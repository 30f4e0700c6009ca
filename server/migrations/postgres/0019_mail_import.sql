-- Imports look up a folder's message by Message-ID to skip what is already there (an
-- interrupted import run again files only the rest).
CREATE INDEX messages_message_id_idx ON messages (mailbox_id, message_id) WHERE message_id IS NOT NULL;
