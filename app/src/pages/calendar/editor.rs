//! The event editor dialog: create, edit the series or one occurrence, delete.

use chrono::{Duration, NaiveDateTime};
use ksuite_common::{CalendarAccess, EventDetail, EventInput, Occurrence};
use leptos::prelude::*;

use super::{CalendarCtx, date_text, dates};
use crate::api;
use crate::components::refusal::Refusal;
use crate::i18n::{Key, error_message, t};
use crate::state::prefs::use_prefs;

#[derive(Clone, Debug, PartialEq)]
pub enum EditorTarget {
    New { start: NaiveDateTime, all_day: bool },
    Existing { occurrence: Occurrence },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    One,
    All,
}

/// What a Delete removes of a repeating event.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Removal {
    One,
    Following,
    All,
}

/// The series `d` ending just before the occurrence `rid` (UTC `YYYYMMDDTHHMMSSZ`), or
/// `None` when `rid` is its first occurrence (nothing would be left).
fn ending_before(d: &EventDetail, rid: &str, user_tz: &str) -> Option<EventInput> {
    let rule = d.rrule.as_deref()?;
    let at = date_text::parse_basic_utc(rid)?;
    let first = parse_local(&d.start)?;
    // The series' start is local to its zone; the occurrence id is UTC.
    let at_local = if d.all_day {
        at
    } else {
        let zone = d.time_zone.as_deref().unwrap_or(user_tz);
        dates::local_time(at.and_utc().timestamp_millis() as f64, zone).unwrap_or(at)
    };
    let is_first = if d.all_day {
        at.date() <= first.date()
    } else {
        at_local <= first
    };
    if is_first {
        return None;
    }
    // RFC 5545: UNTIL is a date when the event is all-day, else a UTC time.
    let until = if d.all_day {
        date_text::basic_date(at.date() - Duration::days(1))
    } else {
        date_text::basic_utc(at - Duration::seconds(1))
    };
    let mut parts: Vec<&str> = rule
        .split(';')
        .filter(|p| {
            let name = p.split('=').next().unwrap_or("").trim();
            !name.eq_ignore_ascii_case("UNTIL") && !name.eq_ignore_ascii_case("COUNT")
        })
        .collect();
    let until = format!("UNTIL={until}");
    parts.push(&until);
    Some(EventInput {
        title: d.title.clone(),
        start: d.start.clone(),
        end: d.end.clone(),
        all_day: d.all_day,
        time_zone: d.time_zone.clone(),
        location: d.location.clone(),
        description: d.description.clone(),
        busy: d.busy,
        rrule: Some(parts.join(";")),
        reminders: None,
    })
}

const REPEATS: [(&str, Key); 6] = [
    ("", Key::RepeatNone),
    ("FREQ=DAILY", Key::RepeatDaily),
    ("FREQ=WEEKLY", Key::RepeatWeekly),
    ("FREQ=MONTHLY", Key::RepeatMonthly),
    ("FREQ=YEARLY", Key::RepeatYearly),
    ("custom", Key::RepeatCustom),
];

/// Values of the form fields.
#[derive(Clone)]
struct Fields {
    title: String,
    all_day: bool,
    start: NaiveDateTime,
    end: NaiveDateTime,
    tz: String,
    location: String,
    description: String,
    busy: bool,
    rule: String,
}

fn parse_local(s: &str) -> Option<NaiveDateTime> {
    date_text::parse_date_time(s)
        .or_else(|| date_text::parse_date(s).and_then(|d| d.and_hms_opt(0, 0, 0)))
}

fn from_detail(d: &EventDetail, user_tz: &str) -> Fields {
    let start = parse_local(&d.start).unwrap_or_default();
    let mut end = parse_local(&d.end).unwrap_or(start);
    if d.all_day {
        end -= Duration::days(1); // the form shows the inclusive last day
    }
    Fields {
        title: d.title.clone(),
        all_day: d.all_day,
        start,
        end,
        tz: d.time_zone.clone().unwrap_or_else(|| user_tz.to_string()),
        location: d.location.clone().unwrap_or_default(),
        description: d.description.clone().unwrap_or_default(),
        busy: d.busy,
        rule: d.rrule.clone().unwrap_or_default(),
    }
}

