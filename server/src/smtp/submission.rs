//! Mail submission for mail apps (RFC 6409) on its STARTTLS port and its implicit-TLS
//! port (RFC 8314): AUTH PLAIN or LOGIN only under TLS, with the account e-mail and an
//! application password (the same check and throttle as IMAP and DAV); MAIL FROM and
//! every From: address must be ones the user may send as; the message then goes through
//! the same path as the webmail's (Sent copy, local delivery, relay queue).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ksuite_common::DeviceProtocol;
use mail_parser::{Address, MessageParser};
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use super::{
    IDLE, MAX_COMMAND_LINE, MAX_RECIPIENTS, RemoveOnDrop, Spool, path_and_params, read_data,
    read_line, size_param,
};
use crate::auth::device::{self, DeviceAuthError};
use crate::error::ApiError;
use crate::mail::{store, submit};
use crate::state::AppState;
use crate::tcp::{Admission, Conn, ListenerKind};
use crate::tls::Tls;

/// Commands a session may get wrong before it is closed.
const MAX_BAD_COMMANDS: u32 = 20;
/// Seconds a client has to sign in.
const LOGIN_TIMEOUT: Duration = Duration::from_secs(60);

/// What every submission session shares.
pub struct SubmissionContext {
    pub state: AppState,
    pub tls: Arc<Tls>,
    /// The host name in the greeting.
    pub host: String,
    pub sent_copy: bool,
    pub allow_plaintext_auth: bool,
    admission: Admission<IpAddr>,
}

impl SubmissionContext {
    pub fn new(
        state: AppState,
        tls: Arc<Tls>,
        host: String,
        sent_copy: bool,
        allow_plaintext_auth: bool,
        limits: &super::inbound::SmtpLimits,
    ) -> SubmissionContext {
        SubmissionContext {
            state,
            tls,
            host,
            sent_copy,
            allow_plaintext_auth,
            admission: Admission::new(limits.max_sessions, limits.max_sessions_per_ip),
        }
    }
}

/// Accepts connections until the server stops; `implicit_tls` for the submissions port.
pub async fn serve(
    listener: Arc<TcpListener>,
    ctx: Arc<SubmissionContext>,
    implicit_tls: bool,
    stop: crate::jobs::Stop,
) {
    let kind = ListenerKind {
        name: if implicit_tls {
            "submissions"
        } else {
            "submission"
        },
        implicit_tls: implicit_tls.then(|| ctx.tls.clone()),
        busy: b"421 4.7.0 Too many connections, try again later\r\n",
    };
    let sessions = {
        let ctx = ctx.clone();
        move |conn: Conn, peer: SocketAddr| {
            let ctx = ctx.clone();
            async move {
                if let Err(e) = session(conn, peer, &ctx).await {
                    tracing::debug!(%peer, error = %e, "submission session ended");
                }
            }
        }
    };
    crate::tcp::serve(listener, kind, &ctx.admission, stop, sessions).await;
}

/// The message being sent.
#[derive(Default)]
struct Envelope {
    /// Address id and address of MAIL FROM.
    from: Option<(i64, String)>,
    local: Vec<i64>,
    remote: Vec<String>,
}

impl Envelope {
    fn count(&self) -> usize {
        self.local.len() + self.remote.len()
    }
}

/// The id of `address` if the user may send as it.
async fn sendable(state: &AppState, user_id: i64, address: &str) -> Result<Option<i64>, ApiError> {
    Ok(crate::on_db!(&state.db, |dbc| sqlx::query_scalar(
        "SELECT a.id FROM mail_addresses a JOIN mail_address_users u ON u.address_id = a.id \
         WHERE a.address = $1 AND u.user_id = $2 AND u.permission IN ('send', 'manage')",
    )
    .bind(address.trim().to_lowercase())
    .bind(user_id)
    .fetch_optional(dbc)
    .await)?)
}

/// Every address in the From: header(s).
fn from_addresses(raw: &[u8]) -> Vec<String> {
    let Some(m) = MessageParser::default().parse_headers(raw) else {
        return Vec::new();
    };
    match m.from() {
        Some(Address::List(list)) => list
            .iter()
            .filter_map(|a| a.address.as_deref())
            .map(str::to_lowercase)
            .collect(),
        Some(Address::Group(groups)) => groups
            .iter()
            .flat_map(|g| g.addresses.iter())
            .filter_map(|a| a.address.as_deref())
            .map(str::to_lowercase)
            .collect(),
        None => Vec::new(),
    }
}

