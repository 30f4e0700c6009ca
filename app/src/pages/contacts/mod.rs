//! Contacts: address book and group filters, search, list, detail and editor, .vcf
//! import/export. On phones the detail replaces the list. The book, group, search, sort
//! and open contact live in the URL (`/contacts?book=3&group=Team&q=ada&contact=<uid>`).

mod editor;
mod group_picker;
mod sharing;
mod typed_rows;

use ksuite_common::{AddressBookKind, CalendarAccess, ContactSort};
use leptos::prelude::*;
use leptos_router::hooks::query_signal;

use crate::api;
use crate::browser::{file_text, picked_files};
use crate::components::ask::confirm;
use crate::components::refusal::Refusal;
use crate::i18n::{Key, error_message, fill, t, text};
use crate::state::prefs::use_prefs;
use editor::{ContactForm, Selection};

/// What the contact form is built from: the contact, whether the book is writable, and
/// what to do when it is saved, deleted or closed.
type FormArgs = (Selection, bool, Callback<Option<Selection>>);

/// The contact form is its own chunk: the list paints first, the form arrives meanwhile.
#[wasm_split_helpers::wasm_split(contact_form, fallible)]
fn form_chunk() -> Result<crate::lazy::Build<FormArgs>, crate::lazy::ChunkMissing> {
    Ok(|(selection, writable, on_done)| {
        view! { <ContactForm selection=selection writable=writable on_done=on_done /> }.into_any()
    })
}

