//! The free-busy-query REPORT (RFC 4791 §7.10): when the calendar's owner is busy in a
//! time range, as one VFREEBUSY, without revealing what the events are. Recurrences are
//! expanded under the same budget as every other report.

use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};

use super::store::{self, Collection};
use super::xml::DAV;
use super::{Ctx, DavError, DavResult};
use crate::calendar::{expand, ical};

/// A busy stretch of time, `[start, end)`.
type Period = (DateTime<Utc>, DateTime<Utc>);

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Busy periods of the objects in `[from, to)`, clipped to it and merged.
fn busy_periods(
    sources: &[String],
    (from, to): Period,
    zone: chrono_tz::Tz,
    budget: &mut expand::Budget,
) -> Result<Vec<Period>, expand::Exhausted> {
    let mut periods = Vec::new();
    for source in sources {
        let Ok(obj) = ical::parse_object(source) else {
            continue;
        };
        let instances = match expand::occurrences(&obj, from, to, zone, budget) {
            Ok(i) => i,
            Err(expand::ExpandError::Exhausted(e)) => return Err(e),
            Err(expand::ExpandError::Invalid(_)) => continue,
        };
        for i in instances {
            // Transparent and cancelled events do not make anyone busy (RFC 4791 §7.10).
            if i.event.transparent || i.event.cancelled || i.end <= i.start {
                continue;
            }
            budget.step()?;
            periods.push((i.start.max(from), i.end.min(to)));
        }
    }
    periods.sort();
    let mut merged: Vec<Period> = Vec::with_capacity(periods.len());
    for (s, e) in periods {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    Ok(merged)
}

/// The VFREEBUSY text of busy periods in a range.
fn vfreebusy(range: Period, busy: &[Period]) -> String {
    let mut out = String::from(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//ksuite//CalDAV//EN\r\nBEGIN:VFREEBUSY\r\n",
    );
    out.push_str(&format!("DTSTAMP:{}\r\n", stamp(Utc::now())));
    out.push_str(&format!("DTSTART:{}\r\n", stamp(range.0)));
    out.push_str(&format!("DTEND:{}\r\n", stamp(range.1)));
    for (s, e) in busy {
        out.push_str(&format!("FREEBUSY:{}/{}\r\n", stamp(*s), stamp(*e)));
    }
    out.push_str("END:VFREEBUSY\r\nEND:VCALENDAR\r\n");
    out
}

pub async fn report(ctx: &Ctx, c: Collection, range: Period) -> DavResult {
    let range = super::report::clamp(range);
    let zone = super::objects::user_zone(ctx).await?;
    let sources: Vec<String> = store::calendar_objects_in_range(
        &ctx.state.db,
        &c,
        Some("VEVENT"),
        range.0.timestamp(),
        range.1.timestamp(),
    )
    .await?
    .into_iter()
    .map(|o| o.source)
    .collect();
    let limits = ctx.state.settings.expansion;
    let busy = ctx
        .state
        .cpu
        .run(move || {
            let mut budget = expand::Budget::new(limits);
            busy_periods(&sources, range, zone, &mut budget)
        })
        .await?
        .map_err(|e| {
            tracing::info!(reason = e.message(), "free-busy refused: over the budget");
            DavError::Condition(
                StatusCode::INSUFFICIENT_STORAGE,
                DAV,
                "number-of-matches-within-limits",
            )
        })?;
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/calendar; charset=utf-8")],
        vfreebusy(range, &busy),
    )
        .into_response())
}
