-- Stored message bytes shared by processes (see server/src/mail/blobs.rs).
-- A writer pins a digest before storing its bytes and unpins it once the row naming it is
-- committed; a pin left by a crashed writer lapses at `until`.
CREATE TABLE blob_pins (
    id    INTEGER PRIMARY KEY,
    blob  TEXT    NOT NULL,
    until INTEGER NOT NULL
);
CREATE INDEX blob_pins_blob ON blob_pins (blob);

-- Digests no row may need any more, waiting for their bytes to be removed (at once if
-- nothing pins them, else by the periodic sweep).
CREATE TABLE blob_garbage (
    blob  TEXT    PRIMARY KEY,
    since INTEGER NOT NULL
);
