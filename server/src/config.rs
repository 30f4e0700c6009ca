//! Command line and environment configuration (every flag has an environment variable).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "ksuite",
    version,
    about = "ksuite: self-hosted mail, calendar, contacts and short links",
    long_about = "ksuite serves the web app, its JSON API and (as features land) CalDAV/CardDAV, \
                  inbound SMTP and the short-link redirector from one process.\n\n\
                  Every setting can be given as a flag or as the environment variable shown \
                  beside it; flags win."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the server until SIGINT/SIGTERM, then finish in-flight requests and exit.
    Serve(Box<Config>),
    /// Bring the database to the current schema, then exit (`serve` does it at start too;
    /// on PostgreSQL an advisory lock makes processes starting together migrate once).
    Migrate(MigrateArgs),
    /// Copy an existing server's SQLite database into an empty PostgreSQL database (stop
    /// the server first; the blob store is left as it is).
    CopyData(CopyDataArgs),
    /// Copy every stored message and upload from one blob store into another (before
    /// starting the server with the new --blob-store; objects already there are skipped,
    /// so it can run again).
    CopyBlobs(CopyBlobsArgs),
}

/// Where S3-compatible storage is and how to sign in to it (`--blob-store s3://…`).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct S3Settings {
    /// Endpoint of S3-compatible storage (MinIO, Ceph, Garage…), e.g. http://10.0.0.5:9000.
    /// Without it, AWS S3 (or AWS_ENDPOINT).
    #[arg(long, env = "KSUITE_S3_ENDPOINT")]
    pub s3_endpoint: Option<String>,

    /// Region of the S3 bucket (AWS_REGION if not given).
    #[arg(long, env = "KSUITE_S3_REGION")]
    pub s3_region: Option<String>,

    /// Access key id for the S3 bucket (AWS_ACCESS_KEY_ID if not given).
    #[arg(long, env = "KSUITE_S3_ACCESS_KEY_ID")]
    pub s3_access_key_id: Option<String>,

    /// Secret access key for the S3 bucket (AWS_SECRET_ACCESS_KEY if not given).
    #[arg(long, env = "KSUITE_S3_SECRET_ACCESS_KEY", hide_env_values = true)]
    pub s3_secret_access_key: Option<String>,
}

impl S3Settings {
    /// The store at `location` (see `--blob-store`) with these settings.
    pub fn store(&self, location: Option<String>) -> crate::blobs::BlobStoreConfig {
        crate::blobs::BlobStoreConfig {
            location,
            s3_endpoint: self.s3_endpoint.clone(),
            s3_region: self.s3_region.clone(),
            s3_access_key_id: self.s3_access_key_id.clone(),
            s3_secret_access_key: self.s3_secret_access_key.clone(),
        }
    }
}

#[derive(Parser, Debug, Clone)]
pub struct CopyBlobsArgs {
    /// The store to read: a directory (the data directory, or a --blob-store path) or
    /// s3://bucket/prefix.
    #[arg(long)]
    pub from: String,
    /// The store to fill: what --blob-store will name.
    #[arg(long)]
    pub to: String,
    #[command(flatten)]
    pub s3: S3Settings,
}

#[derive(Parser, Debug, Clone)]
pub struct MigrateArgs {
    /// Database URL: sqlite:///path/ksuite.db or postgres://user:password@host/db.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: String,
}

#[derive(Parser, Debug, Clone)]
pub struct CopyDataArgs {
    /// The SQLite database to read, e.g. sqlite:///var/lib/ksuite/ksuite.db.
    #[arg(long)]
    pub from: String,
    /// The PostgreSQL database to fill, e.g. postgres://ksuite:secret@db/ksuite.
    #[arg(long)]
    pub to: String,
    /// The server's blob store (its data directory, or what --blob-store names), so the
    /// bodies of copied messages are indexed for search. Without it only subjects,
    /// addresses and snippets are.
    #[arg(long)]
    pub blobs: Option<String>,
    #[command(flatten)]
    pub s3: S3Settings,
    /// The language copied mail is indexed in for search: the server's `--search-language`.
    #[arg(long, env = "KSUITE_SEARCH_LANGUAGE", default_value = crate::db::DEFAULT_SEARCH_LANGUAGE)]
    pub search_language: String,
}