fn from_occurrence(o: &Occurrence, d: &EventDetail, tz: &str) -> Fields {
    let start = if o.all_day {
        date_text::parse_date(o.start.get(..10).unwrap_or("")).and_then(|x| x.and_hms_opt(0, 0, 0))
    } else {
        dates::local_of(&o.start, tz)
    }
    .unwrap_or_default();
    let end = if o.all_day {
        date_text::parse_date(o.end.get(..10).unwrap_or(""))
            .and_then(|x| x.and_hms_opt(0, 0, 0))
            .map(|e| e - Duration::days(1))
    } else {
        dates::local_of(&o.end, tz)
    }
    .unwrap_or(start);
    Fields {
        start,
        end,
        tz: tz.to_string(),
        rule: String::new(),
        title: o.title.clone(),
        ..from_detail(d, tz)
    }
}

#[component]
pub fn EventEditor(target: EditorTarget) -> impl IntoView {
    let ctx = expect_context::<CalendarCtx>();
    let detail = {
        let target = target.clone();
        LocalResource::new(move || {
            let target = target.clone();
            async move {
                match target {
                    EditorTarget::New { .. } => Ok(None),
                    EditorTarget::Existing { occurrence } => {
                        api::calendar::get_event(occurrence.calendar_id, &occurrence.uid)
                            .await
                            .map(Some)
                    }
                }
            }
        })
    };
    let close = move || ctx.editor.set(None);
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            close();
        }
    };
    view! {
        <div class="dialog-backdrop" on:click=move |_| close()>
            <div class="dialog card" role="dialog" aria-modal="true" aria-labelledby="editor-title"
                 on:click=|ev| ev.stop_propagation() on:keydown=on_key>
                <Transition fallback=move || view! { <p>{t(Key::Loading)}</p> }>
                    {move || {
                        let target = target.clone();
                        detail.get().map(move |r| match r {
                            Ok(d) => view! { <EditorForm target=target detail=d /> }.into_any(),
                            Err(e) => view! { <Refusal error=e /> }.into_any(),
                        })
                    }}
                </Transition>
            </div>
        </div>
    }
}

