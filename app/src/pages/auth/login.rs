use ksuite_common::{ErrorCode, LoginRequest};
use leptos::prelude::*;
use leptos_router::components::{A, Redirect};
use leptos_router::hooks::use_navigate;

use super::AuthFrame;
use crate::api;
use crate::components::refusal::Refusal;
use crate::i18n::{Key, t};
use crate::state::session::use_session;

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    // Shown once the server says the account has two-factor authentication.
    let needs_code = RwSignal::new(false);
    let code = RwSignal::new(String::new());
    // Signed in: into the app. Asked for a code: the field appears and no error shows.
    let log_in = Action::new_local(move |req: &LoginRequest| {
        let (req, navigate) = (req.clone(), navigate.clone());
        async move {
            match api::auth::login(&req).await {
                Ok(info) => {
                    session.set_user(Some(info.user));
                    navigate("/mail", Default::default());
                    Ok(())
                }
                Err(err) if err.code() == Some(ErrorCode::TotpRequired) => {
                    needs_code.set(true);
                    focus_code_field();
                    Ok(())
                }
                Err(err) => Err(err),
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if log_in.pending().get_untracked() {
            return;
        }
        log_in.dispatch_local(LoginRequest {
            email: email.get_untracked(),
            password: password.get_untracked(),
            totp: Some(code.get_untracked()).filter(|c| !c.trim().is_empty()),
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
                {move || log_in.value().get().and_then(Result::err).map(|e| view! { <Refusal error=e /> })}
                <button class="button primary" type="submit" disabled=move || log_in.pending().get()>{t(Key::LogIn)}</button>
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
