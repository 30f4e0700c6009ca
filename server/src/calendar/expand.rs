//! Recurrence expansion with the `rrule` crate: occurrences of an object in a time range,
//! with EXDATE, RDATE and modified occurrences (RECURRENCE-ID) applied; each series is
//! expanded in its own time zone so local times hold across DST changes.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use rrule::{RRule, RRuleSet, Unvalidated};

use super::ical::{EventData, EventObject};
use super::time::IcalTime;

/// Upper bound on generated occurrences per series and query.
const MAX_OCCURRENCES: u16 = 5000;

/// One occurrence, borrowing the event it comes from.
pub struct Instance<'a> {
    pub recurrence_id: Option<DateTime<Utc>>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub event: &'a EventData,
    pub recurring: bool,
}

/// The zone a series is expanded in: its own, else the reader's for floating times and
/// UTC for all-day dates (dates are the same everywhere).
fn series_zone(start: &IcalTime, reader: Tz) -> Tz {
    match start {
        IcalTime::Date(_) => Tz::UTC,
        IcalTime::Floating(_) => reader,
        other => other.zone().unwrap_or(Tz::UTC),
    }
}

fn in_zone(t: &IcalTime, zone: Tz) -> DateTime<rrule::Tz> {
    t.to_utc(zone).with_timezone(&rrule::Tz::Tz(zone))
}

fn is_recurring(e: &EventData) -> bool {
    e.rrule.is_some() || !e.rdates.is_empty()
}

fn rule_set(master: &EventData, zone: Tz) -> Result<RRuleSet, String> {
    let dt_start = in_zone(&master.start, zone);
    let mut set = RRuleSet::new(dt_start);
    if let Some(rule) = &master.rrule {
        let parsed: RRule<Unvalidated> =
            rule.parse().map_err(|e| format!("RRULE {rule:?}: {e}"))?;
        set = set.rrule(
            parsed
                .validate(dt_start)
                .map_err(|e| format!("RRULE {rule:?}: {e}"))?,
        );
    }
    for r in &master.rdates {
        set = set.rdate(in_zone(r, zone));
    }
    for x in &master.exdates {
        set = set.exdate(in_zone(x, zone));
    }
    Ok(set)
}

/// Occurrences overlapping `[from, to)`. `reader` is the zone floating times are read in.
pub fn occurrences<'a>(
    obj: &'a EventObject,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    reader: Tz,
) -> Result<Vec<Instance<'a>>, String> {
    let mut out = Vec::new();
    let overlaps =
        |s: DateTime<Utc>, e: DateTime<Utc>| s < to && (e > from || (e == s && s >= from));
    if let Some(master) = &obj.master {
        let zone = series_zone(&master.start, reader);
        let length = master.length(zone);
        if is_recurring(master) {
            let window_start =
                (from - length - Duration::seconds(1)).with_timezone(&rrule::Tz::Tz(zone));
            let window_end = to.with_timezone(&rrule::Tz::Tz(zone));
            let result = rule_set(master, zone)?
                .after(window_start)
                .before(window_end)
                .all(MAX_OCCURRENCES);
            for d in result.dates {
                let start = d.with_timezone(&Utc);
                let end = start + length;
                if overlaps(start, end) {
                    out.push(Instance {
                        recurrence_id: Some(start),
                        start,
                        end,
                        event: master,
                        recurring: true,
                    });
                }
            }
        } else {
            let start = master.start.to_utc(zone);
            let end = start + length;
            if overlaps(start, end) {
                out.push(Instance {
                    recurrence_id: None,
                    start,
                    end,
                    event: master,
                    recurring: false,
                });
            }
        }
    }
    for o in &obj.overrides {
        let Some(rid) = &o.recurrence_id else {
            continue;
        };
        let rid_zone = series_zone(obj.master.as_ref().map_or(rid, |m| &m.start), reader);
        let rid_utc = rid.to_utc(rid_zone);
        out.retain(|i| i.recurrence_id != Some(rid_utc));
        if o.cancelled {
            continue;
        }
        let zone = series_zone(&o.start, reader);
        let start = o.start.to_utc(zone);
        let end = start + o.length(zone);
        if overlaps(start, end) {
            out.push(Instance {
                recurrence_id: Some(rid_utc),
                start,
                end,
                event: o,
                recurring: true,
            });
        }
    }
    out.sort_by_key(|i| i.start);
    Ok(out)
}

/// `(first start, last end)` of the whole series in UTC; `None` as end when it never ends.
/// Stored as the index that lets a range query skip objects without expanding them.
pub fn bounds(
    obj: &EventObject,
    reader: Tz,
) -> Result<(DateTime<Utc>, Option<DateTime<Utc>>), String> {
    let mut first: Option<DateTime<Utc>> = None;
    let mut last: Option<DateTime<Utc>> = None;
    let mut endless = false;
    let mut widen = |s: DateTime<Utc>, e: DateTime<Utc>| {
        first = Some(first.map_or(s, |f| f.min(s)));
        last = Some(last.map_or(e, |l| l.max(e)));
    };
    if let Some(master) = &obj.master {
        let zone = series_zone(&master.start, reader);
        let length = master.length(zone);
        let start = master.start.to_utc(zone);
        widen(start, start + length);
        if is_recurring(master) {
            let rule = master.rrule.as_deref().unwrap_or("");
            let bounded = rule.is_empty()
                || rule.to_ascii_uppercase().contains("COUNT=")
                || rule.to_ascii_uppercase().contains("UNTIL=");
            if bounded {
                let result = rule_set(master, zone)?.all(MAX_OCCURRENCES);
                if result.limited {
                    endless = true;
                }
                for d in result.dates {
                    let s = d.with_timezone(&Utc);
                    widen(s, s + length);
                }
            } else {
                rule_set(master, zone)?; // still refuse an invalid rule
                endless = true;
            }
        }
    }
    for o in &obj.overrides {
        let zone = series_zone(&o.start, reader);
        let s = o.start.to_utc(zone);
        widen(s, s + o.length(zone));
    }
    let first = first.ok_or("the object has no event")?;
    Ok((first, if endless { None } else { last }))
}
