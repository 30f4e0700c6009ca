-- Conversation lists keep a message when it is the newest of its thread in the folder:
-- one descending seek on this index (ties on received_at broken by id), a plan that does
-- not depend on table statistics (a fresh PostgreSQL database has none until its first
-- ANALYZE, and an anti-join planned without them walked the whole folder per row).
DROP INDEX messages_thread_folder_idx;
CREATE INDEX messages_thread_folder_idx
    ON messages (thread_id, mailbox_id, received_at DESC, id DESC)
    WHERE deleted_at IS NULL;
