//! Login and sign-up pages.

mod login;
mod signup;

pub use login::LoginPage;
pub use signup::SignupPage;

use leptos::prelude::*;

use crate::components::language_select::LanguageSelect;

/// The frame around the login and sign-up cards.
#[component]
fn AuthFrame(children: Children) -> impl IntoView {
    view! {
        <main class="auth-page">
            <div class="auth-top">
                <span class="brand">"ksuite"</span>
                <LanguageSelect id="auth-language" />
            </div>
            <div class="card">{children()}</div>
        </main>
    }
}

/// Browser's IANA time zone, to preset the profile at sign-up.
fn browser_time_zone() -> Option<String> {
    let options = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
        .resolved_options();
    js_sys::Reflect::get(&options, &"timeZone".into())
        .ok()?
        .as_string()
}