#[component]
pub fn ContactsPage() -> impl IntoView {
    // Fetched now, not on the first click: by the time a contact is opened it is here.
    let form = LocalResource::new(form_chunk);
    let lang = use_prefs().lang;
    let version = RwSignal::new(0u32);
    let books = LocalResource::new(move || {
        version.track();
        api::contacts::books()
    });
    // Every query signal is a String: one generic instantiation keeps the wasm smaller.
    let (book_param, set_book) = query_signal::<String>("book");
    let current_book = move || {
        book_param
            .get()
            .and_then(|b| b.parse::<i64>().ok())
            .or_else(|| {
                books
                    .get()
                    .and_then(Result::ok)
                    .and_then(|b| b.iter().find(|b| b.is_default).map(|b| b.id))
            })
    };
    let writable = move || {
        let id = current_book();
        books
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .iter()
            .any(|b| Some(b.id) == id && b.access != CalendarAccess::Read)
    };
    let (search, set_search) = crate::state::query::search_param("q");
    let (group_param, set_group) = query_signal::<String>("group");
    let group = Signal::derive(move || group_param.get().unwrap_or_default());
    let (sort_param, set_sort) = query_signal::<String>("sort");
    let sort = Signal::derive(move || match sort_param.get().as_deref() {
        Some("last") => ContactSort::LastName,
        _ => ContactSort::FirstName,
    });
    let (contact, set_contact) = query_signal::<String>("contact");
    // A new contact being written is not a place to link to: it stays out of the URL.
    let creating = RwSignal::new(false);
    let selected = Memo::new(move |_| {
        let book = current_book()?;
        if creating.get() {
            return Some(Selection { book, uid: None });
        }
        contact.get().map(|uid| Selection {
            book,
            uid: Some(uid),
        })
    });
    let select = move |next: Option<Selection>| {
        creating.set(next.as_ref().is_some_and(|s| s.uid.is_none()));
        set_contact.set(next.and_then(|s| s.uid));
    };
    let message = RwSignal::new(None::<Result<String, String>>);
    // Leaving an address book someone shared (the server removes only the share).
    let leave = Action::new_local(|id: &i64| api::contacts::delete_book(*id));
    Effect::new(move |_| match leave.value().get() {
        Some(Ok(())) => {
            set_book.set(None);
            select(None);
            version.update(|v| *v += 1);
        }
        Some(Err(e)) => message.set(Some(Err(error_message(lang.get_untracked(), &e)))),
        None => {}
    });
    let list = LocalResource::new(move || {
        version.track();
        let (b, q, g, s) = (current_book(), search.get(), group.get(), sort.get());
        async move {
            match b {
                Some(b) => api::contacts::list(b, &q, &g, s).await,
                None => Ok(Vec::new()),
            }
        }
    });
    let groups = LocalResource::new(move || {
        version.track();
        let b = current_book();
        async move {
            match b {
                Some(b) if b != ksuite_common::DIRECTORY_ID => api::contacts::groups(b).await,
                _ => Ok(Vec::new()),
            }
        }
    });
    let on_file = move |ev: leptos::ev::Event| {
        let Some(file) = picked_files(&ev).into_iter().next() else {
            return;
        };
        let Some(target) = current_book() else { return };
        let csv = file.name().to_ascii_lowercase().ends_with(".csv");
        leptos::task::spawn_local(async move {
            let Some(content) = file_text(&file).await else {
                message.set(Some(Err(
                    text(lang.get_untracked(), Key::FileUnreadable).to_string()
                )));
                return;
            };
            match api::contacts::import(target, content, csv).await {
                Ok(r) => {
                    message.set(Some(Ok(fill(
                        text(lang.get_untracked(), Key::ImportContactsDone),
                        &[
                            ("imported", r.imported.to_string()),
                            ("skipped", r.skipped.len().to_string()),
                        ],
                    ))));
                    version.update(|v| *v += 1);
                }
                Err(e) => message.set(Some(Err(error_message(lang.get_untracked(), &e)))),
            }
        });
    };
    let changed = Callback::new(move |next: Option<Selection>| {
        select(next);
        version.update(|v| *v += 1);
    });

    view! {
        <section class="page contacts-page" class:showing-detail=move || selected.get().is_some() aria-labelledby="page-title">
            <h1 id="page-title">{t(Key::Contacts)}</h1>
            <div class="contacts-layout">
                <div class="contacts-list card">
                    <form class="form-row list-tools" role="search" on:submit=|ev| ev.prevent_default()>
                        <div>
                            <label for="book-select">{t(Key::AddressBook)}</label>
                            <select id="book-select" on:change=move |ev| {
                                set_book.set(Some(event_target_value(&ev)));
                                set_group.set(None);
                                select(None);
                            }>
                                {move || books.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|b| {
                                    let label = match (b.kind, &b.owner_email) {
                                        (AddressBookKind::Shared, Some(o)) => format!("{} ({o})", b.name),
                                        _ => b.name.clone(),
                                    };
                                    view! { <option value=b.id.to_string() selected=move || current_book() == Some(b.id)>{label}</option> }
                                }).collect_view()}
                            </select>
                        </div>
                        <div>
                            <label for="group-select">{t(Key::GroupFilter)}</label>
                            <select id="group-select" on:change=move |ev| set_group.set(Some(event_target_value(&ev)).filter(|g| !g.is_empty()))>
                                <option value="">{t(Key::AllGroups)}</option>
                                {move || groups.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|g| {
                                    let value = g.clone();
                                    view! { <option value=value.clone() selected=move || group.get() == value>{g}</option> }
                                }).collect_view()}
                            </select>
                        </div>
                        <div>
                            <label for="contact-search">{t(Key::SearchContacts)}</label>
                            <input id="contact-search" type="search" prop:value=search
                                   on:input=move |ev| set_search(event_target_value(&ev)) />
                        </div>
                        <div>
                            <label for="contact-sort">{t(Key::SortBy)}</label>
                            <select id="contact-sort" on:change=move |ev| set_sort.set(
                                Some(event_target_value(&ev)).filter(|s| s == "last"))>
                                <option value="first">{t(Key::SortFirstName)}</option>
                                <option value="last" selected=move || sort.get() == ContactSort::LastName>{t(Key::SortLastName)}</option>
                            </select>
                        </div>
                    </form>
                    <div class="actions">
                        <Show when=writable>
                            <button type="button" class="button primary small" data-testid="new-contact"
                                    on:click=move |_| select(current_book().map(|b| Selection { book: b, uid: None }))>
                                {t(Key::NewContact)}
                            </button>
                            <label class="button small file-button">
                                {t(Key::ImportVcf)}
                                <input type="file" accept=".vcf,.csv,text/vcard,text/csv" class="visually-hidden" data-testid="import-vcf" on:change=on_file />
                            </label>
                        </Show>
                        {move || current_book().filter(|b| *b != ksuite_common::DIRECTORY_ID).map(|b| view! {
                            <a class="button small" href=format!("/api/address-books/{b}/export") download="" data-testid="export-vcf">{t(Key::ExportVcf)}</a>
                            <a class="button small" href=format!("/api/address-books/{b}/export?format=csv") download="">"CSV"</a>
                        })}
                    </div>
                    {move || {
                        let id = current_book()?;
                        let owned = books.get().and_then(Result::ok).unwrap_or_default().iter()
                            .any(|b| b.id == id && b.access == CalendarAccess::Owner);
                        owned.then(|| view! { <sharing::BookSharing book=id /> })
                    }}
                    {move || {
                        let id = current_book()?;
                        let shared = books.get().and_then(Result::ok).unwrap_or_default().iter()
                            .any(|b| b.id == id && b.kind == AddressBookKind::Shared);
                        shared.then(|| view! {
                            <button type="button" class="button ghost small" data-testid="leave-book" on:click=move |_| {
                                confirm(text(lang.get_untracked(), Key::ConfirmLeaveShared), Key::LeaveShared, move || {
                                    leave.dispatch(id);
                                });
                            }>{t(Key::LeaveShared)}</button>
                        })
                    }}
                    {move || message.get().map(|m| match m {
                        Ok(s) => view! { <p class="form-ok" role="status">{s}</p> }.into_any(),
                        Err(s) => view! { <p class="form-error" role="alert">{s}</p> }.into_any(),
                    })}
                    <Transition fallback=move || view! { <p>{t(Key::Loading)}</p> }>
                        {move || list.get().map(|r| match r {
                            Err(e) => view! { <Refusal error=e /> }.into_any(),
                            Ok(items) if items.is_empty() => view! { <p class="empty">{t(Key::NoContacts)}</p> }.into_any(),
                            Ok(items) => view! {
                                <ul class="contact-items" data-testid="contact-list">
                                    {items.into_iter().map(|c| {
                                        let sel = Selection { book: c.book_id, uid: Some(c.uid.clone()) };
                                        let is_current = {
                                            let sel = sel.clone();
                                            move || selected.get().as_ref() == Some(&sel)
                                        };
                                        let directory = c.book_id == ksuite_common::DIRECTORY_ID;
                                        view! {
                                            <li>
                                                <button type="button" class="contact-item" class:selected=is_current data-testid="contact"
                                                        disabled=directory on:click=move |_| select(Some(sel.clone()))>
                                                    <span class="name">{c.display_name.clone()}</span>
                                                    <span class="meta">{c.email.clone().or(c.organization.clone()).or(c.phone.clone()).unwrap_or_default()}</span>
                                                    {(!c.groups.is_empty()).then(|| view! { <span class="badge">{c.groups.join(", ")}</span> })}
                                                </button>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any(),
                        })}
                    </Transition>
                </div>
                <div class="contact-detail">
                    {move || selected.get().map(|s| crate::lazy::chunk_view(form, (s, writable(), changed)))}
                </div>
            </div>
        </section>
    }
}
