//! Recurrence expansion with the `rrule` crate: occurrences of an object in a time range,
//! with EXDATE, RDATE and modified occurrences (RECURRENCE-ID) applied; each series is
//! expanded in its own time zone so local times hold across DST changes.
//!
//! Expansion is bounded: a series without COUNT starts just before the asked window (so
//! a rule from 2026 asked about 2199 costs what a rule from 2199 costs), and every
//! generated date is charged to the request's [`Budget`], which ends the work with a
//! clear error instead of stalling the server.

use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use rrule::{Frequency, RRule, RRuleSet, Unvalidated};

use super::ical::{EventData, EventObject};
use super::time::IcalTime;

/// Upper bound on occurrences of one series kept for the index (`bounds`).
const MAX_OCCURRENCES: u16 = 5000;

/// What one request may spend on recurrences: generated dates, wall time, occurrences
/// answered and (estimated) bytes answered.
#[derive(Debug)]
pub struct Budget {
    steps_left: u64,
    deadline: Instant,
    occurrences_left: usize,
    bytes_left: usize,
}

/// Why a request's expansion was stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exhausted {
    /// Too many dates to generate or too long to compute.
    Work,
    /// More occurrences than one answer may hold.
    Occurrences,
    /// The answer would be too large.
    Bytes,
}

impl Exhausted {
    /// A sentence for the user (API and DAV answers).
    pub fn message(self) -> &'static str {
        match self {
            Exhausted::Work => {
                "This range holds too many repetitions to compute at once; ask for a shorter range."
            }
            Exhausted::Occurrences => {
                "This range holds too many occurrences for one answer; ask for a shorter range."
            }
            Exhausted::Bytes => {
                "The answer for this range would be too large; ask for a shorter range."
            }
        }
    }
}

/// The limits a [`Budget`] starts from (settings, see `config.rs`).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub steps: u64,
    pub time: StdDuration,
    pub occurrences: usize,
    pub bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            steps: 2_000_000,
            time: StdDuration::from_secs(2),
            occurrences: 20_000,
            bytes: 16 * 1024 * 1024,
        }
    }
}

impl Budget {
    pub fn new(limits: Limits) -> Budget {
        Budget {
            steps_left: limits.steps,
            deadline: Instant::now() + limits.time,
            occurrences_left: limits.occurrences,
            bytes_left: limits.bytes,
        }
    }

    /// Charges one generated date (the clock is read every 4,096 of them).
    pub fn step(&mut self) -> Result<(), Exhausted> {
        if self.steps_left == 0 {
            return Err(Exhausted::Work);
        }
        self.steps_left -= 1;
        if self.steps_left.is_multiple_of(4096) && Instant::now() > self.deadline {
            self.steps_left = 0;
            return Err(Exhausted::Work);
        }
        Ok(())
    }

    /// Charges one occurrence put in the answer, of about `bytes` bytes.
    pub fn answer(&mut self, bytes: usize) -> Result<(), Exhausted> {
        if self.occurrences_left == 0 {
            return Err(Exhausted::Occurrences);
        }
        self.occurrences_left -= 1;
        self.charge_bytes(bytes)
    }

    /// Charges bytes put in the answer.
    pub fn charge_bytes(&mut self, bytes: usize) -> Result<(), Exhausted> {
        if bytes > self.bytes_left {
            self.bytes_left = 0;
            return Err(Exhausted::Bytes);
        }
        self.bytes_left -= bytes;
        Ok(())
    }
}

/// Why an object could not be expanded.
#[derive(Debug)]
pub enum ExpandError {
    /// The object itself is broken (skip it, log it).
    Invalid(String),
    /// The request's budget ran out (stop the request).
    Exhausted(Exhausted),
}

impl From<Exhausted> for ExpandError {
    fn from(e: Exhausted) -> ExpandError {
        ExpandError::Exhausted(e)
    }
}

impl std::fmt::Display for ExpandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExpandError::Invalid(e) => f.write_str(e),
            ExpandError::Exhausted(e) => f.write_str(e.message()),
        }
    }
}

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

fn parse_rule(rule: &str, dt_start: DateTime<rrule::Tz>) -> Result<RRule, String> {
    let parsed: RRule<Unvalidated> = rule.parse().map_err(|e| format!("RRULE {rule:?}: {e}"))?;
    parsed
        .validate(dt_start)
        .map_err(|e| format!("RRULE {rule:?}: {e}"))
}

