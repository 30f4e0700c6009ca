//! The only outbound HTTP client (chat webhooks, push services). Users choose these
//! addresses, so every request is guarded against server-side request forgery: http(s)
//! only, and the address actually connected to must not be loopback, private,
//! link-local (cloud metadata at 169.254.169.254), multicast or unspecified. The check
//! runs in the resolver, at connect time, so a name that resolves differently on a second
//! lookup (DNS rebinding) cannot slip through; redirects are not followed; every request
//! has a timeout and answers are read up to a size cap.

pub mod guard;

use std::sync::Arc;
use std::time::Duration;

pub use guard::{TargetError, check_url};

/// Longest a request may take, connecting included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Most bytes of an answer read (chat tools answer "ok"; push services a short JSON).
pub const MAX_ANSWER_BYTES: usize = 16 * 1024;

/// What the other side answered.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    /// Seconds from `Retry-After`, when given as a number.
    pub retry_after: Option<u64>,
    /// The start of the body (at most [`MAX_ANSWER_BYTES`]).
    pub body: Vec<u8>,
}

/// Why a request got no answer.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("{0}")]
    Target(#[from] TargetError),
    #[error("no answer in time")]
    Timeout,
    #[error("could not connect: {0}")]
    Connect(String),
}

/// The guarded client; cheap to clone.
#[derive(Clone)]
pub struct Outbound {
    client: reqwest::Client,
    allow_private: bool,
}

impl Outbound {
    /// `allow_private` lifts the address check (self-hosting on a LAN, and tests).
    pub fn new(allow_private: bool) -> anyhow::Result<Outbound> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .dns_resolver(Arc::new(guard::GuardedResolver { allow_private }))
            .user_agent(concat!("ksuite/", env!("CARGO_PKG_VERSION")))
            .pool_max_idle_per_host(64)
            .build()?;
        Ok(Outbound {
            client,
            allow_private,
        })
    }

    pub fn allows_private(&self) -> bool {
        self.allow_private
    }

    /// POSTs `body` to `url` with `headers`.
    pub async fn post(
        &self,
        url: &str,
        headers: &[(String, String)],
        body: Vec<u8>,
    ) -> Result<Answer, SendError> {
        let url = check_url(url, self.allow_private)?;
        let mut request = self.client.post(url).body(body);
        for (name, value) in headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let mut response = request.send().await.map_err(classify)?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok());
        let mut body = Vec::new();
        while body.len() < MAX_ANSWER_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    let room = MAX_ANSWER_BYTES - body.len();
                    body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                }
                // The status is what counts; a body cut short does not undo it.
                Ok(None) | Err(_) => break,
            }
        }
        Ok(Answer {
            status,
            retry_after,
            body,
        })
    }
}

fn classify(e: reqwest::Error) -> SendError {
    if e.is_timeout() {
        return SendError::Timeout;
    }
    // The resolver's refusal travels inside the connect error.
    let mut source: Option<&dyn std::error::Error> = Some(&e);
    while let Some(s) = source {
        if let Some(t) = s.downcast_ref::<TargetError>() {
            return SendError::Target(t.clone());
        }
        source = s.source();
    }
    // The innermost cause says what happened ("Connection refused"); the outer layers
    // repeat the URL and the library's plumbing.
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        text = s.to_string();
        source = s.source();
    }
    SendError::Connect(text)
}
