//! Inbound SMTP (RFC 5321) for the server's own addresses, open to anyone on the internet:
//! unknown recipients are refused at RCPT (550, and a session that keeps guessing is
//! slowed down, then closed), messages over the size limit get 552 (announced with SIZE),
//! DATA is spooled to a file (memory stays flat however many sessions send at once), only
//! `<CRLF>.<CRLF>` ends it (no SMTP smuggling), sessions are limited overall and per
//! client address (421), and a message is acknowledged only once it is stored and filed
//! in every recipient's inbox.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::tcp::{Admission, Conn, ListenerKind};

use super::{
    IDLE, MAX_COMMAND_LINE, MAX_RECIPIENTS, RemoveOnDrop, Spool, clean_helo, domain_of,
    path_and_params, read_data, read_line, size_param,
};
use crate::db::Db;
use crate::mail::antivirus::{Clamd, Verdict};
use crate::mail::sender_auth::SenderAuth;
use crate::mail::spam::{self, Rspamd, Scored};
use crate::mail::{blobs, index, store};

/// Messages parsed and filed at the same time (each is held in memory while indexed).
const CONCURRENT_DELIVERIES: usize = 4;
/// The header a message gets when its sender claims one of our addresses without having
/// signed in; the reader shows a warning for it. Only trusted as the first header.
pub const SENDER_WARNING_HEADER: &str = "X-Ksuite-Sender-Warning";

/// Limits of the listener (each a setting, see `config.rs`).
#[derive(Clone, Debug)]
pub struct SmtpLimits {
    /// Sessions at once, overall.
    pub max_sessions: usize,
    /// Sessions at once from one client address.
    pub max_sessions_per_ip: usize,
    /// Unknown recipients one session may try before it is closed.
    pub max_failed_recipients: usize,
    /// Pause before answering an unknown recipient, times the failures so far.
    pub failed_recipient_delay: Duration,
}

impl Default for SmtpLimits {
    fn default() -> SmtpLimits {
        SmtpLimits {
            max_sessions: 100,
            max_sessions_per_ip: 10,
            max_failed_recipients: 5,
            failed_recipient_delay: Duration::from_millis(500),
        }
    }
}

/// The checks a message passes before it is accepted, each optional.
#[derive(Default)]
pub struct Screening {
    /// Virus scanning (`--clamd`): infected mail is refused, unscannable mail deferred.
    pub antivirus: Option<Clamd>,
    /// SPF, DKIM and DMARC (`--sender-auth-dns`): recorded, and forged senders flagged.
    pub sender_auth: Option<Arc<SenderAuth>>,
    /// Spam scoring (`--rspamd-url`): spam is filed in Spam, the worst refused.
    pub spam: Option<Arc<Rspamd>>,
}

/// What the listener needs.
pub struct SmtpContext {
    pub db: Db,
    pub data_dir: PathBuf,
    pub domain: String,
    pub max_message_size: usize,
    /// Wakes the relay queue (filters may forward).
    pub outbox_wake: Arc<tokio::sync::Notify>,
    pub limits: SmtpLimits,
    /// Bytes held per address (mail quota).
    pub usage: Arc<crate::mail::usage::MailUsage>,
    /// Filing, filters and automatic replies.
    pub mailroom: Arc<crate::mail::arrival::Mailroom>,
    /// What each message goes through before it is accepted.
    pub screening: Screening,
    admission: Admission<IpAddr>,
    deliveries: Semaphore,
}

impl SmtpContext {
    pub fn new(
        mailroom: Arc<crate::mail::arrival::Mailroom>,
        spool_dir: PathBuf,
        domain: String,
        max_message_size: usize,
        limits: SmtpLimits,
        screening: Screening,
    ) -> SmtpContext {
        SmtpContext {
            db: mailroom.db.clone(),
            data_dir: spool_dir,
            domain,
            max_message_size,
            outbox_wake: mailroom.wake.clone(),
            usage: mailroom.usage.clone(),
            admission: Admission::new(limits.max_sessions, limits.max_sessions_per_ip),
            deliveries: Semaphore::new(CONCURRENT_DELIVERIES),
            limits,
            mailroom,
            screening,
        }
    }
}

/// Accepts connections until the server stops.
pub async fn serve(listener: Arc<TcpListener>, ctx: Arc<SmtpContext>, stop: crate::jobs::Stop) {
    let kind = ListenerKind {
        name: "SMTP",
        implicit_tls: None,
        busy: b"421 4.7.0 Too many connections, try again later\r\n",
    };
    let sessions = {
        let ctx = ctx.clone();
        move |conn: Conn, peer: SocketAddr| {
            let ctx = ctx.clone();
            async move {
                if let Err(e) = session(conn, peer, &ctx).await {
                    tracing::debug!(%peer, error = %e, "SMTP session ended");
                }
            }
        }
    };
    crate::tcp::serve(listener, kind, &ctx.admission, stop, sessions).await;
}

