-- CalDAV/CardDAV correctness.

-- Row ids of deleted calendars and address books are reused by SQLite, and ctags start at
-- 0 again: a random generation set at creation tells a re-created collection from the old
-- one in sync tokens and cached answers, so neither is ever taken for the other's.
ALTER TABLE calendars ADD COLUMN generation BIGINT NOT NULL DEFAULT 0;
ALTER TABLE address_books ADD COLUMN generation BIGINT NOT NULL DEFAULT 0;
UPDATE calendars SET generation = floor(random() * 281474976710655)::BIGINT + 1;
UPDATE address_books SET generation = floor(random() * 281474976710655)::BIGINT + 1;
-- PostgreSQL sets the generation before the row is written (SQLite updates it after).
CREATE FUNCTION new_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.generation := floor(random() * 281474976710655)::BIGINT + 1;
    RETURN NEW;
END $$;
CREATE TRIGGER calendars_generation BEFORE INSERT ON calendars
FOR EACH ROW WHEN (NEW.generation = 0) EXECUTE FUNCTION new_generation();
CREATE TRIGGER address_books_generation BEFORE INSERT ON address_books
FOR EACH ROW WHEN (NEW.generation = 0) EXECUTE FUNCTION new_generation();

-- The component kinds a calendar holds (MKCALENDAR's supported-calendar-component-set),
-- comma-separated.
ALTER TABLE calendars ADD COLUMN components TEXT NOT NULL DEFAULT 'VEVENT,VTODO';

-- What a user chose to publish in the organization directory (web app and the CardDAV
-- directory address book) besides their name and address. Empty: not published.
ALTER TABLE users ADD COLUMN directory_phone TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN directory_title TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN directory_department TEXT NOT NULL DEFAULT '';
