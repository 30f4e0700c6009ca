//! The composer: from, to/cc/bcc with suggestions, subject, plain or rich text, attachments
//! uploaded with progress, a choice of the address's signatures, drafts saved automatically,
//! send now, after the undo window or later.
//! Replies, reply-all and forwards start from a [`Seed`] built from the message.

use std::time::Duration;

use ksuite_common::{AttachmentRef, MailAddress, MessageDetail, OutgoingMessage};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::recipients::RecipientField;
use super::{MailState, Notice, UndoAction};
use crate::api;
use crate::browser::picked_files;
use crate::components::ask::{Answer, Question, ask};
use crate::i18n::{Key, error_message, fill, t, text};
use crate::state::prefs::{Prefs, use_prefs};
use crate::state::session::use_session;

/// How long after the last keystroke a draft is saved.
const AUTOSAVE_AFTER: Duration = Duration::from_secs(2);

/// Which default signature a message starts with.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub(crate) enum SignatureUse {
    /// A draft: its text already holds whatever signature it has.
    #[default]
    None,
    New,
    /// Replies and forwards.
    Reply,
}

/// What the composer starts with.
#[derive(Clone, Debug, PartialEq, Default)]
pub(crate) struct Seed {
    pub msg: OutgoingMessage,
    /// Name and size of each of `msg.attachments`, in order.
    pub files: Vec<(String, i64)>,
    /// Which of the address's default signatures goes above `quote`, if any.
    pub signature: SignatureUse,
    /// Quoted or forwarded text, below the signature.
    pub quote: String,
    /// Rich text to start with (a draft written as rich text).
    pub html: Option<String>,
}

/// The user's own address for answering a message in folder `folder_id`.
fn own_address(state: &MailState, folder_id: i64) -> String {
    state
        .folders
        .get_untracked()
        .into_iter()
        .find(|f| f.id == folder_id)
        .map(|f| f.address)
        .unwrap_or_default()
}

fn sender(m: &MessageDetail) -> String {
    match (&m.summary.from_name, &m.summary.from_address) {
        (Some(n), Some(a)) => format!("{n} <{a}>"),
        (_, Some(a)) => a.clone(),
        _ => String::new(),
    }
}

/// The bare address of `Name <address>`.
fn bare(s: &str) -> String {
    match (s.rfind('<'), s.ends_with('>')) {
        (Some(i), true) => s[i + 1..s.len() - 1].to_lowercase(),
        _ => s.trim().to_lowercase(),
    }
}

fn prefixed(prefix: &str, subject: &str) -> String {
    if subject.to_lowercase().starts_with(&prefix.to_lowercase()) {
        subject.to_string()
    } else {
        format!("{prefix}{subject}")
    }
}

/// A new, empty message from the first address.
pub(crate) fn new_message(from: String) -> Seed {
    Seed {
        msg: OutgoingMessage {
            from,
            ..OutgoingMessage::default()
        },
        signature: SignatureUse::New,
        ..Seed::default()
    }
}

/// A reply (to the sender, or with `all` to everyone but the user) quoting the message.
pub(crate) fn reply(state: &MailState, prefs: Prefs, m: &MessageDetail, all: bool) -> Seed {
    let lang = prefs.lang.get_untracked();
    let me = own_address(state, m.summary.folder_id);
    let mut to: Vec<String> = if m.reply_to.is_empty() {
        vec![sender(m)]
    } else {
        m.reply_to.clone()
    };
    let mut cc = Vec::new();
    if all {
        to.extend(m.summary.to.iter().cloned());
        cc = m.cc.clone();
    }
    let mut seen = vec![me.clone()];
    let mut keep = |list: &mut Vec<String>| {
        list.retain(|a| {
            let b = bare(a);
            let new = !b.is_empty() && !seen.contains(&b);
            seen.push(b);
            new
        })
    };
    keep(&mut to);
    keep(&mut cc);
    // Replying to one's own sent message goes to its recipients.
    if to.is_empty() && cc.is_empty() {
        to = m.summary.to.clone();
    }
    let when = prefs.datetime(m.summary.sent_at.unwrap_or(m.summary.received_at));
    let header = fill(
        text(lang, Key::OnDateWrote),
        &[("date", when), ("who", sender(m))],
    );
    let quoted: String = m
        .text
        .replace("\r\n", "\n")
        .lines()
        .map(|l| format!("> {l}\n"))
        .collect();
    Seed {
        msg: OutgoingMessage {
            from: me,
            to,
            cc,
            subject: prefixed("Re: ", &m.summary.subject),
            in_reply_to: Some(m.summary.id),
            ..OutgoingMessage::default()
        },
        files: Vec::new(),
        signature: SignatureUse::Reply,
        quote: format!("{header}\n{quoted}"),
        html: None,
    }
}