#[derive(ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Who may create an account (see `--signup`).
#[derive(ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SignupMode {
    /// Anyone may sign up.
    #[default]
    Open,
    /// Only with an invitation made by an administrator.
    Invite,
    /// Nobody (but the very first account, which administers the server).
    Closed,
}

impl From<SignupMode> for ksuite_common::SignupPolicy {
    fn from(m: SignupMode) -> ksuite_common::SignupPolicy {
        match m {
            SignupMode::Open => ksuite_common::SignupPolicy::Open,
            SignupMode::Invite => ksuite_common::SignupPolicy::Invite,
            SignupMode::Closed => ksuite_common::SignupPolicy::Closed,
        }
    }
}

#[derive(Parser, Debug, Clone)]
pub struct Config {
    /// Address and port the HTTP server listens on. Port 0 picks a free port.
    #[arg(long, env = "KSUITE_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Directory for the embedded SQLite database and stored files; created if missing.
    #[arg(long, env = "KSUITE_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// Where message bytes and attachment uploads are stored: empty for the data
    /// directory, a path (or file:///path) every process mounts, or s3://bucket[/prefix]
    /// for S3-compatible object storage (see the --s3-* settings).
    #[arg(long, env = "KSUITE_BLOB_STORE")]
    pub blob_store: Option<String>,

    #[command(flatten)]
    pub s3: S3Settings,

    /// Database URL. Defaults to SQLite at <data-dir>/ksuite.db.
    /// Examples: sqlite:///var/lib/ksuite/ksuite.db, postgres://ksuite:secret@db/ksuite
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,

    /// Database connections this process keeps open at most (0: 8 on SQLite, 16 on
    /// PostgreSQL). On PostgreSQL, every process's pool counts against the server's
    /// `max_connections`.
    #[arg(long, env = "KSUITE_DATABASE_MAX_CONNECTIONS", default_value_t = 0)]
    pub database_max_connections: u32,

