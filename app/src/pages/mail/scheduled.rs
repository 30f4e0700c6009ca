//! The messages waiting to be sent (sent later, or inside the undo window): when each goes,
//! why one could not go, and Send now / Edit / Don't send.

use std::time::Duration;

use ksuite_common::{ScheduledSend, ScheduledState};
use leptos::prelude::*;

use super::{MailState, Notice, compose};
use crate::api::{self, ApiError};
use crate::i18n::{Key, error_message, fill, t, text};
use crate::state::prefs::use_prefs;

/// What the user asked of a waiting message.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Change {
    SendNow,
    /// Stop it and open its draft in the composer.
    Edit,
    Cancel,
}

async fn apply(
    state: MailState,
    s: &ScheduledSend,
    change: Change,
) -> Result<Option<Key>, ApiError> {
    match change {
        Change::SendNow => {
            let id = s.id;
            api::mail::reschedule(id, None).await?;
            // The server sends within a moment: say "sent" once it has (or show why not).
            for _ in 0..10 {
                crate::browser::sleep(Duration::from_millis(400)).await;
                match api::mail::scheduled()
                    .await?
                    .into_iter()
                    .find(|s| s.id == id)
                {
                    None => return Ok(Some(Key::MessageSent)),
                    Some(s) if s.state == ScheduledState::Failed => return Ok(None),
                    Some(_) => {}
                }
            }
            Ok(Some(Key::MessageSending))
        }
        Change::Cancel => api::mail::cancel_scheduled(s.id)
            .await
            .map(|()| Some(Key::SendCancelled)),
        Change::Edit => unsend(state, s.id, s.draft_id).await.map(|()| None),
    }
}

/// Stops a waiting message and reopens its draft in the composer (Edit here, and Undo
/// after Send).
pub(super) async fn unsend(state: MailState, schedule: i64, draft: i64) -> Result<(), ApiError> {
    api::mail::cancel_scheduled(schedule).await?;
    let draft = api::mail::message(draft).await?;
    state.selected.set(None);
    state.compose.set(Some(compose::from_draft(&state, &draft)));
    Ok(())
}

#[component]
pub fn ScheduledSends() -> impl IntoView {
    let state = expect_context::<MailState>();
    let prefs = use_prefs();
    let lang = prefs.lang;
    let waiting = LocalResource::new(move || {
        state.version.track();
        api::mail::scheduled()
    });
    let change = Action::new_local(move |(s, change): &(ScheduledSend, Change)| {
        let (s, change) = (s.clone(), *change);
        async move { apply(state, &s, change).await }
    });
    Effect::new(move |_| {
        let Some(result) = change.value().get() else {
            return;
        };
        let l = lang.get_untracked();
        match result {
            Ok(Some(key)) => state.notice.set(Some(Notice::says(text(l, key)))),
            Ok(None) => {}
            Err(e) => state.notice.set(Some(Notice::says(error_message(l, &e)))),
        }
        state.changed();
    });
    let row = move |s: ScheduledSend| {
        let it = StoredValue::new(s.clone());
        let subject = if s.subject.trim().is_empty() {
            text(lang.get_untracked(), Key::NoSubject).to_string()
        } else {
            s.subject.clone()
        };
        let when = prefs.datetime(s.send_at);
        let failed =
            (s.state == ScheduledState::Failed).then(|| s.last_error.clone().unwrap_or_default());
        view! {
            <li data-testid="scheduled-send">
                <span class="scheduled-what">
                    <strong>{subject}</strong>
                    <span class="muted">{format!("{} · {when}", s.to.join(", "))}</span>
                    {failed.map(|reason| view! {
                        <span class="form-error" role="alert">
                            {move || fill(text(lang.get(), Key::NotSentBecause), &[("reason", reason.clone())])}
                        </span>
                    })}
                </span>
                <span class="scheduled-actions">
                    <button type="button" class="button small" data-testid="scheduled-send-now"
                            disabled=move || change.pending().get()
                            on:click=move |_| { change.dispatch((it.get_value(), Change::SendNow)); }>{t(Key::SendNow)}</button>
                    <button type="button" class="button small" data-testid="scheduled-edit"
                            disabled=move || change.pending().get()
                            on:click=move |_| { change.dispatch((it.get_value(), Change::Edit)); }>{t(Key::Edit)}</button>
                    <button type="button" class="button small ghost danger" data-testid="scheduled-cancel"
                            disabled=move || change.pending().get()
                            on:click=move |_| { change.dispatch((it.get_value(), Change::Cancel)); }>{t(Key::CancelSend)}</button>
                </span>
            </li>
        }
    };
    view! {
        <Transition fallback=|| ()>
            {move || waiting.get().and_then(Result::ok).filter(|l| !l.is_empty()).map(|list| {
                let n = list.len().to_string();
                view! {
                <details class="scheduled-sends card" data-testid="scheduled-sends">
                    <summary>{move || fill(text(lang.get(), Key::ScheduledSends), &[("n", n.clone())])}</summary>
                    <ul>{list.into_iter().map(row).collect_view()}</ul>
                </details>
                }
            })}
        </Transition>
    }
}
