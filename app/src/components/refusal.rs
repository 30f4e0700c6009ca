//! A refused request as its form's or list's error line: one look, one `role="alert"` and
//! the message in the user's language everywhere.

use leptos::prelude::*;

use crate::api::ApiError;
use crate::i18n::error_message;
use crate::state::prefs::use_prefs;

#[component]
pub fn Refusal(error: ApiError) -> impl IntoView {
    let lang = use_prefs().lang;
    view! { <p class="form-error" role="alert">{move || error_message(lang.get(), &error)}</p> }
}
