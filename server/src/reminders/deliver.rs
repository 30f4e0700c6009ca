//! Sending one due reminder through its channel: a push to every device, an e-mail into
//! the user's own mailbox, or a message to one of their webhooks.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use ksuite_common::{Language, PushPayload, ReminderChannel};

use super::texts;
use super::webhooks::{self, EventText};
use crate::push::{self, PushOutcome};
use crate::state::AppState;

/// A claimed delivery.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct Claimed {
    pub id: i64,
    pub idempotency_key: String,
    pub user_id: i64,
    pub calendar_id: i64,
    pub event_uid: String,
    pub occurrence_start: i64,
    pub all_day: bool,
    pub channel: String,
    pub webhook_id: Option<i64>,
    pub due_at: i64,
    pub attempts: i64,
    pub token: String,
    pub title: String,
    pub location: Option<String>,
    pub description: Option<String>,
}

/// Writes a delivery leaves for the batch that records its outcome.
#[derive(Default)]
pub struct Effects {
    pub attempts: Vec<webhooks::Attempt>,
    /// Push subscriptions that accepted the message.
    pub delivered_to: Vec<i64>,
}

/// What became of a delivery.
#[derive(Debug)]
pub enum Outcome {
    Sent,
    /// Worth another try later (after this many seconds, if the receiver said).
    Retry(String, Option<u64>),
    Failed(String),
}

/// What sending a delivery needs to know, loaded for a whole batch at once (one query
/// per batch instead of several per delivery).
pub struct Context {
    /// The recipient still sees the event (owner, or a share not withdrawn).
    pub still: bool,
    pub lang: Language,
    pub zone: Tz,
    /// The delivery's webhook, if it is still the recipient's.
    pub webhook: Option<webhooks::Row>,
    pub subscriptions: Vec<push::Subscription>,
}