/// What a session knows about the message being sent.
#[derive(Default)]
struct Envelope {
    from: Option<String>,
    recipients: Vec<i64>,
}

async fn session(conn: Conn, peer: SocketAddr, ctx: &SmtpContext) -> std::io::Result<()> {
    let (read, mut write) = tokio::io::split(conn);
    let mut reader = BufReader::new(read);
    write
        .write_all(format!("220 {} ksuite ESMTP ready\r\n", ctx.domain).as_bytes())
        .await?;
    let mut helo: Option<String> = None;
    let mut envelope = Envelope::default();
    let mut failed_recipients = 0usize;
    loop {
        let line = match tokio::time::timeout(IDLE, read_line(&mut reader, MAX_COMMAND_LINE)).await
        {
            Ok(Ok(Some(l))) => l,
            _ => break,
        };
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        let (verb, arg) = match text.split_once(' ') {
            Some((v, a)) => (v.to_ascii_uppercase(), a.trim()),
            None => (text.to_ascii_uppercase(), ""),
        };
        let reply: String = match verb.as_str() {
            "EHLO" => {
                let name = clean_helo(arg);
                let reply = format!(
                    "250-{} greets {name}\r\n250-SIZE {}\r\n250-8BITMIME\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES\r\n",
                    ctx.domain, ctx.max_message_size
                );
                helo = Some(name);
                reply
            }
            "HELO" => {
                helo = Some(clean_helo(arg));
                format!("250 {}\r\n", ctx.domain)
            }
            "MAIL" => match arg
                .to_ascii_uppercase()
                .starts_with("FROM:")
                .then(|| path_and_params(arg))
                .flatten()
            {
                _ if helo.is_none() => "503 5.5.1 Say EHLO first\r\n".into(),
                Some((_, params))
                    if size_param(params).is_some_and(|s| s > ctx.max_message_size) =>
                {
                    "552 5.3.4 Message too big for this server\r\n".into()
                }
                Some((path, _)) => {
                    envelope = Envelope {
                        from: Some(path),
                        recipients: Vec::new(),
                    };
                    "250 2.1.0 OK\r\n".into()
                }
                None => "501 5.5.4 Syntax: MAIL FROM:<address>\r\n".into(),
            },
            "RCPT" => match arg
                .to_ascii_uppercase()
                .starts_with("TO:")
                .then(|| path_and_params(arg))
                .flatten()
            {
                _ if envelope.from.is_none() => "503 5.5.1 MAIL first\r\n".into(),
                _ if envelope.recipients.len() >= MAX_RECIPIENTS => {
                    "452 4.5.3 Too many recipients\r\n".into()
                }
                Some((path, _)) => match store::address_id(&ctx.db, &path).await {
                    Ok(Some(id)) if !ctx.usage.has_room(&ctx.db, id, 0).await.unwrap_or(true) => {
                        "452 4.2.2 Mailbox full, try again later\r\n".into()
                    }
                    Ok(Some(id)) => {
                        if !envelope.recipients.contains(&id) {
                            envelope.recipients.push(id);
                        }
                        "250 2.1.5 OK\r\n".into()
                    }
                    Ok(None) => {
                        failed_recipients += 1;
                        // Guessing addresses gets slower with each miss, then ends.
                        tokio::time::sleep(
                            ctx.limits.failed_recipient_delay * failed_recipients as u32,
                        )
                        .await;
                        if failed_recipients >= ctx.limits.max_failed_recipients.max(1) {
                            write
                                .write_all(
                                    b"421 4.7.0 Too many unknown recipients, closing connection\r\n",
                                )
                                .await?;
                            break;
                        }
                        "550 5.1.1 No such mailbox here\r\n".into()
                    }
                    Err(_) => "451 4.3.0 Temporary failure, try again later\r\n".into(),
                },
                None => "501 5.5.4 Syntax: RCPT TO:<address>\r\n".into(),
            },
            "DATA" => {
                if envelope.recipients.is_empty() {
                    "503 5.5.1 No valid recipients\r\n".into()
                } else {
                    let mut spool = match Spool::create(&ctx.data_dir).await {
                        Ok(s) => s,
                        Err(e) => {
                            tracing::error!(error = %e, "cannot create an SMTP spool file");
                            write
                                .write_all(
                                    b"451 4.3.0 Cannot take mail right now, try again later\r\n",
                                )
                                .await?;
                            continue;
                        }
                    };
                    let _cleanup = RemoveOnDrop(spool.path.clone());
                    write
                        .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                        .await?;
                    let fits = read_data(&mut reader, &mut spool, ctx.max_message_size).await?;
                    let reply = if !fits {
                        "552 5.3.4 Message too big for this server\r\n".to_string()
                    } else if let Some(refusal) = scan(ctx, &spool.path).await {
                        refusal
                    } else {
                        let helo = helo.as_deref().unwrap_or("unknown");
                        let mail_from = envelope.from.as_deref().unwrap_or("");
                        let scored = score(ctx, &spool.path, peer, helo, mail_from).await;
                        let arrival = Arrival {
                            peer,
                            helo,
                            mail_from,
                            spool: &spool.path,
                            recipients: &envelope.recipients,
                            scored: scored.as_ref(),
                        };
                        match scored.as_ref().map(|s| s.action) {
                            Some(spam::Action::Reject) => {
                                "550 5.7.1 Message refused as spam\r\n".to_string()
                            }
                            Some(spam::Action::Defer) => {
                                "451 4.7.1 Message deferred by the spam filter, try again later\r\n"
                                    .to_string()
                            }
                            _ => match deliver(ctx, &arrival).await {
                                Ok(()) => "250 2.0.0 OK delivered\r\n".to_string(),
                                Err(e) => {
                                    tracing::error!(error = %e, "delivery failed");
                                    "451 4.3.0 Could not store the message, try again later\r\n"
                                        .into()
                                }
                            },
                        }
                    };
                    envelope = Envelope::default();
                    reply
                }
            }
            "RSET" => {
                envelope = Envelope::default();
                "250 2.0.0 OK\r\n".into()
            }
            "NOOP" => "250 2.0.0 OK\r\n".into(),
            "VRFY" => "252 2.1.5 Cannot verify, but will try\r\n".into(),
            "QUIT" => {
                write.write_all(b"221 2.0.0 Bye\r\n").await?;
                break;
            }
            _ => "502 5.5.2 Command not recognized\r\n".into(),
        };
        write.write_all(reply.as_bytes()).await?;
    }
    Ok(())
}

