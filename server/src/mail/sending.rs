//! Sending and drafts: the composer's message is built, stored and filed in Sent (or
//! Drafts) in one transaction together with the copies for local recipients and the relay
//! queue entry for the others; filters of local recipients run after the commit.

use ksuite_common::{
    AttachmentRef, Field, OutgoingMessage, Problem, Rule, SavedDraft, SentMessage,
};
use mail_parser::{MessageParser, MimeHeaders};

use super::compose::{self, Attachment, Draft, Mailbox};
use super::{arrival, blobs, index, outbox, store, uploads};
use crate::error::{ApiError, ApiResult};
use crate::now_unix;
use crate::state::AppState;

/// Recipients per message (To, Cc and Bcc together).
const MAX_RECIPIENTS: usize = 100;
const MAX_SUBJECT: usize = 998;

/// The address a message goes out from: the user must be allowed to send as it.
async fn sender(state: &AppState, user_id: i64, from: &str) -> ApiResult<(i64, Mailbox)> {
    let Some(mut mailbox) = compose::parse_mailbox(from) else {
        return Err(ApiError::invalid(
            Problem::new(Field::Sender, Rule::Invalid),
            format!("{from:?} is not an e-mail address."),
        ));
    };
    mailbox.address = mailbox.address.to_lowercase();
    let row: Option<(i64, String, String)> = crate::on_db!(&state.db, |dbc| sqlx::query_as(
        "SELECT a.id, u.permission, us.display_name FROM mail_addresses a \
         JOIN mail_address_users u ON u.address_id = a.id JOIN users us ON us.id = u.user_id \
         WHERE a.address = $1 AND u.user_id = $2",
    )
    .bind(&mailbox.address)
    .bind(user_id)
    .fetch_optional(dbc)
    .await)?;
    match row {
        Some((id, permission, name)) if permission != "read" => {
            let name = name.trim();
            mailbox.name = (!name.is_empty()).then(|| name.to_string());
            Ok((id, mailbox))
        }
        _ => Err(ApiError::invalid(
            Problem::new(Field::Sender, Rule::NotYours),
            format!("You may not send as {}.", mailbox.address),
        )),
    }
}

fn recipients(list: &[String]) -> ApiResult<Vec<Mailbox>> {
    compose::parse_all(list).map_err(|bad| {
        ApiError::invalid(
            Problem::new(Field::Recipients, Rule::Invalid),
            format!("These are not e-mail addresses: {}.", bad.join(", ")),
        )
    })
}

/// Threading headers of a reply: the parent's Message-ID and the conversation so far.
struct ReplyTo {
    parent_id: Option<i64>,
    message_id: String,
    references: Vec<String>,
}

/// Reads `(message-id, in-reply-to, references)` of a stored message.
fn thread_headers(raw: &[u8]) -> (Option<String>, Option<String>, Vec<String>) {
    let Some(m) = MessageParser::default().parse(raw) else {
        return (None, None, Vec::new());
    };
    let refs = m
        .references()
        .as_text_list()
        .map(|l| l.iter().map(|r| r.to_string()).collect())
        .or_else(|| m.references().as_text().map(|r| vec![r.to_string()]))
        .unwrap_or_default();
    (
        m.message_id().map(str::to_string),
        m.in_reply_to().as_text().map(str::to_string),
        refs,
    )
}

