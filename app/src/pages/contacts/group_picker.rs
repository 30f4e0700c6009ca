//! Groups as checkboxes: the book's groups to tick, and a field to start a new one, in
//! place of a comma-separated text where a typo made a second group.

use leptos::prelude::*;

use crate::api;
use crate::i18n::{Key, t};

/// `selected` is the contact's groups, edited in place.
#[component]
pub fn GroupPicker(book: i64, selected: RwSignal<Vec<String>>, writable: bool) -> impl IntoView {
    let existing = LocalResource::new(move || api::contacts::groups(book));
    // The book's groups and the contact's own (a new group is not in the book yet).
    let all = move || {
        let mut names = existing.get().and_then(Result::ok).unwrap_or_default();
        names.extend(selected.get());
        names.sort_by_key(|n| n.to_lowercase());
        names.dedup();
        names
    };
    let toggle = move |name: String, on: bool| {
        selected.update(|s| {
            s.retain(|g| *g != name);
            if on {
                s.push(name);
            }
        })
    };
    let typed = RwSignal::new(String::new());
    let add = move || {
        let name = typed.get_untracked().trim().to_string();
        if name.is_empty() {
            return;
        }
        // An existing group typed in another case is that group, not a second one.
        let name = all()
            .into_iter()
            .find(|g| g.eq_ignore_ascii_case(&name))
            .unwrap_or(name);
        toggle(name, true);
        typed.set(String::new());
    };
    view! {
        <fieldset class="group-picker" data-testid="group-picker">
            <legend>{t(Key::Groups)}</legend>
            <div class="group-choices">
                {move || all().into_iter().map(|name| {
                    let checked = selected.with(|s| s.contains(&name));
                    let n = name.clone();
                    view! {
                        <label class="check">
                            <input type="checkbox" checked=checked disabled=!writable
                                   on:change=move |ev| toggle(n.clone(), event_target_checked(&ev)) />
                            {name}
                        </label>
                    }
                }).collect_view()}
            </div>
            {writable.then(|| view! {
                <div class="group-new">
                    <input type="text" aria-label=t(Key::NewGroup) placeholder=t(Key::NewGroup)
                           bind:value=typed
                           on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Enter" {
                               ev.prevent_default();
                               add();
                           } />
                    <button type="button" class="button ghost small" on:click=move |_| add()>{t(Key::Add)}</button>
                </div>
            })}
        </fieldset>
    }
}
