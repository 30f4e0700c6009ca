//! The contact form: shows and edits one contact (or a new one). E-mails and phones are
//! rows with a type each, groups are ticked or added; further postal addresses and web
//! sites of existing entries are kept.

use ksuite_common::{Contact, ContactInput, PostalAddress};
use leptos::prelude::*;

use crate::api;
use crate::browser::{file_bytes, picked_files};
use crate::components::ask::confirm;
use crate::components::refusal::Refusal;
use crate::i18n::{Key, error_message, t, text};
use crate::state::prefs::use_prefs;

use super::group_picker::GroupPicker;
use super::typed_rows::{EMAIL_KINDS, PHONE_KINDS, Rows, TypedRows};

/// Which contact the detail pane shows; `uid: None` is a new contact.
#[derive(Clone, Debug, PartialEq)]
pub struct Selection {
    pub book: i64,
    pub uid: Option<String>,
}

/// A saved contact's writes besides Save.
#[derive(Clone)]
enum OtherChange {
    Delete,
    /// Merge the contact with the one of this uid.
    Merge(String),
    Photo(web_sys::File),
}

/// Runs `what` on the contact `sel` (at version `etag`): the contact to open next (none
/// after a delete), or the refusal in the user's language.
async fn apply_other(
    what: OtherChange,
    sel: Selection,
    etag: String,
    lang: ksuite_common::Language,
) -> Result<Option<Selection>, String> {
    let refused = |e: api::ApiError| error_message(lang, &e);
    // Only a saved contact offers these; a new one has nothing to change yet.
    let Some(uid) = sel.uid else {
        return Ok(Some(sel));
    };
    let changed = match what {
        OtherChange::Delete => {
            return api::contacts::delete(sel.book, &uid, &etag)
                .await
                .map(|()| None)
                .map_err(refused);
        }
        OtherChange::Merge(with) => api::contacts::merge(sel.book, &uid, &with).await,
        OtherChange::Photo(file) => {
            let Some(bytes) = file_bytes(&file).await else {
                return Err(text(lang, Key::FileUnreadable).to_string());
            };
            api::contacts::put_photo(sel.book, &uid, &etag, bytes).await
        }
    };
    changed
        .map(|c| {
            Some(Selection {
                book: c.book_id,
                uid: Some(c.uid),
            })
        })
        .map_err(refused)
}

#[component]
pub fn ContactForm(
    selection: Selection,
    writable: bool,
    on_done: Callback<Option<Selection>>,
) -> impl IntoView {
    let sel = selection.clone();
    let contact = LocalResource::new(move || {
        let sel = sel.clone();
        async move {
            match &sel.uid {
                Some(uid) => api::contacts::get(sel.book, uid).await.map(Some),
                None => Ok(None),
            }
        }
    });
    view! {
        <div class="card">
            <button type="button" class="button small back" on:click=move |_| on_done.run(None)>"‹ "{t(Key::Contacts)}</button>
            <Transition fallback=move || view! { <p>{t(Key::Loading)}</p> }>
                {move || {
                    let selection = selection.clone();
                    contact.get().map(move |r| match r {
                        Ok(c) => view! { <Fields selection=selection contact=c writable=writable on_done=on_done /> }.into_any(),
                        Err(e) => view! { <Refusal error=e /> }.into_any(),
                    })
                }}
            </Transition>
        </div>
    }
}

