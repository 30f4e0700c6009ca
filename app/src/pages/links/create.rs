//! The creation form and the card showing the new link with its QR code.

use ksuite_common::{CreateLinkRequest, Link, Validity};
use leptos::prelude::*;

use super::{LinksVersion, copy_to_clipboard};
use crate::api;
use crate::i18n::{Key, error_message, t};
use crate::state::in_flight::InFlight;
use crate::state::prefs::use_prefs;

fn validity_label(v: Validity) -> Key {
    match v {
        Validity::Days7 => Key::Days7,
        Validity::Days30 => Key::Days30,
        Validity::Months6 => Key::Months6,
        Validity::Year1 => Key::Year1,
        Validity::Lifetime => Key::Lifetime,
    }
}

fn validity_code(v: Validity) -> &'static str {
    match v {
        Validity::Days7 => "days7",
        Validity::Days30 => "days30",
        Validity::Months6 => "months6",
        Validity::Year1 => "year1",
        Validity::Lifetime => "lifetime",
    }
}

#[component]
pub fn CreateLinkForm() -> impl IntoView {
    let version = expect_context::<LinksVersion>();
    let lang = use_prefs().lang;
    let url = RwSignal::new(String::new());
    let slug = RwSignal::new(String::new());
    let validity = RwSignal::new(Validity::Days30);
    let password = RwSignal::new(String::new());
    let max_visits = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let created = RwSignal::new(None::<Link>);
    let busy = InFlight::new();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !busy.begin() {
            return;
        }
        let max = max_visits.get_untracked();
        let max_visits_value = match max.trim() {
            "" => None,
            s => match s.parse::<u32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    busy.end();
                    error.set(Some(
                        crate::i18n::text(lang.get_untracked(), Key::MaxVisitsWhole).into(),
                    ));
                    return;
                }
            },
        };
        let req = CreateLinkRequest {
            url: url.get_untracked(),
            slug: Some(slug.get_untracked()).filter(|s| !s.trim().is_empty()),
            validity: validity.get_untracked(),
            password: Some(password.get_untracked()).filter(|p| !p.is_empty()),
            max_visits: max_visits_value,
        };
        error.set(None);
        leptos::task::spawn_local(async move {
            match api::links::create(&req).await {
                Ok(link) => {
                    created.set(Some(link));
                    url.set(String::new());
                    slug.set(String::new());
                    password.set(String::new());
                    max_visits.set(String::new());
                    version.bump();
                }
                Err(err) => error.set(Some(error_message(lang.get_untracked(), &err))),
            }
            busy.end();
        });
    };

    view! {
        <form class="card link-form" on:submit=submit novalidate>
            <h2>{t(Key::NewLink)}</h2>
            <label for="link-url">{t(Key::TargetUrl)}</label>
            <input id="link-url" type="url" inputmode="url" placeholder="https://" required bind:value=url />
            <div class="form-row">
                <div>
                    <label for="link-slug">{t(Key::CustomSlug)}</label>
                    <input id="link-slug" type="text" maxlength="64" autocapitalize="off" spellcheck="false" bind:value=slug />
                </div>
                <div>
                    <label for="link-validity">{t(Key::Validity)}</label>
                    <select id="link-validity" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        if let Some(found) = Validity::ALL.into_iter().find(|x| validity_code(*x) == v) {
                            validity.set(found);
                        }
                    }>
                        {Validity::ALL.into_iter().map(|v| view! {
                            <option value=validity_code(v) selected=move || validity.get() == v>{t(validity_label(v))}</option>
                        }).collect_view()}
                    </select>
                </div>
            </div>
            <details>
                <summary>{t(Key::MoreOptions)}</summary>
                <div class="form-row">
                    <div>
                        <label for="link-password">{t(Key::LinkPassword)}</label>
                        <input id="link-password" type="password" autocomplete="new-password" bind:value=password />
                    </div>
                    <div>
                        <label for="link-max">{t(Key::MaxVisits)}</label>
                        <input id="link-max" type="text" inputmode="numeric" pattern="[0-9]*" bind:value=max_visits />
                    </div>
                </div>
            </details>
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert">{move || error.get()}</p>
            </Show>
            <button class="button primary" type="submit" disabled=move || busy.pending()>{t(Key::Shorten)}</button>
        </form>
        {move || created.get().map(|link| view! { <CreatedLink link=link /> })}
    }
}

#[component]
fn CreatedLink(link: Link) -> impl IntoView {
    let copied = RwSignal::new(false);
    let short = link.short_url.clone();
    let copy = move |_| {
        copy_to_clipboard(&short);
        copied.set(true);
    };
    view! {
        <div class="card created-link" data-testid="created-link">
            <div class="created-main">
                <a class="short-url" href=link.short_url.clone() target="_blank" rel="noopener" data-testid="short-url">
                    {link.short_url.clone()}
                </a>
                <p class="target">{link.url.clone()}</p>
                <div class="actions">
                    <button class="button" type="button" on:click=copy>
                        {move || if copied.get() { t(Key::Copied)() } else { t(Key::Copy)() }}
                    </button>
                </div>
            </div>
            <super::LinkQr id=link.id slug=link.slug.clone() short_url=link.short_url.clone() />
        </div>
    }
}
