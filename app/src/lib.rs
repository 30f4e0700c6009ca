//! The ksuite web app: context providers and the router, one route group per feature.

pub mod api;
pub mod browser;
pub mod components;
pub mod i18n;
pub mod lazy;
pub mod pages;
pub mod pwa;
pub mod routes;
pub mod state;

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

use components::ask::AskDialog;
use components::shell::Shell;

#[component]
pub fn App() -> impl IntoView {
    state::prefs::provide_prefs();
    state::session::provide_session();
    pwa::provide_install();
    pwa::provide_update();

    view! {
        <Router>
            <Routes fallback=pages::not_found::NotFound>
                <Route path=path!("/login") view=routes::Login />
                <Route path=path!("/signup") view=routes::Signup />
                <ParentRoute path=path!("") view=Shell>
                    <Route path=path!("") view=routes::Mail />
                    <Route path=path!("mail") view=routes::Mail />
                    <Route path=path!("calendar") view=routes::Calendar />
                    <Route path=path!("contacts") view=routes::Contacts />
                    <Route path=path!("links") view=routes::Links />
                    <Route path=path!("settings") view=routes::Settings />
                    <Route path=path!("settings/security") view=routes::Security />
                    <Route path=path!("settings/sync") view=routes::Sync />
                    <Route path=path!("settings/mail") view=routes::MailSettings />
                    <Route path=path!("settings/mail/filters") view=routes::MailFilters />
                    <Route path=path!("settings/mail/accounts") view=routes::MailAccounts />
                    <Route path=path!("settings/notifications") view=routes::Notifications />
                    <Route path=path!("settings/integrations") view=routes::Integrations />
                    <Route path=path!("settings/admin") view=routes::Admin />
                </ParentRoute>
            </Routes>
            <AskDialog />
        </Router>
    }
}
