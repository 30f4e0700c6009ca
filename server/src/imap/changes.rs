//! What IMAP changes in the store: flags (STORE), new messages (APPEND, COPY), moves and
//! expunges. Each runs in one transaction and follows the webmail's rules: moves stay
//! within one address, expunged messages go to the Trash (and from the Trash are deleted,
//! still restorable), and every write bumps MODSEQ so other sessions and the webmail see
//! it.

use super::folders::{Folder, Role};
use super::messages::{self, Flags, Msg};
use crate::error::ApiError;
use crate::mail::{blobs, index, store};
use crate::state::AppState;

/// Why a change was refused (sent to the client as NO with this text).
#[derive(Debug)]
pub struct Refusal(pub &'static str, pub String);

impl Refusal {
    fn new(code: &'static str, text: impl Into<String>) -> Refusal {
        Refusal(code, text.into())
    }
}

pub type Outcome<T> = Result<Result<T, Refusal>, ApiError>;

/// Writes new flags for the messages that change; returns the rows as they are now.
pub async fn store_flags(
    state: &AppState,
    folder: &Folder,
    updates: Vec<(Msg, Flags)>,
) -> Result<Vec<Msg>, ApiError> {
    let mut tx = crate::db::begin_write(&state.db).await?;
    let mut out = Vec::with_capacity(updates.len());
    for (mut m, f) in updates {
        if Flags::of(&m) != f {
            m.modseq = messages::write_flags(&mut tx, folder.id, m.id, &f).await?;
            m.seen = f.seen;
            m.flagged = f.flagged;
            m.answered = f.answered;
            m.draft = f.draft;
            m.flag_deleted = f.deleted;
            m.keywords = f.keywords.join(" ");
        }
        out.push(m);
    }
    tx.commit().await?;
    Ok(out)
}

/// Files bytes sent by the client (APPEND) exactly as sent; returns the new UID. A mail
/// app's own copy of a message the server already filed in Sent (submission keeps one)
/// is recognised by Message-ID and not stored twice.
pub async fn append(
    state: &AppState,
    folder: &Folder,
    raw: &[u8],
    flags: &Flags,
    internal_date: Option<i64>,
) -> Outcome<u32> {
    let arrival = internal_date.map_or(Arrival::Now, Arrival::At);
    Ok(
        file(state, folder, raw, flags, arrival, SameMessage::SentCopy)
            .await?
            .map(Filed::uid),
    )
}

/// When a newly filed message arrived, as lists sort it.
#[derive(Clone, Copy, Debug)]
pub enum Arrival {
    Now,
    At(i64),
    /// Its Date header (imported mail keeps its place in time), else now.
    SentDate,
}

/// Which earlier copy of the same message makes a new one redundant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SameMessage {
    /// A mail app's copy, in Sent, of what submission filed there minutes ago.
    SentCopy,
    /// Any live message of the folder with the same bytes or Message-ID (imports).
    AnyInFolder,
}

/// The outcome of filing one message.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Filed {
    New(u32),
    AlreadyThere(u32),
}

impl Filed {
    pub fn uid(self) -> u32 {
        match self {
            Filed::New(uid) | Filed::AlreadyThere(uid) => uid,
        }
    }
}

/// Files `raw` into `folder` in one transaction, after the access, size and quota checks.
pub async fn file(
    state: &AppState,
    folder: &Folder,
    raw: &[u8],
    flags: &Flags,
    arrival: Arrival,
    same: SameMessage,
) -> Outcome<Filed> {
    if !folder.writable {
        return Ok(Err(Refusal::new(
            "NOPERM",
            "This folder is read-only for you",
        )));
    }
    if raw.len() > state.settings.max_message_size {
        return Ok(Err(Refusal::new(
            "TOOBIG",
            "Message too large for this server",
        )));
    }
    let size = i64::try_from(raw.len()).unwrap_or(i64::MAX);
    let owned = raw.to_vec();
    let idx = tokio::task::spawn_blocking(move || index::index(&owned, ""))
        .await
        .map_err(ApiError::internal)?;
    let earlier = match same {
        SameMessage::SentCopy => match (folder.role, idx.message_id.as_deref()) {
            (Some(Role::Sent), Some(mid)) => {
                messages::recent_with_message_id(
                    &state.db,
                    folder.id,
                    mid,
                    crate::now_unix() - SENT_COPY_WINDOW_SECS,
                )
                .await?
            }
            _ => None,
        },
        SameMessage::AnyInFolder => {
            messages::same_in_folder(
                &state.db,
                folder.id,
                &blobs::digest_of(raw),
                idx.message_id.as_deref(),
            )
            .await?
        }
    };
    if let Some(uid) = earlier {
        return Ok(Ok(Filed::AlreadyThere(u32::try_from(uid).unwrap_or(0))));
    }
    if !state
        .mail_usage
        .has_room(&state.db, folder.address_id, size)
        .await?
    {
        return Ok(Err(Refusal::new("OVERQUOTA", "The mailbox is full")));
    }
    let stored = blobs::store(&state.db, &state.settings.blobs, raw)
        .await
        .map_err(ApiError::internal)?;
    let mut idx = idx;
    if idx.thread_id.is_empty() {
        idx.thread_id = stored.digest.clone();
    }
    let received_at = match arrival {
        Arrival::Now => None,
        Arrival::At(at) => Some(at),
        Arrival::SentDate => idx.sent_at,
    };
    let mut tx = crate::db::begin_write(&state.db).await?;
    let new_flags = store::NewFlags {
        seen: flags.seen,
        draft: flags.draft,
    };
    let id =
        store::insert_message(&mut tx, folder.id, &stored.digest, size, &idx, new_flags).await?;
    messages::write_flags(&mut tx, folder.id, id, flags).await?;
    if let Some(at) = received_at {
        crate::on_db!(&mut tx, |dbc| sqlx::query(
            "UPDATE messages SET received_at = $1 WHERE id = $2"
        )
        .bind(at)
        .bind(id)
        .execute(dbc)
        .await
        .map(crate::db::Done::from))?;
    }
    tx.commit().await?;
    stored.release().await;
    state.mail_usage.forget(&[folder.address_id]);
    let uid = messages::uid_of(&state.db, id).await?.unwrap_or(0);
    Ok(Ok(Filed::New(u32::try_from(uid).unwrap_or(0))))
}

