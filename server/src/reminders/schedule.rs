//! From alarms to due times: which reminders of an event fall due in a window, for whom,
//! and when the next one is. Pure computation on a parsed object; every generated date
//! is charged to the caller's expansion budget, so no event can make a pass expensive.

use chrono::{DateTime, Duration, LocalResult, TimeZone, Utc};
use chrono_tz::Tz;
use ksuite_common::Reminder;

use crate::calendar::alarms::{Alarm, Trigger};
use crate::calendar::expand::{self, Budget, ExpandError};
use crate::calendar::ical::{EventData, EventObject};

/// Whose reminders these are and which alarms they use.
pub struct Recipient {
    pub user_id: i64,
    /// All-day events remind at local times of this zone.
    pub zone: Tz,
    pub alarms: AlarmSource,
}

pub enum AlarmSource {
    /// The event's own VALARMs (the calendar's owner).
    Event,
    /// The user's own reminders on a shared calendar.
    Own(Vec<Alarm>),
}

impl AlarmSource {
    pub fn own(reminders: &[Reminder]) -> AlarmSource {
        AlarmSource::Own(reminders.iter().map(Alarm::from_reminder).collect())
    }
}

/// One reminder of one occurrence for one user.
#[derive(Clone, Debug, PartialEq)]
pub struct Due {
    pub user_id: i64,
    pub occurrence_start: DateTime<Utc>,
    pub due: DateTime<Utc>,
    pub alarm: Alarm,
    pub all_day: bool,
    pub title: String,
    pub location: Option<String>,
    pub description: Option<String>,
}

/// Longest lead (either side) looked at around a window: no alarm fires more than this
/// before or after its occurrence.
const MAX_LEAD: Duration = Duration::days(400);

fn offset_of(alarm: &Alarm) -> Option<Duration> {
    match alarm.trigger {
        Trigger::BeforeStart(d) | Trigger::BeforeEnd(d) => Some(d),
        Trigger::At(_) => None,
    }
}

/// The alarms an occurrence uses for the owner: an override's own, else the series'.
fn event_alarms<'a>(obj: &'a EventObject, event: &'a EventData) -> &'a [Alarm] {
    if event.alarms.is_empty() && event.recurrence_id.is_some() {
        obj.master.as_ref().map_or(&[], |m| &m.alarms)
    } else {
        &event.alarms
    }
}

/// Midnight of an all-day occurrence in the recipient's zone (dates are expanded as UTC
/// midnights).
fn local_midnight(start: DateTime<Utc>, zone: Tz) -> DateTime<Utc> {
    let naive = start.naive_utc();
    match zone.from_local_datetime(&naive) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        LocalResult::None => zone
            .from_local_datetime(&(naive + Duration::hours(1)))
            .earliest()
            .map_or(start, |t| t.with_timezone(&Utc)),
    }
}

fn acknowledged(
    alarm: &Alarm,
    event: &EventData,
    master: Option<&EventData>,
    due: DateTime<Utc>,
) -> bool {
    let last_ack = event.last_ack.or(master.and_then(|m| m.last_ack));
    alarm.acknowledged.is_some_and(|a| a >= due) || last_ack.is_some_and(|a| a >= due)
}

/// Whether anyone has any alarm on this object (most events have none: they cost no
/// expansion at all).
fn has_alarms(obj: &EventObject, recipients: &[Recipient]) -> bool {
    recipients.iter().any(|r| match &r.alarms {
        AlarmSource::Event => obj
            .master
            .iter()
            .chain(&obj.overrides)
            .any(|e| !e.alarms.is_empty()),
        AlarmSource::Own(alarms) => !alarms.is_empty(),
    })
}

