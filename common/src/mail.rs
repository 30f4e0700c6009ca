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
    /// A draft (opens in the composer).
    #[serde(default)]
    pub draft: bool,
    /// For sent messages with outside recipients: `queued`, `sent` or `failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<String>,
    /// In a conversation list: how many messages the conversation has in this folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_count: Option<i64>,
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
    /// Only known for messages written here (Sent, Drafts).
    #[serde(default)]
    pub bcc: Vec<String>,
    /// Where replies go, when the sender asked for another address than From.
    #[serde(default)]
    pub reply_to: Vec<String>,
    pub message_id: Option<String>,
    /// The plain-text body (converted from HTML when there is no text part).
    pub text: String,
    /// Whether an HTML body exists (shown from `/api/mail/messages/{id}/html`).
    pub has_html: bool,
    /// Whether the HTML would load images from the network (blocked until allowed).
    pub remote_images: bool,
    pub attachments: Vec<AttachmentInfo>,
    /// The relay delivery of a sent message with outside recipients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
    /// For a draft written as rich text: its HTML (cleaned), to continue in rich text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft_html: Option<String>,
    /// Why the reader should distrust the sender, when the server found a reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_warning: Option<SenderWarning>,
}

/// A reason to distrust who a message says it is from.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SenderWarning {
    /// It came from outside over SMTP, claiming an address of this server, without the
    /// sender having signed in.
    UnauthenticatedLocalSender,
    /// Its From domain asks receivers to quarantine or reject mail that fails DMARC (not
    /// sent from the domain's servers nor signed by it), and this message fails.
    FailedDmarc,
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

/// An attachment of an outgoing message: a file uploaded for it, or one taken over from a
/// stored message (the draft being edited, the message being forwarded).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AttachmentRef {
    Upload { id: String },
    Message { message_id: i64, index: usize },
}

/// A message being written: what the composer sends to save a draft or to send.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct OutgoingMessage {
    /// One of the user's addresses they may send as.
    pub from: String,
    #[serde(default)]
    pub to: Vec<String>,
    #[serde(default)]
    pub cc: Vec<String>,
    #[serde(default)]
    pub bcc: Vec<String>,
    #[serde(default)]
    pub subject: String,
    /// The plain-text body (also the alternative of a rich-text one).
    #[serde(default)]
    pub text: String,
    /// The rich-text body, if written as rich text (sanitized by the server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    #[serde(default)]
    pub attachments: Vec<AttachmentRef>,
    /// The stored message this answers (threads it and marks it answered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_reply_to: Option<i64>,
    /// The draft this replaces (removed once sent or saved again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft_id: Option<i64>,
}

/// Where an outgoing message is on its way to recipients outside this server.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Delivery {
    pub id: i64,
    /// `queued` (waiting or retrying), `sent` (the relay accepted it) or `failed`.
    pub state: String,
    pub recipients: Vec<String>,
    pub attempts: i64,
    pub last_error: Option<String>,
    /// Unix seconds of the next try while queued.
    pub next_attempt_at: Option<i64>,
}

/// What sending did: the copy in Sent, and the relay delivery when there are outside
/// recipients (local ones have their copy already).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct SentMessage {
    pub id: i64,
    pub delivery: Option<Delivery>,
}

/// A message to send later, or after the sender's undo window: kept as a draft in the
/// sending address's Drafts folder until then, editable and cancellable.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct NewScheduledSend {
    pub message: OutgoingMessage,
    /// Unix seconds; absent: after the user's undo window (`UserProfile::undo_send_seconds`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_at: Option<i64>,
}

/// Whether a scheduled message still waits for its time or could not be sent then.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ScheduledState {
    Waiting,
    /// Sending at the set time was refused (see `last_error`); change the time to try again.
    Failed,
}

impl ScheduledState {
    pub fn code(self) -> &'static str {
        match self {
            ScheduledState::Waiting => "waiting",
            ScheduledState::Failed => "failed",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "waiting" => Some(ScheduledState::Waiting),
            "failed" => Some(ScheduledState::Failed),
            _ => None,
        }
    }
}

/// A message waiting to be sent.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ScheduledSend {
    pub id: i64,
    /// The draft that will be sent (in the sending address's Drafts).
    pub draft_id: i64,
    pub from: String,
    pub to: Vec<String>,
    pub subject: String,
    /// Unix seconds.
    pub send_at: i64,
    pub state: ScheduledState,
    pub last_error: Option<String>,
}

/// A new time for a scheduled message; absent: now.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ScheduleChange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_at: Option<i64>,
}

/// What cancelling a scheduled message left: its draft, to edit or send again.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct CancelledSend {
    pub draft_id: i64,
}