/// A plausible address for the relay (no spaces or controls, one @, a dot in the domain).
fn plausible(address: &str) -> bool {
    address.len() <= 254
        && !address
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
        && address
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.contains('@'))
}

type Io = BufReader<Conn>;

async fn reply(io: &mut Io, text: &str) -> std::io::Result<()> {
    io.get_mut().write_all(text.as_bytes()).await?;
    io.get_mut().flush().await
}

/// Reads one base64 line of an AUTH exchange (`*` cancels).
async fn auth_line(io: &mut Io) -> Option<Vec<u8>> {
    let line = tokio::time::timeout(LOGIN_TIMEOUT, read_line(io, MAX_COMMAND_LINE))
        .await
        .ok()?
        .ok()??;
    let text = String::from_utf8_lossy(&line);
    let text = text.trim();
    if text == "*" {
        return None;
    }
    STANDARD.decode(text).ok()
}

async fn session(conn: Conn, peer: SocketAddr, ctx: &SubmissionContext) -> std::io::Result<()> {
    let state = &ctx.state;
    let mut io = BufReader::new(conn);
    reply(
        &mut io,
        &format!("220 {} ksuite ESMTP submission ready\r\n", ctx.host),
    )
    .await?;
    let mut greeted = false;
    let mut user: Option<i64> = None;
    let mut env = Envelope::default();
    let mut bad = 0u32;
    loop {
        let wait = if user.is_some() { IDLE } else { LOGIN_TIMEOUT };
        let line = match tokio::time::timeout(wait, read_line(&mut io, MAX_COMMAND_LINE)).await {
            Ok(Ok(Some(l))) => l,
            Ok(_) => break,
            Err(_) => {
                reply(
                    &mut io,
                    "421 4.4.2 Idle for too long, closing connection\r\n",
                )
                .await?;
                break;
            }
        };
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        let (verb, arg) = match text.split_once(' ') {
            Some((v, a)) => (v.to_ascii_uppercase(), a.trim()),
            None => (text.to_ascii_uppercase(), ""),
        };
        let tls = io.get_ref().is_tls();
        let may_auth = tls || ctx.allow_plaintext_auth;
        let answer: String = match verb.as_str() {
            "EHLO" => {
                greeted = true;
                let mut caps = vec![
                    format!("{} greets you", ctx.host),
                    format!("SIZE {}", state.settings.max_message_size),
                    "8BITMIME".into(),
                    "PIPELINING".into(),
                    "ENHANCEDSTATUSCODES".into(),
                ];
                if !tls {
                    caps.push("STARTTLS".into());
                }
                if may_auth && user.is_none() {
                    caps.push("AUTH PLAIN LOGIN".into());
                }
                let last = caps.len() - 1;
                caps.iter()
                    .enumerate()
                    .map(|(i, c)| format!("250{}{c}\r\n", if i == last { ' ' } else { '-' }))
                    .collect()
            }
            "HELO" => {
                greeted = true;
                format!("250 {}\r\n", ctx.host)
            }
            "STARTTLS" if tls => "503 5.5.1 Already using TLS\r\n".into(),
            "STARTTLS" => {
                reply(&mut io, "220 2.0.0 Ready to start TLS\r\n").await?;
                // Whatever the client sent in clear after STARTTLS is dropped (RFC 3207 §4.2).
                let mut conn = io.into_inner();
                conn.upgrade(&ctx.tls.acceptor()).await?;
                io = BufReader::new(conn);
                greeted = false;
                env = Envelope::default();
                continue;
            }
            "AUTH" if user.is_some() => "503 5.5.1 Already authenticated\r\n".into(),
            "AUTH" if !may_auth => "530 5.7.0 Must issue a STARTTLS command first\r\n".into(),
            "AUTH" if !greeted => "503 5.5.1 Say EHLO first\r\n".into(),
            "AUTH" => {
                let (mechanism, initial) = match arg.split_once(' ') {
                    Some((m, i)) => (m.to_ascii_uppercase(), Some(i.trim().to_string())),
                    None => (arg.to_ascii_uppercase(), None),
                };
                let credentials = match mechanism.as_str() {
                    "PLAIN" => {
                        let data = match initial {
                            Some(i) if i != "=" => STANDARD.decode(i).ok(),
                            _ => {
                                reply(&mut io, "334 \r\n").await?;
                                auth_line(&mut io).await
                            }
                        };
                        data.and_then(|d| {
                            let mut parts = d.split(|b| *b == 0);
                            let (_authz, user, pass) =
                                (parts.next()?, parts.next()?, parts.next()?);
                            Some((
                                String::from_utf8_lossy(user).into_owned(),
                                String::from_utf8_lossy(pass).into_owned(),
                            ))
                        })
                    }
                    "LOGIN" => {
                        let name = match initial {
                            Some(i) => STANDARD.decode(i).ok(),
                            None => {
                                reply(&mut io, "334 VXNlcm5hbWU6\r\n").await?;
                                auth_line(&mut io).await
                            }
                        };
                        match name {
                            Some(name) => {
                                reply(&mut io, "334 UGFzc3dvcmQ6\r\n").await?;
                                auth_line(&mut io).await.map(|p| {
                                    (
                                        String::from_utf8_lossy(&name).into_owned(),
                                        String::from_utf8_lossy(&p).into_owned(),
                                    )
                                })
                            }
                            None => None,
                        }
                    }
                    _ => {
                        bad += 1;
                        reply(&mut io, "504 5.5.4 Use AUTH PLAIN or AUTH LOGIN\r\n").await?;
                        continue;
                    }
                };
                match credentials {
                    None => {
                        bad += 1;
                        "501 5.5.2 Malformed or cancelled authentication\r\n".into()
                    }
                    Some((email, secret)) => {
                        match device::sign_in(
                            state,
                            &email,
                            &secret,
                            peer.ip(),
                            DeviceProtocol::Submission,
                        )
                        .await
                        {
                            Ok(id) => {
                                user = Some(id);
                                "235 2.7.0 Authentication successful\r\n".into()
                            }
                            Err(DeviceAuthError::Refused) => {
                                bad += 1;
                                "535 5.7.8 Wrong e-mail address or password (use an application password when 2FA is on)\r\n".into()
                            }
                            Err(DeviceAuthError::Throttled(wait)) => {
                                bad += 1;
                                format!(
                                    "454 4.7.0 Too many failed attempts, try again in {wait} seconds\r\n"
                                )
                            }
                            Err(DeviceAuthError::Internal(e)) => {
                                tracing::error!(error = %e.message, "submission sign-in failed");
                                "454 4.7.0 Temporary authentication failure\r\n".into()
                            }
                        }
                    }
                }
            }
            "MAIL" => match (
                user,
                arg.to_ascii_uppercase()
                    .starts_with("FROM:")
                    .then(|| path_and_params(arg))
                    .flatten(),
            ) {
                (None, _) => "530 5.7.0 Authentication required\r\n".into(),
                (_, None) => "501 5.5.4 Syntax: MAIL FROM:<address>\r\n".into(),
                (Some(_), Some((_, params)))
                    if size_param(params).is_some_and(|s| s > state.settings.max_message_size) =>
                {
                    "552 5.3.4 Message too big for this server\r\n".into()
                }
                (Some(uid), Some((path, _))) => match sendable(state, uid, &path).await {
                    Ok(Some(id)) => {
                        env = Envelope {
                            from: Some((id, path.to_lowercase())),
                            ..Envelope::default()
                        };
                        "250 2.1.0 OK\r\n".into()
                    }
                    Ok(None) => {
                        bad += 1;
                        format!("550 5.7.1 You may not send as <{path}>\r\n")
                    }
                    Err(_) => "451 4.3.0 Temporary failure, try again later\r\n".into(),
                },
            },
            "RCPT" => match arg
                .to_ascii_uppercase()
                .starts_with("TO:")
                .then(|| path_and_params(arg))
                .flatten()
            {
                _ if env.from.is_none() => "503 5.5.1 MAIL first\r\n".into(),
                _ if env.count() >= MAX_RECIPIENTS => "452 4.5.3 Too many recipients\r\n".into(),
                None => "501 5.5.4 Syntax: RCPT TO:<address>\r\n".into(),
                Some((path, _)) => {
                    let address = path.to_lowercase();
                    let local_domain = address
                        .rsplit_once('@')
                        .is_some_and(|(_, d)| d == state.settings.mail_domain);
                    match store::address_id(&state.db, &address).await {
                        Ok(Some(id)) => {
                            if !env.local.contains(&id) {
                                env.local.push(id);
                            }
                            "250 2.1.5 OK\r\n".into()
                        }
                        Ok(None) if local_domain => {
                            bad += 1;
                            format!("550 5.1.1 There is no address <{address}> on this server\r\n")
                        }
                        Ok(None) if plausible(&address) => {
                            if !env.remote.contains(&address) {
                                env.remote.push(address);
                            }
                            "250 2.1.5 OK\r\n".into()
                        }
                        Ok(None) => {
                            bad += 1;
                            format!("501 5.1.3 <{address}> is not a valid address\r\n")
                        }
                        Err(_) => "451 4.3.0 Temporary failure, try again later\r\n".into(),
                    }
                }
            },
            "DATA" if env.count() == 0 => "503 5.5.1 No valid recipients\r\n".into(),
            "DATA" => {
                let (Some(user_id), Some((address_id, mail_from))) = (user, env.from.clone())
                else {
                    reply(&mut io, "503 5.5.1 MAIL first\r\n").await?;
                    continue;
                };
                let mut spool = match Spool::create(&state.settings.data_dir).await {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::error!(error = %e, "cannot create a submission spool file");
                        reply(
                            &mut io,
                            "451 4.3.0 Cannot take mail right now, try again later\r\n",
                        )
                        .await?;
                        continue;
                    }
                };
                let _cleanup = RemoveOnDrop(spool.path.clone());
                reply(&mut io, "354 End data with <CR><LF>.<CR><LF>\r\n").await?;
                let fits = read_data(&mut io, &mut spool, state.settings.max_message_size).await?;
                let answer = if fits {
                    deliver(ctx, user_id, address_id, &mail_from, &env, &spool.path).await
                } else {
                    "552 5.3.4 Message too big for this server\r\n".into()
                };
                env = Envelope::default();
                answer
            }
            "RSET" => {
                env = Envelope::default();
                "250 2.0.0 OK\r\n".into()
            }
            "NOOP" => "250 2.0.0 OK\r\n".into(),
            "QUIT" => {
                reply(&mut io, "221 2.0.0 Bye\r\n").await?;
                break;
            }
            _ => {
                bad += 1;
                "502 5.5.2 Command not recognized\r\n".into()
            }
        };
        if bad >= MAX_BAD_COMMANDS {
            reply(&mut io, "421 4.7.0 Too many errors, closing connection\r\n").await?;
            break;
        }
        reply(&mut io, &answer).await?;
    }
    Ok(())
}