    /// PostgreSQL: milliseconds any one statement may run before the database cancels it
    /// (0: no limit). A safety net so that no query plan holds a request for minutes.
    #[arg(
        long,
        env = "KSUITE_DATABASE_STATEMENT_TIMEOUT_MS",
        default_value_t = 15_000
    )]
    pub database_statement_timeout_ms: u64,

    /// PostgreSQL: the text search configuration mail search stems words with (english,
    /// french, german, italian, spanish, portuguese, …; `simple` for none). Every word
    /// also matches as a prefix, whatever the language. SQLite ignores it.
    #[arg(long, env = "KSUITE_SEARCH_LANGUAGE", default_value = crate::db::DEFAULT_SEARCH_LANGUAGE)]
    pub search_language: String,

    /// The URL users reach ksuite at (scheme, host, optional port). Used for links in
    /// e-mails and sync profiles, for the Origin check and to decide whether cookies are
    /// marked Secure (https). Defaults to http://<listen>.
    #[arg(long, env = "KSUITE_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Base URL of short links. A bare host such as https://chk.me makes that host serve
    /// /{slug} directly (point its DNS at this server); the default is <public-url>/l.
    #[arg(long, env = "KSUITE_SHORT_URL")]
    pub short_url: Option<String>,

    /// Directory holding the built web app (Trunk's output).
    #[arg(long, env = "KSUITE_STATIC_DIR", default_value = "dist")]
    pub static_dir: PathBuf,

    /// Log format.
    #[arg(long, env = "KSUITE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Failed logins allowed per account within 15 minutes before further attempts are
    /// refused (HTTP 429) until the window passes.
    #[arg(long, env = "KSUITE_LOGIN_MAX_FAILURES", default_value_t = 5)]
    pub login_max_failures: u32,

    /// Mail domain of this server: every user gets an address in it at sign-up, and the
    /// SMTP listener accepts mail for its addresses. Defaults to the host of the public URL.
    #[arg(long, env = "KSUITE_MAIL_DOMAIN")]
    pub mail_domain: Option<String>,

    /// Address and port of the inbound SMTP listener (mail for local addresses).
    #[arg(long, env = "KSUITE_SMTP_LISTEN", default_value = "127.0.0.1:2525")]
    pub smtp_listen: SocketAddr,

    /// Largest message accepted, in bytes (announced as SIZE; larger ones get 552).
    #[arg(long, env = "KSUITE_MAX_MESSAGE_SIZE", default_value_t = 25 * 1024 * 1024)]
    pub max_message_size: usize,

    /// Largest `.mbox`/`.eml` upload one import request reads, in bytes (each message in
    /// it is still bounded by the message size limit, and the import by the mail quota).
    #[arg(long, env = "KSUITE_MAX_IMPORT_SIZE", default_value_t = 2 * 1024 * 1024 * 1024)]
    pub max_import_size: u64,

    /// Days a message deleted from the Trash stays restorable before it is removed.
    #[arg(long, env = "KSUITE_MAIL_RETENTION_DAYS", default_value_t = 30)]
    pub mail_retention_days: i64,

    /// Automatic replies one address sends per day at most (each sender gets one per
    /// interval anyway; this bounds what forged senders can make it send).
    #[arg(long, env = "KSUITE_AUTO_REPLY_DAILY_LIMIT", default_value_t = 200)]
    pub auto_reply_daily_limit: u32,

    /// SMTP relay for mail to other servers, as a URL: `smtp://host:25` (plain),
    /// `smtp://user:password@host:587?tls=required` (STARTTLS) or `smtps://…:465`.
    /// Without it, outgoing mail to other servers stays queued with a visible error.
    #[arg(long, env = "KSUITE_SMTP_RELAY")]
    pub smtp_relay: Option<String>,

    /// Seconds before the first retry of a failed relay delivery (doubling after each
    /// failure, at most an hour; the queue gives up after a day).
    #[arg(long, env = "KSUITE_SMTP_RETRY_SECONDS", default_value_t = 60)]
    pub smtp_retry_seconds: u64,

    /// ClamAV daemon to scan arriving mail with, as `host:port` (clamd's TCPSocket).
    /// Infected mail is refused at DATA; while clamd cannot answer, mail is deferred.
    #[arg(long, env = "KSUITE_CLAMD")]
    pub clamd: Option<String>,

    /// Seconds one virus scan may take before the message is deferred.
    #[arg(long, env = "KSUITE_CLAMD_TIMEOUT_SECS", default_value_t = 60)]
    pub clamd_timeout_secs: u64,

    /// rspamd's normal worker to score arriving mail with, e.g. `http://127.0.0.1:11333`.
    /// Spam is filed in Spam, rspamd's rejects are refused at DATA.
    #[arg(long, env = "KSUITE_RSPAMD_URL")]
    pub rspamd_url: Option<String>,

    /// rspamd's controller, e.g. `http://127.0.0.1:11334`: moving mail into or out of
    /// Spam teaches it (`/learnspam`, `/learnham`).
    #[arg(long, env = "KSUITE_RSPAMD_CONTROLLER_URL")]
    pub rspamd_controller_url: Option<String>,

    /// The controller's password, when it asks for one.
    #[arg(long, env = "KSUITE_RSPAMD_PASSWORD")]
    pub rspamd_password: Option<String>,

    /// Seconds rspamd may take to score one message (then it is accepted unscored).
    #[arg(long, env = "KSUITE_RSPAMD_TIMEOUT_SECS", default_value_t = 20)]
    pub rspamd_timeout_secs: u64,

    /// Extra certificate authorities (a PEM file) trusted when fetching mail from other
    /// IMAP servers, besides the public ones: a company CA, or a test server.
    #[arg(long, env = "KSUITE_MAIL_FETCH_CA_FILE")]
    pub mail_fetch_ca_file: Option<std::path::PathBuf>,

    /// Fetches from other IMAP servers running at once (one per user at a time).
    #[arg(long, env = "KSUITE_MAIL_FETCH_CONCURRENT", default_value_t = 4)]
    pub mail_fetch_concurrent: usize,

    /// Minutes one fetch from another server may run before it stops (it can be started
    /// again and goes on where it was, skipping what is already here).
    #[arg(long, env = "KSUITE_MAIL_FETCH_MAX_MINUTES", default_value_t = 360)]
    pub mail_fetch_max_minutes: u64,

    /// DNS for checking who sent arriving mail (SPF, DKIM, DMARC): `system` (resolv.conf),
    /// a resolver as `ip:port`, or `off`.
    #[arg(long, env = "KSUITE_SENDER_AUTH_DNS", default_value = "system")]
    pub sender_auth_dns: crate::mail::sender_auth::DnsChoice,

    /// Seconds the sender checks of one message may take (then recorded as temperror).
    #[arg(long, env = "KSUITE_SENDER_AUTH_TIMEOUT_SECS", default_value_t = 15)]
    pub sender_auth_timeout_secs: u64,

    /// Inbound SMTP sessions at once (further connections get 421 and are closed).
    #[arg(long, env = "KSUITE_SMTP_MAX_SESSIONS", default_value_t = 100)]
    pub smtp_max_sessions: usize,

    /// Inbound SMTP sessions at once from one client address.
    #[arg(long, env = "KSUITE_SMTP_MAX_SESSIONS_PER_IP", default_value_t = 10)]
    pub smtp_max_sessions_per_ip: usize,

    /// Unknown recipients one SMTP session may try before it is closed (against address
    /// harvesting).
    #[arg(long, env = "KSUITE_SMTP_MAX_FAILED_RECIPIENTS", default_value_t = 5)]
    pub smtp_max_failed_recipients: usize,

    /// Pause, in milliseconds, before answering an unknown recipient, multiplied by the
    /// session's failures so far.
    #[arg(
        long,
        env = "KSUITE_SMTP_FAILED_RECIPIENT_DELAY_MS",
        default_value_t = 500
    )]
    pub smtp_failed_recipient_delay_ms: u64,

    /// How often, in milliseconds, short-link visits counted in memory are written to the
    /// database (visits of links with a visit limit are written before the redirect).
    #[arg(long, env = "KSUITE_VISIT_FLUSH_MS", default_value_t = 1000)]
    pub visit_flush_ms: u64,

    /// How often each process reads what other processes on the same database changed
    /// (revoked passwords, edited links, collection versions), in milliseconds: the most a
    /// change takes to reach every process's caches.
    #[arg(long, env = "KSUITE_INVALIDATION_POLL_MS", default_value_t = 250)]
    pub invalidation_poll_ms: u64,

    /// Seconds a process's claim on long background work (a mail fetch) holds without
    /// renewal (renewed every third of it): after a crash, another process (or this one,
    /// restarted) takes the work up this much later.
    #[arg(long, env = "KSUITE_JOB_LEASE_SECS", default_value_t = 60)]
    pub job_lease_secs: u64,

    /// Recurrence dates one request may generate (API and CalDAV) before it is refused
    /// with a clear error.
    #[arg(long, env = "KSUITE_MAX_EXPANSION_STEPS", default_value_t = 2_000_000)]
    pub max_expansion_steps: u64,

    /// Milliseconds one request may spend expanding recurrences.
    #[arg(long, env = "KSUITE_MAX_EXPANSION_MS", default_value_t = 2000)]
    pub max_expansion_ms: u64,

    /// Occurrences one answer may hold (`/api/events`, CalDAV `expand`).
    #[arg(long, env = "KSUITE_MAX_OCCURRENCES", default_value_t = 20_000)]
    pub max_occurrences: usize,

    /// Bytes of event data one calendar answer may hold.
    #[arg(long, env = "KSUITE_MAX_ANSWER_BYTES", default_value_t = 16 * 1024 * 1024)]
    pub max_answer_bytes: usize,

    /// Reverse proxies (addresses or networks, comma-separated, e.g. `127.0.0.1,10.0.0.0/8`)
    /// whose `X-Forwarded-For` header names the client for throttling. Empty: the header
    /// is ignored and the connecting address is the client.
    #[arg(long, env = "KSUITE_TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: String,

    /// Who may create an account: `open` (anyone), `invite` (with an administrator's
    /// invitation) or `closed` (nobody but the first account).
    #[arg(long, env = "KSUITE_SIGNUP", value_enum, default_value_t = SignupMode::Open)]
    pub signup: SignupMode,

    /// Recipients one user may send to per hour (over all messages), against spam from
    /// stolen or throwaway accounts.
    #[arg(
        long,
        env = "KSUITE_SEND_MAX_RECIPIENTS_PER_HOUR",
        default_value_t = 500
    )]
    pub send_max_recipients_per_hour: u32,

    /// Seconds any HTTP request may take before it is stopped with a 503 (uploads of the
    /// largest message over a slow line must fit in it).
    #[arg(long, env = "KSUITE_REQUEST_TIMEOUT_SECS", default_value_t = 300)]
    pub request_timeout_secs: u64,

    /// Events and to-dos one user may keep in their own calendars.
    #[arg(long, env = "KSUITE_MAX_EVENTS_PER_USER", default_value_t = 200_000)]
    pub max_events_per_user: i64,

    /// Contacts one user may keep in their own address books.
    #[arg(long, env = "KSUITE_MAX_CONTACTS_PER_USER", default_value_t = 100_000)]
    pub max_contacts_per_user: i64,

    /// Bytes of mail one address may hold (all folders); past it, new mail is refused
    /// with "mailbox full" and sending keeps no copy until space is freed.
    #[arg(long, env = "KSUITE_MAIL_QUOTA_BYTES", default_value_t = 10 * 1024 * 1024 * 1024)]
    pub mail_quota_bytes: i64,

    /// Sign-ups allowed from one client address within 15 minutes.
    #[arg(long, env = "KSUITE_SIGNUP_MAX_PER_IP", default_value_t = 5)]
    pub signup_max_per_ip: u32,

    /// Let webhooks and push services reach loopback and private-network addresses
    /// (a self-hosted chat on the LAN; tests). Off: such targets are refused.
    #[arg(long, env = "KSUITE_ALLOW_PRIVATE_TARGETS", default_value_t = false)]
    pub allow_private_targets: bool,

    /// Reminders missed by less than this (server down) are still sent, marked late;
    /// older ones are recorded as missed.
    #[arg(long, env = "KSUITE_REMINDER_GRACE_SECS", default_value_t = 3600)]
    pub reminder_grace_secs: i64,

    /// How often the reminder scheduler looks for due reminders, in milliseconds.
    #[arg(long, env = "KSUITE_REMINDER_POLL_MS", default_value_t = 250)]
    pub reminder_poll_ms: u64,

    /// How often the scheduled-send job looks for messages whose time came, in milliseconds.
    #[arg(long, env = "KSUITE_SCHEDULED_SEND_POLL_MS", default_value_t = 1000)]
    pub scheduled_send_poll_ms: u64,

    /// Reminders sent at once (webhooks and push services are called concurrently).
    #[arg(long, env = "KSUITE_REMINDER_CONCURRENCY", default_value_t = 32)]
    pub reminder_concurrency: usize,

    /// Tests only: read "now" (unix seconds) from this file instead of the system clock,
    /// so reminder tests move time instead of sleeping.
    #[arg(long, env = "KSUITE_TEST_CLOCK_FILE", hide = true)]
    pub test_clock_file: Option<PathBuf>,

    #[command(flatten)]
    pub mail_clients: MailClientsConfig,
}