/// The longest undo window after Send, in seconds.
pub const MAX_UNDO_SEND_SECONDS: u16 = 30;
/// The undo window of a new account.
pub const DEFAULT_UNDO_SEND_SECONDS: u16 = 10;

/// A saved draft.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct SavedDraft {
    pub id: i64,
    /// Unix seconds.
    pub saved_at: i64,
    /// The attachments as they are now kept in the draft, in the same order: what the
    /// composer sends next time (uploads are used up by saving).
    pub attachments: Vec<AttachmentRef>,
}

/// A file uploaded to attach to a message.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct UploadedFile {
    pub id: String,
    pub name: String,
    pub content_type: String,
    pub size: i64,
}

/// One of the user's addresses, with what they may do with it and their signatures there.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct MailAddress {
    pub address: String,
    /// `read`, `send` or `manage`.
    pub permission: String,
    /// The user's signatures for this address, oldest first.
    #[serde(default)]
    pub signatures: Vec<MailSignature>,
    /// Put below new messages; `None`: no signature.
    #[serde(default)]
    pub new_signature: Option<i64>,
    /// Put below replies and forwards; `None`: no signature.
    #[serde(default)]
    pub reply_signature: Option<i64>,
    /// Whether an automatic reply answers mail to this address right now.
    #[serde(default)]
    pub auto_reply_on: bool,
}

/// An address's automatic reply (out of office): answered at most once per sender per
/// `interval_days`, never to lists, bulk or automatic mail (RFC 3834).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AutoReply {
    pub enabled: bool,
    /// First day it answers (`YYYY-MM-DD`, in the time zone of whoever sets it); none: now.
    pub starts_on: Option<String>,
    /// Last day it answers, included; none: until turned off.
    pub ends_on: Option<String>,
    /// Empty: "Re: " and the subject of the message answered.
    pub subject: String,
    pub text: String,
    /// A rich version of `text`; sanitized when saved.
    #[serde(default)]
    pub html: Option<String>,
    pub interval_days: u16,
}

/// Where an address's mail goes besides (or instead of) its inbox.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Redirect {
    /// Addresses every arriving message is sent on to; empty: no redirection.
    pub targets: Vec<String>,
    /// Whether the address keeps its own copy.
    pub keep_copy: bool,
}

/// An alias to add to an address: a local part (in the mail domain) or a full address.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct NewAlias {
    pub alias: String,
}

/// An address's aliases and redirection, as its users see them.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AddressRouting {
    /// Other addresses delivering into this one.
    pub aliases: Vec<String>,
    pub redirect: Redirect,
}

impl Default for AutoReply {
    fn default() -> Self {
        AutoReply {
            enabled: false,
            starts_on: None,
            ends_on: None,
            subject: String::new(),
            text: String::new(),
            html: None,
            interval_days: 4,
        }
    }
}

impl MailAddress {
    /// The signature to start a message with: the one for replies or for new mail.
    pub fn default_signature(&self, reply: bool) -> Option<&MailSignature> {
        let id = if reply {
            self.reply_signature
        } else {
            self.new_signature
        }?;
        self.signatures.iter().find(|s| s.id == id)
    }
}

/// One of a user's signatures for an address ("Work", "Short", "Legal").
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct MailSignature {
    pub id: i64,
    pub name: String,
    /// Plain text; messages get a `-- ` separator line above it unless it starts with one.
    pub body: String,
}

/// A new or changed signature.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct SignatureInput {
    pub name: String,
    pub body: String,
}

/// Which signatures new messages and replies start with; `None`: none.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct SignatureDefaults {
    #[serde(default)]
    pub new_signature: Option<i64>,
    #[serde(default)]
    pub reply_signature: Option<i64>,
}

/// What a filter condition looks at.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FilterField {
    From,
    To,
    Subject,
    Body,
    /// The message size in KiB.
    Size,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FilterOp {
    Contains,
    NotContains,
    Is,
    /// For size: larger than `value` KiB.
    Greater,
    /// For size: smaller than `value` KiB.
    Less,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct FilterCondition {
    pub field: FilterField,
    pub op: FilterOp,
    pub value: String,
}

/// What a matching filter does; several may apply in order.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum FilterAction {
    /// Into the folder of the receiving address with this name, or this system role
    /// (`archive`, `spam`, …).
    Move {
        folder: String,
    },
    MarkRead,
    Flag,
    /// A copy to another address.
    Forward {
        to: String,
    },
    /// Into the Trash.
    Delete,
}

/// A rule applied to messages arriving at the user's addresses, in order.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct MailFilter {
    pub id: i64,
    pub name: String,
    pub enabled: bool,
    /// All conditions must hold (else any one).
    pub match_all: bool,
    pub conditions: Vec<FilterCondition>,
    pub actions: Vec<FilterAction>,
    /// Later filters are skipped once this one matched.
    pub stop: bool,
}

