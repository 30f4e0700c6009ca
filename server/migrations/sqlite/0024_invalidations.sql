-- What every ksuite process on this database must forget from memory, written by
-- triggers in the same transaction as the change itself, so no code path and no crash can
-- skip it. Each process reads new rows every --invalidation-poll-ms (see
-- server/src/invalidations.rs); rows older than ten minutes are trimmed.
--   topic 'credentials'            verified DAV/IMAP passwords (a password, an application
--                                  password, 2FA or an account's state changed)
--   topic 'link', name = slug      a short link's target, state or limits
--   topic 'dav_answers'            rendered DAV answers (time zone, directory, shares)
--   topic 'calendar'/'address_book', item = id, generation, version = ctag
--                                  a collection's latest version (9223372036854775807:
--                                  deleted)
CREATE TABLE invalidations (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    topic      TEXT    NOT NULL,
    item       INTEGER,
    generation INTEGER,
    version    INTEGER,
    name       TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX invalidations_created_idx ON invalidations (created_at);

CREATE TRIGGER invalidate_credentials_on_user AFTER UPDATE OF password_hash, totp_secret, disabled, email ON users
BEGIN
    INSERT INTO invalidations (topic, created_at) VALUES ('credentials', unixepoch());
END;
CREATE TRIGGER invalidate_credentials_on_user_delete AFTER DELETE ON users
BEGIN
    INSERT INTO invalidations (topic, created_at) VALUES ('credentials', unixepoch());
END;
CREATE TRIGGER invalidate_credentials_on_app_password AFTER DELETE ON app_passwords
BEGIN
    INSERT INTO invalidations (topic, created_at) VALUES ('credentials', unixepoch());
END;

CREATE TRIGGER invalidate_link_on_insert AFTER INSERT ON links
BEGIN
    INSERT INTO invalidations (topic, name, created_at) VALUES ('link', NEW.slug, unixepoch());
END;
CREATE TRIGGER invalidate_link_on_update AFTER UPDATE OF slug, url, expires_at, enabled, password_hash, max_visits ON links
BEGIN
    INSERT INTO invalidations (topic, name, created_at) VALUES ('link', OLD.slug, unixepoch());
    INSERT INTO invalidations (topic, name, created_at)
        SELECT 'link', NEW.slug, unixepoch() WHERE NEW.slug <> OLD.slug;
END;
CREATE TRIGGER invalidate_link_on_delete AFTER DELETE ON links
BEGIN
    INSERT INTO invalidations (topic, name, created_at) VALUES ('link', OLD.slug, unixepoch());
END;

CREATE TRIGGER invalidate_dav_on_profile AFTER UPDATE OF time_zone, display_name, directory_phone, directory_title, directory_department ON users
BEGIN
    INSERT INTO invalidations (topic, created_at) VALUES ('dav_answers', unixepoch());
END;
CREATE TRIGGER invalidate_dav_on_calendar_share_insert AFTER INSERT ON calendar_shares
BEGIN
    INSERT INTO invalidations (topic, created_at) VALUES ('dav_answers', unixepoch());
END;
CREATE TRIGGER invalidate_dav_on_calendar_share_update AFTER UPDATE ON calendar_shares
BEGIN
    INSERT INTO invalidations (topic, created_at) VALUES ('dav_answers', unixepoch());
END;
CREATE TRIGGER invalidate_dav_on_calendar_share_delete AFTER DELETE ON calendar_shares
BEGIN
    INSERT INTO invalidations (topic, created_at) VALUES ('dav_answers', unixepoch());
END;
CREATE TRIGGER invalidate_dav_on_book_share_insert AFTER INSERT ON address_book_shares
BEGIN
    INSERT INTO invalidations (topic, created_at) VALUES ('dav_answers', unixepoch());
END;
CREATE TRIGGER invalidate_dav_on_book_share_update AFTER UPDATE ON address_book_shares
BEGIN
    INSERT INTO invalidations (topic, created_at) VALUES ('dav_answers', unixepoch());
END;
CREATE TRIGGER invalidate_dav_on_book_share_delete AFTER DELETE ON address_book_shares
BEGIN
    INSERT INTO invalidations (topic, created_at) VALUES ('dav_answers', unixepoch());
END;

CREATE TRIGGER invalidate_calendar_version AFTER UPDATE OF ctag, generation ON calendars
BEGIN
    INSERT INTO invalidations (topic, item, generation, version, created_at)
        VALUES ('calendar', NEW.id, NEW.generation, NEW.ctag, unixepoch());
END;
CREATE TRIGGER invalidate_calendar_delete AFTER DELETE ON calendars
BEGIN
    INSERT INTO invalidations (topic, item, generation, version, created_at)
        VALUES ('calendar', OLD.id, OLD.generation, 9223372036854775807, unixepoch());
END;
CREATE TRIGGER invalidate_address_book_version AFTER UPDATE OF ctag, generation ON address_books
BEGIN
    INSERT INTO invalidations (topic, item, generation, version, created_at)
        VALUES ('address_book', NEW.id, NEW.generation, NEW.ctag, unixepoch());
END;
CREATE TRIGGER invalidate_address_book_delete AFTER DELETE ON address_books
BEGIN
    INSERT INTO invalidations (topic, item, generation, version, created_at)
        VALUES ('address_book', OLD.id, OLD.generation, 9223372036854775807, unixepoch());
END;
