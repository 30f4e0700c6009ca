//! Picking several messages in the list (click, shift-click for a range, "Select all"
//! for the whole folder or search) and changing them at once through
//! `/api/mail/messages/bulk`, which applies all or nothing.

use ksuite_common::{BulkAction, BulkChange, MAX_BULK_MESSAGES, MailFolder, MessageSummary};
use leptos::prelude::*;

use super::{MailState, Mode, Notice, UndoAction, folder_name};
use crate::api;
use crate::i18n::{Key, error_message, fill, t, text};
use crate::state::prefs::use_prefs;

/// The picked messages, in the order picked, and where the last plain pick was (the
/// start of a shift-click range).
#[derive(Clone, Copy)]
pub(crate) struct Picks {
    pub picked: RwSignal<Vec<i64>>,
    anchor: RwSignal<Option<i64>>,
}

impl Picks {
    pub fn new() -> Picks {
        Picks {
            picked: RwSignal::new(Vec::new()),
            anchor: RwSignal::new(None),
        }
    }

    pub fn clear(&self) {
        self.picked.set(Vec::new());
        self.anchor.set(None);
    }

    /// A click on a message's box; `range` (shift held) picks everything from the last
    /// plain pick to it, in list order.
    pub fn toggle(&self, id: i64, range: bool, order: &[i64]) {
        let anchor = self.anchor.get_untracked();
        self.picked.update(|p| match anchor.filter(|_| range) {
            Some(from) => *p = with_range(p, order, from, id),
            None => {
                if let Some(at) = p.iter().position(|x| *x == id) {
                    p.remove(at);
                } else {
                    p.push(id);
                }
            }
        });
        if !range {
            self.anchor.set(Some(id));
        }
    }
}

/// `picked` plus every id of `order` between `from` and `to` (inclusive, either way).
fn with_range(picked: &[i64], order: &[i64], from: i64, to: i64) -> Vec<i64> {
    let mut out = picked.to_vec();
    let (Some(a), Some(b)) = (
        order.iter().position(|x| *x == from),
        order.iter().position(|x| *x == to),
    ) else {
        if !out.contains(&to) {
            out.push(to);
        }
        return out;
    };
    for id in &order[a.min(b)..=a.max(b)] {
        if !out.contains(id) {
            out.push(*id);
        }
    }
    out
}

/// Runs bulk changes: the notice says what happened (a single deletion offers Undo).
pub(crate) fn bulk_runner(state: MailState, picks: Picks) -> Action<BulkChange, ()> {
    let lang = use_prefs().lang;
    Action::new_local(move |change: &BulkChange| {
        let change = change.clone();
        async move {
            let l = lang.get_untracked();
            match api::mail::bulk(&change).await {
                Ok(done) => {
                    let n = done.changed.to_string();
                    let notice = match (change.action, change.ids.as_slice()) {
                        (BulkAction::Delete, [one]) => Notice {
                            text: text(l, Key::MovedToTrash).to_string(),
                            undo: Some(UndoAction::Restore(*one)),
                        },
                        (BulkAction::Delete, _) => {
                            Notice::says(fill(text(l, Key::BulkTrashed), &[("n", n)]))
                        }
                        _ => Notice::says(fill(text(l, Key::BulkDone), &[("n", n)])),
                    };
                    state.notice.set(Some(notice));
                    let moved_away = !matches!(
                        change.action,
                        BulkAction::MarkRead
                            | BulkAction::MarkUnread
                            | BulkAction::Flag
                            | BulkAction::Unflag
                    );
                    if moved_away
                        && state
                            .selected
                            .get_untracked()
                            .is_some_and(|s| change.ids.contains(&s))
                    {
                        state.selected.set(None);
                    }
                    picks.clear();
                    state.changed();
                }
                Err(e) => state.notice.set(Some(Notice::says(error_message(l, &e)))),
            }
        }
    })
}

/// The folders a selection may move to: those of the address of the first picked
/// message (the server refuses moves across addresses).
fn move_targets(folders: &[MailFolder], items: &[MessageSummary], first: i64) -> Vec<MailFolder> {
    let Some(address) = items
        .iter()
        .find(|m| m.id == first)
        .and_then(|m| folders.iter().find(|f| f.id == m.folder_id))
        .map(|f| f.address.clone())
    else {
        return Vec::new();
    };
    folders
        .iter()
        .filter(|f| f.address == address)
        .cloned()
        .collect()
}

/// What the bar over the list works on: the list's messages, its next page, whether it
/// shows conversations, the picks and the bulk-change runner.
#[derive(Clone, Copy)]
pub(crate) struct BarArgs {
    pub items: RwSignal<Vec<MessageSummary>>,
    pub next: RwSignal<Option<String>>,
    pub threads: RwSignal<bool>,
    pub picks: Picks,
    pub run: Action<BulkChange, ()>,
}

