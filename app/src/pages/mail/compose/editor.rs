//! The message text: a plain textarea, or rich text in a contenteditable area with a small
//! toolbar (bold, italic, underline, bullets, link). Switching keeps what was written.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::ask::{Answer, Question, ask};
use crate::i18n::{Key, t, text};
use crate::state::prefs::use_prefs;

/// Plain text as rich-text HTML (line breaks kept).
pub(super) fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\n', "<br>")
}

/// Applies a formatting command to the editor's selection. The browsers' editing commands
/// still do this best: they keep undo history and nested markup right.
fn exec(command: &str, value: Option<&str>) {
    if let Some(doc) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
    {
        let _ = doc.exec_command_with_show_ui_and_value(command, false, value.unwrap_or(""));
    }
}

/// The current selection's first range, to put back after a dialog took focus.
fn saved_range() -> Option<web_sys::Range> {
    let selection = web_sys::window()?.get_selection().ok()??;
    if selection.range_count() == 0 {
        return None;
    }
    // A copy: the selection's own range follows the focus into the dialog.
    selection.get_range_at(0).ok().map(|r| r.clone_range())
}

fn restore_range(range: Option<web_sys::Range>) {
    let (Some(range), Some(selection)) = (
        range,
        web_sys::window().and_then(|w| w.get_selection().ok().flatten()),
    ) else {
        return;
    };
    let _ = selection.remove_all_ranges();
    let _ = selection.add_range(&range);
}

/// `body` holds the plain text; `editor` is the rich-text area, whose HTML the composer
/// reads when saving or sending. `initial_html` starts it (a draft written as rich text).
#[component]
pub(super) fn BodyEditor(
    body: RwSignal<String>,
    rich: RwSignal<bool>,
    editor: NodeRef<leptos::html::Div>,
    initial_html: Option<String>,
    on_change: Callback<()>,
) -> impl IntoView {
    let lang = use_prefs().lang;
    let initial_html = StoredValue::new(initial_html);
    Effect::new(move |_| {
        if let Some(el) = editor.get()
            && let Some(html) = initial_html.get_value()
        {
            el.set_inner_html(&html);
            initial_html.set_value(None);
        }
    });
    let toggle_rich = move |_| {
        if rich.get_untracked() {
            if let Some(el) = editor.get_untracked() {
                body.set(el.inner_text());
            }
            rich.set(false);
        } else {
            rich.set(true);
            if let Some(el) = editor.get_untracked() {
                el.set_inner_html(&escape_html(&body.get_untracked()));
            }
        }
        on_change.run(());
    };
    let insert_link = move || {
        // The question box takes focus, and with it the editor's selection: keep the
        // range and put it back to link it.
        let range = saved_range();
        let question = Question {
            message: text(lang.get_untracked(), Key::InsertLink).to_string(),
            confirm: Key::InsertLink,
            danger: false,
            answer: Answer::Url {
                label: Key::LinkAddress,
            },
        };
        ask(question, move |url| {
            if let Some(el) = editor.get_untracked() {
                let _ = el.focus();
            }
            restore_range(range);
            exec("createLink", Some(&url));
            on_change.run(());
        });
    };
    let tool = move |command: &'static str, label: Key| {
        view! {
            <button type="button" class="button small tool" aria-label=t(label) title=t(label)
                    on:mousedown=move |ev| {
                        // Keeps the focus (and the selection) in the editor.
                        ev.prevent_default();
                        if command == "createLink" { insert_link() } else { exec(command, None) }
                        on_change.run(());
                    }>
                {match command {
                    "bold" => view! { <b>"B"</b> }.into_any(),
                    "italic" => view! { <i>"I"</i> }.into_any(),
                    "underline" => view! { <u>"U"</u> }.into_any(),
                    "insertUnorderedList" => view! { <span>"• ≡"</span> }.into_any(),
                    _ => view! { <span>{t(Key::InsertLink)}</span> }.into_any(),
                }}
            </button>
        }
    };
    view! {
        <div class="compose-toolbar" role="toolbar" aria-label=t(Key::Formatting)>
            <label class="check">
                <input type="checkbox" data-testid="rich-text" prop:checked=move || rich.get() on:change=toggle_rich />
                {t(Key::RichText)}
            </label>
            <Show when=move || rich.get()>
                {tool("bold", Key::Bold)}
                {tool("italic", Key::Italic)}
                {tool("underline", Key::Underline)}
                {tool("insertUnorderedList", Key::BulletList)}
                {tool("createLink", Key::InsertLink)}
            </Show>
        </div>
        <label for="compose-body" class="visually-hidden">{t(Key::MessageBody)}</label>
        <textarea id="compose-body" class="compose-body" rows="14" data-testid="compose-body"
                  class:hidden=move || rich.get()
                  prop:value=move || body.get()
                  on:input=move |ev| { body.set(event_target_value(&ev)); on_change.run(()); }></textarea>
        <div class="compose-body rich" contenteditable="true" role="textbox" aria-multiline="true"
             aria-label=t(Key::MessageBody) data-testid="compose-rich" node_ref=editor
             class:hidden=move || !rich.get() on:input=move |_| on_change.run(())></div>
    }
}
