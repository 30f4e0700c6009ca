-- Several signatures per address and user, with one chosen for new messages and one for
-- replies and forwards. The single signature of 0008 becomes the first of them.

CREATE TABLE mail_signatures (
    id         INTEGER PRIMARY KEY,
    address_id INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    CONSTRAINT mail_signatures_member_fkey FOREIGN KEY (address_id, user_id)
        REFERENCES mail_address_users (address_id, user_id) ON DELETE CASCADE
);
CREATE INDEX mail_signatures_member_idx ON mail_signatures (address_id, user_id);

ALTER TABLE mail_address_users ADD COLUMN new_signature_id INTEGER
    REFERENCES mail_signatures (id) ON DELETE SET NULL;
ALTER TABLE mail_address_users ADD COLUMN reply_signature_id INTEGER
    REFERENCES mail_signatures (id) ON DELETE SET NULL;

INSERT INTO mail_signatures (address_id, user_id, name, body, created_at)
    SELECT address_id, user_id, 'Signature', signature, CAST(strftime('%s', 'now') AS INTEGER)
    FROM mail_address_users WHERE signature <> '';
UPDATE mail_address_users SET
    new_signature_id = (SELECT s.id FROM mail_signatures s
        WHERE s.address_id = mail_address_users.address_id
          AND s.user_id = mail_address_users.user_id),
    reply_signature_id = (SELECT s.id FROM mail_signatures s
        WHERE s.address_id = mail_address_users.address_id
          AND s.user_id = mail_address_users.user_id);

ALTER TABLE mail_address_users DROP COLUMN signature;
