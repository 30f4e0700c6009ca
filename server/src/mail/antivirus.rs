//! Virus scanning of arriving mail with ClamAV's daemon (`--clamd host:port`), over its
//! INSTREAM protocol: the spooled message is streamed in chunks (memory stays flat), and
//! clamd unpacks MIME parts and archives itself. A message is refused at DATA when clamd
//! finds something, and deferred (4xx, the sender retries) when clamd cannot answer, so
//! no mail slips through unscanned while it is down.

use std::path::Path;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Bytes per INSTREAM chunk.
const CHUNK: usize = 64 * 1024;
/// Longest reply read from clamd (a verdict line is far shorter).
const MAX_REPLY: usize = 4096;
/// Longest virus name repeated to the sender.
const MAX_NAME: usize = 120;

/// Where clamd listens and how long one scan may take.
#[derive(Clone, Debug)]
pub struct Clamd {
    pub addr: String,
    pub timeout: Duration,
}

/// clamd's answer about one message.
#[derive(Debug, PartialEq)]
pub enum Verdict {
    Clean,
    /// The signature's name, made safe to repeat in an SMTP reply.
    Infected(String),
}

impl Clamd {
    /// Scans the file at `path`; an error means "could not tell".
    pub async fn scan_file(&self, path: &Path) -> anyhow::Result<Verdict> {
        tokio::time::timeout(self.timeout, self.scan(path))
            .await
            .map_err(|_| anyhow::anyhow!("clamd did not answer within {:?}", self.timeout))?
    }

    async fn scan(&self, path: &Path) -> anyhow::Result<Verdict> {
        let mut file = tokio::fs::File::open(path).await?;
        let mut conn = TcpStream::connect(&self.addr).await?;
        conn.write_all(b"zINSTREAM\0").await?;
        let mut buf = vec![0u8; CHUNK];
        loop {
            let n = file.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            conn.write_all(&(n as u32).to_be_bytes()).await?;
            conn.write_all(&buf[..n]).await?;
        }
        conn.write_all(&0u32.to_be_bytes()).await?;
        let mut reply = Vec::new();
        (&mut conn)
            .take(MAX_REPLY as u64)
            .read_to_end(&mut reply)
            .await?;
        parse_reply(&reply)
    }
}

/// Reads clamd's `stream: OK`, `stream: <name> FOUND` or `… ERROR`.
fn parse_reply(reply: &[u8]) -> anyhow::Result<Verdict> {
    let text = String::from_utf8_lossy(reply);
    let line = text.trim_end_matches(['\0', '\n', '\r']).trim();
    let body = line.strip_prefix("stream:").unwrap_or(line).trim();
    if body == "OK" {
        return Ok(Verdict::Clean);
    }
    if let Some(name) = body.strip_suffix(" FOUND") {
        return Ok(Verdict::Infected(safe_name(name)));
    }
    anyhow::bail!("clamd could not scan the message: {line}")
}

/// Keeps a signature name to printable ASCII and spaces (no line end that could cut the
/// SMTP reply short), bounded.
fn safe_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .take(MAX_NAME)
        .collect();
    if clean.trim().is_empty() {
        "unnamed".into()
    } else {
        clean.trim().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_kind_of_reply() {
        assert_eq!(parse_reply(b"stream: OK\0").ok(), Some(Verdict::Clean));
        assert_eq!(
            parse_reply(b"stream: Eicar-Test-Signature FOUND\0").ok(),
            Some(Verdict::Infected("Eicar-Test-Signature".into()))
        );
        assert!(parse_reply(b"INSTREAM size limit exceeded. ERROR\0").is_err());
        assert!(parse_reply(b"").is_err());
    }

    #[test]
    fn names_cannot_break_the_smtp_reply() {
        assert_eq!(safe_name("Evil\r\n250 OK"), "Evil250 OK");
        assert_eq!(safe_name("\u{7}\r\n"), "unnamed");
        assert_eq!(safe_name(&"x".repeat(500)).len(), MAX_NAME);
    }
}