/// Listeners and limits for desktop and phone mail apps: IMAP, submission and TLS.
#[derive(clap::Args, Debug, Clone)]
pub struct MailClientsConfig {
    /// IMAP listener (STARTTLS offered, and required before signing in).
    #[arg(long, env = "KSUITE_IMAP_LISTEN", default_value = "127.0.0.1:1143")]
    pub imap_listen: SocketAddr,

    /// IMAP listener with implicit TLS (IMAPS).
    #[arg(long, env = "KSUITE_IMAPS_LISTEN", default_value = "127.0.0.1:1993")]
    pub imaps_listen: SocketAddr,

    /// Mail submission listener for apps (STARTTLS required before AUTH).
    #[arg(
        long,
        env = "KSUITE_SUBMISSION_LISTEN",
        default_value = "127.0.0.1:1587"
    )]
    pub submission_listen: SocketAddr,

    /// Mail submission listener with implicit TLS.
    #[arg(
        long,
        env = "KSUITE_SUBMISSIONS_LISTEN",
        default_value = "127.0.0.1:1465"
    )]
    pub submissions_listen: SocketAddr,

    /// TLS certificate chain (PEM) for IMAP and submission, re-read on SIGHUP. Without it
    /// a self-signed certificate is generated into the data directory.
    #[arg(long, env = "KSUITE_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// TLS private key (PEM) for `--tls-cert`.
    #[arg(long, env = "KSUITE_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Host name mail apps connect to (setup pages, autoconfig, the self-signed
    /// certificate). Defaults to the host of the public URL.
    #[arg(long, env = "KSUITE_MAIL_HOST")]
    pub mail_host: Option<String>,

    /// Public IMAP and submission ports shown to users when they differ from the
    /// listeners' (behind port forwarding), as `imap,imaps,submission,submissions`.
    #[arg(long, env = "KSUITE_MAIL_PUBLIC_PORTS")]
    pub mail_public_ports: Option<String>,

    /// IMAP connections at once, overall.
    #[arg(long, env = "KSUITE_IMAP_MAX_CONNECTIONS", default_value_t = 1000)]
    pub imap_max_connections: usize,

    /// IMAP connections at once from one client address.
    #[arg(long, env = "KSUITE_IMAP_MAX_CONNECTIONS_PER_IP", default_value_t = 50)]
    pub imap_max_connections_per_ip: usize,

    /// IMAP connections at once signed in as one user (apps open several each).
    #[arg(
        long,
        env = "KSUITE_IMAP_MAX_CONNECTIONS_PER_USER",
        default_value_t = 20
    )]
    pub imap_max_connections_per_user: usize,

    /// Longest IMAP command in bytes, literals included, except APPEND's message (which
    /// may be as large as `--max-message-size`).
    #[arg(long, env = "KSUITE_IMAP_MAX_COMMAND_BYTES", default_value_t = 64 * 1024)]
    pub imap_max_command_bytes: u32,

    /// Seconds a signed-in IMAP connection may stay silent (IDLE included; clients
    /// renew IDLE every 29 minutes) before it is closed.
    #[arg(long, env = "KSUITE_IMAP_IDLE_TIMEOUT_SECS", default_value_t = 1860)]
    pub imap_idle_timeout_secs: u64,

    /// Seconds a connection may take to sign in before it is closed.
    #[arg(long, env = "KSUITE_IMAP_LOGIN_TIMEOUT_SECS", default_value_t = 60)]
    pub imap_login_timeout_secs: u64,

    /// Bad or refused commands one IMAP connection may send before it is closed.
    #[arg(long, env = "KSUITE_IMAP_MAX_BAD_COMMANDS", default_value_t = 20)]
    pub imap_max_bad_commands: u32,

    /// How often, in milliseconds, an IDLE connection checks its folder for changes
    /// made elsewhere (webmail, SMTP delivery, other processes).
    #[arg(long, env = "KSUITE_IMAP_IDLE_POLL_MS", default_value_t = 250)]
    pub imap_idle_poll_ms: u64,

    /// Seconds between checks that a signed-in IMAP session's password still holds (a
    /// revoked application password or a changed password ends the session).
    #[arg(
        long,
        env = "KSUITE_IMAP_RECHECK_CREDENTIALS_SECS",
        default_value_t = 30
    )]
    pub imap_recheck_credentials_secs: u64,

    /// Let IMAP and submission clients sign in without TLS (a TLS-terminating proxy in
    /// front; never on the open internet).
    #[arg(long, env = "KSUITE_ALLOW_PLAINTEXT_AUTH", default_value_t = false)]
    pub allow_plaintext_auth: bool,

    /// Keep a copy of mail submitted by apps in Sent. Apps that save their own copy
    /// (Apple Mail, Thunderbird) do not get two: their APPEND of the same message into
    /// Sent is recognised by Message-ID.
    #[arg(long, env = "KSUITE_SUBMISSION_SENT_COPY", default_value_t = true, action = clap::ArgAction::Set)]
    pub submission_sent_copy: bool,
}

