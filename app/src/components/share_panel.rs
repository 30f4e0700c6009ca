//! Share a calendar or address book with other users (read or read/write), and list or
//! remove its shares. `base` is the resource's API path, e.g. `/api/calendars/3`.

use ksuite_common::{CalendarAccess, CalendarShare};
use leptos::prelude::*;

use crate::api;
use crate::i18n::{Key, error_message, t};
use crate::state::prefs::use_prefs;

/// What the panel asks of the server.
#[derive(Clone)]
enum ShareChange {
    Share(CalendarShare),
    /// The e-mail address whose share ends.
    Unshare(String),
}

#[component]
pub fn SharePanel(base: String, input_id: String) -> impl IntoView {
    let lang = use_prefs().lang;
    let base = StoredValue::new(base);
    let email = RwSignal::new(String::new());
    let access = RwSignal::new(CalendarAccess::Read);
    let error = RwSignal::new(None::<String>);
    let version = RwSignal::new(0u32);
    let shares = LocalResource::new(move || {
        version.track();
        let base = base.get_value();
        async move { api::shares::list(&base).await }
    });
    // Sharing and unsharing: either answer reloads the list; a refusal is the panel's error.
    let change = Action::new_local(move |c: &ShareChange| {
        let (base, c) = (base.get_value(), c.clone());
        async move {
            match &c {
                ShareChange::Share(req) => api::shares::put(&base, req).await.map(drop),
                ShareChange::Unshare(who) => api::shares::remove(&base, who).await,
            }
            .map(|()| c)
        }
    });
    Effect::new(move |_| {
        let Some(result) = change.value().get() else {
            return;
        };
        match result {
            Ok(done) => {
                if let ShareChange::Share(_) = done {
                    email.set(String::new());
                }
                error.set(None);
                version.update(|v| *v += 1);
            }
            Err(e) => error.set(Some(error_message(lang.get_untracked(), &e))),
        }
    });
    let share = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        change.dispatch(ShareChange::Share(CalendarShare {
            email: email.get_untracked(),
            access: access.get_untracked(),
        }));
    };
    let unshare = move |who: String| {
        change.dispatch(ShareChange::Unshare(who));
    };
    view! {
        <form on:submit=share>
            <label for=input_id.clone()>{t(Key::ShareWith)}</label>
            <input id=input_id type="email" bind:value=email />
            <select aria-label=t(Key::ShareWith) on:change=move |ev| access.set(
                if event_target_value(&ev) == "read_write" { CalendarAccess::ReadWrite } else { CalendarAccess::Read })>
                <option value="read">{t(Key::AccessRead)}</option>
                <option value="read_write">{t(Key::AccessReadWrite)}</option>
            </select>
            <button type="submit" class="button small" disabled=move || change.pending().get()>{t(Key::Share)}</button>
        </form>
        <ul class="shares">
            {move || shares.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|s| {
                let who = s.email.clone();
                let label = if s.access == CalendarAccess::ReadWrite { Key::AccessReadWrite } else { Key::AccessRead };
                view! {
                    <li>
                        <span>{s.email.clone()}" · "{t(label)}</span>
                        <button type="button" class="button small" on:click=move |_| unshare(who.clone())>{t(Key::RemoveShare)}</button>
                    </li>
                }
            }).collect_view()}
        </ul>
        {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
    }
}
