use ksuite_common::{ErrorCode, LoginRequest};
use leptos::prelude::*;
use leptos_router::components::{A, Redirect};
use leptos_router::hooks::use_navigate;

use super::AuthFrame;
use crate::api;
use crate::i18n::{Key, error_message, t};
use crate::state::prefs::use_prefs;
use crate::state::session::use_session;

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_session();
    let prefs = use_prefs();
    let navigate = use_navigate();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    // Shown once the server says the account has two-factor authentication.
    let needs_code = RwSignal::new(false);
    let code = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let req = LoginRequest {
            email: email.get_untracked(),
            password: password.get_untracked(),
            totp: Some(code.get_untracked()).filter(|c| !c.trim().is_empty()),
        };
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match api::auth::login(&req).await {
                Ok(info) => {
                    session.set_user(Some(info.user));
                    navigate("/mail", Default::default());
                }
                Err(err) if err.code() == Some(ErrorCode::TotpRequired) => {
                    needs_code.set(true);
                    focus_code_field();
                }
                Err(err) => error.set(Some(error_message(prefs.lang.get_untracked(), &err))),
            }
            busy.set(false);
        });
    };

    view! {
        <Show when=move || session.signed_in()>
            <Redirect path="/mail" />
        </Show>
        <AuthFrame>
            <h1>{t(Key::LogInTitle)}</h1>
            <form on:submit=submit novalidate>
                <label for="login-email">{t(Key::Email)}</label>
                <input id="login-email" type="email" autocomplete="username" required bind:value=email />
                <label for="login-password">{t(Key::Password)}</label>
                <input id="login-password" type="password" autocomplete="current-password" required bind:value=password />
                <Show when=move || needs_code.get()>
                    <p class="hint">{t(Key::TwoFactorPrompt)}</p>
                    <label for="login-totp">{t(Key::TwoFactorCode)}</label>
                    <input id="login-totp" type="text" inputmode="numeric" autocomplete="one-time-code"
                           maxlength="12" required bind:value=code />
                </Show>
                <Show when=move || error.get().is_some()>
                    <p class="form-error" role="alert">{move || error.get()}</p>
                </Show>
                <button class="button primary" type="submit" disabled=move || busy.get()>{t(Key::LogIn)}</button>
            </form>
            <p class="switch">{t(Key::NoAccountYet)} " " <A href="/signup">{t(Key::SignUp)}</A></p>
        </AuthFrame>
    }
}

/// Moves the focus to the code field once it is rendered.
fn focus_code_field() {
    leptos::task::spawn_local(async {
        // Let the reactive update render the field first.
        next_tick().await;
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("login-totp"))
        {
            use wasm_bindgen::JsCast;
            if let Ok(input) = el.dyn_into::<web_sys::HtmlElement>() {
                let _ = input.focus();
            }
        }
    });
}

/// Resolves after the current task, like `setTimeout(0)`.
async fn next_tick() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback(&resolve);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