/// A stored message's attachments, to carry over (forward, draft), with their names and sizes.
fn attachments_of(m: &MessageDetail) -> (Vec<AttachmentRef>, Vec<(String, i64)>) {
    m.attachments
        .iter()
        .map(|a| {
            (
                AttachmentRef::Message {
                    message_id: m.summary.id,
                    index: a.index,
                },
                (a.name.clone(), a.size as i64),
            )
        })
        .unzip()
}

/// A forward with the message's text and attachments.
pub(crate) fn forward(state: &MailState, prefs: Prefs, m: &MessageDetail) -> Seed {
    let lang = prefs.lang.get_untracked();
    let (kept, files) = attachments_of(m);
    let when = prefs.datetime(m.summary.sent_at.unwrap_or(m.summary.received_at));
    let mut quote = format!(
        "{}\n{}: {}\n{}: {when}\n{}: {}\n{}: {}\n",
        text(lang, Key::ForwardedMessage),
        text(lang, Key::FromLabel),
        sender(m),
        text(lang, Key::DateLabel),
        text(lang, Key::SubjectLabel),
        m.summary.subject,
        text(lang, Key::ToLabel),
        m.summary.to.join(", "),
    );
    quote.push('\n');
    quote.push_str(&m.text.replace("\r\n", "\n"));
    Seed {
        msg: OutgoingMessage {
            from: own_address(state, m.summary.folder_id),
            subject: prefixed("Fwd: ", &m.summary.subject),
            attachments: kept,
            ..OutgoingMessage::default()
        },
        files,
        signature: SignatureUse::Reply,
        quote,
        html: None,
    }
}

/// A stored draft, to continue writing.
pub(crate) fn from_draft(state: &MailState, m: &MessageDetail) -> Seed {
    let (kept, files) = attachments_of(m);
    Seed {
        msg: OutgoingMessage {
            from: own_address(state, m.summary.folder_id),
            to: m.summary.to.clone(),
            cc: m.cc.clone(),
            bcc: m.bcc.clone(),
            subject: m.summary.subject.clone(),
            text: m.text.replace("\r\n", "\n"),
            attachments: kept,
            draft_id: Some(m.summary.id),
            ..OutgoingMessage::default()
        },
        files,
        signature: SignatureUse::None,
        quote: String::new(),
        html: m.draft_html.clone(),
    }
}

/// The signature block put in a new message.
fn signature_block(signature: &str) -> String {
    let s = signature.trim_end();
    if s.is_empty() {
        String::new()
    } else if s.starts_with("--") {
        format!("{s}\n")
    } else {
        format!("-- \n{s}\n")
    }
}

/// `text` with the signature block `old` replaced by `new`: where `old` is, else just above
/// the quoted text, else at the end after a blank line.
fn swap_signature(text: &str, old: &str, new: &str, quote: &str) -> String {
    if !old.is_empty()
        && let Some(i) = text.find(old)
    {
        return format!("{}{new}{}", &text[..i], &text[i + old.len()..]);
    }
    if new.is_empty() {
        return text.to_string();
    }
    if !quote.is_empty()
        && let Some(i) = text.find(quote)
    {
        return format!("{}{new}\n{}", &text[..i], &text[i..]);
    }
    format!("{}\n\n{new}", text.trim_end_matches('\n'))
}

/// An attachment on the message being written.
#[derive(Clone)]
struct Attached {
    key: u32,
    name: String,
    size: i64,
    /// `None` while uploading.
    reference: Option<AttachmentRef>,
    progress: RwSignal<f64>,
    error: Option<String>,
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\n', "<br>")
}

fn exec(command: &str, value: Option<&str>) {
    if let Some(doc) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
    {
        let _ = doc.exec_command_with_show_ui_and_value(command, false, value.unwrap_or(""));
    }
}

/// The current selection's first range, to put back after a dialog took focus.
fn saved_range() -> Option<web_sys::Range> {
    let selection = web_sys::window()?.get_selection().ok()??;
    if selection.range_count() == 0 {
        return None;
    }
    // A copy: the selection's own range follows the focus into the dialog.
    selection.get_range_at(0).ok().map(|r| r.clone_range())
}

fn restore_range(range: Option<web_sys::Range>) {
    let (Some(range), Some(selection)) = (
        range,
        web_sys::window().and_then(|w| w.get_selection().ok().flatten()),
    ) else {
        return;
    };
    let _ = selection.remove_all_ranges();
    let _ = selection.add_range(&range);
}

