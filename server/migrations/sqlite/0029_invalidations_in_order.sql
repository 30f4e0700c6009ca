-- Twin of the PostgreSQL migration that makes invalidation rows commit in seq order.
-- SQLite has one writer at a time, so its rows already do: nothing to change.
SELECT 1;
