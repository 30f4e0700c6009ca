//! Webmail: folders with unread counts, a message list (keyset pages), search, a reading
//! pane, the composer, and the deleted-mail view to restore from.

mod bulk;
mod compose;
mod import;
mod list;
mod reader;
mod recipients;
mod scheduled;
mod shortcuts;
mod url;

use ksuite_common::MailFolder;
use leptos::prelude::*;

use crate::api;
use crate::components::ask::confirm;
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
    /// A short confirmation ("Message sent.", "Moved to Trash · Undo").
    pub notice: RwSignal<Option<Notice>>,
}

/// A confirmation above the mail, with what its Undo button does.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Notice {
    pub text: String,
    pub undo: Option<UndoAction>,
}

/// What Undo on a notice takes back.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum UndoAction {
    /// Brings this message back from the Trash (or deleted mail).
    Restore(i64),
    /// Stops this scheduled send and reopens its draft in the composer.
    Unsend { schedule: i64, draft: i64 },
}

impl Notice {
    pub fn says(text: impl Into<String>) -> Self {
        Notice {
            text: text.into(),
            undo: None,
        }
    }
}

/// Carries out a notice's Undo; a failure (the message went already) is said in its place.
async fn undo(state: MailState, lang: ksuite_common::Language, action: UndoAction) {
    let result = match action {
        UndoAction::Restore(id) => api::mail::restore(id).await.map(|_| ()),
        // The chunk first: a send is stopped only when its draft can be reopened.
        UndoAction::Unsend { schedule, draft } => match unsend_chunk().await {
            Ok(unsend) => unsend(state, schedule, draft).await,
            Err(crate::lazy::ChunkMissing) => Err(api::ApiError::Network(
                "the mail tools chunk did not load".into(),
            )),
        },
    };
    match result {
        Ok(()) => state.changed(),
        Err(e) => {
            state
                .notice
                .set(Some(Notice::says(crate::i18n::error_message(lang, &e))));
        }
    }
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

/// What the folder name box is for.
#[derive(Clone, Copy, Debug, PartialEq)]
enum NameEdit {
    New { parent: Option<i64> },
    Rename(i64),
}

/// New folder (inside the open one when it is the user's own), rename, delete. Names are
/// typed into an inline form (the browser's prompt box is unstyled, untranslated and
/// blocked in installed apps on some systems).
#[component]
fn FolderTools(address: String) -> impl IntoView {
    let lang = use_prefs().lang;
    let state = expect_context::<MailState>();
    let error = RwSignal::new(None::<String>);
    let editing = RwSignal::new(None::<NameEdit>);
    let name = RwSignal::new(String::new());
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
    let done = move |r: Result<(), api::ApiError>| match r {
        Ok(()) => {
            error.set(None);
            editing.set(None);
            state.changed();
        }
        Err(e) => error.set(Some(crate::i18n::error_message(lang.get_untracked(), &e))),
    };
    let start = move |edit: NameEdit, current: String| {
        error.set(None);
        name.set(current);
        editing.set(Some(edit));
    };
    let save = {
        let address = address.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let new_name = name.get_untracked().trim().to_string();
            if new_name.is_empty() {
                error.set(Some(
                    text(lang.get_untracked(), Key::FolderNamePrompt).to_string(),
                ));
                return;
            }
            match editing.get_untracked() {
                Some(NameEdit::New { parent }) => {
                    let req = ksuite_common::NewFolder {
                        address: address.clone(),
                        name: new_name,
                        parent_id: parent,
                    };
                    leptos::task::spawn_local(async move {
                        done(api::mail::create_folder(&req).await.map(|_| ()))
                    });
                }
                Some(NameEdit::Rename(id)) => leptos::task::spawn_local(async move {
                    done(api::mail::rename_folder(id, new_name).await.map(|_| ()))
                }),
                None => {}
            }
        }
    };
    let own_for_new = own.clone();
    let own_for_view = own.clone();
    view! {
        <div class="folder-tools">
            <button type="button" class="button ghost small" data-testid="new-folder"
                    on:click=move |_| start(NameEdit::New { parent: own_for_new().map(|f| f.id) }, String::new())>
                {move || if own().is_some() { t(Key::NewSubfolder)() } else { t(Key::NewFolder)() }}
            </button>
            {move || own_for_view().map(|f| {
                let (id, current) = (f.id, f.name.clone());
                view! {
                    <button type="button" class="button ghost small" data-testid="rename-folder"
                            on:click=move |_| start(NameEdit::Rename(id), current.clone())>{t(Key::RenameFolder)}</button>
                    <button type="button" class="button ghost small danger" data-testid="delete-folder" on:click=move |_| {
                        confirm(text(lang.get_untracked(), Key::ConfirmDeleteFolder), Key::DeleteFolder, move || {
                            leptos::task::spawn_local(async move {
                                let r = api::mail::delete_folder(id).await;
                                if r.is_ok() {
                                    state.mode.set(None);
                                }
                                done(r)
                            });
                        });
                    }>{t(Key::DeleteFolder)}</button>
                }
            })}
            <Show when=move || editing.get().is_some()>
                <form class="folder-name" data-testid="folder-name-form" on:submit=save.clone()>
                    <label>
                        {t(Key::FolderNamePrompt)}
                        <input type="text" data-testid="folder-name" maxlength="200" required autofocus bind:value=name />
                    </label>
                    <div class="row">
                        <button class="button primary small" type="submit">{t(Key::Save)}</button>
                        <button class="button ghost small" type="button" on:click=move |_| editing.set(None)>{t(Key::Cancel)}</button>
                    </div>
                </form>
            </Show>
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert">{move || error.get()}</p>
            </Show>
        </div>
    }
}

