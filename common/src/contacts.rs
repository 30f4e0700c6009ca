//! Address books and contacts. Each contact is stored as its vCard (the truth); these
//! are the fields the app edits, shows and searches.

use serde::{Deserialize, Serialize};

use crate::CalendarAccess;

/// What kind of address book this is for the signed-in user.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AddressBookKind {
    Personal,
    Shared,
    /// The read-only directory of the organization's members (all users of this server).
    Directory,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AddressBookInfo {
    /// [`DIRECTORY_ID`] for the directory.
    pub id: i64,
    pub name: String,
    pub kind: AddressBookKind,
    pub is_default: bool,
    /// Same access levels as calendars.
    pub access: CalendarAccess,
    pub owner_email: Option<String>,
}

/// The id under which the organization directory is listed.
pub const DIRECTORY_ID: i64 = 0;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct CreateAddressBookRequest {
    pub name: String,
}

/// A value with its type (`home`, `work`, `cell`, …).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct TypedValue {
    #[serde(default)]
    pub kind: Option<String>,
    pub value: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PostalAddress {
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub street: String,
    #[serde(default)]
    pub locality: String,
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub postal_code: String,
    #[serde(default)]
    pub country: String,
}

/// A contact as the editor sees it.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ContactInput {
    #[serde(default)]
    pub prefix: String,
    #[serde(default)]
    pub given_name: String,
    #[serde(default)]
    pub additional_names: String,
    #[serde(default)]
    pub family_name: String,
    #[serde(default)]
    pub suffix: String,
    /// Shown name; derived from the name parts when empty.
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub nickname: Option<String>,
    #[serde(default)]
    pub organization: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub emails: Vec<TypedValue>,
    #[serde(default)]
    pub phones: Vec<TypedValue>,
    #[serde(default)]
    pub addresses: Vec<PostalAddress>,
    /// `YYYY-MM-DD`, or `--MM-DD` without a year.
    #[serde(default)]
    pub birthday: Option<String>,
    #[serde(default)]
    pub anniversary: Option<String>,
    #[serde(default)]
    pub urls: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// Groups (vCard CATEGORIES) the contact belongs to.
    #[serde(default)]
    pub groups: Vec<String>,
}

/// A stored contact.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Contact {
    pub uid: String,
    pub book_id: i64,
    pub etag: String,
    /// An embedded photo is served at `…/contacts/{uid}/photo`.
    pub has_photo: bool,
    #[serde(flatten)]
    pub fields: ContactInput,
}

/// Largest photo accepted (the vCard carries it, base64-encoded, to every synced device).
pub const MAX_PHOTO_BYTES: usize = 1024 * 1024;

/// A line of the contact list.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ContactSummary {
    pub uid: String,
    pub book_id: i64,
    pub display_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub organization: Option<String>,
    pub groups: Vec<String>,
}

#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContactSort {
    #[default]
    FirstName,
    LastName,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ContactImportReport {
    pub imported: u32,
    pub skipped: Vec<crate::SkippedItem>,
}