/// The SMTP refusal for a message the virus scanner finds something in, or cannot scan.
async fn scan(ctx: &SmtpContext, spool: &Path) -> Option<String> {
    let clamd = ctx.screening.antivirus.as_ref()?;
    match clamd.scan_file(spool).await {
        Ok(Verdict::Clean) => None,
        Ok(Verdict::Infected(name)) => {
            tracing::info!(virus = %name, "refused a message with a virus");
            Some(format!(
                "554 5.7.1 Message refused: it contains a virus ({name})\r\n"
            ))
        }
        Err(e) => {
            tracing::error!(error = %e, "virus scan failed; deferring the message");
            Some("451 4.7.1 The virus scanner is unavailable, try again later\r\n".into())
        }
    }
}

/// rspamd's verdict, or none when it is not set up or cannot answer (spam filtering
/// fails open: a message is never lost because the filter is down).
async fn score(
    ctx: &SmtpContext,
    spool: &Path,
    peer: SocketAddr,
    helo: &str,
    mail_from: &str,
) -> Option<Scored> {
    let rspamd = ctx.screening.spam.as_ref()?;
    match rspamd.check(spool, peer.ip(), helo, mail_from).await {
        Ok(s) => Some(s),
        Err(e) => {
            tracing::warn!(error = %e, "rspamd did not score a message; accepting it unscored");
            None
        }
    }
}

/// A received message waiting to be stored.
struct Arrival<'a> {
    peer: SocketAddr,
    helo: &'a str,
    mail_from: &'a str,
    spool: &'a Path,
    recipients: &'a [i64],
    scored: Option<&'a Scored>,
}

