//! chk.me: create short links, see the monthly quota, manage the list.

mod create;
mod list;

use ksuite_common::paths;
use leptos::prelude::*;

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

pub(crate) use crate::browser::copy_to_clipboard;

/// The link's QR code, on screen and to download, whenever it is wanted (not only once,
/// right after creating the link).
#[component]
pub(super) fn LinkQr(id: i64, slug: String, short_url: String) -> impl IntoView {
    let lang = use_prefs().lang;
    let svg = paths::link_qr(id, "svg");
    let png = paths::link_qr(id, "png");
    view! {
        <div class="link-qr" data-testid="link-qr">
            <img class="qr" src=svg.clone() width="160" height="160"
                 alt=move || fill(text(lang.get(), Key::QrFor), &[("url", short_url.clone())]) />
            <p class="actions">
                <a class="button small" href=svg download=format!("qr-{slug}.svg")>{t(Key::QrSvg)}</a>
                <a class="button small" href=png download=format!("qr-{slug}.png") data-testid="qr-png">{t(Key::QrPng)}</a>
            </p>
        </div>
    }
}
