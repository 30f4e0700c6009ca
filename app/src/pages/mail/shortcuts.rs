//! Keyboard shortcuts in Mail, the ones Gmail and Outlook.com users know: j/k next and
//! previous message, x pick it, r reply, a reply all, f forward, e archive, # delete.
//! Ignored while typing (fields, the editor) or writing a message, and with Ctrl/Alt/Cmd
//! held so the browser's own shortcuts keep working. Reply and forward press the reader's
//! own buttons, so a shortcut does exactly what the click does; archive and delete act on
//! the picked messages, else the open one.

use ksuite_common::{BulkAction, BulkChange, MessageSummary};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::MailState;
use super::bulk::Picks;

/// What a key does.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Command {
    Next,
    Previous,
    Pick,
    Press(&'static str),
    Archive,
    Delete,
}

fn command(key: &str) -> Option<Command> {
    Some(match key {
        "j" => Command::Next,
        "k" => Command::Previous,
        "x" => Command::Pick,
        "r" => Command::Press("reply"),
        "a" => Command::Press("reply-all"),
        "f" => Command::Press("forward"),
        "e" => Command::Archive,
        "#" => Command::Delete,
        _ => return None,
    })
}

/// The message `step` away from `current` in the list (the first one when none is open).
fn neighbour(order: &[i64], current: Option<i64>, forward: bool) -> Option<i64> {
    let Some(at) = current.and_then(|c| order.iter().position(|x| *x == c)) else {
        return order.first().copied();
    };
    if forward {
        order.get(at + 1).copied()
    } else {
        at.checked_sub(1).and_then(|i| order.get(i)).copied()
    }
}

/// Whether the key press is meant for a field being typed in.
fn typing(ev: &web_sys::KeyboardEvent) -> bool {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
        .is_some_and(|el| {
            el.is_content_editable()
                || matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
        })
}

fn element(id: &str) -> Option<web_sys::HtmlElement> {
    web_sys::window()?
        .document()?
        .query_selector(id)
        .ok()
        .flatten()?
        .dyn_into::<web_sys::HtmlElement>()
        .ok()
}

/// Listens on the window while the message list is shown.
pub(crate) fn install(
    state: MailState,
    items: RwSignal<Vec<MessageSummary>>,
    picks: Picks,
    run: Action<BulkChange, ()>,
) {
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() || typing(&ev) {
            return;
        }
        if state.compose.with_untracked(Option::is_some) {
            return;
        }
        let Some(cmd) = command(&ev.key()) else {
            return;
        };
        ev.prevent_default();
        let selected = state.selected.get_untracked();
        let order = || items.with_untracked(|l| l.iter().map(|m| m.id).collect::<Vec<_>>());
        // The picked messages, else the open one.
        let targets = || {
            let picked = picks.picked.get_untracked();
            if picked.is_empty() {
                selected.into_iter().collect()
            } else {
                picked
            }
        };
        match cmd {
            Command::Next | Command::Previous => {
                if let Some(id) = neighbour(&order(), selected, cmd == Command::Next) {
                    state.selected.set(Some(id));
                    if let Some(row) = element(&format!("#msg-{id}")) {
                        let _ = row.focus();
                    }
                }
            }
            Command::Pick => {
                if let Some(id) = selected {
                    picks.toggle(id, false, &order());
                }
            }
            Command::Press(testid) => {
                if let Some(button) = element(&format!("[data-testid=\"{testid}\"]")) {
                    button.click();
                }
            }
            Command::Archive | Command::Delete => {
                let ids: Vec<i64> = targets();
                let action = if cmd == Command::Archive {
                    BulkAction::Archive
                } else {
                    BulkAction::Delete
                };
                // The next message opens in place of the open one going away.
                if let [one] = ids.as_slice()
                    && selected == Some(*one)
                {
                    let order = order();
                    let after = neighbour(&order, Some(*one), true)
                        .or_else(|| neighbour(&order, Some(*one), false));
                    state.selected.set(after);
                }
                if !ids.is_empty() {
                    run.dispatch(BulkChange { ids, action });
                }
            }
        }
    });
    on_cleanup(move || handle.remove());
}

#[cfg(test)]
mod tests {
    use super::{Command, command, neighbour};

    #[test]
    fn j_and_k_walk_the_list() {
        let order = [1, 2, 3];
        assert_eq!(neighbour(&order, None, true), Some(1));
        assert_eq!(neighbour(&order, Some(1), true), Some(2));
        assert_eq!(neighbour(&order, Some(3), true), None);
        assert_eq!(neighbour(&order, Some(1), false), None);
        assert_eq!(neighbour(&order, Some(3), false), Some(2));
        assert_eq!(neighbour(&order, Some(9), false), Some(1));
        assert_eq!(command("#"), Some(Command::Delete));
        assert_eq!(command("J"), None);
    }
}
