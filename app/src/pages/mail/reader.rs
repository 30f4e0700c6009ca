//! The reading pane: headers, the text body, attachments, and the actions on a message
//! (reply, reply all, forward, flag, mark unread, move, delete, restore, download), and
//! where a sent message is on its way to other servers.

use ksuite_common::{Delivery, MessageDetail, MessageFlags};
use leptos::prelude::*;

use super::{MailState, Mode, Notice, UndoAction, compose, folder_name};
use crate::api;
use crate::i18n::{Key, error_message, fill, t, text};
use crate::state::prefs::use_prefs;

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
    Effect::new(move |_| {
        if let Some(Ok(Some(m))) = message.get()
            && !m.summary.seen
        {
            let id = m.summary.id;
            leptos::task::spawn_local(async move {
                let flags = MessageFlags {
                    seen: Some(true),
                    flagged: None,
                };
                if api::mail::set_flags(id, flags).await.is_ok() {
                    state.changed();
                }
            });
        }
    });
    let act = move |fut: std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<(), api::ApiError>>>,
    >,
                    close: bool| {
        leptos::task::spawn_local(async move {
            if fut.await.is_ok() {
                if close {
                    state.selected.set(None);
                }
                state.changed();
            }
        });
    };
    // Deleting moves to the Trash (or, from the Trash, to the restorable deleted mail):
    // say so, with Undo.
    let delete = move |id: i64, from_trash: bool| {
        leptos::task::spawn_local(async move {
            let l = lang.get_untracked();
            match api::mail::delete(id).await {
                Ok(()) => {
                    let key = if from_trash {
                        Key::MessageDeleted
                    } else {
                        Key::MovedToTrash
                    };
                    state.notice.set(Some(Notice {
                        text: text(l, key).to_string(),
                        undo: Some(UndoAction::Restore(id)),
                    }));
                    state.selected.set(None);
                    state.changed();
                }
                Err(e) => state.notice.set(Some(Notice::says(error_message(l, &e)))),
            }
        });
    };
    let body = move |m: MessageDetail| {
        let id = m.summary.id;
        let flagged = m.summary.flagged;
        let in_deleted = state.mode.get_untracked() == Some(Mode::Deleted);
        let folder_id = m.summary.folder_id;
        // Back where it was before the Trash (from the Trash and from deleted mail alike).
        let restore = move |_| {
            act(
                Box::pin(async move { api::mail::restore(id).await.map(|_| ()) }),
                true,
            )
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
                            <button type="button" class="button primary small" data-testid="restore" on:click=restore>
                                {t(Key::Restore)}
                            </button>
                        }.into_any()
                    } else {
                        view! {
                            <button type="button" class="button small" data-testid="flag"
                                    on:click=move |_| act(Box::pin(async move {
                                        api::mail::set_flags(id, MessageFlags { seen: None, flagged: Some(!flagged) }).await.map(|_| ())
                                    }), false)>
                                {if flagged { t(Key::UnflagMessage) } else { t(Key::FlagMessage) }}
                            </button>
                            <button type="button" class="button small"
                                    on:click=move |_| act(Box::pin(async move {
                                        api::mail::set_flags(id, MessageFlags { seen: Some(false), flagged: None }).await.map(|_| ())
                                    }), true)>
                                {t(Key::MarkUnread)}
                            </button>
                            <select aria-label=t(Key::MoveTo) data-testid="move" on:change=move |ev| {
                                if let Ok(target) = event_target_value(&ev).parse::<i64>() {
                                    act(Box::pin(async move { api::mail::move_to(id, target).await.map(|_| ()) }), true);
                                }
                            }>
                                <option value="">{t(Key::MoveTo)}</option>
                                {targets.iter().map(|f| view! {
                                    <option value=f.id.to_string()>{folder_name(lang.get_untracked(), f)}</option>
                                }).collect_view()}
                            </select>
                            {in_trash.then(|| view! {
                                <button type="button" class="button small" data-testid="restore" on:click=restore>
                                    {t(Key::Restore)}
                                </button>
                            })}
                            <button type="button" class="button small danger" data-testid="delete-message"
                                    on:click=move |_| delete(id, in_trash)>
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
                Some(Err(e)) => view! { <p class="form-error">{error_message(lang.get(), &e)}</p> }.into_any(),
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
    let retry = move |_| {
        let id = current.get_untracked().id;
        leptos::task::spawn_local(async move {
            if let Ok(d) = api::mail::retry(id).await {
                current.set(d);
                state.changed();
            }
        });
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
                        <button type="button" class="button small" data-testid="retry" on:click=retry>{t(Key::RetryNow)}</button>
                    })}
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
