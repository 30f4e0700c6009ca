//! The signed-in layout: top bar, navigation (side bar on wide screens, tab bar on
//! phones) and the page outlet. Visitors without a session are sent to the login page.

use leptos::prelude::*;
use leptos_router::components::{A, Outlet, Redirect};
use leptos_router::hooks::{use_location, use_navigate};

use crate::api;
use crate::components::icon::{Icon, IconSvg};
use crate::components::language_select::LanguageSelect;
use crate::i18n::{Key, t};
use crate::state::session::use_session;

const NAV: [(&str, Key, Icon); 5] = [
    ("/mail", Key::Mail, Icon::Mail),
    ("/calendar", Key::Calendar, Icon::Calendar),
    ("/contacts", Key::Contacts, Icon::Contacts),
    ("/links", Key::Links, Icon::Links),
    ("/settings", Key::Settings, Icon::Settings),
];

#[component]
pub fn Shell() -> impl IntoView {
    let session = use_session();
    view! {
        <Show
            when=move || session.loaded.get()
            fallback=|| view! { <p class="splash" role="status">{t(Key::Loading)}</p> }
        >
            <Show when=move || session.signed_in() fallback=|| view! { <Redirect path="/login" /> }>
                <SignedInShell />
            </Show>
        </Show>
    }
}

#[component]
fn SignedInShell() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let location = use_location();
    let online = online_signal();
    let install = expect_context::<crate::pwa::InstallAvailable>();
    let update = expect_context::<crate::pwa::UpdateReady>();
    let logout = move |_| {
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            // Even if the server cannot be reached, forget the session locally.
            let _ = api::auth::logout().await;
            session.set_user(None);
            navigate("/login", Default::default());
        });
    };
    let name = move || session.user().map(|u| u.display_name).unwrap_or_default();
    view! {
        <a class="skip-link" href="#main">{t(Key::SkipToContent)}</a>
        <div class="shell">
            <header class="topbar">
                <a class="brand" href="/mail">"ksuite"</a>
                <div class="topbar-actions">
                    <Show when=move || install.0.get()>
                        <button class="button small" type="button" on:click=move |_| crate::pwa::prompt_install(install)>
                            {t(Key::InstallApp)}
                        </button>
                    </Show>
                    <LanguageSelect />
                    <span class="user-name" data-testid="user-name">{name}</span>
                    <button class="button ghost" on:click=logout data-testid="logout">
                        <IconSvg icon=Icon::LogOut />
                        <span class="label">{t(Key::LogOut)}</span>
                    </button>
                </div>
            </header>
            <nav class="nav" aria-label=t(Key::MainNavigation)>
                <ul>
                    {NAV
                        .into_iter()
                        .map(|(href, key, icon)| {
                            let current = move || {
                                let path = location.pathname.get();
                                path.starts_with(href) || (href == "/mail" && path == "/")
                            };
                            view! {
                                <li>
                                    <A href=href attr:class=move || if current() { "nav-item active" } else { "nav-item" }>
                                        <IconSvg icon=icon />
                                        <span>{t(key)}</span>
                                    </A>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </nav>
            <main id="main" class="content" tabindex="-1">
                <Show when=move || update.0.get()>
                    <p class="banner" role="status" data-testid="update-ready">
                        {t(Key::UpdateReady)}" "
                        <button class="button small primary" type="button" on:click=move |_| crate::pwa::apply_update()>
                            {t(Key::ReloadNow)}
                        </button>
                    </p>
                </Show>
                <Show when=move || !online.get() || session.unreachable.get()>
                    <p class="banner warning" role="status">{t(Key::Offline)}</p>
                </Show>
                <Outlet />
            </main>
        </div>
    }
}

/// Tracks `navigator.onLine` through the window's online/offline events.
fn online_signal() -> ReadSignal<bool> {
    let initial = web_sys::window()
        .map(|w| w.navigator().on_line())
        .unwrap_or(true);
    let (online, set_online) = signal(initial);
    let on = window_event_listener(leptos::ev::online, move |_| set_online.set(true));
    let off = window_event_listener(leptos::ev::offline, move |_| set_online.set(false));
    on_cleanup(move || {
        on.remove();
        off.remove();
    });
    online
}
