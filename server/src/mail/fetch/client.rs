//! A small IMAP4rev1 client for bringing mail over from another server: TLS (implicit or
//! STARTTLS) with certificate checks, LOGIN, LIST, EXAMINE and FETCH of whole messages in
//! batches. The other server is not trusted: every line and literal is bounded (a literal
//! over the message size limit ends the session), every read has a timeout, and the
//! address connected to is checked against private networks before connecting.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use ksuite_common::FetchSecurity;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// Longest response line (outside literals).
const MAX_LINE: usize = 64 * 1024;
/// Longest wait for any answer.
const READ_TIMEOUT: Duration = Duration::from_secs(60);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// One untagged or tagged response: its text (literals replaced by `{n}` markers) and the
/// literals in order.
#[derive(Debug, Default)]
pub struct Unit {
    pub text: String,
    pub literals: Vec<Vec<u8>>,
}

/// A remote folder.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteFolder {
    pub name: String,
    /// Special use (`\Sent`, `\Junk`…) or INBOX, lower-cased without the backslash.
    pub special: Option<String>,
}

/// A fetched message.
pub struct Fetched {
    pub raw: Vec<u8>,
    pub seen: bool,
    pub flagged: bool,
    pub answered: bool,
    pub draft: bool,
}

pub struct Session {
    stream: BufReader<Box<dyn Stream>>,
    tag: u32,
    max_literal: usize,
}

/// Why the other server could not be used, in words for the user.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{0}")]
    Refused(String),
    #[error("the other server did not answer in time")]
    Timeout,
    #[error("connection problem: {0}")]
    Io(#[from] std::io::Error),
}

fn refused(s: impl Into<String>) -> FetchError {
    FetchError::Refused(s.into())
}

