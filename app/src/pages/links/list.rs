//! The user's links: search, sort, pages, and per-link actions. Search, sort and page live
//! in the URL (`/links?q=shop&sort=most_visited&page=2`).

use ksuite_common::{Link, LinkListQuery, LinkSort, UpdateLinkRequest};
use leptos::prelude::*;
use leptos_router::hooks::query_signal;

use super::{LinksVersion, copy_to_clipboard};
use crate::api;
use crate::components::ask::confirm;
use crate::components::refusal::Refusal;
use crate::i18n::{Key, error_message, fill, t, text};
use crate::state::prefs::use_prefs;

const PER_PAGE: u32 = 20;

const SORTS: [(LinkSort, &str, Key); 4] = [
    (LinkSort::Newest, "newest", Key::SortNewest),
    (LinkSort::Oldest, "oldest", Key::SortOldest),
    (LinkSort::MostVisited, "most_visited", Key::SortMostVisited),
    (LinkSort::Slug, "slug", Key::SortSlug),
];

#[component]
pub fn LinkList() -> impl IntoView {
    let version = expect_context::<LinksVersion>();
    let prefs = use_prefs();
    let lang = prefs.lang;
    let (search, set_search) = crate::state::query::search_param("q");
    let (sort_param, set_sort) = query_signal::<String>("sort");
    let sort = Signal::derive(move || {
        sort_param
            .get()
            .and_then(|code| SORTS.iter().find(|(_, c, _)| *c == code).map(|s| s.0))
            .unwrap_or(LinkSort::Newest)
    });
    // Every query signal is a String: one generic instantiation keeps the wasm smaller.
    let (page_param, set_page) = query_signal::<String>("page");
    let page = Signal::derive(move || {
        page_param
            .get()
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(1)
            .max(1)
    });
    // Page 1 is the plain address.
    let go_to_page = move |n: u32| set_page.set((n > 1).then(|| n.to_string()));
    let error = RwSignal::new(None::<String>);
    let links = LocalResource::new(move || {
        version.0.track();
        let query = LinkListQuery {
            q: Some(search.get()),
            sort: sort.get(),
            page: Some(page.get()),
            per_page: Some(PER_PAGE),
        };
        async move { api::links::list(&query).await }
    });

    view! {
        <section class="card link-list" aria-labelledby="links-list-title">
            <h2 id="links-list-title">{t(Key::YourLinks)}</h2>
            <form class="form-row list-tools" role="search" on:submit=|ev| ev.prevent_default()>
                <div>
                    <label for="link-search">{t(Key::SearchLinks)}</label>
                    <input id="link-search" type="search" prop:value=search
                           on:input=move |ev| {
                               set_search(event_target_value(&ev));
                               go_to_page(1);
                           } />
                </div>
                <div>
                    <label for="link-sort">{t(Key::SortBy)}</label>
                    <select id="link-sort" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        if let Some((s, code, _)) = SORTS.iter().find(|(_, code, _)| *code == v) {
                            set_sort.set((*s != LinkSort::Newest).then(|| code.to_string()));
                            go_to_page(1);
                        }
                    }>
                        {SORTS.into_iter().map(|(s, code, key)| view! {
                            <option value=code selected=move || sort.get() == s>{t(key)}</option>
                        }).collect_view()}
                    </select>
                </div>
            </form>
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert">{move || error.get()}</p>
            </Show>
            <Transition fallback=move || view! { <p>{t(Key::Loading)}</p> }>
                {move || links.get().map(|result| match result {
                    Err(err) => view! { <Refusal error=err /> }.into_any(),
                    Ok(list) if list.items.is_empty() => view! { <p class="empty">{t(Key::NoLinksYet)}</p> }.into_any(),
                    Ok(list) => {
                        let pages = list.total.div_ceil(u64::from(list.per_page)).max(1) as u32;
                        view! {
                            <ul class="links" data-testid="link-list">
                                {list.items.into_iter().map(|link| view! { <LinkRow link=link error=error /> }).collect_view()}
                            </ul>
                            <nav class="pager" aria-label=t(Key::Pages)>
                                <button class="button" type="button" disabled=move || { page.get() <= 1 }
                                        on:click=move |_| go_to_page(page.get_untracked().saturating_sub(1))>{t(Key::Previous)}</button>
                                <span>{move || fill(text(lang.get(), Key::PageOf), &[("page", page.get().to_string()), ("pages", pages.to_string())])}</span>
                                <button class="button" type="button" disabled=move || { page.get() >= pages }
                                        on:click=move |_| go_to_page(page.get_untracked() + 1)>{t(Key::Next)}</button>
                            </nav>
                        }.into_any()
                    }
                })}
            </Transition>
        </section>
    }
}

/// A write from a link's row.
#[derive(Clone)]
enum RowChange {
    Update(UpdateLinkRequest),
    Delete,
}