/// Stores the message once (with our trace header, and a warning header when it claims
/// a local sender without having signed in) and files it in every recipient's inbox.
async fn deliver(ctx: &SmtpContext, a: &Arrival<'_>) -> anyhow::Result<()> {
    let _turn = ctx.deliveries.acquire().await?;
    let data = tokio::fs::read(a.spool).await?;
    let (data, idx) = tokio::task::spawn_blocking(move || {
        let idx = index::index(&data, "");
        (data, idx)
    })
    .await?;
    let checked = match &ctx.screening.sender_auth {
        Some(auth) => Some(auth.check(&data, a.peer.ip(), a.helo, a.mail_from).await),
        None => None,
    };
    let local = |addr: &str| domain_of(addr).is_some_and(|d| d == ctx.domain);
    let claims_local = local(a.mail_from) || idx.from_address.as_deref().is_some_and(local);
    let mut raw = Vec::with_capacity(data.len() + 1024);
    if claims_local {
        raw.extend_from_slice(
            format!(
                "{SENDER_WARNING_HEADER}: {UNAUTHENTICATED_LOCAL}; the sender claims an address of {} but did not sign in\r\n",
                ctx.domain
            )
            .as_bytes(),
        );
    } else if checked.as_ref().is_some_and(|c| c.dmarc_failed) {
        raw.extend_from_slice(
            format!(
                "{SENDER_WARNING_HEADER}: {FAILED_DMARC}; the message fails its sender domain's DMARC policy\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some(c) = &checked {
        raw.extend_from_slice(c.header.as_bytes());
    }
    if let Some(s) = a.scored {
        raw.extend_from_slice(spam::headers(s).as_bytes());
    }
    raw.extend_from_slice(
        format!(
            "Received: from {} ([{}]) by {} with ESMTP; {}\r\n",
            a.helo,
            a.peer.ip(),
            ctx.domain,
            chrono::Utc::now().to_rfc2822()
        )
        .as_bytes(),
    );
    raw.extend_from_slice(&data);
    drop(data);
    let stored = blobs::store(&ctx.mailroom.db, &ctx.mailroom.blobs, &raw).await?;
    let digest = stored.digest.clone();
    let mut idx = idx;
    if idx.thread_id.is_empty() {
        idx.thread_id = digest.clone(); // no Message-ID: the message is its own thread
    }
    let incoming = crate::mail::arrival::Incoming {
        envelope_from: a.mail_from,
        head: crate::mail::arrival::header_section(&raw),
        digest: &digest,
        size: raw.len() as i64,
        idx: &idx,
    };
    if a.scored.is_some_and(|s| s.action == spam::Action::Spam) {
        crate::mail::arrival::deliver_to_spam(&ctx.mailroom, a.recipients, &incoming).await
    } else {
        crate::mail::arrival::deliver_local(&ctx.mailroom, a.recipients, &incoming).await
    }
    .map_err(|e| anyhow::anyhow!(e.message))?;
    stored.release().await;
    ctx.usage.forget(a.recipients);
    Ok(())
}

/// The warning's first word for mail claiming a local sender without signing in.
const UNAUTHENTICATED_LOCAL: &str = "unauthenticated-local-sender";
/// The warning's first word for mail failing an enforced DMARC policy.
const FAILED_DMARC: &str = "dmarc-fail";

/// The warning a stored message carries, if any (only as the very first header, where
/// this server puts it; a sender cannot place one there).
pub fn sender_warning(raw: &[u8]) -> Option<ksuite_common::SenderWarning> {
    let name = SENDER_WARNING_HEADER.len();
    if raw.len() <= name
        || !raw[..name].eq_ignore_ascii_case(SENDER_WARNING_HEADER.as_bytes())
        || raw[name] != b':'
    {
        return None;
    }
    let rest = &raw[name + 1..raw.len().min(name + 64)];
    let word = String::from_utf8_lossy(rest);
    Some(if word.trim_start().starts_with(FAILED_DMARC) {
        ksuite_common::SenderWarning::FailedDmarc
    } else {
        ksuite_common::SenderWarning::UnauthenticatedLocalSender
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_paths_and_size() {
        let (p, params) = path_and_params("FROM:<a@b.c> SIZE=1000 BODY=8BITMIME").expect("path");
        assert_eq!(p, "a@b.c");
        assert_eq!(size_param(params), Some(1000));
        assert_eq!(path_and_params("FROM:a@b.c"), None);
    }

    #[test]
    fn helo_names_cannot_forge_headers() {
        assert_eq!(clean_helo("mx.example.org"), "mx.example.org");
        assert_eq!(clean_helo("[192.0.2.1]"), "[192.0.2.1]");
        assert_eq!(clean_helo("evil\rX-Injected: yes"), "evil");
        assert_eq!(clean_helo("a(b)c;d"), "abcd");
        assert_eq!(clean_helo(""), "unknown");
        assert_eq!(clean_helo("()"), "unknown");
    }

    #[test]
    fn sender_warning_only_counts_as_first_header() {
        use ksuite_common::SenderWarning;
        assert_eq!(
            sender_warning(
                b"X-Ksuite-Sender-Warning: unauthenticated-local-sender; x\r\nReceived: y\r\n"
            ),
            Some(SenderWarning::UnauthenticatedLocalSender)
        );
        assert_eq!(
            sender_warning(b"X-Ksuite-Sender-Warning: dmarc-fail; x\r\n"),
            Some(SenderWarning::FailedDmarc)
        );
        assert_eq!(
            sender_warning(b"Received: y\r\nX-Ksuite-Sender-Warning: dmarc-fail\r\n"),
            None
        );
    }
}