#[component]
fn EditorForm(target: EditorTarget, detail: Option<EventDetail>) -> impl IntoView {
    let ctx = expect_context::<CalendarCtx>();
    let lang = use_prefs().lang;
    let user_tz = ctx.tz.get_untracked();
    let occurrence = match &target {
        EditorTarget::Existing { occurrence } => Some(occurrence.clone()),
        EditorTarget::New { .. } => None,
    };
    let recurring = occurrence
        .as_ref()
        .is_some_and(|o| o.recurring && o.recurrence_id.is_some());
    let writable: Vec<_> = ctx
        .calendar_list()
        .into_iter()
        .filter(|c| c.access != CalendarAccess::Read)
        .collect();
    let read_only = occurrence
        .as_ref()
        .is_some_and(|o| !writable.iter().any(|c| c.id == o.calendar_id));
    let etag = detail.as_ref().map(|d| d.etag.clone()).unwrap_or_default();
    let existing_reminders = detail.as_ref().map(|d| d.reminders.clone());
    let detail_for_delete = detail.clone();
    let tz_for_delete = user_tz.clone();
    let initial = move |scope: Scope| -> Fields {
        match (&target, &detail) {
            (EditorTarget::New { start, all_day }, _) => Fields {
                title: String::new(),
                all_day: *all_day,
                start: *start,
                end: if *all_day {
                    *start
                } else {
                    *start + Duration::hours(1)
                },
                tz: user_tz.clone(),
                location: String::new(),
                description: String::new(),
                busy: true,
                rule: String::new(),
            },
            (EditorTarget::Existing { occurrence }, Some(d)) if scope == Scope::One => {
                from_occurrence(occurrence, d, &user_tz)
            }
            (_, Some(d)) => from_detail(d, &user_tz),
            (_, None) => unreachable_fields(),
        }
    };
    let scope = RwSignal::new(if recurring { Scope::One } else { Scope::All });
    let f = initial(scope.get_untracked());
    let title = RwSignal::new(f.title.clone());
    let all_day = RwSignal::new(f.all_day);
    let start_date = RwSignal::new(date_text::iso_date(f.start.date()));
    let start_time = RwSignal::new(date_text::hh_mm(f.start));
    let end_date = RwSignal::new(date_text::iso_date(f.end.date()));
    let end_time = RwSignal::new(date_text::hh_mm(f.end));
    let tz = RwSignal::new(f.tz.clone());
    let location = RwSignal::new(f.location.clone());
    let description = RwSignal::new(f.description.clone());
    let busy = RwSignal::new(f.busy);
    let rule = RwSignal::new(f.rule.clone());
    let repeat = RwSignal::new(repeat_choice(&f.rule));
    let calendar = RwSignal::new(
        occurrence
            .as_ref()
            .map(|o| o.calendar_id)
            .or_else(|| writable.first().map(|c| c.id))
            .unwrap_or(0),
    );
    let error = RwSignal::new(None::<String>);
    // Existing events show the user's reminders; new ones start with the calendar's
    // defaults (timed or all-day), following the calendar and all-day choices.
    let defaults_for = {
        let list = ctx.calendar_list();
        move |id: i64, ad: bool| {
            list.iter()
                .find(|c| c.id == id)
                .map(|c| {
                    if ad {
                        c.default_all_day_reminders.clone()
                    } else {
                        c.default_reminders.clone()
                    }
                })
                .unwrap_or_default()
        }
    };
    let reminders = RwSignal::new(
        existing_reminders
            .clone()
            .unwrap_or_else(|| defaults_for(calendar.get_untracked(), all_day.get_untracked())),
    );
    if existing_reminders.is_none() {
        Effect::new(move |first: Option<()>| {
            let (id, ad) = (calendar.get(), all_day.get());
            if first.is_some() {
                reminders.set(defaults_for(id, ad));
            }
        });
    }
    let hook_list = LocalResource::new(crate::api::reminders::webhooks);
    let webhooks = Signal::derive(move || hook_list.get().and_then(|r| r.ok()).unwrap_or_default());
    let fill = move |x: Fields| {
        title.set(x.title);
        all_day.set(x.all_day);
        start_date.set(date_text::iso_date(x.start.date()));
        start_time.set(date_text::hh_mm(x.start));
        end_date.set(date_text::iso_date(x.end.date()));
        end_time.set(date_text::hh_mm(x.end));
        tz.set(x.tz);
        location.set(x.location);
        description.set(x.description);
        busy.set(x.busy);
        repeat.set(repeat_choice(&x.rule));
        rule.set(x.rule);
    };
    let initial = StoredValue::new(initial);
    let choose_scope = move |s: Scope| {
        scope.set(s);
        fill(initial.with_value(|i| i(s)));
    };

    let input = move || -> EventInput {
        let ad = all_day.get_untracked();
        let (start, end) = if ad {
            // The API's end date is exclusive.
            let end = date_text::parse_date(&end_date.get_untracked())
                .map(|d| date_text::iso_date(d + Duration::days(1)))
                .unwrap_or_else(|| end_date.get_untracked());
            (start_date.get_untracked(), end)
        } else {
            (
                format!(
                    "{}T{}",
                    start_date.get_untracked(),
                    start_time.get_untracked()
                ),
                format!("{}T{}", end_date.get_untracked(), end_time.get_untracked()),
            )
        };
        let rrule = match repeat.get_untracked().as_str() {
            "" => None,
            "custom" => Some(rule.get_untracked()).filter(|r| !r.trim().is_empty()),
            preset => Some(preset.to_string()),
        };
        EventInput {
            title: title.get_untracked(),
            start,
            end,
            all_day: ad,
            time_zone: Some(tz.get_untracked()),
            location: Some(location.get_untracked()),
            description: Some(description.get_untracked()),
            busy: busy.get_untracked(),
            rrule: if scope.get_untracked() == Scope::One && recurring {
                None
            } else {
                rrule
            },
            // Reminders belong to the whole series.
            reminders: (scope.get_untracked() == Scope::All || !recurring)
                .then(|| reminders.get_untracked()),
        }
    };
    // Save and Delete are Actions: their buttons wait while one is on its way (a double
    // click created the event twice), and a refusal is the form's error.
    let occ_for_save = occurrence.clone();
    let etag_for_save = etag.clone();
    let saving = Action::new_local(move |(cal, body, one): &(i64, EventInput, bool)| {
        let (cal, body, one) = (*cal, body.clone(), *one);
        let (occ, etag) = (occ_for_save.clone(), etag_for_save.clone());
        async move {
            match &occ {
                None => api::calendar::create_event(cal, &body).await.map(drop),
                // A read-only calendar: only the user's own reminders change.
                Some(o) if read_only => api::reminders::set_event_reminders(
                    o.calendar_id,
                    &o.uid,
                    &body.reminders.clone().unwrap_or_default(),
                )
                .await
                .map(drop),
                Some(o) => {
                    let rid = if one {
                        o.recurrence_id.as_deref()
                    } else {
                        None
                    };
                    api::calendar::update_event(o.calendar_id, &o.uid, rid, &etag, &body)
                        .await
                        .map(drop)
                }
            }
        }
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if saving.pending().get_untracked() {
            return;
        }
        error.set(None);
        let one = scope.get_untracked() == Scope::One && recurring;
        saving.dispatch((calendar.get_untracked(), input(), one));
    };
    // Deleting asks in the dialog; a repeating event offers this one, this and the
    // following ones, or the whole series (as Google Calendar and Outlook do).
    let confirming = RwSignal::new(false);
    let occ_for_delete = occurrence.clone();
    let removing = Action::new_local(move |what: &Removal| {
        let what = *what;
        let (occ, etag) = (occ_for_delete.clone(), etag.clone());
        let (master, tz) = (detail_for_delete.clone(), tz_for_delete.clone());
        async move {
            let Some(o) = occ else {
                return Ok(());
            };
            let rid = o.recurrence_id.as_deref().filter(|_| recurring);
            match (what, rid, master) {
                (Removal::One, Some(rid), _) => {
                    api::calendar::delete_event(o.calendar_id, &o.uid, Some(rid), &etag).await
                }
                (Removal::Following, Some(rid), Some(d)) => match ending_before(&d, rid, &tz) {
                    Some(body) => {
                        api::calendar::update_event(o.calendar_id, &o.uid, None, &etag, &body)
                            .await
                            .map(drop)
                    }
                    // From the first occurrence on: the whole series.
                    None => api::calendar::delete_event(o.calendar_id, &o.uid, None, &etag).await,
                },
                _ => api::calendar::delete_event(o.calendar_id, &o.uid, None, &etag).await,
            }
        }
    });
    let answered = move |answer: Option<Result<(), api::ApiError>>| match answer {
        Some(Ok(())) => {
            ctx.editor.set(None);
            ctx.refresh();
        }
        Some(Err(e)) => {
            confirming.set(false);
            error.set(Some(error_message(lang.get_untracked(), &e)));
        }
        None => {}
    };
    Effect::new(move |_| answered(saving.value().get()));
    Effect::new(move |_| answered(removing.value().get()));
    let deleting = move || removing.pending().get();
    let remove = move |what: Removal| {
        if !removing.pending().get_untracked() {
            removing.dispatch(what);
        }
    };
    let is_new = occurrence.is_none();
    let zones = LocalResource::new(api::settings::time_zones);
    let many_calendars = writable.len() > 1;

    view! {
        <form class="editor" on:submit=save>
            <h2 id="editor-title">{if is_new { t(Key::NewEvent)() } else { t(Key::EditEvent)() }}</h2>
            <Show when=move || recurring>
                <fieldset class="scope">
                    <label class="radio"><input type="radio" name="scope" prop:checked=move || scope.get() == Scope::One
                        on:change=move |_| choose_scope(Scope::One) />{t(Key::ThisOccurrence)}</label>
                    <label class="radio"><input type="radio" name="scope" prop:checked=move || scope.get() == Scope::All
                        on:change=move |_| choose_scope(Scope::All) />{t(Key::AllOccurrences)}</label>
                </fieldset>
            </Show>
            // A read-only calendar's event: shown, not editable (only the user's reminders are).
            <fieldset class="bare" disabled=read_only>
            <label for="ev-title">{t(Key::EventTitle)}</label>
            <input id="ev-title" type="text" required maxlength="500" autofocus bind:value=title />
            <Show when=move || is_new && many_calendars>
                <label for="ev-calendar">{t(Key::Calendar2)}</label>
                <select id="ev-calendar" on:change=move |ev| if let Ok(id) = event_target_value(&ev).parse() { calendar.set(id) }>
                    {ctx.calendar_list().into_iter().filter(|c| c.access != CalendarAccess::Read).map(|c| view! {
                        <option value=c.id.to_string() selected=move || calendar.get() == c.id>{c.name.clone()}</option>
                    }).collect_view()}
                </select>
            </Show>
            <label class="radio"><input type="checkbox" bind:checked=all_day />{t(Key::AllDay)}</label>
            <div class="form-row">
                <div>
                    <label for="ev-start-date">{t(Key::Starts)}</label>
                    <input id="ev-start-date" type="date" required bind:value=start_date />
                    <Show when=move || !all_day.get()>
                        <input id="ev-start-time" type="time" aria-label=t(Key::Starts) required bind:value=start_time />
                    </Show>
                </div>
                <div>
                    <label for="ev-end-date">{t(Key::Ends)}</label>
                    <input id="ev-end-date" type="date" required bind:value=end_date />
                    <Show when=move || !all_day.get()>
                        <input id="ev-end-time" type="time" aria-label=t(Key::Ends) required bind:value=end_time />
                    </Show>
                </div>
            </div>
            <Show when=move || !all_day.get()>
                <label for="ev-tz">{t(Key::TimeZone)}</label>
                <input id="ev-tz" type="text" list="ev-tz-list" autocomplete="off" spellcheck="false" bind:value=tz />
                <datalist id="ev-tz-list">
                    {move || zones.get().and_then(Result::ok).unwrap_or_default().into_iter()
                        .map(|z| view! { <option value=z></option> }).collect_view()}
                </datalist>
            </Show>
            <Show when=move || !(recurring && scope.get() == Scope::One)>
                <label for="ev-repeat">{t(Key::Repeat)}</label>
                <select id="ev-repeat" on:change=move |ev| repeat.set(event_target_value(&ev))>
                    {REPEATS.into_iter().map(|(code, key)| view! {
                        <option value=code selected=move || repeat.get() == code>{t(key)}</option>
                    }).collect_view()}
                </select>
                <Show when=move || repeat.get() == "custom">
                    <input id="ev-rule" type="text" aria-label=t(Key::RepeatCustom) placeholder="FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10" bind:value=rule />
                </Show>
            </Show>
            <label for="ev-location">{t(Key::Location)}</label>
            <input id="ev-location" type="text" bind:value=location />
            <label for="ev-description">{t(Key::Description)}</label>
            <textarea id="ev-description" rows="3" bind:value=description></textarea>
            <label class="radio"><input type="checkbox" bind:checked=busy />{t(Key::Busy)}</label>
            </fieldset>
            <Show when=move || scope.get() == Scope::All || !recurring>
                <super::reminders::ReminderList reminders=reminders all_day=all_day webhooks=webhooks />
            </Show>
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert">{move || error.get()}</p>
            </Show>
            <Show when=move || !confirming.get()>
                <div class="dialog-actions">
                    {(!is_new && !read_only).then(|| view! {
                        <button type="button" class="button danger" data-testid="delete-event" on:click=move |_| confirming.set(true)>{t(Key::Delete)}</button>
                    })}
                    <span class="spacer"></span>
                    <button type="button" class="button" on:click=move |_| ctx.editor.set(None)>{t(Key::Cancel)}</button>
                    <button type="submit" class="button primary" disabled=move || saving.pending().get()>{t(Key::Save)}</button>
                </div>
            </Show>
            <Show when=move || confirming.get()>
                <div class="dialog-actions confirm-delete" role="group" aria-labelledby="confirm-delete-title" data-testid="confirm-delete">
                    <p id="confirm-delete-title">{if recurring { t(Key::DeleteRepeatingEvent) } else { t(Key::ConfirmDeleteEvent) }}</p>
                    {if recurring {
                        view! {
                            <button type="button" class="button danger" data-testid="delete-this" disabled=deleting on:click=move |_| remove(Removal::One)>{t(Key::ThisEvent)}</button>
                            <button type="button" class="button danger" data-testid="delete-following" disabled=deleting on:click=move |_| remove(Removal::Following)>{t(Key::ThisAndFollowing)}</button>
                            <button type="button" class="button danger" data-testid="delete-all" disabled=deleting on:click=move |_| remove(Removal::All)>{t(Key::AllEvents)}</button>
                        }.into_any()
                    } else {
                        view! {
                            <button type="button" class="button danger" data-testid="delete-confirm" disabled=deleting on:click=move |_| remove(Removal::All)>{t(Key::Delete)}</button>
                        }.into_any()
                    }}
                    <button type="button" class="button" on:click=move |_| confirming.set(false)>{t(Key::Cancel)}</button>
                </div>
            </Show>
        </form>
    }
}

/// Preset matching a stored rule, or "custom".
fn repeat_choice(rule: &str) -> String {
    let r = rule.trim();
    if r.is_empty() {
        return String::new();
    }
    REPEATS
        .iter()
        .find(|(code, _)| !code.is_empty() && *code == r)
        .map(|(c, _)| c.to_string())
        .unwrap_or_else(|| "custom".into())
}

fn unreachable_fields() -> Fields {
    Fields {
        title: String::new(),
        all_day: false,
        start: NaiveDateTime::default(),
        end: NaiveDateTime::default(),
        tz: "UTC".into(),
        location: String::new(),
        description: String::new(),
        busy: true,
        rule: String::new(),
    }
}
