//! Inbound SMTP (RFC 5321) for the server's own addresses: unknown recipients are refused
//! at RCPT (550), messages over the size limit get 552 (announced with SIZE), and a
//! message is acknowledged only once it is stored and filed in every recipient's inbox.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use super::{blobs, index, store};
use crate::db::Db;

/// How long a client may stay silent before the connection is closed (RFC 5321 §4.5.3.2).
const IDLE: Duration = Duration::from_secs(300);
const MAX_COMMAND_LINE: u64 = 2048;
/// Longest line read inside DATA (the limit is 998, but real mailers exceed it).
const MAX_DATA_LINE: u64 = 64 * 1024;
const MAX_RECIPIENTS: usize = 100;

/// What the listener needs.
pub struct SmtpContext {
    pub db: Db,
    pub data_dir: PathBuf,
    pub domain: String,
    pub max_message_size: usize,
    /// Wakes the relay queue (filters may forward).
    pub outbox_wake: Arc<tokio::sync::Notify>,
}

/// Accepts connections until the task is dropped.
pub async fn serve(listener: TcpListener, ctx: Arc<SmtpContext>) {
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                let ctx = ctx.clone();
                tokio::spawn(async move {
                    if let Err(e) = session(stream, peer, ctx).await {
                        tracing::debug!(%peer, error = %e, "SMTP session ended");
                    }
                });
            }
            Err(e) => {
                tracing::warn!(error = %e, "SMTP accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// The address between `<` and `>` after `FROM:`/`TO:`, and the parameters after it.
fn path_and_params(arg: &str) -> Option<(String, &str)> {
    let start = arg.find('<')?;
    let end = start + arg[start..].find('>')?;
    Some((arg[start + 1..end].trim().to_string(), &arg[end + 1..]))
}

fn size_param(params: &str) -> Option<usize> {
    params
        .split_whitespace()
        .find_map(|p| {
            p.to_ascii_uppercase()
                .strip_prefix("SIZE=")
                .map(str::to_string)
        })
        .and_then(|v| v.parse().ok())
}

async fn read_line<R: AsyncBufReadExt + Unpin>(
    reader: &mut R,
    limit: u64,
) -> std::io::Result<Option<Vec<u8>>> {
    let mut buf = Vec::new();
    let n = reader.take(limit).read_until(b'\n', &mut buf).await?;
    Ok((n > 0).then_some(buf))
}

/// Reads the DATA section up to the lone dot; `None` content when it exceeded `max`.
async fn read_data<R: AsyncBufReadExt + Unpin>(
    reader: &mut R,
    max: usize,
) -> std::io::Result<Option<Vec<u8>>> {
    let mut data = Vec::new();
    let mut too_big = false;
    loop {
        let Some(line) = tokio::time::timeout(IDLE, read_line(reader, MAX_DATA_LINE))
            .await
            .map_err(|_| std::io::Error::other("timeout in DATA"))??
        else {
            return Err(std::io::Error::other("connection closed in DATA"));
        };
        if line == b".\r\n" || line == b".\n" {
            break;
        }
        // Dot-stuffing (RFC 5321 §4.5.2).
        let content = line.strip_prefix(b".").unwrap_or(&line);
        if data.len() + content.len() > max {
            too_big = true;
        }
        if !too_big {
            data.extend_from_slice(content);
        }
    }
    Ok((!too_big).then_some(data))
}

async fn session(
    stream: TcpStream,
    peer: SocketAddr,
    ctx: Arc<SmtpContext>,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    write
        .write_all(format!("220 {} ksuite ESMTP ready\r\n", ctx.domain).as_bytes())
        .await?;
    let mut helo: Option<String> = None;
    let mut from: Option<String> = None;
    let mut recipients: Vec<i64> = Vec::new();
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
                helo = Some(arg.to_string());
                format!(
                    "250-{} greets {arg}\r\n250-SIZE {}\r\n250-8BITMIME\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES\r\n",
                    ctx.domain, ctx.max_message_size
                )
            }
            "HELO" => {
                helo = Some(arg.to_string());
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
                    from = Some(path);
                    recipients.clear();
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
                _ if from.is_none() => "503 5.5.1 MAIL first\r\n".into(),
                _ if recipients.len() >= MAX_RECIPIENTS => {
                    "452 4.5.3 Too many recipients\r\n".into()
                }
                Some((path, _)) => match store::address_id(&ctx.db, &path).await {
                    Ok(Some(id)) => {
                        if !recipients.contains(&id) {
                            recipients.push(id);
                        }
                        "250 2.1.5 OK\r\n".into()
                    }
                    Ok(None) => "550 5.1.1 No such mailbox here\r\n".into(),
                    Err(_) => "451 4.3.0 Temporary failure, try again later\r\n".into(),
                },
                None => "501 5.5.4 Syntax: RCPT TO:<address>\r\n".into(),
            },
            "DATA" => {
                if recipients.is_empty() {
                    "503 5.5.1 No valid recipients\r\n".into()
                } else {
                    write
                        .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                        .await?;
                    let reply = match read_data(&mut reader, ctx.max_message_size).await? {
                        None => "552 5.3.4 Message too big for this server\r\n".to_string(),
                        Some(data) => {
                            let received = format!(
                                "Received: from {} ([{}]) by {} with ESMTP; {}\r\n",
                                helo.as_deref().unwrap_or("unknown"),
                                peer.ip(),
                                ctx.domain,
                                chrono::Utc::now().to_rfc2822()
                            );
                            let mut raw = received.into_bytes();
                            raw.extend_from_slice(&data);
                            match deliver(&ctx, &raw, &recipients).await {
                                Ok(()) => "250 2.0.0 OK delivered\r\n".into(),
                                Err(e) => {
                                    tracing::error!(error = %e, "delivery failed");
                                    "451 4.3.0 Could not store the message, try again later\r\n"
                                        .into()
                                }
                            }
                        }
                    };
                    from = None;
                    recipients.clear();
                    reply
                }
            }
            "RSET" => {
                from = None;
                recipients.clear();
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

/// Stores the message once and files it in every recipient's inbox.
async fn deliver(ctx: &SmtpContext, raw: &[u8], recipients: &[i64]) -> anyhow::Result<()> {
    let digest = blobs::store(&ctx.data_dir, raw).await?;
    let idx = index::index(raw, &digest);
    super::arrival::deliver_local(
        &ctx.db,
        &ctx.outbox_wake,
        recipients,
        &digest,
        raw.len() as i64,
        &idx,
    )
    .await
    .map_err(|e| anyhow::anyhow!(e.message))?;
    Ok(())
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
}
