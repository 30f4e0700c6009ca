//! Shared application state handed to every handler.

use std::sync::Arc;

use crate::auth::credential_cache::CredentialCache;
use crate::auth::throttle::LoginThrottle;
use crate::dav::cache::DavCache;
use crate::db::Db;
use crate::links::LinksState;

/// Cloned for every request by each layer and extractor that takes it, so it is one
/// `Arc`: one reference count to touch instead of one per field (those atomic updates
/// bounced between cores on every request and cost a measurable share of a DAV GET).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> AppState {
        AppState(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What every handler shares, behind [`AppState`].
pub struct Shared {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub login_throttle: Arc<LoginThrottle>,
    pub signup_throttle: Arc<crate::auth::throttle::SignupThrottle>,
    /// Bytes of mail per address, for the mail quota.
    pub mail_usage: Arc<crate::mail::usage::MailUsage>,
    /// Recipients each user sent to in the last hour.
    pub send_limiter: Arc<crate::mail::rate::SendLimiter>,
    /// Verified HTTP Basic credentials (DAV), see [`CredentialCache`].
    pub credentials: Arc<CredentialCache>,
    /// Rendered DAV collection answers, see [`DavCache`].
    pub dav_cache: Arc<DavCache>,
    /// Latest ctag of each collection (see `dav::versions`).
    pub dav_versions: Arc<crate::dav::versions::CollectionVersions>,
    /// Where this process has read the `invalidations` rows up to.
    pub invalidations: Arc<crate::invalidations::Follower>,
    /// Object GET answers of owners' own collections, valid while their ctag holds.
    pub dav_objects: Arc<crate::dav::object_cache::ObjectCache>,
    /// Users' own collections as last read, valid while their ctag holds.
    pub dav_collections: Arc<crate::dav::object_cache::CollectionCache>,
    pub links: Arc<LinksState>,
    /// Wakes the relay queue when a message is queued or a retry is asked for.
    pub outbox_wake: Arc<tokio::sync::Notify>,
    /// What runs after a message is filed (filters, automatic replies).
    pub mailroom: Arc<crate::mail::arrival::Mailroom>,
    /// Where CPU-heavy request work runs (off the async workers).
    pub cpu: crate::cpu::CpuPool,
    /// "Now" for reminders and snoozes (a file in tests).
    pub clock: crate::clock::Clock,
    /// The only outbound HTTP client (webhooks, push services), SSRF-guarded.
    pub outbound: crate::net::Outbound,
    /// This server's Web Push identity.
    pub vapid: Arc<crate::push::vapid::VapidKeys>,
    /// Wakes the reminder scheduler (an event changed).
    pub reminder_wake: Arc<tokio::sync::Notify>,
    /// Wakes the scheduled-send job (a message was scheduled or moved to now).
    pub scheduled_wake: Arc<tokio::sync::Notify>,
    /// Wakes the job that fetches mail from other servers (one was asked for).
    pub mail_fetch_wake: Arc<tokio::sync::Notify>,
}

/// Where mail apps connect, as users are told (setup pages, autoconfig, profiles).
#[derive(Clone, Debug)]
pub struct MailServers {
    pub host: String,
    pub imap_port: u16,
    pub imaps_port: u16,
    pub submission_port: u16,
    pub submissions_port: u16,
    pub self_signed: bool,
}

/// Derived, immutable settings computed once at start-up.
#[derive(Debug)]
pub struct Settings {
    /// Where mail apps connect.
    pub mail_servers: MailServers,
    /// Public origin, e.g. `https://suite.example.com` (no trailing slash).
    pub public_origin: String,
    /// Where stored files (raw messages) live.
    pub data_dir: std::path::PathBuf,
    /// Where message bytes and uploads live (see `blobs`).
    pub blobs: crate::blobs::BlobStore,
    /// The mail domain new users get an address in.
    pub mail_domain: String,
    /// Largest message (and sum of attachments) accepted, in bytes.
    pub max_message_size: usize,
    /// Largest import upload read by one request, in bytes.
    pub max_import_size: u64,
    /// Days deleted messages stay restorable.
    pub mail_retention_days: i64,
    /// Whether cookies get the `Secure` attribute (public URL is https).
    pub secure_cookies: bool,
    /// Storage limits per user.
    pub quotas: crate::quota::Quotas,
    /// Who may create an account.
    pub signup: ksuite_common::SignupPolicy,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: crate::client_ip::TrustedProxies,
    /// What one request may spend expanding recurrences.
    pub expansion: crate::calendar::expand::Limits,
}