/// Most occurrences a series may have per year (or in all, with COUNT or UNTIL): more is
/// never a useful calendar entry, and only costs every reader.
pub const MAX_OCCURRENCES_PER_SERIES: u64 = 100_000;

/// Refuses rules that would repeat more often than any calendar needs (every second or
/// minute without end, or BY parts multiplying into millions of occurrences a year).
fn check_density(rule: &RRule, dt_start: DateTime<rrule::Tz>) -> Result<(), String> {
    let n = |len: usize, empty: u64| if len == 0 { empty } else { len as u64 };
    let interval = u64::from(rule.get_interval().max(1));
    let (hours, minutes, seconds) = (
        n(rule.get_by_hour().len(), 24),
        n(rule.get_by_minute().len(), 60),
        n(rule.get_by_second().len(), 60),
    );
    let weekdays = n(rule.get_by_weekday().len(), 7);
    let month_days = rule.get_by_month_day().len() as u64;
    let per_day = match rule.get_freq() {
        Frequency::Secondly => (86_400 / interval).max(1).min(hours * minutes * seconds),
        Frequency::Minutely => (1_440 / interval).max(1).min(hours * minutes) * seconds,
        Frequency::Hourly => (24 / interval).max(1).min(hours) * minutes * seconds,
        _ => {
            n(rule.get_by_hour().len(), 1)
                * n(rule.get_by_minute().len(), 1)
                * n(rule.get_by_second().len(), 1)
        }
    };
    let days = match rule.get_freq() {
        Frequency::Yearly => {
            (month_days * 12 + weekdays * 53 + rule.get_by_year_day().len() as u64).clamp(1, 366)
                / interval.min(366)
        }
        Frequency::Monthly => ((month_days + weekdays * 5).clamp(1, 31) * 12 / interval).max(1),
        Frequency::Weekly => (weekdays.min(7) * 53 / interval).max(1),
        Frequency::Daily => (366 / interval).max(1),
        _ => 366,
    }
    .max(1);
    let per_year = days.saturating_mul(per_day);
    if let Some(count) = rule.get_count() {
        if u64::from(count) > MAX_OCCURRENCES_PER_SERIES {
            return Err(format!(
                "a series may have at most {MAX_OCCURRENCES_PER_SERIES} occurrences (COUNT={count})"
            ));
        }
        return Ok(());
    }
    let total = match rule.get_until() {
        Some(until) => {
            let days = u64::try_from((*until - dt_start).num_days().max(1)).unwrap_or(1);
            per_year.saturating_mul(days) / 365 + 1
        }
        None => per_year,
    };
    if total > MAX_OCCURRENCES_PER_SERIES {
        return Err(format!(
            "this rule repeats too often (about {per_year} times a year); \
             give it an end (COUNT or UNTIL) or repeat it less often"
        ));
    }
    Ok(())
}

/// A rule as the rrule grammar writes it (anything else in the text is refused).
pub fn normalize_rule(text: &str) -> Result<String, String> {
    if text.len() > 1024 || text.chars().any(char::is_control) {
        return Err("unexpected characters".into());
    }
    let parsed: RRule<Unvalidated> = text.parse().map_err(|e| format!("{e}"))?;
    Ok(parsed.to_string())
}

/// Checks a series' rule when it is written: valid, and not denser than a calendar needs.
pub fn check_rule(master: &EventData, reader: Tz) -> Result<(), String> {
    let Some(text) = &master.rrule else {
        return Ok(());
    };
    let zone = series_zone(&master.start, reader);
    let dt_start = in_zone(&master.start, zone);
    check_density(&parse_rule(text, dt_start)?, dt_start)
}