type ContextRow = (
    i64,
    String,
    String,
    bool,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Loads the [`Context`] of every claimed delivery, by delivery id.
pub async fn contexts(
    db: &crate::db::Db,
    claimed: &[Claimed],
) -> Result<std::collections::HashMap<i64, Context>, sqlx::Error> {
    let mut out = std::collections::HashMap::new();
    if claimed.is_empty() {
        return Ok(out);
    }
    let marks = crate::db::params(1, claimed.len());
    let sql = format!(
        "SELECT d.id, u.language, u.time_zone, \
           EXISTS (SELECT 1 FROM calendars c WHERE c.id = d.calendar_id \
             AND (c.owner_id = d.user_id OR EXISTS (SELECT 1 FROM calendar_shares s \
                  WHERE s.calendar_id = c.id AND s.user_id = d.user_id)) \
             AND EXISTS (SELECT 1 FROM events e WHERE e.calendar_id = c.id AND e.uid = d.event_uid)), \
           w.id, w.name, w.url, w.template, w.format \
         FROM reminder_deliveries d JOIN users u ON u.id = d.user_id \
         LEFT JOIN webhooks w ON w.id = d.webhook_id AND w.user_id = d.user_id \
         WHERE d.id IN ({marks})"
    );
    let rows = crate::on_db!(db, |dbc| {
        let mut query = sqlx::query_as::<_, ContextRow>(&sql);
        for d in claimed {
            query = query.bind(d.id);
        }
        query.fetch_all(dbc).await
    })?;
    let mut users: Vec<i64> = claimed
        .iter()
        .filter(|d| d.channel == ReminderChannel::Notification.code())
        .map(|d| d.user_id)
        .collect();
    users.sort_unstable();
    users.dedup();
    let mut subscriptions: std::collections::HashMap<i64, Vec<push::Subscription>> =
        std::collections::HashMap::new();
    if !users.is_empty() {
        let marks = crate::db::params(1, users.len());
        let sql = format!(
            "SELECT user_id, id, endpoint, p256dh, auth FROM push_subscriptions WHERE user_id IN ({marks})"
        );
        let rows = crate::on_db!(db, |dbc| {
            let mut query = sqlx::query_as::<_, (i64, i64, String, String, String)>(&sql);
            for u in &users {
                query = query.bind(u);
            }
            query.fetch_all(dbc).await
        })?;
        for (user_id, id, endpoint, p256dh, auth) in rows {
            subscriptions
                .entry(user_id)
                .or_default()
                .push(push::Subscription {
                    id,
                    endpoint,
                    p256dh,
                    auth,
                });
        }
    }
    let user_of: std::collections::HashMap<i64, i64> =
        claimed.iter().map(|d| (d.id, d.user_id)).collect();
    for (id, lang, zone, still, wid, name, url, template, format) in rows {
        let webhook = match (wid, name, url, template, format) {
            (Some(id), Some(name), Some(url), Some(template), Some(format)) => {
                Some(webhooks::Row {
                    id,
                    name,
                    url,
                    template,
                    format,
                })
            }
            _ => None,
        };
        let subs = user_of
            .get(&id)
            .and_then(|u| subscriptions.get(u))
            .cloned()
            .unwrap_or_default();
        out.insert(
            id,
            Context {
                still,
                lang: Language::from_code(&lang).unwrap_or_default(),
                zone: zone.parse().unwrap_or(Tz::UTC),
                webhook,
                subscriptions: subs,
            },
        );
    }
    Ok(out)
}

/// Sends `d` (`late`: it is sent well after its due time).
pub async fn deliver(
    state: &AppState,
    d: &Claimed,
    ctx: &Context,
    late: bool,
    fx: &mut Effects,
) -> Outcome {
    if !ctx.still {
        return Outcome::Failed("the event or the access to it is gone".into());
    }
    let (lang, zone) = (ctx.lang, ctx.zone);
    let start = DateTime::from_timestamp(d.occurrence_start, 0).unwrap_or_else(Utc::now);
    let date = texts::format_date(start, d.all_day, zone, lang);
    let words = texts::words(lang);
    match ReminderChannel::from_code(&d.channel) {
        Some(ReminderChannel::Notification) => notify(state, d, ctx, &date, late, &words, fx).await,
        Some(ReminderChannel::Email) => email(state, d, &date, late, &words).await,
        Some(ReminderChannel::Webhook) => webhook(state, d, ctx, &date, fx).await,
        None => Outcome::Failed(format!("unknown channel {}", d.channel)),
    }
}

async fn notify(
    state: &AppState,
    d: &Claimed,
    ctx: &Context,
    date: &str,
    late: bool,
    words: &texts::Words,
    fx: &mut Effects,
) -> Outcome {
    let subs = &ctx.subscriptions;
    if subs.is_empty() {
        return Outcome::Failed("no device receives notifications".into());
    }
    let mut body = date.to_string();
    if let Some(l) = &d.location {
        body.push_str(" · ");
        body.push_str(l);
    }
    if late {
        body.push('\n');
        body.push_str(words.late);
    }
    let payload = PushPayload {
        title: d.title.clone(),
        body,
        url: format!(
            "/calendar?event={}&calendar={}",
            percent_encoding::utf8_percent_encode(&d.event_uid, percent_encoding::NON_ALPHANUMERIC),
            d.calendar_id
        ),
        token: Some(d.token.clone()),
        tag: d.idempotency_key.clone(),
    };
    let (mut accepted, mut retry, mut failures) = (0, None, Vec::new());
    for sub in subs {
        match push::send(
            &state.db,
            &state.outbound,
            &state.vapid,
            sub,
            &payload,
            &d.idempotency_key,
        )
        .await
        {
            PushOutcome::Accepted => {
                accepted += 1;
                fx.delivered_to.push(sub.id);
            }
            PushOutcome::Gone => {}
            PushOutcome::Retry(e, after) => retry = Some((e, after)),
            PushOutcome::Failed(e) => failures.push(e),
        }
    }
    match (accepted, retry) {
        (n, _) if n > 0 => Outcome::Sent,
        (_, Some((e, after))) => Outcome::Retry(e, after),
        _ if failures.is_empty() => Outcome::Failed("every device had unsubscribed".into()),
        _ => Outcome::Failed(failures.join("; ")),
    }
}

async fn webhook(
    state: &AppState,
    d: &Claimed,
    ctx: &Context,
    date: &str,
    fx: &mut Effects,
) -> Outcome {
    if d.webhook_id.is_none() {
        return Outcome::Failed("no webhook chosen".into());
    }
    let Some(hook) = &ctx.webhook else {
        return Outcome::Failed("the webhook was deleted".into());
    };
    let text = EventText {
        subject: &d.title,
        date,
        description: d.description.as_deref().unwrap_or(""),
        location: d.location.as_deref().unwrap_or(""),
    };
    let result = webhooks::send(&state.outbound, hook, &text, &d.idempotency_key).await;
    fx.attempts
        .push(webhooks::Attempt::of(hook.id, &result, "reminder"));
    match result {
        Ok(s) if (200..300).contains(&s) => Outcome::Sent,
        Ok(s) if s == 429 || s >= 500 => {
            Outcome::Retry(format!("the chat tool answered {s}"), None)
        }
        Ok(s) => Outcome::Failed(format!("the chat tool refused the message ({s})")),
        Err(crate::net::SendError::Target(t)) => Outcome::Failed(t.to_string()),
        Err(e) => Outcome::Retry(e.to_string(), None),
    }
}

async fn email(
    state: &AppState,
    d: &Claimed,
    date: &str,
    late: bool,
    words: &texts::Words,
) -> Outcome {
    match send_email(state, d, date, late, words).await {
        Ok(()) => Outcome::Sent,
        Err(e) => Outcome::Retry(e.to_string(), None),
    }
}

async fn send_email(
    state: &AppState,
    d: &Claimed,
    date: &str,
    late: bool,
    words: &texts::Words,
) -> anyhow::Result<()> {
    use crate::mail::{arrival, blobs, index};
    let address: Option<(i64, String)> = crate::on_db!(&state.db, |dbc| {
        sqlx::query_as(
        "SELECT a.id, a.address FROM mail_addresses a JOIN mail_address_users au ON au.address_id = a.id \
         WHERE au.user_id = $1 AND au.permission = 'manage' ORDER BY a.id LIMIT 1",
    )
    .bind(d.user_id)
    .fetch_optional(dbc).await
    })?;
    let Some((address_id, address)) = address else {
        anyhow::bail!("the user has no mailbox");
    };
    let domain = &state.settings.mail_domain;
    let message_id = format!("reminder-{}@{domain}", d.idempotency_key);
    // A repeat after an unconfirmed attempt (crash between filing and marking sent)
    // finds the first copy and files no second one.
    let filed: Option<i64> = crate::on_db!(&state.db, |dbc| sqlx::query_scalar(
        "SELECT m.id FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id \
         WHERE b.address_id = $1 AND m.message_id = $2 LIMIT 1",
    )
    .bind(address_id)
    .bind(&message_id)
    .fetch_optional(dbc)
    .await)
    .unwrap_or(None);
    if filed.is_some() {
        return Ok(());
    }
    let mut text = format!(
        "{}: {}\n\n{}: {date}\n",
        words.reminder, d.title, words.when
    );
    if let Some(l) = &d.location {
        text.push_str(&format!("{}: {l}\n", words.place));
    }
    if let Some(desc) = &d.description {
        text.push_str(&format!("\n{desc}\n"));
    }
    if late {
        text.push_str(&format!("\n{}\n", words.late));
    }
    let raw = mail_builder::MessageBuilder::new()
        .from(("ksuite", format!("reminders@{domain}").as_str()))
        .to(address.as_str())
        .subject(format!("{}: {}", words.reminder, d.title))
        .message_id(message_id.as_str())
        .header(
            "Auto-Submitted",
            mail_builder::headers::raw::Raw::new("auto-generated"),
        )
        .text_body(text)
        .write_to_vec()?;
    let stored = blobs::store(&state.db, &state.settings.blobs, &raw).await?;
    let mut idx = index::index(&raw, &stored.digest);
    if idx.thread_id.is_empty() {
        idx.thread_id = stored.digest.clone();
    }
    let incoming = arrival::Incoming {
        envelope_from: "",
        head: arrival::header_section(&raw),
        digest: &stored.digest,
        size: raw.len() as i64,
        idx: &idx,
    };
    arrival::deliver_local(&state.mailroom, &[address_id], &incoming)
        .await
        .map_err(|e| anyhow::anyhow!(e.message))?;
    stored.release().await;
    state.mail_usage.forget(&[address_id]);
    Ok(())
}
