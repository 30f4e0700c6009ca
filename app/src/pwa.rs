//! Installable-app plumbing: registers the service worker (offline shell, push
//! notifications) and keeps the browser's install prompt for an "Install app" button.

use std::cell::RefCell;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen_futures::JsFuture;

pub fn register_service_worker() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let container = window.navigator().service_worker();
    let promise = container.register("/sw.js");
    leptos::task::spawn_local(async move {
        if let Err(err) = JsFuture::from(promise).await {
            web_sys::console::warn_2(&"service worker registration failed".into(), &err);
        }
    });
}

thread_local! {
    /// The deferred `beforeinstallprompt` event, replayed when the user asks to install.
    static INSTALL_PROMPT: RefCell<Option<wasm_bindgen::JsValue>> = const { RefCell::new(None) };
}

/// True while the browser offers installation; provided as context by [`provide_install`].
#[derive(Clone, Copy)]
pub struct InstallAvailable(pub RwSignal<bool>);

pub fn provide_install() {
    let available = InstallAvailable(RwSignal::new(false));
    provide_context(available);
    let Some(window) = web_sys::window() else {
        return;
    };
    let on_prompt = Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
        ev.prevent_default();
        INSTALL_PROMPT.with(|p| *p.borrow_mut() = Some(ev.into()));
        available.0.set(true);
    });
    let on_installed = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
        INSTALL_PROMPT.with(|p| *p.borrow_mut() = None);
        available.0.set(false);
    });
    let _ = window.add_event_listener_with_callback(
        "beforeinstallprompt",
        on_prompt.as_ref().unchecked_ref(),
    );
    let _ = window
        .add_event_listener_with_callback("appinstalled", on_installed.as_ref().unchecked_ref());
    // The listeners live as long as the page.
    on_prompt.forget();
    on_installed.forget();
}

/// Shows the browser's install dialog, if it offered one.
pub fn prompt_install(available: InstallAvailable) {
    let Some(event) = INSTALL_PROMPT.with(|p| p.borrow_mut().take()) else {
        return;
    };
    if let Ok(prompt) = js_sys::Reflect::get(&event, &"prompt".into())
        && let Ok(f) = prompt.dyn_into::<js_sys::Function>()
    {
        let _ = f.call0(&event);
    }
    available.0.set(false);
}

/// True when a newer version of the app is installed and waiting for a reload; provided as
/// context by [`provide_update`], shown by the shell as a notice with a Reload button.
#[derive(Clone, Copy)]
pub struct UpdateReady(pub RwSignal<bool>);

#[wasm_bindgen::prelude::wasm_bindgen(module = "/src/pwa.js")]
extern "C" {
    #[wasm_bindgen(js_name = watchUpdates)]
    fn watch_updates(on_ready: &Closure<dyn FnMut()>);
    /// Lets the waiting version take over, then reloads once it controls the page.
    #[wasm_bindgen(js_name = applyUpdate)]
    pub fn apply_update();
}

/// Shows the update notice once a newer version is installed and waiting (pwa.js).
pub fn provide_update() {
    let ready = UpdateReady(RwSignal::new(false));
    provide_context(ready);
    let on_ready = Closure::<dyn FnMut()>::new(move || ready.0.set(true));
    watch_updates(&on_ready);
    // Called by the page's listeners for as long as it is open.
    on_ready.forget();
}
