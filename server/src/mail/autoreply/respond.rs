//! Answering an arrived message with its address's automatic reply: the RFC 3834 rules,
//! one reply per sender per interval and a daily cap per address, then the reply filed
//! for a local sender or queued for the relay with an empty return path, in one
//! transaction with the record that the sender was answered.

use mail_builder::MessageBuilder;
use mail_builder::headers::raw::Raw;

use super::{answering_at, rules};
use crate::error::ApiError;
use crate::mail::arrival::{Incoming, Mailroom};
use crate::mail::{blobs, compose, index, outbox, store};

/// Log entries older than this are dropped (longer than the longest interval).
const LOG_DAYS: i64 = 31;

/// The reply as stored, for the address answering.
struct Answering {
    subject: String,
    text: String,
    html: Option<String>,
    interval_days: i64,
    updated_by: i64,
}

async fn answering(
    room: &Mailroom,
    address_id: i64,
    now: i64,
) -> Result<Option<Answering>, ApiError> {
    let row: Option<(String, String, Option<String>, i64, i64)> =
        crate::on_db!(&room.db, |dbc| sqlx::query_as(&format!(
            "SELECT r.subject, r.body_text, r.body_html, r.interval_days, r.updated_by \
         FROM mail_auto_replies r WHERE r.address_id = $1 AND {}",
            answering_at(2)
        ))
        .bind(address_id)
        .bind(now)
        .fetch_optional(dbc)
        .await)?;
    Ok(row.map(
        |(subject, text, html, interval_days, updated_by)| Answering {
            subject,
            text,
            html,
            interval_days,
            updated_by,
        },
    ))
}

/// Whether `sender` is one of the addresses (or sign-in e-mails) of the people who
/// manage or read `address_id`: nobody is answered for writing to themselves.
async fn is_own(room: &Mailroom, address_id: i64, sender: &str) -> Result<bool, ApiError> {
    Ok(crate::on_db!(&room.db, |dbc| sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM mail_address_users me \
           JOIN mail_address_users u ON u.user_id = me.user_id \
           JOIN mail_addresses a ON a.id = u.address_id \
           WHERE me.address_id = $1 AND a.address = $2) \
         OR EXISTS (SELECT 1 FROM mail_address_users me JOIN users us ON us.id = me.user_id \
           WHERE me.address_id = $3 AND lower(us.email) = $4)",
    )
    .bind(address_id)
    .bind(sender)
    .bind(address_id)
    .bind(sender)
    .fetch_one(dbc)
    .await)?)
}

/// Answers the copy `message_id` filed for `address_id` when its automatic reply is on
/// and the rules allow; silence is not an error.
pub async fn respond(
    room: &Mailroom,
    address_id: i64,
    message_id: i64,
    m: &Incoming<'_>,
) -> Result<(), ApiError> {
    let now = room.clock.now_unix();
    let Some(reply) = answering(room, address_id, now).await? else {
        return Ok(());
    };
    // A filter may have filed it as spam or deleted it: those are not answered.
    let Some(row) = store::message_by_id(&room.db, message_id).await? else {
        return Ok(());
    };
    for role in ["spam", "trash"] {
        if store::role_folder(&room.db, row.mailbox_id, role).await? == row.mailbox_id {
            return Ok(());
        }
    }
    let address = store::address_of(&room.db, address_id).await?;
    let sender = m.envelope_from.trim().to_lowercase();
    // The message may name the address or one of its aliases.
    let mut names = crate::mail::routing::aliases_of(&room.db, address_id).await?;
    names.push(address.clone());
    if let Some(why) = rules::silence(m.head, &sender, &names) {
        tracing::debug!(%address, ?why, "no automatic reply");
        return Ok(());
    }
    if sender == address || is_own(room, address_id, &sender).await? {
        return Ok(());
    }
    let Some(to) = compose::parse_mailbox(&sender) else {
        return Ok(());
    };
    let local = store::address_id(&room.db, &to.address).await?;
    if let Some(id) = local
        && !room.usage.has_room(&room.db, id, 0).await?
    {
        return Ok(());
    }

    let mut conn = room.db.acquire().await?;
    let lately = answered_lately(&mut conn, address_id, &sender, reply.interval_days, now).await?;
    drop(conn);
    if lately {
        return Ok(());
    }
    let raw = build(&reply, &address, &to.address, m, now).map_err(ApiError::internal)?;
    let stored = blobs::store(&room.db, &room.blobs, &raw)
        .await
        .map_err(ApiError::internal)?;
    let digest = stored.digest.clone();
    let idx = index::index(&raw, &digest);
    let reply_to = Reply {
        address_id,
        sender: &sender,
        to: &to.address,
        local,
        digest: &digest,
        size: raw.len() as i64,
        idx: &idx,
        owner: reply.updated_by,
        interval_days: reply.interval_days,
    };
    let sent = record_and_send(room, &reply_to, now).await;
    stored.release().await;
    if !matches!(sent, Ok(true)) {
        blobs::remove_all(&room.db, &room.blobs, [digest.clone()]).await;
        return sent.map(|_| ());
    }
    match local {
        Some(id) => room.usage.forget(&[id]),
        None => room.wake.notify_one(),
    }
    Ok(())
}