/// What the message answers: the message given, else what the draft being sent answered.
async fn reply_to(
    state: &AppState,
    user_id: i64,
    msg: &OutgoingMessage,
    draft_raw: Option<&[u8]>,
) -> ApiResult<Option<ReplyTo>> {
    if let Some(id) = msg.in_reply_to {
        let (_, raw) = super::handlers::with_raw(state, user_id, id).await?;
        let (message_id, _, mut references) = thread_headers(&raw);
        let Some(message_id) = message_id else {
            return Ok(Some(ReplyTo {
                parent_id: Some(id),
                message_id: String::new(),
                references,
            }));
        };
        references.push(message_id.clone());
        return Ok(Some(ReplyTo {
            parent_id: Some(id),
            message_id,
            references,
        }));
    }
    let Some(raw) = draft_raw else {
        return Ok(None);
    };
    let (_, parent, references) = thread_headers(raw);
    let Some(parent) = parent else {
        return Ok(None);
    };
    let parent_id: Option<i64> = crate::on_db!(&state.db, |dbc| {
        sqlx::query_scalar(
        "SELECT x.id FROM messages x JOIN mailboxes m ON m.id = x.mailbox_id \
         JOIN mail_address_users u ON u.address_id = m.address_id \
         WHERE x.message_id = $1 AND u.user_id = $2 AND x.deleted_at IS NULL AND NOT x.draft LIMIT 1",
    )
    .bind(&parent)
    .bind(user_id)
    .fetch_optional(dbc).await
    })?;
    Ok(Some(ReplyTo {
        parent_id,
        message_id: parent,
        references,
    }))
}

/// The attachments' bytes: uploads of the user, or parts of messages they may read.
async fn attachments(
    state: &AppState,
    user_id: i64,
    refs: &[AttachmentRef],
) -> ApiResult<Vec<Attachment>> {
    let mut out = Vec::new();
    let mut total = 0usize;
    for r in refs {
        let a = match r {
            AttachmentRef::Upload { id } => {
                let (file, bytes) = uploads::read(&state.db, &state.settings.blobs, user_id, id)
                    .await?
                    .ok_or_else(|| {
                        ApiError::invalid(
                            Problem::new(Field::Attachments, Rule::NotFound),
                            "An attachment is no longer there: add it again.",
                        )
                    })?;
                Attachment {
                    name: file.name,
                    content_type: file.content_type,
                    bytes,
                }
            }
            AttachmentRef::Message { message_id, index } => {
                let (_, raw) = super::handlers::with_raw(state, user_id, *message_id).await?;
                let parsed = MessageParser::default()
                    .parse(&raw[..])
                    .ok_or_else(ApiError::not_found)?;
                let part =
                    index::nth_attachment(&parsed, *index).ok_or_else(ApiError::not_found)?;
                Attachment {
                    name: part.attachment_name().unwrap_or("attachment").to_string(),
                    content_type: index::content_type_of(part),
                    bytes: part.contents().to_vec(),
                }
            }
        };
        total += a.bytes.len();
        if total > state.settings.max_message_size {
            return Err(too_big(state));
        }
        out.push(a);
    }
    Ok(out)
}

fn too_big(state: &AppState) -> ApiError {
    ApiError::invalid(
        Problem::new(Field::Message, Rule::TooBig),
        format!(
            "The message is too big: at most {} MiB with its attachments.",
            state.settings.max_message_size / (1024 * 1024)
        ),
    )
}

/// The user's draft being replaced, with its raw bytes.
async fn own_draft(
    state: &AppState,
    user_id: i64,
    id: Option<i64>,
) -> ApiResult<Option<(store::MessageRow, Vec<u8>)>> {
    let Some(id) = id else { return Ok(None) };
    // Replacing a draft deletes it: that needs more than a read-only grant.
    super::handlers::writable_message(state, user_id, id).await?;
    let (row, raw) = super::handlers::with_raw(state, user_id, id).await?;
    if !row.draft {
        return Err(ApiError::invalid(
            Problem::new(Field::Message, Rule::NotPossible),
            "That message is not a draft.",
        ));
    }
    Ok(Some((row, raw)))
}

/// Everything checked and loaded for building the message.
struct Prepared {
    address_id: i64,
    from: Mailbox,
    to: Vec<Mailbox>,
    cc: Vec<Mailbox>,
    bcc: Vec<Mailbox>,
    html: Option<String>,
    attachments: Vec<Attachment>,
    reply: Option<ReplyTo>,
    draft: Option<store::MessageRow>,
}

