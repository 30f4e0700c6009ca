//! "Import mail": an `.mbox` or `.eml` file into the open folder, with upload progress and
//! a report of what was filed. Running it again on the same file adds only what is
//! missing (the server skips messages already there), which the hint tells the user.

use ksuite_common::MailImportReport;
use leptos::prelude::*;

use super::{MailState, Mode};
use crate::api;
use crate::browser::picked_files;
use crate::i18n::{Key, error_message, fill, t, text};
use crate::state::prefs::use_prefs;

/// The report in words: what was imported, then only the counts that are not zero.
fn summary(lang: ksuite_common::Language, r: &MailImportReport) -> String {
    let mut parts = vec![fill(
        text(lang, Key::ImportMailDone),
        &[
            ("imported", r.imported.to_string()),
            ("duplicates", r.duplicates.to_string()),
        ],
    )];
    for (n, key) in [
        (r.too_large, Key::ImportMailTooLarge),
        (r.unreadable, Key::ImportMailUnreadable),
    ] {
        if n > 0 {
            parts.push(fill(text(lang, key), &[("n", n.to_string())]));
        }
    }
    if r.stopped_full {
        parts.push(text(lang, Key::ImportMailFull).to_string());
    }
    parts.join(" · ")
}

/// Whole percent of a fraction (integer formatting: float formatting costs kilobytes of
/// wasm).
fn percent(fraction: f64) -> u32 {
    (fraction.clamp(0.0, 1.0) * 100.0).round() as u32
}

/// The button and its report, for the open folder. Mounted once beside the folder list
/// (not inside it, which is redrawn whenever counts change) so an import in progress
/// and its report outlive reloads.
#[component]
pub fn ImportMail() -> impl IntoView {
    let state = expect_context::<MailState>();
    let lang = use_prefs().lang;
    let folder = Memo::new(move |_| match state.mode.get() {
        Some(Mode::Folder(id)) => Some(id),
        _ => None,
    });
    let sent = RwSignal::new(0.0_f64);
    let run = Action::new_local(move |(folder, file): &(i64, web_sys::File)| {
        let (folder, file) = (*folder, file.clone());
        sent.set(0.0);
        async move {
            let r = api::mail::import(folder, file, move |f| sent.set(f)).await;
            (folder, r)
        }
    });
    Effect::new(move |_| {
        if run.value().get().is_some_and(|(_, r)| r.is_ok()) {
            state.changed();
        }
    });
    let on_file = move |ev: leptos::ev::Event| {
        if let (Some(file), Some(id)) =
            (picked_files(&ev).into_iter().next(), folder.get_untracked())
        {
            run.dispatch((id, file));
        }
    };
    // The report of the last import, while its folder is open.
    let report = move || {
        let (into, r) = run.value().get()?;
        (!run.pending().get() && folder.get() == Some(into)).then_some(r)
    };
    view! {
        <Show when=move || folder.get().is_some()>
            <div class="mail-import">
                <label class="button ghost small file-button" class:disabled=move || run.pending().get()
                       title=move || text(lang.get(), Key::ImportMailHint)>
                    {t(Key::ImportMail)}
                    <input type="file" accept=".mbox,.mbx,.eml,application/mbox,message/rfc822" class="visually-hidden"
                           data-testid="import-mail" disabled=move || run.pending().get() on:change=on_file />
                </label>
            </div>
        </Show>
        <Show when=move || run.pending().get()>
            <p class="hint" role="status" data-testid="import-progress">
                {move || fill(text(lang.get(), Key::ImportingMail),
                    &[("percent", percent(sent.get()).to_string())])}
            </p>
        </Show>
        {move || report().map(|r| match r {
            Ok(report) => view! {
                <p class="form-ok" role="status" data-testid="import-report">{summary(lang.get(), &report)}</p>
            }.into_any(),
            Err(e) => view! {
                <p class="form-error" role="alert" data-testid="import-report">{error_message(lang.get(), &e)}</p>
            }.into_any(),
        })}
    }
}
