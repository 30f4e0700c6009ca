//! The wire: bytes in through imap-codec's `Fragmentizer` (lines and literals, bounded)
//! and decoders, typed responses out through its encoders. Limits live here: a line
//! longer than the command limit closes the connection, a literal is accepted only when
//! it fits (APPEND's message up to the message size limit, within a server-wide budget
//! of bytes held for uploads), and every read waits at most the session's timeout.

use std::sync::Arc;
use std::time::Duration;

use imap_codec::decode::Decoder;
use imap_codec::encode::Encoder;
use imap_codec::fragmentizer::{
    DecodeMessageError, FragmentInfo, Fragmentizer, LiteralAnnouncement,
};
use imap_codec::imap_types::IntoStatic;
use imap_codec::imap_types::auth::AuthenticateData;
use imap_codec::imap_types::command::Command;
use imap_codec::imap_types::core::{LiteralMode, Tag};
use imap_codec::imap_types::response::{CommandContinuationRequest, Greeting, Response, Status};
use imap_codec::{
    AuthenticateDataCodec, CommandCodec, GreetingCodec, IdleDoneCodec, ResponseCodec,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::tcp::Conn;

const READ_CHUNK: usize = 16 * 1024;

/// What came in.
pub enum Incoming<T> {
    Message(T),
    /// Could not be decoded: answer BAD (with the tag when it could be read).
    Bad(Option<Tag<'static>>, &'static str),
}

/// Why reading stopped.
#[derive(Debug)]
pub enum Closed {
    /// The client went away or the connection failed.
    Gone,
    /// Silent for longer than allowed.
    TimedOut,
    /// Sent something that cannot be framed (a line over the limit, a refused literal
    /// sent anyway): the connection cannot be trusted to resynchronise.
    Unframeable(&'static str),
}

/// Limits of one connection.
#[derive(Clone)]
pub struct WireLimits {
    pub max_command: u32,
    pub max_message: u32,
    /// Bytes of APPEND messages held in memory by all connections together.
    pub append_budget: Arc<Semaphore>,
}

/// One connection's reading and writing.
pub struct Wire {
    pub conn: Conn,
    frag: Fragmentizer,
    limits: WireLimits,
    out: Vec<u8>,
    /// Bytes read since the last complete fragment (bounds a line that never ends).
    pending: usize,
    /// How many pending bytes are allowed now (more while a literal is coming).
    allowed: usize,
    /// Budget held for the APPEND literal being read, released when the command is done.
    pub held: Option<OwnedSemaphorePermit>,
    /// Whether literals beyond the command limit may come (only once signed in, so an
    /// anonymous client cannot reserve the server's APPEND memory).
    pub large_literals: bool,
}

/// Budget units are KiB so that a message size fits a semaphore permit count.
fn budget_units(bytes: u32) -> u32 {
    bytes.div_ceil(1024).max(1)
}

/// Whether the message so far is an APPEND (its literal may be as large as a message).
/// Only a limit decision: the command itself is decoded by the codec.
fn is_append(message: &[u8]) -> bool {
    let mut words = message.splitn(3, |b| *b == b' ');
    let _tag = words.next();
    let word = words.next().unwrap_or_default();
    word.eq_ignore_ascii_case(b"APPEND")
}

impl Wire {
    pub fn new(conn: Conn, limits: WireLimits) -> Wire {
        let frag = Fragmentizer::new(limits.max_message.saturating_add(limits.max_command));
        Wire {
            conn,
            frag,
            allowed: limits.max_command as usize,
            limits,
            out: Vec::with_capacity(4096),
            pending: 0,
            held: None,
            large_literals: false,
        }
    }

    /// Drops everything received but not read (before a TLS handshake, so nothing sent
    /// in clear can be taken as sent under TLS).
    pub fn reset_input(&mut self) {
        self.frag = Fragmentizer::new(
            self.limits
                .max_message
                .saturating_add(self.limits.max_command),
        );
        self.pending = 0;
        self.allowed = self.limits.max_command as usize;
    }

    /// Queues a response.
    pub fn send(&mut self, response: &Response<'_>) {
        self.out
            .extend_from_slice(&ResponseCodec::default().encode(response).dump());
    }

    /// Queues bytes already encoded (FETCH batches encoded off the async workers).
    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.out.extend_from_slice(bytes);
    }

    pub fn send_greeting(&mut self, greeting: &Greeting<'_>) {
        self.out
            .extend_from_slice(&GreetingCodec::default().encode(greeting).dump());
    }

    pub fn send_status(&mut self, status: Status<'_>) {
        self.send(&Response::Status(status));
    }

    pub fn send_continue(&mut self, text: &str) {
        if let Ok(c) = CommandContinuationRequest::basic(None, text) {
            self.send(&Response::CommandContinuationRequest(c));
        }
    }

    /// An empty SASL challenge (`+ `), asking for the client's AUTHENTICATE response.
    pub fn send_empty_challenge(&mut self) {
        self.send(&Response::CommandContinuationRequest(
            CommandContinuationRequest::base64(b"".as_slice()),
        ));
    }

    /// Bytes queued and not yet written.
    pub fn queued(&self) -> usize {
        self.out.len()
    }

    /// Writes what is queued.
    pub async fn flush(&mut self) -> std::io::Result<()> {
        if !self.out.is_empty() {
            self.conn.write_all(&self.out).await?;
            self.out.clear();
        }
        self.conn.flush().await
    }

    /// Reads more bytes; `Err` when the connection ended or stayed silent too long.
    async fn fill(&mut self, timeout: Duration) -> Result<(), Closed> {
        self.flush().await.map_err(|_| Closed::Gone)?;
        let mut buf = [0u8; READ_CHUNK];
        let n = match tokio::time::timeout(timeout, self.conn.read(&mut buf)).await {
            Err(_) => return Err(Closed::TimedOut),
            Ok(Err(_)) | Ok(Ok(0)) => return Err(Closed::Gone),
            Ok(Ok(n)) => n,
        };
        self.pending += n;
        if self.pending > self.allowed {
            return Err(Closed::Unframeable("Line too long"));
        }
        self.frag.enqueue_bytes(&buf[..n]);
        Ok(())
    }

    /// The next command.
    pub async fn command(
        &mut self,
        timeout: Duration,
    ) -> Result<Incoming<Command<'static>>, Closed> {
        self.next_message(timeout, &CommandCodec::default(), |c| c.into_static())
            .await
    }

    /// The client's answer in an AUTHENTICATE exchange.
    pub async fn authenticate_data(
        &mut self,
        timeout: Duration,
    ) -> Result<Incoming<AuthenticateData<'static>>, Closed> {
        self.next_message(timeout, &AuthenticateDataCodec::default(), |d| {
            d.into_static()
        })
        .await
    }

    /// Waits for `DONE` after IDLE; `Ok(false)` when something else came.
    pub async fn idle_done(&mut self, timeout: Duration) -> Result<bool, Closed> {
        match self
            .next_message(timeout, &IdleDoneCodec::default(), |_| ())
            .await?
        {
            Incoming::Message(()) => Ok(true),
            Incoming::Bad(..) => Ok(false),
        }
    }

    async fn next_message<C, T>(
        &mut self,
        timeout: Duration,
        codec: &C,
        own: impl for<'a> Fn(C::Message<'a>) -> T,
    ) -> Result<Incoming<T>, Closed>
    where
        C: Decoder,
    {
        loop {
            let Some(fragment) = self.frag.progress() else {
                self.fill(timeout).await?;
                continue;
            };
            self.pending = 0;
            self.allowed = self.limits.max_command as usize;
            if let FragmentInfo::Line {
                announcement: Some(LiteralAnnouncement { mode, length }),
                ..
            } = fragment
            {
                if let Err(refusal) = self.accept_literal(length) {
                    let tag = self.frag.decode_tag().map(IntoStatic::into_static);
                    if mode == LiteralMode::NonSync {
                        // The data is coming regardless (LITERAL+): no way to resync.
                        return Err(Closed::Unframeable(refusal));
                    }
                    self.frag.skip_message();
                    return Ok(Incoming::Bad(tag, refusal));
                }
                self.allowed = (length as usize).saturating_add(self.limits.max_command as usize);
                if mode == LiteralMode::Sync {
                    self.send_continue("Ready for literal data");
                    self.flush().await.map_err(|_| Closed::Gone)?;
                }
                continue;
            }
            if !self.frag.is_message_complete() {
                continue;
            }
            return Ok(match self.frag.decode_message(codec) {
                Ok(message) => Incoming::Message(own(message)),
                Err(DecodeMessageError::MessageTooLong { .. }) => Incoming::Bad(
                    self.frag.decode_tag().map(IntoStatic::into_static),
                    "Command too long",
                ),
                Err(_) => Incoming::Bad(
                    self.frag.decode_tag().map(IntoStatic::into_static),
                    "Could not parse the command",
                ),
            });
        }
    }

    /// Whether a literal of `length` bytes may come; holds APPEND budget for it.
    fn accept_literal(&mut self, length: u32) -> Result<(), &'static str> {
        let so_far = self.frag.message_bytes().len() as u64;
        if so_far + u64::from(length) <= u64::from(self.limits.max_command) {
            return Ok(());
        }
        if !is_append(self.frag.message_bytes()) {
            return Err("Command too long");
        }
        if !self.large_literals {
            return Err("Sign in first");
        }
        if length > self.limits.max_message {
            return Err("Message too large for this server");
        }
        let permit = self
            .limits
            .append_budget
            .clone()
            .try_acquire_many_owned(budget_units(length))
            .map_err(|_| "The server is busy receiving other messages, try again shortly")?;
        self.held = Some(permit);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_append_for_the_literal_limit_only() {
        assert!(is_append(b"a1 APPEND INBOX {10}"));
        assert!(is_append(b"a1 append \"Sent\" (\\Seen) {10}"));
        assert!(!is_append(b"a1 SEARCH TEXT {10}"));
        assert!(!is_append(b""));
    }

    #[test]
    fn budget_is_counted_in_kib() {
        assert_eq!(budget_units(1), 1);
        assert_eq!(budget_units(1024), 1);
        assert_eq!(budget_units(1025), 2);
    }
}
