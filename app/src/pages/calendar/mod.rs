//! Calendar: month, week, day and agenda views in the user's time zone; click a day or
//! slot to create, an event to edit. View and date live in the URL (`?view=&date=`).

pub(crate) mod date_text;
pub(crate) mod dates;
mod editor;
mod reminders;
mod sidebar;
mod views;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use ksuite_common::{CalendarInfo, Occurrence};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api;
use crate::i18n::{Key, t};
use crate::state::prefs::use_prefs;
use crate::state::session::use_session;
use dates::View;
pub use editor::EditorTarget;

/// Shared state of the calendar page.
#[derive(Clone, Copy)]
pub struct CalendarCtx {
    pub tz: Signal<String>,
    pub calendars: LocalResource<Result<Vec<CalendarInfo>, api::ApiError>>,
    /// Bumped after changes so calendars and events reload.
    pub version: RwSignal<u32>,
    pub editor: RwSignal<Option<EditorTarget>>,
    /// The address's query: `?cals=3,7` names the calendars shown (empty: none). Without
    /// it, each calendar's stored "shown" flag decides, so a bare /calendar shows what it
    /// showed last.
    pub query: Memo<leptos_router::params::ParamsMap>,
}

impl CalendarCtx {
    pub fn refresh(&self) {
        self.version.update(|v| *v += 1);
    }

    /// Whether `calendar`'s events are drawn: the address decides when it names calendars.
    pub fn is_shown(&self, calendar: &CalendarInfo) -> bool {
        self.query.with(|q| match q.get_str("cals") {
            Some(ids) => ids
                .split(',')
                .any(|id| id.trim().parse() == Ok(calendar.id)),
            None => calendar.visible,
        })
    }

    pub fn calendar_list(&self) -> Vec<CalendarInfo> {
        self.calendars
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
    }
}

/// An occurrence placed in local time.
#[derive(Clone, Debug, PartialEq)]
pub struct Placed {
    pub occ: Occurrence,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub color: String,
}

impl Placed {
    /// Whether it shows on `day` (end exclusive; zero-length events show on their day).
    pub fn on(&self, day: NaiveDate) -> bool {
        let day_start = day.and_hms_opt(0, 0, 0).unwrap_or_default();
        let day_end = day_start + Duration::days(1);
        self.start < day_end
            && (self.end > day_start || (self.end == self.start && self.start >= day_start))
    }
}

fn place(occ: Occurrence, tz: &str, color: String) -> Option<Placed> {
    let (start, end) = if occ.all_day {
        let d = |s: &str| date_text::parse_date(s.get(..10)?).and_then(|d| d.and_hms_opt(0, 0, 0));
        (d(&occ.start)?, d(&occ.end)?)
    } else {
        (
            dates::local_of(&occ.start, tz)?,
            dates::local_of(&occ.end, tz)?,
        )
    };
    Some(Placed {
        occ,
        start,
        end,
        color,
    })
}

fn is_small_screen() -> bool {
    web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|v| v.as_f64())
        .is_some_and(|w| w < 700.0)
}

/// The event editor is its own chunk: the grid paints first, the editor arrives meanwhile.
#[wasm_split_helpers::wasm_split(event_editor, fallible)]
fn editor_chunk() -> Result<crate::lazy::Build<EditorTarget>, crate::lazy::ChunkMissing> {
    Ok(|target| view! { <editor::EventEditor target=target /> }.into_any())
}

