//! The ksuite web app: context providers and the router, one route group per feature.

pub mod api;
pub mod browser;
pub mod components;
pub mod i18n;
pub mod pages;
pub mod pwa;
pub mod state;

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

use components::shell::Shell;
use pages::{auth, calendar, contacts, links, mail, settings};

#[component]
pub fn App() -> impl IntoView {
    state::prefs::provide_prefs();
    state::session::provide_session();
    pwa::provide_install();
    pwa::provide_update();

    view! {
        <Router>
            <Routes fallback=pages::not_found::NotFound>
                <Route path=path!("/login") view=auth::LoginPage />
                <Route path=path!("/signup") view=auth::SignupPage />
                <ParentRoute path=path!("") view=Shell>
                    <Route path=path!("") view=mail::MailPage />
                    <Route path=path!("mail") view=mail::MailPage />
                    <Route path=path!("calendar") view=calendar::CalendarPage />
                    <Route path=path!("contacts") view=contacts::ContactsPage />
                    <Route path=path!("links") view=links::LinksPage />
                    <Route path=path!("settings") view=settings::SettingsPage />
                    <Route path=path!("settings/security") view=settings::SecurityPage />
                    <Route path=path!("settings/sync") view=settings::SyncPage />
                    <Route path=path!("settings/mail") view=settings::MailSettingsPage />
                    <Route path=path!("settings/notifications") view=settings::NotificationsPage />
                    <Route path=path!("settings/integrations") view=settings::IntegrationsPage />
                    <Route path=path!("settings/admin") view=settings::AdminPage />
                </ParentRoute>
            </Routes>
        </Router>
    }
}
