//! Screen state kept in the URL's query, so reload, back/forward and pasted links restore it.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::query_signal_with_options;

/// A search box's text as the query parameter `key`: "" when absent, and writing ""
/// removes it. Typing replaces the history entry instead of adding one per key.
pub fn search_param(key: &'static str) -> (Signal<String>, impl Fn(String) + Copy) {
    let (param, set_param) = query_signal_with_options::<String>(
        key,
        NavigateOptions {
            replace: true,
            ..Default::default()
        },
    );
    let text = Signal::derive(move || param.get().unwrap_or_default());
    let set = move |value: String| set_param.set(Some(value).filter(|v| !v.is_empty()));
    (text, set)
}
