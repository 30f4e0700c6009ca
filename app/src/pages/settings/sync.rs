//! The sync assistant: the addresses and username a device needs, a button that makes an
//! application password, the Apple profile, and step-by-step instructions per client.

use ksuite_common::{MailServerInfo, SyncInfo, paths};
use leptos::prelude::*;

use super::security::NewAppPasswordForm;
use crate::api;
use crate::browser::copy_to_clipboard;
use crate::i18n::{Key, error_message, fill, t, text};
use crate::state::prefs::use_prefs;

/// One labelled value with a copy button.
#[component]
fn CopyField(label: Key, value: String, #[prop(into)] testid: String) -> impl IntoView {
    let copied = value.clone();
    view! {
        <div class="copy-field">
            <span class="label">{t(label)}</span>
            <code data-testid=testid>{value}</code>
            <button class="button small" type="button" on:click=move |_| copy_to_clipboard(&copied)>{t(Key::Copy)}</button>
        </div>
    }
}

/// Client names are brand names: the same in every language.
const CLIENTS: [(&str, Key); 5] = [
    ("Thunderbird", Key::StepsThunderbird),
    ("Apple (macOS, iPhone, iPad)", Key::StepsApple),
    ("Android (DAVx⁵)", Key::StepsAndroid),
    ("Outlook (CalDav Synchronizer)", Key::StepsOutlook),
    ("eM Client", Key::StepsEmClient),
];

/// Mail app steps per client; brand names stay as they are.
const MAIL_CLIENTS: [(&str, Key); 4] = [
    ("Outlook (Windows, Mac)", Key::StepsMailOutlook),
    ("Thunderbird", Key::StepsMailThunderbird),
    ("Apple Mail (macOS, iPhone, iPad)", Key::StepsMailApple),
    ("Android, iOS", Key::StepsMailPhone),
];

/// Servers, ports, security and user name for mail apps, with steps per client.
#[component]
fn MailApps(mail: MailServerInfo, username: String) -> impl IntoView {
    let lang = use_prefs().lang;
    let address = mail
        .addresses
        .first()
        .cloned()
        .unwrap_or_else(|| username.clone());
    let values = vec![
        ("host", mail.host.clone()),
        ("imap", mail.imap_port.to_string()),
        ("imaps", mail.imaps_port.to_string()),
        ("submission", mail.submission_port.to_string()),
        ("submissions", mail.submissions_port.to_string()),
        ("username", username.clone()),
        ("address", address),
    ];
    let security = text(lang.get_untracked(), Key::MailSecurity);
    let imap = format!("{} · {security}", mail.imaps_port);
    let smtp = format!("{} · {security}", mail.submissions_port);
    let fallback = values.clone();
    let self_signed = mail.self_signed.then(|| {
        let values = values.clone();
        view! { <p class="muted" data-testid="mail-self-signed">{move || fill(text(lang.get(), Key::MailSelfSigned), &values)}</p> }
    });
    view! {
        <h3 id="mail-apps-title">{t(Key::MailApps)}</h3>
        <p>{t(Key::MailAppsIntro)}</p>
        <CopyField label=Key::MailServer value=mail.host.clone() testid="mail-host" />
        <div class="copy-field">
            <span class="label">{t(Key::ImapServer)}</span>
            <code data-testid="mail-imap">{imap}</code>
        </div>
        <div class="copy-field">
            <span class="label">{t(Key::SmtpServer)}</span>
            <code data-testid="mail-smtp">{smtp}</code>
        </div>
        <CopyField label=Key::Username value=username testid="mail-username" />
        <p class="muted">{move || fill(text(lang.get(), Key::MailStartTlsPorts), &fallback)}</p>
        {self_signed}
        {MAIL_CLIENTS.into_iter().map(|(name, key)| {
            let values = values.clone();
            view! {
                <details class="client-steps" data-testid="mail-client-steps">
                    <summary>{name}</summary>
                    <ol>
                        {move || fill(text(lang.get(), key), &values)
                            .lines()
                            .map(|l| view! { <li>{l.to_string()}</li> })
                            .collect_view()}
                    </ol>
                </details>
            }
        }).collect_view()}
    }
}

#[component]
pub fn SyncAssistant() -> impl IntoView {
    let lang = use_prefs().lang;
    let info = LocalResource::new(api::account::sync_info);
    let created = RwSignal::new(0u32);
    let details = move |i: SyncInfo| {
        let values = [
            ("server", i.server_url.clone()),
            ("username", i.username.clone()),
            ("caldav", i.caldav_url.clone()),
            ("carddav", i.carddav_url.clone()),
        ];
        view! {
            <CopyField label=Key::ServerUrl value=i.server_url.clone() testid="sync-server" />
            <CopyField label=Key::Username value=i.username.clone() testid="sync-username" />
            <CopyField label=Key::CaldavUrl value=i.caldav_url.clone() testid="sync-caldav" />
            <CopyField label=Key::CarddavUrl value=i.carddav_url.clone() testid="sync-carddav" />
            <p class="muted">{move || text(lang.get(), if i.two_factor_enabled { Key::SyncPasswordWith2fa } else { Key::SyncPasswordWithout2fa })}</p>
            <NewAppPasswordForm default_name=text(lang.get_untracked(), Key::DefaultDeviceName) created=created />
            <h3>{t(Key::ChooseDevice)}</h3>
            {CLIENTS.into_iter().map(|(name, key)| {
                let values = values.clone();
                let apple = key == Key::StepsApple;
                view! {
                    <details class="client-steps">
                        <summary>{name}</summary>
                        <ol>
                            {move || fill(text(lang.get(), key), &values)
                                .lines()
                                .map(|l| view! { <li>{l.to_string()}</li> })
                                .collect_view()}
                        </ol>
                        {apple.then(|| view! {
                            <a class="button primary" href=paths::APPLE_PROFILE download="ksuite.mobileconfig"
                               data-testid="apple-profile">{t(Key::DownloadAppleProfile)}</a>
                        })}
                    </details>
                }
            }).collect_view()}
            <MailApps mail=i.mail.clone() username=i.username.clone() />
        }
    };
    view! {
        <section class="card settings-form sync-assistant" aria-labelledby="sync-title">
            <h2 id="sync-title">{t(Key::SettingsSync)}</h2>
            <p>{t(Key::SyncIntro)}</p>
            <Transition fallback=move || view! { <p>{t(Key::Loading)}</p> }>
                {move || info.get().map(|r| match r {
                    Ok(i) => details(i).into_any(),
                    Err(e) => view! { <p class="form-error">{error_message(lang.get(), &e)}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}