/// A filter to create or replace.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct FilterInput {
    pub name: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default = "yes")]
    pub match_all: bool,
    pub conditions: Vec<FilterCondition>,
    pub actions: Vec<FilterAction>,
    #[serde(default)]
    pub stop: bool,
}

fn yes() -> bool {
    true
}

/// The order filters apply in.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct FilterOrder {
    pub ids: Vec<i64>,
}

/// A user's access to an address, as an administrator sees it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AddressUser {
    pub user_id: i64,
    pub email: String,
    pub display_name: String,
    /// `read`, `send` (send as, includes read) or `manage` (includes send).
    pub permission: String,
}

/// An address of the server, for administrators.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AdminAddress {
    pub id: i64,
    pub address: String,
    pub users: Vec<AddressUser>,
    /// Messages stored in its folders.
    pub messages: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct NewAddress {
    /// `name@domain` in the server's mail domain, or just the local part.
    pub address: String,
}

/// Gives (or changes) a user's access to an address.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct GrantAddress {
    /// The account's sign-in e-mail.
    pub email: String,
    pub permission: String,
}

/// A folder to create in one of the user's addresses.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct NewFolder {
    pub address: String,
    pub name: String,
    /// The folder it goes in (of the same address); `None` for the top level.
    #[serde(default)]
    pub parent_id: Option<i64>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct RenameFolder {
    pub name: String,
}

/// What an `.mbox` or `.eml` import into a folder did. Messages already in the folder
/// (same Message-ID, or the same bytes) are counted, not filed twice, so an interrupted
/// import can simply be run again.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct MailImportReport {
    pub imported: u32,
    pub duplicates: u32,
    /// Messages larger than the server's message size limit, left out.
    pub too_large: u32,
    /// Pieces that were not a mail message (no header block), left out.
    pub unreadable: u32,
    /// The mailbox filled up: the import stopped there and the rest was not filed.
    pub stopped_full: bool,
}

/// Most messages one bulk change may name (a folder's selection is sent in parts).
pub const MAX_BULK_MESSAGES: usize = 1000;

/// What a bulk change does to each selected message.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BulkAction {
    MarkRead,
    MarkUnread,
    Flag,
    Unflag,
    /// Into another folder of the same address.
    Move {
        folder_id: i64,
    },
    /// Into its address's Archive.
    Archive,
    /// Into its address's Spam (and teaches the spam filter).
    Spam,
    /// Out of Spam into its address's Inbox (and teaches the spam filter).
    NotSpam,
    /// Into the Trash; from the Trash, deleted (still restorable for the retention period).
    Delete,
}

/// The same change to several messages, all or none: a message the caller may not
/// change refuses the whole request.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct BulkChange {
    pub ids: Vec<i64>,
    pub action: BulkAction,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct BulkOutcome {
    /// Messages changed (ones already as asked count too).
    pub changed: u32,
}

/// Where a DKIM key is in its life.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DkimKeyState {
    /// Prepared: publish its DNS record, then switch to it.
    Next,
    /// Signs outgoing mail now.
    Active,
    /// Replaced; keep its DNS record a few days for mail still on its way.
    Retired,
}

/// A DKIM key of the mail domain, with the DNS record that makes its signatures check.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct DkimKey {
    pub domain: String,
    pub selector: String,
    pub state: DkimKeyState,
    /// `<selector>._domainkey.<domain>`
    pub dns_name: String,
    /// The TXT record's value: `v=DKIM1; k=rsa; p=…`
    pub dns_value: String,
    /// Unix seconds.
    pub created_at: i64,
}

/// How to reach another mail server.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, Default)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FetchSecurity {
    /// TLS from the first byte (port 993).
    #[default]
    Tls,
    /// Plain, then STARTTLS before signing in (port 143).
    StartTls,
}

/// Bring the mail of an account on another IMAP server into one of the user's addresses.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct NewMailFetch {
    /// The user's address that receives the mail.
    pub address: String,
    pub host: String,
    pub port: u16,
    #[serde(default)]
    pub security: FetchSecurity,
    pub username: String,
    pub password: String,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MailFetchState {
    Waiting,
    Running,
    Done,
    Failed,
}

/// A fetch from another server and how far it got.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct MailFetch {
    pub id: i64,
    pub address: String,
    pub host: String,
    pub username: String,
    pub state: MailFetchState,
    /// Messages looked at so far, and in all folders seen so far.
    pub done: i64,
    pub total: i64,
    /// Of those, new here (the rest were already here).
    pub imported: i64,
    /// Why it failed, for the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub created_at: i64,
}
