//! Contacts (its own issue brings the real app; until then an honest placeholder).

use leptos::prelude::*;

use crate::components::coming_soon::ComingSoon;
use crate::components::icon::Icon;
use crate::i18n::Key;

#[component]
pub fn ContactsPage() -> impl IntoView {
    view! { <ComingSoon title=Key::Contacts icon=Icon::Contacts /> }
}