/// Checks the From: header and sends; returns the SMTP answer.
async fn deliver(
    ctx: &SubmissionContext,
    user_id: i64,
    address_id: i64,
    mail_from: &str,
    env: &Envelope,
    spool: &std::path::Path,
) -> String {
    let state = &ctx.state;
    let raw = match tokio::fs::read(spool).await {
        Ok(r) => r,
        Err(_) => return "451 4.3.0 Could not read the message, try again\r\n".into(),
    };
    let from = from_addresses(&raw);
    if from.is_empty() {
        return "550 5.6.0 The message has no From: address\r\n".into();
    }
    for address in &from {
        match sendable(state, user_id, address).await {
            Ok(Some(_)) => {}
            Ok(None) => {
                return format!("550 5.7.1 You may not send as <{address}> (From: header)\r\n");
            }
            Err(_) => return "451 4.3.0 Temporary failure, try again later\r\n".into(),
        }
    }
    let domain = mail_from.rsplit_once('@').map_or("localhost", |(_, d)| d);
    let raw = submit::complete_headers(raw, domain);
    let submission = submit::Submission {
        user_id,
        address_id,
        mail_from,
        local: &env.local,
        remote: &env.remote,
        raw,
        sent_copy: ctx.sent_copy,
    };
    match submit::submit(state, submission).await {
        Ok(()) => "250 2.0.0 OK, sent\r\n".into(),
        Err(e) => match e.status.as_u16() {
            507 => format!("552 5.2.2 {}\r\n", one_line(&e.message)),
            429 => format!("450 4.7.1 {}\r\n", one_line(&e.message)),
            422 => format!("552 5.3.4 {}\r\n", one_line(&e.message)),
            _ => {
                tracing::error!(error = %e.message, "submission failed");
                "451 4.3.0 Could not send the message, try again later\r\n".into()
            }
        },
    }
}

fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_header_addresses_and_relay_addresses() {
        let raw = b"From: Ann <Ann@Example.com>, bob@example.com\r\nTo: x@y.z\r\n\r\nhi";
        assert_eq!(
            from_addresses(raw),
            vec!["ann@example.com", "bob@example.com"]
        );
        assert!(from_addresses(b"Subject: none\r\n\r\n").is_empty());
        assert!(plausible("friend@example.org"));
        assert!(!plausible("friend@localhost"));
        assert!(!plausible("a b@example.org"));
        assert!(!plausible("@example.org"));
    }
}
