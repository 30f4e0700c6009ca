//! Webmail: folders with unread counts, a message list (keyset pages), search, a reading
//! pane, the composer, and the deleted-mail view to restore from.

mod compose;
mod list;
mod reader;
mod recipients;

use ksuite_common::MailFolder;
use leptos::prelude::*;

use crate::api;
use crate::i18n::{Key, fill, t, text};
use crate::state::prefs::use_prefs;

/// What the list shows.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Mode {
    Folder(i64),
    Search {
        q: String,
        unread: bool,
        attachments: bool,
        /// `YYYY-MM-DD` bounds, inclusive; empty for none.
        from: String,
        to: String,
    },
    Deleted,
}

/// Shared by the folder list, the message list and the reader.
#[derive(Clone, Copy)]
pub(crate) struct MailState {
    pub mode: RwSignal<Option<Mode>>,
    pub selected: RwSignal<Option<i64>>,
    /// Bumped after every change so lists and counts reload.
    pub version: RwSignal<u32>,
    pub folders: RwSignal<Vec<MailFolder>>,
    /// The message being written, shown instead of the reader.
    pub compose: RwSignal<Option<compose::Seed>>,
    /// A short confirmation ("Message sent.").
    pub notice: RwSignal<Option<String>>,
}

impl MailState {
    pub fn changed(&self) {
        self.version.update(|v| *v += 1);
    }
}

/// The translated name of a system folder, else its own name.
pub(crate) fn folder_name(lang: ksuite_common::Language, f: &MailFolder) -> String {
    let key = match f.role.as_deref() {
        Some("inbox") => Key::MailInbox,
        Some("drafts") => Key::MailDrafts,
        Some("sent") => Key::MailSent,
        Some("archive") => Key::MailArchive,
        Some("spam") => Key::MailSpam,
        Some("trash") => Key::MailTrash,
        _ => return f.name.clone(),
    };
    text(lang, key).to_string()
}

/// Folders of one address in display order: system folders, then the user's own as a
/// tree (each after its parent), with their depth.
fn in_tree_order(folders: Vec<MailFolder>) -> Vec<(MailFolder, usize)> {
    fn walk(
        all: &[MailFolder],
        parent: Option<i64>,
        depth: usize,
        out: &mut Vec<(MailFolder, usize)>,
    ) {
        for f in all
            .iter()
            .filter(|f| f.role.is_none() && f.parent_id == parent)
        {
            out.push((f.clone(), depth));
            if depth < 16 {
                walk(all, Some(f.id), depth + 1, out);
            }
        }
    }
    let mut out: Vec<(MailFolder, usize)> = folders
        .iter()
        .filter(|f| f.role.is_some())
        .map(|f| (f.clone(), 0))
        .collect();
    walk(&folders, None, 0, &mut out);
    out
}

