//! A recipient field: addresses as removable chips, typed text committed on Enter, comma,
//! semicolon or leaving the field, and suggestions from the user's contacts and the
//! organization directory while typing.

use ksuite_common::ContactSummary;
use leptos::prelude::*;

use crate::api;
use crate::i18n::{Key, t};

/// Splits pasted or typed text into recipients.
fn split(text: &str) -> Vec<String> {
    text.split([',', ';', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Whether a chip looks like an address (the server checks for real on send).
fn looks_valid(s: &str) -> bool {
    let addr = match (s.rfind('<'), s.ends_with('>')) {
        (Some(i), true) => &s[i + 1..s.len() - 1],
        _ => s,
    };
    addr.split_once('@')
        .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !addr.contains(' '))
}

fn suggestion_text(c: &ContactSummary) -> String {
    let email = c.email.clone().unwrap_or_default();
    if c.display_name.trim().is_empty() || c.display_name == email {
        email
    } else {
        format!(
            "{} <{email}>",
            c.display_name.replace(['<', '>', ','], " ").trim()
        )
    }
}

#[component]
pub fn RecipientField(
    label: Key,
    values: RwSignal<Vec<String>>,
    /// Bumped on every change (autosave).
    changed: RwSignal<u32>,
    #[prop(into)] id: String,
) -> impl IntoView {
    let typed = RwSignal::new(String::new());
    let suggestions = RwSignal::new(Vec::<ContactSummary>::new());
    let active = RwSignal::new(None::<usize>);
    let list_id = format!("{id}-suggestions");
    let commit = move |text: String| {
        let new = split(&text);
        if !new.is_empty() {
            values.update(|v| {
                for n in new {
                    if !v.iter().any(|x| x.eq_ignore_ascii_case(&n)) {
                        v.push(n);
                    }
                }
            });
            changed.update(|c| *c += 1);
        }
        typed.set(String::new());
        suggestions.set(Vec::new());
        active.set(None);
    };
    // Ask for suggestions as the user types (stale answers are dropped).
    Effect::new(move |_| {
        let q = typed.get();
        if q.trim().chars().count() < 2 {
            suggestions.set(Vec::new());
            return;
        }
        leptos::task::spawn_local(async move {
            if let Ok(found) = api::mail::suggest(q.trim()).await
                && typed.try_get_untracked().as_ref() == Some(&q)
            {
                suggestions.set(found);
                active.set(None);
            }
        });
    });
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let count = suggestions.with_untracked(Vec::len);
        match ev.key().as_str() {
            "Enter" | "," | ";" => {
                let chosen = active
                    .get_untracked()
                    .and_then(|i| suggestions.with_untracked(|s| s.get(i).map(suggestion_text)));
                let text = chosen.unwrap_or_else(|| typed.get_untracked());
                if !text.trim().is_empty() {
                    ev.prevent_default();
                    commit(text);
                }
            }
            "ArrowDown" if count > 0 => {
                ev.prevent_default();
                active.update(|a| *a = Some(a.map_or(0, |i| (i + 1) % count)));
            }
            "ArrowUp" if count > 0 => {
                ev.prevent_default();
                active.update(|a| *a = Some(a.map_or(count - 1, |i| (i + count - 1) % count)));
            }
            "Escape" => suggestions.set(Vec::new()),
            "Backspace"
                if typed.with_untracked(String::is_empty)
                    && values.with_untracked(|v| !v.is_empty()) =>
            {
                values.update(|v| {
                    v.pop();
                });
                changed.update(|c| *c += 1);
            }
            _ => {}
        }
    };
    let input_id = id.clone();
    view! {
        <div class="recipient-field">
            <label for=input_id.clone()>{t(label)}</label>
            <div class="chips">
                {move || values.get().into_iter().enumerate().map(|(i, v)| {
                    let valid = looks_valid(&v);
                    view! {
                        <span class="chip" class:invalid=!valid data-testid="recipient">
                            {v.clone()}
                            <button type="button" class="chip-remove" aria-label=move || format!("{} {v}", t(Key::RemoveRecipient)())
                                    on:click=move |_| {
                                        values.update(|list| { if i < list.len() { list.remove(i); } });
                                        changed.update(|c| *c += 1);
                                    }>"×"</button>
                        </span>
                    }
                }).collect_view()}
                <input id=input_id type="text" autocomplete="off" spellcheck="false" role="combobox"
                       aria-autocomplete="list" aria-controls=list_id.clone()
                       aria-expanded=move || (!suggestions.get().is_empty()).to_string()
                       data-testid=format!("{id}-input")
                       prop:value=move || typed.get()
                       on:input=move |ev| {
                           let v = event_target_value(&ev);
                           // A paste of several addresses commits them all.
                           if v.contains([',', ';']) { commit(v) } else { typed.set(v) }
                       }
                       on:keydown=on_keydown
                       on:blur=move |_| commit(typed.get_untracked()) />
            </div>
            <Show when=move || !suggestions.get().is_empty()>
                <ul class="suggestions" role="listbox" id=list_id.clone()>
                    {move || suggestions.get().into_iter().enumerate().map(|(i, c)| {
                        let text = suggestion_text(&c);
                        let shown = text.clone();
                        view! {
                            <li role="option" class:active=move || active.get() == Some(i)
                                aria-selected=move || (active.get() == Some(i)).to_string()
                                data-testid="suggestion"
                                // mousedown, not click: it comes before the input's blur.
                                on:mousedown=move |ev| { ev.prevent_default(); commit(text.clone()); }>
                                {shown}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </Show>
        </div>
    }
}
