-- Server administrators (they manage mail addresses). The first account on a server is
-- its administrator; on an existing server, the oldest account becomes one.
ALTER TABLE users ADD COLUMN is_admin BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE users SET is_admin = TRUE WHERE id = (SELECT MIN(id) FROM users);
