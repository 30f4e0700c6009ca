//! "Bring mail from another account": the form that starts copying an old IMAP account
//! into one of the user's addresses, and the fetches with their progress, refreshed
//! every two seconds while one is under way.

use std::time::Duration;

use ksuite_common::{FetchSecurity, MailFetch, MailFetchState, NewMailFetch};
use leptos::prelude::*;

use crate::api;
use crate::components::refusal::Refusal;
use crate::i18n::{Key, fill, t, text};
use crate::state::prefs::use_prefs;

#[component]
pub fn FetchCard() -> impl IntoView {
    let lang = use_prefs().lang;
    let addresses = LocalResource::new(api::mail::addresses);
    let start = Action::new_local(|req: &NewMailFetch| api::mail::start_fetch(req.clone()));
    let tick = RwSignal::new(0u32);
    let list = LocalResource::new(move || {
        tick.track();
        start.version().track();
        api::mail::fetches()
    });
    // While a fetch waits or runs, look again in two seconds.
    Effect::new(move |_| {
        let active = list.get().and_then(Result::ok).is_some_and(|l| {
            l.iter()
                .any(|f| matches!(f.state, MailFetchState::Waiting | MailFetchState::Running))
        });
        if active {
            set_timeout(move || tick.update(|n| *n += 1), Duration::from_secs(2));
        }
    });
    let address = RwSignal::new(String::new());
    let host = RwSignal::new(String::new());
    let port = RwSignal::new("993".to_string());
    let starttls = RwSignal::new(false);
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let chosen = address.get_untracked();
        let first = addresses
            .get_untracked()
            .and_then(Result::ok)
            .and_then(|l| l.into_iter().find(|a| a.permission != "read"))
            .map(|a| a.address)
            .unwrap_or_default();
        start.dispatch(NewMailFetch {
            address: if chosen.is_empty() { first } else { chosen },
            host: host.get_untracked(),
            port: port.get_untracked().trim().parse().unwrap_or(0),
            security: if starttls.get_untracked() {
                FetchSecurity::StartTls
            } else {
                FetchSecurity::Tls
            },
            username: username.get_untracked(),
            password: password.get_untracked(),
        });
        password.set(String::new());
    };
    let status = move |f: &MailFetch| {
        let lang = lang.get();
        match f.state {
            MailFetchState::Waiting => text(lang, Key::FetchWaiting).to_string(),
            MailFetchState::Running => fill(
                text(lang, Key::FetchRunning),
                &[("done", f.done.to_string()), ("total", f.total.to_string())],
            ),
            MailFetchState::Done => fill(
                text(lang, Key::FetchDone),
                &[
                    ("imported", f.imported.to_string()),
                    ("done", f.done.to_string()),
                ],
            ),
            MailFetchState::Failed => fill(
                text(lang, Key::FetchFailed),
                &[("error", f.error.clone().unwrap_or_default())],
            ),
        }
    };
    view! {
        <section class="card" aria-labelledby="fetch-title" data-testid="fetch-card">
            <h2 id="fetch-title">{t(Key::FetchTitle)}</h2>
            <p class="hint">{t(Key::FetchHint)}</p>
            <form class="settings-form mail-fetch" on:submit=submit>
                <label for="fetch-address">{t(Key::FetchInto)}</label>
                <select id="fetch-address" on:change=move |ev| address.set(event_target_value(&ev))>
                    {move || addresses.get().and_then(Result::ok).unwrap_or_default().into_iter()
                        .filter(|a| a.permission != "read")
                        .map(|a| view! { <option value=a.address.clone()>{a.address.clone()}</option> })
                        .collect_view()}
                </select>
                <label for="fetch-host">{t(Key::FetchHost)}</label>
                <input id="fetch-host" type="text" required maxlength="253" placeholder="imap.example.org" autocomplete="off" bind:value=host />
                <label for="fetch-port">{t(Key::FetchPort)}</label>
                <input id="fetch-port" type="number" class="narrow" required min="1" max="65535" bind:value=port />
                <label class="checkbox">
                    <input type="checkbox" bind:checked=starttls on:change=move |ev| {
                        port.set(if event_target_checked(&ev) { "143" } else { "993" }.to_string());
                    } />
                    {t(Key::FetchStartTls)}
                </label>
                <label for="fetch-user">{t(Key::FetchUser)}</label>
                <input id="fetch-user" type="text" required maxlength="320" autocomplete="off" bind:value=username />
                <label for="fetch-password">{t(Key::Password)}</label>
                <input id="fetch-password" type="password" required maxlength="1024" autocomplete="new-password" bind:value=password />
                <button class="button primary" type="submit" disabled=move || start.pending().get()>{t(Key::FetchStart)}</button>
            </form>
            {move || start.value().get().and_then(Result::err).map(|e| view! {
                <Refusal error=e />
            })}
            <ul class="app-password-list" data-testid="fetches">
                {move || list.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|f| view! {
                    <li class="app-password" data-testid="fetch">
                        <div>
                            <strong>{format!("{} @ {} → {}", f.username, f.host, f.address)}</strong>
                            <span class="muted" role="status">{status(&f)}</span>
                        </div>
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}
