//! The month grid, the week/day time grid and the agenda list.

use chrono::{Datelike, Duration, NaiveDate, Timelike};
use leptos::prelude::*;

use super::date_text::{hh_mm, iso_date};
use super::dates::{self, format_date};
use super::{CalendarCtx, EditorTarget, Placed};
use crate::i18n::{Key, t};
use crate::state::prefs::use_prefs;

fn open(ctx: CalendarCtx, p: &Placed) -> impl Fn(leptos::ev::MouseEvent) + 'static + use<> {
    let occ = p.occ.clone();
    move |ev: leptos::ev::MouseEvent| {
        ev.stop_propagation();
        ctx.editor.set(Some(EditorTarget::Existing {
            occurrence: occ.clone(),
        }));
    }
}

/// "↻" on an occurrence of a repeating event, so it is told apart before opening it.
fn repeat_marker(p: &Placed) -> impl IntoView + use<> {
    p.occ.recurring.then(|| {
        view! { <span class="repeats" data-testid="repeats" role="img" aria-label=t(Key::Repeats) title=t(Key::Repeats)>"↻"</span> }
    })
}

fn time_label(p: &Placed) -> String {
    if p.occ.all_day {
        String::new()
    } else {
        hh_mm(p.start)
    }
}

#[component]
fn Chip(p: Placed) -> impl IntoView {
    let ctx = expect_context::<CalendarCtx>();
    let style = format!("--event-color:{}", p.color);
    let label = format!("{} {}", time_label(&p), p.occ.title);
    view! {
        <button type="button" class="event-chip" class:all-day=p.occ.all_day style=style data-testid="event"
                title=label.trim().to_string() on:click=open(ctx, &p)>
            <span class="time">{time_label(&p)}</span>
            <span class="name">{repeat_marker(&p)}{p.occ.title.clone()}</span>
        </button>
    }
}

#[component]
pub fn MonthView(first: NaiveDate, anchor: NaiveDate, items: Vec<Placed>) -> impl IntoView {
    let ctx = expect_context::<CalendarCtx>();
    let lang = use_prefs().lang;
    let today = dates::today(&ctx.tz.get_untracked());
    let weekdays = (0..7)
        .map(|i| view! { <div class="weekday">{move || format_date(first + Duration::days(i), lang.get().code(), &[("weekday", "short")])}</div> })
        .collect_view();
    let days = (0..42)
        .map(|i| {
            let day = first + Duration::days(i);
            let mut list: Vec<Placed> = items.iter().filter(|p| p.on(day)).cloned().collect();
            list.sort_by_key(|p| (!p.occ.all_day, p.start));
            let more = list.len().saturating_sub(3);
            let shown: Vec<Placed> = list.into_iter().take(3).collect();
            let create = move |_| {
                let start = day.and_hms_opt(9, 0, 0).unwrap_or_default();
                ctx.editor.set(Some(EditorTarget::New { start, all_day: false }));
            };
            view! {
                <div class="month-cell" class:other=day.month() != anchor.month() class:today=day == today
                     data-date=iso_date(day) on:click=create>
                    <span class="day-number">{day.day()}</span>
                    {shown.into_iter().map(|p| view! { <Chip p=p /> }).collect_view()}
                    {(more > 0).then(|| view! { <span class="more">{format!("+{more}")}</span> })}
                </div>
            }
        })
        .collect_view();
    view! {
        <div class="month-grid" data-testid="month-view">
            {weekdays}
            {days}
        </div>
    }
}

const HOUR_PX: i64 = 44;
/// The hour the day and week views open at.
const WORKDAY_START_HOUR: i64 = 8;

