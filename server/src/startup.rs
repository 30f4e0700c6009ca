//! Builds the application (state, router, middleware) and runs it on any port.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::any;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use crate::auth::throttle::LoginThrottle;
use crate::config::Config;
use crate::jobs::Job;
use crate::links::{self, LinksState};
use crate::state::{AppState, Settings};
use crate::{auth, calendar, contacts, dav, db, mail, openapi, security, settings, web};

/// Largest JSON body the API accepts; uploads get their own limits where they land.
pub const API_BODY_LIMIT: usize = 1024 * 1024;

/// How long in-flight requests may run on after the stop signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// A bound, ready-to-run server.
pub struct Application {
    listener: TcpListener,
    smtp_listener: Arc<TcpListener>,
    mail_clients: MailClientListeners,
    visit_flush: Duration,
    /// How often other processes' changes are read, and from which row on.
    invalidation_poll: Duration,
    reminders: crate::reminders::worker::Settings,
    scheduled_poll: Duration,
    smtp: Arc<crate::smtp::inbound::SmtpContext>,
    outbox: Arc<mail::outbox::Outbox>,
    /// Certificate authorities trusted when fetching mail from other servers.
    mail_fetch_roots: Arc<rustls::ClientConfig>,
    mail_fetch_limits: mail::fetch::worker::FetchLimits,
    router: Router,
    pub state: AppState,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Application> {
        std::fs::create_dir_all(&config.data_dir).with_context(|| {
            format!("cannot create data directory {}", config.data_dir.display())
        })?;
        let blobs = crate::blobs::BlobStore::open(&config.blob_store(), &config.data_dir)?;
        let versions = Arc::new(crate::dav::versions::CollectionVersions::default());
        let db = db::connect_with(&config.database_url(), config.pool_settings()).await?;
        let invalidations_from = crate::invalidations::newest(&db)
            .await
            .map_err(|e| anyhow::anyhow!("cannot read cache invalidations: {}", e.message))?;
        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        let addr = listener.local_addr()?;
        let public_origin = config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{addr}"))
            .trim_end_matches('/')
            .to_string();
        let links = Arc::new(LinksState::new(
            config.short_url.as_deref(),
            &public_origin,
        )?);
        let mail_domain = match &config.mail_domain {
            Some(d) => d.trim().to_lowercase(),
            None => url::Url::parse(&public_origin)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
                .unwrap_or_else(|| "localhost".into()),
        };
        mail::store::give_missing_addresses(&db, &mail_domain)
            .await
            .map_err(|e| anyhow::anyhow!(e.message))?;
        let smtp_listener = TcpListener::bind(config.smtp_listen)
            .await
            .with_context(|| format!("cannot listen for SMTP on {}", config.smtp_listen))?;
        let mail_host = config
            .mail_clients
            .mail_host
            .clone()
            .or_else(|| {
                url::Url::parse(&public_origin)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_string))
            })
            .unwrap_or_else(|| "localhost".into());
        let tls = Arc::new(crate::tls::Tls::load(
            config.mail_clients.tls_cert.as_deref(),
            config.mail_clients.tls_key.as_deref(),
            &config.data_dir,
            &mail_host,
        )?);
        let mail_client_listeners =
            MailClientListeners::bind(&config.mail_clients, tls, mail_host.clone()).await?;
        let outbox_wake = Arc::new(tokio::sync::Notify::new());
        let mail_usage = Arc::new(mail::usage::MailUsage::new(config.mail_quota_bytes));
        let clock = config
            .test_clock_file
            .clone()
            .map_or(crate::clock::Clock::System, crate::clock::Clock::File);
        let mailroom = Arc::new(mail::arrival::Mailroom {
            db: db.clone(),
            blobs: blobs.clone(),
            wake: outbox_wake.clone(),
            usage: mail_usage.clone(),
            clock: clock.clone(),
            auto_reply_daily_limit: config.auto_reply_daily_limit,
        });
        let smtp = Arc::new(crate::smtp::inbound::SmtpContext::new(
            mailroom.clone(),
            config.data_dir.clone(),
            mail_domain.clone(),
            config.max_message_size,
            config.smtp_limits(),
            crate::smtp::inbound::Screening {
                antivirus: config.antivirus(),
                sender_auth: crate::mail::sender_auth::SenderAuth::new(
                    &config.sender_auth_dns,
                    &mail_domain,
                    Duration::from_secs(config.sender_auth_timeout_secs),
                )?
                .map(Arc::new),
                spam: config
                    .rspamd()
                    .map(crate::mail::spam::Rspamd::new)
                    .transpose()?
                    .map(Arc::new),
            },
        ));
        let outbox = Arc::new(mail::outbox::Outbox {
            db: db.clone(),
            blobs: blobs.clone(),
            relay: config.smtp_relay.clone().filter(|r| !r.trim().is_empty()),
            first_retry: Duration::from_secs(config.smtp_retry_seconds),
            wake: outbox_wake.clone(),
            mail_domain: mail_domain.clone(),
        });
        let mail_domain_for_vapid = mail_domain.clone();
        let mail_servers = mail_client_listeners.public_servers(&mail_host)?;
        let settings = Settings {
            mail_servers,
            secure_cookies: public_origin.starts_with("https://"),
            public_origin,
            data_dir: config.data_dir.clone(),
            blobs,
            mail_domain,
            max_message_size: config.max_message_size,
            max_import_size: config.max_import_size,
            mail_retention_days: config.mail_retention_days.max(0),
            expansion: config.expansion_limits(),
            signup: config.signup.into(),
            quotas: crate::quota::Quotas {
                events: config.max_events_per_user,
                contacts: config.max_contacts_per_user,
                mail_bytes: config.mail_quota_bytes,
            },
            trusted_proxies: crate::client_ip::TrustedProxies::parse(&config.trusted_proxies)
                .map_err(|e| anyhow::anyhow!("--trusted-proxies: {e}"))?,
        };
        let state = AppState::new(crate::state::Shared {
            db: db.clone(),
            settings: Arc::new(settings),
            login_throttle: Arc::new(LoginThrottle::new(db.clone(), config.login_max_failures)),
            signup_throttle: Arc::new(crate::auth::throttle::SignupThrottle::new(
                db.clone(),
                config.signup_max_per_ip,
            )),
            mail_usage,
            send_limiter: Arc::new(crate::mail::rate::SendLimiter::new(
                db.clone(),
                config.send_max_recipients_per_hour,
            )),
            credentials: Arc::default(),
            dav_cache: Arc::default(),
            dav_versions: versions,
            invalidations: Arc::new(crate::invalidations::Follower::after(invalidations_from)),
            dav_objects: Arc::default(),
            dav_collections: Arc::default(),
            links,
            outbox_wake,
            mailroom,
            cpu: crate::cpu::CpuPool::per_core(),
            clock,
            outbound: crate::net::Outbound::new(config.allow_private_targets)?,
            vapid: Arc::new(crate::push::vapid::VapidKeys::load_or_create(
                &config.data_dir,
                format!("mailto:postmaster@{mail_domain_for_vapid}"),
            )?),
            reminder_wake: Arc::default(),
            scheduled_wake: Arc::default(),
            mail_fetch_wake: Arc::default(),
        });
        let csp = security::content_security_policy(&web::inline_script_hashes(&config.static_dir));
        let router = build_router(state.clone(), &config, &csp)?;
        Ok(Application {
            listener,
            smtp_listener: Arc::new(smtp_listener),
            mail_clients: mail_client_listeners,
            visit_flush: Duration::from_millis(config.visit_flush_ms.max(10)),
            invalidation_poll: Duration::from_millis(config.invalidation_poll_ms.max(10)),
            reminders: crate::reminders::worker::Settings {
                grace_secs: config.reminder_grace_secs.max(0),
                poll: Duration::from_millis(config.reminder_poll_ms.max(10)),
                concurrency: config.reminder_concurrency.max(1),
            },
            scheduled_poll: Duration::from_millis(config.scheduled_send_poll_ms.max(10)),
            smtp,
            outbox,
            mail_fetch_roots: mail::fetch::worker::tls_config(
                config.mail_fetch_ca_file.as_deref(),
            )?,
            mail_fetch_limits: config.mail_fetch_limits(),
            router,
            state,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Where the inbound SMTP listener is bound.
    pub fn smtp_addr(&self) -> SocketAddr {
        self.smtp_listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Where the IMAP, IMAPS, submission and submissions listeners are bound.
    pub fn mail_client_addrs(&self) -> MailClientAddrs {
        self.mail_clients.addrs()
    }

    /// Every background job of the server: the one list, so none is written and never
    /// started. Each finishes its last unit of work when the server stops.
    fn jobs(&self) -> Vec<Job> {
        let state = &self.state;
        let (db, settings, links) = (
            state.db.clone(),
            state.settings.clone(),
            state.links.clone(),
        );
        let visit_flush = self.visit_flush;
        let reminder_settings = self.reminders.clone();
        let imap = Arc::new(crate::imap::ImapContext::new(
            state.clone(),
            self.mail_clients.tls.clone(),
            &self.mail_clients.config,
        ));
        let submission = Arc::new(crate::smtp::submission::SubmissionContext::new(
            state.clone(),
            self.mail_clients.tls.clone(),
            self.mail_clients.host.clone(),
            self.mail_clients.config.submission_sent_copy,
            self.mail_clients.config.allow_plaintext_auth,
            &self.smtp.limits,
        ));
        vec![
            Job::new("reminders", {
                let state = state.clone();
                move |stop| crate::reminders::worker::run(state, reminder_settings, stop)
            }),
            Job::new("smtp", {
                let (listener, ctx) = (self.smtp_listener.clone(), self.smtp.clone());
                move |stop| crate::smtp::inbound::serve(listener, ctx, stop)
            }),
            Job::new("imap", {
                let (listener, ctx) = (self.mail_clients.imap.clone(), imap.clone());
                move |stop| crate::imap::serve(listener, ctx, false, stop)
            }),
            Job::new("imaps", {
                let (listener, ctx) = (self.mail_clients.imaps.clone(), imap);
                move |stop| crate::imap::serve(listener, ctx, true, stop)
            }),
            Job::new("submission", {
                let (listener, ctx) = (self.mail_clients.submission.clone(), submission.clone());
                move |stop| crate::smtp::submission::serve(listener, ctx, false, stop)
            }),
            Job::new("submissions", {
                let (listener, ctx) = (self.mail_clients.submissions.clone(), submission);
                move |stop| crate::smtp::submission::serve(listener, ctx, true, stop)
            }),
            Job::new("tls reload", {
                let tls = self.mail_clients.tls.clone();
                let hangup = self
                    .mail_clients
                    .hangup
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .take();
                move |stop| crate::tls::reload_on_sighup(tls, hangup, stop)
            }),
            Job::new("scheduled sending", {
                let (state, poll) = (state.clone(), self.scheduled_poll);
                move |stop| mail::scheduled::run(state, poll, stop)
            }),
            Job::new("outbox", {
                let outbox = self.outbox.clone();
                move |stop| mail::outbox::run(outbox, stop)
            }),
            Job::new("mail fetch", {
                let state = state.clone();
                let (roots, limits) = (self.mail_fetch_roots.clone(), self.mail_fetch_limits);
                move |stop| mail::fetch::worker::run(state, roots, limits, stop)
            }),
            Job::new("spam lessons", {
                let (db, blobs) = (db.clone(), settings.blobs.clone());
                let rspamd = self.smtp.screening.spam.clone();
                move |stop| mail::spam::teach(db, blobs, rspamd, stop)
            }),
            Job::new("cache invalidations from other processes", {
                let (state, poll) = (state.clone(), self.invalidation_poll);
                let follower = state.invalidations.clone();
                move |stop| follower.run(state, poll, stop)
            }),
            Job::new("message file sweep", {
                let (db, blobs) = (db.clone(), settings.blobs.clone());
                move |stop| mail::blobs::sweep_periodically(db, blobs, stop)
            }),
            Job::new("link visits", {
                let db = db.clone();
                move |stop| links::flush_visits(db, links, visit_flush, stop)
            }),
            // Deleted mail past its retention period goes for good, at start and hourly,
            // and so do uploads nobody sent.
            Job::new("mail purge", move |mut stop| async move {
                let mut tick = tokio::time::interval(Duration::from_secs(3600));
                loop {
                    tokio::select! {
                        _ = tick.tick() => {}
                        _ = stop.stopped() => return,
                    }
                    mail::handlers::purge_expired(
                        &db,
                        &settings.blobs,
                        settings.mail_retention_days,
                    )
                    .await;
                    if let Err(e) = mail::uploads::purge_old(&db, &settings.blobs).await {
                        tracing::warn!(error = %e.message, "removing old uploads failed");
                    }
                }
            }),
        ]
    }

    /// Serves until `shutdown` resolves, then lets in-flight requests finish.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let jobs = crate::jobs::start(self.jobs());
        let state = self.state.clone();
        let app = tower::Layer::layer(&middleware::from_fn(crate::dav::root_to_dav), self.router);
        let app = tower::Layer::layer(
            &middleware::from_fn_with_state(state.clone(), links::redirect::fast),
            app,
        );
        let service =
            axum::ServiceExt::<axum::extract::Request>::into_make_service_with_connect_info::<
                SocketAddr,
            >(app);
        // In-flight requests get a bounded time after the stop signal; the jobs' last work
        // (flushing counted visits) runs either way.
        let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
        let server = axum::serve(self.listener, service).with_graceful_shutdown(async move {
            shutdown.await;
            let _ = stopping_tx.send(());
        });
        let deadline = async move {
            if stopping_rx.await.is_ok() {
                tokio::time::sleep(SHUTDOWN_GRACE).await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            result = server => result?,
            _ = deadline => tracing::warn!("in-flight requests did not finish in time; stopping anyway"),
        }
        jobs.shutdown(Duration::from_secs(10)).await;
        state.db.close().await;
        Ok(())
    }
}

fn build_router(state: AppState, config: &Config, csp: &str) -> anyhow::Result<Router> {
    let request_timeout = Duration::from_secs(config.request_timeout_secs.max(1));
    let api = Router::new()
        .merge(openapi::router())
        .merge(auth::router())
        .merge(settings::router())
        .merge(links::router())
        .merge(calendar::router())
        .merge(crate::reminders::router())
        .merge(contacts::router())
        .merge(dav::assistant_router())
        .merge(mail::router())
        .route("/api/{*rest}", any(web::api_not_found))
        .layer(DefaultBodyLimit::max(API_BODY_LIMIT))
        .layer(middleware::from_fn(security::same_origin_guard));
    // DAV clients authenticate with HTTP Basic on every request (no cookies), so the
    // cross-site guard and the JSON body limit of `/api` do not apply there.
    // DAV devices poll the same objects all day: their routes skip the layers that only
    // concern the web app and short links (asset caching, the short-link host), each of
    // which costs every request a clone of the stack beneath it.
    let router = web::with_spa(api.merge(links::redirect_router()), &config.static_dir)
        .layer(middleware::from_fn(web::cache_control))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            links::redirect::short_host,
        ))
        .merge(dav::router())
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::invalidations::after_write,
        ))
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn(
            crate::http_limits::close_if_body_unread,
        ))
        .layer(middleware::from_fn(move |req, next| {
            crate::http_limits::timeout_answer(request_timeout, req, next)
        }))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            crate::http_limits::panic_answer,
        ))
        .layer(middleware::from_fn_with_state(
            security::SecurityHeaders::new(csp)?,
            security::headers,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state);
    Ok(router)
}

