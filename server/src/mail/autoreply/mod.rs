//! Automatic replies (out of office), one per address: stored and checked here, answered
//! by [`respond`] after an arriving message was filed and filtered.

mod respond;
pub mod rules;

use chrono::{NaiveDate, TimeZone};
use ksuite_common::{AutoReply, Field, Problem, Rule};

pub use respond::respond;

use crate::db::Db;
use crate::error::ApiError;

const MAX_SUBJECT: usize = 200;
const MAX_TEXT: usize = 10_000;
const MAX_HTML: usize = 50_000;
const MAX_INTERVAL_DAYS: u16 = 30;

/// Checks a reply before it is stored, saying what is wrong.
pub fn validate(r: &AutoReply) -> Result<(), ApiError> {
    if r.subject.chars().count() > MAX_SUBJECT {
        return Err(ApiError::invalid(
            Problem::too_long(Field::Subject, MAX_SUBJECT),
            format!("The subject of an automatic reply is at most {MAX_SUBJECT} characters."),
        ));
    }
    if r.text.chars().count() > MAX_TEXT || r.html.as_ref().is_some_and(|h| h.len() > MAX_HTML) {
        return Err(ApiError::invalid(
            Problem::too_long(Field::Text, MAX_TEXT),
            format!("An automatic reply is at most {MAX_TEXT} characters."),
        ));
    }
    if r.enabled && r.text.trim().is_empty() {
        return Err(ApiError::invalid(
            Problem::new(Field::Text, Rule::Required),
            "Write the message of the automatic reply.",
        ));
    }
    if !(1..=MAX_INTERVAL_DAYS).contains(&r.interval_days) {
        return Err(ApiError::invalid(
            Problem::new(Field::Interval, Rule::OutOfRange),
            format!("Answer each sender once every 1 to {MAX_INTERVAL_DAYS} days."),
        ));
    }
    let (start, end) = (day(&r.starts_on)?, day(&r.ends_on)?);
    if let (Some(s), Some(e)) = (start, end)
        && e < s
    {
        return Err(ApiError::invalid(
            Problem::new(Field::End, Rule::BeforeStart),
            "The last day of the automatic reply is before its first day.",
        ));
    }
    Ok(())
}

/// A `YYYY-MM-DD` day, none when empty.
fn day(value: &Option<String>) -> Result<Option<NaiveDate>, ApiError> {
    match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                ApiError::invalid(
                    Problem::new(Field::Date, Rule::Invalid),
                    format!("{v:?} is not a date (YYYY-MM-DD)."),
                )
            }),
    }
}

/// Unix seconds of the start of `day` in the zone named `zone` (UTC when unknown).
fn midnight(day: NaiveDate, zone: &str) -> i64 {
    let tz: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::UTC);
    let local = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    tz.from_local_datetime(&local)
        .earliest()
        .map_or_else(|| local.and_utc().timestamp(), |t| t.timestamp())
}

type Row = (
    bool,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
    i64,
);

fn from_row((enabled, starts_on, ends_on, subject, text, html, interval): Row) -> AutoReply {
    AutoReply {
        enabled,
        starts_on,
        ends_on,
        subject,
        text,
        html,
        interval_days: u16::try_from(interval).unwrap_or(4),
    }
}

/// The reply of an address the user has any access to, with their permission there;
/// `None` when the address is not theirs.
pub async fn of_address(
    db: &Db,
    user_id: i64,
    address: &str,
) -> Result<Option<(String, AutoReply)>, ApiError> {
    type Joined = (
        String,
        Option<bool>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<i64>,
    );
    let row: Option<Joined> = crate::on_db!(db, |dbc| {
        sqlx::query_as(
        "SELECT u.permission, r.enabled, r.starts_on, r.ends_on, r.subject, r.body_text, r.body_html, r.interval_days \
         FROM mail_addresses a JOIN mail_address_users u ON u.address_id = a.id \
         LEFT JOIN mail_auto_replies r ON r.address_id = a.id \
         WHERE u.user_id = $1 AND a.address = $2",
    )
    .bind(user_id)
    .bind(address.trim().to_lowercase())
    .fetch_optional(dbc).await
    })?;
    Ok(row.map(
        |(permission, enabled, starts_on, ends_on, subject, text, html, interval)| {
            let reply = match (enabled, subject, text, interval) {
                (Some(enabled), Some(subject), Some(text), Some(interval)) => {
                    from_row((enabled, starts_on, ends_on, subject, text, html, interval))
                }
                _ => AutoReply::default(),
            };
            (permission, reply)
        },
    ))
}

