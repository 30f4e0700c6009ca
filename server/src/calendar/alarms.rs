//! VALARMs: reading the alarms of an event (ours and those other CalDAV clients set) and
//! writing the reminders the app edits as standard alarms, so that Thunderbird, Apple
//! Calendar and DAVx⁵ show ours and we fire theirs.

use chrono::{DateTime, Duration, Utc};
use icalendar::parser::{Component, Property};
use ksuite_common::{Reminder, ReminderChannel};

use super::time::{IcalTime, parse_duration};

/// Names our own properties of a VALARM: which of our channels it uses.
const CHANNEL_PROP: &str = "X-KSUITE-CHANNEL";
const WEBHOOK_PROP: &str = "X-KSUITE-WEBHOOK";

/// When an alarm fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// This long before the occurrence's start (negative: after).
    BeforeStart(Duration),
    /// This long before the occurrence's end.
    BeforeEnd(Duration),
    /// Once, at this instant (absolute triggers fire once, even on a series).
    At(DateTime<Utc>),
}

/// One alarm of an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alarm {
    pub trigger: Trigger,
    pub channel: ReminderChannel,
    pub webhook_id: Option<i64>,
    /// `ACKNOWLEDGED`: the alarm was dismissed at this instant (RFC 9074).
    pub acknowledged: Option<DateTime<Utc>>,
}

impl Alarm {
    /// A stable name of this alarm within its event, part of each delivery's
    /// idempotency key.
    pub fn key(&self) -> String {
        let trigger = match self.trigger {
            Trigger::BeforeStart(d) => format!("s{}", d.num_seconds()),
            Trigger::BeforeEnd(d) => format!("e{}", d.num_seconds()),
            Trigger::At(t) => format!("a{}", t.timestamp()),
        };
        format!(
            "{trigger}:{}:{}",
            self.channel.code(),
            self.webhook_id.unwrap_or(0)
        )
    }

    /// The reminder the app shows, for relative alarms on the start.
    pub fn as_reminder(&self) -> Option<Reminder> {
        match self.trigger {
            Trigger::BeforeStart(d) => Some(Reminder {
                before_minutes: i32::try_from(d.num_minutes()).ok()?,
                channel: self.channel,
                webhook_id: self.webhook_id,
            }),
            _ => None,
        }
    }

    pub fn from_reminder(r: &Reminder) -> Alarm {
        Alarm {
            trigger: Trigger::BeforeStart(Duration::minutes(i64::from(r.before_minutes))),
            channel: r.channel,
            webhook_id: r
                .webhook_id
                .filter(|_| r.channel == ReminderChannel::Webhook),
            acknowledged: None,
        }
    }
}

fn prop<'a>(c: &'a Component<'_>, name: &str) -> Option<&'a Property<'a>> {
    c.properties
        .iter()
        .find(|p| p.name.as_str().eq_ignore_ascii_case(name))
}

fn param<'a>(p: &'a Property<'_>, key: &str) -> Option<&'a str> {
    p.params
        .iter()
        .find(|x| x.key.as_str().eq_ignore_ascii_case(key))
        .and_then(|x| x.val.as_ref().map(|v| v.as_str()))
}

fn utc_instant(value: &str) -> Option<DateTime<Utc>> {
    match IcalTime::parse(value.trim(), None, None).ok()? {
        IcalTime::Utc(t) => Some(t),
        // Floating instants in alarms are rare; read them as UTC rather than drop them.
        IcalTime::Floating(n) => Some(n.and_utc()),
        _ => None,
    }
}

/// Reads one VALARM; `None` for alarms that cannot fire (no or unreadable trigger).
pub fn read_alarm(c: &Component<'_>) -> Option<Alarm> {
    let trigger = prop(c, "TRIGGER")?;
    let value = trigger.val.as_str().trim();
    let trigger = if param(trigger, "VALUE").is_some_and(|v| v.eq_ignore_ascii_case("DATE-TIME"))
        || !value.trim_start_matches(['-', '+']).starts_with('P')
    {
        Trigger::At(utc_instant(value)?)
    } else {
        // TRIGGER:-PT15M is 15 minutes *before*; we keep "before" positive.
        let offset = -parse_duration(value).ok()?;
        if param(trigger, "RELATED").is_some_and(|r| r.eq_ignore_ascii_case("END")) {
            Trigger::BeforeEnd(offset)
        } else {
            Trigger::BeforeStart(offset)
        }
    };
    let action = prop(c, "ACTION").map(|p| p.val.as_str().trim().to_ascii_uppercase());
    let ours =
        prop(c, CHANNEL_PROP).and_then(|p| ReminderChannel::from_code(p.val.as_str().trim()));
    let webhook_id = prop(c, WEBHOOK_PROP).and_then(|p| p.val.as_str().trim().parse().ok());
    let channel = match (ours, action.as_deref()) {
        (Some(ReminderChannel::Webhook), _) if webhook_id.is_some() => ReminderChannel::Webhook,
        (_, Some("EMAIL")) => ReminderChannel::Email,
        // DISPLAY, AUDIO, PROCEDURE and anything new: show it on the user's devices.
        _ => ReminderChannel::Notification,
    };
    Some(Alarm {
        trigger,
        channel,
        webhook_id: webhook_id.filter(|_| channel == ReminderChannel::Webhook),
        acknowledged: prop(c, "ACKNOWLEDGED").and_then(|p| utc_instant(p.val.as_str())),
    })
}

