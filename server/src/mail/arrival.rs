//! What happens when a message arrives for local addresses (over SMTP or sent by a local
//! user): it is filed in each inbox atomically, then the addresses' filters run on it,
//! then their automatic replies answer it.

use std::sync::Arc;

use tokio::sync::Notify;

use super::index::Indexed;
use super::routing::redirect;
use super::usage::MailUsage;
use super::{autoreply, filters, store};
use crate::clock::Clock;
use crate::db::Db;
use crate::error::ApiError;

/// What the steps after filing need; one per server, shared by SMTP and the API.
pub struct Mailroom {
    pub db: Db,
    /// Where message bytes live.
    pub blobs: crate::blobs::BlobStore,
    /// Wakes the relay queue (filters forward, automatic replies answer).
    pub wake: Arc<Notify>,
    pub usage: Arc<MailUsage>,
    pub clock: Clock,
    /// Automatic replies one address sends per day at most.
    pub auto_reply_daily_limit: u32,
}

/// A message that just arrived.
pub struct Incoming<'a> {
    /// The envelope sender (SMTP MAIL FROM): where automatic replies go; empty for
    /// bounces and the server's own notices.
    pub envelope_from: &'a str,
    /// The message's header section (see [`header_section`]).
    pub head: &'a [u8],
    pub digest: &'a str,
    pub size: i64,
    pub idx: &'a Indexed,
}

/// Longest header section read for the rules that look at headers.
const MAX_HEAD: usize = 64 * 1024;

/// The header section of a raw message (up to the blank line, at most 64 KiB), which is
/// all the steps after filing read.
pub fn header_section(raw: &[u8]) -> &[u8] {
    let raw = &raw[..raw.len().min(MAX_HEAD)];
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4)
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n").map(|i| i + 2))
        .unwrap_or(raw.len());
    &raw[..end]
}

/// Files the stored message in the inbox of every address, then runs what follows.
pub async fn deliver_local(
    room: &Mailroom,
    address_ids: &[i64],
    m: &Incoming<'_>,
) -> Result<(), ApiError> {
    let filed = store::deliver(&room.db, address_ids, m.digest, m.size, m.idx).await?;
    after_filing(room, &filed, m).await;
    Ok(())
}

/// Files a message the spam filter flagged into each address's Spam folder. No
/// redirection, filter or automatic reply runs for it: forwarding or answering spam would
/// spread it.
pub async fn deliver_to_spam(
    room: &Mailroom,
    address_ids: &[i64],
    m: &Incoming<'_>,
) -> Result<(), ApiError> {
    let mut tx = crate::db::begin_write(&room.db).await?;
    store::file_in_role(&mut tx, address_ids, "spam", m.digest, m.size, m.idx).await?;
    tx.commit().await?;
    Ok(())
}

/// For each receiving address's copy (`(address id, message id)`): its redirection, then
/// (when it keeps the copy) its filters and its automatic reply; copies redirected to
/// local addresses go through the same. A step failing is logged: the message stays
/// filed where it is.
pub async fn after_filing(room: &Mailroom, filed: &[(i64, i64)], m: &Incoming<'_>) {
    let mut reached: Vec<i64> = filed.iter().map(|f| f.0).collect();
    let mut queue: std::collections::VecDeque<(i64, i64)> = filed.iter().copied().collect();
    while let Some((address_id, message_id)) = queue.pop_front() {
        match redirect::apply(room, address_id, message_id, m, &mut reached).await {
            Ok(outcome) => {
                queue.extend(outcome.filed);
                if !outcome.kept {
                    continue;
                }
            }
            Err(e) => tracing::warn!(message_id, error = %e.message, "mail redirection failed"),
        }
        let arrived = filters::Arrived {
            address_id,
            message_id,
            digest: m.digest,
            size: m.size,
            idx: m.idx,
        };
        if let Err(e) = filters::apply(&room.db, &room.wake, &arrived).await {
            tracing::warn!(message_id, error = %e.message, "mail filters failed");
        }
        if let Err(e) = autoreply::respond(room, address_id, message_id, m).await {
            tracing::warn!(message_id, error = %e.message, "automatic reply failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_section_ends_at_the_blank_line() {
        assert_eq!(
            header_section(b"Subject: a\r\nTo: b\r\n\r\nbody\r\n\r\nmore"),
            b"Subject: a\r\nTo: b\r\n\r\n"
        );
        assert_eq!(header_section(b"Subject: a\n\nbody"), b"Subject: a\n\n");
        assert_eq!(header_section(b"Subject: only"), b"Subject: only");
        let long = vec![b'x'; MAX_HEAD * 2];
        assert_eq!(header_section(&long).len(), MAX_HEAD);
    }
}