impl MailClientsConfig {
    /// Every listener on a free loopback port and a generated certificate (tests).
    pub fn for_tests() -> MailClientsConfig {
        let any = SocketAddr::from(([127, 0, 0, 1], 0));
        MailClientsConfig {
            imap_listen: any,
            imaps_listen: any,
            submission_listen: any,
            submissions_listen: any,
            tls_cert: None,
            tls_key: None,
            mail_host: None,
            mail_public_ports: None,
            imap_max_connections: 1000,
            imap_max_connections_per_ip: 50,
            imap_max_connections_per_user: 20,
            imap_max_command_bytes: 64 * 1024,
            imap_idle_timeout_secs: 1860,
            imap_login_timeout_secs: 60,
            imap_max_bad_commands: 20,
            imap_idle_poll_ms: 50,
            imap_recheck_credentials_secs: 0,
            allow_plaintext_auth: false,
            submission_sent_copy: true,
        }
    }
}

impl Config {
    /// What one request may spend expanding recurring events.
    pub fn expansion_limits(&self) -> crate::calendar::expand::Limits {
        crate::calendar::expand::Limits {
            steps: self.max_expansion_steps,
            time: std::time::Duration::from_millis(self.max_expansion_ms),
            occurrences: self.max_occurrences,
            bytes: self.max_answer_bytes,
        }
    }

