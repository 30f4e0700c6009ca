//! The reading pane: headers, the text body, attachments, and the actions on a message
//! (reply, reply all, forward, flag, mark unread, move, delete, restore, download), and
//! where a sent message is on its way to other servers.

use ksuite_common::{Delivery, MessageDetail, MessageFlags};
use leptos::prelude::*;

use super::{MailState, Mode, Notice, UndoAction, compose, folder_name};
use crate::api;
use crate::components::refusal::Refusal;
use crate::i18n::{Key, error_message, fill, t, text};
use crate::state::prefs::use_prefs;

/// What the reader's buttons do to the open message.
#[derive(Clone, Copy)]
enum Change {
    Flag {
        id: i64,
        flagged: bool,
    },
    MarkUnread(i64),
    Move {
        id: i64,
        to: i64,
    },
    /// Back where it was before the Trash (from the Trash and from deleted mail alike).
    Restore(i64),
    Delete {
        id: i64,
        from_trash: bool,
    },
}

impl Change {
    /// The message leaves the reader (it is elsewhere now, or meant to be read later).
    fn closes(self) -> bool {
        !matches!(self, Change::Flag { .. })
    }
}

async fn apply(change: Change) -> Result<Change, api::ApiError> {
    match change {
        Change::Flag { id, flagged } => {
            let flags = MessageFlags {
                seen: None,
                flagged: Some(flagged),
            };
            api::mail::set_flags(id, flags).await.map(drop)
        }
        Change::MarkUnread(id) => {
            let flags = MessageFlags {
                seen: Some(false),
                flagged: None,
            };
            api::mail::set_flags(id, flags).await.map(drop)
        }
        Change::Move { id, to } => api::mail::move_to(id, to).await.map(drop),
        Change::Restore(id) => api::mail::restore(id).await.map(drop),
        Change::Delete { id, .. } => api::mail::delete(id).await,
    }
    .map(|()| change)
}

