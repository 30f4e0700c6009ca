//! Route-level code splitting: each feature's pages are compiled into their own lazily
//! loaded wasm chunk (see [`crate::lazy`]), so a first visit downloads the shell and one
//! feature, not the whole suite. tools/web-dist.mjs knows which address needs which chunk
//! and has index.html fetch it alongside the main module.

use leptos::prelude::*;
use wasm_split_helpers::wasm_split;

use crate::lazy::{Build, ChunkMissing, page_view};
use crate::pages::{auth, calendar, contacts, links, mail, settings};

/// Declares, for each page, a split function in the named chunk and the route component
/// that loads it.
macro_rules! lazy_pages {
    ($($route:ident => $loader:ident in $chunk:ident => $page:path;)+) => {$(
        #[wasm_split($chunk, fallible)]
        fn $loader() -> Result<Build<()>, ChunkMissing> {
            Ok(|()| $page().into_any())
        }

        /// The page, from its feature's wasm chunk.
        #[component]
        pub fn $route() -> impl IntoView {
            page_view(|| Box::pin($loader()))
        }
    )+};
}

lazy_pages! {
    Login => login_page in auth => auth::LoginPage;
    Signup => signup_page in auth => auth::SignupPage;
    Mail => mail_page in mail => mail::MailPage;
    Calendar => calendar_page in calendar => calendar::CalendarPage;
    Contacts => contacts_page in contacts => contacts::ContactsPage;
    Links => links_page in links => links::LinksPage;
    Settings => settings_page in settings => settings::SettingsPage;
    Security => security_page in security => settings::SecurityPage;
    Sync => sync_page in sync => settings::SyncPage;
    MailSettings => mail_settings_page in mail_settings => settings::MailSettingsPage;
    MailFilters => mail_filters_page in mail_filters => settings::MailFiltersPage;
    MailAccounts => mail_accounts_page in mail_accounts => settings::MailAccountsPage;
    Notifications => notifications_page in notifications => settings::NotificationsPage;
    Integrations => integrations_page in settings => settings::IntegrationsPage;
    Admin => admin_page in admin => settings::AdminPage;
}
