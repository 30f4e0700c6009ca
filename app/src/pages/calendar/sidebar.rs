//! Calendar list: show/hide, colours, a new calendar, .ics import and export.

use ksuite_common::{CalendarAccess, CalendarInfo, CreateCalendarRequest, UpdateCalendarRequest};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::reminders::ReminderList;

use super::CalendarCtx;
use crate::api;
use crate::browser::{file_text, picked_files};
use crate::components::ask::confirm;
use crate::components::share_panel::SharePanel;
use crate::i18n::{Key, error_message, fill, t, text};
use crate::state::in_flight::InFlight;
use crate::state::prefs::use_prefs;

#[component]
pub fn Sidebar() -> impl IntoView {
    let ctx = expect_context::<CalendarCtx>();
    let settings = LocalResource::new(settings_chunk);
    let lang = use_prefs().lang;
    let message = RwSignal::new(None::<Result<String, String>>);
    // Leaving a calendar someone shared (the server removes only the share).
    let leave = Action::new_local(|id: &i64| api::calendar::delete_calendar(*id));
    Effect::new(move |_| match leave.value().get() {
        Some(Ok(())) => ctx.refresh(),
        Some(Err(e)) => message.set(Some(Err(error_message(lang.get_untracked(), &e)))),
        None => {}
    });
    let confirm_leave = move |id: i64| {
        confirm(
            text(lang.get_untracked(), Key::ConfirmLeaveShared),
            Key::LeaveShared,
            move || {
                leave.dispatch(id);
            },
        );
    };

    // Showing or hiding a calendar changes the address (reload, back and a pasted link keep
    // the choice) and the calendar's stored flag (what a bare /calendar shows next time).
    let query = ctx.query;
    let navigate = StoredValue::new_local(use_navigate());
    // A spawned task, not an Action: an Action of a new type costs this chunk kilobytes
    // (README, "Measured costs"), and nothing waits on this write.
    let remember = move |id: i64, visible: bool| {
        leptos::task::spawn_local(async move {
            let req = UpdateCalendarRequest {
                visible: Some(visible),
                ..Default::default()
            };
            if let Err(e) = api::calendar::update_calendar(id, &req).await {
                message.set(Some(Err(error_message(lang.get_untracked(), &e))));
            }
        });
    };
    let toggle = move |id: i64, visible: bool| {
        let calendars = ctx.calendar_list();
        let ids = |shown: &dyn Fn(&CalendarInfo) -> bool| {
            let ids: Vec<String> = calendars
                .iter()
                .filter(|c| shown(c))
                .map(|c| c.id.to_string())
                .collect();
            ids.join(",")
        };
        let mut q = query.get_untracked();
        if q.get_str("cals").is_none() {
            // The entry being left names what it showed, so Back returns to exactly that
            // (the stored flags change below).
            q.replace("cals", ids(&|c| ctx.is_shown(c)));
            crate::browser::replace_address(&format!("/calendar{}", q.to_query_string()));
        }
        q.replace(
            "cals",
            ids(&|c| if c.id == id { visible } else { ctx.is_shown(c) }),
        );
        let url = format!("/calendar{}", q.to_query_string());
        navigate.with_value(|go| go(&url, Default::default()));
        remember(id, visible);
    };
    view! {
        <aside class="cal-sidebar card" aria-labelledby="cal-list-title">
            <h2 id="cal-list-title">{t(Key::MyCalendars)}</h2>
            <ul class="cal-list">
                {move || ctx.calendar_list().into_iter().map(|c| {
                    let id = c.id;
                    let visible = ctx.is_shown(&c);
                    let style = format!("--event-color:{}", c.color);
                    let shared = c.owner_email.clone().map(|o| fill(text(lang.get(), Key::SharedBy), &[("owner", o)]));
                    view! {
                        <li style=style>
                            <label class="radio">
                                <input type="checkbox" prop:checked=visible on:change=move |_| toggle(id, !visible) />
                                <span class="swatch"></span>
                                <span>{c.name.clone()}</span>
                            </label>
                            {shared.map(|s| view! { <span class="hint">{s}</span> })}
                            <a class="export" href=format!("/api/calendars/{id}/export") download="">{t(Key::Export)}</a>
                            {(c.access == CalendarAccess::Owner).then(|| view! {
                                <details class="cal-settings">
                                    <summary>{t(Key::EditCalendar)}</summary>
                                    {crate::lazy::chunk_view(settings, c.clone())}
                                </details>
                            })}
                            {(c.access != CalendarAccess::Owner).then(|| view! {
                                <button type="button" class="button ghost small" data-testid="leave-calendar"
                                        on:click=move |_| confirm_leave(id)>{t(Key::LeaveShared)}</button>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            {crate::lazy::quiet_chunk_view(LocalResource::new(tools_chunk), ())}
            {outcome(message)}
        </aside>
    }
}

/// Making a calendar and importing an .ics file are part of the calendar settings' chunk:
/// the list of calendars paints first, these follow a moment later.
#[wasm_split_helpers::wasm_split(calendar_settings, fallible)]
fn tools_chunk() -> Result<crate::lazy::Build<()>, crate::lazy::ChunkMissing> {
    Ok(|()| view! { <CalendarTools /> }.into_any())
}

/// A new calendar and .ics import, with what came of them.
#[component]
fn CalendarTools() -> impl IntoView {
    let ctx = expect_context::<CalendarCtx>();
    let lang = use_prefs().lang;
    let new_name = RwSignal::new(String::new());
    let message = RwSignal::new(None::<Result<String, String>>);
    // Create is disabled while one is on its way (no twin calendars from a double click).
    let creating = InFlight::new();
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = new_name.get_untracked();
        if name.trim().is_empty() || !creating.begin() {
            return;
        }
        leptos::task::spawn_local(async move {
            let colors = [
                "#0b8043", "#d50000", "#f6bf26", "#8e24aa", "#039be5", "#f4511e",
            ];
            let color =
                colors[(js_sys::Math::random() * colors.len() as f64) as usize % colors.len()];
            match api::calendar::create_calendar(&CreateCalendarRequest {
                name,
                color: Some(color.into()),
            })
            .await
            {
                Ok(_) => {
                    new_name.set(String::new());
                    ctx.refresh();
                }
                Err(e) => message.set(Some(Err(error_message(lang.get_untracked(), &e)))),
            }
            creating.end();
        });
    };
    let import_into = RwSignal::new(0i64);
    let on_file = move |ev: leptos::ev::Event| {
        let Some(file) = picked_files(&ev).into_iter().next() else {
            return;
        };
        let target = import_into.get_untracked();
        let target = if target == 0 {
            ctx.calendar_list()
                .into_iter()
                .find(|c| c.is_default)
                .map(|c| c.id)
                .unwrap_or(0)
        } else {
            target
        };
        leptos::task::spawn_local(async move {
            let Some(ics) = file_text(&file).await else {
                message.set(Some(Err(
                    text(lang.get_untracked(), Key::FileUnreadable).to_string()
                )));
                return;
            };
            match api::calendar::import(target, ics).await {
                Ok(report) => {
                    let mut msg = fill(
                        text(lang.get_untracked(), Key::ImportDone),
                        &[
                            ("imported", report.imported.to_string()),
                            ("skipped", report.skipped.len().to_string()),
                        ],
                    );
                    for s in report.skipped.iter().take(5) {
                        msg.push_str(&format!(
                            " {}: {}.",
                            s.uid.clone().unwrap_or_default(),
                            s.reason
                        ));
                    }
                    message.set(Some(Ok(msg)));
                    ctx.refresh();
                }
                Err(e) => message.set(Some(Err(error_message(lang.get_untracked(), &e)))),
            }
        });
    };

    view! {
        <form class="new-calendar" on:submit=create>
            <label for="new-cal-name">{t(Key::NewCalendar)}</label>
            <input id="new-cal-name" type="text" maxlength="100" placeholder=move || text(lang.get(), Key::CalendarName) bind:value=new_name />
            <button type="submit" class="button small" disabled=move || creating.pending()>{t(Key::Create)}</button>
        </form>
        <div class="import">
            <label for="import-target">{t(Key::Import)}</label>
            <select id="import-target" on:change=move |ev| if let Ok(id) = event_target_value(&ev).parse() { import_into.set(id) }>
                {move || ctx.calendar_list().into_iter().filter(|c| c.access != CalendarAccess::Read).map(|c| view! {
                    <option value=c.id.to_string()>{c.name.clone()}</option>
                }).collect_view()}
            </select>
            <input type="file" accept=".ics,text/calendar" aria-label=t(Key::Import) data-testid="import-file" on:change=on_file />
        </div>
        {outcome(message)}
    }
}

/// What came of the last change made in the sidebar: done, or why not.
fn outcome(message: RwSignal<Option<Result<String, String>>>) -> impl IntoView {
    move || {
        message.get().map(|m| match m {
            Ok(s) => view! { <p class="form-ok" role="status">{s}</p> }.into_any(),
            Err(s) => view! { <p class="form-error" role="alert">{s}</p> }.into_any(),
        })
    }
}

/// The form behind "Edit calendar" is its own chunk: the calendar list paints first. It is
/// fetched when the sidebar is drawn, long before anyone opens one.
#[wasm_split_helpers::wasm_split(calendar_settings, fallible)]
fn settings_chunk() -> Result<crate::lazy::Build<CalendarInfo>, crate::lazy::ChunkMissing> {
    Ok(|calendar| view! { <CalendarSettings calendar=calendar /> }.into_any())
}

/// Rename, recolour, share or delete one of the user's own calendars.
#[component]
fn CalendarSettings(calendar: CalendarInfo) -> impl IntoView {
    let ctx = expect_context::<CalendarCtx>();
    let lang = use_prefs().lang;
    let id = calendar.id;
    let name = RwSignal::new(calendar.name.clone());
    let color = RwSignal::new(calendar.color.clone());
    let timed_defaults = RwSignal::new(calendar.default_reminders.clone());
    let all_day_defaults = RwSignal::new(calendar.default_all_day_reminders.clone());
    let (timed_kind, all_day_kind) = (RwSignal::new(false), RwSignal::new(true));
    let hooks = LocalResource::new(api::reminders::webhooks);
    let webhooks = Signal::derive(move || hooks.get().and_then(|r| r.ok()).unwrap_or_default());
    let error = RwSignal::new(None::<String>);
    let fail = move |e: api::ApiError| error.set(Some(error_message(lang.get_untracked(), &e)));
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let req = UpdateCalendarRequest {
            name: Some(name.get_untracked()),
            color: Some(color.get_untracked()),
            default_reminders: Some(timed_defaults.get_untracked()),
            default_all_day_reminders: Some(all_day_defaults.get_untracked()),
            ..Default::default()
        };
        leptos::task::spawn_local(async move {
            match api::calendar::update_calendar(id, &req).await {
                Ok(_) => ctx.refresh(),
                Err(e) => fail(e),
            }
        });
    };
    let delete = move |_| {
        confirm(
            text(lang.get_untracked(), Key::ConfirmDeleteCalendar),
            Key::DeleteCalendar,
            move || {
                leptos::task::spawn_local(async move {
                    match api::calendar::delete_calendar(id).await {
                        Ok(()) => ctx.refresh(),
                        Err(e) => fail(e),
                    }
                })
            },
        );
    };
    let is_default = calendar.is_default;
    view! {
        <form on:submit=save>
            <label for=format!("cal-name-{id}")>{t(Key::CalendarName)}</label>
            <input id=format!("cal-name-{id}") type="text" maxlength="100" bind:value=name />
            <label for=format!("cal-color-{id}")>{t(Key::Color)}</label>
            <input id=format!("cal-color-{id}") type="color" bind:value=color />
            <ReminderList reminders=timed_defaults all_day=timed_kind webhooks=webhooks legend=Key::DefaultReminders />
            <ReminderList reminders=all_day_defaults all_day=all_day_kind webhooks=webhooks legend=Key::DefaultAllDayReminders />
            <button type="submit" class="button small">{t(Key::Save)}</button>
        </form>
        <SharePanel base=format!("/api/calendars/{id}") input_id=format!("cal-share-{id}") />
        {(!is_default).then(|| view! {
            <button type="button" class="button small danger" on:click=delete>{t(Key::DeleteCalendar)}</button>
        })}
        {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
    }
}