#[component]
pub fn Reader() -> impl IntoView {
    let prefs = use_prefs();
    let lang = prefs.lang;
    let state = expect_context::<MailState>();
    let message = LocalResource::new(move || {
        let id = state.selected.get();
        async move {
            match id {
                Some(id) => api::mail::message(id).await.map(Some),
                None => Ok(None),
            }
        }
    });
    // Opening a message marks it read.
    let mark_read = Action::new_local(|id: &i64| {
        api::mail::set_flags(
            *id,
            MessageFlags {
                seen: Some(true),
                flagged: None,
            },
        )
    });
    Effect::new(move |_| {
        if let Some(Ok(Some(m))) = message.get()
            && !m.summary.seen
        {
            mark_read.dispatch(m.summary.id);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = mark_read.value().get() {
            state.changed();
        }
    });
    let change = Action::new_local(|c: &Change| apply(*c));
    // The flag as last set here (the open message is not fetched again for it); opening
    // a message fetches its own.
    let flag_set = RwSignal::new(None::<(i64, bool)>);
    Effect::new(move |_| {
        state.selected.track();
        flag_set.set(None);
    });
    Effect::new(move |_| {
        let Some(result) = change.value().get() else {
            return;
        };
        let l = lang.get_untracked();
        match result {
            Ok(done) => {
                if let Change::Flag { id, flagged } = done {
                    flag_set.set(Some((id, flagged)));
                }
                if let Change::Delete { id, from_trash } = done {
                    let key = if from_trash {
                        Key::MessageDeleted
                    } else {
                        Key::MovedToTrash
                    };
                    // Deleting moves to the Trash (or, from the Trash, to the restorable
                    // deleted mail): say so, with Undo.
                    state.notice.set(Some(Notice {
                        text: text(l, key).to_string(),
                        undo: Some(UndoAction::Restore(id)),
                    }));
                }
                if done.closes() {
                    state.selected.set(None);
                }
            }
            Err(e) => state.notice.set(Some(Notice::says(error_message(l, &e)))),
        }
        state.changed();
    });
    let busy = move || change.pending().get();
    let body = move |m: MessageDetail| {
        let id = m.summary.id;
        let listed_flag = m.summary.flagged;
        let flagged = move || match flag_set.get() {
            Some((flag_id, set)) if flag_id == id => set,
            _ => listed_flag,
        };
        let in_deleted = state.mode.get_untracked() == Some(Mode::Deleted);
        let folder_id = m.summary.folder_id;
        // Back where it was before the Trash (from the Trash and from deleted mail alike).
        let restore = move |_| {
            change.dispatch(Change::Restore(id));
        };
        let in_trash = state
            .folders
            .get_untracked()
            .iter()
            .any(|f| f.id == folder_id && f.role.as_deref() == Some("trash"));
        let address = state
            .folders
            .get_untracked()
            .into_iter()
            .find(|f| f.id == folder_id)
            .map(|f| f.address);
        let targets: Vec<_> = state
            .folders
            .get_untracked()
            .into_iter()
            .filter(|f| Some(&f.address) == address.as_ref() && f.id != folder_id)
            .collect();
        let subject = m.summary.subject.clone();
        let is_draft = m.summary.draft;
        let (for_reply, for_all, for_forward, for_draft) =
            (m.clone(), m.clone(), m.clone(), m.clone());
        let seed = move |s: compose::Seed| {
            state.notice.set(None);
            state.compose.set(Some(s));
        };
        view! {
            <article class="mail-message card" data-testid="reader">
                <button type="button" class="button ghost small back" on:click=move |_| state.selected.set(None)>
                    "← " {t(Key::BackToList)}
                </button>
                <h2 data-testid="reader-subject">{subject}</h2>
                {m.sender_warning.map(|w| view! {
                    <p class="sender-warning" role="alert" data-testid="sender-warning">{t(match w {
                        ksuite_common::SenderWarning::UnauthenticatedLocalSender => Key::SenderUnverified,
                        ksuite_common::SenderWarning::FailedDmarc => Key::SenderFailedDmarc,
                    })}</p>
                })}
                <dl class="mail-headers">
                    <dt>{t(Key::FromLabel)}</dt>
                    <dd>{match (&m.summary.from_name, &m.summary.from_address) {
                        (Some(n), Some(a)) => format!("{n} <{a}>"),
                        (None, Some(a)) => a.clone(),
                        (Some(n), None) => n.clone(),
                        (None, None) => String::new(),
                    }}</dd>
                    <dt>{t(Key::ToLabel)}</dt>
                    <dd>{m.summary.to.join(", ")}</dd>
                    {(!m.cc.is_empty()).then(|| view! { <dt>{t(Key::CcLabel)}</dt><dd>{m.cc.join(", ")}</dd> })}
                </dl>
                <p class="muted" data-testid="reader-date">{prefs.datetime(m.summary.sent_at.unwrap_or(m.summary.received_at))}</p>
                {m.delivery.clone().map(|d| view! { <DeliveryLine delivery=d /> })}
                <Conversation id=id />
                <div class="actions">
                    {(!in_deleted && is_draft).then(|| view! {
                        <button type="button" class="button primary small" data-testid="edit-draft"
                                on:click=move |_| seed(compose::from_draft(&state, &for_draft))>
                            {t(Key::ContinueWriting)}
                        </button>
                    })}
                    {(!in_deleted && !is_draft).then(|| view! {
                        <button type="button" class="button primary small" data-testid="reply"
                                on:click=move |_| seed(compose::reply(&state, prefs, &for_reply, false))>
                            {t(Key::Reply)}
                        </button>
                        <button type="button" class="button small" data-testid="reply-all"
                                on:click=move |_| seed(compose::reply(&state, prefs, &for_all, true))>
                            {t(Key::ReplyAll)}
                        </button>
                        <button type="button" class="button small" data-testid="forward"
                                on:click=move |_| seed(compose::forward(&state, prefs, &for_forward))>
                            {t(Key::Forward)}
                        </button>
                    })}
                    {if in_deleted {
                        view! {
                            <button type="button" class="button primary small" data-testid="restore" disabled=busy on:click=restore>
                                {t(Key::Restore)}
                            </button>
                        }.into_any()
                    } else {
                        view! {
                            <button type="button" class="button small" data-testid="flag" disabled=busy
                                    on:click=move |_| { change.dispatch(Change::Flag { id, flagged: !flagged() }); }>
                                {move || if flagged() { t(Key::UnflagMessage)() } else { t(Key::FlagMessage)() }}
                            </button>
                            <button type="button" class="button small" disabled=busy
                                    on:click=move |_| { change.dispatch(Change::MarkUnread(id)); }>
                                {t(Key::MarkUnread)}
                            </button>
                            <select aria-label=t(Key::MoveTo) data-testid="move" disabled=busy on:change=move |ev| {
                                if let Ok(target) = event_target_value(&ev).parse::<i64>() {
                                    change.dispatch(Change::Move { id, to: target });
                                }
                            }>
                                <option value="">{t(Key::MoveTo)}</option>
                                {targets.iter().map(|f| view! {
                                    <option value=f.id.to_string()>{folder_name(lang.get_untracked(), f)}</option>
                                }).collect_view()}
                            </select>
                            {in_trash.then(|| view! {
                                <button type="button" class="button small" data-testid="restore" disabled=busy on:click=restore>
                                    {t(Key::Restore)}
                                </button>
                            })}
                            <button type="button" class="button small danger" data-testid="delete-message" disabled=busy
                                    on:click=move |_| { change.dispatch(Change::Delete { id, from_trash: in_trash }); }>
                                {t(Key::Delete)}
                            </button>
                        }.into_any()
                    }}
                    <a class="button small" href=format!("/api/mail/messages/{id}/raw") download="message.eml">{t(Key::DownloadEml)}</a>
                </div>
                {if m.has_html {
                    let images = RwSignal::new(false);
                    let remote = m.remote_images;
                    view! {
                        <Show when=move || remote && !images.get()>
                            <p class="images-blocked" data-testid="images-blocked">
                                {t(Key::RemoteImagesBlocked)} " "
                                <button type="button" class="button small" on:click=move |_| images.set(true)>{t(Key::ShowImages)}</button>
                            </p>
                        </Show>
                        // Sandboxed: no scripts, no same-origin access; the server adds a strict CSP.
                        <iframe class="mail-html" data-testid="reader-html" sandbox="allow-popups allow-popups-to-escape-sandbox"
                                referrerpolicy="no-referrer" title=t(Key::Mail)
                                src=move || format!("/api/mail/messages/{id}/html?images={}", images.get())></iframe>
                    }.into_any()
                } else {
                    view! { <pre class="mail-body" data-testid="reader-body">{m.text.clone()}</pre> }.into_any()
                }}
                {(!m.attachments.is_empty()).then(|| view! {
                    <h3>{t(Key::Attachments)}</h3>
                    <ul class="attachments">
                        {m.attachments.iter().map(|a| view! {
                            <li>
                                <a href=format!("/api/mail/messages/{id}/attachments/{}", a.index) download=a.name.clone()
                                   data-testid="attachment">{a.name.clone()}</a>
                                <span class="muted">{format!(" · {} · {} KB", a.content_type, a.size.div_ceil(1024))}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                })}
            </article>
        }
    };
    view! {
        <div class="mail-reader">
            {move || match message.get() {
                Some(Ok(Some(m))) => body(m).into_any(),
                Some(Err(e)) => view! { <Refusal error=e /> }.into_any(),
                _ => view! { <p class="empty muted select-hint">{t(Key::SelectMessage)}</p> }.into_any(),
            }}
        </div>
    }
}

/// Where a sent message is with the relay: queued (with the last error and the next try),
/// handed over, or failed; queued and failed ones can be retried now.
#[component]
fn DeliveryLine(delivery: Delivery) -> impl IntoView {
    let prefs = use_prefs();
    let lang = prefs.lang;
    let state = expect_context::<MailState>();
    let current = RwSignal::new(delivery);
    let retrying = Action::new_local(|id: &i64| api::mail::retry(*id));
    Effect::new(move |_| {
        if let Some(Ok(d)) = retrying.value().get() {
            current.set(d);
            state.changed();
        }
    });
    let retry = move |_| {
        retrying.dispatch(current.get_untracked().id);
    };
    view! {
        {move || {
            let d = current.get();
            let l = lang.get();
            let who = d.recipients.join(", ");
            let (class, line) = match d.state.as_str() {
                "sent" => ("delivery sent", fill(text(l, Key::DeliverySent), &[("recipients", who)])),
                "failed" => ("delivery failed", fill(text(l, Key::DeliveryFailed), &[("recipients", who)])),
                _ => ("delivery queued", fill(text(l, Key::DeliveryQueued), &[
                    ("recipients", who),
                    ("time", d.next_attempt_at.map(|t| prefs.datetime(t)).unwrap_or_default()),
                ])),
            };
            let error = d.last_error.clone().filter(|_| d.state != "sent");
            let can_retry = d.state != "sent";
            view! {
                <div class=class role="status" data-testid="delivery" data-state=d.state.clone()>
                    <p>{line}</p>
                    {error.map(|e| view! { <p class="muted">{e}</p> })}
                    {can_retry.then(|| view! {
                        <button type="button" class="button small" data-testid="retry"
                                disabled=move || retrying.pending().get() on:click=retry>{t(Key::RetryNow)}</button>
                    })}
                    {move || retrying.value().get().and_then(Result::err).map(|e| view! { <Refusal error=e /> })}
                </div>
            }
        }}
    }
}

/// The other messages of the conversation (in any folder), oldest first, to jump to.
#[component]
fn Conversation(id: i64) -> impl IntoView {
    let prefs = use_prefs();
    let lang = prefs.lang;
    let state = expect_context::<MailState>();
    let thread = LocalResource::new(move || api::mail::thread(id));
    move || {
        let list = match thread.get() {
            Some(Ok(list)) if list.len() > 1 => list,
            _ => return ().into_any(),
        };
        let count = list.len();
        view! {
            <details class="conversation" data-testid="conversation">
                <summary>{move || fill(text(lang.get(), Key::ConversationCount), &[("count", count.to_string())])}</summary>
                <ol>
                    {list.into_iter().map(|m| {
                        let current = m.id == id;
                        let other = m.id;
                        let who = m.from_name.clone().or(m.from_address.clone()).unwrap_or_default();
                        view! {
                            <li class:current=current>
                                <button type="button" class="link-button" disabled=current
                                        on:click=move |_| state.selected.set(Some(other))>
                                    <span>{who}</span>
                                    <span class="muted">{format!(" · {}", prefs.datetime(m.sent_at.unwrap_or(m.received_at)))}</span>
                                    <span class="snippet">{m.snippet.clone()}</span>
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ol>
            </details>
        }.into_any()
    }
}
