//! The message's attachments: files uploaded with progress as soon as they are picked,
//! and those carried over from a forwarded message or a draft.

use ksuite_common::AttachmentRef;
use leptos::prelude::*;

use crate::api;
use crate::browser::picked_files;
use crate::i18n::{Key, error_message, t};
use crate::state::prefs::use_prefs;

/// An attachment on the message being written.
#[derive(Clone)]
pub(super) struct Attached {
    key: u32,
    name: String,
    size: i64,
    /// `None` while uploading.
    pub reference: Option<AttachmentRef>,
    progress: RwSignal<f64>,
    pub error: Option<String>,
}

impl Attached {
    /// The attachments a seed carries (already stored: nothing to upload).
    pub fn carried(refs: &[AttachmentRef], files: &[(String, i64)]) -> Vec<Attached> {
        refs.iter()
            .zip(files)
            .enumerate()
            .map(|(i, (r, (name, size)))| Attached {
                key: i as u32,
                name: name.clone(),
                size: *size,
                reference: Some(r.clone()),
                progress: RwSignal::new(1.0),
                error: None,
            })
            .collect()
    }

    /// Still uploading (sending waits for it).
    pub fn uploading(&self) -> bool {
        self.reference.is_none() && self.error.is_none()
    }
}

/// The attach button and the list; `on_change` runs when the list changes (for drafts).
#[component]
pub(super) fn Attachments(
    attached: RwSignal<Vec<Attached>>,
    on_change: Callback<()>,
) -> impl IntoView {
    let lang = use_prefs().lang;
    // Keys are never reused, so an upload that ends after its file was removed cannot
    // update another file's row.
    let next_key = StoredValue::new(attached.with_untracked(|l| l.len() as u32));
    let add_files = move |ev: leptos::ev::Event| {
        for file in picked_files(&ev) {
            let key = next_key.get_value();
            next_key.set_value(key + 1);
            let progress = RwSignal::new(0.0);
            attached.update(|l| {
                l.push(Attached {
                    key,
                    name: file.name(),
                    size: file.size() as i64,
                    reference: None,
                    progress,
                    error: None,
                })
            });
            leptos::task::spawn_local(async move {
                let result = api::mail::upload(file, move |f| progress.set(f)).await;
                attached.update(|l| {
                    if let Some(a) = l.iter_mut().find(|a| a.key == key) {
                        match result {
                            Ok(up) => {
                                a.reference = Some(AttachmentRef::Upload { id: up.id });
                                a.progress.set(1.0);
                            }
                            Err(e) => a.error = Some(error_message(lang.get_untracked(), &e)),
                        }
                    }
                });
                on_change.run(());
            });
        }
    };
    let remove_file = move |key: u32| {
        let mut removed = None;
        attached.update(|l| {
            if let Some(i) = l.iter().position(|a| a.key == key) {
                removed = Some(l.remove(i));
            }
        });
        if let Some(Attached {
            reference: Some(AttachmentRef::Upload { id }),
            ..
        }) = removed
        {
            leptos::task::spawn_local(async move {
                let _ = api::mail::discard_upload(&id).await;
            });
        }
        on_change.run(());
    };
    view! {
        <div class="compose-attachments">
            <label class="button small file-button">
                {t(Key::AttachFiles)}
                <input type="file" multiple data-testid="compose-attach" class="visually-hidden" on:change=add_files />
            </label>
            <ul class="attachments">
                <For each=move || attached.get() key=|a| (a.key, a.reference.is_some(), a.error.clone()) let:a>
                    {
                        let key = a.key;
                        let progress = a.progress;
                        view! {
                            <li data-testid="compose-attachment">
                                <span>{a.name.clone()}</span>
                                <span class="muted">{format!(" · {} KB", (a.size.max(0) + 1023) / 1024)}</span>
                                {match (&a.error, &a.reference) {
                                    (Some(e), _) => view! { <span class="form-error">{" "}{e.clone()}</span> }.into_any(),
                                    (None, None) => view! {
                                        <progress max="1" prop:value=move || progress.get() aria-label=t(Key::Uploading)></progress>
                                    }.into_any(),
                                    _ => ().into_any(),
                                }}
                                <button type="button" class="button ghost small" aria-label=t(Key::RemoveAttachment)
                                        on:click=move |_| remove_file(key)>"×"</button>
                            </li>
                        }
                    }
                </For>
            </ul>
        </div>
    }
}
