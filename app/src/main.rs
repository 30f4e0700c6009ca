//! Mounts the ksuite app; everything else lives in the library.

fn main() {
    console_error_panic_hook::set_once();
    // The first screen waits for its language's texts (a small cached file), so it is
    // never drawn in English first. Leptos's own task executor starts with the mount,
    // hence the plain wasm-bindgen future here and the service worker after it.
    wasm_bindgen_futures::spawn_local(async {
        app::i18n::load(app::state::prefs::initial_language()).await;
        leptos::mount::mount_to_body(app::App);
        app::pwa::register_service_worker();
    });
}
