//! The background job that runs fetches (a few at once, one per user, each within a time
//! limit): connect (public addresses only,
//! unless private targets are allowed), sign in, then copy each folder in batches,
//! recording progress after each. A fetch cut off by a stop or a crash starts over at
//! the next start and skips what is already here, so nothing is copied twice. Running
//! fetches hold a lease in the database, so of several processes one runs each.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use super::client::{FetchError, Fetched, RemoteFolder, Session};
use crate::imap::changes::{self, Arrival, Filed, Refusal, SameMessage};
use crate::imap::folders::{Folder, Role};
use crate::imap::messages::Flags;
use crate::jobs::Stop;
use crate::state::AppState;

/// Messages asked for per FETCH.
const BATCH: u32 = 25;
/// How often waiting fetches are looked for without a wake-up (and running ones renew
/// their lease, at least three times per lease).
const POLL: Duration = Duration::from_secs(30);

/// Public roots, plus the PEM file's certificates when given.
pub fn tls_config(extra: Option<&Path>) -> anyhow::Result<Arc<rustls::ClientConfig>> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = extra {
        use rustls_pki_types::pem::PemObject;
        for cert in rustls_pki_types::CertificateDer::pem_file_iter(path)? {
            roots.add(cert?)?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(Arc::new(
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth(),
    ))
}

/// How many fetches run at once, and for how long one may run.
#[derive(Clone, Copy, Debug)]
pub struct FetchLimits {
    pub concurrent: usize,
    pub max_duration: Duration,
    /// How long a running fetch stays this process's without a renewal.
    pub lease: Duration,
}

pub async fn run(
    state: AppState,
    tls: Arc<rustls::ClientConfig>,
    limits: FetchLimits,
    mut stop: Stop,
) {
    // Fetches under way here, with their users: a slow or stalling server (or one user
    // asking for many) takes one slot, never all of them.
    let mut running = tokio::task::JoinSet::new();
    let mut busy: Vec<(tokio::task::Id, i64, i64)> = Vec::new();
    let lease_secs = limits.lease.as_secs().max(1) as i64;
    let poll = POLL.min(limits.lease / 3).max(Duration::from_millis(100));
    loop {
        lease(&state, &busy, Some(crate::now_unix() + lease_secs)).await;
        while busy.len() < limits.concurrent.max(1) {
            match next(&state, &busy, lease_secs).await {
                Ok(Some(job)) => {
                    let (fetch_id, user_id) = (job.id, job.user_id);
                    let (state, tls) = (state.clone(), tls.clone());
                    let task = running.spawn(async move {
                        let id = job.id;
                        let outcome =
                            tokio::time::timeout(limits.max_duration, fetch(&state, &tls, &job))
                                .await
                                .unwrap_or_else(|_| {
                                    Err(FetchError::Refused(
                                        "it took too long; start it again to copy the rest".into(),
                                    ))
                                });
                        end(&state, id, outcome.err().map(|e| e.to_string())).await;
                    });
                    busy.push((task.id(), fetch_id, user_id));
                }
                Ok(None) => break,
                Err(e) => {
                    tracing::warn!(error = %e.message, "looking for mail fetches failed");
                    break;
                }
            }
        }
        tokio::select! {
            Some(done) = running.join_next_with_id(), if !running.is_empty() => {
                let task = match done {
                    Ok((task, ())) => task,
                    Err(e) => e.id(),
                };
                busy.retain(|(t, _, _)| *t != task);
            }
            _ = state.mail_fetch_wake.notified() => {}
            _ = tokio::time::sleep(poll) => {}
            _ = stop.stopped() => {
                // Cut off mid-way: they stay running, free for the next start (or another
                // process) to resume.
                running.abort_all();
                lease(&state, &busy, None).await;
                return;
            }
        }
    }
}

struct Job {
    id: i64,
    user_id: i64,
    address_id: i64,
    host: String,
    port: u16,
    security: ksuite_common::FetchSecurity,
    username: String,
    password: String,
}

/// Renews (or, with `None`, gives up) the lease of the fetches running here.
async fn lease(state: &AppState, busy: &[(tokio::task::Id, i64, i64)], until: Option<i64>) {
    if busy.is_empty() {
        return;
    }
    let ids: Vec<i64> = busy.iter().map(|b| b.1).collect();
    let sql = format!(
        "UPDATE mail_fetches SET lease_until = $1 WHERE state = 'running' AND id IN ({})",
        crate::db::json_ids(&state.db, 2)
    );
    let renewed = crate::on_db!(&state.db, |dbc| sqlx::query(&sql)
        .bind(until)
        .bind(serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into()))
        .execute(dbc)
        .await
        .map(crate::db::Done::from));
    if let Err(e) = renewed {
        tracing::warn!(error = %e, "renewing mail fetch leases failed");
    }
}

