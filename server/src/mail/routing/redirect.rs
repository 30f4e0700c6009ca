//! Redirection of arriving mail: the copy filed for an address goes on to its targets
//! (filed directly for local ones, queued for the relay for others) and, unless the
//! address keeps a copy, leaves its inbox. Loops stop: within one arrival each address
//! receives the message once, and a copy this server already redirected from an address
//! (its `Delivered-To`) is not redirected from it again when it comes back.

use mail_parser::MessageParser;

use crate::error::ApiError;
use crate::mail::arrival::{Incoming, Mailroom};
use crate::mail::{blobs, outbox, store};

/// Addresses one arriving message reaches at most through redirections.
const MAX_REACHED: usize = 50;

/// What a redirection did with the copy of one address.
pub struct Outcome {
    /// Whether the address keeps its copy (its filters and automatic reply then run).
    pub kept: bool,
    /// Copies filed for local targets, `(address id, message id)`.
    pub filed: Vec<(i64, i64)>,
}

impl Outcome {
    fn kept() -> Outcome {
        Outcome {
            kept: true,
            filed: Vec::new(),
        }
    }
}

/// Whether the header section already names `address` in a `Delivered-To` header.
fn delivered_to(head: &[u8], address: &str) -> bool {
    MessageParser::new().parse_headers(head).is_some_and(|msg| {
        msg.header_values("Delivered-To").any(|v| {
            v.as_text().is_some_and(|t| {
                t.trim()
                    .trim_matches(['<', '>'])
                    .eq_ignore_ascii_case(address)
            })
        })
    })
}

/// Redirects the copy `message_id` filed for `address_id`; `reached` holds the addresses
/// this arrival was filed for so far and grows with the local targets.
pub async fn apply(
    room: &Mailroom,
    address_id: i64,
    message_id: i64,
    m: &Incoming<'_>,
    reached: &mut Vec<i64>,
) -> Result<Outcome, ApiError> {
    let row: Option<(String, bool, i64)> = crate::on_db!(&room.db, |dbc| sqlx::query_as(
        "SELECT targets, keep_copy, updated_by FROM mail_redirects WHERE address_id = $1",
    )
    .bind(address_id)
    .fetch_optional(dbc)
    .await)?;
    let Some((targets, keep_copy, owner)) = row else {
        return Ok(Outcome::kept());
    };
    let address = store::address_of(&room.db, address_id).await?;
    if delivered_to(m.head, &address) {
        tracing::warn!(%address, "mail loop: a redirected copy came back; kept, not redirected");
        return Ok(Outcome::kept());
    }
    let mut local = Vec::new();
    let mut remote = Vec::new();
    for target in store::lines(&targets) {
        match store::address_id(&room.db, &target).await? {
            Some(id) if reached.contains(&id) => {}
            Some(_) if reached.len() >= MAX_REACHED => {
                tracing::warn!(%address, "redirection stopped: too many addresses reached")
            }
            Some(id) if room.usage.has_room(&room.db, id, m.size).await? => {
                reached.push(id);
                local.push(id);
            }
            Some(_) => tracing::warn!(%address, %target, "redirection target is full"),
            None => remote.push(target),
        }
    }
    if local.is_empty() && remote.is_empty() {
        return Ok(Outcome::kept());
    }
    // Outside copies say where they were redirected from, so a loop through another
    // server is seen when they come back.
    let marked = if remote.is_empty() {
        None
    } else {
        let raw = blobs::read(&room.blobs, m.digest)
            .await
            .map_err(ApiError::internal)?;
        let mut marked = format!("Delivered-To: {address}\r\n").into_bytes();
        marked.extend_from_slice(&raw);
        Some(
            blobs::store(&room.db, &room.blobs, &marked)
                .await
                .map_err(ApiError::internal)?,
        )
    };
    let mut tx = crate::db::begin_write(&room.db).await?;
    let filed = store::file_in_inboxes(&mut tx, &local, m.digest, m.size, m.idx).await?;
    if let Some(stored) = &marked {
        let queued = outbox::Queued {
            user_id: owner,
            message_id: None,
            blob: &stored.digest,
            mail_from: &address,
            recipients: &remote,
        };
        outbox::enqueue(&mut tx, &queued).await?;
    }
    let freed = if keep_copy {
        None
    } else {
        store::remove(&mut tx, message_id).await?
    };
    tx.commit().await?;
    if let Some(stored) = marked {
        stored.release().await;
    }
    room.usage.forget(&local);
    room.usage.forget(&[address_id]);
    if !remote.is_empty() {
        room.wake.notify_one();
    }
    blobs::remove_all(&room.db, &room.blobs, freed).await;
    Ok(Outcome {
        kept: keep_copy,
        filed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_redirected_from_an_address_is_recognised() {
        let head = b"Delivered-To: ann@ksuite.test\r\nSubject: x\r\n\r\n";
        assert!(delivered_to(head, "ann@ksuite.test"));
        assert!(delivered_to(head, "ANN@ksuite.test"));
        assert!(!delivered_to(head, "bob@ksuite.test"));
        assert!(!delivered_to(b"Subject: x\r\n\r\n", "ann@ksuite.test"));
    }
}
