//! iCalendar date/time values (RFC 5545 §3.3.4/§3.3.5) and durations (§3.3.6).

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// A DATE or DATE-TIME value as written in the source.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum IcalTime {
    Date(NaiveDate),
    Utc(DateTime<Utc>),
    Zoned(NaiveDateTime, Tz),
    /// No zone: the same wall-clock time wherever the reader is.
    Floating(NaiveDateTime),
}

impl IcalTime {
    /// Parses a value with its TZID / VALUE parameters.
    pub fn parse(
        value: &str,
        tzid: Option<&str>,
        value_type: Option<&str>,
    ) -> Result<IcalTime, String> {
        let value = value.trim();
        if value_type.is_some_and(|v| v.eq_ignore_ascii_case("DATE")) || value.len() == 8 {
            return NaiveDate::parse_from_str(value, "%Y%m%d")
                .map(IcalTime::Date)
                .map_err(|_| format!("invalid date {value:?}"));
        }
        if let Some(utc) = value.strip_suffix('Z') {
            let naive = NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S")
                .map_err(|_| format!("invalid date-time {value:?}"))?;
            return Ok(IcalTime::Utc(Utc.from_utc_datetime(&naive)));
        }
        let naive = NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S")
            .map_err(|_| format!("invalid date-time {value:?}"))?;
        match tzid {
            Some(id) => Ok(IcalTime::Zoned(
                naive,
                resolve_tzid(id).ok_or_else(|| format!("unknown time zone {id:?}"))?,
            )),
            None => Ok(IcalTime::Floating(naive)),
        }
    }

    pub fn is_date(&self) -> bool {
        matches!(self, IcalTime::Date(_))
    }

    /// The instant this value denotes; dates and floating times are read in `zone`.
    pub fn to_utc(&self, zone: Tz) -> DateTime<Utc> {
        match *self {
            IcalTime::Date(d) => local_to_utc(d.and_hms_opt(0, 0, 0).unwrap_or_default(), zone),
            IcalTime::Utc(t) => t,
            IcalTime::Zoned(n, tz) => local_to_utc(n, tz),
            IcalTime::Floating(n) => local_to_utc(n, zone),
        }
    }

    /// The zone the value is written in, if any.
    pub fn zone(&self) -> Option<Tz> {
        match self {
            IcalTime::Zoned(_, tz) => Some(*tz),
            IcalTime::Utc(_) => Some(Tz::UTC),
            _ => None,
        }
    }

