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
                    <Route path=path!("*path") view=routes::SignedInPage />
                </ParentRoute>
            </Routes>
            <AskDialog />
        </Router>
    }
}