#[component]
pub fn CalendarPage() -> impl IntoView {
    // Fetched now, not on the first click: by the time an event is opened it is here.
    let editor = LocalResource::new(editor_chunk);
    let session = use_session();
    let lang = use_prefs().lang;
    let query = use_query_map();
    let navigate = use_navigate();
    let tz = Signal::derive(move || {
        session
            .user()
            .map(|u| u.time_zone)
            .unwrap_or_else(|| "UTC".into())
    });
    let version = RwSignal::new(0u32);
    let calendars = LocalResource::new(move || {
        version.track();
        api::calendar::calendars()
    });
    let ctx = CalendarCtx {
        tz,
        calendars,
        version,
        editor: RwSignal::new(None),
        query,
    };
    provide_context(ctx);

    let view = Signal::derive(move || {
        query
            .with(|q| q.get("view").and_then(|v| View::from_code(&v)))
            .unwrap_or(if is_small_screen() {
                View::Agenda
            } else {
                View::Month
            })
    });
    let anchor = Signal::derive(move || {
        query
            .with(|q| q.get("date").and_then(|d| date_text::parse_date(&d)))
            .unwrap_or_else(|| dates::today(&tz.get()))
    });
    let go = {
        let navigate = navigate.clone();
        move |v: View, d: NaiveDate| {
            // Other parameters (the calendars shown) stay as they are.
            let mut q = query.get_untracked();
            q.replace("view", v.code().to_string());
            q.replace("date", date_text::iso_date(d));
            navigate(
                &format!("/calendar{}", q.to_query_string()),
                Default::default(),
            )
        }
    };
    let go = StoredValue::new_local(go);
    let prev = move || {
        go.with_value(|g| {
            g(
                view.get_untracked(),
                dates::step(view.get_untracked(), anchor.get_untracked(), false),
            )
        })
    };
    let next = move || {
        go.with_value(|g| {
            g(
                view.get_untracked(),
                dates::step(view.get_untracked(), anchor.get_untracked(), true),
            )
        })
    };
    let today =
        move || go.with_value(|g| g(view.get_untracked(), dates::today(&tz.get_untracked())));
    let set_view = move |v: View| go.with_value(|g| g(v, anchor.get_untracked()));

    // Keyboard: ←/→ (or p/n) change period, t today, m/w/d/a switch views.
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        let typing = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
        if typing
            || ev.ctrl_key()
            || ev.meta_key()
            || ev.alt_key()
            || ctx.editor.get_untracked().is_some()
        {
            return;
        }
        match ev.key().as_str() {
            "ArrowLeft" | "p" => prev(),
            "ArrowRight" | "n" => next(),
            "t" => today(),
            "m" => set_view(View::Month),
            "w" => set_view(View::Week),
            "x" => set_view(View::ThreeDays),
            "d" => set_view(View::Day),
            "a" => set_view(View::Agenda),
            _ => {}
        }
    });
    on_cleanup(move || keys.remove());

    let occurrences = LocalResource::new(move || {
        version.track();
        let (first, last) = dates::visible_days(view.get(), anchor.get());
        let cals = calendars.get().and_then(Result::ok).unwrap_or_default();
        let ids: Vec<i64> = cals
            .iter()
            .filter(|c| ctx.is_shown(c))
            .map(|c| c.id)
            .collect();
        let colors: Vec<(i64, String)> = cals.iter().map(|c| (c.id, c.color.clone())).collect();
        let tz = tz.get();
        // A day of margin on both sides covers every time zone offset.
        let from = format!(
            "{}T00:00:00Z",
            date_text::iso_date(first - Duration::days(1))
        );
        let to = format!(
            "{}T00:00:00Z",
            date_text::iso_date(last + Duration::days(1))
        );
        async move {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let list = api::calendar::occurrences(&from, &to, &ids).await?;
            Ok::<_, api::ApiError>(
                list.into_iter()
                    .filter_map(|o| {
                        let color = colors
                            .iter()
                            .find(|(id, _)| *id == o.calendar_id)
                            .map(|(_, c)| c.clone())
                            .unwrap_or_default();
                        place(o, &tz, color)
                    })
                    .collect::<Vec<Placed>>(),
            )
        }
    });

    let title = move || {
        let l = lang.get().code();
        let a = anchor.get();
        match view.get() {
            View::Month => dates::format_date(a, l, &[("month", "long"), ("year", "numeric")]),
            View::Day => dates::format_date(
                a,
                l,
                &[
                    ("weekday", "long"),
                    ("day", "numeric"),
                    ("month", "long"),
                    ("year", "numeric"),
                ],
            ),
            View::Week | View::ThreeDays | View::Agenda => {
                let (s, e) = dates::visible_days(view.get(), a);
                format!(
                    "{} – {}",
                    dates::format_date(s, l, &[("day", "numeric"), ("month", "short")]),
                    dates::format_date(
                        e - Duration::days(1),
                        l,
                        &[("day", "numeric"), ("month", "short"), ("year", "numeric")]
                    )
                )
            }
        }
    };
    let view_button = move |v: View, key: Key| {
        view! {
            <button type="button" class=format!("button small view-{}", v.code()) aria-pressed=move || (view.get() == v).to_string()
                    class:selected=move || view.get() == v on:click=move |_| set_view(v)>{t(key)}</button>
        }
    };

    view! {
        <section class="page calendar-page" aria-labelledby="page-title">
            <div class="cal-toolbar">
                <h1 id="page-title" class="visually-hidden">{t(Key::Calendar)}</h1>
                <div class="cal-nav">
                    <button type="button" class="button small" on:click=move |_| today()>{t(Key::Today)}</button>
                    <button type="button" class="button small" aria-label=t(Key::Previous) on:click=move |_| prev()>"‹"</button>
                    <button type="button" class="button small" aria-label=t(Key::Next) on:click=move |_| next()>"›"</button>
                    <h2 class="cal-title" data-testid="cal-title" aria-live="polite">{title}</h2>
                </div>
                <div class="cal-views" role="group">
                    {view_button(View::Month, Key::ViewMonth)}
                    {view_button(View::Week, Key::ViewWeek)}
                    {view_button(View::ThreeDays, Key::ViewThreeDays)}
                    {view_button(View::Day, Key::ViewDay)}
                    {view_button(View::Agenda, Key::ViewAgenda)}
                </div>
                <button type="button" class="button primary small" data-testid="new-event" on:click=move |_| {
                    let start = anchor.get_untracked().and_hms_opt(9, 0, 0).unwrap_or_default();
                    ctx.editor.set(Some(EditorTarget::New { start, all_day: false }));
                }>{t(Key::NewEvent)}</button>
            </div>
            <div class="cal-layout">
                <sidebar::Sidebar />
                <div class="cal-main">
                    <Transition fallback=move || view! { <p>{t(Key::Loading)}</p> }>
                        {move || occurrences.get().map(|r| {
                            let items = r.unwrap_or_default();
                            let (first, last) = dates::visible_days(view.get(), anchor.get());
                            match view.get() {
                                View::Month => view! { <views::MonthView first=first anchor=anchor.get() items=items /> }.into_any(),
                                View::Week | View::ThreeDays | View::Day => view! { <views::TimeGrid first=first last=last items=items /> }.into_any(),
                                View::Agenda => view! { <views::AgendaView first=first last=last items=items /> }.into_any(),
                            }
                        })}
                    </Transition>
                </div>
            </div>
            {move || ctx.editor.get().map(|target| crate::lazy::chunk_view(editor, target))}
        </section>
    }
}
