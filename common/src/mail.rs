//! Mail: folders, message lists (keyset pages) and messages.

use serde::{Deserialize, Serialize};

/// A folder of one of the user's addresses, with its counts.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct MailFolder {
    pub id: i64,
    /// The address the folder belongs to.
    pub address: String,
    pub name: String,
    /// `inbox`, `drafts`, `sent`, `archive`, `spam`, `trash`; `None` for the user's own.
    pub role: Option<String>,
    pub parent_id: Option<i64>,
    pub unread: i64,
    pub total: i64,
}

/// One line of a message list.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct MessageSummary {
    pub id: i64,
    pub folder_id: i64,
    pub from_name: Option<String>,
    pub from_address: Option<String>,
    pub to: Vec<String>,
    pub subject: String,
    pub snippet: String,
    /// Unix seconds: when it arrived here.
    pub received_at: i64,
    /// Unix seconds of its Date header, if readable.
    pub sent_at: Option<i64>,
    pub size: i64,
    pub seen: bool,
    pub flagged: bool,
    pub answered: bool,
    pub has_attachments: bool,
    /// Messages of one conversation share it.
    pub thread_id: String,
}

/// A page of a folder, newest first; `next` continues after the last one.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct MessagePage {
    pub messages: Vec<MessageSummary>,
    /// Opaque cursor for the next page (`before=`), `None` at the end.
    pub next: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AttachmentInfo {
    pub index: usize,
    pub name: String,
    pub content_type: String,
    pub size: usize,
}

/// A message to read.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct MessageDetail {
    pub summary: MessageSummary,
    pub cc: Vec<String>,
    pub message_id: Option<String>,
    /// The plain-text body (converted from HTML when there is no text part).
    pub text: String,
    /// Whether an HTML body exists (shown from `/api/mail/messages/{id}/html`).
    pub has_html: bool,
    /// Whether the HTML would load images from the network (blocked until allowed).
    pub remote_images: bool,
    pub attachments: Vec<AttachmentInfo>,
}

/// Flags to change on a message; absent ones stay.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct MessageFlags {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flagged: Option<bool>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct MoveMessage {
    pub folder_id: i64,
}