async fn prepare(state: &AppState, user_id: i64, msg: &OutgoingMessage) -> ApiResult<Prepared> {
    let (address_id, from) = sender(state, user_id, &msg.from).await?;
    let (to, cc, bcc) = (
        recipients(&msg.to)?,
        recipients(&msg.cc)?,
        recipients(&msg.bcc)?,
    );
    if to.len() + cc.len() + bcc.len() > MAX_RECIPIENTS {
        return Err(ApiError::invalid(
            Problem::too_many(Field::Recipients, MAX_RECIPIENTS),
            format!("At most {MAX_RECIPIENTS} recipients per message."),
        ));
    }
    if msg.subject.chars().count() > MAX_SUBJECT {
        return Err(ApiError::invalid(
            Problem::too_long(Field::Subject, MAX_SUBJECT),
            "The subject is too long.",
        ));
    }
    if msg.text.len() + msg.html.as_ref().map_or(0, String::len) > state.settings.max_message_size {
        return Err(too_big(state));
    }
    let draft = own_draft(state, user_id, msg.draft_id).await?;
    let reply = reply_to(state, user_id, msg, draft.as_ref().map(|(_, raw)| &raw[..])).await?;
    Ok(Prepared {
        address_id,
        from,
        to,
        cc,
        bcc,
        html: msg
            .html
            .as_deref()
            .filter(|h| !h.trim().is_empty())
            .map(compose::clean_html),
        attachments: attachments(state, user_id, &msg.attachments).await?,
        reply,
        draft: draft.map(|(row, _)| row),
    })
}

impl Prepared {
    fn draft<'a>(&'a self, msg: &'a OutgoingMessage, message_id: &'a str) -> Draft<'a> {
        Draft {
            from: &self.from,
            to: &self.to,
            cc: &self.cc,
            bcc: &self.bcc,
            subject: msg.subject.trim(),
            text: &msg.text,
            html: self.html.as_deref(),
            attachments: &self.attachments,
            in_reply_to: self
                .reply
                .as_ref()
                .map(|r| r.message_id.as_str())
                .filter(|m| !m.is_empty()),
            references: self.reply.as_ref().map_or(&[], |r| &r.references[..]),
            message_id,
            date: now_unix(),
        }
    }
}

/// Uploads built into a stored message are no longer needed.
async fn discard_uploads(state: &AppState, user_id: i64, refs: &[AttachmentRef]) -> ApiResult<()> {
    for a in refs {
        if let AttachmentRef::Upload { id } = a {
            uploads::discard(&state.db, &state.settings.blobs, user_id, id).await?;
        }
    }
    Ok(())
}

/// Saves (or replaces) a draft in the Drafts folder of the sending address.
pub async fn save_draft(
    state: &AppState,
    user_id: i64,
    msg: &OutgoingMessage,
) -> ApiResult<SavedDraft> {
    let p = prepare(state, user_id, msg).await?;
    store_draft(state, user_id, msg, p, None).await
}

/// Keeps the message as a draft to be sent at `send_at` (checked now as if sent now: the
/// sender, the recipients and the sending rate), in one transaction with its schedule.
pub async fn schedule(
    state: &AppState,
    user_id: i64,
    msg: &OutgoingMessage,
    send_at: i64,
) -> ApiResult<SavedDraft> {
    let p = prepare(state, user_id, msg).await?;
    route(state, &p).await?;
    state
        .send_limiter
        .take(user_id, recipient_count(&p))
        .await?;
    store_draft(state, user_id, msg, p, Some(send_at)).await
}

