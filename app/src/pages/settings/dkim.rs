//! Mail signing (DKIM) in Settings → Administration: the TXT records receiving servers
//! check signatures against, and the two-step rotation (prepare a key, publish its record,
//! then switch), so no mail is ever signed with a key the DNS does not know yet.

use ksuite_common::{DkimKey, DkimKeyState};
use leptos::prelude::*;

use crate::api;
use crate::components::refusal::Refusal;
use crate::i18n::{Key, error_message, t};
use crate::state::prefs::use_prefs;

/// What the administrator may do next.
#[derive(Clone, Copy, PartialEq)]
enum Step {
    Prepare,
    Activate,
}

#[component]
pub fn DkimCard() -> impl IntoView {
    let session = crate::state::session::use_session();
    view! {
        <Show when=move || session.user().is_some_and(|u| u.is_admin)>
            <DkimKeys />
        </Show>
    }
}

fn state_label(state: DkimKeyState) -> Key {
    match state {
        DkimKeyState::Next => Key::DkimStateNext,
        DkimKeyState::Active => Key::DkimStateActive,
        DkimKeyState::Retired => Key::DkimStateRetired,
    }
}

#[component]
fn DkimKeys() -> impl IntoView {
    let prefs = use_prefs();
    let lang = prefs.lang;
    let step = Action::new_local(|s: &Step| {
        let s = *s;
        async move {
            match s {
                Step::Prepare => api::admin::prepare_dkim_key().await,
                Step::Activate => api::admin::activate_dkim_key().await,
            }
        }
    });
    let keys = LocalResource::new(move || {
        step.version().track();
        api::admin::dkim_keys()
    });
    let row = move |k: DkimKey| {
        view! {
            <li class="dkim-key" data-testid="dkim-key">
                <strong>{k.selector}</strong>
                <span class="badge" class:on=k.state == DkimKeyState::Active>{t(state_label(k.state))}</span>
                <span class="muted">{prefs.date(k.created_at)}</span>
                <p>{t(Key::DkimRecordName)}" "<code data-testid="dkim-name">{k.dns_name}</code></p>
                <p>{t(Key::DkimRecordValue)}" "<code data-testid="dkim-value">{k.dns_value}</code></p>
            </li>
        }
    };
    let body = move || {
        Some(match keys.get()? {
            Ok(items) => {
                let prepared = items.iter().any(|k| k.state == DkimKeyState::Next);
                let next = if prepared {
                    (Step::Activate, Key::DkimActivate)
                } else {
                    (Step::Prepare, Key::DkimPrepare)
                };
                view! {
                    <ul class="app-password-list">{items.into_iter().map(row).collect_view()}</ul>
                    {prepared.then(|| view! { <p class="muted">{t(Key::DkimActivateHint)}</p> })}
                    <button class="button small" type="button" disabled=move || step.pending().get()
                            on:click=move |_| { step.dispatch(next.0); }>{t(next.1)}</button>
                }
                .into_any()
            }
            Err(e) => {
                view! { <p class="form-error">{error_message(lang.get(), &e)}</p> }.into_any()
            }
        })
    };
    view! {
        <div class="card" data-testid="admin-dkim">
            <h2>{t(Key::DkimTitle)}</h2>
            <p class="muted">{t(Key::DkimHelp)}</p>
            // A refused step (another administrator switched first) says why; the list stays.
            {move || step.value().get().and_then(Result::err).map(|e| view! {
                <Refusal error=e />
            })}
            {body}
        </div>
    }
}
