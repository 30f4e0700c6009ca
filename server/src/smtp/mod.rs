//! SMTP: the inbound listener open to the internet (mail for local addresses) and the
//! submission listeners for signed-in mail apps, sharing the reading of commands and of
//! message data (spooled to a file, ended only by `<CRLF>.<CRLF>`).

pub mod inbound;
pub mod submission;

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

/// How long a client may stay silent before the connection is closed (RFC 5321 §4.5.3.2).
pub const IDLE: Duration = Duration::from_secs(300);
pub const MAX_COMMAND_LINE: u64 = 2048;
/// Longest line read inside DATA (the limit is 998, but real mailers exceed it).
pub const MAX_DATA_LINE: u64 = 64 * 1024;
/// Recipients of one message.
pub const MAX_RECIPIENTS: usize = 100;

/// The address between `<` and `>` after `FROM:`/`TO:`, and the parameters after it.
pub fn path_and_params(arg: &str) -> Option<(String, &str)> {
    let start = arg.find('<')?;
    let end = start + arg[start..].find('>')?;
    Some((arg[start + 1..end].trim().to_string(), &arg[end + 1..]))
}

pub fn size_param(params: &str) -> Option<usize> {
    params
        .split_whitespace()
        .find_map(|p| {
            p.to_ascii_uppercase()
                .strip_prefix("SIZE=")
                .map(str::to_string)
        })
        .and_then(|v| v.parse().ok())
}

/// The HELO/EHLO name as it may appear in a trace header: a domain or an address literal,
/// nothing that could end the header or forge another one.
pub fn clean_helo(arg: &str) -> String {
    let name: String = arg
        .split_whitespace()
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':' | '[' | ']'))
        .take(253)
        .collect();
    if name.is_empty() {
        "unknown".into()
    } else {
        name
    }
}

/// The domain of an address, lower-cased.
pub fn domain_of(address: &str) -> Option<String> {
    address
        .rsplit_once('@')
        .map(|(_, d)| d.trim_end_matches('>').trim().to_ascii_lowercase())
}

pub async fn read_line<R: AsyncBufReadExt + Unpin>(
    reader: &mut R,
    limit: u64,
) -> std::io::Result<Option<Vec<u8>>> {
    let mut buf = Vec::new();
    let n = reader.take(limit).read_until(b'\n', &mut buf).await?;
    Ok((n > 0).then_some(buf))
}

/// Where a message being received is written before it is stored.
pub struct Spool {
    pub path: PathBuf,
    pub file: tokio::io::BufWriter<tokio::fs::File>,
}

impl Spool {
    pub async fn create(data_dir: &Path) -> std::io::Result<Spool> {
        let dir = data_dir.join("tmp");
        tokio::fs::create_dir_all(&dir).await?;
        let path = dir.join(format!("smtp-{}.spool", random_name()));
        let file = tokio::fs::File::create(&path).await?;
        Ok(Spool {
            path,
            file: tokio::io::BufWriter::new(file),
        })
    }
}

/// Removes a spool file however the session ends.
pub struct RemoveOnDrop(pub PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

pub fn random_name() -> String {
    use rand::Rng;
    let n: u128 = rand::thread_rng().r#gen();
    format!("{n:032x}")
}

/// Reads the DATA section into the spool up to `<CRLF>.<CRLF>` (a dot line ended by a
/// bare LF, or after a line ended by a bare LF, is content: RFC 5321 §4.1.1.4 and the
/// SMTP smuggling fixes). Returns whether the content fit in `max` bytes.
pub async fn read_data<R: AsyncBufReadExt + Unpin>(
    reader: &mut R,
    spool: &mut Spool,
    max: usize,
) -> std::io::Result<bool> {
    let mut written = 0usize;
    let mut too_big = false;
    let mut after_crlf = true;
    loop {
        let Some(line) = tokio::time::timeout(IDLE, read_line(reader, MAX_DATA_LINE))
            .await
            .map_err(|_| std::io::Error::other("timeout in DATA"))??
        else {
            return Err(std::io::Error::other("connection closed in DATA"));
        };
        if after_crlf && line == b".\r\n" {
            break;
        }
        // Dot-stuffing (RFC 5321 §4.5.2), only at the start of a real line.
        let content = if after_crlf {
            line.strip_prefix(b".").unwrap_or(&line)
        } else {
            &line[..]
        };
        after_crlf = line.ends_with(b"\r\n");
        if written + content.len() > max {
            too_big = true;
        }
        if !too_big {
            spool.file.write_all(content).await?;
            written += content.len();
        }
    }
    spool.file.flush().await?;
    Ok(!too_big)
}