/// The rule set of a series. With `near`, a rule without COUNT starts from a date just
/// before `near` that lies on the rule's own period grid (the validated rule keeps every
/// BY part it took from the real DTSTART), so the dates from there on are the same as
/// from the series start, without walking the years in between.
fn rule_set(master: &EventData, zone: Tz, near: Option<DateTime<Utc>>) -> Result<RRuleSet, String> {
    let dt_start = in_zone(&master.start, zone);
    let mut set_start = dt_start;
    let mut rule = None;
    if let Some(text) = &master.rrule {
        let validated = parse_rule(text, dt_start)?;
        if let Some(near) = near
            && validated.get_count().is_none()
            && let Some(later) = fast_forward(&validated, dt_start, near, zone)
        {
            set_start = later;
        }
        rule = Some(validated);
    }
    let mut set = RRuleSet::new(set_start).limit();
    if let Some(rule) = rule {
        set = set.rrule(rule);
    }
    for r in &master.rdates {
        set = set.rdate(in_zone(r, zone));
    }
    for x in &master.exdates {
        set = set.exdate(in_zone(x, zone));
    }
    Ok(set)
}

/// A start on the rule's period grid at least one period before `near`, or `None` when
/// the series starts late enough already.
fn fast_forward(
    rule: &RRule,
    dt_start: DateTime<rrule::Tz>,
    near: DateTime<Utc>,
    zone: Tz,
) -> Option<DateTime<rrule::Tz>> {
    let interval = i64::from(rule.get_interval().max(1));
    let start = dt_start.with_timezone(&zone).naive_local();
    let target = near.with_timezone(&zone).naive_local();
    if target <= start {
        return None;
    }
    let shifted: NaiveDateTime = match rule.get_freq() {
        Frequency::Yearly | Frequency::Monthly => {
            let per_period = if rule.get_freq() == Frequency::Yearly {
                12
            } else {
                1
            } * interval;
            let months = |d: NaiveDateTime| i64::from(d.year()) * 12 + i64::from(d.month0());
            let periods = (months(target) - months(start)) / per_period - 1;
            if periods < 1 {
                return None;
            }
            let m = months(start) + periods * per_period;
            // The first day of the period's month: the rule's BY parts pick the days.
            NaiveDate::from_ymd_opt(
                i32::try_from(m.div_euclid(12)).ok()?,
                u32::try_from(m.rem_euclid(12)).ok()? + 1,
                1,
            )?
            .and_hms_opt(0, 0, 0)?
        }
        freq => {
            let unit: i64 = match freq {
                Frequency::Weekly => 7 * 86_400,
                Frequency::Daily => 86_400,
                Frequency::Hourly => 3_600,
                Frequency::Minutely => 60,
                _ => 1,
            };
            let period = unit * interval;
            let periods = (target - start).num_seconds() / period - 1;
            if periods < 1 {
                return None;
            }
            start + Duration::seconds(periods.checked_mul(period)?)
        }
    };
    // In a DST gap, an hour earlier is still before `near` and on the same day grid.
    let local = zone.from_local_datetime(&shifted).earliest().or_else(|| {
        zone.from_local_datetime(&(shifted - Duration::hours(1)))
            .earliest()
    })?;
    Some(local.with_timezone(&rrule::Tz::Tz(zone)))
}

/// Occurrences overlapping `[from, to)`. `reader` is the zone floating times are read in.
/// Each generated date is charged to `budget`.
pub fn occurrences<'a>(
    obj: &'a EventObject,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    reader: Tz,
    budget: &mut Budget,
) -> Result<Vec<Instance<'a>>, ExpandError> {
    let mut out = Vec::new();
    let overlaps =
        |s: DateTime<Utc>, e: DateTime<Utc>| s < to && (e > from || (e == s && s >= from));
    if let Some(master) = &obj.master {
        let zone = series_zone(&master.start, reader);
        let length = master.length(zone);
        if is_recurring(master) {
            let window_start = from - length - Duration::seconds(1);
            let set = rule_set(master, zone, Some(window_start)).map_err(ExpandError::Invalid)?;
            for d in &set {
                budget.step()?;
                let start = d.with_timezone(&Utc);
                if start >= to {
                    break;
                }
                if start <= window_start {
                    continue;
                }
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
            check_rule(master, reader)?;
            let rule = master.rrule.as_deref().unwrap_or("");
            let bounded = rule.is_empty()
                || rule.to_ascii_uppercase().contains("COUNT=")
                || rule.to_ascii_uppercase().contains("UNTIL=");
            if bounded {
                let result = rule_set(master, zone, None)?.all(MAX_OCCURRENCES);
                if result.limited {
                    endless = true;
                }
                for d in result.dates {
                    let s = d.with_timezone(&Utc);
                    widen(s, s + length);
                }
            } else {
                rule_set(master, zone, None)?; // still refuse an invalid rule
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