/// The oldest fetch waiting, or one a stop or crash interrupted (its lease ran out), of
/// a user with none under way here or in another process, marked running. A write
/// transaction, so that two processes looking at once (on PostgreSQL) cannot both start
/// one for the same user.
async fn next(
    state: &AppState,
    busy: &[(tokio::task::Id, i64, i64)],
    lease_secs: i64,
) -> Result<Option<Job>, crate::error::ApiError> {
    type Row = (i64, i64, i64, String, i64, String, String, Option<String>);
    let ids: Vec<i64> = busy.iter().map(|b| b.1).collect();
    let users: Vec<i64> = busy.iter().map(|b| b.2).collect();
    let sql = format!(
        "UPDATE mail_fetches SET state = 'running', done = 0, total = 0, lease_until = $1 + $2 WHERE id = \
         (SELECT id FROM mail_fetches WHERE \
            (state = 'waiting' OR (state = 'running' AND COALESCE(lease_until, 0) < $1)) \
          AND id NOT IN ({}) AND user_id NOT IN ({}) \
          AND user_id NOT IN (SELECT user_id FROM mail_fetches \
                              WHERE state = 'running' AND lease_until >= $1) \
          ORDER BY state = 'waiting', id LIMIT 1) \
         RETURNING id, user_id, address_id, host, port, security, username, password",
        crate::db::json_ids(&state.db, 3),
        crate::db::json_ids(&state.db, 4)
    );
    let mut tx = crate::db::begin_write(&state.db).await?;
    let row: Option<Row> = crate::on_db!(&mut tx, |dbc| {
        sqlx::query_as(&sql)
            .bind(crate::now_unix())
            .bind(lease_secs)
            .bind(serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into()))
            .bind(serde_json::to_string(&users).unwrap_or_else(|_| "[]".into()))
            .fetch_optional(dbc)
            .await
    })?;
    tx.commit().await?;
    Ok(row.map(
        |(id, user_id, address_id, host, port, security, username, password)| Job {
            id,
            user_id,
            address_id,
            host,
            port: u16::try_from(port).unwrap_or(993),
            security: super::security_of(&security),
            username,
            password: password.unwrap_or_default(),
        },
    ))
}

/// Done or failed: the password goes.
async fn end(state: &AppState, id: i64, error: Option<String>) {
    let outcome = crate::on_db!(&state.db, |dbc| sqlx::query(
        "UPDATE mail_fetches SET state = $1, error = $2, password = NULL WHERE id = $3"
    )
    .bind(if error.is_some() { "failed" } else { "done" })
    .bind(error)
    .bind(id)
    .execute(dbc)
    .await
    .map(crate::db::Done::from));
    if let Err(e) = outcome {
        tracing::warn!(error = %e, "recording the end of a mail fetch failed");
    }
}

async fn progress(state: &AppState, id: i64, sql: &str, n: i64) {
    let _ = crate::on_db!(&state.db, |dbc| sqlx::query(sql)
        .bind(n)
        .bind(id)
        .execute(dbc)
        .await
        .map(crate::db::Done::from));
}

/// The address to connect to: the host's first address, if it may be reached.
async fn target(
    state: &AppState,
    host: &str,
    port: u16,
) -> Result<std::net::SocketAddr, FetchError> {
    let lookup = tokio::time::timeout(
        Duration::from_secs(15),
        tokio::net::lookup_host((host, port)),
    )
    .await
    .map_err(|_| FetchError::Timeout)?
    .map_err(|_| FetchError::Refused(format!("the name {host} was not found")))?;
    let addr = lookup
        .into_iter()
        .next()
        .ok_or_else(|| FetchError::Refused(format!("the name {host} has no address")))?;
    if !state.outbound.allows_private() && crate::net::guard::is_forbidden(addr.ip()) {
        return Err(FetchError::Refused(
            "that server is in a private network, which this server does not connect to".into(),
        ));
    }
    Ok(addr)
}

