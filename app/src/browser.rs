//! Small wrappers over browser APIs that several pages use.

use ksuite_common::Language;
use wasm_bindgen::{JsCast, JsValue};

/// Reloads the page (a new version, or a part of the app that did not arrive).
pub fn reload() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}

/// Rewrites the current history entry's address without navigating (the router reads it
/// again on Back/Forward).
pub fn replace_address(url: &str) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(url));
    }
}

/// Copies `value` with the asynchronous Clipboard API.
pub fn copy_to_clipboard(value: &str) {
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

/// A moment formatted with `Intl` in the interface language and, when given, the
/// profile's time zone (the device's zone may differ: a laptop set to UTC, a trip).
/// An unknown zone falls back to the device's instead of throwing.
fn format_instant(unix: i64, lang: Language, zone: Option<&str>, with_time: bool) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(unix as f64 * 1000.0));
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
    if with_time {
        let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
    }
    let method = if with_time {
        "toLocaleString"
    } else {
        "toLocaleDateString"
    };
    let Some(format) = js_sys::Reflect::get(&date, &method.into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    else {
        return String::new();
    };
    let lang: JsValue = lang.code().into();
    if let Some(zone) = zone {
        let _ = js_sys::Reflect::set(&options, &"timeZone".into(), &zone.into());
        if let Some(s) = format
            .call2(&date, &lang, &options)
            .ok()
            .and_then(|v| v.as_string())
        {
            return s;
        }
        let _ = js_sys::Reflect::delete_property(&options, &"timeZone".into());
    }
    format
        .call2(&date, &lang, &options)
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// A date, e.g. "25 Nov 2026".
pub fn format_date(unix: i64, lang: Language, zone: Option<&str>) -> String {
    format_instant(unix, lang, zone, false)
}

/// A date and time, e.g. "25 Nov 2026, 14:05".
pub fn format_datetime(unix: i64, lang: Language, zone: Option<&str>) -> String {
    format_instant(unix, lang, zone, true)
}

/// Waits without blocking the page.
pub async fn sleep(d: std::time::Duration) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                &resolve,
                d.as_millis().min(i32::MAX as u128) as i32,
            );
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// A yes/no setting kept in this browser's local storage.
pub fn local_flag(key: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(key).ok().flatten())
        .is_some_and(|v| v == "1")
}

pub fn set_local_flag(key: &str, on: bool) {
    if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = s.set_item(key, if on { "1" } else { "0" });
    }
}

/// The files picked in a file input's `change` event. The input is cleared, so picking the
/// same file again (after an error, or to import it twice) fires `change` again.
pub fn picked_files(ev: &web_sys::Event) -> Vec<web_sys::File> {
    let Some(input) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return Vec::new();
    };
    let files = input
        .files()
        .map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect())
        .unwrap_or_default();
    input.set_value("");
    files
}

/// A picked file's contents as text (`None` when the browser cannot read it, e.g. the file
/// was moved or deleted after picking).
pub async fn file_text(file: &web_sys::File) -> Option<String> {
    wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .ok()
        .and_then(|v| v.as_string())
}

/// A picked file's bytes, for uploads that send them as they are.
pub async fn file_bytes(file: &web_sys::File) -> Option<js_sys::Uint8Array> {
    wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .ok()
        .map(|buffer| js_sys::Uint8Array::new(&buffer))
}
