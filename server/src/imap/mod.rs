//! IMAP (RFC 3501 with IDLE, UIDPLUS, MOVE, CONDSTORE/QRESYNC, SPECIAL-USE, LITERAL+,
//! ENABLE, NAMESPACE, ID, UNSELECT) over the same store as the webmail: flags, moves and
//! deletes made here show there at once and the reverse, and EXPUNGE follows the
//! webmail's Trash rules. Commands are decoded and responses encoded by imap-codec.
//! Connections are limited overall, per client address and per user; signing in needs
//! TLS (STARTTLS or the implicit-TLS port) and is throttled like DAV.

pub mod changes;
pub mod conn;
pub mod fetch;
pub mod folders;
pub mod messages;
pub mod mime;
pub mod names;
pub mod search;
pub mod selected;
pub mod session;
pub mod structure;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::config::MailClientsConfig;
use crate::state::AppState;
use crate::tcp::{Admission, Conn, ListenerKind};
use crate::tls::Tls;

/// Bytes of APPEND messages all connections may hold in memory at once.
const APPEND_BUDGET_BYTES: usize = 256 * 1024 * 1024;

/// Limits of the IMAP listeners (each a setting, see `config.rs`).
#[derive(Clone, Debug)]
pub struct ImapLimits {
    pub idle_timeout: Duration,
    pub login_timeout: Duration,
    pub max_bad_commands: u32,
    pub idle_poll: Duration,
    pub allow_plaintext_auth: bool,
    /// How often a signed-in session checks its credentials still hold.
    pub recheck: Duration,
}

/// What every IMAP session shares.
pub struct ImapContext {
    pub state: AppState,
    pub tls: Arc<Tls>,
    pub limits: ImapLimits,
    per_ip: Admission<IpAddr>,
    pub per_user: Admission<i64>,
    wire: conn::WireLimits,
}

impl ImapContext {
    pub fn new(state: AppState, tls: Arc<Tls>, c: &MailClientsConfig) -> ImapContext {
        let max_message = u32::try_from(state.settings.max_message_size).unwrap_or(u32::MAX);
        ImapContext {
            per_ip: Admission::new(c.imap_max_connections, c.imap_max_connections_per_ip),
            per_user: Admission::new(c.imap_max_connections, c.imap_max_connections_per_user),
            wire: conn::WireLimits {
                max_command: c.imap_max_command_bytes.max(1024),
                max_message,
                append_budget: Arc::new(tokio::sync::Semaphore::new(APPEND_BUDGET_BYTES / 1024)),
            },
            limits: ImapLimits {
                idle_timeout: Duration::from_secs(c.imap_idle_timeout_secs.max(1)),
                login_timeout: Duration::from_secs(c.imap_login_timeout_secs.max(1)),
                max_bad_commands: c.imap_max_bad_commands.max(1),
                idle_poll: Duration::from_millis(c.imap_idle_poll_ms.max(10)),
                allow_plaintext_auth: c.allow_plaintext_auth,
                recheck: Duration::from_secs(c.imap_recheck_credentials_secs),
            },
            state,
            tls,
        }
    }
}

/// Accepts connections until the server stops; `implicit_tls` for the IMAPS port.
pub async fn serve(
    listener: Arc<TcpListener>,
    ctx: Arc<ImapContext>,
    implicit_tls: bool,
    stop: crate::jobs::Stop,
) {
    let kind = ListenerKind {
        name: if implicit_tls { "IMAPS" } else { "IMAP" },
        implicit_tls: implicit_tls.then(|| ctx.tls.clone()),
        busy: b"* BYE [UNAVAILABLE] Too many connections, try again later\r\n",
    };
    let sessions = {
        let (ctx, stop) = (ctx.clone(), stop.clone());
        move |conn: Conn, peer: std::net::SocketAddr| {
            let (ctx, stop) = (ctx.clone(), stop.clone());
            async move {
                let wire = conn::Wire::new(conn, ctx.wire.clone());
                session::run(&ctx, wire, peer.ip(), stop).await;
            }
        }
    };
    crate::tcp::serve(listener, kind, &ctx.per_ip, stop, sessions).await;
}