/// The bar over the list while messages are picked (from the Mail page's tools chunk).
pub(crate) fn bar(args: BarArgs) -> impl IntoView {
    let BarArgs {
        items,
        next,
        threads,
        picks,
        run,
    } = args;
    let state = expect_context::<MailState>();
    let lang = use_prefs().lang;
    let apply = move |action: BulkAction| {
        let ids = picks.picked.get_untracked();
        if !ids.is_empty() {
            run.dispatch(BulkChange { ids, action });
        }
    };
    // Every message of the folder (the pages not loaded yet too, up to the bulk limit)
    // or of the search.
    let select_all = move |_| {
        leptos::task::spawn_local(async move {
            if let Some(Mode::Folder(id)) = state.mode.get_untracked() {
                while let Some(cursor) = next.get_untracked() {
                    if items.with_untracked(Vec::len) >= MAX_BULK_MESSAGES {
                        break;
                    }
                    let Ok(page) = api::mail::page(id, Some(cursor), threads.get_untracked()).await
                    else {
                        break;
                    };
                    items.update(|l| l.extend(page.messages));
                    next.set(page.next);
                }
            }
            let all: Vec<i64> =
                items.with_untracked(|l| l.iter().take(MAX_BULK_MESSAGES).map(|m| m.id).collect());
            picks.picked.set(all);
        });
    };
    let targets = move || {
        let first = picks.picked.with(|p| p.first().copied())?;
        Some(items.with(|l| move_targets(&state.folders.get(), l, first)))
    };
    let busy = move || run.pending().get();
    // In Spam, the way out ("Not spam") replaces the way in.
    let in_spam = move || match state.mode.get() {
        Some(Mode::Folder(id)) => state.folders.with(|fs| {
            fs.iter()
                .any(|f| f.id == id && f.role.as_deref() == Some("spam"))
        }),
        _ => false,
    };
    view! {
        <Show when=move || !picks.picked.with(Vec::is_empty)>
            <div class="bulk-bar" role="toolbar" aria-label=t(Key::BulkActions) data-testid="bulk-bar">
                <span class="bulk-count" data-testid="bulk-count">
                    {move || fill(text(lang.get(), Key::BulkSelected), &[("n", picks.picked.with(Vec::len).to_string())])}
                </span>
                <button type="button" class="button ghost small" data-testid="bulk-select-all" on:click=select_all>{t(Key::SelectAll)}</button>
                <button type="button" class="button ghost small" on:click=move |_| picks.clear()>{t(Key::ClearSelection)}</button>
                <button type="button" class="button small" disabled=busy data-testid="bulk-read"
                        on:click=move |_| apply(BulkAction::MarkRead)>{t(Key::MarkRead)}</button>
                <button type="button" class="button small" disabled=busy data-testid="bulk-unread"
                        on:click=move |_| apply(BulkAction::MarkUnread)>{t(Key::MarkUnread)}</button>
                <button type="button" class="button small" disabled=busy data-testid="bulk-flag"
                        on:click=move |_| apply(BulkAction::Flag)>{t(Key::FlagMessage)}</button>
                <button type="button" class="button small" disabled=busy data-testid="bulk-archive"
                        on:click=move |_| apply(BulkAction::Archive)>{t(Key::MailArchive)}</button>
                {move || if in_spam() {
                    view! { <button type="button" class="button small" disabled=busy data-testid="bulk-not-spam"
                        on:click=move |_| apply(BulkAction::NotSpam)>{t(Key::NotSpam)}</button> }.into_any()
                } else {
                    view! { <button type="button" class="button small" disabled=busy data-testid="bulk-spam"
                        on:click=move |_| apply(BulkAction::Spam)>{t(Key::MailSpam)}</button> }.into_any()
                }}
                <select aria-label=t(Key::MoveTo) data-testid="bulk-move" disabled=busy on:change=move |ev| {
                    if let Ok(folder_id) = event_target_value(&ev).parse::<i64>() {
                        apply(BulkAction::Move { folder_id });
                    }
                }>
                    <option value="">{t(Key::MoveTo)}</option>
                    {move || targets().unwrap_or_default().into_iter().map(|f| view! {
                        <option value=f.id.to_string()>{folder_name(lang.get_untracked(), &f)}</option>
                    }).collect_view()}
                </select>
                <button type="button" class="button small danger" disabled=busy data-testid="bulk-delete"
                        on:click=move |_| apply(BulkAction::Delete)>{t(Key::Delete)}</button>
            </div>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::with_range;

    #[test]
    fn shift_click_picks_the_range_either_way() {
        let order = [10, 20, 30, 40, 50];
        assert_eq!(with_range(&[20], &order, 20, 40), vec![20, 30, 40]);
        assert_eq!(with_range(&[40], &order, 40, 10), vec![40, 10, 20, 30]);
        assert_eq!(with_range(&[50], &order, 50, 50), vec![50]);
        // The start left the list (a reload): only the clicked one is added.
        assert_eq!(with_range(&[], &order, 99, 30), vec![30]);
    }
}
