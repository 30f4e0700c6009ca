//! The composer: from, to/cc/bcc with suggestions, subject, plain or rich text, attachments
//! uploaded with progress, a choice of the address's signatures, drafts saved automatically,
//! send now, after the undo window or later.
//! Replies, reply-all and forwards start from a [`Seed`] built from the message.
//! The recipients, the text editor and the attachments are components of their own.

mod attachments;
mod editor;
mod seed;
mod signature;

use std::time::Duration;

use ksuite_common::{MailAddress, OutgoingMessage};
use leptos::prelude::*;

use super::recipients::RecipientField;
use super::{MailState, Notice, UndoAction};
use crate::api;
use crate::i18n::{Key, error_message, fill, t, text};
use crate::state::prefs::use_prefs;
use crate::state::session::use_session;
use attachments::{Attached, Attachments};
use editor::{BodyEditor, RichText};
pub(crate) use seed::{Seed, SignatureUse, forward, from_draft, new_message, reply};
use signature::{signature_block, swap_signature};

/// How long after the last keystroke a draft is saved.
const AUTOSAVE_AFTER: Duration = Duration::from_secs(2);

#[component]
pub fn Composer(seed: Seed) -> impl IntoView {
    let prefs = use_prefs();
    let lang = prefs.lang;
    let state = expect_context::<MailState>();
    let session = use_session();
    let changed = RwSignal::new(0u32);
    let bump = move || changed.update(|c| *c += 1);
    let on_change = Callback::new(move |()| bump());
    let from = RwSignal::new(seed.msg.from.clone());
    let to = RwSignal::new(seed.msg.to.clone());
    let cc = RwSignal::new(seed.msg.cc.clone());
    let bcc = RwSignal::new(seed.msg.bcc.clone());
    let show_copies = RwSignal::new(!seed.msg.cc.is_empty() || !seed.msg.bcc.is_empty());
    let subject = RwSignal::new(seed.msg.subject.clone());
    let body = RwSignal::new(seed.msg.text.clone());
    let rich = RwSignal::new(seed.html.is_some());
    let rich_text = RichText::new(on_change);
    let draft_id = RwSignal::new(seed.msg.draft_id);
    let in_reply_to = seed.msg.in_reply_to;
    let attached = RwSignal::new(Attached::carried(&seed.msg.attachments, &seed.files));
    let status = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    // The change counter at the last successful save.
    let saved_generation = StoredValue::new(0u32);
    let sending = RwSignal::new(false);
    let closed = StoredValue::new(false);
    let addresses = RwSignal::new(Vec::<MailAddress>::new());

    // The signature in the message (chosen among the sending address's) and its text there,
    // so that choosing another, or another sender, replaces it.
    let signature_use = seed.signature;
    let quote = StoredValue::new(seed.quote.clone());
    let signature = RwSignal::new(None::<i64>);
    let placed = StoredValue::new(String::new());
    let signatures_of_sender = move || {
        let sender = from.get();
        addresses
            .get()
            .into_iter()
            .find(|a| a.address == sender)
            .map(|a| a.signatures)
            .unwrap_or_default()
    };
    let place_signature = move |id: Option<i64>| {
        let sender = from.get_untracked();
        let block = addresses.with_untracked(|list| {
            list.iter()
                .find(|a| a.address == sender)
                .and_then(|a| a.signatures.iter().find(|s| Some(s.id) == id))
                .map(|s| signature_block(&s.body))
                .unwrap_or_default()
        });
        let old = placed.get_value();
        if rich.get_untracked() {
            let quote_line = quote.with_value(|q| q.lines().next().unwrap_or_default().to_string());
            rich_text.swap_signature(&old, &block, &quote_line);
        } else {
            body.update(|b| *b = quote.with_value(|q| swap_signature(b, &old, &block, q)));
        }
        placed.set_value(block);
        signature.set(id);
    };
    // The sender's default for this kind of message.
    let place_default = move || {
        if signature_use == SignatureUse::None {
            return;
        }
        let sender = from.get_untracked();
        let id = addresses.with_untracked(|list| {
            list.iter()
                .find(|a| a.address == sender)
                .and_then(|a| a.default_signature(signature_use == SignatureUse::Reply))
                .map(|s| s.id)
        });
        place_signature(id);
    };

    // The sending addresses, then the signature once they are known.
    leptos::task::spawn_local(async move {
        if let Ok(list) = api::mail::addresses().await
            // The composer may have been closed meanwhile.
            && from.try_get_untracked().is_some()
        {
            let list: Vec<MailAddress> = list
                .into_iter()
                .filter(|a| a.permission != "read")
                .collect();
            // An address the user may only read cannot be the sender: use their first one.
            let current = from.get_untracked();
            if !list.iter().any(|a| a.address == current)
                && let Some(first) = list.first()
            {
                from.set(first.address.clone());
            }
            if signature_use != SignatureUse::None {
                body.set(quote.with_value(|q| format!("\n\n{q}")));
            }
            addresses.set(list);
            place_default();
        }
    });

    let outgoing = move || {
        let (text, html) = match rich.get_untracked().then(|| rich_text.contents()).flatten() {
            Some((text, html)) => (text, Some(html)),
            None => (body.get_untracked(), None),
        };
        OutgoingMessage {
            from: from.get_untracked(),
            to: to.get_untracked(),
            cc: cc.get_untracked(),
            bcc: bcc.get_untracked(),
            subject: subject.get_untracked(),
            text,
            html,
            attachments: attached
                .get_untracked()
                .into_iter()
                .filter_map(|a| a.reference)
                .collect(),
            in_reply_to,
            draft_id: draft_id.get_untracked(),
        }
    };
    let save = move || {
        if closed.try_get_value().unwrap_or(true)
            || saving.get_untracked()
            || sending.get_untracked()
        {
            return;
        }
        saving.set(true);
        let msg = outgoing();
        let generation = changed.get_untracked();
        leptos::task::spawn_local(async move {
            let result = api::mail::save_draft(&msg).await;
            // Closed while saving (its signals are gone): the draft is saved all the same.
            if changed.try_get_untracked().is_none() {
                state.changed();
                return;
            }
            match result {
                Ok(saved) => {
                    saved_generation.set_value(generation);
                    draft_id.set(Some(saved.id));
                    // The draft now holds the attachments: refer to them there.
                    attached.update(|list| {
                        let mut refs = saved.attachments.into_iter();
                        for a in list.iter_mut().filter(|a| a.reference.is_some()) {
                            a.reference = refs.next();
                        }
                    });
                    status.set(Some(fill(
                        text(lang.get_untracked(), Key::DraftSaved),
                        &[("time", prefs.datetime(saved.saved_at))],
                    )));
                    state.changed();
                }
                Err(e) => status.set(Some(fill(
                    text(lang.get_untracked(), Key::DraftNotSaved),
                    &[("reason", error_message(lang.get_untracked(), &e))],
                ))),
            }
            saving.set(false);
            // Typed on while saving: save again later.
            if changed.get_untracked() != generation {
                changed.update(|c| *c += 1);
            }
        });
    };
    // Autosave a moment after the last change.
    Effect::new(move |first: Option<()>| {
        let generation = changed.get();
        if first.is_none() || generation == 0 {
            return;
        }
        set_timeout(
            move || {
                if changed.try_get_untracked() == Some(generation) {
                    save();
                }
            },
            AUTOSAVE_AFTER,
        );
    });
    let close = move || {
        closed.set_value(true);
        state.compose.set(None);
    };
    // Send (after the user's undo window, when they keep one) or, with `later`, at that time.
    let send_at = move |later: Option<i64>| {
        error.set(None);
        if attached.with_untracked(|l| l.iter().any(Attached::uploading)) {
            error.set(Some(
                text(lang.get_untracked(), Key::WaitForUploads).to_string(),
            ));
            return;
        }
        let msg = outgoing();
        let undo_window = session.user().map(|u| u.undo_send_seconds).unwrap_or(0);
        sending.set(true);
        leptos::task::spawn_local(async move {
            // A draft save on its way would replace the draft being sent: let it land.
            for _ in 0..100 {
                if !saving.try_get_untracked().unwrap_or(false) {
                    break;
                }
                crate::browser::sleep(Duration::from_millis(50)).await;
            }
            if draft_id.try_get_untracked().is_none() {
                return;
            }
            let msg = OutgoingMessage {
                draft_id: draft_id.get_untracked(),
                attachments: attached
                    .get_untracked()
                    .into_iter()
                    .filter_map(|a| a.reference)
                    .collect(),
                ..msg
            };
            let l = lang.get_untracked();
            let result = if later.is_some() || undo_window > 0 {
                api::mail::schedule(&msg, later).await.map(|s| {
                    let says = match later {
                        Some(_) => fill(
                            text(l, Key::MessageScheduled),
                            &[("time", prefs.datetime(s.send_at))],
                        ),
                        None => text(l, Key::MessageSending).to_string(),
                    };
                    Notice {
                        text: says,
                        undo: Some(UndoAction::Unsend {
                            schedule: s.id,
                            draft: s.draft_id,
                        }),
                    }
                })
            } else {
                api::mail::send(&msg).await.map(|sent| {
                    let key = match sent.delivery.as_ref().map(|d| d.state.as_str()) {
                        Some("queued") => Key::MessageQueued,
                        _ => Key::MessageSent,
                    };
                    Notice::says(text(l, key))
                })
            };
            if sending.try_get_untracked().is_none() {
                state.changed();
                return;
            }
            match result {
                Ok(notice) => {
                    let unsend = notice.undo;
                    state.notice.set(Some(notice));
                    // After the undo window the message has gone: say so.
                    if later.is_none() && unsend.is_some() {
                        set_timeout(
                            move || {
                                if state.notice.try_get_untracked().flatten().map(|n| n.undo)
                                    == Some(unsend)
                                {
                                    state
                                        .notice
                                        .set(Some(Notice::says(text(l, Key::MessageSent))));
                                    state.changed();
                                }
                            },
                            Duration::from_secs(u64::from(undo_window) + 1),
                        );
                    }
                    // The draft is being sent: a reader still showing it would ask for a
                    // message that is about to go.
                    if msg.draft_id.is_some() && state.selected.get_untracked() == msg.draft_id {
                        state.selected.set(None);
                    }
                    state.changed();
                    close();
                }
                Err(e) => {
                    error.set(Some(error_message(l, &e)));
                    sending.set(false);
                }
            }
        });
    };
    let send = move |_| send_at(None);
    let later_value = RwSignal::new(String::new());
    let send_later = move |_| {
        let tz = prefs
            .time_zone
            .get_untracked()
            .unwrap_or_else(|| "UTC".into());
        let when = crate::pages::calendar::date_text::parse_date_time(&later_value.get_untracked())
            .and_then(|local| crate::pages::calendar::dates::utc_of(local, &tz));
        match when {
            Some(at) if at > (js_sys::Date::now() / 1000.0) as i64 => send_at(Some(at)),
            Some(_) => error.set(Some(
                text(lang.get_untracked(), Key::SendTimePassed).to_string(),
            )),
            None => error.set(Some(
                text(lang.get_untracked(), Key::ChooseSendTime).to_string(),
            )),
        }
    };
    let discard = move |_| {
        let id = draft_id.get_untracked();
        close();
        if let Some(id) = id {
            leptos::task::spawn_local(async move {
                let _ = api::mail::delete(id).await;
                state.changed();
            });
        }
    };
    view! {
        <form class="composer card" data-testid="composer" aria-labelledby="composer-title"
              on:submit=move |ev| ev.prevent_default()>
            <h2 id="composer-title">{move || {
                let s = subject.get();
                if s.trim().is_empty() { text(lang.get(), Key::NewMessage).to_string() } else { s }
            }}</h2>
            <div class="field">
                <label for="compose-from">{t(Key::FromLabel)}</label>
                <select id="compose-from" data-testid="compose-from"
                        on:change=move |ev| { from.set(event_target_value(&ev)); place_default(); bump(); }>
                    {move || addresses.get().into_iter().map(|a| {
                        let selected = a.address == from.get_untracked();
                        view! { <option value=a.address.clone() selected=selected>{a.address.clone()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <RecipientField label=Key::ToLabel values=to changed=changed id="compose-to" />
            <Show when=move || show_copies.get()
                  fallback=move || view! {
                      <button type="button" class="button ghost small" data-testid="show-cc"
                              on:click=move |_| show_copies.set(true)>{t(Key::AddCcBcc)}</button>
                  }>
                <RecipientField label=Key::CcLabel values=cc changed=changed id="compose-cc" />
                <RecipientField label=Key::BccLabel values=bcc changed=changed id="compose-bcc" />
            </Show>
            <div class="field">
                <label for="compose-subject">{t(Key::SubjectLabel)}</label>
                <input id="compose-subject" type="text" maxlength="900" data-testid="compose-subject"
                       prop:value=move || subject.get()
                       on:input=move |ev| { subject.set(event_target_value(&ev)); bump(); } />
            </div>
            <Show when=move || !signatures_of_sender().is_empty()>
                <div class="field">
                    <label for="compose-signature">{t(Key::SignatureText)}</label>
                    <select id="compose-signature" data-testid="compose-signature"
                            on:change=move |ev| { place_signature(event_target_value(&ev).parse().ok()); bump(); }>
                        <option value="" selected=move || signature.get().is_none()>{t(Key::NoSignature)}</option>
                        {move || signatures_of_sender().into_iter().map(|s| {
                            let id = s.id;
                            view! { <option value=id.to_string() selected=move || signature.get() == Some(id)>{s.name}</option> }
                        }).collect_view()}
                    </select>
                </div>
            </Show>
            <BodyEditor body=body rich=rich rich_text=rich_text signature=placed initial_html=seed.html.clone() on_change=on_change />
            <Attachments attached=attached on_change=on_change />
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert">{move || error.get()}</p>
            </Show>
            <p class="muted" role="status" data-testid="draft-status">{move || status.get()}</p>
            <div class="actions">
                <button type="button" class="button primary" data-testid="send" disabled=move || sending.get()
                        on:click=send>{t(Key::Send)}</button>
                <details class="send-later">
                    <summary class="button" data-testid="send-later">{t(Key::SendLater)}</summary>
                    <label for="compose-send-at">{t(Key::SendAt)}</label>
                    <input id="compose-send-at" type="datetime-local" data-testid="send-at" bind:value=later_value />
                    <button type="button" class="button" data-testid="schedule-send" disabled=move || sending.get()
                            on:click=send_later>{t(Key::ScheduleSend)}</button>
                </details>
                <button type="button" class="button" data-testid="save-draft"
                        on:click=move |_| save()>{t(Key::SaveDraft)}</button>
                <button type="button" class="button ghost" data-testid="close-composer"
                        on:click=move |_| {
                            // Keep what was written since the last save as a draft.
                            if changed.get_untracked() != saved_generation.get_value() { save(); }
                            close();
                        }>{t(Key::Close)}</button>
                <button type="button" class="button ghost danger" data-testid="discard" on:click=discard>{t(Key::Discard)}</button>
            </div>
        </form>
    }
}