#[component]
fn Fields(
    selection: Selection,
    contact: Option<Contact>,
    writable: bool,
    on_done: Callback<Option<Selection>>,
) -> impl IntoView {
    let lang = use_prefs().lang;
    let base = contact
        .as_ref()
        .map(|c| c.fields.clone())
        .unwrap_or_default();
    let etag = contact.as_ref().map(|c| c.etag.clone()).unwrap_or_default();
    let first_address = base.addresses.first().cloned().unwrap_or_default();
    let given = RwSignal::new(base.given_name.clone());
    let family = RwSignal::new(base.family_name.clone());
    let org = RwSignal::new(base.organization.clone().unwrap_or_default());
    let title = RwSignal::new(base.title.clone().unwrap_or_default());
    let emails = Rows::new(&base.emails);
    let phones = Rows::new(&base.phones);
    let street = RwSignal::new(first_address.street.clone());
    let city = RwSignal::new(first_address.locality.clone());
    let postal = RwSignal::new(first_address.postal_code.clone());
    let country = RwSignal::new(first_address.country.clone());
    let birthday = RwSignal::new(
        base.birthday
            .clone()
            .filter(|b| !b.starts_with("--"))
            .unwrap_or_default(),
    );
    let website = RwSignal::new(base.urls.first().cloned().unwrap_or_default());
    let note = RwSignal::new(base.note.clone().unwrap_or_default());
    let groups = RwSignal::new(base.groups.clone());
    let error = RwSignal::new(None::<String>);
    let is_new = contact.is_none();
    let base = StoredValue::new(base);

    let build = move || -> ContactInput {
        let b = base.get_value();
        let mut addresses = b.addresses.clone();
        let first = PostalAddress {
            kind: addresses.first().and_then(|a| a.kind.clone()),
            street: street.get_untracked(),
            locality: city.get_untracked(),
            region: addresses
                .first()
                .map(|a| a.region.clone())
                .unwrap_or_default(),
            postal_code: postal.get_untracked(),
            country: country.get_untracked(),
        };
        if addresses.is_empty() {
            addresses.push(first);
        } else {
            addresses[0] = first;
        }
        let mut urls = b.urls.clone();
        let site = website.get_untracked().trim().to_string();
        match (urls.is_empty(), site.is_empty()) {
            (true, false) => urls.push(site),
            (false, false) => urls[0] = site,
            (false, true) => {
                urls.remove(0);
            }
            (true, true) => {}
        }
        let bday = birthday.get_untracked();
        ContactInput {
            given_name: given.get_untracked(),
            family_name: family.get_untracked(),
            // The shown name follows the edited parts unless it was set apart from them.
            display_name: String::new(),
            organization: Some(org.get_untracked()),
            title: Some(title.get_untracked()),
            emails: emails.values(),
            phones: phones.values(),
            addresses,
            birthday: if bday.is_empty() {
                b.birthday.clone().filter(|x| x.starts_with("--"))
            } else {
                Some(bday)
            },
            urls,
            note: Some(note.get_untracked()),
            groups: groups.get_untracked(),
            ..b
        }
    };
    let sel_save = selection.clone();
    let etag_save = etag.clone();
    // An Action: while it is pending Save is disabled, so a double click cannot create the
    // contact twice.
    let saving = Action::new_local(move |input: &ContactInput| {
        let (input, sel, etag) = (input.clone(), sel_save.clone(), etag_save.clone());
        async move {
            match &sel.uid {
                None => api::contacts::create(sel.book, &input).await,
                Some(uid) => api::contacts::update(sel.book, uid, &etag, &input).await,
            }
        }
    });
    // Only the answer is tracked: `on_done` navigates, and what it reads (the URL) must not
    // re-run this effect, which would open the saved contact again after the user picked
    // another one.
    Effect::new(move |_| {
        let answer = saving.value().get();
        untrack(move || match answer {
            Some(Ok(c)) => on_done.run(Some(Selection {
                book: c.book_id,
                uid: Some(c.uid),
            })),
            Some(Err(e)) => error.set(Some(error_message(lang.get_untracked(), &e))),
            None => {}
        })
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !saving.pending().get_untracked() {
            error.set(None);
            saving.dispatch(build());
        }
    };
    // Delete, merge and a new photo: one Action, whose answer opens the result (or the
    // list, after a delete) and whose refusal is the form's error.
    let sel_other = selection.clone();
    let etag_other = etag.clone();
    let other = Action::new_local(move |what: &OtherChange| {
        let (what, sel, etag) = (what.clone(), sel_other.clone(), etag_other.clone());
        async move { apply_other(what, sel, etag, lang.get_untracked()).await }
    });
    Effect::new(move |_| {
        let answer = other.value().get();
        untrack(move || match answer {
            Some(Ok(opened)) => on_done.run(opened),
            Some(Err(message)) => error.set(Some(message)),
            None => {}
        })
    });
    let busy = move || other.pending().get();
    let remove = move |_| {
        let question = text(lang.get_untracked(), Key::ConfirmDeleteContact);
        confirm(question, Key::Delete, move || {
            other.dispatch(OtherChange::Delete);
        });
    };
    let merge_with = RwSignal::new(String::new());
    let others = {
        let sel = selection.clone();
        LocalResource::new(move || {
            let sel = sel.clone();
            async move {
                if sel.uid.is_none() {
                    return Ok(Vec::new());
                }
                api::contacts::list(sel.book, "", "", ksuite_common::ContactSort::FirstName).await
            }
        })
    };
    let merge = move |_| {
        let with = merge_with.get_untracked();
        if !with.is_empty() {
            other.dispatch(OtherChange::Merge(with));
        }
    };
    let own_uid = selection.uid.clone().unwrap_or_default();
    let has_photo = contact.as_ref().is_some_and(|c| c.has_photo);
    let photo_src = selection
        .uid
        .as_deref()
        .map(|u| api::contacts::photo_url(selection.book, u));
    let upload = move |ev: leptos::ev::Event| {
        if let Some(file) = picked_files(&ev).into_iter().next() {
            other.dispatch(OtherChange::Photo(file));
        }
    };
    let field = move |id: &'static str, key: Key, sig: RwSignal<String>, kind: &'static str| {
        view! {
            <label for=id>{t(key)}</label>
            <input id=id type=kind disabled=!writable bind:value=sig />
        }
    };
    view! {
        <form class="contact-form" on:submit=save data-testid="contact-form">
            <h2>{if is_new { t(Key::NewContact)() } else { t(Key::EditContact)() }}</h2>
            {(has_photo).then(|| view! { <img class="contact-photo" src=photo_src.clone() alt="" width="96" height="96" /> })}
            {(writable && !is_new).then(|| view! {
                <label for="c-photo">{t(Key::Photo)}</label>
                <input id="c-photo" type="file" accept="image/jpeg,image/png,image/gif,image/webp" disabled=busy on:change=upload />
            })}
            <div class="form-row">
                <div>{field("c-given", Key::FirstName, given, "text")}</div>
                <div>{field("c-family", Key::LastName, family, "text")}</div>
            </div>
            <div class="form-row">
                <div>{field("c-org", Key::Organization, org, "text")}</div>
                <div>{field("c-title", Key::JobTitle, title, "text")}</div>
            </div>
            <TypedRows rows=emails legend=Key::Email add=Key::AddEmail input_type="email"
                       kinds=EMAIL_KINDS writable=writable />
            <TypedRows rows=phones legend=Key::Phone add=Key::AddPhone input_type="tel"
                       kinds=PHONE_KINDS writable=writable />
            {field("c-street", Key::Street, street, "text")}
            <div class="form-row">
                <div>{field("c-postal", Key::PostalCode, postal, "text")}</div>
                <div>{field("c-city", Key::City, city, "text")}</div>
            </div>
            {field("c-country", Key::Country, country, "text")}
            <div class="form-row">
                <div>{field("c-birthday", Key::Birthday, birthday, "date")}</div>
                <div>{field("c-website", Key::Website, website, "url")}</div>
            </div>
            {(selection.book != ksuite_common::DIRECTORY_ID).then(|| view! {
                <GroupPicker book=selection.book selected=groups writable=writable />
            })}
            <label for="c-note">{t(Key::Notes)}</label>
            <textarea id="c-note" rows="3" disabled=!writable bind:value=note></textarea>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            {(writable && !is_new).then(|| view! {
                <div class="merge">
                    <label for="c-merge">{t(Key::MergeWith)}</label>
                    <select id="c-merge" on:change=move |ev| merge_with.set(event_target_value(&ev))>
                        <option value="">"—"</option>
                        {move || others.get().and_then(Result::ok).unwrap_or_default().into_iter()
                            .filter(|o| o.uid != own_uid)
                            .map(|o| view! { <option value=o.uid.clone()>{o.display_name.clone()}</option> })
                            .collect_view()}
                    </select>
                    <button type="button" class="button small" disabled=busy on:click=merge>{t(Key::Merge)}</button>
                </div>
            })}
            {writable.then(|| view! {
                <div class="dialog-actions">
                    {(!is_new).then(|| view! { <button type="button" class="button danger" data-testid="delete-contact" disabled=busy on:click=remove>{t(Key::Delete)}</button> })}
                    <span class="spacer"></span>
                    <button type="submit" class="button primary" disabled=move || saving.pending().get()>{t(Key::Save)}</button>
                </div>
            })}
        </form>
    }
}