/// Says which addresses answer automatically right now, with the way to change it.
#[component]
fn AutoReplyOn() -> impl IntoView {
    let lang = use_prefs().lang;
    let addresses = LocalResource::new(api::mail::addresses);
    move || {
        let on: Vec<String> = match addresses.get() {
            Some(Ok(list)) => list
                .into_iter()
                .filter(|a| a.auto_reply_on)
                .map(|a| a.address)
                .collect(),
            _ => Vec::new(),
        };
        (!on.is_empty()).then(|| view! {
            <p class="notice auto-reply-on" role="status" data-testid="auto-reply-on-notice">
                <span>{fill(text(lang.get(), Key::AutoReplyIsOn), &[("address", on.join(", "))])}</span>
                <a class="button small" href="/settings/mail">{t(Key::ChangeSetting)}</a>
            </p>
        })
    }
}

/// The composer is its own chunk: reading mail does not wait for it.
#[wasm_split_helpers::wasm_split(composer, fallible)]
fn composer() -> Result<crate::lazy::Build<compose::Seed>, crate::lazy::ChunkMissing> {
    Ok(|seed| view! { <compose::Composer seed=seed /> }.into_any())
}

/// The reader is its own chunk too: the folder list and messages paint first, and the
/// reader arrives while they load (fetched at once, see `MailPage`).
#[wasm_split_helpers::wasm_split(reader, fallible)]
fn reader_chunk() -> Result<crate::lazy::Build<()>, crate::lazy::ChunkMissing> {
    Ok(|()| view! { <reader::Reader /> }.into_any())
}

/// The Mail page's less used parts, drawn from one chunk.
#[derive(Clone)]
pub(crate) enum Tool {
    /// The messages waiting to be sent.
    Scheduled,
    /// "Import mail" under the folders.
    Import,
    /// New folder, rename, delete under an address's folders.
    Folders(String),
    /// The bar over the list while messages are picked.
    Bulk(bulk::BarArgs),
}

/// The chunk with the Mail page's less used parts, fetched when the page is up.
pub(crate) type ToolsChunk =
    LocalResource<Result<crate::lazy::Build<Tool>, crate::lazy::ChunkMissing>>;

/// Import, the scheduled list, the folder tools and the bar for picked messages are a
/// chunk of their own: the folders and messages paint first, these follow (fetched at
/// once, see `MailPage`).
#[wasm_split_helpers::wasm_split(mail_tools, fallible)]
fn tools_chunk() -> Result<crate::lazy::Build<Tool>, crate::lazy::ChunkMissing> {
    Ok(|tool| match tool {
        Tool::Scheduled => view! { <scheduled::ScheduledSends /> }.into_any(),
        Tool::Import => view! { <import::ImportMail /> }.into_any(),
        Tool::Folders(address) => view! { <FolderTools address=address /> }.into_any(),
        Tool::Bulk(args) => bulk::bar(args).into_any(),
    })
}