/// Reminders due in `(after, upto]`, at most `max` of them (earliest first).
pub fn due_between(
    obj: &EventObject,
    recipients: &[Recipient],
    after: DateTime<Utc>,
    upto: DateTime<Utc>,
    budget: &mut Budget,
    max: usize,
) -> Result<Vec<Due>, ExpandError> {
    let mut out = Vec::new();
    if upto <= after
        || obj.master.as_ref().is_some_and(|m| m.cancelled)
        || !has_alarms(obj, recipients)
    {
        return Ok(out);
    }
    // How far before/after an occurrence any alarm of this object reaches.
    let mut lead_before = Duration::zero();
    let mut lead_after = Duration::zero();
    let mut widen = |alarms: &[Alarm]| {
        for d in alarms.iter().filter_map(offset_of) {
            lead_before = lead_before.max(d);
            lead_after = lead_after.max(-d);
        }
    };
    for r in recipients {
        match &r.alarms {
            AlarmSource::Event => {
                for e in obj.master.iter().chain(&obj.overrides) {
                    widen(&e.alarms);
                }
            }
            AlarmSource::Own(alarms) => widen(alarms),
        }
    }
    // All-day reminders are shifted by the zone (at most a day either way), and
    // end-related ones by the length of the occurrence.
    let longest = obj
        .master
        .iter()
        .chain(&obj.overrides)
        .map(|e| e.length(Tz::UTC))
        .max()
        .unwrap_or_else(Duration::zero);
    let lead_before = (lead_before + Duration::days(1)).min(MAX_LEAD);
    let lead_after = (lead_after + Duration::days(1) + longest).min(MAX_LEAD);
    let instances = expand::occurrences(
        obj,
        after - lead_after,
        upto + lead_before + Duration::seconds(1),
        Tz::UTC,
        budget,
    )?;
    let master = obj.master.as_ref();
    for r in recipients {
        // Absolute alarms fire once for the whole event.
        let absolute: Vec<&Alarm> = match &r.alarms {
            AlarmSource::Event => master.map_or(Vec::new(), |m| {
                m.alarms
                    .iter()
                    .filter(|a| matches!(a.trigger, Trigger::At(_)))
                    .collect()
            }),
            AlarmSource::Own(_) => Vec::new(),
        };
        if let Some(m) = master {
            for alarm in absolute {
                if let Trigger::At(due) = alarm.trigger
                    && due > after
                    && due <= upto
                    && !acknowledged(alarm, m, None, due)
                {
                    let start = m.start.to_utc(r.zone);
                    out.push(due_of(r, m, alarm, start, due));
                }
            }
        }
        for i in &instances {
            budget.step()?;
            let alarms: &[Alarm] = match &r.alarms {
                AlarmSource::Event => event_alarms(obj, i.event),
                AlarmSource::Own(a) => a,
            };
            let all_day = i.event.start.is_date();
            let (start, end) = if all_day {
                (
                    local_midnight(i.start, r.zone),
                    local_midnight(i.end, r.zone),
                )
            } else {
                (i.start, i.end)
            };
            for alarm in alarms {
                let due = match alarm.trigger {
                    Trigger::BeforeStart(d) => start - d,
                    Trigger::BeforeEnd(d) => end - d,
                    Trigger::At(_) => continue,
                };
                if due > after && due <= upto && !acknowledged(alarm, i.event, master, due) {
                    out.push(due_of(r, i.event, alarm, start, due));
                }
            }
        }
    }
    out.sort_by_key(|d| d.due);
    out.truncate(max);
    Ok(out)
}

fn due_of(
    r: &Recipient,
    e: &EventData,
    alarm: &Alarm,
    start: DateTime<Utc>,
    due: DateTime<Utc>,
) -> Due {
    Due {
        user_id: r.user_id,
        occurrence_start: start,
        due,
        alarm: alarm.clone(),
        all_day: e.start.is_date(),
        title: e.summary.clone(),
        location: e.location.clone(),
        description: e.description.clone(),
    }
}

