//! What the mail listeners (inbound SMTP, submission, IMAP) share: connection limits and
//! a connection that can turn into TLS half-way (STARTTLS).

pub mod admission;
pub mod stream;

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

pub use admission::{Admission, Slot};
pub use stream::Conn;

/// How a listener greets and refuses.
pub struct ListenerKind {
    /// For logs: "IMAP", "submission", …
    pub name: &'static str,
    /// TLS from the first byte (IMAPS, submissions), with this certificate.
    pub implicit_tls: Option<Arc<crate::tls::Tls>>,
    /// What a client over the connection limits reads before the connection closes
    /// (only on plain listeners: a TLS client could not read it).
    pub busy: &'static [u8],
}

/// Accepts connections until the server stops: each admitted one (within `admission`'s
/// limits per client address) runs `session` on its own task, after the TLS handshake on
/// implicit-TLS listeners; the admission place is held until the session ends.
pub async fn serve<F, Fut>(
    listener: Arc<TcpListener>,
    kind: ListenerKind,
    admission: &Admission<IpAddr>,
    mut stop: crate::jobs::Stop,
    session: F,
) where
    F: Fn(Conn, SocketAddr) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = stop.stopped() => return,
        };
        let (mut stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(listener = kind.name, error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let Some(slot) = admission.admit(peer.ip()) else {
            let busy = kind.busy;
            let tls = kind.implicit_tls.is_some();
            tokio::spawn(async move {
                if !tls {
                    let _ = stream.write_all(busy).await;
                }
                let _ = stream.shutdown().await;
            });
            continue;
        };
        let _ = stream.set_nodelay(true);
        let acceptor = kind.implicit_tls.as_ref().map(|t| t.acceptor());
        let name = kind.name;
        let session = session.clone();
        tokio::spawn(async move {
            let conn = match acceptor {
                Some(acceptor) => match Conn::accept_tls(stream, &acceptor).await {
                    Ok(c) => c,
                    Err(e) => {
                        tracing::debug!(%peer, listener = name, error = %e, "TLS handshake failed");
                        return;
                    }
                },
                None => Conn::Plain(stream),
            };
            session(conn, peer).await;
            drop(slot);
        });
    }
}