/// New folder (inside the open one when it is the user's own), rename, delete.
#[component]
fn FolderTools(address: String) -> impl IntoView {
    let lang = use_prefs().lang;
    let state = expect_context::<MailState>();
    let error = RwSignal::new(None::<String>);
    // The open folder, when it is one of this address's own folders.
    let own = {
        let address = address.clone();
        move || match state.mode.get() {
            Some(Mode::Folder(id)) => state
                .folders
                .get()
                .into_iter()
                .find(|f| f.id == id && f.address == address && f.role.is_none()),
            _ => None,
        }
    };
    let ask = move |key: Key, current: &str| {
        web_sys::window()
            .and_then(|w| {
                w.prompt_with_message_and_default(text(lang.get_untracked(), key), current)
                    .ok()
                    .flatten()
            })
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let done = move |r: Result<(), api::ApiError>| match r {
        Ok(()) => {
            error.set(None);
            state.changed();
        }
        Err(e) => error.set(Some(crate::i18n::error_message(lang.get_untracked(), &e))),
    };
    let create = {
        let own = own.clone();
        let address = address.clone();
        move |_| {
            let Some(name) = ask(Key::FolderNamePrompt, "") else {
                return;
            };
            let req = ksuite_common::NewFolder {
                address: address.clone(),
                name,
                parent_id: own().map(|f| f.id),
            };
            leptos::task::spawn_local(async move {
                done(api::mail::create_folder(&req).await.map(|_| ()))
            });
        }
    };
    let own_for_view = own.clone();
    view! {
        <div class="folder-tools">
            <button type="button" class="button ghost small" data-testid="new-folder" on:click=create>
                {move || if own().is_some() { t(Key::NewSubfolder)() } else { t(Key::NewFolder)() }}
            </button>
            {move || own_for_view().map(|f| {
                let (id, name) = (f.id, f.name.clone());
                view! {
                    <button type="button" class="button ghost small" data-testid="rename-folder" on:click=move |_| {
                        if let Some(new_name) = ask(Key::FolderNamePrompt, &name) {
                            leptos::task::spawn_local(async move { done(api::mail::rename_folder(id, new_name).await.map(|_| ())) });
                        }
                    }>{t(Key::RenameFolder)}</button>
                    <button type="button" class="button ghost small danger" data-testid="delete-folder" on:click=move |_| {
                        let confirmed = web_sys::window()
                            .and_then(|w| w.confirm_with_message(text(lang.get_untracked(), Key::ConfirmDeleteFolder)).ok())
                            .unwrap_or(false);
                        if confirmed {
                            leptos::task::spawn_local(async move {
                                let r = api::mail::delete_folder(id).await;
                                if r.is_ok() {
                                    state.mode.set(None);
                                }
                                done(r)
                            });
                        }
                    }>{t(Key::DeleteFolder)}</button>
                }
            })}
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert">{move || error.get()}</p>
            </Show>
        </div>
    }
}

#[component]
pub fn MailPage() -> impl IntoView {
    let lang = use_prefs().lang;
    let state = MailState {
        mode: RwSignal::new(None),
        selected: RwSignal::new(None),
        version: RwSignal::new(0),
        folders: RwSignal::new(Vec::new()),
        compose: RwSignal::new(None),
        notice: RwSignal::new(None),
    };
    provide_context(state);
    let loaded = LocalResource::new(move || {
        state.version.track();
        api::mail::folders()
    });
    Effect::new(move |_| {
        if let Some(Ok(list)) = loaded.get() {
            if state.mode.get_untracked().is_none()
                && let Some(inbox) = list.iter().find(|f| f.role.as_deref() == Some("inbox"))
            {
                state.mode.set(Some(Mode::Folder(inbox.id)));
            }
            state.folders.set(list);
        }
    });
    let open = move |m: Mode| {
        state.selected.set(None);
        state.mode.set(Some(m));
    };
    let write = move |_| {
        let first = state
            .folders
            .get_untracked()
            .first()
            .map(|f| f.address.clone())
            .unwrap_or_default();
        state.notice.set(None);
        state.compose.set(Some(compose::new_message(first)));
    };
    view! {
        <section class="page mail-page" class:showing-detail=move || state.selected.get().is_some() || state.compose.get().is_some() aria-labelledby="page-title">
            <h1 id="page-title">{t(Key::Mail)}</h1>
            <Show when=move || state.notice.get().is_some()>
                <p class="notice" role="status" data-testid="mail-notice">
                    {move || state.notice.get()}
                    <button type="button" class="button ghost small" aria-label=t(Key::Close)
                            on:click=move |_| state.notice.set(None)>"×"</button>
                </p>
            </Show>
            <div class="mail-layout">
                <nav class="mail-folders card" aria-label=t(Key::Mail)>
                    <button type="button" class="button primary compose-button" data-testid="compose"
                            on:click=write>{t(Key::NewMessage)}</button>
                    {move || {
                        let folders = state.folders.get();
                        let mut addresses: Vec<String> = folders.iter().map(|f| f.address.clone()).collect();
                        addresses.dedup();
                        addresses.into_iter().map(|address| {
                            let mine = in_tree_order(folders.iter().filter(|f| f.address == address).cloned().collect());
                            let here = address.clone();
                            view! {
                                <p class="mail-address" data-testid="mail-address">
                                    {move || fill(text(lang.get(), Key::MailAddressIs), &[("address", address.clone())])}
                                </p>
                                <ul class="folder-list">
                                    {mine.into_iter().map(|(f, depth)| {
                                        let id = f.id;
                                        let current = move || state.mode.get() == Some(Mode::Folder(id));
                                        let name = folder_name(lang.get_untracked(), &f);
                                        view! {
                                            <li style=format!("--depth: {depth}")>
                                                <button type="button" class="folder" class:selected=current
                                                        aria-current=move || current().then_some("page")
                                                        data-testid="folder" on:click=move |_| open(Mode::Folder(id))>
                                                    <span>{name}</span>
                                                    {(f.unread > 0).then(|| view! { <span class="count" data-testid="unread">{f.unread}</span> })}
                                                </button>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                                <FolderTools address=here />
                            }
                        }).collect_view()
                    }}
                    <button type="button" class="button ghost small" data-testid="deleted-mail"
                            on:click=move |_| open(Mode::Deleted)>{t(Key::DeletedMail)}</button>
                </nav>
                <list::MessageList />
                {move || match state.compose.get() {
                    Some(seed) => view! { <compose::Composer seed=seed /> }.into_any(),
                    None => view! { <reader::Reader /> }.into_any(),
                }}
            </div>
        </section>
    }
}