/// The alarms of a VEVENT/VTODO.
pub fn read_alarms(c: &Component<'_>) -> Vec<Alarm> {
    c.components
        .iter()
        .filter(|s| s.name.as_str().eq_ignore_ascii_case("VALARM"))
        .filter_map(read_alarm)
        .collect()
}

/// Thunderbird's "dismissed up to here" (`X-MOZ-LASTACK`) on the event.
pub fn last_ack(c: &Component<'_>) -> Option<DateTime<Utc>> {
    prop(c, "X-MOZ-LASTACK").and_then(|p| utc_instant(p.val.as_str()))
}

fn property(name: &str, value: &str) -> Property<'static> {
    Property {
        name: name.to_string().into(),
        val: value.to_string().into(),
        params: Vec::new(),
    }
}

/// An RFC 5545 duration of `minutes` before (`-PT15M`) or after (`PT1H`).
fn trigger_value(before_minutes: i32) -> String {
    let m = i64::from(before_minutes).abs();
    let sign = if before_minutes > 0 { "-" } else { "" };
    if m == 0 {
        "PT0S".into()
    } else if m % 1440 == 0 {
        format!("{sign}P{}D", m / 1440)
    } else {
        format!("{sign}PT{m}M")
    }
}

/// A VALARM for one of the app's reminders. E-mail alarms name the address they go to,
/// as RFC 5545 requires.
pub fn write_alarm(r: &Reminder, summary: &str, email: Option<&str>) -> Component<'static> {
    let action = if r.channel == ReminderChannel::Email {
        "EMAIL"
    } else {
        "DISPLAY"
    };
    let mut props = vec![
        property("ACTION", action),
        property("TRIGGER", &trigger_value(r.before_minutes)),
        property("DESCRIPTION", &super::ical::escape_text(summary)),
        property(CHANNEL_PROP, r.channel.code()),
    ];
    if r.channel == ReminderChannel::Email {
        props.push(property("SUMMARY", &super::ical::escape_text(summary)));
        if let Some(e) = email {
            props.push(property("ATTENDEE", &format!("mailto:{e}")));
        }
    }
    if let (ReminderChannel::Webhook, Some(id)) = (r.channel, r.webhook_id) {
        props.push(property(WEBHOOK_PROP, &id.to_string()));
    }
    Component {
        name: "VALARM".to_string().into(),
        properties: props,
        components: Vec::new(),
    }
}

/// Replaces the relative-to-start alarms of an event with `reminders`, keeping absolute
/// and end-related ones (set by other clients; the app does not edit them).
pub fn replace_alarms(
    event: &mut Component<'static>,
    reminders: &[Reminder],
    summary: &str,
    email: Option<&str>,
) {
    event.components.retain(|c| {
        !c.name.as_str().eq_ignore_ascii_case("VALARM")
            || read_alarm(c).is_some_and(|a| !matches!(a.trigger, Trigger::BeforeStart(_)))
    });
    event
        .components
        .extend(reminders.iter().map(|r| write_alarm(r, summary, email)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use icalendar::parser::{read_calendar, unfold};

    fn alarms_of(ics: &str) -> Vec<Alarm> {
        let unfolded = unfold(ics);
        let cal = read_calendar(&unfolded).expect("parses");
        read_alarms(&cal.components[0])
    }

    #[test]
    fn reads_client_alarms() {
        let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260301T100000Z\r\n\
            BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\n\
            BEGIN:VALARM\r\nACTION:EMAIL\r\nTRIGGER;RELATED=END:PT5M\r\nEND:VALARM\r\n\
            BEGIN:VALARM\r\nACTION:AUDIO\r\nTRIGGER;VALUE=DATE-TIME:20260301T080000Z\r\n\
            ACKNOWLEDGED:20260301T080100Z\r\nEND:VALARM\r\n\
            BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:nonsense\r\nEND:VALARM\r\n\
            END:VEVENT\r\nEND:VCALENDAR\r\n";
        let a = alarms_of(ics);
        assert_eq!(a.len(), 3);
        assert_eq!(a[0].trigger, Trigger::BeforeStart(Duration::minutes(15)));
        assert_eq!(a[0].channel, ReminderChannel::Notification);
        assert_eq!(a[1].trigger, Trigger::BeforeEnd(Duration::minutes(-5)));
        assert_eq!(a[1].channel, ReminderChannel::Email);
        assert!(matches!(a[2].trigger, Trigger::At(_)));
        assert!(a[2].acknowledged.is_some());
    }

    #[test]
    fn writes_what_it_reads() {
        for (minutes, value) in [
            (15, "-PT15M"),
            (0, "PT0S"),
            (1440, "-P1D"),
            (-540, "PT540M"),
        ] {
            assert_eq!(trigger_value(minutes), value);
            let r = Reminder {
                before_minutes: minutes,
                channel: ReminderChannel::Webhook,
                webhook_id: Some(7),
            };
            let c = write_alarm(&r, "Standup", None);
            let back = read_alarm(&c).expect("readable");
            assert_eq!(back.as_reminder(), Some(r));
        }
    }
}
