//! The reminder list of the event editor: when (presets) and how (notification, e-mail,
//! or one of the user's chat webhooks), as many as wanted.

use ksuite_common::{Language, Reminder, ReminderChannel, TIMED_PRESETS, Webhook};
use leptos::prelude::*;

use crate::i18n::{Key, fill, t, text};
use crate::state::prefs::use_prefs;

/// All-day presets: on the day or days before, at 09:00 (minutes before midnight).
const ALL_DAY_PRESETS: [i32; 4] = [-540, 900, 2340, 9540];

/// "15 minutes before", "The day before at 09:00"…
pub fn when_label(lang: Language, minutes: i32, all_day: bool) -> String {
    let tr = |key| text(lang, key);
    if all_day {
        let days = (minutes + 1439).div_euclid(1440); // days before the event's day
        let at = (days * 1440 - minutes).rem_euclid(1440);
        let time = format!("{:02}:{:02}", at / 60, at % 60);
        return match days {
            0 => fill(tr(Key::ReminderOnDayAt), &[("time", time)]),
            1 => fill(tr(Key::ReminderDayBeforeAt), &[("time", time)]),
            n => fill(
                tr(Key::ReminderDaysBeforeAt),
                &[("n", n.to_string()), ("time", time)],
            ),
        };
    }
    let (n, one, many) = match minutes {
        0 => return tr(Key::ReminderAtStart).to_string(),
        m if m % 10080 == 0 => (m / 10080, Key::OneWeek, Key::Weeks),
        m if m % 1440 == 0 => (m / 1440, Key::OneDay, Key::Days),
        m if m % 60 == 0 => (m / 60, Key::OneHour, Key::Hours),
        m => (m, Key::OneMinute, Key::Minutes),
    };
    let amount = fill(
        tr(if n.abs() == 1 { one } else { many }),
        &[("n", n.abs().to_string())],
    );
    let template = if n > 0 {
        Key::ReminderBefore
    } else {
        Key::ReminderAfterStart
    };
    fill(tr(template), &[("amount", amount)])
}

fn channel_code(r: &Reminder) -> String {
    match (r.channel, r.webhook_id) {
        (ReminderChannel::Webhook, Some(id)) => format!("webhook:{id}"),
        (c, _) => c.code().to_string(),
    }
}

fn parse_channel(code: &str) -> (ReminderChannel, Option<i64>) {
    match code.strip_prefix("webhook:").and_then(|id| id.parse().ok()) {
        Some(id) => (ReminderChannel::Webhook, Some(id)),
        None => (
            ReminderChannel::from_code(code).unwrap_or(ReminderChannel::Notification),
            None,
        ),
    }
}

#[component]
pub fn ReminderList(
    reminders: RwSignal<Vec<Reminder>>,
    all_day: RwSignal<bool>,
    webhooks: Signal<Vec<Webhook>>,
    /// The list's heading.
    #[prop(default = Key::Reminders)]
    legend: Key,
) -> impl IntoView {
    let lang = use_prefs().lang;
    let add = move |_| {
        let before = if all_day.get_untracked() { 900 } else { 15 };
        reminders.update(|list| {
            list.push(Reminder {
                before_minutes: before,
                channel: ReminderChannel::Notification,
                webhook_id: None,
            })
        });
    };
    view! {
        <fieldset class="reminders" data-testid="reminders">
            <legend>{t(legend)}</legend>
            {move || {
                let list = reminders.get();
                let ad = all_day.get();
                let l = lang.get();
                if list.is_empty() {
                    return view! { <p class="hint">{t(Key::NoReminders)}</p> }.into_any();
                }
                list.into_iter().enumerate().map(|(i, r)| {
                    let mut times: Vec<i32> = if ad { ALL_DAY_PRESETS.to_vec() } else { TIMED_PRESETS.to_vec() };
                    if !times.contains(&r.before_minutes) {
                        times.push(r.before_minutes); // a custom time set elsewhere stays choosable
                    }
                    let current_channel = channel_code(&r);
                    let current_time = r.before_minutes.to_string();
                    view! {
                        <div class="row reminder">
                            <select aria-label=text(l, Key::ReminderTime) prop:value=current_time
                                on:change=move |e| {
                                    let v: i32 = event_target_value(&e).parse().unwrap_or(15);
                                    reminders.update(|list| if let Some(x) = list.get_mut(i) { x.before_minutes = v });
                                }>
                                {times.into_iter().map(|m| view! {
                                    <option value=m.to_string()>{when_label(l, m, ad)}</option>
                                }).collect_view()}
                            </select>
                            <select aria-label=text(l, Key::ReminderChannel) prop:value=current_channel
                                on:change=move |e| {
                                    let (channel, webhook_id) = parse_channel(&event_target_value(&e));
                                    reminders.update(|list| if let Some(x) = list.get_mut(i) {
                                        x.channel = channel;
                                        x.webhook_id = webhook_id;
                                    });
                                }>
                                <option value="notification">{text(l, Key::ReminderNotification)}</option>
                                <option value="email">{text(l, Key::ReminderEmail)}</option>
                                {webhooks.get().into_iter().map(|h| view! {
                                    <option value=format!("webhook:{}", h.id)>{h.name.clone()}</option>
                                }).collect_view()}
                            </select>
                            <button type="button" class="link" aria-label=text(l, Key::RemoveReminder)
                                on:click=move |_| reminders.update(|list| { if i < list.len() { list.remove(i); } })>"✕"</button>
                        </div>
                    }
                }).collect_view().into_any()
            }}
            <button type="button" class="button" on:click=add>{t(Key::AddReminder)}</button>
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        crate::i18n::install_all_for_tests();
        assert_eq!(when_label(Language::En, 15, false), "15 minutes before");
        assert_eq!(when_label(Language::En, 1440, false), "1 day before");
        assert_eq!(when_label(Language::Fr, 120, false), "2 heures avant");
        assert_eq!(
            when_label(Language::En, 900, true),
            "The day before at 09:00"
        );
        assert_eq!(when_label(Language::En, -540, true), "On the day at 09:00");
        assert_eq!(
            when_label(Language::Fr, 2340, true),
            "2 jours avant à 09:00"
        );
        assert_eq!(when_label(Language::De, 10080, false), "1 Woche vorher");
        assert_eq!(
            when_label(Language::Es, -30, false),
            "30 minutos después del inicio"
        );
    }
}