/// Undo after Send: stop the send, reopen the draft.
type Unsend =
    fn(MailState, i64, i64) -> std::pin::Pin<Box<dyn Future<Output = Result<(), api::ApiError>>>>;

/// Undo after Send, from the tools chunk: reopening a draft needs the full-message decoder
/// and the draft-to-composer code, which the Mail page itself has no other use for.
#[wasm_split_helpers::wasm_split(mail_tools, fallible)]
fn unsend_chunk() -> Result<Unsend, crate::lazy::ChunkMissing> {
    Ok(|state, schedule, draft| Box::pin(scheduled::unsend(state, schedule, draft)))
}

#[component]
pub fn MailPage() -> impl IntoView {
    let lang = use_prefs().lang;
    let session = crate::state::session::use_session();
    let state = MailState {
        mode: RwSignal::new(None),
        selected: RwSignal::new(None),
        version: RwSignal::new(0),
        folders: RwSignal::new(Vec::new()),
        compose: RwSignal::new(None),
        notice: RwSignal::new(None),
    };
    provide_context(state);
    url::sync(state);
    // Fetched now, not on the first click: by the time a message is opened it is here.
    let reader = LocalResource::new(reader_chunk);
    let tools = LocalResource::new(tools_chunk);
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
                    <span>
                    {move || state.notice.get().map(|n| n.text)}
                    {move || state.notice.get().and_then(|n| n.undo).map(|action| view! {
                        " "
                        <button type="button" class="button small"
                                data-testid=match action { UndoAction::Restore(_) => "undo-delete", UndoAction::Unsend { .. } => "undo-send" }
                                on:click=move |_| {
                                    state.notice.set(None);
                                    leptos::task::spawn_local(undo(state, lang.get_untracked(), action));
                                }>{t(Key::Undo)}</button>
                    })}
                    </span>
                    <button type="button" class="button ghost small" aria-label=t(Key::Close)
                            on:click=move |_| state.notice.set(None)>"×"</button>
                </p>
            </Show>
            <AutoReplyOn />
            {crate::lazy::quiet_chunk_view(tools, Tool::Scheduled)}
            <div class="mail-layout">
                <nav class="mail-folders card" aria-label=t(Key::Mail)>
                    <button type="button" class="button primary compose-button" data-testid="compose"
                            on:click=write>{t(Key::NewMessage)}</button>
                    {move || {
                        let folders = state.folders.get();
                        let mut addresses: Vec<String> = folders.iter().map(|f| f.address.clone()).collect();
                        addresses.dedup();
                        let login = session.user().map(|u| u.email);
                        addresses.into_iter().map(|address| {
                            let mine = in_tree_order(folders.iter().filter(|f| f.address == address).cloned().collect());
                            let here = address.clone();
                            view! {
                                {
                                    let heading = {
                                        let address = address.clone();
                                        move || fill(text(lang.get(), Key::MailAddressIs), &[("address", address.clone())])
                                    };
                                    // Sign-in e-mail and mailbox address differ: say which is which,
                                    // folded so that phones keep the list high.
                                    match login.clone().filter(|l| !l.eq_ignore_ascii_case(&address)) {
                                        Some(login) => view! {
                                            <details class="mail-address-help">
                                                <summary class="mail-address" data-testid="mail-address">{heading}</summary>
                                                <p class="hint" data-testid="mailbox-hint">
                                                    {move || fill(text(lang.get(), Key::MailboxAddressHint), &[("login", login.clone())])}
                                                </p>
                                            </details>
                                        }.into_any(),
                                        None => view! { <p class="mail-address" data-testid="mail-address">{heading}</p> }.into_any(),
                                    }
                                }
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
                                {crate::lazy::quiet_chunk_view(tools, Tool::Folders(here))}
                            }
                        }).collect_view()
                    }}
                    {crate::lazy::quiet_chunk_view(tools, Tool::Import)}
                    <button type="button" class="button ghost small" data-testid="deleted-mail"
                            on:click=move |_| open(Mode::Deleted)>{t(Key::DeletedMail)}</button>
                </nav>
                <list::MessageList tools=tools />
                {move || match state.compose.get() {
                    Some(seed) => crate::lazy::chunk_view(LocalResource::new(composer), seed).into_any(),
                    None => crate::lazy::chunk_view(reader, ()).into_any(),
                }}
            </div>
        </section>
    }
}
