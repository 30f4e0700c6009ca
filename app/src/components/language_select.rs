//! Language picker: changes the interface at once and, when signed in, saves the choice
//! in the profile.

use ksuite_common::{Language, UpdateProfileRequest};
use leptos::prelude::*;

use crate::api;
use crate::i18n::{Key, t};
use crate::state::prefs::use_prefs;
use crate::state::session::use_session;

#[component]
pub fn LanguageSelect(#[prop(optional)] id: Option<&'static str>) -> impl IntoView {
    let prefs = use_prefs();
    let session = use_session();
    let id = id.unwrap_or("language-select");
    let on_change = move |ev: leptos::ev::Event| {
        let Some(lang) = Language::from_code(&event_target_value(&ev)) else {
            return;
        };
        prefs.set_language(lang);
        if session.signed_in() {
            leptos::task::spawn_local(async move {
                let req = UpdateProfileRequest {
                    language: Some(lang),
                    ..Default::default()
                };
                if let Ok(profile) = api::settings::update_profile(&req).await {
                    session.set_user(Some(profile));
                }
            });
        }
    };
    view! {
        <label class="language-select">
            <span class="visually-hidden">{t(Key::Language)}</span>
            <select id=id on:change=on_change data-testid="language-select">
                {Language::ALL
                    .into_iter()
                    .map(|l| {
                        view! {
                            <option value=l.code() selected=move || prefs.lang.get() == l>
                                {l.native_name()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}
