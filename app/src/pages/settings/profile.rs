//! The profile form: display name, language, time zone, theme, and what the user
//! publishes in the organization directory.

use ksuite_common::{
    DEFAULT_UNDO_SEND_SECONDS, DirectoryCard, Language, MAX_UNDO_SEND_SECONDS, Theme,
    UpdateProfileRequest,
};
use leptos::prelude::*;

use crate::api;
use crate::i18n::{Key, error_message, fill, t};
use crate::state::prefs::use_prefs;
use crate::state::session::use_session;

#[component]
pub fn ProfileForm() -> impl IntoView {
    let session = use_session();
    let prefs = use_prefs();
    let user = session.user();
    let name = RwSignal::new(
        user.as_ref()
            .map(|u| u.display_name.clone())
            .unwrap_or_default(),
    );
    let lang = RwSignal::new(user.as_ref().map(|u| u.language).unwrap_or_default());
    let tz = RwSignal::new(
        user.as_ref()
            .map(|u| u.time_zone.clone())
            .unwrap_or_else(|| "UTC".into()),
    );
    let theme = RwSignal::new(user.as_ref().map(|u| u.theme).unwrap_or_default());
    let card = user
        .as_ref()
        .map(|u| u.directory.clone())
        .unwrap_or_default();
    let phone = RwSignal::new(card.phone);
    let job_title = RwSignal::new(card.title);
    let department = RwSignal::new(card.department);
    let undo = RwSignal::new(
        user.as_ref()
            .map(|u| u.undo_send_seconds)
            .unwrap_or(DEFAULT_UNDO_SEND_SECONDS),
    );
    let status = RwSignal::new(None::<Result<(), String>>);
    let zones = LocalResource::new(api::settings::time_zones);
    let tz_filter = RwSignal::new(String::new());

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        status.set(None);
        let req = UpdateProfileRequest {
            display_name: Some(name.get_untracked()),
            language: Some(lang.get_untracked()),
            time_zone: Some(tz.get_untracked()),
            theme: Some(theme.get_untracked()),
            directory: Some(DirectoryCard {
                phone: phone.get_untracked(),
                title: job_title.get_untracked(),
                department: department.get_untracked(),
            }),
            undo_send_seconds: Some(undo.get_untracked()),
        };
        leptos::task::spawn_local(async move {
            match api::settings::update_profile(&req).await {
                Ok(profile) => {
                    session.set_user(Some(profile));
                    status.set(Some(Ok(())));
                }
                Err(err) => status.set(Some(Err(error_message(prefs.lang.get_untracked(), &err)))),
            }
        });
    };

    view! {
        <form class="settings-form card" on:submit=submit>
            <h2>{t(Key::Profile)}</h2>
            <label for="profile-name">{t(Key::DisplayName)}</label>
            <input id="profile-name" type="text" maxlength="100" required bind:value=name />

            <label for="profile-language">{t(Key::Language)}</label>
            <select id="profile-language"
                    on:change=move |ev| if let Some(l) = Language::from_code(&event_target_value(&ev)) { lang.set(l) }>
                {Language::ALL.into_iter().map(|l| view! {
                    <option value=l.code() selected=move || lang.get() == l>{l.native_name()}</option>
                }).collect_view()}
            </select>

            <label for="profile-tz">{t(Key::TimeZone)}</label>
            // ~600 zones: a search box narrows the list, and a single match is chosen.
            <input id="profile-tz-search" type="search" aria-label=t(Key::SearchTimeZones)
                   placeholder=t(Key::SearchTimeZones) bind:value=tz_filter />
            <Transition fallback=move || view! { <p>{t(Key::Loading)}</p> }>
                {move || zones.get().map(|result| {
                    let names = result.unwrap_or_else(|_| vec![tz.get_untracked()]);
                    let shown = move || {
                        let wanted = zone_search_text(&tz_filter.get());
                        let current = tz.get_untracked();
                        let hit: Vec<bool> = names.iter().map(|z| zone_search_text(z).contains(&wanted)).collect();
                        let mut hits = names.iter().zip(&hit).filter(|(_, h)| **h).map(|(z, _)| z);
                        if let (Some(only), None) = (hits.next(), hits.next())
                            && !wanted.is_empty()
                            && *only != current
                        {
                            tz.set(only.clone());
                        }
                        let none = !hit.contains(&true);
                        // The chosen zone stays listed, whatever the search.
                        let matching: Vec<String> = names
                            .iter()
                            .zip(&hit)
                            .filter(|(z, h)| **h || **z == current)
                            .map(|(z, _)| z.clone())
                            .collect();
                        (matching, none)
                    };
                    view! {
                        <select id="profile-tz" on:change=move |ev| tz.set(event_target_value(&ev))>
                            {move || {
                                let (list, empty) = shown();
                                view! {
                                    {list.into_iter().map(|z| {
                                        let value = z.clone();
                                        let label = z.clone();
                                        view! { <option value=z selected=move || tz.get() == value>{label}</option> }
                                    }).collect_view()}
                                    {empty.then(|| view! { <option disabled=true>{t(Key::NoTimeZoneMatch)}</option> })}
                                }
                            }}
                        </select>
                    }
                })}
            </Transition>

            <fieldset>
                <legend>{t(Key::Theme)}</legend>
                {[(Theme::Light, Key::ThemeLight), (Theme::Dark, Key::ThemeDark), (Theme::System, Key::ThemeSystem)]
                    .into_iter()
                    .map(|(value, key)| view! {
                        <label class="radio">
                            <input type="radio" name="theme" value=value.code()
                                   prop:checked=move || theme.get() == value
                                   on:change=move |_| theme.set(value) />
                            {t(key)}
                        </label>
                    })
                    .collect_view()}
            </fieldset>

            <label for="profile-undo-send">{t(Key::UndoSendWindow)}</label>
            <select id="profile-undo-send"
                    on:change=move |ev| if let Ok(n) = event_target_value(&ev).parse() { undo.set(n) }>
                {UNDO_CHOICES.into_iter().map(|n| {
                    let label = move || if n == 0 {
                        t(Key::UndoSendOff)().to_string()
                    } else {
                        fill(t(Key::Seconds)(), &[("n", n.to_string())])
                    };
                    view! { <option value=n.to_string() selected=move || undo.get() == n>{label}</option> }
                }).collect_view()}
            </select>
            <p class="hint">{t(Key::UndoSendHint)}</p>

            <fieldset>
                <legend>{t(Key::DirectoryCard)}</legend>
                <p class="hint">{t(Key::DirectoryCardHint)}</p>
                <label for="profile-phone">{t(Key::DirectoryPhone)}</label>
                <input id="profile-phone" type="tel" maxlength="100" autocomplete="tel" bind:value=phone />
                <label for="profile-job-title">{t(Key::DirectoryJobTitle)}</label>
                <input id="profile-job-title" type="text" maxlength="100" autocomplete="organization-title" bind:value=job_title />
                <label for="profile-department">{t(Key::DirectoryDepartment)}</label>
                <input id="profile-department" type="text" maxlength="100" bind:value=department />
            </fieldset>

            {move || match status.get() {
                Some(Ok(())) => view! { <p class="form-ok" role="status">{t(Key::Saved)}</p> }.into_any(),
                Some(Err(msg)) => view! { <p class="form-error" role="alert">{msg}</p> }.into_any(),
                None => ().into_any(),
            }}
            <button class="button primary" type="submit">{t(Key::Save)}</button>
        </form>
    }
}

/// The undo windows offered after Send, in seconds (0: send at once).
const UNDO_CHOICES: [u16; 5] = [0, 5, 10, 20, MAX_UNDO_SEND_SECONDS];

/// A zone name as typed: "Europe/Paris" matches "paris", "new york" matches "New_York".
fn zone_search_text(text: &str) -> String {
    text.trim().to_lowercase().replace('_', " ")
}
