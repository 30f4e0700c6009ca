//! The message text: a plain textarea, or rich text in a contenteditable area with a small
//! toolbar (bold, italic, underline, bullets, link). Switching keeps what was written.
//!
//! Rich text is edited with Squire (Fastmail's editor for e-mail; `rich_editor.js`), which
//! formats through its own range code and keeps its own undo history, instead of the
//! deprecated `document.execCommand`. It arrives with the composer's first opening; until
//! then (or if it cannot be loaded) the area is a plain contenteditable, its tools disabled.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use super::signature::swap_signature;
use crate::components::ask::{Answer, Question, ask};
use crate::i18n::{Key, t, text};
use crate::state::prefs::use_prefs;

#[wasm_bindgen(module = "/src/pages/mail/compose/rich_editor.js")]
extern "C" {
    /// `RichEditor` of rich_editor.lib.js: Squire on the message area.
    #[derive(Clone)]
    type JsRichEditor;
    #[wasm_bindgen(js_name = openRichEditor, catch)]
    async fn open_rich_editor(
        root: &web_sys::HtmlElement,
        on_input: &js_sys::Function,
        on_formats: &js_sys::Function,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method)]
    fn toggle(this: &JsRichEditor, format: &str);
    #[wasm_bindgen(method)]
    fn link(this: &JsRichEditor, url: &str);
    #[wasm_bindgen(method)]
    fn html(this: &JsRichEditor) -> String;
    #[wasm_bindgen(method)]
    fn text(this: &JsRichEditor) -> String;
    #[wasm_bindgen(method, js_name = setText)]
    fn set_text(this: &JsRichEditor, text: &str, signature: &str);
    #[wasm_bindgen(method, js_name = setSignature)]
    fn set_signature(this: &JsRichEditor, text: &str, before: &str);
    #[wasm_bindgen(method)]
    fn destroy(this: &JsRichEditor);
}

/// Plain text as rich-text HTML (line breaks kept), for the area without its editor.
fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\n', "<br>")
}

/// A toolbar format; rich_editor.lib.js adds it to the selection or takes it off.
#[derive(Clone, Copy, PartialEq)]
enum Format {
    Bold,
    Italic,
    Underline,
    BulletList,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Bold => "bold",
            Format::Italic => "italic",
            Format::Underline => "underline",
            Format::BulletList => "list",
        }
    }

    fn label(self) -> Key {
        match self {
            Format::Bold => Key::Bold,
            Format::Italic => Key::Italic,
            Format::Underline => Key::Underline,
            Format::BulletList => Key::BulletList,
        }
    }
}

/// Where the editor stands: loading, ready, or not to be had (the download failed).
type Loaded = Option<Result<JsRichEditor, ()>>;

/// The rich-text area as the composer reads and changes it: through the editor once it is
/// there, through the element itself before.
#[derive(Clone, Copy)]
pub(super) struct RichText {
    area: NodeRef<leptos::html::Div>,
    editor: LocalResource<Loaded>,
    /// The formats in force at the selection, as the editor names them ("bold list").
    formats: RwSignal<String>,
}

impl RichText {
    /// Starts loading the editor as soon as the area is on the page; `on_change` hears
    /// every edit, undo and redo included.
    pub(super) fn new(on_change: Callback<()>) -> Self {
        let area = NodeRef::<leptos::html::Div>::new();
        // The editor may outlive the composer by a tick (an edit event in flight).
        let open = Arc::new(AtomicBool::new(true));
        let listening = open.clone();
        let on_input: js_sys::Function = Closure::<dyn Fn()>::new(move || {
            if listening.load(Ordering::Relaxed) {
                on_change.run(());
            }
        })
        .into_js_value()
        .unchecked_into();
        let formats = RwSignal::new(String::new());
        let reporting = open.clone();
        let on_formats: js_sys::Function = Closure::<dyn Fn(String)>::new(move |now: String| {
            if reporting.load(Ordering::Relaxed) {
                formats.set(now);
            }
        })
        .into_js_value()
        .unchecked_into();
        let editor = LocalResource::new(move || {
            let element = area.get();
            let (on_input, on_formats) = (on_input.clone(), on_formats.clone());
            async move {
                let element: web_sys::HtmlElement = element?.into();
                Some(
                    open_rich_editor(&element, &on_input, &on_formats)
                        .await
                        .map(JsCast::unchecked_into::<JsRichEditor>)
                        .map_err(|_| ()),
                )
            }
        });
        on_cleanup(move || {
            open.store(false, Ordering::Relaxed);
            if let Some(Some(Ok(editor))) = editor.try_get_untracked().flatten() {
                editor.destroy();
            }
        });
        RichText {
            area,
            editor,
            formats,
        }
    }

    /// True while `format` is in force at the selection (the toolbar shows it pressed).
    fn is_on(&self, format: Format) -> bool {
        self.formats
            .with(|now| now.split(' ').any(|name| name == format.name()))
    }

    fn ready(&self) -> Option<JsRichEditor> {
        self.editor.get_untracked().flatten().and_then(Result::ok)
    }

    /// True once the editor could not be loaded: the toolbar says so.
    fn failed(&self) -> bool {
        matches!(self.editor.get(), Some(Some(Err(()))))
    }

    fn usable(&self) -> bool {
        matches!(self.editor.get(), Some(Some(Ok(_))))
    }

    /// Still on its way: rich text waits for it, so the signature block is made by it.
    fn loading(&self) -> bool {
        !matches!(self.editor.get(), Some(Some(_)))
    }

