//! What calendars and address books share: who may do what with one ([`Grant`]), the
//! shares that grant it, the change sequence behind ctags and sync tokens, tombstones,
//! deletion and export. `calendar/` and `contacts/` keep only their formats and indexes.
//!
//! Every write here carries the caller's access in its own SQL, so a share revoked
//! between a check and a write cannot be written through.

pub mod access;
pub mod changes;
pub mod export;
pub mod handlers;
pub mod objects;
pub mod shares;
pub mod store;

pub use access::Grant;

/// Collections of events (calendars) or of contacts (address books).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Calendar,
    AddressBook,
}

/// Table and column names of one kind: the only text SQL is built from.
pub(crate) struct Tables {
    /// `calendars` / `address_books`.
    pub collections: &'static str,
    pub shares: &'static str,
    /// The column naming the collection in shares, objects and tombstones.
    pub key: &'static str,
    pub objects: &'static str,
    /// The object column holding its iCalendar or vCard text.
    pub source: &'static str,
    /// How an export lists the objects.
    pub export_order: &'static str,
    pub tombstones: &'static str,
}

const CALENDAR_TABLES: Tables = Tables {
    collections: "calendars",
    shares: "calendar_shares",
    key: "calendar_id",
    objects: "events",
    source: "ics",
    export_order: "start_utc, uid",
    tombstones: "event_tombstones",
};

const ADDRESS_BOOK_TABLES: Tables = Tables {
    collections: "address_books",
    shares: "address_book_shares",
    key: "book_id",
    objects: "contacts",
    source: "vcard",
    export_order: "lower(display_name)",
    tombstones: "contact_tombstones",
};

impl Kind {
    pub(crate) fn tables(self) -> &'static Tables {
        match self {
            Kind::Calendar => &CALENDAR_TABLES,
            Kind::AddressBook => &ADDRESS_BOOK_TABLES,
        }
    }

    /// The segment of this kind's home set under `/dav/`.
    pub fn home_segment(self) -> &'static str {
        match self {
            Kind::Calendar => "calendars",
            Kind::AddressBook => "addressbooks",
        }
    }

    /// "calendar" / "address book", for messages.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Calendar => "calendar",
            Kind::AddressBook => "address book",
        }
    }
}

#[cfg(test)]
mod tests;
