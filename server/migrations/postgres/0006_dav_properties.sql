-- Properties clients set on collections that ksuite does not interpret ("dead" properties,
-- RFC 4918 §4.2), e.g. Apple's calendar-order: kept and returned as they were sent.
CREATE TABLE calendar_properties (
    calendar_id BIGINT NOT NULL REFERENCES calendars (id) ON DELETE CASCADE DEFERRABLE,
    ns          TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    -- The property element's content as XML.
    value       TEXT    NOT NULL,
    CONSTRAINT calendar_properties_pkey PRIMARY KEY (calendar_id, ns, name)
);
CREATE TABLE address_book_properties (
    book_id BIGINT NOT NULL REFERENCES address_books (id) ON DELETE CASCADE DEFERRABLE,
    ns      TEXT    NOT NULL,
    name    TEXT    NOT NULL,
    value   TEXT    NOT NULL,
    CONSTRAINT address_book_properties_pkey PRIMARY KEY (book_id, ns, name)
);
