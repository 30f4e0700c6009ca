//! The reminder scheduler, a background job with two passes per tick:
//! 1. **plan**: events whose `next_due` has come are expanded; every reminder due since
//!    the event was last looked at becomes a delivery row (unique idempotency key, so a
//!    repeat pass, a crash or a second process never makes it twice), and the event's
//!    next due time is stored. Reminders missed by more than the grace period (server
//!    down) are recorded as missed instead of sent.
//! 2. **send**: due delivery rows are claimed with a lease (state `sending`), sent
//!    without holding any database lock, then marked sent, retried with backoff, or
//!    failed. A claim whose lease runs out (the process died mid-send) is taken again:
//!    at-least-once, with the idempotency key travelling along so receivers (and our own
//!    mailbox) drop a repeat.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use super::deliver::{self, Claimed, Context, Effects, Outcome};
use super::schedule::{self, AlarmSource, Due, Recipient};
use crate::calendar::expand::Budget;
use crate::calendar::ical;
use crate::jobs::Stop;
use crate::state::AppState;

/// Events planned per pass.
const PLAN_BATCH: i64 = 500;
/// Deliveries claimed per pass.
const SEND_BATCH: i64 = 512;
/// How long a claim holds before another worker may take the delivery again.
const LEASE_SECS: i64 = 120;
/// Longest a downtime is looked back over (older reminders are not even recorded).
const LOOKBACK_SECS: i64 = 7 * 24 * 3600;
/// Deliveries one event may create in one pass.
const MAX_PER_EVENT: usize = 1000;
/// A delivery is retried for at most this long after its due time.
const RETRY_FOR_SECS: i64 = 24 * 3600;

/// The scheduler's settings.
#[derive(Clone, Debug)]
pub struct Settings {
    pub grace_secs: i64,
    pub poll: Duration,
    pub concurrency: usize,
}

/// Runs the scheduler until stopped (finishing the pass in progress).
pub async fn run(state: AppState, settings: Settings, mut stop: Stop) {
    let mut last_cleanup: Option<std::time::Instant> = None;
    loop {
        if last_cleanup.is_none_or(|t| t.elapsed() > CLEANUP_EVERY) {
            last_cleanup = Some(std::time::Instant::now());
            if let Err(e) = forget_old(&state).await {
                tracing::warn!(error = %e, "removing old reminder deliveries failed");
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(settings.poll) => {}
            _ = state.reminder_wake.notified() => {}
            _ = stop.stopped() => return,
        }
        // Plan and send until nothing more is due right now.
        loop {
            let planned = match plan_pass(&state, &settings).await {
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(error = %e, "reminder planning failed");
                    0
                }
            };
            let sent = match send_pass(&state, &settings).await {
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(error = %e, "reminder sending failed");
                    0
                }
            };
            if planned < PLAN_BATCH as usize && sent < SEND_BATCH as usize {
                break;
            }
        }
    }
}

/// How long finished deliveries are kept (the snooze and dismiss tokens of a
/// notification work this long).
const KEEP_FINISHED_SECS: i64 = 30 * 24 * 3600;
const CLEANUP_EVERY: Duration = Duration::from_secs(3600);

