use ksuite_common::SignupRequest;
use leptos::prelude::*;
use leptos_router::components::{A, Redirect};
use leptos_router::hooks::{use_navigate, use_query_map};

use super::{AuthFrame, browser_time_zone};
use crate::api;
use crate::i18n::{Key, error_message, t};
use crate::state::prefs::use_prefs;
use crate::state::session::use_session;

#[component]
pub fn SignupPage() -> impl IntoView {
    let session = use_session();
    let prefs = use_prefs();
    let navigate = use_navigate();
    let email = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    // An invitation link (`/signup?invite=…`) fills the code in.
    let query = use_query_map();
    let invitation = RwSignal::new(query.get_untracked().get("invite").unwrap_or_default());
    let ask_code = RwSignal::new(!invitation.get_untracked().is_empty());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let req = SignupRequest {
            email: email.get_untracked(),
            display_name: name.get_untracked(),
            password: password.get_untracked(),
            language: Some(prefs.lang.get_untracked()),
            time_zone: browser_time_zone(),
            invitation: Some(invitation.get_untracked()).filter(|c| !c.trim().is_empty()),
        };
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match api::auth::signup(&req).await {
                Ok(info) => {
                    session.set_user(Some(info.user));
                    navigate("/mail", Default::default());
                }
                Err(err) => {
                    if matches!(&err, api::ApiError::Server { body, .. } if body.code == ksuite_common::ErrorCode::InvitationRequired)
                    {
                        ask_code.set(true);
                    }
                    error.set(Some(error_message(prefs.lang.get_untracked(), &err)))
                }
            }
            busy.set(false);
        });
    };

    view! {
        <Show when=move || session.signed_in()>
            <Redirect path="/mail" />
        </Show>
        <AuthFrame>
            <h1>{t(Key::SignUpTitle)}</h1>
            <form on:submit=submit novalidate>
                <label for="signup-name">{t(Key::DisplayName)}</label>
                <input id="signup-name" type="text" autocomplete="name" required maxlength="100" bind:value=name />
                <label for="signup-email">{t(Key::Email)}</label>
                <input id="signup-email" type="email" autocomplete="email" required
                       aria-describedby="signup-email-hint" bind:value=email />
                <p id="signup-email-hint" class="hint">{t(Key::SignUpEmailHint)}</p>
                <label for="signup-password">{t(Key::Password)}</label>
                <input id="signup-password" type="password" autocomplete="new-password" required minlength="10"
                       aria-describedby="signup-password-hint" bind:value=password />
                <p id="signup-password-hint" class="hint">{t(Key::PasswordHint)}</p>
                <Show when=move || ask_code.get()>
                    <label for="signup-invitation">{t(Key::InvitationCode)}</label>
                    <input id="signup-invitation" type="text" autocomplete="off" bind:value=invitation />
                </Show>
                <Show when=move || error.get().is_some()>
                    <p class="form-error" role="alert">{move || error.get()}</p>
                </Show>
                <button class="button primary" type="submit" disabled=move || busy.get()>{t(Key::CreateAccount)}</button>
            </form>
            <p class="switch">{t(Key::HaveAccount)} " " <A href="/login">{t(Key::LogIn)}</A></p>
        </AuthFrame>
    }
}
