use ksuite_common::{ErrorCode, SignupRequest};
use leptos::prelude::*;
use leptos_router::components::{A, Redirect};
use leptos_router::hooks::{use_navigate, use_query_map};

use super::{AuthFrame, browser_time_zone};
use crate::api;
use crate::components::refusal::Refusal;
use crate::i18n::{Key, t};
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
    let sign_up = Action::new_local(move |req: &SignupRequest| {
        let (req, navigate) = (req.clone(), navigate.clone());
        async move {
            let info = api::auth::signup(&req).await.inspect_err(|err| {
                if err.code() == Some(ErrorCode::InvitationRequired) {
                    ask_code.set(true);
                }
            })?;
            session.set_user(Some(info.user));
            navigate("/mail", Default::default());
            Ok::<(), api::ApiError>(())
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sign_up.pending().get_untracked() {
            return;
        }
        sign_up.dispatch_local(SignupRequest {
            email: email.get_untracked(),
            display_name: name.get_untracked(),
            password: password.get_untracked(),
            language: Some(prefs.lang.get_untracked()),
            time_zone: browser_time_zone(),
            invitation: Some(invitation.get_untracked()).filter(|c| !c.trim().is_empty()),
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
                {move || sign_up.value().get().and_then(Result::err).map(|e| view! { <Refusal error=e /> })}
                <button class="button primary" type="submit" disabled=move || sign_up.pending().get()>{t(Key::CreateAccount)}</button>
            </form>
            <p class="switch">{t(Key::HaveAccount)} " " <A href="/login">{t(Key::LogIn)}</A></p>
        </AuthFrame>
    }
}
