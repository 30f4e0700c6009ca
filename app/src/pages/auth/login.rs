use ksuite_common::LoginRequest;
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
        };
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match api::auth::login(&req).await {
                Ok(info) => {
                    session.set_user(Some(info.user));
                    navigate("/mail", Default::default());
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
                <Show when=move || error.get().is_some()>
                    <p class="form-error" role="alert">{move || error.get()}</p>
                </Show>
                <button class="button primary" type="submit" disabled=move || busy.get()>{t(Key::LogIn)}</button>
            </form>
            <p class="switch">{t(Key::NoAccountYet)} " " <A href="/signup">{t(Key::SignUp)}</A></p>
        </AuthFrame>
    }
}
