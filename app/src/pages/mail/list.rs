//! The message list: a folder's pages (newest first, "Load more" continues by keyset),
//! search results, or the deleted messages that can be restored.

use ksuite_common::MessageSummary;
use leptos::prelude::*;

use super::{MailState, Mode, Tool, ToolsChunk, bulk, shortcuts};
use crate::api;
use crate::components::ask::confirm;
use crate::i18n::{Key, error_message, fill, t, text};
use crate::state::prefs::use_prefs;

/// Where the conversation-list choice is kept.
const THREADS_KEY: &str = "ksuite.mail.threads";

/// Days deleted mail stays restorable (the server's default retention).
const RETENTION_DAYS: u32 = 30;

#[component]
pub fn MessageList(tools: ToolsChunk) -> impl IntoView {
    let prefs = use_prefs();
    let lang = prefs.lang;
    let state = expect_context::<MailState>();
    let items = RwSignal::new(Vec::<MessageSummary>::new());
    let next = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let query = RwSignal::new(String::new());
    let unread = RwSignal::new(false);
    let attachments = RwSignal::new(false);
    // One row per conversation, remembered on this device.
    let threads = RwSignal::new(crate::browser::local_flag(THREADS_KEY));
    let date_from = RwSignal::new(String::new());
    let date_to = RwSignal::new(String::new());
    let picks = bulk::Picks::new();
    let run = bulk::bulk_runner(state, picks);
    shortcuts::install(state, items, picks, run);
    // A new folder or search starts with nothing picked.
    Effect::new(move |_| {
        state.mode.track();
        picks.clear();
    });
    // A search opened from the URL (reload, back, a pasted link) shows its terms.
    Effect::new(move |_| {
        if let Some(Mode::Search {
            q,
            unread: u,
            attachments: a,
            from,
            to,
        }) = state.mode.get()
        {
            query.set(q);
            unread.set(u);
            attachments.set(a);
            date_from.set(from);
            date_to.set(to);
        }
    });

    // Reload the first page whenever the mode changes or something changed.
    Effect::new(move |_| {
        state.version.track();
        threads.track();
        let Some(mode) = state.mode.get() else {
            return;
        };
        leptos::task::spawn_local(async move {
            let result = match &mode {
                Mode::Folder(id) => api::mail::page(*id, None, threads.get_untracked())
                    .await
                    .map(|p| (p.messages, p.next)),
                Mode::Search {
                    q,
                    unread,
                    attachments,
                    from,
                    to,
                } => api::mail::search(q, *unread, *attachments, from, to)
                    .await
                    .map(|m| (m, None)),
                Mode::Deleted => api::mail::deleted().await.map(|m| (m, None)),
            };
            match result {
                Ok((list, more)) => {
                    items.set(list);
                    next.set(more);
                    error.set(None);
                }
                Err(e) => error.set(Some(error_message(lang.get_untracked(), &e))),
            }
        });
    });
    let load_more = move |_| {
        let (Some(Mode::Folder(id)), Some(cursor)) =
            (state.mode.get_untracked(), next.get_untracked())
        else {
            return;
        };
        leptos::task::spawn_local(async move {
            if let Ok(p) = api::mail::page(id, Some(cursor), threads.get_untracked()).await {
                items.update(|list| list.extend(p.messages));
                next.set(p.next);
            }
        });
    };
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        state.selected.set(None);
        state.mode.set(Some(Mode::Search {
            q: query.get_untracked(),
            unread: unread.get_untracked(),
            attachments: attachments.get_untracked(),
            from: date_from.get_untracked(),
            to: date_to.get_untracked(),
        }));
    };
    let row = move |m: MessageSummary| {
        let id = m.id;
        let current = move || state.selected.get() == Some(id);
        let from = m
            .from_name
            .clone()
            .or(m.from_address.clone())
            .unwrap_or_default();
        let subject = if m.subject.is_empty() {
            text(lang.get_untracked(), Key::NoSubject).to_string()
        } else {
            m.subject.clone()
        };
        let picked = move || picks.picked.with(|p| p.contains(&id));
        let pick_label = fill(
            text(lang.get_untracked(), Key::PickMessage),
            &[("subject", subject.clone())],
        );
        view! {
            <li class="message-row" class:picked=picked>
                <input type="checkbox" class="pick" data-testid="pick" aria-label=pick_label
                       prop:checked=picked
                       on:click=move |ev: leptos::ev::MouseEvent| {
                           let order: Vec<i64> = items.with_untracked(|l| l.iter().map(|m| m.id).collect());
                           picks.toggle(id, ev.shift_key(), &order);
                       } />
                <button type="button" class="message-item" class:unread=!m.seen class:selected=current
                        id=format!("msg-{id}") data-testid="message" on:click=move |_| state.selected.set(Some(id))>
                    <span class="from">{from}</span>
                    <span class="when">{prefs.datetime(m.received_at)}</span>
                    <span class="subject">
                        {m.flagged.then(|| view! { <span class="flag" aria-label=t(Key::FlagMessage)>"★ "</span> })}
                        {subject}
                        {m.thread_count.filter(|n| *n > 1).map(|n| view! { <span class="thread-count" data-testid="thread-count">{n}</span> })}
                        {m.has_attachments.then(|| view! { <span class="clip" aria-label=t(Key::Attachments)>" 📎"</span> })}
                    </span>
                    <span class="snippet">{m.snippet.clone()}</span>
                </button>
            </li>
        }
    };
    view! {
        <div class="mail-list card">
            <form class="mail-search" role="search" on:submit=search>
                <input type="search" aria-label=t(Key::SearchMail) placeholder=t(Key::SearchMail) bind:value=query />
                <button class="button small" type="submit">{t(Key::SearchMail)}</button>
                // Folded away until asked for: on a phone they pushed the first message
                // ~700 px down.
                <details class="search-options" data-testid="search-options">
                    <summary>{t(Key::SearchOptions)}</summary>
                    <label class="check"><input type="checkbox" bind:checked=unread />{t(Key::UnreadOnly)}</label>
                    <label class="check"><input type="checkbox" bind:checked=attachments />{t(Key::WithAttachments)}</label>
                    <label class="date">{t(Key::DateFrom)}<input type="date" data-testid="search-from" bind:value=date_from /></label>
                    <label class="date">{t(Key::DateTo)}<input type="date" data-testid="search-to" bind:value=date_to /></label>
                </details>
            </form>
            <Show when=move || matches!(state.mode.get(), Some(Mode::Folder(_)))>
                <label class="check threads-toggle">
                    <input type="checkbox" data-testid="threads-toggle" prop:checked=move || threads.get()
                           on:change=move |ev| {
                               let on = event_target_checked(&ev);
                               crate::browser::set_local_flag(THREADS_KEY, on);
                               threads.set(on);
                           } />
                    {t(Key::Conversations)}
                </label>
            </Show>
            {move || match state.mode.get() {
                Some(Mode::Deleted) => Some(view! {
                    <h2>{t(Key::DeletedMail)}</h2>
                    <p class="muted">{fill(text(lang.get(), Key::DeletedMailHelp), &[("days", RETENTION_DAYS.to_string())])}</p>
                }.into_any()),
                Some(Mode::Search { .. }) => Some(view! { <h2>{t(Key::SearchResults)}</h2> }.into_any()),
                Some(Mode::Folder(id)) if state.folders.get().iter().any(|f| f.id == id && f.role.as_deref() == Some("trash") && f.total > 0) => Some(view! {
                    <button type="button" class="button small danger empty-trash" data-testid="empty-trash" on:click=move |_| {
                        confirm(text(lang.get_untracked(), Key::ConfirmEmptyTrash), Key::EmptyTrash, move || {
                            leptos::task::spawn_local(async move {
                                match api::mail::empty_folder(id).await {
                                    Ok(_) => { state.selected.set(None); state.changed(); }
                                    Err(e) => error.set(Some(error_message(lang.get_untracked(), &e))),
                                }
                            });
                        });
                    }>{t(Key::EmptyTrash)}</button>
                }.into_any()),
                _ => None,
            }}
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert">{move || error.get()}</p>
            </Show>
            <Show when=move || !matches!(state.mode.get(), Some(Mode::Deleted))>
                {crate::lazy::quiet_chunk_view(tools, Tool::Bulk(bulk::BarArgs { items, next, threads, picks, run }))}
            </Show>
            {move || {
                let list = items.get();
                if list.is_empty() {
                    view! { <p class="empty">{t(Key::NoMessages)}</p> }.into_any()
                } else {
                    view! { <ul class="message-items" data-testid="message-list">{list.into_iter().map(row).collect_view()}</ul> }.into_any()
                }
            }}
            <Show when=move || next.get().is_some()>
                <button type="button" class="button small" on:click=load_more>{t(Key::LoadMore)}</button>
            </Show>
            <details class="shortcuts-help">
                <summary>{t(Key::KeyboardShortcuts)}</summary>
                <p class="hint">{t(Key::ShortcutsHelp)}</p>
            </details>
        </div>
    }
}