#[component]
pub fn TimeGrid(first: NaiveDate, last: NaiveDate, items: Vec<Placed>) -> impl IntoView {
    let ctx = expect_context::<CalendarCtx>();
    let lang = use_prefs().lang;
    let today = dates::today(&ctx.tz.get_untracked());
    let count = (last - first).num_days().max(1);
    let days: Vec<NaiveDate> = (0..count).map(|i| first + Duration::days(i)).collect();
    let cols = format!("grid-template-columns: 3.5em repeat({count}, minmax(0, 1fr))");
    let header = days
        .iter()
        .map(|d| {
            let d = *d;
            view! { <div class="tg-head" class:today=d == today>{move || format_date(d, lang.get().code(), &[("weekday", "short"), ("day", "numeric")])}</div> }
        })
        .collect_view();
    let all_day = days
        .iter()
        .map(|d| {
            let list: Vec<Placed> = items.iter().filter(|p| p.occ.all_day && p.on(*d)).cloned().collect();
            view! { <div class="tg-allday">{list.into_iter().map(|p| view! { <Chip p=p /> }).collect_view()}</div> }
        })
        .collect_view();
    let hours = (0..24).map(|h| view! { <div class="tg-hour" style=format!("height:{HOUR_PX}px")>{format!("{h:02}:00")}</div> }).collect_view();
    let columns = days
        .iter()
        .map(|d| {
            let d = *d;
            let slots = (0..24)
                .map(|h| {
                    let create = move |_| {
                        let start = d.and_hms_opt(h, 0, 0).unwrap_or_default();
                        ctx.editor.set(Some(EditorTarget::New { start, all_day: false }));
                    };
                    view! { <button type="button" class="tg-slot" style=format!("height:{HOUR_PX}px")
                                    data-slot=format!("{}T{h:02}", iso_date(d))
                                    aria-label=format!("{} {h:02}:00", iso_date(d)) on:click=create></button> }
                })
                .collect_view();
            let events = items
                .iter()
                .filter(|p| !p.occ.all_day && p.on(d))
                .map(|p| {
                    let day_start = d.and_hms_opt(0, 0, 0).unwrap_or_default();
                    let s = p.start.max(day_start);
                    let e = p.end.min(day_start + Duration::days(1));
                    let top = i64::from(s.hour()) * HOUR_PX + i64::from(s.minute()) * HOUR_PX / 60;
                    let height = ((e - s).num_minutes() * HOUR_PX / 60).max(18);
                    let style = format!("top:{top}px;height:{height}px;--event-color:{}", p.color);
                    view! {
                        <button type="button" class="tg-event" style=style data-testid="event" on:click=open(ctx, p)>
                            <span class="time">{hh_mm(p.start)}</span>
                            <span class="name">{repeat_marker(p)}{p.occ.title.clone()}</span>
                        </button>
                    }
                })
                .collect_view();
            view! { <div class="tg-col">{slots}{events}</div> }
        })
        .collect_view();
    // Open at the working day (08:00), or earlier when an event starts earlier, as desktop
    // calendars do; the night hours stay a scroll away.
    let first_hour = items
        .iter()
        .filter(|p| !p.occ.all_day && p.start.date() >= first && p.start.date() < last)
        .map(|p| i64::from(p.start.hour()))
        .min()
        .unwrap_or(WORKDAY_START_HOUR)
        .min(WORKDAY_START_HOUR);
    let body = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if let Some(el) = body.get() {
            el.set_scroll_top((first_hour * HOUR_PX) as i32);
        }
    });
    view! {
        <div class="time-grid" data-testid="time-grid">
            <div class="tg-row" style=cols.clone()><div></div>{header}</div>
            <div class="tg-row" style=cols.clone()><div class="tg-allday-label">{t(Key::AllDay)}</div>{all_day}</div>
            <div class="tg-body" style=cols node_ref=body data-testid="time-grid-body"><div class="tg-hours">{hours}</div>{columns}</div>
        </div>
    }
}

#[component]
pub fn AgendaView(first: NaiveDate, last: NaiveDate, items: Vec<Placed>) -> impl IntoView {
    let ctx = expect_context::<CalendarCtx>();
    let lang = use_prefs().lang;
    let days: Vec<(NaiveDate, Vec<Placed>)> = (0..(last - first).num_days())
        .map(|i| first + Duration::days(i))
        .map(|d| {
            let mut list: Vec<Placed> = items.iter().filter(|p| p.on(d)).cloned().collect();
            list.sort_by_key(|p| (!p.occ.all_day, p.start));
            (d, list)
        })
        .filter(|(_, l)| !l.is_empty())
        .collect();
    if days.is_empty() {
        return view! { <p class="empty" data-testid="agenda-view">{t(Key::NoEvents)}</p> }
            .into_any();
    }
    view! {
        <ol class="agenda" data-testid="agenda-view">
            {days.into_iter().map(|(d, list)| view! {
                <li class="agenda-day">
                    <h3>{move || format_date(d, lang.get().code(), &[("weekday", "long"), ("day", "numeric"), ("month", "long")])}</h3>
                    <ul>
                        {list.into_iter().map(|p| {
                            let time = if p.occ.all_day { t(Key::AllDay)().to_string() }
                                       else { format!("{} – {}", hh_mm(p.start), hh_mm(p.end)) };
                            let style = format!("--event-color:{}", p.color);
                            view! {
                                <li>
                                    <button type="button" class="agenda-item" style=style data-testid="event" on:click=open(ctx, &p)>
                                        <span class="time">{time}</span>
                                        <span class="name">{repeat_marker(&p)}{p.occ.title.clone()}</span>
                                        {p.occ.location.clone().map(|l| view! { <span class="where">{l}</span> })}
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </li>
            }).collect_view()}
        </ol>
    }
    .into_any()
}