    /// `(parameters, value)` for writing the property back.
    pub fn to_ical(&self) -> (Vec<(&'static str, String)>, String) {
        match self {
            IcalTime::Date(d) => (
                vec![("VALUE", "DATE".into())],
                d.format("%Y%m%d").to_string(),
            ),
            IcalTime::Utc(t) => (vec![], t.format("%Y%m%dT%H%M%SZ").to_string()),
            IcalTime::Zoned(n, tz) => (
                vec![("TZID", tz.name().to_string())],
                n.format("%Y%m%dT%H%M%S").to_string(),
            ),
            IcalTime::Floating(n) => (vec![], n.format("%Y%m%dT%H%M%S").to_string()),
        }
    }
}

/// Local wall-clock time to UTC; a time skipped by a DST change moves forward by the gap,
/// an ambiguous one takes the first (earlier) instant, as RFC 5545 §3.3.5 prescribes.
pub fn local_to_utc(naive: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    match tz.from_local_datetime(&naive) {
        chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
        chrono::LocalResult::Ambiguous(a, _) => a.with_timezone(&Utc),
        chrono::LocalResult::None => {
            let later = naive + Duration::hours(1);
            tz.from_local_datetime(&later)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_else(|| Utc.from_utc_datetime(&naive))
        }
    }
}

/// Maps a TZID to an IANA zone: IANA names, vendor prefixes such as
/// `/mozilla.org/20050126_1/Europe/Zurich`, and the common Windows names Outlook writes.
pub fn resolve_tzid(id: &str) -> Option<Tz> {
    let id = id.trim().trim_matches('"');
    if let Ok(tz) = id.parse::<Tz>() {
        return Some(tz);
    }
    // Try ever shorter suffixes after a '/'.
    let mut rest = id;
    while let Some(pos) = rest.find('/') {
        rest = &rest[pos + 1..];
        if let Ok(tz) = rest.parse::<Tz>() {
            return Some(tz);
        }
    }
    let iana = match id {
        "W. Europe Standard Time" => "Europe/Berlin",
        "Romance Standard Time" => "Europe/Paris",
        "Central Europe Standard Time" => "Europe/Budapest",
        "Central European Standard Time" => "Europe/Warsaw",
        "GMT Standard Time" => "Europe/London",
        "Greenwich Standard Time" => "Atlantic/Reykjavik",
        "E. Europe Standard Time" => "Europe/Chisinau",
        "FLE Standard Time" => "Europe/Kiev",
        "Eastern Standard Time" => "America/New_York",
        "Central Standard Time" => "America/Chicago",
        "Mountain Standard Time" => "America/Denver",
        "Pacific Standard Time" => "America/Los_Angeles",
        "Tokyo Standard Time" => "Asia/Tokyo",
        "China Standard Time" => "Asia/Shanghai",
        "India Standard Time" => "Asia/Kolkata",
        "AUS Eastern Standard Time" => "Australia/Sydney",
        "UTC" | "Coordinated Universal Time" => "UTC",
        _ => return None,
    };
    iana.parse().ok()
}

/// Parses an RFC 5545 duration such as `PT1H30M`, `P1D`, `-PT15M`, `P2W`.
pub fn parse_duration(value: &str) -> Result<Duration, String> {
    let err = || format!("invalid duration {value:?}");
    let v = value.trim();
    let (negative, v) = match v.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, v.strip_prefix('+').unwrap_or(v)),
    };
    let v = v.strip_prefix('P').ok_or_else(err)?;
    let mut total = Duration::zero();
    let mut number = String::new();
    let mut in_time = false;
    for c in v.chars() {
        match c {
            '0'..='9' => number.push(c),
            'T' => in_time = true,
            'W' | 'D' | 'H' | 'M' | 'S' => {
                let n: i64 = number.parse().map_err(|_| err())?;
                number.clear();
                total += match (c, in_time) {
                    ('W', false) => Duration::weeks(n),
                    ('D', false) => Duration::days(n),
                    ('H', true) => Duration::hours(n),
                    ('M', true) => Duration::minutes(n),
                    ('S', true) => Duration::seconds(n),
                    _ => return Err(err()),
                };
            }
            _ => return Err(err()),
        }
    }
    if !number.is_empty() {
        return Err(err());
    }
    Ok(if negative { -total } else { total })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_values() {
        assert!(
            IcalTime::parse("20260301", None, Some("DATE"))
                .expect("date")
                .is_date()
        );
        let zurich =
            IcalTime::parse("20260329T020000", Some("Europe/Zurich"), None).expect("zoned");
        // 02:00 does not exist on the spring-forward day: it moves to 03:00 CEST = 01:00Z.
        assert_eq!(
            zurich.to_utc(Tz::UTC).to_rfc3339(),
            "2026-03-29T01:00:00+00:00"
        );
        assert_eq!(
            resolve_tzid("/mozilla.org/20050126_1/Europe/Zurich"),
            Some(chrono_tz::Europe::Zurich)
        );
        assert_eq!(
            resolve_tzid("W. Europe Standard Time"),
            Some(chrono_tz::Europe::Berlin)
        );
        assert!(IcalTime::parse("20260301T100000", Some("Nowhere/Special"), None).is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("PT1H30M"), Ok(Duration::minutes(90)));
        assert_eq!(parse_duration("P1DT2H"), Ok(Duration::hours(26)));
        assert_eq!(parse_duration("-PT15M"), Ok(Duration::minutes(-15)));
        assert_eq!(parse_duration("P2W"), Ok(Duration::weeks(2)));
        assert!(parse_duration("1H").is_err());
        assert!(parse_duration("PT1X").is_err());
    }
}