impl Session {
    /// Connects to `addr` (already checked) for `host`, with TLS as asked.
    pub async fn connect(
        addr: SocketAddr,
        host: &str,
        security: FetchSecurity,
        tls: Arc<rustls::ClientConfig>,
        max_literal: usize,
    ) -> Result<Session, FetchError> {
        let tcp = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(addr))
            .await
            .map_err(|_| FetchError::Timeout)??;
        let name = rustls_pki_types::ServerName::try_from(host.to_string())
            .map_err(|_| refused("the server name is not valid"))?;
        let connector = tokio_rustls::TlsConnector::from(tls);
        let stream: Box<dyn Stream> = match security {
            FetchSecurity::Tls => Box::new(handshake(&connector, name, tcp).await?),
            FetchSecurity::StartTls => {
                let mut plain = Session {
                    stream: BufReader::new(Box::new(tcp) as Box<dyn Stream>),
                    tag: 0,
                    max_literal,
                };
                plain.greeting().await?;
                plain.command("STARTTLS").await?;
                let tcp = plain.stream.into_inner();
                Box::new(handshake(&connector, name, tcp).await?)
            }
        };
        let mut session = Session {
            stream: BufReader::new(stream),
            tag: 0,
            max_literal,
        };
        if security == FetchSecurity::Tls {
            session.greeting().await?;
        }
        Ok(session)
    }

    async fn greeting(&mut self) -> Result<(), FetchError> {
        let unit = self.unit().await?;
        if unit.text.starts_with("* OK") || unit.text.starts_with("* PREAUTH") {
            Ok(())
        } else {
            Err(refused("the other server did not greet as an IMAP server"))
        }
    }

    pub async fn login(&mut self, user: &str, password: &str) -> Result<(), FetchError> {
        self.command(&format!("LOGIN {} {}", quoted(user)?, quoted(password)?))
            .await
            .map(|_| ())
            .map_err(|e| match e {
                FetchError::Refused(_) => {
                    refused("the other server refused the user name or password")
                }
                other => other,
            })
    }

    /// Every selectable folder.
    pub async fn folders(&mut self) -> Result<Vec<RemoteFolder>, FetchError> {
        let units = self.command("LIST \"\" \"*\"").await?;
        Ok(units.iter().filter_map(parse_list).collect())
    }

    /// Opens a folder read-only; returns how many messages it holds.
    pub async fn examine(&mut self, name: &str) -> Result<u32, FetchError> {
        let units = self
            .command(&format!("EXAMINE {}", mailbox_arg(name)?))
            .await?;
        Ok(units
            .iter()
            .find_map(|u| {
                let rest = u.text.strip_prefix("* ")?;
                let (n, word) = rest.split_once(' ')?;
                (word.trim().eq_ignore_ascii_case("EXISTS")).then(|| n.parse().ok())?
            })
            .unwrap_or(0))
    }

    /// Messages `from..=to` (sequence numbers) of the examined folder.
    pub async fn fetch(&mut self, from: u32, to: u32) -> Result<Vec<Fetched>, FetchError> {
        let units = self
            .command(&format!("FETCH {from}:{to} (FLAGS BODY.PEEK[])"))
            .await?;
        Ok(units.into_iter().filter_map(parse_fetch).collect())
    }

    pub async fn logout(mut self) {
        let _ = self.command("LOGOUT").await;
    }

    /// Sends a command; the untagged responses before its OK (NO/BAD are errors).
    async fn command(&mut self, command: &str) -> Result<Vec<Unit>, FetchError> {
        self.tag += 1;
        let tag = format!("k{}", self.tag);
        let line = format!("{tag} {command}\r\n");
        tokio::time::timeout(
            READ_TIMEOUT,
            self.stream.get_mut().write_all(line.as_bytes()),
        )
        .await
        .map_err(|_| FetchError::Timeout)??;
        let mut units = Vec::new();
        loop {
            let unit = self.unit().await?;
            if let Some(status) = unit.text.strip_prefix(&format!("{tag} ")) {
                return if status.starts_with("OK") {
                    Ok(units)
                } else {
                    Err(refused(format!(
                        "the other server answered: {}",
                        clip(status)
                    )))
                };
            }
            units.push(unit);
        }
    }

    /// Reads one response: a line, and the literals it announces with the lines after them.
    async fn unit(&mut self) -> Result<Unit, FetchError> {
        let mut unit = Unit::default();
        loop {
            let line = self.line().await?;
            let literal = literal_len(&line);
            unit.text.push_str(&line);
            let Some(n) = literal else {
                return Ok(unit);
            };
            if n > self.max_literal {
                return Err(refused(format!(
                    "the other server sent {n} bytes at once, over this server's message size limit"
                )));
            }
            let mut bytes = vec![0u8; n];
            tokio::time::timeout(READ_TIMEOUT, self.stream.read_exact(&mut bytes))
                .await
                .map_err(|_| FetchError::Timeout)??;
            unit.literals.push(bytes);
        }
    }

    /// One line without its CRLF, bounded.
    async fn line(&mut self) -> Result<String, FetchError> {
        let mut buf = Vec::new();
        let mut limited = (&mut self.stream).take(MAX_LINE as u64 + 2);
        let n = tokio::time::timeout(READ_TIMEOUT, limited.read_until(b'\n', &mut buf))
            .await
            .map_err(|_| FetchError::Timeout)??;
        if n == 0 {
            return Err(refused("the other server closed the connection"));
        }
        if !buf.ends_with(b"\n") {
            return Err(refused("the other server sent a line that is too long"));
        }
        while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            buf.pop();
        }
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }
}

/// The TLS handshake, bounded in time.
async fn handshake<S: AsyncRead + AsyncWrite + Unpin>(
    connector: &tokio_rustls::TlsConnector,
    name: rustls_pki_types::ServerName<'static>,
    stream: S,
) -> Result<tokio_rustls::client::TlsStream<S>, FetchError> {
    tokio::time::timeout(CONNECT_TIMEOUT, connector.connect(name, stream))
        .await
        .map_err(|_| FetchError::Timeout)?
        .map_err(|e| refused(format!("secure connection failed: {e}")))
}

fn clip(s: &str) -> String {
    s.chars().take(200).collect()
}

/// `{123}` or `{123+}` at the end of a line.
fn literal_len(line: &str) -> Option<usize> {
    let inner = line.strip_suffix('}')?;
    let open = inner.rfind('{')?;
    inner[open + 1..].trim_end_matches('+').parse().ok()
}

/// An IMAP quoted string; CR, LF and NUL cannot be sent this way.
fn quoted(s: &str) -> Result<String, FetchError> {
    if s.contains(['\r', '\n', '\0']) {
        return Err(refused(
            "user names and passwords cannot contain line breaks",
        ));
    }
    Ok(format!(
        "\"{}\"",
        s.replace('\\', "\\\\").replace('"', "\\\"")
    ))
}

/// A folder name as a command argument (modified UTF-7, quoted).
fn mailbox_arg(name: &str) -> Result<String, FetchError> {
    quoted(&utf7_imap::encode_utf7_imap(name.to_string()))
}

