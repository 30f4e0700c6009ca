//! Addresses, folders and messages in the database. Delivery allocates each message a
//! per-folder UID and a MODSEQ in the same transaction that inserts it (IMAP semantics).

use ksuite_common::{MailFolder, MessageSummary};

use super::index::Indexed;
use crate::db::{Backend, Db};
use crate::error::ApiError;
use crate::now_unix;

/// The folders every address starts with: (role, name).
pub const SYSTEM_FOLDERS: [(&str, &str); 6] = [
    ("inbox", "Inbox"),
    ("drafts", "Drafts"),
    ("sent", "Sent"),
    ("archive", "Archive"),
    ("spam", "Spam"),
    ("trash", "Trash"),
];

/// Creates an address with its system folders; `Ok(None)` when it exists or is an alias.
pub async fn create_address(
    tx: &mut crate::db::Conn,
    address: &str,
) -> Result<Option<i64>, ApiError> {
    let now = now_unix();
    let id: Option<i64> = crate::on_db!(&mut *tx, |dbc| sqlx::query_scalar(
        "INSERT INTO mail_addresses (address, created_at) SELECT $1, $2 \
         WHERE NOT EXISTS (SELECT 1 FROM mail_aliases WHERE address = $3) \
         ON CONFLICT (address) DO NOTHING RETURNING id",
    )
    .bind(address)
    .bind(now)
    .bind(address)
    .fetch_optional(dbc)
    .await)?;
    let Some(id) = id else {
        return Ok(None);
    };
    for (role, name) in SYSTEM_FOLDERS {
        crate::on_db!(&mut *tx, |dbc| sqlx::query(
            "INSERT INTO mailboxes (address_id, name, role, uidvalidity) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(name)
        .bind(role)
        .bind(now)
        .execute(dbc)
        .await
        .map(crate::db::Done::from))?;
    }
    Ok(Some(id))
}

/// The local part offered to a new user: their sign-up e-mail's, reduced to safe characters.
fn local_part_of(email: &str) -> String {
    let local = email.split('@').next().unwrap_or("");
    let cleaned: String = local
        .chars()
        .filter_map(|c| {
            let c = c.to_ascii_lowercase();
            (c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')).then_some(c)
        })
        .collect();
    let trimmed = cleaned.trim_matches('.').to_string();
    if trimmed.is_empty() {
        "user".into()
    } else {
        trimmed.chars().take(48).collect()
    }
}

/// Local parts kept for the server's own roles: RFC 2142 mailbox names and the ones
/// certificate authorities use to validate a domain (CA/B Forum BR 3.2.2.4.4), plus the
/// usual system senders.
pub const RESERVED_LOCAL_PARTS: &[&str] = &[
    "abuse",
    "admin",
    "administrator",
    "hostmaster",
    "info",
    "mailer-daemon",
    "marketing",
    "news",
    "noc",
    "no-reply",
    "noreply",
    "postmaster",
    "root",
    "sales",
    "security",
    "ssl-admin",
    "support",
    "usenet",
    "uucp",
    "webmaster",
    "www",
    "ftp",
];

/// Whether a local part is one of the [`RESERVED_LOCAL_PARTS`].
pub fn is_reserved_local_part(local: &str) -> bool {
    RESERVED_LOCAL_PARTS
        .iter()
        .any(|r| r.eq_ignore_ascii_case(local))
}

/// Gives a user their own address in `domain` (first free of `name`, `name2`, …) with
/// manage permission; returns it.
pub async fn give_address(
    tx: &mut crate::db::Conn,
    user_id: i64,
    signup_email: &str,
    domain: &str,
) -> Result<String, ApiError> {
    let base = local_part_of(signup_email);
    // A role address (postmaster@, abuse@, admin@…) is never handed to whoever signs up
    // first with that name: it would receive the server's abuse reports and certificate
    // validation mail. The user gets the next free numbered address instead.
    let first = if is_reserved_local_part(&base) { 2 } else { 1 };
    for n in first..1000 {
        let local = if n == 1 {
            base.clone()
        } else {
            format!("{base}{n}")
        };
        let address = format!("{local}@{domain}");
        if let Some(id) = create_address(&mut *tx, &address).await? {
            crate::on_db!(&mut *tx, |dbc| {
                sqlx::query(
                "INSERT INTO mail_address_users (address_id, user_id, permission) VALUES ($1, $2, 'manage')",
            )
            .bind(id)
            .bind(user_id)
            .execute(dbc).await.map(crate::db::Done::from)
            })?;
            return Ok(address);
        }
    }
    Err(ApiError::internal("no free mail address"))
}

/// Gives every user without an address one (users from before mail existed).
pub async fn give_missing_addresses(db: &Db, domain: &str) -> Result<(), ApiError> {
    let users: Vec<(i64, String)> = crate::on_db!(db, |dbc| sqlx::query_as(
        "SELECT id, email FROM users WHERE id NOT IN (SELECT user_id FROM mail_address_users)",
    )
    .fetch_all(dbc)
    .await)?;
    for (id, email) in users {
        let mut tx = crate::db::begin_write(db).await?;
        give_address(&mut tx, id, &email, domain).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// The address mail to `address` lands in (case-insensitive): the address itself, the
/// one it is an alias of, or for `local+tag@domain` the one `local@domain` lands in.
pub async fn address_id(db: &Db, address: &str) -> Result<Option<i64>, ApiError> {
    let address = address.trim().to_lowercase();
    let mut candidates = vec![address.clone()];
    if let Some((local, domain)) = address.rsplit_once('@')
        && let Some((base, _tag)) = local.split_once('+')
        && !base.is_empty()
    {
        candidates.push(format!("{base}@{domain}"));
    }
    for candidate in candidates {
        let id: Option<i64> = crate::on_db!(db, |dbc| sqlx::query_scalar(
            "SELECT id FROM mail_addresses WHERE address = $1 \
             UNION ALL SELECT target_id FROM mail_aliases WHERE address = $2 LIMIT 1",
        )
        .bind(&candidate)
        .bind(&candidate)
        .fetch_optional(dbc)
        .await)?;
        if id.is_some() {
            return Ok(id);
        }
    }
    Ok(None)
}

/// The flags a message is filed with.
#[derive(Clone, Copy, Debug, Default)]
pub struct NewFlags {
    pub seen: bool,
    pub draft: bool,
}

/// The address with this id.
pub async fn address_of(db: &Db, address_id: i64) -> Result<String, ApiError> {
    Ok(crate::on_db!(db, |dbc| sqlx::query_scalar(
        "SELECT address FROM mail_addresses WHERE id = $1"
    )
    .bind(address_id)
    .fetch_one(dbc)
    .await)?)
}

/// Files a stored message (blob `digest`) in a folder: the next UID there, a new MODSEQ,
/// the index row and the full-text entry.
pub async fn insert_message(
    tx: &mut crate::db::Conn,
    mailbox_id: i64,
    digest: &str,
    size: i64,
    idx: &Indexed,
    flags: NewFlags,
) -> Result<i64, ApiError> {
    let (uid, modseq): (i64, i64) = crate::on_db!(&mut *tx, |dbc| sqlx::query_as(
        "UPDATE mailboxes SET uidnext = uidnext + 1, highest_modseq = highest_modseq + 1 \
         WHERE id = $1 RETURNING uidnext - 1, highest_modseq",
    )
    .bind(mailbox_id)
    .fetch_one(dbc)
    .await)?;
    let id: i64 = crate::on_db!(&mut *tx, |dbc| {
        sqlx::query_scalar(
        "INSERT INTO messages (mailbox_id, uid, modseq, blob, size, seen, draft, from_name, from_address, to_addresses, \
         cc_addresses, subject, snippet, sent_at, received_at, message_id, in_reply_to, thread_id, has_attachments) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING id",
    )
    .bind(mailbox_id)
    .bind(uid)
    .bind(modseq)
    .bind(digest)
    .bind(size)
    .bind(flags.seen)
    .bind(flags.draft)
    .bind(&idx.from_name)
    .bind(&idx.from_address)
    .bind(idx.to.join("\n"))
    .bind(idx.cc.join("\n"))
    .bind(&idx.subject)
    .bind(&idx.snippet)
    .bind(idx.sent_at)
    .bind(now_unix())
    .bind(&idx.message_id)
    .bind(&idx.in_reply_to)
    .bind(&idx.thread_id)
    .bind(idx.has_attachments)
    .fetch_one(dbc).await
    })?;
    let backend = tx.backend();
    let (subject, addresses, body) = search_texts(backend, idx);
    crate::on_db!(&mut *tx, |dbc| sqlx::query(fts_index(backend))
        .bind(id)
        .bind(subject)
        .bind(addresses)
        .bind(body)
        .execute(dbc)
        .await
        .map(crate::db::Done::from))?;
    Ok(id)
}

/// The folder with `role` of an address.
pub async fn folder_with_role(
    tx: &mut crate::db::Conn,
    address_id: i64,
    role: &str,
) -> Result<i64, ApiError> {
    Ok(crate::on_db!(&mut *tx, |dbc| sqlx::query_scalar(
        "SELECT id FROM mailboxes WHERE address_id = $1 AND role = $2"
    )
    .bind(address_id)
    .bind(role)
    .fetch_one(dbc)
    .await)?)
}

/// Files a stored message in the inbox of each address inside `tx`; returns
/// `(address id, message id)` pairs.
pub async fn file_in_inboxes(
    tx: &mut crate::db::Conn,
    address_ids: &[i64],
    digest: &str,
    size: i64,
    idx: &Indexed,
) -> Result<Vec<(i64, i64)>, ApiError> {
    file_in_role(tx, address_ids, "inbox", digest, size, idx).await
}

/// Files a stored message into the folder with `role` (inbox, spam) of each address.
pub async fn file_in_role(
    tx: &mut crate::db::Conn,
    address_ids: &[i64],
    role: &str,
    digest: &str,
    size: i64,
    idx: &Indexed,
) -> Result<Vec<(i64, i64)>, ApiError> {
    let mut filed = Vec::new();
    for &address_id in address_ids {
        let inbox = folder_with_role(&mut *tx, address_id, role).await?;
        let id = insert_message(&mut *tx, inbox, digest, size, idx, NewFlags::default()).await?;
        filed.push((address_id, id));
    }
    Ok(filed)
}

/// Files a stored message into the inbox of each address, atomically.
pub async fn deliver(
    db: &Db,
    address_ids: &[i64],
    digest: &str,
    size: i64,
    idx: &Indexed,
) -> Result<Vec<(i64, i64)>, ApiError> {
    let mut tx = crate::db::begin_write(db).await?;
    let filed = file_in_inboxes(&mut tx, address_ids, digest, size, idx).await?;
    tx.commit().await?;
    Ok(filed)
}

/// The folders of every address the user may read, with unread and total counts.
pub async fn folders(db: &Db, user_id: i64) -> Result<Vec<MailFolder>, ApiError> {
    type Row = (i64, String, String, Option<String>, Option<i64>, i64, i64);
    let rows: Vec<Row> = crate::on_db!(db, |dbc| {
        sqlx::query_as(
        "SELECT m.id, a.address, m.name, m.role, m.parent_id, \
         (SELECT COUNT(*) FROM messages x WHERE x.mailbox_id = m.id AND NOT x.seen AND x.deleted_at IS NULL), \
         (SELECT COUNT(*) FROM messages x WHERE x.mailbox_id = m.id AND x.deleted_at IS NULL) \
         FROM mailboxes m JOIN mail_addresses a ON a.id = m.address_id \
         JOIN mail_address_users u ON u.address_id = a.id WHERE u.user_id = $1 ORDER BY a.address, m.id",
    )
    .bind(user_id)
    .fetch_all(dbc).await
    })?;
    Ok(rows
        .into_iter()
        .map(
            |(id, address, name, role, parent_id, unread, total)| MailFolder {
                id,
                address,
                name,
                role,
                parent_id,
                unread,
                total,
            },
        )
        .collect())
}

/// Whether the user may read the folder (through one of their addresses).
pub async fn may_read_folder(db: &Db, user_id: i64, folder_id: i64) -> Result<bool, ApiError> {
    let found: Option<i64> = crate::on_db!(db, |dbc| sqlx::query_scalar(
        "SELECT m.id FROM mailboxes m JOIN mail_address_users u ON u.address_id = m.address_id \
         WHERE m.id = $1 AND u.user_id = $2",
    )
    .bind(folder_id)
    .bind(user_id)
    .fetch_optional(dbc)
    .await)?;
    Ok(found.is_some())
}

#[derive(sqlx::FromRow)]
pub struct MessageRow {
    pub id: i64,
    pub mailbox_id: i64,
    pub blob: String,
    pub size: i64,
    pub seen: bool,
    pub flagged: bool,
    pub answered: bool,
    pub from_name: Option<String>,
    pub from_address: Option<String>,
    pub to_addresses: String,
    pub cc_addresses: String,
    pub subject: String,
    pub snippet: String,
    pub sent_at: Option<i64>,
    pub received_at: i64,
    pub message_id: Option<String>,
    pub thread_id: String,
    pub has_attachments: bool,
    pub draft: bool,
    pub delivery: Option<String>,
    /// Messages in the conversation (conversation lists only).
    #[sqlx(default)]
    pub thread_count: Option<i64>,
}

const MESSAGE_COLUMNS: &str = "id, mailbox_id, blob, size, seen, flagged, answered, from_name, from_address, \
to_addresses, cc_addresses, subject, snippet, sent_at, received_at, message_id, thread_id, has_attachments, draft, \
(SELECT o.state FROM mail_outbox o WHERE o.message_id = messages.id ORDER BY o.id DESC LIMIT 1) AS delivery";

impl MessageRow {
    pub fn summary(&self) -> MessageSummary {
        MessageSummary {
            id: self.id,
            folder_id: self.mailbox_id,
            from_name: self.from_name.clone(),
            from_address: self.from_address.clone(),
            to: lines(&self.to_addresses),
            subject: self.subject.clone(),
            snippet: self.snippet.clone(),
            received_at: self.received_at,
            sent_at: self.sent_at,
            size: self.size,
            seen: self.seen,
            flagged: self.flagged,
            answered: self.answered,
            has_attachments: self.has_attachments,
            thread_id: self.thread_id.clone(),
            draft: self.draft,
            delivery: self.delivery.clone(),
            thread_count: self.thread_count,
        }
    }
}

pub fn lines(s: &str) -> Vec<String> {
    s.lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// The SQL of [`page`]: binds folder, cursor time (twice), cursor id and limit. Public so
/// a test can ask PostgreSQL how much work its plan does.
pub fn page_sql(threads: bool) -> String {
    let (count, newest_only) = if threads {
        (
            ", (SELECT COUNT(*) FROM messages t WHERE t.thread_id = messages.thread_id \
             AND t.mailbox_id = messages.mailbox_id AND t.deleted_at IS NULL) AS thread_count",
            // A scalar subquery with LIMIT is never turned into a join: it stays one index
            // seek per row walked, whatever the planner's statistics say. Wrapped in
            // COALESCE, PostgreSQL guesses it keeps half the rows (not 0.5% as for `=`),
            // so it walks the folder in order and stops at a page rather than sorting it.
            "AND COALESCE(id = (SELECT n.id FROM messages n WHERE n.thread_id = messages.thread_id \
             AND n.mailbox_id = messages.mailbox_id AND n.deleted_at IS NULL \
             ORDER BY n.received_at DESC, n.id DESC LIMIT 1), FALSE)",
        )
    } else {
        ("", "")
    };
    format!(
        "SELECT {MESSAGE_COLUMNS}{count} FROM messages WHERE mailbox_id = $1 AND deleted_at IS NULL \
         AND (received_at < $2 OR (received_at = $3 AND id < $4)) {newest_only} \
         ORDER BY received_at DESC, id DESC LIMIT $5"
    )
}

/// A page of a folder, newest first, after the keyset cursor `(received_at, id)`. With
/// `threads`, one row per conversation (its newest message) with the conversation's size.
pub async fn page(
    db: &Db,
    folder_id: i64,
    before: Option<(i64, i64)>,
    limit: i64,
    threads: bool,
) -> Result<Vec<MessageRow>, ApiError> {
    let (at, id) = before.unwrap_or((i64::MAX, i64::MAX));
    let sql = page_sql(threads);
    Ok(crate::on_db!(db, |dbc| {
        sqlx::query_as(&sql)
            .bind(folder_id)
            .bind(at)
            .bind(at)
            .bind(id)
            .bind(limit)
            .fetch_all(dbc)
            .await
    })?)
}

/// What a user wants to do with a message: reading needs any grant on its address,
/// changing it (flags, moves, deletes, drafts) needs `send` or `manage`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageAccess {
    Read,
    Write,
}

impl MessageAccess {
    /// The grants on an address that allow this access, as an SQL condition on `u`.
    fn grant_condition(self) -> &'static str {
        match self {
            MessageAccess::Read => "1 = 1",
            MessageAccess::Write => "u.permission IN ('send', 'manage')",
        }
    }
}

/// Where each of these live messages is — `(id, folder, address, folder role)` — for the
/// ones the user may access as asked; the others are simply not in the answer.
pub async fn placed_messages(
    db: &Db,
    user_id: i64,
    ids: &[i64],
    access: MessageAccess,
) -> Result<Vec<(i64, i64, i64, Option<String>)>, ApiError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = crate::db::params(2, ids.len());
    let sql = format!(
        "SELECT msg.id, msg.mailbox_id, m.address_id, m.role FROM messages msg \
         JOIN mailboxes m ON m.id = msg.mailbox_id \
         JOIN mail_address_users u ON u.address_id = m.address_id \
         WHERE u.user_id = $1 AND {} AND msg.deleted_at IS NULL AND msg.id IN ({marks}) ORDER BY msg.id",
        access.grant_condition()
    );
    Ok(crate::on_db!(db, |dbc| {
        let mut query = sqlx::query_as(&sql).bind(user_id);
        for id in ids {
            query = query.bind(id);
        }
        query.fetch_all(dbc).await
    })?)
}

/// A message the user may read, or `None`.
pub async fn message(db: &Db, user_id: i64, id: i64) -> Result<Option<MessageRow>, ApiError> {
    message_for(db, user_id, id, MessageAccess::Read).await
}

/// A message the user may access as asked, or `None` (a read-only grant looks like a
/// missing message to a writer, so nothing is revealed beyond what reading shows).
pub async fn message_for(
    db: &Db,
    user_id: i64,
    id: i64,
    access: MessageAccess,
) -> Result<Option<MessageRow>, ApiError> {
    Ok(crate::on_db!(db, |dbc| sqlx::query_as(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = $1 AND mailbox_id IN \
         (SELECT m.id FROM mailboxes m JOIN mail_address_users u ON u.address_id = m.address_id \
          WHERE u.user_id = $2 AND {})",
        access.grant_condition()
    ))
    .bind(id)
    .bind(user_id)
    .fetch_optional(dbc)
    .await)?)
}

/// The conversation a message belongs to: the user's live messages with its thread id,
/// in every folder, oldest first.
pub async fn thread(db: &Db, user_id: i64, thread_id: &str) -> Result<Vec<MessageRow>, ApiError> {
    Ok(crate::on_db!(db, |dbc| {
        sqlx::query_as(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE thread_id = $1 AND deleted_at IS NULL AND mailbox_id IN \
         (SELECT m.id FROM mailboxes m JOIN mail_address_users u ON u.address_id = m.address_id WHERE u.user_id = $2) \
         ORDER BY COALESCE(sent_at, received_at), id LIMIT 200"
    ))
    .bind(thread_id)
    .bind(user_id)
    .fetch_all(dbc).await
    })?)
}

