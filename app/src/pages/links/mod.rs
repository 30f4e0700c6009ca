//! chk.me: create short links, see the monthly quota, manage the list.

mod create;
mod list;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::api;
use crate::i18n::{Key, fill, t, text};
use crate::state::prefs::use_prefs;

/// Bumped after every change so the list and quota reload.
#[derive(Clone, Copy)]
pub(crate) struct LinksVersion(pub RwSignal<u32>);

impl LinksVersion {
    pub fn bump(&self) {
        self.0.update(|v| *v += 1);
    }
}

#[component]
pub fn LinksPage() -> impl IntoView {
    let version = LinksVersion(RwSignal::new(0));
    provide_context(version);
    view! {
        <section class="page links-page" aria-labelledby="page-title">
            <h1 id="page-title">{t(Key::Links)}</h1>
            <QuotaLine />
            <create::CreateLinkForm />
            <list::LinkList />
        </section>
    }
}

#[component]
fn QuotaLine() -> impl IntoView {
    let version = expect_context::<LinksVersion>();
    let lang = use_prefs().lang;
    let quota = LocalResource::new(move || {
        version.0.track();
        api::links::quota()
    });
    view! {
        <p class="quota" data-testid="link-quota" aria-live="polite">
            {move || quota.get().and_then(Result::ok).map(|q| {
                fill(text(lang.get(), Key::QuotaLeft), &[("left", q.remaining.to_string()), ("limit", q.limit.to_string())])
            })}
        </p>
    }
}

/// Copies `value` with the asynchronous Clipboard API.
pub(crate) fn copy_to_clipboard(value: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let clipboard = js_sys::Reflect::get(&window.navigator(), &"clipboard".into()).ok();
    let write = clipboard
        .as_ref()
        .and_then(|c| js_sys::Reflect::get(c, &"writeText".into()).ok())
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    if let (Some(c), Some(write)) = (clipboard, write) {
        let _ = write.call1(&c, &value.into());
    }
}

/// A date in the interface language, e.g. "25 Nov 2026".
pub(crate) fn format_date(unix: i64, lang: ksuite_common::Language) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(unix as f64 * 1000.0));
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
    date.to_locale_date_string(lang.code(), &options).into()
}
