//! E-mails and phones as rows, one value per row with its type (home, work, mobile…), as
//! address books on phones edit them. A type the app does not offer (an imported "fax")
//! stays selectable, so saving never drops it.

use ksuite_common::TypedValue;
use leptos::prelude::*;

use crate::i18n::{Key, t};

/// The vCard TYPE values offered for e-mails; "" is no type.
pub const EMAIL_KINDS: &[(&str, Key)] = &[
    ("", Key::KindNone),
    ("home", Key::KindHome),
    ("work", Key::KindWork),
    ("other", Key::KindOther),
];

/// The vCard TYPE values offered for phones ("cell" is vCard's mobile).
pub const PHONE_KINDS: &[(&str, Key)] = &[
    ("", Key::KindNone),
    ("cell", Key::KindMobile),
    ("home", Key::KindHome),
    ("work", Key::KindWork),
    ("other", Key::KindOther),
];

/// One row on screen; `key` names it for removal.
#[derive(Clone, Copy)]
pub struct Row {
    key: u32,
    kind: RwSignal<String>,
    value: RwSignal<String>,
}

/// The rows being edited for one kind of value.
#[derive(Clone, Copy)]
pub struct Rows {
    rows: RwSignal<Vec<Row>>,
    next: StoredValue<u32>,
}

impl Rows {
    /// Rows for `values`, plus one empty row to type into when there are none.
    pub fn new(values: &[TypedValue]) -> Self {
        let rows = Self {
            rows: RwSignal::new(Vec::new()),
            next: StoredValue::new(0),
        };
        for v in values {
            rows.push(v.kind.clone().unwrap_or_default(), v.value.clone());
        }
        if values.is_empty() {
            rows.push(String::new(), String::new());
        }
        rows
    }

    fn push(&self, kind: String, value: String) {
        let key = self.next.get_value();
        self.next.set_value(key + 1);
        self.rows.update(|r| {
            r.push(Row {
                key,
                kind: RwSignal::new(kind),
                value: RwSignal::new(value),
            })
        });
    }

    fn remove(&self, key: u32) {
        self.rows.update(|r| r.retain(|row| row.key != key));
    }

    /// The filled-in rows as the API takes them.
    pub fn values(&self) -> Vec<TypedValue> {
        self.rows.with_untracked(|rows| {
            collect(
                rows.iter()
                    .map(|r| (r.kind.get_untracked(), r.value.get_untracked())),
            )
        })
    }
}

/// Typed values from (kind, value) pairs: empty values are dropped, "" is no type.
fn collect(rows: impl Iterator<Item = (String, String)>) -> Vec<TypedValue> {
    rows.filter_map(|(kind, value)| {
        let value = value.trim().to_string();
        let kind = kind.trim().to_string();
        (!value.is_empty()).then(|| TypedValue {
            kind: (!kind.is_empty()).then_some(kind),
            value,
        })
    })
    .collect()
}

/// A labelled group of rows with a type picker each, a remove button and "Add".
#[component]
pub fn TypedRows(
    rows: Rows,
    legend: Key,
    add: Key,
    input_type: &'static str,
    kinds: &'static [(&'static str, Key)],
    writable: bool,
) -> impl IntoView {
    let row = move |row: Row| {
        let current = row.kind.get_untracked();
        let unknown = (!kinds.iter().any(|(k, _)| *k == current)).then_some(current);
        view! {
            <li class="typed-row">
                <select aria-label=t(Key::KindLabel) disabled=!writable
                        prop:value=move || row.kind.get()
                        on:change=move |ev| row.kind.set(event_target_value(&ev))>
                    {kinds.iter().map(|(k, label)| view! { <option value=*k>{t(*label)}</option> }).collect_view()}
                    {unknown.map(|k| view! { <option value=k.clone()>{k.clone()}</option> })}
                </select>
                <input type=input_type aria-label=t(legend) disabled=!writable bind:value=row.value />
                {writable.then(|| view! {
                    <button type="button" class="button ghost small" aria-label=t(Key::Remove)
                            title=t(Key::Remove) on:click=move |_| rows.remove(row.key)>"×"</button>
                })}
            </li>
        }
    };
    view! {
        <fieldset class="typed-rows">
            <legend>{t(legend)}</legend>
            <ul>
                // Rows keep their values in their own signals: redrawing the list when one
                // is added or removed loses nothing (and costs less wasm than a keyed <For>).
                {move || rows.rows.get().into_iter().map(row).collect_view()}
            </ul>
            {writable.then(|| view! {
                <button type="button" class="button ghost small"
                        on:click=move |_| rows.push(String::new(), String::new())>{t(add)}</button>
            })}
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_rows_are_dropped_and_an_empty_type_is_none() {
        let got = collect(
            [
                ("work".to_string(), " ada@example.org ".to_string()),
                (String::new(), "ada@home.example".to_string()),
                ("home".to_string(), "  ".to_string()),
                ("fax".to_string(), "+1 555".to_string()),
            ]
            .into_iter(),
        );
        assert_eq!(
            got,
            vec![
                TypedValue {
                    kind: Some("work".into()),
                    value: "ada@example.org".into()
                },
                TypedValue {
                    kind: None,
                    value: "ada@home.example".into()
                },
                TypedValue {
                    kind: Some("fax".into()),
                    value: "+1 555".into()
                },
            ]
        );
    }
}