#[component]
fn LinkRow(link: Link, error: RwSignal<Option<String>>) -> impl IntoView {
    let version = expect_context::<LinksVersion>();
    let prefs = use_prefs();
    let lang = prefs.lang;
    let copied = RwSignal::new(false);
    let stats_open = RwSignal::new(false);
    let qr_open = RwSignal::new(false);
    let id = link.id;
    let enabled = link.enabled;
    let expired = link
        .expires_at
        .is_some_and(|t| t <= (js_sys::Date::now() / 1000.0) as i64);
    let status = if !enabled {
        ("badge off", Key::StatusDisabled)
    } else if expired {
        ("badge off", Key::StatusExpired)
    } else {
        ("badge on", Key::StatusActive)
    };
    let expires_at = link.expires_at;
    let short = link.short_url.clone();
    let short_for_qr = link.short_url.clone();
    let slug = link.slug.clone();
    let current_url = link.url.clone();

    // The row's writes: an Action, so its buttons wait while one is on its way and a
    // refusal is the list's error; each answer reloads the list.
    let change = Action::new_local(move |c: &RowChange| {
        let c = c.clone();
        async move {
            match c {
                RowChange::Update(req) => api::links::update(id, &req).await.map(drop),
                RowChange::Delete => api::links::delete(id).await,
            }
        }
    });
    Effect::new(move |_| match change.value().get() {
        Some(Ok(())) => {
            error.set(None);
            version.bump();
        }
        Some(Err(err)) => error.set(Some(error_message(lang.get_untracked(), &err))),
        None => {}
    });
    let busy = move || change.pending().get();
    let apply = move |req: UpdateLinkRequest| {
        change.dispatch(RowChange::Update(req));
    };
    let toggle = move |_| {
        apply(UpdateLinkRequest {
            enabled: Some(!enabled),
            ..Default::default()
        })
    };
    // The new target is typed in the row (the browser's prompt box is unstyled,
    // untranslated and blocked in installed apps on some systems).
    let editing = RwSignal::new(false);
    let new_target = RwSignal::new(current_url.clone());
    let save_target = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let url = new_target.get_untracked();
        if url.trim().is_empty() {
            return;
        }
        editing.set(false);
        apply(UpdateLinkRequest {
            url: Some(url),
            ..Default::default()
        });
    };
    let remove = move |_| {
        confirm(
            text(lang.get_untracked(), Key::ConfirmDeleteLink),
            Key::Delete,
            move || {
                change.dispatch(RowChange::Delete);
            },
        );
    };
    let copy = move |_| {
        copy_to_clipboard(&short);
        copied.set(true);
    };

    view! {
        <li class="link-row" data-testid="link-row" data-slug=link.slug.clone()>
            <div class="link-main">
                <a class="short-url" href=link.short_url.clone() target="_blank" rel="noopener">{link.short_url.clone()}</a>
                <span class=status.0>{t(status.1)}</span>
                {link.has_password.then(|| view! { <span class="badge">{t(Key::Protected)}</span> })}
                <p class="target" title=link.url.clone()>{link.url.clone()}</p>
                <p class="meta">
                    <span data-testid="visits">{link.visits}</span>" "{t(Key::VisitsLabel)}
                    {link.max_visits.map(|m| format!(" / {m}"))}
                    " · "
                    {move || match expires_at {
                        Some(ts) => format!("{} {}", text(lang.get(), Key::Expires), prefs.date(ts)),
                        None => text(lang.get(), Key::NeverExpires).to_string(),
                    }}
                </p>
            </div>
            <div class="actions">
                <button class="button small" type="button" on:click=copy>
                    {move || if copied.get() { t(Key::Copied)() } else { t(Key::Copy)() }}
                </button>
                <button class="button small" type="button" on:click=move |_| stats_open.update(|o| *o = !*o)
                        aria-expanded=move || stats_open.get().to_string()>{t(Key::ShowStats)}</button>
                <button class="button small" type="button" data-testid="show-qr" on:click=move |_| qr_open.update(|o| *o = !*o)
                        aria-expanded=move || qr_open.get().to_string()>{t(Key::QrCode)}</button>
                <button class="button small" type="button" data-testid="edit-target"
                        on:click=move |_| editing.update(|e| *e = !*e)
                        aria-expanded=move || editing.get().to_string()>{t(Key::EditTarget)}</button>
                <button class="button small" type="button" disabled=busy on:click=toggle>
                    {if enabled { t(Key::Disable)() } else { t(Key::Enable)() }}
                </button>
                <button class="button small danger" type="button" disabled=busy on:click=remove>{t(Key::Delete)}</button>
            </div>
            <Show when=move || editing.get()>
                <form class="form-row target-form" on:submit=save_target>
                    <div>
                        <label for=format!("target-{id}")>{t(Key::NewTargetPrompt)}</label>
                        <input id=format!("target-{id}") type="url" required bind:value=new_target />
                    </div>
                    <button class="button small primary" type="submit">{t(Key::Save)}</button>
                    <button class="button small" type="button" on:click=move |_| editing.set(false)>{t(Key::Cancel)}</button>
                </form>
            </Show>
            <Show when=move || qr_open.get()>
                <super::LinkQr id=id slug=slug.clone() short_url=short_for_qr.clone() />
            </Show>
            <Show when=move || stats_open.get()>
                <LinkStatsView id=id />
            </Show>
        </li>
    }
}

#[component]
fn LinkStatsView(id: i64) -> impl IntoView {
    let stats = LocalResource::new(move || api::links::stats(id));
    view! {
        <div class="link-stats">
            <h3>{t(Key::VisitsPerDay)}</h3>
            {move || stats.get().and_then(Result::ok).map(|s| {
                let max = s.per_day.iter().map(|d| d.visits).max().unwrap_or(1).max(1);
                view! {
                    <ul class="bars">
                        {s.per_day.into_iter().rev().take(30).map(|d| {
                            let width = format!("width:{}%", d.visits * 100 / max);
                            view! { <li><span class="day">{d.day}</span><span class="bar" style=width></span><span>{d.visits}</span></li> }
                        }).collect_view()}
                    </ul>
                }
            })}
        </div>
    }
}