/// Stores the draft, replacing the one it was saved from, and its schedule if any.
async fn store_draft(
    state: &AppState,
    user_id: i64,
    msg: &OutgoingMessage,
    p: Prepared,
    send_at: Option<i64>,
) -> ApiResult<SavedDraft> {
    let message_id = format!("{}@{}", crate::resource::new_uid(), p.from.domain());
    let raw = compose::build(&p.draft(msg, &message_id), true).map_err(ApiError::internal)?;
    let stored = blobs::store(&state.db, &state.settings.blobs, &raw)
        .await
        .map_err(ApiError::internal)?;
    let digest = stored.digest.clone();
    let idx = index::index(&raw, &digest);
    let mut tx = crate::db::begin_write(&state.db).await?;
    let drafts = store::folder_with_role(&mut tx, p.address_id, "drafts").await?;
    let flags = store::NewFlags {
        seen: true,
        draft: true,
    };
    let id = store::insert_message(&mut tx, drafts, &digest, raw.len() as i64, &idx, flags).await?;
    let attachments: Vec<AttachmentRef> = (0..p.attachments.len())
        .map(|index| AttachmentRef::Message {
            message_id: id,
            index,
        })
        .collect();
    let old = match &p.draft {
        Some(d) => store::remove(&mut tx, d.id).await?,
        None => None,
    };
    if let Some(send_at) = send_at {
        // What will be sent: this draft, its attachments taken from it.
        let later = OutgoingMessage {
            draft_id: Some(id),
            attachments: attachments.clone(),
            ..msg.clone()
        };
        super::scheduled::insert(&mut tx, user_id, &later, send_at).await?;
    }
    tx.commit().await?;
    stored.release().await;
    blobs::remove_all(&state.db, &state.settings.blobs, old).await;
    discard_uploads(state, user_id, &msg.attachments).await?;
    Ok(SavedDraft {
        id,
        saved_at: now_unix(),
        attachments,
    })
}

fn recipient_count(p: &Prepared) -> u32 {
    u32::try_from(p.to.len() + p.cc.len() + p.bcc.len()).unwrap_or(u32::MAX)
}

/// Who is here (address ids) and who is out there; an unknown address in our own domain is
/// a typo and refused.
async fn route(state: &AppState, p: &Prepared) -> ApiResult<(Vec<i64>, Vec<String>)> {
    if p.to.is_empty() && p.cc.is_empty() && p.bcc.is_empty() {
        return Err(ApiError::invalid(
            Problem::new(Field::Recipients, Rule::Required),
            "Add at least one recipient.",
        ));
    }
    let mut local: Vec<i64> = Vec::new();
    let mut remote: Vec<String> = Vec::new();
    for r in p.to.iter().chain(&p.cc).chain(&p.bcc) {
        match store::address_id(&state.db, &r.address).await? {
            Some(id) if !local.contains(&id) => local.push(id),
            Some(_) => {}
            None if r.domain() == state.settings.mail_domain => {
                return Err(ApiError::invalid(
                    Problem::new(Field::Sender, Rule::NotFound),
                    format!("There is no address {} on this server.", r.address),
                ));
            }
            None if !remote.contains(&r.address) => remote.push(r.address.clone()),
            None => {}
        }
    }
    Ok((local, remote))
}

/// Why a message is being sent now.
#[derive(Clone, Copy)]
enum Trigger {
    /// The user pressed Send (counts against their sending rate).
    Now,
    /// Its scheduled time came (the rate was taken when it was scheduled); the schedule
    /// row goes in the sending transaction, or nothing is sent when it was cancelled.
    Scheduled(i64),
}

/// Sends a message: the copy in Sent (with Bcc), local recipients' copies, and the relay
/// queue for everyone else; the draft it came from goes.
pub async fn send(state: &AppState, user_id: i64, msg: &OutgoingMessage) -> ApiResult<SentMessage> {
    let sent = deliver(state, user_id, msg, Trigger::Now).await?;
    sent.ok_or_else(|| ApiError::internal("an unscheduled send was cancelled"))
}

/// Sends a scheduled message whose time came; `None` when it was cancelled meanwhile.
pub async fn send_scheduled(
    state: &AppState,
    user_id: i64,
    msg: &OutgoingMessage,
    schedule_id: i64,
) -> ApiResult<Option<SentMessage>> {
    deliver(state, user_id, msg, Trigger::Scheduled(schedule_id)).await
}

