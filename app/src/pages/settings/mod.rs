//! Settings: the profile, account security (2FA, application passwords), the sync
//! assistant and mail (addresses, filters, other accounts), each on its own tab.

mod admin;
mod dkim;
mod filters;
mod mail;
mod mail_fetch;
mod notifications;
mod profile;
mod security;
mod sync;

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{Key, t};

/// Tabs shared by the settings pages.
#[component]
fn SettingsTabs() -> impl IntoView {
    let session = crate::state::session::use_session();
    view! {
        <nav class="tabs" aria-label=t(Key::Settings)>
            <A href="/settings" exact=true>{t(Key::Profile)}</A>
            <A href="/settings/security">{t(Key::SettingsSecurity)}</A>
            <A href="/settings/sync">{t(Key::SettingsSync)}</A>
            <A href="/settings/mail">{t(Key::SettingsMail)}</A>
            <A href="/settings/notifications">{t(Key::SettingsNotifications)}</A>
            <A href="/settings/integrations">{t(Key::SettingsIntegrations)}</A>
            <Show when=move || session.user().is_some_and(|u| u.is_admin)>
                <A href="/settings/admin">{t(Key::Administration)}</A>
            </Show>
        </nav>
    }
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">{t(Key::Settings)}</h1>
            <SettingsTabs />
            <profile::ProfileForm />
        </section>
    }
}

#[component]
pub fn SecurityPage() -> impl IntoView {
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">{t(Key::Settings)}</h1>
            <SettingsTabs />
            <security::PasswordCard />
            <security::SessionsCard />
            <security::TwoFactorCard />
            <security::AppPasswordsCard />
        </section>
    }
}

#[component]
pub fn SyncPage() -> impl IntoView {
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">{t(Key::Settings)}</h1>
            <SettingsTabs />
            <sync::SyncAssistant />
        </section>
    }
}

/// The parts of the Mail tab, each a page of its own (and a chunk of its own): one long
/// page with every mail setting was the heaviest page of the app.
#[component]
fn MailTabs() -> impl IntoView {
    view! {
        <nav class="tabs subtabs" aria-label=t(Key::SettingsMail)>
            <A href="/settings/mail" exact=true>{t(Key::MailSettingsReplies)}</A>
            <A href="/settings/mail/filters">{t(Key::Filters)}</A>
            <A href="/settings/mail/accounts">{t(Key::MailSettingsAccounts)}</A>
        </nav>
    }
}

/// Settings → Mail: signatures and automatic replies.
#[component]
pub fn MailSettingsPage() -> impl IntoView {
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">{t(Key::Settings)}</h1>
            <SettingsTabs />
            <MailTabs />
            <mail::SignatureCards />
        </section>
    }
}

#[component]
pub fn MailFiltersPage() -> impl IntoView {
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">{t(Key::Settings)}</h1>
            <SettingsTabs />
            <MailTabs />
            <filters::FiltersCard />
        </section>
    }
}

/// Settings → Mail → Aliases and accounts: other names of an address, redirection, and
/// mail brought in from other servers (where Gmail keeps them too).
#[component]
pub fn MailAccountsPage() -> impl IntoView {
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">{t(Key::Settings)}</h1>
            <SettingsTabs />
            <MailTabs />
            <mail::RoutingCard />
            <mail_fetch::FetchCard />
        </section>
    }
}

/// The DKIM card (the last on the page, rarely needed) is its own chunk.
#[wasm_split_helpers::wasm_split(dkim_card, fallible)]
fn dkim_chunk() -> Result<crate::lazy::Build<()>, crate::lazy::ChunkMissing> {
    Ok(|()| view! { <dkim::DkimCard /> }.into_any())
}

#[component]
pub fn AdminPage() -> impl IntoView {
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">{t(Key::Settings)}</h1>
            <SettingsTabs />
            <admin::AddressesCard />
            <admin::UsersCard />
            <admin::InvitationsCard />
            {crate::lazy::quiet_chunk_view(LocalResource::new(dkim_chunk), ())}
        </section>
    }
}

#[component]
pub fn NotificationsPage() -> impl IntoView {
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">{t(Key::Settings)}</h1>
            <SettingsTabs />
            <notifications::NotificationsCard />
        </section>
    }
}

#[component]
pub fn IntegrationsPage() -> impl IntoView {
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title">{t(Key::Settings)}</h1>
            <SettingsTabs />
            <notifications::WebhooksCard />
        </section>
    }
}