/// Whether the sender was answered within the interval (checked again when recording).
async fn answered_lately(
    conn: &mut crate::db::Conn,
    address_id: i64,
    sender: &str,
    interval_days: i64,
    now: i64,
) -> Result<bool, ApiError> {
    let last: Option<i64> = crate::on_db!(conn, |dbc| sqlx::query_scalar(
        "SELECT replied_at FROM mail_auto_reply_log WHERE address_id = $1 AND sender = $2",
    )
    .bind(address_id)
    .bind(sender)
    .fetch_optional(dbc)
    .await)?;
    Ok(last.is_some_and(|t| now - t < interval_days * 86_400))
}

/// A built reply about to go.
struct Reply<'a> {
    address_id: i64,
    sender: &'a str,
    to: &'a str,
    local: Option<i64>,
    digest: &'a str,
    size: i64,
    idx: &'a index::Indexed,
    owner: i64,
    interval_days: i64,
}

/// Files or queues the reply and records the sender as answered, unless they were
/// answered within the interval or the address reached its daily limit; whether it went.
/// Checked and recorded in one write transaction, so two arrivals cannot both answer.
async fn record_and_send(room: &Mailroom, r: &Reply<'_>, now: i64) -> Result<bool, ApiError> {
    let mut tx = crate::db::begin_write(&room.db).await?;
    if answered_lately(&mut tx, r.address_id, r.sender, r.interval_days, now).await? {
        return Ok(false);
    }
    let today: i64 = crate::on_db!(&mut tx, |dbc| sqlx::query_scalar(
        "SELECT COUNT(*) FROM mail_auto_reply_log WHERE address_id = $1 AND replied_at > $2",
    )
    .bind(r.address_id)
    .bind(now - 86_400)
    .fetch_one(dbc)
    .await)?;
    if today >= i64::from(room.auto_reply_daily_limit) {
        tracing::warn!(
            address_id = r.address_id,
            "automatic reply skipped: the daily limit is reached"
        );
        return Ok(false);
    }
    match r.local {
        Some(id) => {
            store::file_in_inboxes(&mut tx, &[id], r.digest, r.size, r.idx).await?;
        }
        None => {
            let queued = outbox::Queued {
                user_id: r.owner,
                message_id: None,
                blob: r.digest,
                // RFC 3834: a response has an empty return path, so it never bounces back.
                mail_from: "",
                recipients: &[r.to.to_string()],
            };
            outbox::enqueue(&mut tx, &queued).await?;
        }
    }
    crate::on_db!(&mut tx, |dbc| sqlx::query(
        "INSERT INTO mail_auto_reply_log (address_id, sender, replied_at) VALUES ($1, $2, $3) \
         ON CONFLICT (address_id, sender) DO UPDATE SET replied_at = excluded.replied_at",
    )
    .bind(r.address_id)
    .bind(r.sender)
    .bind(now)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    crate::on_db!(&mut tx, |dbc| sqlx::query(
        "DELETE FROM mail_auto_reply_log WHERE address_id = $1 AND replied_at < $2"
    )
    .bind(r.address_id)
    .bind(now - LOG_DAYS * 86_400)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    tx.commit().await?;
    Ok(true)
}

/// The reply message: threaded under the message answered and marked auto-replied.
fn build(
    reply: &Answering,
    from: &str,
    to: &str,
    m: &Incoming<'_>,
    now: i64,
) -> std::io::Result<Vec<u8>> {
    let subject = if reply.subject.is_empty() {
        compose::prefixed_subject("Re: ", &m.idx.subject)
    } else {
        reply.subject.clone()
    };
    let domain = from.rsplit_once('@').map_or(from, |(_, d)| d);
    let mut b = MessageBuilder::new()
        .from(from)
        .to(to)
        .subject(subject)
        .date(now)
        .message_id(format!("{}@{domain}", crate::resource::new_uid()))
        .header("Auto-Submitted", Raw::new("auto-replied"))
        .header("X-Auto-Response-Suppress", Raw::new("All"))
        .text_body(reply.text.as_str());
    if let Some(parent) = m.idx.message_id.as_deref().filter(|p| !p.is_empty()) {
        b = b.in_reply_to(parent).references(parent);
    }
    if let Some(html) = &reply.html {
        b = b.html_body(html.as_str());
    }
    b.write_to_vec()
}