/// Forgets deliveries finished long ago, so the table does not grow forever. Their keys
/// can never be planned again: the scheduler never looks that far back.
async fn forget_old(state: &AppState) -> Result<(), sqlx::Error> {
    crate::on_db!(&state.db, |dbc| {
        sqlx::query(
        "DELETE FROM reminder_deliveries WHERE state IN ('sent', 'failed', 'missed', 'dismissed') AND due_at < $1",
    )
    .bind(state.clock.now_unix() - KEEP_FINISHED_SECS)
    .execute(dbc).await.map(crate::db::Done::from)
    })?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Planned {
    event_id: i64,
    checked_through: Option<i64>,
    /// When the event was written (a never-planned event counts from then).
    last_modified: i64,
    version: i64,
    calendar_id: i64,
    uid: String,
    ics: String,
    end_utc: Option<i64>,
    owner_id: i64,
    owner_zone: String,
}

/// A recipient as stored: (user, zone, own reminders or the event's).
type StoredRecipient = (i64, String, Option<String>);

/// Turns due reminders into deliveries; returns how many events it looked at.
pub async fn plan_pass(state: &AppState, settings: &Settings) -> anyhow::Result<usize> {
    let now = state.clock.now();
    let rows: Vec<Planned> = crate::on_db!(&state.db, |dbc| {
        sqlx::query_as(
        "SELECT s.event_id, s.checked_through, e.last_modified, s.version, e.calendar_id, e.uid, e.ics, e.end_utc, \
         c.owner_id, u.time_zone AS owner_zone FROM reminder_schedule s \
         JOIN events e ON e.id = s.event_id JOIN calendars c ON c.id = e.calendar_id \
         JOIN users u ON u.id = c.owner_id \
         WHERE s.next_due IS NOT NULL AND s.next_due <= $1 ORDER BY s.next_due LIMIT $2",
    )
    .bind(now.timestamp())
    .bind(PLAN_BATCH)
    .fetch_all(dbc).await
    })?;
    let count = rows.len();
    if rows.is_empty() {
        return Ok(0);
    }
    // Grantees with their own reminders, while they still have the calendar: one query
    // for the whole batch.
    let placeholders = crate::db::params(1, rows.len());
    let sql = format!(
        "SELECT o.event_id, o.user_id, u.time_zone, o.reminders FROM reminder_overlays o \
         JOIN users u ON u.id = o.user_id JOIN events e ON e.id = o.event_id \
         JOIN calendar_shares sh ON sh.calendar_id = e.calendar_id AND sh.user_id = o.user_id \
         WHERE o.event_id IN ({placeholders})"
    );
    let found = crate::on_db!(&state.db, |dbc| {
        let mut query = sqlx::query_as::<_, (i64, i64, String, String)>(&sql);
        for row in &rows {
            query = query.bind(row.event_id);
        }
        query.fetch_all(dbc).await
    })?;
    let mut overlays: std::collections::HashMap<i64, Vec<StoredRecipient>> = Default::default();
    for (event_id, user_id, zone, reminders) in found {
        overlays
            .entry(event_id)
            .or_default()
            .push((user_id, zone, Some(reminders)));
    }
    let limits = state.settings.expansion;
    let plans = tokio::task::spawn_blocking(move || {
        rows.iter()
            .map(|row| {
                let mut recipients = overlays.remove(&row.event_id).unwrap_or_default();
                recipients.push((row.owner_id, row.owner_zone.clone(), None));
                plan_event(row, &recipients, now, limits)
            })
            .collect::<Vec<Plan>>()
    })
    .await?;
    save_plans(state, plans, now, settings.grace_secs).await?;
    Ok(count)
}

struct Plan {
    event_id: i64,
    version: i64,
    calendar_id: i64,
    uid: String,
    due: Vec<Due>,
    next: Option<DateTime<Utc>>,
}

fn plan_event(
    row: &Planned,
    stored: &[StoredRecipient],
    now: DateTime<Utc>,
    limits: crate::calendar::expand::Limits,
) -> Plan {
    let mut plan = Plan {
        event_id: row.event_id,
        version: row.version,
        calendar_id: row.calendar_id,
        uid: row.uid.clone(),
        due: Vec::new(),
        next: None,
    };
    let Ok(obj) = ical::parse_object(&row.ics) else {
        return plan; // stored objects always parse; if not, there is nothing to remind
    };
    let recipients: Vec<Recipient> = stored
        .iter()
        .map(|(user_id, zone, own)| Recipient {
            user_id: *user_id,
            zone: zone.parse().unwrap_or(Tz::UTC),
            alarms: match own {
                Some(json) => AlarmSource::own(&super::store::from_json(json)),
                None => AlarmSource::Event,
            },
        })
        .collect();
    let after = DateTime::from_timestamp(row.checked_through.unwrap_or(row.last_modified), 0)
        .unwrap_or(now)
        .min(now)
        .max(now - chrono::Duration::seconds(LOOKBACK_SECS));
    let mut budget = Budget::new(limits);
    match schedule::due_between(&obj, &recipients, after, now, &mut budget, MAX_PER_EVENT) {
        Ok(due) => plan.due = due,
        Err(e) => {
            tracing::warn!(uid = %row.uid, error = %e, "reminders of an event could not be expanded");
            plan.next = Some(now + chrono::Duration::hours(1));
            return plan;
        }
    }
    let mut budget = Budget::new(limits);
    plan.next = match schedule::next_due_after(
        &obj,
        &recipients,
        now,
        row.end_utc.is_none(),
        &mut budget,
    ) {
        Ok(next) => next,
        Err(_) => Some(now + chrono::Duration::hours(1)),
    };
    plan
}

/// The key that makes one reminder of one occurrence for one user unique.
pub fn idempotency_key(user_id: i64, calendar_id: i64, uid: &str, d: &Due) -> String {
    let text = format!(
        "{user_id}\n{calendar_id}\n{uid}\n{}\n{}",
        d.occurrence_start.timestamp(),
        d.alarm.key()
    );
    let digest = Sha256::digest(text.as_bytes());
    crate::hex(&digest[..16])
}

pub fn new_token() -> String {
    crate::random_hex(24)
}

/// Writes a batch of plans in one transaction.
async fn save_plans(
    state: &AppState,
    plans: Vec<Plan>,
    now: DateTime<Utc>,
    grace: i64,
) -> anyhow::Result<()> {
    let mut tx = crate::db::begin_write(&state.db).await?;
    for plan in &plans {
        save_plan(&mut tx, plan, now, grace).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn save_plan(
    tx: &mut crate::db::Conn,
    plan: &Plan,
    now: DateTime<Utc>,
    grace: i64,
) -> anyhow::Result<()> {
    for d in &plan.due {
        let missed = d.due.timestamp() < now.timestamp() - grace;
        crate::on_db!(&mut *tx, |dbc| {
            sqlx::query(
            "INSERT INTO reminder_deliveries (idempotency_key, user_id, calendar_id, event_uid, occurrence_start, \
             all_day, channel, webhook_id, due_at, state, next_attempt_at, token, title, location, description, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) ON CONFLICT (idempotency_key) DO NOTHING",
        )
        .bind(idempotency_key(d.user_id, plan.calendar_id, &plan.uid, d))
        .bind(d.user_id)
        .bind(plan.calendar_id)
        .bind(&plan.uid)
        .bind(d.occurrence_start.timestamp())
        .bind(d.all_day)
        .bind(d.alarm.channel.code())
        .bind(d.alarm.webhook_id)
        .bind(d.due.timestamp())
        .bind(if missed { "missed" } else { "pending" })
        .bind(d.due.timestamp())
        .bind(new_token())
        .bind(&d.title)
        .bind(&d.location)
        .bind(&d.description)
        .bind(now.timestamp())
        .execute(dbc).await.map(crate::db::Done::from)
        })?;
    }
    // A write of the event meanwhile bumped the version: it will be planned again.
    crate::on_db!(&mut *tx, |dbc| {
        sqlx::query(
        "UPDATE reminder_schedule SET checked_through = $1, next_due = $2 WHERE event_id = $3 AND version = $4",
    )
    .bind(now.timestamp())
    .bind(plan.next.map(|n| n.timestamp()))
    .bind(plan.event_id)
    .bind(plan.version)
    .execute(dbc).await.map(crate::db::Done::from)
    })?;
    Ok(())
}

/// Claims and sends due deliveries; returns how many it claimed.
pub async fn send_pass(state: &AppState, settings: &Settings) -> anyhow::Result<usize> {
    let now = state.clock.now_unix();
    let claimed: Vec<Claimed> = crate::on_db!(&state.db, |dbc| {
        sqlx::query_as(
        "UPDATE reminder_deliveries SET state = 'sending', lease_until = $1, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM reminder_deliveries WHERE state = 'pending' AND next_attempt_at <= $2 \
           UNION ALL SELECT id FROM reminder_deliveries WHERE state = 'sending' AND lease_until < $3 LIMIT $4) \
         AND ((state = 'pending' AND next_attempt_at <= $2) OR (state = 'sending' AND lease_until < $3)) \
         RETURNING id, idempotency_key, user_id, calendar_id, event_uid, occurrence_start, all_day, channel, \
           webhook_id, due_at, attempts, token, title, location, description",
    )
    .bind(now + LEASE_SECS)
    .bind(now)
    .bind(now)
    .bind(SEND_BATCH)
    .fetch_all(dbc).await
    })?;
    let count = claimed.len();
    if claimed.is_empty() {
        return Ok(0);
    }
    let contexts = Arc::new(deliver::contexts(&state.db, &claimed).await?);
    let state = Arc::new(state.clone());
    let results: Vec<(Claimed, Outcome, Effects)> = futures_util::stream::iter(claimed)
        .map(|d| {
            let (state, contexts) = (state.clone(), contexts.clone());
            async move {
                let mut fx = Effects::default();
                let outcome = send_one(&state, &d, contexts.get(&d.id), now, &mut fx).await;
                (d, outcome, fx)
            }
        })
        .buffer_unordered(settings.concurrency.max(1))
        .collect()
        .await;
    // One transaction records the whole batch (a crash before it only means the batch
    // is sent again when its lease runs out, with the same idempotency keys).
    let mut tx = crate::db::begin_write(&state.db).await?;
    for (d, outcome, fx) in &results {
        record_outcome(&mut tx, d, outcome, now).await?;
        super::webhooks::record(&mut tx, &fx.attempts, now).await?;
        crate::push::mark_delivered(&mut tx, &fx.delivered_to, now).await?;
    }
    tx.commit().await?;
    Ok(count)
}

async fn send_one(
    state: &AppState,
    d: &Claimed,
    ctx: Option<&Context>,
    now: i64,
    fx: &mut Effects,
) -> Outcome {
    let Some(ctx) = ctx else {
        return Outcome::Failed("the recipient is gone".into());
    };
    // "Late" when sent more than a minute after it was due (downtime, retries).
    deliver::deliver(state, d, ctx, now - d.due_at > 60, fx).await
}

async fn record_outcome(
    tx: &mut crate::db::Conn,
    d: &Claimed,
    outcome: &Outcome,
    now: i64,
) -> Result<(), sqlx::Error> {
    match outcome {
        Outcome::Sent => {
            crate::on_db!(&mut *tx, |dbc| {
                sqlx::query(
                "UPDATE reminder_deliveries SET state = 'sent', sent_at = $1, lease_until = NULL, last_error = NULL \
                 WHERE id = $2 AND state = 'sending'",
            )
            .bind(now)
            .bind(d.id)
            .execute(dbc).await.map(crate::db::Done::from)
            })?;
        }
        Outcome::Retry(error, after) if now - d.due_at < RETRY_FOR_SECS => {
            let backoff = (30i64 << d.attempts.clamp(0, 7)).min(3600);
            let wait = after.map_or(backoff, |a| i64::try_from(a).unwrap_or(3600).clamp(1, 3600));
            crate::on_db!(&mut *tx, |dbc| {
                sqlx::query(
                "UPDATE reminder_deliveries SET state = 'pending', next_attempt_at = $1, lease_until = NULL, last_error = $2 \
                 WHERE id = $3 AND state = 'sending'",
            )
            .bind(now + wait)
            .bind(error)
            .bind(d.id)
            .execute(dbc).await.map(crate::db::Done::from)
            })?;
        }
        Outcome::Retry(error, _) | Outcome::Failed(error) => {
            crate::on_db!(&mut *tx, |dbc| {
                sqlx::query(
                "UPDATE reminder_deliveries SET state = 'failed', lease_until = NULL, last_error = $1 \
                 WHERE id = $2 AND state = 'sending'",
            )
            .bind(error)
            .bind(d.id)
            .execute(dbc).await.map(crate::db::Done::from)
            })?;
        }
    }
    Ok(())
}
