//! Calendars and events. Each event is stored as its iCalendar source (the truth); the
//! fields here are what the app edits and shows.

use serde::{Deserialize, Serialize};

/// What the signed-in user may do with a calendar.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CalendarAccess {
    Owner,
    ReadWrite,
    Read,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct CalendarInfo {
    pub id: i64,
    pub name: String,
    /// CSS colour, `#rrggbb`.
    pub color: String,
    pub is_default: bool,
    /// Shown in the user's views (each user decides, also for shared calendars).
    pub visible: bool,
    pub access: CalendarAccess,
    /// The owner's e-mail, for calendars shared with the user.
    pub owner_email: Option<String>,
    /// This user's reminders for new timed events in this calendar.
    #[serde(default)]
    pub default_reminders: Vec<crate::Reminder>,
    /// This user's reminders for new all-day events in this calendar.
    #[serde(default)]
    pub default_all_day_reminders: Vec<crate::Reminder>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct CreateCalendarRequest {
    pub name: String,
    #[serde(default)]
    pub color: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct UpdateCalendarRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visible: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_reminders: Option<Vec<crate::Reminder>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_all_day_reminders: Option<Vec<crate::Reminder>>,
}

/// An event as the editor sees it. Times are local to `time_zone`
/// (`YYYY-MM-DDTHH:MM[:SS]`), or dates (`YYYY-MM-DD`, end exclusive) when `all_day`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct EventInput {
    pub title: String,
    pub start: String,
    pub end: String,
    #[serde(default)]
    pub all_day: bool,
    /// IANA time zone of `start`/`end`; the user's zone when absent.
    #[serde(default)]
    pub time_zone: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Busy (opaque) unless false (transparent).
    #[serde(default = "default_true")]
    pub busy: bool,
    /// An RFC 5545 RRULE value, e.g. `FREQ=WEEKLY;BYDAY=MO,WE`.
    #[serde(default)]
    pub rrule: Option<String>,
    /// The signed-in user's reminders. Absent: unchanged on edit, the calendar's
    /// defaults on create. On a calendar shared with the user they are the user's own,
    /// never written into the owner's event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminders: Option<Vec<crate::Reminder>>,
}

fn default_true() -> bool {
    true
}

/// A stored event (the master of a recurring series).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct EventDetail {
    pub uid: String,
    pub calendar_id: i64,
    pub etag: String,
    pub title: String,
    pub start: String,
    pub end: String,
    pub all_day: bool,
    pub time_zone: Option<String>,
    pub location: Option<String>,
    pub description: Option<String>,
    pub busy: bool,
    pub rrule: Option<String>,
    /// Excluded occurrences (their original start, UTC RFC 3339).
    pub exdates: Vec<String>,
    /// The signed-in user's reminders (relative ones; absolute alarms set by other
    /// clients are kept and fire, but are not listed).
    #[serde(default)]
    pub reminders: Vec<crate::Reminder>,
}

/// One occurrence in a time range (recurrences expanded).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Occurrence {
    pub uid: String,
    pub calendar_id: i64,
    /// Original start of this occurrence (UTC, `YYYYMMDDTHHMMSSZ`) for recurring events;
    /// use it to edit or delete "this occurrence".
    pub recurrence_id: Option<String>,
    pub title: String,
    /// UTC instants (RFC 3339).
    pub start: String,
    pub end: String,
    pub all_day: bool,
    pub location: Option<String>,
    pub busy: bool,
    pub recurring: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct SkippedItem {
    pub uid: Option<String>,
    pub reason: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ImportReport {
    pub imported: u32,
    pub skipped: Vec<SkippedItem>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct CalendarShare {
    pub email: String,
    pub access: CalendarAccess,
}