/// A `* LIST (attrs) delim name` response, unless the folder cannot be selected.
fn parse_list(u: &Unit) -> Option<RemoteFolder> {
    let rest = u.text.strip_prefix("* LIST (")?;
    let (attrs, rest) = rest.split_once(')')?;
    let attrs = attrs.to_ascii_lowercase();
    if attrs.contains("\\noselect") || attrs.contains("\\nonexistent") {
        return None;
    }
    let rest = rest.trim_start();
    // The delimiter: NIL or a quoted character.
    let rest = if let Some(r) = rest.strip_prefix("NIL") {
        r
    } else {
        let r = rest.strip_prefix('"')?;
        let r = r.strip_prefix('\\').unwrap_or(r);
        r.get(1..)?.strip_prefix('"')?
    };
    let rest = rest.trim();
    let raw_name = if literal_len(rest).is_some() {
        String::from_utf8_lossy(u.literals.first()?).into_owned()
    } else if let Some(q) = rest.strip_prefix('"') {
        q.strip_suffix('"')?
            .replace("\\\"", "\"")
            .replace("\\\\", "\\")
    } else {
        rest.to_string()
    };
    let name = utf7_imap::decode_utf7_imap(raw_name);
    let special = if name.eq_ignore_ascii_case("INBOX") {
        Some("inbox".to_string())
    } else {
        ["sent", "drafts", "trash", "junk", "archive"]
            .iter()
            .find(|s| attrs.split_whitespace().any(|a| a == format!("\\{s}")))
            .map(|s| s.to_string())
    };
    Some(RemoteFolder { name, special })
}

/// A `* n FETCH (FLAGS (…) BODY[] {len}…)` response.
fn parse_fetch(mut u: Unit) -> Option<Fetched> {
    let upper = u.text.to_ascii_uppercase();
    if !(upper.starts_with("* ") && upper.contains(" FETCH (")) {
        return None;
    }
    // The body is the literal announced right after "BODY[]".
    let body_at = upper.find("BODY[] {")?;
    let index = upper[..body_at].matches('{').count();
    if index >= u.literals.len() {
        return None;
    }
    let raw = std::mem::take(&mut u.literals[index]);
    let flags = upper
        .find("FLAGS (")
        .and_then(|i| upper[i + 7..].split(')').next().map(str::to_string))
        .unwrap_or_default();
    let has = |f: &str| flags.split_whitespace().any(|x| x == f);
    Some(Fetched {
        raw,
        seen: has("\\SEEN"),
        flagged: has("\\FLAGGED"),
        answered: has("\\ANSWERED"),
        draft: has("\\DRAFT"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(text: &str, literals: &[&[u8]]) -> Unit {
        Unit {
            text: text.into(),
            literals: literals.iter().map(|l| l.to_vec()).collect(),
        }
    }

    #[test]
    fn reads_folder_lists() {
        let f = parse_list(&unit(
            "* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent Items\"",
            &[],
        ))
        .expect("sent");
        assert_eq!(
            f,
            RemoteFolder {
                name: "Sent Items".into(),
                special: Some("sent".into())
            }
        );
        let f = parse_list(&unit("* LIST () \".\" INBOX", &[])).expect("inbox");
        assert_eq!(f.special.as_deref(), Some("inbox"));
        let f = parse_list(&unit("* LIST () \"/\" {6}", &[b"Caf&AOk-"])).expect("literal");
        assert_eq!(f.name, "Café");
        assert!(parse_list(&unit("* LIST (\\Noselect) \"/\" \"[Gmail]\"", &[])).is_none());
    }

    #[test]
    fn reads_fetched_messages_with_flags_before_or_after_the_body() {
        let m = parse_fetch(unit(
            "* 1 FETCH (FLAGS (\\Seen \\Flagged) BODY[] {5})",
            &[b"hello"],
        ))
        .expect("m");
        assert_eq!(
            (m.raw.as_slice(), m.seen, m.flagged, m.draft),
            (&b"hello"[..], true, true, false)
        );
        let m =
            parse_fetch(unit("* 2 FETCH (BODY[] {2} FLAGS (\\Answered))", &[b"hi"])).expect("m");
        assert!(m.answered && !m.seen);
        assert!(parse_fetch(unit("* 3 EXISTS", &[])).is_none());
    }

    #[test]
    fn credentials_cannot_inject_commands() {
        assert!(quoted("a\r\nk1 DELETE INBOX").is_err());
        assert_eq!(quoted("pa\"ss\\").expect("q"), "\"pa\\\"ss\\\\\"");
        assert_eq!(literal_len("* 1 FETCH (BODY[] {12}"), Some(12));
        assert_eq!(literal_len("* OK done"), None);
    }
}
