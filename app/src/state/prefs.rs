//! Display preferences (language, theme): from the profile when signed in, else from the
//! browser; applied to `<html lang>` and `data-theme`.

use ksuite_common::{Language, Theme};
use leptos::prelude::*;

const LANG_KEY: &str = "ksuite.lang";

#[derive(Clone, Copy)]
pub struct Prefs {
    pub lang: RwSignal<Language>,
    pub theme: RwSignal<Theme>,
    /// The profile's time zone: every date shown is in it, whatever the device's zone.
    pub time_zone: RwSignal<Option<String>>,
}

impl Prefs {
    /// `unix` as a date and time in the user's language and time zone.
    pub fn datetime(&self, unix: i64) -> String {
        self.time_zone
            .with(|z| crate::browser::format_datetime(unix, self.lang.get(), z.as_deref()))
    }

    /// `unix` as a date in the user's language and time zone.
    pub fn date(&self, unix: i64) -> String {
        self.time_zone
            .with(|z| crate::browser::format_date(unix, self.lang.get(), z.as_deref()))
    }

    /// Switches the interface to `lang` once its texts are loaded, so the screen changes
    /// language in one step instead of passing through English.
    pub fn set_language(&self, lang: Language) {
        let signal = self.lang;
        if crate::i18n::is_loaded(lang) {
            signal.set(lang);
        } else {
            leptos::task::spawn_local(async move {
                crate::i18n::load(lang).await;
                signal.set(lang);
            });
        }
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The language to start in: the last one chosen on this device, else the browser's.
pub fn initial_language() -> Language {
    let stored = storage().and_then(|s| s.get_item(LANG_KEY).ok().flatten());
    let browser = web_sys::window().and_then(|w| w.navigator().language());
    stored
        .or(browser)
        .and_then(|code| Language::from_code(&code))
        .unwrap_or_default()
}

pub fn provide_prefs() {
    let prefs = Prefs {
        lang: RwSignal::new(initial_language()),
        theme: RwSignal::new(Theme::System),
        time_zone: RwSignal::new(None),
    };
    Effect::new(move |_| {
        let lang = prefs.lang.get();
        if let Some(s) = storage() {
            let _ = s.set_item(LANG_KEY, lang.code());
        }
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", lang.code());
        }
    });
    Effect::new(move |_| {
        let theme = prefs.theme.get();
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-theme", theme.code());
        }
    });
    provide_context(prefs);
}

pub fn use_prefs() -> Prefs {
    expect_context::<Prefs>()
}