/// Entry point of `ksuite serve`.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let app = Application::build(config).await?;
    let addr = app.local_addr();
    let settings = &app.state.settings;
    if !settings.secure_cookies && !addr.ip().is_loopback() {
        tracing::warn!(
            public_url = %settings.public_origin,
            "ksuite is reachable from other machines but its public URL is not https: session \
             cookies are sent without the Secure flag and passwords cross the network in clear. \
             Put ksuite behind a TLS reverse proxy and set --public-url https://…"
        );
        eprintln!(
            "WARNING: listening on {addr} without an https public URL; set --public-url https://… \
             behind a TLS reverse proxy (see README: Running on the internet)."
        );
    }
    let mail = app.mail_client_addrs();
    tracing::info!(%addr, smtp = %app.smtp_addr(), imap = %mail.imap, imaps = %mail.imaps,
        submission = %mail.submission, submissions = %mail.submissions, "ksuite is listening");
    println!(
        "ksuite is running at http://{addr}/  (SMTP on {}, IMAP on {} and {} with TLS, submission on {} and {} with TLS; Ctrl-C to stop)",
        app.smtp_addr(),
        mail.imap,
        mail.imaps,
        mail.submission,
        mail.submissions
    );
    app.run_until(shutdown_signal()).await?;
    tracing::info!("ksuite stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown requested; finishing in-flight requests");
}

