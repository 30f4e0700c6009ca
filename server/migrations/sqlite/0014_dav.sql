-- CalDAV/CardDAV correctness.

-- Row ids of deleted calendars and address books are reused by SQLite, and ctags start at
-- 0 again: a random generation set at creation tells a re-created collection from the old
-- one in sync tokens and cached answers, so neither is ever taken for the other's.
ALTER TABLE calendars ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE address_books ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
UPDATE calendars SET generation = (random() & 281474976710655) + 1;
UPDATE address_books SET generation = (random() & 281474976710655) + 1;
CREATE TRIGGER calendars_generation AFTER INSERT ON calendars WHEN NEW.generation = 0
BEGIN
    UPDATE calendars SET generation = (random() & 281474976710655) + 1 WHERE id = NEW.id;
END;
CREATE TRIGGER address_books_generation AFTER INSERT ON address_books WHEN NEW.generation = 0
BEGIN
    UPDATE address_books SET generation = (random() & 281474976710655) + 1 WHERE id = NEW.id;
END;

-- The component kinds a calendar holds (MKCALENDAR's supported-calendar-component-set),
-- comma-separated.
ALTER TABLE calendars ADD COLUMN components TEXT NOT NULL DEFAULT 'VEVENT,VTODO';

-- What a user chose to publish in the organization directory (web app and the CardDAV
-- directory address book) besides their name and address. Empty: not published.
ALTER TABLE users ADD COLUMN directory_phone TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN directory_title TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN directory_department TEXT NOT NULL DEFAULT '';
