//! What the composer starts with: a new message, a reply, a forward or a saved draft,
//! built from the message being answered.

use ksuite_common::{AttachmentRef, MessageDetail, OutgoingMessage};
use leptos::prelude::*;

use super::super::MailState;
use crate::i18n::{Key, fill, text};
use crate::state::prefs::Prefs;

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