/// How long after submission a mail app's APPEND of the same message to Sent is taken
/// as its own copy of it.
const SENT_COPY_WINDOW_SECS: i64 = 600;

/// Copies messages into `target`; returns `(source UID, new UID)` pairs in order.
pub async fn copy(state: &AppState, rows: &[Msg], target: &Folder) -> Outcome<Vec<(u32, u32)>> {
    if !target.writable {
        return Ok(Err(Refusal::new(
            "NOPERM",
            "The target folder is read-only for you",
        )));
    }
    let total: i64 = rows.iter().map(|m| m.size).sum();
    if !state
        .mail_usage
        .has_room(&state.db, target.address_id, total)
        .await?
    {
        return Ok(Err(Refusal::new("OVERQUOTA", "The target mailbox is full")));
    }
    let mut pairs = Vec::with_capacity(rows.len());
    for m in rows {
        let raw = blobs::read(&state.settings.blobs, &m.blob)
            .await
            .map_err(ApiError::internal)?;
        let digest = m.blob.clone();
        let idx = tokio::task::spawn_blocking(move || index::index(&raw, &digest))
            .await
            .map_err(ApiError::internal)?;
        let mut tx = crate::db::begin_write(&state.db).await?;
        let flags = Flags::of(m);
        let id = store::insert_message(
            &mut tx,
            target.id,
            &m.blob,
            m.size,
            &idx,
            store::NewFlags {
                seen: flags.seen,
                draft: flags.draft,
            },
        )
        .await?;
        messages::write_flags(&mut tx, target.id, id, &flags).await?;
        crate::on_db!(&mut tx, |dbc| sqlx::query(
            "UPDATE messages SET received_at = $1 WHERE id = $2"
        )
        .bind(m.received_at)
        .bind(id)
        .execute(dbc)
        .await
        .map(crate::db::Done::from))?;
        tx.commit().await?;
        let uid = messages::uid_of(&state.db, id).await?.unwrap_or(0);
        pairs.push((
            u32::try_from(m.uid).unwrap_or(0),
            u32::try_from(uid).unwrap_or(0),
        ));
    }
    state.mail_usage.forget(&[target.address_id]);
    Ok(Ok(pairs))
}

/// Moves messages to another folder of the same address (into the Trash they remember
/// where they came from, for a restore); returns `(old UID, new UID)` pairs.
pub async fn move_to(
    state: &AppState,
    source: &Folder,
    rows: &[Msg],
    target: &Folder,
) -> Outcome<Vec<(u32, u32)>> {
    if !source.writable || !target.writable {
        return Ok(Err(Refusal::new(
            "NOPERM",
            "Moving needs write access to both folders",
        )));
    }
    if source.address_id != target.address_id {
        return Ok(Err(Refusal::new(
            "CANNOT",
            "Messages move between folders of the same address; copy them instead",
        )));
    }
    let remember = target.role == Some(Role::Trash);
    let mut tx = crate::db::begin_write(&state.db).await?;
    for m in rows {
        store::refile(&mut tx, m.id, target.id, remember).await?;
    }
    tx.commit().await?;
    let mut pairs = Vec::with_capacity(rows.len());
    for m in rows {
        let uid = messages::uid_of(&state.db, m.id).await?.unwrap_or(0);
        pairs.push((
            u32::try_from(m.uid).unwrap_or(0),
            u32::try_from(uid).unwrap_or(0),
        ));
    }
    Ok(Ok(pairs))
}

/// Removes the messages marked \Deleted the way the webmail deletes: from the Trash they
/// are deleted (restorable for the retention period), from elsewhere they go to the
/// Trash, unmarked.
pub async fn expunge(state: &AppState, folder: &Folder, rows: &[Msg]) -> Outcome<()> {
    if !folder.writable {
        return Ok(Err(Refusal::new(
            "NOPERM",
            "This folder is read-only for you",
        )));
    }
    let doomed: Vec<&Msg> = rows.iter().filter(|m| m.flag_deleted).collect();
    if doomed.is_empty() {
        return Ok(Ok(()));
    }
    let mut tx = crate::db::begin_write(&state.db).await?;
    if folder.role == Some(Role::Trash) {
        let modseq = store::next_modseq(&mut tx, folder.id).await?;
        for m in &doomed {
            crate::on_db!(&mut tx, |dbc| {
                sqlx::query(
                "UPDATE messages SET deleted_at = $1, modseq = $2 WHERE id = $3 AND mailbox_id = $4",
            )
            .bind(crate::now_unix())
            .bind(modseq)
            .bind(m.id)
            .bind(folder.id)
            .execute(dbc).await.map(crate::db::Done::from)
            })?;
        }
    } else {
        let trash = store::folder_with_role(&mut tx, folder.address_id, "trash").await?;
        for m in &doomed {
            crate::on_db!(&mut tx, |dbc| sqlx::query(
                "UPDATE messages SET flag_deleted = FALSE WHERE id = $1"
            )
            .bind(m.id)
            .execute(dbc)
            .await
            .map(crate::db::Done::from))?;
            store::refile(&mut tx, m.id, trash, true).await?;
        }
    }
    tx.commit().await?;
    Ok(Ok(()))
}