    /// How many fetches from other servers run at once, and for how long each may.
    pub fn mail_fetch_limits(&self) -> crate::mail::fetch::worker::FetchLimits {
        crate::mail::fetch::worker::FetchLimits {
            concurrent: self.mail_fetch_concurrent,
            max_duration: std::time::Duration::from_secs(self.mail_fetch_max_minutes * 60),
            lease: std::time::Duration::from_secs(self.job_lease_secs.max(1)),
        }
    }

    /// The spam filter for arriving mail, when one is set.
    pub fn rspamd(&self) -> Option<crate::mail::spam::RspamdConfig> {
        let set = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
        };
        Some(crate::mail::spam::RspamdConfig {
            url: set(&self.rspamd_url)?,
            controller_url: set(&self.rspamd_controller_url),
            password: set(&self.rspamd_password),
            timeout: std::time::Duration::from_secs(self.rspamd_timeout_secs),
        })
    }

    /// The virus scanner for arriving mail, when one is set.
    pub fn antivirus(&self) -> Option<crate::mail::antivirus::Clamd> {
        let addr = self
            .clamd
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())?;
        Some(crate::mail::antivirus::Clamd {
            addr: addr.to_string(),
            timeout: std::time::Duration::from_secs(self.clamd_timeout_secs),
        })
    }

    /// The inbound SMTP listener's limits.
    pub fn smtp_limits(&self) -> crate::smtp::inbound::SmtpLimits {
        crate::smtp::inbound::SmtpLimits {
            max_sessions: self.smtp_max_sessions,
            max_sessions_per_ip: self.smtp_max_sessions_per_ip,
            max_failed_recipients: self.smtp_max_failed_recipients,
            failed_recipient_delay: std::time::Duration::from_millis(
                self.smtp_failed_recipient_delay_ms,
            ),
        }
    }

    /// A configuration for tests and embedding: random loopback port, given data dir.
    pub fn for_data_dir(data_dir: PathBuf) -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir,
            database_url: None,
            database_max_connections: 0,
            database_statement_timeout_ms: 15_000,
            search_language: crate::db::DEFAULT_SEARCH_LANGUAGE.to_string(),
            blob_store: None,
            s3: S3Settings::default(),
            public_url: None,
            short_url: None,
            static_dir: PathBuf::from("dist"),
            log_format: LogFormat::Text,
            login_max_failures: 5,
            mail_domain: None,
            smtp_listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            max_message_size: 25 * 1024 * 1024,
            max_import_size: 2 * 1024 * 1024 * 1024,
            mail_retention_days: 30,
            auto_reply_daily_limit: 200,
            smtp_relay: None,
            smtp_retry_seconds: 60,
            clamd: None,
            mail_fetch_ca_file: None,
            mail_fetch_concurrent: 4,
            mail_fetch_max_minutes: 360,
            rspamd_url: None,
            rspamd_controller_url: None,
            rspamd_password: None,
            rspamd_timeout_secs: 20,
            // Tests and embedders ask no outside DNS unless they say so.
            sender_auth_dns: crate::mail::sender_auth::DnsChoice::Off,
            sender_auth_timeout_secs: 15,
            clamd_timeout_secs: 60,
            smtp_max_sessions: 100,
            smtp_max_sessions_per_ip: 10,
            smtp_max_failed_recipients: 5,
            smtp_failed_recipient_delay_ms: 500,
            visit_flush_ms: 1000,
            invalidation_poll_ms: 50,
            job_lease_secs: 60,
            max_expansion_steps: 2_000_000,
            max_expansion_ms: 2000,
            max_occurrences: 20_000,
            max_answer_bytes: 16 * 1024 * 1024,
            trusted_proxies: String::new(),
            signup: SignupMode::Open,
            request_timeout_secs: 300,
            max_events_per_user: 200_000,
            max_contacts_per_user: 100_000,
            mail_quota_bytes: 10 * 1024 * 1024 * 1024,
            send_max_recipients_per_hour: 500,
            // Tests sign many users up from one address.
            signup_max_per_ip: 1000,
            allow_private_targets: true,
            reminder_grace_secs: 3600,
            reminder_poll_ms: 50,
            scheduled_send_poll_ms: 50,
            reminder_concurrency: 32,
            test_clock_file: None,
            mail_clients: MailClientsConfig::for_tests(),
        }
    }

    /// The blob store settings, apart from the data directory (the default store).
    pub fn blob_store(&self) -> crate::blobs::BlobStoreConfig {
        self.s3.store(self.blob_store.clone())
    }

    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("ksuite.db").display()),
        }
    }

    pub fn pool_settings(&self) -> crate::db::PoolSettings {
        crate::db::PoolSettings {
            max_connections: self.database_max_connections,
            statement_timeout: (self.database_statement_timeout_ms > 0)
                .then(|| std::time::Duration::from_millis(self.database_statement_timeout_ms)),
            search_language: Some(self.search_language.clone()),
        }
    }
}