/// Stores the reply of an address the user manages, counting its days in the user's
/// time zone; `Ok(None)` when they do not manage it. Saving answers every sender anew.
pub async fn save(
    db: &Db,
    user_id: i64,
    address: &str,
    r: &AutoReply,
    now: i64,
) -> Result<Option<AutoReply>, ApiError> {
    validate(r)?;
    let mut tx = crate::db::begin_write(db).await?;
    let found: Option<(i64, String)> = crate::on_db!(&mut tx, |dbc| sqlx::query_as(
        "SELECT a.id, us.time_zone FROM mail_addresses a \
         JOIN mail_address_users u ON u.address_id = a.id JOIN users us ON us.id = u.user_id \
         WHERE u.user_id = $1 AND u.permission = 'manage' AND a.address = $2",
    )
    .bind(user_id)
    .bind(address.trim().to_lowercase())
    .fetch_optional(dbc)
    .await)?;
    let Some((address_id, zone)) = found else {
        return Ok(None);
    };
    let (start, end) = (day(&r.starts_on)?, day(&r.ends_on)?);
    let clean = AutoReply {
        enabled: r.enabled,
        starts_on: start.map(|d| d.to_string()),
        ends_on: end.map(|d| d.to_string()),
        subject: r.subject.trim().to_string(),
        text: r.text.replace("\r\n", "\n").trim_end().to_string(),
        html: r
            .html
            .as_deref()
            .filter(|h| !h.trim().is_empty())
            .map(super::compose::clean_html),
        interval_days: r.interval_days,
    };
    crate::on_db!(&mut tx, |dbc| {
        sqlx::query(
        "INSERT INTO mail_auto_replies (address_id, enabled, starts_on, ends_on, starts_at, ends_at, subject, body_text, body_html, interval_days, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT (address_id) DO UPDATE SET enabled = excluded.enabled, starts_on = excluded.starts_on, \
         ends_on = excluded.ends_on, starts_at = excluded.starts_at, ends_at = excluded.ends_at, \
         subject = excluded.subject, body_text = excluded.body_text, body_html = excluded.body_html, \
         interval_days = excluded.interval_days, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(address_id)
    .bind(clean.enabled)
    .bind(&clean.starts_on)
    .bind(&clean.ends_on)
    .bind(start.map(|d| midnight(d, &zone)))
    .bind(end.and_then(|d| d.succ_opt()).map(|d| midnight(d, &zone)))
    .bind(&clean.subject)
    .bind(&clean.text)
    .bind(&clean.html)
    .bind(i64::from(clean.interval_days))
    .bind(user_id)
    .bind(now)
    .execute(dbc).await.map(crate::db::Done::from)
    })?;
    crate::on_db!(&mut tx, |dbc| sqlx::query(
        "DELETE FROM mail_auto_reply_log WHERE address_id = $1"
    )
    .bind(address_id)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    tx.commit().await?;
    Ok(Some(clean))
}

/// The SQL condition (on `mail_auto_replies r`) of a reply that answers at the time bound
/// at `$now_param`.
pub fn answering_at(now_param: usize) -> String {
    format!(
        "r.enabled AND (r.starts_at IS NULL OR r.starts_at <= ${now_param}) \
         AND (r.ends_at IS NULL OR ${now_param} < r.ends_at)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply() -> AutoReply {
        AutoReply {
            enabled: true,
            text: "Back on Monday.".into(),
            ..AutoReply::default()
        }
    }

    #[test]
    fn bad_replies_are_refused_with_a_reason() {
        assert!(validate(&reply()).is_ok());
        let empty = AutoReply {
            text: " ".into(),
            ..reply()
        };
        assert!(validate(&empty).is_err());
        assert!(
            validate(&AutoReply {
                enabled: false,
                ..empty
            })
            .is_ok()
        );
        for days in [0, 31] {
            assert!(
                validate(&AutoReply {
                    interval_days: days,
                    ..reply()
                })
                .is_err()
            );
        }
        let backwards = AutoReply {
            starts_on: Some("2026-12-10".into()),
            ends_on: Some("2026-12-09".into()),
            ..reply()
        };
        assert!(validate(&backwards).is_err());
        let not_a_day = AutoReply {
            starts_on: Some("10/12/2026".into()),
            ..reply()
        };
        assert!(validate(&not_a_day).is_err());
    }

    #[test]
    fn days_start_at_midnight_in_the_users_zone() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 10).expect("day");
        assert_eq!(midnight(d, "UTC"), 1_796_860_800);
        assert_eq!(midnight(d, "Europe/Paris"), 1_796_860_800 - 3600);
        assert_eq!(midnight(d, "Not/AZone"), 1_796_860_800);
    }
}
