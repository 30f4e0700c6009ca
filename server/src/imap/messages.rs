//! The messages of one folder as IMAP needs them: UIDs in order, flags with MODSEQ,
//! what changed or left since a MODSEQ. Every query names the folder; the session only
//! holds folders the user may read (writes check `Folder::writable` first).

use crate::db::Db;
use crate::error::ApiError;

/// A message's IMAP state (no body: that is read from its blob when asked for).
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct Msg {
    pub id: i64,
    pub uid: i64,
    pub modseq: i64,
    pub blob: String,
    pub size: i64,
    pub seen: bool,
    pub flagged: bool,
    pub answered: bool,
    pub draft: bool,
    pub flag_deleted: bool,
    pub keywords: String,
    pub received_at: i64,
    pub sent_at: Option<i64>,
    pub from_address: Option<String>,
    pub from_name: Option<String>,
    pub to_addresses: String,
    pub cc_addresses: String,
    pub subject: String,
}

const COLUMNS: &str = "id, uid, modseq, blob, size, seen, flagged, answered, draft, flag_deleted, keywords, \
received_at, sent_at, from_address, from_name, to_addresses, cc_addresses, subject";

/// Live messages (not deleted from the Trash) are the ones IMAP shows.
const LIVE: &str = "deleted_at IS NULL";

/// `(highest MODSEQ, UIDNEXT)` of a folder.
pub async fn folder_state(db: &Db, mailbox_id: i64) -> Result<(i64, i64), ApiError> {
    Ok(crate::on_db!(db, |dbc| sqlx::query_as(
        "SELECT highest_modseq, uidnext FROM mailboxes WHERE id = $1"
    )
    .bind(mailbox_id)
    .fetch_optional(dbc)
    .await)?
    .unwrap_or((0, 1)))
}

/// The UIDs of the folder's messages, ascending (message sequence numbers are positions
/// in this list).
pub async fn live_uids(db: &Db, mailbox_id: i64) -> Result<Vec<u32>, ApiError> {
    let uids: Vec<i64> = crate::on_db!(db, |dbc| sqlx::query_scalar(&format!(
        "SELECT uid FROM messages WHERE mailbox_id = $1 AND {LIVE} ORDER BY uid"
    ))
    .bind(mailbox_id)
    .fetch_all(dbc)
    .await)?;
    Ok(uids
        .into_iter()
        .filter_map(|u| u32::try_from(u).ok())
        .collect())
}

/// Messages with UIDs in `lo..=hi`, ascending.
pub async fn in_uid_range(
    db: &Db,
    mailbox_id: i64,
    lo: u32,
    hi: u32,
) -> Result<Vec<Msg>, ApiError> {
    Ok(crate::on_db!(db, |dbc| {
        sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM messages WHERE mailbox_id = $1 AND {LIVE} AND uid BETWEEN $2 AND $3 ORDER BY uid"
    ))
    .bind(mailbox_id)
    .bind(i64::from(lo))
    .bind(i64::from(hi))
    .fetch_all(dbc).await
    })?)
}

/// Messages whose flags (or anything) changed after `modseq`.
pub async fn changed_since(db: &Db, mailbox_id: i64, modseq: i64) -> Result<Vec<Msg>, ApiError> {
    Ok(crate::on_db!(db, |dbc| {
        sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM messages WHERE mailbox_id = $1 AND {LIVE} AND modseq > $2 ORDER BY uid"
    ))
    .bind(mailbox_id)
    .bind(modseq)
    .fetch_all(dbc).await
    })?)
}

/// UIDs that left the folder after `modseq` (QRESYNC VANISHED), ascending.
pub async fn vanished_since(db: &Db, mailbox_id: i64, modseq: i64) -> Result<Vec<u32>, ApiError> {
    let uids: Vec<i64> = crate::on_db!(db, |dbc| {
        sqlx::query_scalar(
        "SELECT DISTINCT uid FROM mail_expunged WHERE mailbox_id = $1 AND modseq > $2 ORDER BY uid",
    )
    .bind(mailbox_id)
    .bind(modseq)
    .fetch_all(dbc).await
    })?;
    Ok(uids
        .into_iter()
        .filter_map(|u| u32::try_from(u).ok())
        .collect())
}

/// What STATUS and SELECT report besides UIDs.
pub struct Counts {
    pub messages: u32,
    pub unseen: u32,
    pub deleted: u32,
    pub first_unseen_uid: Option<u32>,
}

