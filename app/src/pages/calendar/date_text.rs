//! The fixed text forms of dates and times the app reads and writes: addresses
//! (`?date=`), form fields (`<input type=date|time|datetime-local>`), the API and iCalendar
//! values. Written out by hand: chrono's `format`/`parse_from_str` machinery costs the
//! Calendar page and the composer about 12 KB of gzip'd wasm for these few fixed shapes.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

/// `YYYY-MM-DD`.
pub fn iso_date(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// `HH:MM`.
pub fn hh_mm(t: NaiveDateTime) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// iCalendar's basic date, `YYYYMMDD` (an all-day UNTIL).
pub fn basic_date(d: NaiveDate) -> String {
    format!("{:04}{:02}{:02}", d.year(), d.month(), d.day())
}

/// iCalendar's basic UTC time, `YYYYMMDDTHHMMSSZ` (the time is taken as UTC).
pub fn basic_utc(t: NaiveDateTime) -> String {
    format!(
        "{}T{:02}{:02}{:02}Z",
        basic_date(t.date()),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `YYYY-MM-DD`, nothing else.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let (y, rest) = s.split_once('-')?;
    let (m, d) = rest.split_once('-')?;
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(number(y)? as i32, number(m)?, number(d)?)
}

/// `YYYY-MM-DDTHH:MM`, optionally followed by `:SS`.
pub fn parse_date_time(s: &str) -> Option<NaiveDateTime> {
    let (date, time) = s.split_once('T')?;
    let mut parts = time.split(':');
    let (h, m) = (parts.next()?, parts.next()?);
    let sec = parts.next();
    if parts.next().is_some()
        || [Some(h), Some(m), sec]
            .into_iter()
            .flatten()
            .any(|p| p.len() != 2)
    {
        return None;
    }
    parse_date(date)?.and_hms_opt(number(h)?, number(m)?, sec.map_or(Some(0), number)?)
}

/// `YYYYMMDDTHHMMSSZ`, as a UTC wall-clock time.
pub fn parse_basic_utc(s: &str) -> Option<NaiveDateTime> {
    let digits = s.strip_suffix('Z')?;
    let (date, time) = digits.split_once('T')?;
    if date.len() != 8 || time.len() != 6 {
        return None;
    }
    let field = |s: &str, from: usize, to: usize| s.get(from..to).and_then(number);
    NaiveDate::from_ymd_opt(
        field(date, 0, 4)? as i32,
        field(date, 4, 6)?,
        field(date, 6, 8)?,
    )?
    .and_hms_opt(field(time, 0, 2)?, field(time, 2, 4)?, field(time, 4, 6)?)
}

/// Digits only (no sign, no spaces, which `u32::from_str` would take or refuse unevenly).
fn number(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, mo, d)
            .and_then(|d| d.and_hms_opt(h, mi, s))
            .expect("valid test date")
    }

    #[test]
    fn writes_the_fixed_forms() {
        let t = at(2026, 3, 7, 9, 5, 2);
        assert_eq!(iso_date(t.date()), "2026-03-07");
        assert_eq!(hh_mm(t), "09:05");
        assert_eq!(basic_date(t.date()), "20260307");
        assert_eq!(basic_utc(t), "20260307T090502Z");
        assert_eq!(iso_date(at(987, 12, 31, 0, 0, 0).date()), "0987-12-31");
    }

    #[test]
    fn reads_what_it_writes() {
        let t = at(2026, 12, 31, 23, 59, 58);
        assert_eq!(parse_date(&iso_date(t.date())), Some(t.date()));
        assert_eq!(parse_basic_utc(&basic_utc(t)), Some(t));
        assert_eq!(parse_date_time("2026-12-31T23:59:58"), Some(t));
        assert_eq!(
            parse_date_time("2026-12-31T23:59"),
            Some(at(2026, 12, 31, 23, 59, 0))
        );
    }

    #[test]
    fn refuses_everything_else() {
        for bad in [
            "",
            "2026-1-07",
            "2026-02-30",
            "26-01-07",
            "2026-01-07x",
            "+026-01-07",
            "2026-01--7",
            "2026/01/07",
            "２０２６-01-07",
        ] {
            assert_eq!(parse_date(bad), None, "{bad:?}");
        }
        for bad in [
            "2026-01-07",
            "2026-01-07T",
            "2026-01-07T9:05",
            "2026-01-07T24:00",
            "2026-01-07T09:05:",
            "2026-01-07T09:05:00:00",
            "2026-01-07 09:05",
            "2026-01-07T09:60",
        ] {
            assert_eq!(parse_date_time(bad), None, "{bad:?}");
        }
        for bad in [
            "20260107T090500",
            "20260107090500Z",
            "2026017T090500Z",
            "20260107T0905000Z",
            "2026é07T090500Z",
            "2026010éT09050Z",
        ] {
            assert_eq!(parse_basic_utc(bad), None, "{bad:?}");
        }
    }
}
