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
                            let mine: Vec<MailFolder> = folders.iter().filter(|f| f.address == address).cloned().collect();
                            view! {
                                <p class="mail-address" data-testid="mail-address">
                                    {move || fill(text(lang.get(), Key::MailAddressIs), &[("address", address.clone())])}
                                </p>
                                <ul class="folder-list">
                                    {mine.into_iter().map(|f| {
                                        let id = f.id;
                                        let current = move || state.mode.get() == Some(Mode::Folder(id));
                                        let name = folder_name(lang.get_untracked(), &f);
                                        view! {
                                            <li>
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