/// A message by id, whoever owns it (for the server's own work, like filters).
pub async fn message_by_id(db: &Db, id: i64) -> Result<Option<MessageRow>, ApiError> {
    Ok(crate::on_db!(db, |dbc| sqlx::query_as(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(dbc)
    .await)?)
}

/// Bumps a folder's change counter and returns the new MODSEQ.
pub async fn next_modseq(tx: &mut crate::db::Conn, mailbox_id: i64) -> Result<i64, ApiError> {
    Ok(crate::on_db!(tx, |dbc| {
        sqlx::query_scalar(
        "UPDATE mailboxes SET highest_modseq = highest_modseq + 1 WHERE id = $1 RETURNING highest_modseq",
    )
    .bind(mailbox_id)
    .fetch_one(dbc).await
    })?)
}

/// Removes a message for good (a draft saved anew or sent); returns its blob when no
/// other message uses it, for the caller to delete after the commit.
pub async fn remove(tx: &mut crate::db::Conn, id: i64) -> Result<Option<String>, ApiError> {
    let gone: Option<(i64, String)> = crate::on_db!(&mut *tx, |dbc| sqlx::query_as(
        "DELETE FROM messages WHERE id = $1 RETURNING mailbox_id, blob"
    )
    .bind(id)
    .fetch_optional(dbc)
    .await)?;
    let Some((mailbox_id, blob)) = gone else {
        return Ok(None);
    };
    next_modseq(&mut *tx, mailbox_id).await?;
    crate::on_db!(&mut *tx, |dbc| sqlx::query(
        "DELETE FROM message_search WHERE rowid = $1"
    )
    .bind(id)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    Ok((!blob_in_use(&mut *tx, &blob).await?).then_some(blob))
}

/// Whether a message or an unsent relay delivery (queued, or failed and retryable) still
/// needs the raw file.
pub async fn blob_in_use(tx: &mut crate::db::Conn, blob: &str) -> Result<bool, ApiError> {
    let used: Option<i64> = crate::on_db!(&mut *tx, |dbc| {
        sqlx::query_scalar(
        "SELECT id FROM messages WHERE blob = $1 UNION ALL SELECT id FROM mail_outbox WHERE blob = $2 AND state <> 'sent' LIMIT 1",
    )
    .bind(blob)
    .bind(blob)
    .fetch_optional(dbc).await
    })?;
    Ok(used.is_some())
}

/// Marks a message answered (a reply to it was sent).
pub async fn mark_answered(tx: &mut crate::db::Conn, id: i64) -> Result<(), ApiError> {
    let mailbox_id: Option<i64> = crate::on_db!(&mut *tx, |dbc| sqlx::query_scalar(
        "SELECT mailbox_id FROM messages WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(dbc)
    .await)?;
    if let Some(mailbox_id) = mailbox_id {
        let modseq = next_modseq(&mut *tx, mailbox_id).await?;
        crate::on_db!(&mut *tx, |dbc| sqlx::query(
            "UPDATE messages SET answered = TRUE, modseq = $1 WHERE id = $2"
        )
        .bind(modseq)
        .bind(id)
        .execute(dbc)
        .await
        .map(crate::db::Done::from))?;
    }
    Ok(())
}

/// Changes the seen/flagged flags (`None` keeps one).
pub async fn set_flags(
    db: &Db,
    row: &MessageRow,
    seen: Option<bool>,
    flagged: Option<bool>,
) -> Result<(), ApiError> {
    let mut tx = crate::db::begin_write(db).await?;
    let modseq = next_modseq(&mut tx, row.mailbox_id).await?;
    crate::on_db!(&mut tx, |dbc| {
        sqlx::query(
        "UPDATE messages SET seen = COALESCE($1, seen), flagged = COALESCE($2, flagged), modseq = $3 WHERE id = $4",
    )
    .bind(seen)
    .bind(flagged)
    .bind(modseq)
    .bind(row.id)
    .execute(dbc).await.map(crate::db::Done::from)
    })?;
    tx.commit().await?;
    Ok(())
}

/// The folder's address and role, if the user may file messages into it (`send` or
/// `manage` on its address).
pub async fn writable_folder_of_user(
    db: &Db,
    user_id: i64,
    folder_id: i64,
) -> Result<Option<(i64, Option<String>)>, ApiError> {
    Ok(crate::on_db!(db, |dbc| {
        sqlx::query_as(&format!(
        "SELECT m.address_id, m.role FROM mailboxes m JOIN mail_address_users u ON u.address_id = m.address_id \
         WHERE m.id = $1 AND u.user_id = $2 AND {}",
        MessageAccess::Write.grant_condition()
    ))
    .bind(folder_id)
    .bind(user_id)
    .fetch_optional(dbc).await
    })?)
}

/// Moves a message to another folder of the same address: a new UID there (IMAP MOVE);
/// `remember` keeps where it came from (for a restore from the Trash).
pub async fn move_message(
    db: &Db,
    row: &MessageRow,
    target: i64,
    remember: bool,
) -> Result<(), ApiError> {
    let mut tx = crate::db::begin_write(db).await?;
    refile(&mut tx, row.id, target, remember).await?;
    tx.commit().await?;
    Ok(())
}

/// Moves a message to folder `target` inside `tx`: a new UID there, a new MODSEQ in both
/// folders; `remember` keeps the folder it came from.
pub async fn refile(
    tx: &mut crate::db::Conn,
    id: i64,
    target: i64,
    remember: bool,
) -> Result<(), ApiError> {
    let (uid, modseq): (i64, i64) = crate::on_db!(&mut *tx, |dbc| sqlx::query_as(
        "UPDATE mailboxes SET uidnext = uidnext + 1, highest_modseq = highest_modseq + 1 \
         WHERE id = $1 RETURNING uidnext - 1, highest_modseq",
    )
    .bind(target)
    .fetch_one(dbc)
    .await)?;
    let from: i64 = crate::on_db!(&mut *tx, |dbc| sqlx::query_scalar(
        "SELECT mailbox_id FROM messages WHERE id = $1"
    )
    .bind(id)
    .fetch_one(dbc)
    .await)?;
    // Into Spam, or out of it (but not to the Trash): a lesson for the spam filter,
    // committed with the move.
    crate::on_db!(&mut *tx, |dbc| {
        sqlx::query(
        "INSERT INTO spam_lessons (blob, spam, created_at) \
         SELECT m.blob, CASE WHEN COALESCE(t.role, '') = 'spam' THEN 1 ELSE 0 END, $1 FROM messages m, mailboxes f, mailboxes t \
         WHERE m.id = $2 AND f.id = $3 AND t.id = $4 \
         AND (COALESCE(t.role, '') = 'spam') <> (COALESCE(f.role, '') = 'spam') \
         AND COALESCE(t.role, '') <> 'trash'",
    )
    .bind(crate::now_unix())
    .bind(id)
    .bind(from)
    .bind(target)
    .execute(dbc)
    .await
    .map(crate::db::Done::from)
    })?;
    next_modseq(&mut *tx, from).await?;
    crate::on_db!(&mut *tx, |dbc| sqlx::query(
        "UPDATE messages SET mailbox_id = $1, uid = $2, modseq = $3, deleted_at = NULL, \
         previous_mailbox_id = CASE WHEN $4 THEN mailbox_id ELSE NULL END WHERE id = $5",
    )
    .bind(target)
    .bind(uid)
    .bind(modseq)
    .bind(remember)
    .bind(id)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    Ok(())
}

/// The folder with `role` of the message's address.
pub async fn role_folder(db: &Db, mailbox_id: i64, role: &str) -> Result<i64, ApiError> {
    Ok(crate::on_db!(db, |dbc| {
        sqlx::query_scalar(
        "SELECT t.id FROM mailboxes t JOIN mailboxes m ON m.address_id = t.address_id WHERE m.id = $1 AND t.role = $2",
    )
    .bind(mailbox_id)
    .bind(role)
    .fetch_one(dbc).await
    })?)
}

/// Marks a message in the Trash deleted: hidden, restorable during the retention period.
pub async fn mark_deleted(db: &Db, row: &MessageRow) -> Result<(), ApiError> {
    let mut tx = crate::db::begin_write(db).await?;
    let modseq = next_modseq(&mut tx, row.mailbox_id).await?;
    crate::on_db!(&mut tx, |dbc| sqlx::query(
        "UPDATE messages SET deleted_at = $1, modseq = $2 WHERE id = $3"
    )
    .bind(now_unix())
    .bind(modseq)
    .bind(row.id)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    tx.commit().await?;
    Ok(())
}

/// Where a restored message goes: the folder it was in before the Trash, else the inbox.
pub async fn restore_target(db: &Db, id: i64) -> Result<Option<i64>, ApiError> {
    Ok(crate::on_db!(db, |dbc| sqlx::query_scalar(
        "SELECT previous_mailbox_id FROM messages WHERE id = $1"
    )
    .bind(id)
    .fetch_one(dbc)
    .await)?)
}

/// Deleted messages of the user still within the retention period, newest first.
pub async fn deleted(db: &Db, user_id: i64, since: i64) -> Result<Vec<MessageRow>, ApiError> {
    Ok(crate::on_db!(db, |dbc| {
        sqlx::query_as(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE deleted_at IS NOT NULL AND deleted_at >= $1 AND mailbox_id IN \
         (SELECT m.id FROM mailboxes m JOIN mail_address_users u ON u.address_id = m.address_id WHERE u.user_id = $2) \
         ORDER BY deleted_at DESC, id DESC LIMIT 500"
    ))
    .bind(since)
    .bind(user_id)
    .fetch_all(dbc).await
    })?)
}

/// Removes messages deleted before `before` for good; returns the blobs no longer used.
pub async fn purge(db: &Db, before: i64) -> Result<Vec<String>, ApiError> {
    let mut tx = crate::db::begin_write(db).await?;
    let gone: Vec<(i64, String)> = crate::on_db!(&mut tx, |dbc| {
        sqlx::query_as(
        "DELETE FROM messages WHERE deleted_at IS NOT NULL AND deleted_at < $1 RETURNING id, blob",
    )
    .bind(before)
    .fetch_all(dbc).await
    })?;
    let mut unused = Vec::new();
    for (id, blob) in gone {
        crate::on_db!(&mut tx, |dbc| sqlx::query(
            "DELETE FROM message_search WHERE rowid = $1"
        )
        .bind(id)
        .execute(dbc)
        .await
        .map(crate::db::Done::from))?;
        if !blob_in_use(&mut tx, &blob).await? && !unused.contains(&blob) {
            unused.push(blob);
        }
    }
    tx.commit().await?;
    Ok(unused)
}

/// Filters of a search besides the words.
pub struct SearchFilters {
    pub unread_only: bool,
    pub with_attachments: bool,
    pub from: Option<i64>,
    pub to: Option<i64>,
}

/// A full-text query matching every word (as a prefix) of what the user typed: FTS5's
/// syntax on SQLite, `to_tsquery`'s on PostgreSQL. Quotes are dropped, so no word can
/// become an operator.
pub fn fts_query(backend: Backend, q: &str) -> Option<String> {
    let words = q
        .split_whitespace()
        .map(|w| w.replace(['"', '\'', '\\'], ""))
        .filter(|w| !w.is_empty());
    let words: Vec<String> = match backend {
        Backend::Sqlite => words.map(|w| format!("\"{w}\"*")).collect(),
        Backend::Postgres => words
            .flat_map(|w| {
                search_words(&w)
                    .split_whitespace()
                    .map(|part| format!("'{part}':*"))
                    .collect::<Vec<_>>()
            })
            .collect(),
    };
    (!words.is_empty()).then(|| {
        words.join(match backend {
            Backend::Sqlite => " ",
            Backend::Postgres => " & ",
        })
    })
}

/// Text as PostgreSQL indexes and searches it: lower-cased, accents folded and split into
/// runs of letters and digits, as SQLite's FTS5 tokenizer (unicode61) does, so both find
/// "rene@example" in "René <rene@example.org>".
pub fn search_words(s: &str) -> String {
    crate::contacts::store::fold(s)
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect()
}

/// What a message is searched by — subject, addresses, body with attachment names — as
/// the index of `backend` takes them ([`fts_index`]'s `$2`, `$3`, `$4`).
pub fn search_texts(backend: Backend, idx: &Indexed) -> (String, String, String) {
    let addresses = [
        idx.from_name.clone().unwrap_or_default(),
        idx.from_address.clone().unwrap_or_default(),
        idx.to.join(" "),
        idx.cc.join(" "),
    ]
    .join(" ");
    let body = if idx.attachment_names.is_empty() {
        idx.body_text.clone()
    } else {
        format!("{}\n{}", idx.body_text, idx.attachment_names.join(" "))
    };
    let text = |s: &str| match backend {
        Backend::Sqlite => s.to_string(),
        Backend::Postgres => search_words(s),
    };
    (text(&idx.subject), text(&addresses), text(&body))
}

/// SQL selecting the ids of the indexed messages that match the query bound at `$n`.
/// PostgreSQL: every word as a prefix of an indexed word, or else the whole query stemmed
/// in the search language (the session's default configuration, see
/// `db::postgres_options`), so "meetings" finds "meeting" and "running" finds "runs".
pub fn fts_hits(backend: Backend, n: usize) -> String {
    match backend {
        Backend::Sqlite => {
            format!("SELECT rowid FROM message_search WHERE message_search MATCH ${n}")
        }
        Backend::Postgres => format!(
            "SELECT rowid FROM message_search \
             WHERE document @@ (to_tsquery('simple', ${n}) || to_tsquery(${n}))"
        ),
    }
}

/// SQL indexing a message: `$1` its id, `$2` subject, `$3` addresses, `$4` body. SQLite's
/// FTS5 keeps the three columns; PostgreSQL one weighted document (subject A, addresses
/// B, body D), as `ksuite copy-data` builds it: every word as written (`simple`) and, for
/// subject and body, its stem in the search language.
pub(crate) fn fts_index(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "INSERT INTO message_search (rowid, subject, addresses, body) VALUES ($1, $2, $3, $4)"
        }
        Backend::Postgres => {
            "INSERT INTO message_search (rowid, document) VALUES ($1, \
             setweight(to_tsvector('simple', $2) || to_tsvector($2), 'A') \
             || setweight(to_tsvector('simple', $3), 'B') \
             || setweight(to_tsvector('simple', $4) || to_tsvector($4), 'D'))"
        }
    }
}

/// Full-text search over subject, addresses and body of all the user's folders. (The `+`
/// keeps SQLite from walking the partial index of live messages instead of the FTS hits.)
pub async fn search(
    db: &Db,
    user_id: i64,
    q: &str,
    f: &SearchFilters,
    limit: i64,
) -> Result<Vec<MessageRow>, ApiError> {
    let fts = fts_query(db.backend(), q);
    let hits = fts_hits(db.backend(), 3);
    Ok(crate::on_db!(db, |dbc| {
        sqlx::query_as(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages \
         WHERE +messages.deleted_at IS NULL AND messages.mailbox_id IN (SELECT m.id FROM mailboxes m \
           JOIN mail_address_users u ON u.address_id = m.address_id WHERE u.user_id = $1) \
         AND ($2 IS NULL OR messages.id IN ({hits})) \
         AND (NOT $4 OR NOT messages.seen) AND (NOT $5 OR messages.has_attachments) \
         AND ($6 IS NULL OR messages.received_at >= $7) AND ($8 IS NULL OR messages.received_at < $9) \
         ORDER BY messages.received_at DESC, messages.id DESC LIMIT $10"
    ))
    .bind(user_id)
    .bind(&fts)
    .bind(&fts)
    .bind(f.unread_only)
    .bind(f.with_attachments)
    .bind(f.from)
    .bind(f.from)
    .bind(f.to)
    .bind(f.to)
    .bind(limit)
    .fetch_all(dbc).await
    })?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_words_become_prefix_queries() {
        assert_eq!(
            fts_query(Backend::Sqlite, "  café  \"report "),
            Some("\"café\"* \"report\"*".into())
        );
        assert_eq!(
            fts_query(Backend::Postgres, "  Café  \"report o'brien\\ "),
            Some("'cafe':* & 'report':* & 'obrien':*".into())
        );
        assert_eq!(
            fts_query(Backend::Postgres, "rene@example"),
            Some("'rene':* & 'example':*".into())
        );
        assert_eq!(fts_query(Backend::Sqlite, "   "), None);
        assert_eq!(fts_query(Backend::Postgres, " ' \" "), None);
    }

    #[test]
    fn local_parts_from_signup_addresses() {
        assert_eq!(local_part_of("Ann.Smith@example.com"), "ann.smith");
        assert_eq!(local_part_of("o'brien+x@example.com"), "obrienx");
        assert_eq!(local_part_of("@example.com"), "user");
    }
}
