//! The mail screen's place in the URL, so reload, back/forward and pasted links restore it:
//! `/mail?folder=12&msg=345`, `/mail?q=invoice&unread=1&from=2026-01-01`,
//! `/mail?view=deleted`. The first inbox with nothing open is plain `/mail`.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::params::ParamsMap;

use super::{MailState, Mode};

/// The mode and open message a query names; `None` mode means "the default inbox".
fn from_query(q: &ParamsMap) -> (Option<Mode>, Option<i64>) {
    let selected = q.get("msg").and_then(|m| m.parse().ok());
    let flag = |name: &str| q.get(name).is_some_and(|v| v == "1");
    let mode = if q.get("view").as_deref() == Some("deleted") {
        Some(Mode::Deleted)
    } else if let Some(text) = q.get("q") {
        Some(Mode::Search {
            q: text,
            unread: flag("unread"),
            attachments: flag("att"),
            from: q.get("from").unwrap_or_default(),
            to: q.get("to").unwrap_or_default(),
        })
    } else {
        q.get("folder")
            .and_then(|f| f.parse().ok())
            .map(Mode::Folder)
    };
    (mode, selected)
}

fn encode(value: &str) -> String {
    js_sys::encode_uri_component(value).into()
}

/// The URL for a mode and open message.
fn url_for(mode: &Mode, selected: Option<i64>, default_inbox: Option<i64>) -> String {
    let mut parts: Vec<String> = Vec::new();
    match mode {
        Mode::Folder(id) if Some(*id) == default_inbox && selected.is_none() => {}
        Mode::Folder(id) => parts.push(format!("folder={id}")),
        Mode::Deleted => parts.push("view=deleted".into()),
        Mode::Search {
            q,
            unread,
            attachments,
            from,
            to,
        } => {
            parts.push(format!("q={}", encode(q)));
            if *unread {
                parts.push("unread=1".into());
            }
            if *attachments {
                parts.push("att=1".into());
            }
            if !from.is_empty() {
                parts.push(format!("from={}", encode(from)));
            }
            if !to.is_empty() {
                parts.push(format!("to={}", encode(to)));
            }
        }
    }
    if let Some(id) = selected {
        parts.push(format!("msg={id}"));
    }
    if parts.is_empty() {
        "/mail".into()
    } else {
        format!("/mail?{}", parts.join("&"))
    }
}

/// Keeps `state.mode`/`state.selected` and the URL in step both ways: the URL wins when
/// it changes (load, back, forward), the screen writes a new history entry when the user
/// opens a folder, a search or a message.
pub(super) fn sync(state: MailState) {
    let query = use_query_map();
    let navigate = use_navigate();
    let default_inbox = move || {
        state.folders.with(|list| {
            list.iter()
                .find(|f| f.role.as_deref() == Some("inbox"))
                .map(|f| f.id)
        })
    };
    // URL → screen.
    Effect::new(move |_| {
        let (mode, selected) = query.with(from_query);
        let Some(mode) = mode.or_else(|| default_inbox().map(Mode::Folder)) else {
            return; // the default inbox is not known until the folders load
        };
        if state.mode.get_untracked().as_ref() != Some(&mode) {
            state.mode.set(Some(mode));
        }
        if state.selected.get_untracked() != selected {
            state.selected.set(selected);
        }
    });
    // Screen → URL.
    Effect::new(move |_| {
        let (Some(mode), selected) = (state.mode.get(), state.selected.get()) else {
            return;
        };
        let inbox = untrack(default_inbox);
        let (shown, shown_selected) = untrack(|| query.with(from_query));
        let shown = shown.or(inbox.map(Mode::Folder));
        if shown.as_ref() != Some(&mode) || shown_selected != selected {
            navigate(&url_for(&mode, selected, inbox), NavigateOptions::default());
        }
    });
}
