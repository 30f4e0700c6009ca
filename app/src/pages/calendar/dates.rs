//! Date arithmetic for the views (chrono's calendar types) and time-zone conversion
//! through the browser's Intl API, so the wasm bundle carries no zone database.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};
use wasm_bindgen::{JsCast, JsValue};

/// The views of the calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    Month,
    Week,
    /// Three days from the anchor: the week view's use on a phone, where seven columns
    /// leave titles one letter wide.
    ThreeDays,
    Day,
    Agenda,
}

impl View {
    pub fn code(self) -> &'static str {
        match self {
            View::Month => "month",
            View::Week => "week",
            View::ThreeDays => "3days",
            View::Day => "day",
            View::Agenda => "agenda",
        }
    }

    pub fn from_code(s: &str) -> Option<View> {
        [
            View::Month,
            View::Week,
            View::ThreeDays,
            View::Day,
            View::Agenda,
        ]
        .into_iter()
        .find(|v| v.code() == s)
    }
}

/// Monday of the week containing `d`.
pub fn week_start(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

/// First and last (exclusive) day shown by a view around `anchor`.
pub fn visible_days(view: View, anchor: NaiveDate) -> (NaiveDate, NaiveDate) {
    match view {
        View::Month => {
            let first = anchor.with_day(1).unwrap_or(anchor);
            let start = week_start(first);
            (start, start + Duration::days(42))
        }
        View::Week => {
            let start = week_start(anchor);
            (start, start + Duration::days(7))
        }
        View::ThreeDays => (anchor, anchor + Duration::days(3)),
        View::Day => (anchor, anchor + Duration::days(1)),
        View::Agenda => (anchor, anchor + Duration::days(30)),
    }
}

/// The anchor of the previous/next period.
pub fn step(view: View, anchor: NaiveDate, forward: bool) -> NaiveDate {
    let sign = if forward { 1 } else { -1 };
    match view {
        View::Month => {
            let first = anchor.with_day(1).unwrap_or(anchor);
            if forward {
                first
                    .checked_add_months(chrono::Months::new(1))
                    .unwrap_or(first)
            } else {
                first
                    .checked_sub_months(chrono::Months::new(1))
                    .unwrap_or(first)
            }
        }
        View::Week => anchor + Duration::days(7 * sign),
        View::ThreeDays => anchor + Duration::days(3 * sign),
        View::Day => anchor + Duration::days(sign),
        View::Agenda => anchor + Duration::days(30 * sign),
    }
}

fn formatter(tz: &str) -> Option<js_sys::Intl::DateTimeFormat> {
    let options = js_sys::Object::new();
    for (k, v) in [
        ("timeZone", tz),
        ("year", "numeric"),
        ("month", "2-digit"),
        ("day", "2-digit"),
        ("hour", "2-digit"),
        ("minute", "2-digit"),
        ("hourCycle", "h23"),
    ] {
        js_sys::Reflect::set(&options, &k.into(), &v.into()).ok()?;
    }
    Some(js_sys::Intl::DateTimeFormat::new(
        &js_sys::Array::of1(&"en-GB".into()),
        &options,
    ))
}

/// Wall-clock time in `tz` of a UTC instant given in milliseconds.
pub fn local_time(utc_ms: f64, tz: &str) -> Option<NaiveDateTime> {
    let parts = formatter(tz)?.format_to_parts(&js_sys::Date::new(&JsValue::from_f64(utc_ms)));
    let mut v = [0u32; 5];
    for part in parts.iter() {
        let kind = js_sys::Reflect::get(&part, &"type".into())
            .ok()?
            .as_string()?;
        let value: u32 = js_sys::Reflect::get(&part, &"value".into())
            .ok()?
            .as_string()?
            .parse()
            .unwrap_or(0);
        match kind.as_str() {
            "year" => v[0] = value,
            "month" => v[1] = value,
            "day" => v[2] = value,
            "hour" => v[3] = value,
            "minute" => v[4] = value,
            _ => {}
        }
    }
    let date = NaiveDate::from_ymd_opt(v[0] as i32, v[1], v[2])?;
    Some(date.and_time(NaiveTime::from_hms_opt(v[3] % 24, v[4], 0)?))
}

/// The instant (Unix seconds) at which the clocks of `tz` show `local`; in a gap or an
/// overlap of a daylight-saving change, the nearest instant that exists.
pub fn utc_of(local: NaiveDateTime, tz: &str) -> Option<i64> {
    let guess = local.and_utc().timestamp();
    let mut at = guess;
    // The zone's offset at the guess, then at the corrected instant (two steps settle it).
    for _ in 0..2 {
        let shown = local_time(at as f64 * 1000.0, tz)?.and_utc().timestamp();
        at -= shown - guess;
    }
    Some(at)
}

/// Wall-clock time in `tz` of an RFC 3339 instant.
pub fn local_of(rfc3339: &str, tz: &str) -> Option<NaiveDateTime> {
    let ms = js_sys::Date::parse(rfc3339);
    if ms.is_nan() {
        None
    } else {
        local_time(ms, tz)
    }
}

pub fn today(tz: &str) -> NaiveDate {
    local_time(js_sys::Date::now(), tz)
        .map(|t| t.date())
        .unwrap_or_default()
}

/// `date` formatted in the interface language with Intl options, e.g. weekday "short".
pub fn format_date(date: NaiveDate, lang: &str, options: &[(&str, &str)]) -> String {
    let o = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&o, &"timeZone".into(), &"UTC".into());
    for (k, v) in options {
        let _ = js_sys::Reflect::set(&o, &(*k).into(), &(*v).into());
    }
    let ms = date
        .and_hms_opt(12, 0, 0)
        .map(|t| t.and_utc().timestamp_millis() as f64)
        .unwrap_or(0.0);
    js_sys::Date::new(&JsValue::from_f64(ms))
        .to_locale_date_string(lang, &o)
        .dyn_into::<js_sys::JsString>()
        .map(String::from)
        .unwrap_or_default()
}
