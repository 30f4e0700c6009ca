//! Mail handed over by a signed-in mail app (SMTP submission, RFC 6409): a Date and a
//! Message-ID are added when the app left them out, then it goes the way the webmail's
//! mail goes: one transaction files the sender's copy in Sent (unless the server is told
//! not to), local recipients' copies and the relay queue entry for the others; local
//! recipients' filters run after the commit.

use ksuite_common::{Field, Problem, Rule};
use mail_parser::MessageParser;

use super::{arrival, blobs, index, outbox, store};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// A message accepted at DATA, ready to go.
pub struct Submission<'a> {
    pub user_id: i64,
    /// The sending address (MAIL FROM), one the user may send as.
    pub address_id: i64,
    pub mail_from: &'a str,
    /// Local addresses that receive it.
    pub local: &'a [i64],
    /// Addresses elsewhere (through the relay).
    pub remote: &'a [String],
    pub raw: Vec<u8>,
    /// File a copy in the sender's Sent.
    pub sent_copy: bool,
}

/// Prepends the headers a submission server may add (RFC 6409 §8): Date and Message-ID.
pub fn complete_headers(raw: Vec<u8>, domain: &str) -> Vec<u8> {
    let (has_date, has_id) = match MessageParser::default().parse_headers(&raw) {
        Some(m) => (m.date().is_some(), m.message_id().is_some()),
        None => (false, false),
    };
    if has_date && has_id {
        return raw;
    }
    let mut out = Vec::with_capacity(raw.len() + 128);
    if !has_date {
        out.extend_from_slice(format!("Date: {}\r\n", chrono::Utc::now().to_rfc2822()).as_bytes());
    }
    if !has_id {
        out.extend_from_slice(
            format!("Message-ID: <{}@{domain}>\r\n", crate::resource::new_uid()).as_bytes(),
        );
    }
    out.extend_from_slice(&raw);
    out
}

/// Files and queues a submitted message; the caller checked the sender and recipients.
pub async fn submit(state: &AppState, s: Submission<'_>) -> ApiResult<()> {
    let size = i64::try_from(s.raw.len()).unwrap_or(i64::MAX);
    if s.raw.len() > state.settings.max_message_size {
        return Err(ApiError::invalid(
            Problem::new(Field::Message, Rule::TooBig),
            "The message is too big for this server.",
        ));
    }
    let keep_copy = s.sent_copy.then_some(s.address_id);
    for address in keep_copy.iter().chain(s.local.iter()) {
        if !state.mail_usage.has_room(&state.db, *address, size).await? {
            let name = store::address_of(&state.db, *address).await?;
            return Err(crate::quota::mailbox_full(&name, state.mail_usage.quota()));
        }
    }
    let recipients = u32::try_from(s.local.len() + s.remote.len()).unwrap_or(u32::MAX);
    state.send_limiter.take(s.user_id, recipients).await?;
    let raw = s.raw;
    let head = arrival::header_section(&raw).to_vec();
    let stored = blobs::store(&state.db, &state.settings.blobs, &raw)
        .await
        .map_err(ApiError::internal)?;
    let digest = stored.digest.clone();
    let mut idx = tokio::task::spawn_blocking({
        let digest = digest.clone();
        move || index::index(&raw, &digest)
    })
    .await
    .map_err(ApiError::internal)?;
    if idx.thread_id.is_empty() {
        idx.thread_id = digest.clone();
    }
    let mut tx = crate::db::begin_write(&state.db).await?;
    let sent_id = match keep_copy {
        Some(address) => {
            let sent = store::folder_with_role(&mut tx, address, "sent").await?;
            let flags = store::NewFlags {
                seen: true,
                draft: false,
            };
            Some(store::insert_message(&mut tx, sent, &digest, size, &idx, flags).await?)
        }
        None => None,
    };
    let filed = store::file_in_inboxes(&mut tx, s.local, &digest, size, &idx).await?;
    if !s.remote.is_empty() {
        let queued = outbox::Queued {
            user_id: s.user_id,
            message_id: sent_id,
            blob: &digest,
            mail_from: s.mail_from,
            recipients: s.remote,
        };
        outbox::enqueue(&mut tx, &queued).await?;
    }
    tx.commit().await?;
    stored.release().await;
    state.mail_usage.forget(s.local);
    state.mail_usage.forget(&[s.address_id]);
    if !s.remote.is_empty() {
        state.outbox_wake.notify_one();
    }
    let incoming = arrival::Incoming {
        envelope_from: s.mail_from,
        head: &head,
        digest: &digest,
        size,
        idx: &idx,
    };
    arrival::after_filing(&state.mailroom, &filed, &incoming).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_only_missing_headers() {
        let full =
            b"Date: Mon, 7 Dec 2026 10:00:00 +0000\r\nMessage-ID: <a@b>\r\nSubject: x\r\n\r\nbody"
                .to_vec();
        assert_eq!(complete_headers(full.clone(), "example.com"), full);
        let bare = complete_headers(b"Subject: x\r\n\r\nbody".to_vec(), "example.com");
        let text = String::from_utf8(bare).expect("utf-8");
        assert!(text.starts_with("Date: "));
        assert!(text.contains("Message-ID: <") && text.contains("@example.com>"));
        assert!(text.ends_with("Subject: x\r\n\r\nbody"));
    }
}