async fn fetch(
    state: &AppState,
    tls: &Arc<rustls::ClientConfig>,
    job: &Job,
) -> Result<(), FetchError> {
    let addr = target(state, &job.host, job.port).await?;
    let mut session = Session::connect(
        addr,
        &job.host,
        job.security,
        tls.clone(),
        state.settings.max_message_size,
    )
    .await?;
    session.login(&job.username, &job.password).await?;
    let remote = session.folders().await?;
    for folder in &remote {
        let local = local_folder(state, job, folder)
            .await
            .map_err(|e| FetchError::Refused(e.message))?;
        let count = session.examine(&folder.name).await?;
        progress(
            state,
            job.id,
            "UPDATE mail_fetches SET total = total + $1 WHERE id = $2",
            i64::from(count),
        )
        .await;
        let mut from = 1;
        while from <= count {
            let to = count.min(from + BATCH - 1);
            let batch = session.fetch(from, to).await?;
            let mut imported = 0;
            for message in batch {
                match file(state, &local, message).await? {
                    Some(true) => imported += 1,
                    Some(false) => {}
                    None => {
                        return Err(FetchError::Refused(
                            "the mailbox here is full; what fit was copied".into(),
                        ));
                    }
                }
            }
            progress(
                state,
                job.id,
                "UPDATE mail_fetches SET imported = imported + $1 WHERE id = $2",
                imported,
            )
            .await;
            progress(
                state,
                job.id,
                "UPDATE mail_fetches SET done = done + $1 WHERE id = $2",
                i64::from(to - from + 1),
            )
            .await;
            from = to + 1;
        }
    }
    session.logout().await;
    Ok(())
}

/// Files one message: `Some(true)` new, `Some(false)` already here or too large, `None`
/// the mailbox is full.
async fn file(state: &AppState, folder: &Folder, m: Fetched) -> Result<Option<bool>, FetchError> {
    let flags = Flags {
        seen: m.seen,
        flagged: m.flagged,
        answered: m.answered,
        draft: m.draft,
        ..Flags::default()
    };
    let filed = changes::file(
        state,
        folder,
        &m.raw,
        &flags,
        Arrival::SentDate,
        SameMessage::AnyInFolder,
    )
    .await
    .map_err(|e| FetchError::Refused(e.message))?;
    Ok(match filed {
        Ok(Filed::New(_)) => Some(true),
        Ok(Filed::AlreadyThere(_)) => Some(false),
        Err(Refusal("OVERQUOTA", _)) => None,
        Err(Refusal("TOOBIG", _)) => Some(false),
        Err(Refusal(_, text)) => return Err(FetchError::Refused(text.to_string())),
    })
}

/// The folder here for a folder there: by special use, else by name (made when missing).
async fn local_folder(
    state: &AppState,
    job: &Job,
    remote: &RemoteFolder,
) -> Result<Folder, crate::error::ApiError> {
    let role = remote.special.as_deref().and_then(|s| {
        Some(match s {
            "inbox" => Role::Inbox,
            "sent" => Role::Sent,
            "drafts" => Role::Drafts,
            "trash" => Role::Trash,
            "junk" => Role::Junk,
            "archive" => Role::Archive,
            _ => return None,
        })
    });
    let name = flat_name(&remote.name);
    let found = |folders: Vec<Folder>| {
        folders.into_iter().find(|f| match role {
            Some(r) => f.role == Some(r),
            None => {
                f.role.is_none()
                    && f.name
                        .rsplit('/')
                        .next()
                        .is_some_and(|leaf| leaf.eq_ignore_ascii_case(&name))
            }
        })
    };
    if let Some(f) = found(address_folders(state, job).await?) {
        return Ok(f);
    }
    let id =
        crate::mail::folders::create_folder(&state.db, job.user_id, job.address_id, None, &name)
            .await?;
    address_folders(state, job)
        .await?
        .into_iter()
        .find(|f| f.id == id)
        .ok_or_else(crate::error::ApiError::not_found)
}

/// The folders of the fetch's address the user may see.
async fn address_folders(
    state: &AppState,
    job: &Job,
) -> Result<Vec<Folder>, crate::error::ApiError> {
    Ok(crate::imap::folders::list(&state.db, job.user_id)
        .await?
        .into_iter()
        .filter(|f| f.address_id == job.address_id && !f.placeholder)
        .collect())
}

/// A nested name there (`Projects/2026`) as one folder name here.
fn flat_name(name: &str) -> String {
    name.replace(['/', '.'], " - ")
}