/// The listeners for mail apps, bound at start so a port in use fails the start.
struct MailClientListeners {
    imap: Arc<TcpListener>,
    imaps: Arc<TcpListener>,
    submission: Arc<TcpListener>,
    submissions: Arc<TcpListener>,
    tls: Arc<crate::tls::Tls>,
    /// SIGHUP, listened for from start-up, for the certificate reload job.
    hangup: std::sync::Mutex<Option<crate::tls::Hangup>>,
    /// The host name mail apps connect to.
    host: String,
    config: crate::config::MailClientsConfig,
}

/// Where mail apps connect.
#[derive(Clone, Copy, Debug)]
pub struct MailClientAddrs {
    pub imap: SocketAddr,
    pub imaps: SocketAddr,
    pub submission: SocketAddr,
    pub submissions: SocketAddr,
}

impl MailClientListeners {
    async fn bind(
        config: &crate::config::MailClientsConfig,
        tls: Arc<crate::tls::Tls>,
        host: String,
    ) -> anyhow::Result<MailClientListeners> {
        let bind = |addr: SocketAddr, what: &'static str| async move {
            TcpListener::bind(addr)
                .await
                .map(Arc::new)
                .with_context(|| format!("cannot listen for {what} on {addr}"))
        };
        Ok(MailClientListeners {
            imap: bind(config.imap_listen, "IMAP").await?,
            imaps: bind(config.imaps_listen, "IMAPS").await?,
            submission: bind(config.submission_listen, "submission").await?,
            submissions: bind(config.submissions_listen, "submissions").await?,
            tls,
            hangup: std::sync::Mutex::new(crate::tls::listen_for_hangup()),
            host,
            config: config.clone(),
        })
    }

    /// Host and ports as users are told: `--mail-public-ports` when the listeners sit
    /// behind port forwarding, else the listeners' own.
    fn public_servers(&self, host: &str) -> anyhow::Result<crate::state::MailServers> {
        let bound = self.addrs();
        let ports: [u16; 4] = match self.config.mail_public_ports.as_deref() {
            Some(list) if !list.trim().is_empty() => {
                let parsed: Vec<u16> = list
                    .split(',')
                    .map(|p| p.trim().parse::<u16>())
                    .collect::<Result<_, _>>()
                    .map_err(|_| anyhow::anyhow!("--mail-public-ports: four port numbers, as imap,imaps,submission,submissions"))?;
                parsed.try_into().map_err(|_| {
                    anyhow::anyhow!("--mail-public-ports: four port numbers, as imap,imaps,submission,submissions")
                })?
            }
            _ => [
                bound.imap.port(),
                bound.imaps.port(),
                bound.submission.port(),
                bound.submissions.port(),
            ],
        };
        Ok(crate::state::MailServers {
            host: host.to_string(),
            imap_port: ports[0],
            imaps_port: ports[1],
            submission_port: ports[2],
            submissions_port: ports[3],
            self_signed: self.tls.is_self_signed(),
        })
    }

    fn addrs(&self) -> MailClientAddrs {
        let addr = |l: &TcpListener| {
            l.local_addr()
                .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
        };
        MailClientAddrs {
            imap: addr(&self.imap),
            imaps: addr(&self.imaps),
            submission: addr(&self.submission),
            submissions: addr(&self.submissions),
        }
    }
}
