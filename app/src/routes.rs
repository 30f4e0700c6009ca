//! Route-level code splitting: each feature's pages are compiled into their own lazily
//! loaded wasm chunk (see [`crate::lazy`]), so a first visit downloads the shell and one
//! feature, not the whole suite. tools/web-dist.mjs knows which address needs which chunk
//! and has index.html fetch it alongside the main module.
//!
//! The signed-in pages are one route of the router (`*path` under the shell) and a
//! [`Page`] chosen from the path here: every route the router knows is a generic type of
//! its own in the main module, which every page downloads (fifteen were 2 KB gzip).

use leptos::prelude::*;
use leptos_router::hooks::use_location;
use wasm_split_helpers::wasm_split;

use crate::lazy::{Build, ChunkMissing, PageLoad, page_view};
use crate::pages::{auth, calendar, contacts, links, mail, not_found::NotFound, settings};

/// Declares, for each page, a split function in the named chunk, and [`Page`] with the
/// paths that open it.
macro_rules! lazy_pages {
    ($($page:ident [$($path:literal)|+] => $loader:ident in $chunk:ident => $view:path;)+) => {
        $(
            #[wasm_split($chunk, fallible)]
            fn $loader() -> Result<Build<()>, ChunkMissing> {
                Ok(|()| $view().into_any())
            }
        )+

        /// A signed-in page.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Page {
            $($page,)+
        }

        impl Page {
            /// The page at `path` (a trailing slash is ignored).
            pub fn at(path: &str) -> Option<Page> {
                let path = match path.strip_suffix('/') {
                    Some(p) if !p.is_empty() => p,
                    _ => path,
                };
                match path {
                    $($($path)|+ => Some(Page::$page),)+
                    _ => None,
                }
            }

            fn load(self) -> fn() -> PageLoad {
                match self {
                    $(Page::$page => || Box::pin($loader()),)+
                }
            }
        }
    };
}

lazy_pages! {
    Mail ["/" | "/mail"] => mail_page in mail => mail::MailPage;
    Calendar ["/calendar"] => calendar_page in calendar => calendar::CalendarPage;
    Contacts ["/contacts"] => contacts_page in contacts => contacts::ContactsPage;
    Links ["/links"] => links_page in links => links::LinksPage;
    Settings ["/settings"] => settings_page in settings => settings::SettingsPage;
    Security ["/settings/security"] => security_page in security => settings::SecurityPage;
    Sync ["/settings/sync"] => sync_page in sync => settings::SyncPage;
    MailSettings ["/settings/mail"] => mail_settings_page in mail_settings => settings::MailSettingsPage;
    MailFilters ["/settings/mail/filters"] => mail_filters_page in mail_filters => settings::MailFiltersPage;
    MailAccounts ["/settings/mail/accounts"] => mail_accounts_page in mail_accounts => settings::MailAccountsPage;
    Notifications ["/settings/notifications"] => notifications_page in notifications => settings::NotificationsPage;
    Integrations ["/settings/integrations"] => integrations_page in settings => settings::IntegrationsPage;
    Admin ["/settings/admin"] => admin_page in admin => settings::AdminPage;
}

#[wasm_split(auth, fallible)]
fn login_page() -> Result<Build<()>, ChunkMissing> {
    Ok(|()| auth::LoginPage().into_any())
}

#[wasm_split(auth, fallible)]
fn signup_page() -> Result<Build<()>, ChunkMissing> {
    Ok(|()| auth::SignupPage().into_any())
}

#[component]
pub fn Login() -> impl IntoView {
    page_view(|| Box::pin(login_page()))
}

#[component]
pub fn Signup() -> impl IntoView {
    page_view(|| Box::pin(signup_page()))
}

/// The signed-in page at the current address, from its feature's chunk. Drawn again only
/// when the page changes, not when the query does (`?msg=`, `?date=`).
#[component]
pub fn SignedInPage() -> impl IntoView {
    let location = use_location();
    let page = Memo::new(move |_| location.pathname.with(|p| Page::at(p)));
    move || match page.get() {
        Some(p) => page_view(p.load()),
        None => view! { <NotFound /> }.into_any(),
    }
}

#[cfg(test)]
mod tests {
    use super::Page;

    #[test]
    fn paths_name_their_pages() {
        assert_eq!(Page::at("/"), Some(Page::Mail));
        assert_eq!(Page::at("/mail"), Some(Page::Mail));
        assert_eq!(Page::at("/mail/"), Some(Page::Mail));
        assert_eq!(Page::at("/settings/mail"), Some(Page::MailSettings));
        assert_eq!(Page::at("/settings/mail/filters/"), Some(Page::MailFilters));
        assert_eq!(Page::at("/settings/admin"), Some(Page::Admin));
        assert_eq!(Page::at("/settings/"), Some(Page::Settings));
        for unknown in [
            "",
            "/mai",
            "/mail/x",
            "/Settings",
            "/settings/mail/x",
            "/login",
        ] {
            assert_eq!(Page::at(unknown), None, "{unknown:?}");
        }
    }
}
