-- Conversation lists: the newest message of each thread in a folder, and thread sizes,
-- found by a seek instead of a walk over the thread.
CREATE INDEX messages_thread_folder_idx ON messages (thread_id, mailbox_id, received_at)
    WHERE deleted_at IS NULL;