#[component]
pub fn Composer(seed: Seed) -> impl IntoView {
    let prefs = use_prefs();
    let lang = prefs.lang;
    let state = expect_context::<MailState>();
    let session = use_session();
    let changed = RwSignal::new(0u32);
    let from = RwSignal::new(seed.msg.from.clone());
    let to = RwSignal::new(seed.msg.to.clone());
    let cc = RwSignal::new(seed.msg.cc.clone());
    let bcc = RwSignal::new(seed.msg.bcc.clone());
    let show_copies = RwSignal::new(!seed.msg.cc.is_empty() || !seed.msg.bcc.is_empty());
    let subject = RwSignal::new(seed.msg.subject.clone());
    let body = RwSignal::new(seed.msg.text.clone());
    let rich = RwSignal::new(seed.html.is_some());
    let editor = NodeRef::<leptos::html::Div>::new();
    // A rich-text draft's content goes into the editor once it exists.
    let initial_html = StoredValue::new(seed.html.clone());
    Effect::new(move |_| {
        if let Some(el) = editor.get()
            && let Some(html) = initial_html.get_value()
        {
            el.set_inner_html(&html);
            initial_html.set_value(None);
        }
    });
    let draft_id = RwSignal::new(seed.msg.draft_id);
    let in_reply_to = seed.msg.in_reply_to;
    let next_key = StoredValue::new(seed.files.len() as u32);
    let attached = RwSignal::new(
        seed.msg
            .attachments
            .iter()
            .zip(&seed.files)
            .enumerate()
            .map(|(i, (r, (name, size)))| Attached {
                key: i as u32,
                name: name.clone(),
                size: *size,
                reference: Some(r.clone()),
                progress: RwSignal::new(1.0),
                error: None,
            })
            .collect::<Vec<_>>(),
    );
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
        match (rich.get_untracked(), editor.get_untracked()) {
            (true, Some(el)) => el.set_inner_html(&swap_signature(
                &el.inner_html(),
                &escape_html(&old),
                &escape_html(&block),
                "",
            )),
            _ => body.update(|b| *b = quote.with_value(|q| swap_signature(b, &old, &block, q))),
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
        let (text, html) = match (rich.get_untracked(), editor.get_untracked()) {
            (true, Some(el)) => (el.inner_text(), Some(el.inner_html())),
            _ => (body.get_untracked(), None),
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
    let bump = move || changed.update(|c| *c += 1);

    let close = move || {
        closed.set_value(true);
        state.compose.set(None);
    };
    // Send (after the user's undo window, when they keep one) or, with `later`, at that time.
    let send_at = move |later: Option<i64>| {
        error.set(None);
        if attached.with_untracked(|l| l.iter().any(|a| a.reference.is_none() && a.error.is_none()))
        {
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
        let when =
            chrono::NaiveDateTime::parse_from_str(&later_value.get_untracked(), "%Y-%m-%dT%H:%M")
                .ok()
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
    let add_files = move |ev: leptos::ev::Event| {
        for file in picked_files(&ev) {
            let key = next_key.get_value();
            next_key.set_value(key + 1);
            let progress = RwSignal::new(0.0);
            attached.update(|l| {
                l.push(Attached {
                    key,
                    name: file.name(),
                    size: file.size() as i64,
                    reference: None,
                    progress,
                    error: None,
                })
            });
            leptos::task::spawn_local(async move {
                let result = api::mail::upload(file, move |f| progress.set(f)).await;
                attached.update(|l| {
                    if let Some(a) = l.iter_mut().find(|a| a.key == key) {
                        match result {
                            Ok(up) => {
                                a.reference = Some(AttachmentRef::Upload { id: up.id });
                                a.progress.set(1.0);
                            }
                            Err(e) => a.error = Some(error_message(lang.get_untracked(), &e)),
                        }
                    }
                });
                bump();
            });
        }
    };
    let remove_file = move |key: u32| {
        let mut removed = None;
        attached.update(|l| {
            if let Some(i) = l.iter().position(|a| a.key == key) {
                removed = Some(l.remove(i));
            }
        });
        if let Some(Attached {
            reference: Some(AttachmentRef::Upload { id }),
            ..
        }) = removed
        {
            leptos::task::spawn_local(async move {
                let _ = api::mail::discard_upload(&id).await;
            });
        }
        bump();
    };
    let toggle_rich = move |_| {
        if rich.get_untracked() {
            if let Some(el) = editor.get_untracked() {
                body.set(el.inner_text());
            }
            rich.set(false);
        } else {
            rich.set(true);
            if let Some(el) = editor.get_untracked() {
                el.set_inner_html(&escape_html(&body.get_untracked()));
            }
        }
        bump();
    };
    let tool = move |command: &'static str, label: Key| {
        view! {
            <button type="button" class="button small tool" aria-label=t(label) title=t(label)
                    on:mousedown=move |ev| {
                        ev.prevent_default();
                        if command == "createLink" {
                            // The question box takes focus, and with it the editor's
                            // selection: keep the range and put it back to link it.
                            let range = saved_range();
                            let question = Question {
                                message: text(lang.get_untracked(), Key::InsertLink).to_string(),
                                confirm: Key::InsertLink,
                                danger: false,
                                answer: Answer::Url { label: Key::LinkAddress },
                            };
                            ask(question, move |url| {
                                if let Some(el) = editor.get_untracked() {
                                    let _ = el.focus();
                                }
                                restore_range(range);
                                exec(command, Some(&url));
                                bump();
                            });
                        } else {
                            exec(command, None);
                        }
                        bump();
                    }>
                {match command {
                    "bold" => view! { <b>"B"</b> }.into_any(),
                    "italic" => view! { <i>"I"</i> }.into_any(),
                    "underline" => view! { <u>"U"</u> }.into_any(),
                    "insertUnorderedList" => view! { <span>"• ≡"</span> }.into_any(),
                    _ => view! { <span>{t(Key::InsertLink)}</span> }.into_any(),
                }}
            </button>
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
            <div class="compose-toolbar" role="toolbar" aria-label=t(Key::Formatting)>
                <label class="check">
                    <input type="checkbox" data-testid="rich-text" prop:checked=move || rich.get() on:change=toggle_rich />
                    {t(Key::RichText)}
                </label>
                <Show when=move || rich.get()>
                    {tool("bold", Key::Bold)}
                    {tool("italic", Key::Italic)}
                    {tool("underline", Key::Underline)}
                    {tool("insertUnorderedList", Key::BulletList)}
                    {tool("createLink", Key::InsertLink)}
                </Show>
            </div>
            <label for="compose-body" class="visually-hidden">{t(Key::MessageBody)}</label>
            <textarea id="compose-body" class="compose-body" rows="14" data-testid="compose-body"
                      class:hidden=move || rich.get()
                      prop:value=move || body.get()
                      on:input=move |ev| { body.set(event_target_value(&ev)); bump(); }></textarea>
            <div class="compose-body rich" contenteditable="true" role="textbox" aria-multiline="true"
                 aria-label=t(Key::MessageBody) data-testid="compose-rich" node_ref=editor
                 class:hidden=move || !rich.get() on:input=move |_| bump()></div>
            <div class="compose-attachments">
                <label class="button small file-button">
                    {t(Key::AttachFiles)}
                    <input type="file" multiple data-testid="compose-attach" class="visually-hidden" on:change=add_files />
                </label>
                <ul class="attachments">
                    <For each=move || attached.get() key=|a| (a.key, a.reference.is_some(), a.error.clone()) let:a>
                        {
                            let key = a.key;
                            let progress = a.progress;
                            view! {
                                <li data-testid="compose-attachment">
                                    <span>{a.name.clone()}</span>
                                    <span class="muted">{format!(" · {} KB", (a.size.max(0) + 1023) / 1024)}</span>
                                    {match (&a.error, &a.reference) {
                                        (Some(e), _) => view! { <span class="form-error">{" "}{e.clone()}</span> }.into_any(),
                                        (None, None) => view! {
                                            <progress max="1" prop:value=move || progress.get() aria-label=t(Key::Uploading)></progress>
                                        }.into_any(),
                                        _ => ().into_any(),
                                    }}
                                    <button type="button" class="button ghost small" aria-label=t(Key::RemoveAttachment)
                                            on:click=move |_| remove_file(key)>"×"</button>
                                </li>
                            }
                        }
                    </For>
                </ul>
            </div>
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

#[cfg(test)]
mod tests {
    use super::swap_signature;

    #[test]
    fn a_chosen_signature_replaces_the_one_in_the_message() {
        let work = "-- \nAnn Smith\n";
        let short = "-- \nA.\n";
        let quote = "On Monday, Bob wrote:\n> Hi\n";
        // Placed first: above the quote, or at the end.
        let started = swap_signature(&format!("\n\n{quote}"), "", work, quote);
        assert_eq!(started, format!("\n\n{work}\n{quote}"));
        assert_eq!(swap_signature("\n\n", "", work, ""), format!("\n\n{work}"));
        // Another one takes its place, whatever was written around it.
        let written = format!("Thanks!{}", &started[..]);
        let swapped = swap_signature(&written, work, short, quote);
        assert_eq!(swapped, format!("Thanks!\n\n{short}\n{quote}"));
        // None removes it; choosing one again after that puts it back above the quote.
        let none = swap_signature(&swapped, short, "", quote);
        assert_eq!(none, format!("Thanks!\n\n\n{quote}"));
        assert!(swap_signature(&none, "", work, quote).contains(&format!("{work}\n{quote}")));
        // Edited away by the user: the new one goes at the end.
        assert_eq!(
            swap_signature("Hello\n\n", work, short, ""),
            format!("Hello\n\n{short}")
        );
    }
}
