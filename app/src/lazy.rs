//! Code that loads on demand. A `#[wasm_split(chunk, fallible)]` function (see
//! app/src/routes.rs) is moved by scripts/build-app.sh into its own wasm chunk, fetched the
//! first time it is called. Such a function hands back a plain `fn` that builds the view,
//! so the view's reactive state is created in the caller's render and disposed with it,
//! never inside the loading future.

use leptos::prelude::*;
use wasm_split_helpers::SplitLoaderError;

use crate::i18n::{Key, t};

/// A chunk could not be fetched (offline, or a new version replaced this one).
#[derive(Clone, Copy, Debug)]
pub struct ChunkMissing;

impl From<SplitLoaderError> for ChunkMissing {
    fn from(_: SplitLoaderError) -> Self {
        ChunkMissing
    }
}

/// What a split function hands back: builds the view from its arguments.
pub type Build<A> = fn(A) -> AnyView;

/// The view from a chunk: a loading notice until the chunk is there, then the view, or a
/// clear way out when the chunk did not arrive.
pub fn chunk_view<A: Clone + Send + Sync + 'static>(
    chunk: LocalResource<Result<Build<A>, ChunkMissing>>,
    args: A,
) -> impl IntoView {
    move || match chunk.get() {
        Some(Ok(build)) => build(args.clone()),
        Some(Err(ChunkMissing)) => view! {
            <div class="page-error" role="alert" data-testid="chunk-missing">
                <p>{t(Key::PageLoadFailed)}</p>
                <button type="button" class="button" on:click=|_| crate::browser::reload()>
                    {t(Key::ReloadNow)}
                </button>
            </div>
        }
        .into_any(),
        None => view! { <p class="chunk-loading" role="status">{t(Key::Loading)}</p> }.into_any(),
    }
}

/// [`chunk_view`] for a secondary part of a page that may show up a moment after the rest:
/// nothing while the chunk loads, and nothing if it does not arrive (the page around it
/// keeps working; a reload fetches it again).
pub fn quiet_chunk_view<A: Clone + Send + Sync + 'static>(
    chunk: LocalResource<Result<Build<A>, ChunkMissing>>,
    args: A,
) -> impl IntoView {
    move || match chunk.get() {
        Some(Ok(build)) => Some(build(args.clone())),
        _ => None,
    }
}

/// A page's chunk, loading.
pub type PageLoad = std::pin::Pin<Box<dyn Future<Output = Result<Build<()>, ChunkMissing>>>>;

/// [`chunk_view`] for a route. Not generic on purpose: each distinct loader type given to
/// `LocalResource::new` costs about 2 KB of wasm, and the routes live in the main module
/// every page downloads.
pub fn page_view(load: fn() -> PageLoad) -> AnyView {
    chunk_view(LocalResource::new(load), ()).into_any()
}