pub async fn counts(db: &Db, mailbox_id: i64) -> Result<Counts, ApiError> {
    let (messages, unseen, deleted, first): (i64, i64, i64, Option<i64>) = crate::on_db!(
        db,
        |dbc| {
            sqlx::query_as(&format!(
            "SELECT COUNT(*), COUNT(CASE WHEN NOT seen THEN 1 END), COUNT(CASE WHEN flag_deleted THEN 1 END), \
         MIN(CASE WHEN NOT seen THEN uid END) FROM messages WHERE mailbox_id = $1 AND {LIVE}"
        ))
        .bind(mailbox_id)
        .fetch_one(dbc)
        .await
        }
    )?;
    let n = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
    Ok(Counts {
        messages: n(messages),
        unseen: n(unseen),
        deleted: n(deleted),
        first_unseen_uid: first.and_then(|u| u32::try_from(u).ok()),
    })
}

/// A message's flags as IMAP knows them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Flags {
    pub seen: bool,
    pub flagged: bool,
    pub answered: bool,
    pub draft: bool,
    pub deleted: bool,
    /// Keywords, sorted, without duplicates.
    pub keywords: Vec<String>,
}

/// Keywords one message may carry, and their longest name.
pub const MAX_KEYWORDS: usize = 64;
pub const MAX_KEYWORD_LEN: usize = 100;

impl Flags {
    pub fn of(m: &Msg) -> Flags {
        Flags {
            seen: m.seen,
            flagged: m.flagged,
            answered: m.answered,
            draft: m.draft,
            deleted: m.flag_deleted,
            keywords: m.keywords.split_whitespace().map(str::to_string).collect(),
        }
    }
}

/// Writes a message's flags with a fresh MODSEQ of its folder; returns the MODSEQ.
pub async fn write_flags(
    tx: &mut crate::db::Conn,
    mailbox_id: i64,
    id: i64,
    f: &Flags,
) -> Result<i64, ApiError> {
    let modseq = crate::mail::store::next_modseq(&mut *tx, mailbox_id).await?;
    crate::on_db!(&mut *tx, |dbc| {
        sqlx::query(
        "UPDATE messages SET seen = $1, flagged = $2, answered = $3, draft = $4, flag_deleted = $5, keywords = $6, \
         modseq = $7 WHERE id = $8 AND mailbox_id = $9",
    )
    .bind(f.seen)
    .bind(f.flagged)
    .bind(f.answered)
    .bind(f.draft)
    .bind(f.deleted)
    .bind(f.keywords.join(" "))
    .bind(modseq)
    .bind(id)
    .bind(mailbox_id)
    .execute(dbc).await.map(crate::db::Done::from)
    })?;
    Ok(modseq)
}

/// A message of the folder with this Message-ID that arrived since `since` (a mail app's
/// APPEND of its own Sent copy, when the server already filed one).
pub async fn recent_with_message_id(
    db: &Db,
    mailbox_id: i64,
    message_id: &str,
    since: i64,
) -> Result<Option<i64>, ApiError> {
    Ok(crate::on_db!(db, |dbc| {
        sqlx::query_scalar(&format!(
        "SELECT uid FROM messages WHERE mailbox_id = $1 AND {LIVE} AND received_at >= $2 AND message_id = $3 LIMIT 1"
    ))
    .bind(mailbox_id)
    .bind(since)
    .bind(message_id)
    .fetch_optional(dbc).await
    })?)
}

/// The UID of a live message in the folder with these exact bytes or this Message-ID:
/// an import run again finds what the first run filed.
pub async fn same_in_folder(
    db: &Db,
    mailbox_id: i64,
    digest: &str,
    message_id: Option<&str>,
) -> Result<Option<i64>, ApiError> {
    Ok(crate::on_db!(db, |dbc| {
        sqlx::query_scalar(&format!(
        "SELECT uid FROM messages WHERE mailbox_id = $1 AND {LIVE} AND (blob = $2 OR message_id = $3) LIMIT 1"
    ))
    .bind(mailbox_id)
    .bind(digest)
    .bind(message_id)
    .fetch_optional(dbc).await
    })?)
}

/// The UID a message has now (after a move or copy).
pub async fn uid_of(db: &Db, id: i64) -> Result<Option<i64>, ApiError> {
    Ok(crate::on_db!(db, |dbc| sqlx::query_scalar(
        "SELECT uid FROM messages WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(dbc)
    .await)?)
}