async fn deliver(
    state: &AppState,
    user_id: i64,
    msg: &OutgoingMessage,
    trigger: Trigger,
) -> ApiResult<Option<SentMessage>> {
    let p = prepare(state, user_id, msg).await?;
    let (local, remote) = route(state, &p).await?;
    // The Sent copy and local recipients' copies count against their mail quotas.
    for address in std::iter::once(p.address_id).chain(local.iter().copied()) {
        if !state.mail_usage.has_room(&state.db, address, 0).await? {
            let name = store::address_of(&state.db, address).await?;
            return Err(crate::quota::mailbox_full(&name, state.mail_usage.quota()));
        }
    }
    if let Trigger::Now = trigger {
        state
            .send_limiter
            .take(user_id, recipient_count(&p))
            .await?;
    }
    let message_id = format!("{}@{}", crate::resource::new_uid(), p.from.domain());
    let draft = p.draft(msg, &message_id);
    let transmitted = compose::build(&draft, false).map_err(ApiError::internal)?;
    let own = if p.bcc.is_empty() {
        None
    } else {
        Some(compose::build(&draft, true).map_err(ApiError::internal)?)
    };
    if transmitted.len() > state.settings.max_message_size {
        return Err(too_big(state));
    }
    let blob_store = &state.settings.blobs;
    let mut stored = blobs::store(&state.db, blob_store, &transmitted)
        .await
        .map_err(ApiError::internal)?;
    let digest = stored.digest.clone();
    let idx = index::index(&transmitted, &digest);
    let (own_digest, own_idx, own_size) = match &own {
        Some(raw) => {
            let d = stored
                .also(blob_store, raw)
                .await
                .map_err(ApiError::internal)?;
            let i = index::index(raw, &d);
            (d, i, raw.len())
        }
        None => (digest.clone(), idx.clone(), transmitted.len()),
    };
    let size = transmitted.len() as i64;
    let mut tx = crate::db::begin_write(&state.db).await?;
    if let Trigger::Scheduled(id) = trigger
        && !super::scheduled::take(&mut tx, id).await?
    {
        // Cancelled (or sent by another worker) since it was picked up: the files just
        // written belong to no row.
        drop(tx);
        stored.release().await;
        blobs::remove_all(&state.db, blob_store, [digest, own_digest]).await;
        return Ok(None);
    }
    let sent = store::folder_with_role(&mut tx, p.address_id, "sent").await?;
    let flags = store::NewFlags {
        seen: true,
        draft: false,
    };
    let sent_id =
        store::insert_message(&mut tx, sent, &own_digest, own_size as i64, &own_idx, flags).await?;
    let filed = store::file_in_inboxes(&mut tx, &local, &digest, size, &idx).await?;
    if !remote.is_empty() {
        let queued = outbox::Queued {
            user_id,
            message_id: Some(sent_id),
            blob: &digest,
            mail_from: &p.from.address,
            recipients: &remote,
        };
        outbox::enqueue(&mut tx, &queued).await?;
    }
    if let Some(parent) = p.reply.as_ref().and_then(|r| r.parent_id) {
        store::mark_answered(&mut tx, parent).await?;
    }
    let old = match &p.draft {
        Some(d) => store::remove(&mut tx, d.id).await?,
        None => None,
    };
    tx.commit().await?;
    stored.release().await;
    state.mail_usage.forget(&local);
    state.mail_usage.forget(&[p.address_id]);
    if !remote.is_empty() {
        state.outbox_wake.notify_one();
    }
    blobs::remove_all(&state.db, &state.settings.blobs, old).await;
    discard_uploads(state, user_id, &msg.attachments).await?;
    let incoming = arrival::Incoming {
        envelope_from: &p.from.address,
        head: arrival::header_section(&transmitted),
        digest: &digest,
        size,
        idx: &idx,
    };
    arrival::after_filing(&state.mailroom, &filed, &incoming).await;
    Ok(Some(SentMessage {
        id: sent_id,
        delivery: outbox::delivery_of(&state.db, sent_id).await?,
    }))
}