    /// The message as HTML and as its plain-text alternative.
    pub(super) fn contents(&self) -> Option<(String, String)> {
        if let Some(editor) = self.ready() {
            return Some((editor.text(), editor.html()));
        }
        let area = self.area.get_untracked()?;
        Some((area.inner_text(), area.inner_html()))
    }

    /// Starts the area from an HTML draft.
    fn set_html(&self, html: &str) {
        if let Some(area) = self.area.get_untracked() {
            area.set_inner_html(html);
        }
    }

    /// Plain text into the area, `signature` (where it occurs) as the block the signature
    /// picker replaces later.
    fn set_text(&self, text: &str, signature: &str) {
        match self.ready() {
            Some(editor) => editor.set_text(text, signature),
            None => self.set_html(&escape_html(text)),
        }
    }

    /// Puts signature `new` where `old` was placed, or above a reply's quote (whose first
    /// line is `quote_line`), or at the end.
    pub(super) fn swap_signature(&self, old: &str, new: &str, quote_line: &str) {
        match (self.ready(), self.area.get_untracked()) {
            (Some(editor), _) => editor.set_signature(new, quote_line),
            (None, Some(area)) => area.set_inner_html(&swap_signature(
                &area.inner_html(),
                &escape_html(old),
                &escape_html(new),
                "",
            )),
            (None, None) => {}
        }
    }
}

/// `body` holds the plain text; `rich_text` is the rich-text area, which the composer reads
/// when saving or sending. `initial_html` starts it (a draft written as rich text);
/// `signature` is the signature block placed in the text, kept replaceable when the text
/// turns rich.
#[component]
pub(super) fn BodyEditor(
    body: RwSignal<String>,
    rich: RwSignal<bool>,
    rich_text: RichText,
    signature: StoredValue<String>,
    initial_html: Option<String>,
    on_change: Callback<()>,
) -> impl IntoView {
    let lang = use_prefs().lang;
    let initial_html = StoredValue::new(initial_html);
    Effect::new(move |_| {
        if rich_text.area.get().is_some()
            && let Some(html) = initial_html.get_value()
        {
            rich_text.set_html(&html);
            initial_html.set_value(None);
        }
    });
    let toggle_rich = move |_| {
        if rich.get_untracked() {
            if let Some((text, _)) = rich_text.contents() {
                body.set(text);
            }
            rich.set(false);
        } else {
            rich.set(true);
            rich_text.set_text(&body.get_untracked(), &signature.get_value());
        }
        on_change.run(());
    };
    let insert_link = move || {
        let Some(editor) = rich_text.ready() else {
            return;
        };
        let question = Question {
            message: text(lang.get_untracked(), Key::InsertLink).to_string(),
            confirm: Key::InsertLink,
            danger: false,
            answer: Answer::Url {
                label: Key::LinkAddress,
            },
        };
        // The question box takes the focus; the editor puts its selection back.
        ask(question, move |url| {
            editor.link(&url);
            on_change.run(());
        });
    };
    let disabled = move || !rich_text.usable();
    let tool = move |format: Format| {
        view! {
            <button type="button" class="button small tool" aria-label=t(format.label()) title=t(format.label())
                    disabled=disabled aria-pressed=move || if rich_text.is_on(format) { "true" } else { "false" }
                    on:mousedown=move |ev| {
                        // Keeps the focus (and the selection) in the editor.
                        ev.prevent_default();
                        if let Some(editor) = rich_text.ready() {
                            editor.toggle(format.name());
                            on_change.run(());
                        }
                    }>
                {match format {
                    Format::Bold => view! { <b>"B"</b> }.into_any(),
                    Format::Italic => view! { <i>"I"</i> }.into_any(),
                    Format::Underline => view! { <u>"U"</u> }.into_any(),
                    Format::BulletList => view! { <span>"• ≡"</span> }.into_any(),
                }}
            </button>
        }
    };
    view! {
        <div class="compose-toolbar" role="toolbar" aria-label=t(Key::Formatting)>
            <label class="check">
                <input type="checkbox" data-testid="rich-text" prop:checked=move || rich.get()
                       disabled=move || rich_text.loading() on:change=toggle_rich />
                {t(Key::RichText)}
            </label>
            <Show when=move || rich.get()>
                {tool(Format::Bold)}
                {tool(Format::Italic)}
                {tool(Format::Underline)}
                {tool(Format::BulletList)}
                <button type="button" class="button small tool" aria-label=t(Key::InsertLink) title=t(Key::InsertLink)
                        disabled=disabled
                        on:mousedown=move |ev| {
                            ev.prevent_default();
                            insert_link();
                        }>
                    <span>{t(Key::InsertLink)}</span>
                </button>
                <Show when=move || rich_text.failed()>
                    <span class="note" role="status" data-testid="formatting-unavailable">{t(Key::FormattingUnavailable)}</span>
                </Show>
            </Show>
        </div>
        <label for="compose-body" class="visually-hidden">{t(Key::MessageBody)}</label>
        <textarea id="compose-body" class="compose-body" rows="14" data-testid="compose-body"
                  class:hidden=move || rich.get()
                  prop:value=move || body.get()
                  on:input=move |ev| { body.set(event_target_value(&ev)); on_change.run(()); }></textarea>
        <div class="compose-body rich" contenteditable="true" role="textbox" aria-multiline="true"
             aria-label=t(Key::MessageBody) data-testid="compose-rich" node_ref=rich_text.area
             class:hidden=move || !rich.get() on:input=move |_| on_change.run(())></div>
    }
}