/// When the scheduler must look at this object again after `after`: the next due
/// reminder, a re-check date for a series whose next one is far away, or `None` when
/// nothing will ever be due.
pub fn next_due_after(
    obj: &EventObject,
    recipients: &[Recipient],
    after: DateTime<Utc>,
    endless: bool,
    budget: &mut Budget,
) -> Result<Option<DateTime<Utc>>, ExpandError> {
    if !has_alarms(obj, recipients) {
        return Ok(None);
    }
    for window in [Duration::days(2), Duration::days(60), MAX_LEAD] {
        if let Some(first) = due_between(obj, recipients, after, after + window, budget, 1)?.first()
        {
            return Ok(Some(first.due));
        }
    }
    Ok(endless.then(|| after + MAX_LEAD))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::ical::parse_object;

    fn budget() -> Budget {
        Budget::new(expand::Limits::default())
    }

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("time")
            .with_timezone(&Utc)
    }

    const WEEKLY_ZURICH: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:w\r\n\
        DTSTART;TZID=Europe/Zurich:20260319T090000\r\nDTEND;TZID=Europe/Zurich:20260319T100000\r\n\
        RRULE:FREQ=WEEKLY;COUNT=5\r\nEXDATE;TZID=Europe/Zurich:20260402T090000\r\nSUMMARY:Standup\r\n\
        BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:w\r\nRECURRENCE-ID;TZID=Europe/Zurich:20260409T090000\r\n\
        DTSTART;TZID=Europe/Zurich:20260409T140000\r\nDTEND;TZID=Europe/Zurich:20260409T150000\r\n\
        SUMMARY:Standup (moved)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    fn owner() -> Vec<Recipient> {
        vec![Recipient {
            user_id: 1,
            zone: chrono_tz::Europe::Zurich,
            alarms: AlarmSource::Event,
        }]
    }

    #[test]
    fn series_across_dst_skips_exdates_and_follows_moves() {
        let obj = parse_object(WEEKLY_ZURICH).expect("parses");
        let due = due_between(
            &obj,
            &owner(),
            t("2026-03-01T00:00:00Z"),
            t("2026-05-01T00:00:00Z"),
            &mut budget(),
            100,
        )
        .expect("expands");
        let times: Vec<String> = due.iter().map(|d| d.due.to_rfc3339()).collect();
        assert_eq!(
            times,
            [
                // 08:45 CET, then 08:45 CEST after the 29 March change; 2 April excluded;
                // 9 April moved to 14:00 and keeps the series' alarm.
                "2026-03-19T07:45:00+00:00",
                "2026-03-26T07:45:00+00:00",
                "2026-04-09T11:45:00+00:00",
                "2026-04-16T06:45:00+00:00",
            ]
        );
        assert_eq!(due[2].title, "Standup (moved)");
        let next = next_due_after(
            &obj,
            &owner(),
            t("2026-03-20T00:00:00Z"),
            false,
            &mut budget(),
        )
        .expect("expands");
        assert_eq!(next, Some(t("2026-03-26T07:45:00Z")));
        let none = next_due_after(
            &obj,
            &owner(),
            t("2026-04-17T00:00:00Z"),
            false,
            &mut budget(),
        )
        .expect("expands");
        assert_eq!(none, None);
    }

    #[test]
    fn all_day_reminders_use_the_users_zone_and_overlays_their_own_alarms() {
        let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:d\r\nDTSTART;VALUE=DATE:20260610\r\n\
            SUMMARY:Holiday\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let obj = parse_object(ics).expect("parses");
        let grantee = vec![Recipient {
            user_id: 2,
            zone: chrono_tz::America::New_York,
            alarms: AlarmSource::own(&[Reminder {
                before_minutes: 900, // the day before at 09:00
                channel: ksuite_common::ReminderChannel::Email,
                webhook_id: None,
            }]),
        }];
        let due = due_between(
            &obj,
            &grantee,
            t("2026-06-01T00:00:00Z"),
            t("2026-06-30T00:00:00Z"),
            &mut budget(),
            10,
        )
        .expect("expands");
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].due, t("2026-06-09T13:00:00Z")); // 09:00 EDT
        assert!(due[0].all_day);
        // The owner set no alarm: nothing for them.
        assert!(
            due_between(
                &obj,
                &owner(),
                t("2026-06-01T00:00:00Z"),
                t("2026-06-30T00:00:00Z"),
                &mut budget(),
                10
            )
            .expect("expands")
            .is_empty()
        );
    }

    #[test]
    fn acknowledged_alarms_do_not_fire() {
        let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260301T100000Z\r\nSUMMARY:x\r\n\
            X-MOZ-LASTACK:20260301T095000Z\r\n\
            BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\n\
            BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let obj = parse_object(ics).expect("parses");
        let due = due_between(
            &obj,
            &owner(),
            t("2026-03-01T00:00:00Z"),
            t("2026-03-02T00:00:00Z"),
            &mut budget(),
            10,
        )
        .expect("expands");
        assert_eq!(
            due.len(),
            1,
            "only the 09:55 alarm is after the last acknowledgement"
        );
        assert_eq!(due[0].due, t("2026-03-01T09:55:00Z"));
    }

    #[test]
    fn events_without_alarms_are_never_expanded() {
        let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:n\r\nDTSTART:20260301T100000Z\r\n\
            RRULE:FREQ=MINUTELY;INTERVAL=5\r\nSUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let obj = parse_object(ics).expect("parses");
        // A budget of no steps at all: any expansion would fail.
        let mut none = Budget::new(expand::Limits {
            steps: 0,
            ..expand::Limits::default()
        });
        let next = next_due_after(&obj, &owner(), t("2026-03-01T00:00:00Z"), true, &mut none);
        assert_eq!(
            next.expect("no expansion"),
            None,
            "an endless series without alarms needs no re-check"
        );
    }
}
