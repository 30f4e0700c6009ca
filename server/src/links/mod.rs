//! chk.me: short links with QR codes. API under `/api/links`, redirector under `/l/`
//! (and `/{slug}` on a dedicated short host).

pub mod cache;
pub mod handlers;
pub mod qr;
pub mod redirect;
pub mod store;
pub mod validate;

use std::time::Duration;

use axum::Router;
use axum::routing::get;
use ksuite_common::paths;

use crate::db::Db;
use crate::state::AppState;
use cache::{LinkCache, VisitCounter};
use validate::ShortBase;

/// Redirector state shared by all requests.
pub struct LinksState {
    pub cache: LinkCache,
    pub visits: VisitCounter,
    pub short: ShortBase,
    /// Host (`name[:port]`) answering `/{slug}` directly, when a dedicated one is set.
    pub short_host: Option<String>,
}

impl LinksState {
    /// `short_url`: the configured short-link base, else `{public_origin}/l`.
    pub fn new(short_url: Option<&str>, public_origin: &str) -> anyhow::Result<LinksState> {
        let short = match short_url {
            Some(u) => ShortBase::parse(u)?,
            None => ShortBase::parse(&format!("{public_origin}/l"))?,
        };
        let short_host = (short.prefix == "/").then(|| short.authority.clone());
        Ok(LinksState {
            cache: LinkCache::default(),
            visits: VisitCounter::default(),
            short,
            short_host,
        })
    }
}

/// The JSON API.
pub fn router() -> Router<AppState> {
    use axum::routing::get as g;
    Router::new()
        .route(paths::LINKS, g(handlers::list).post(handlers::create))
        .route(paths::LINK_QUOTA, g(handlers::quota))
        .route(
            "/api/links/{id}",
            g(handlers::get)
                .patch(handlers::update)
                .delete(handlers::delete),
        )
        .route("/api/links/{id}/stats", g(handlers::stats))
        .route("/api/links/{id}/qr.svg", g(handlers::qr_svg))
        .route("/api/links/{id}/qr.png", g(handlers::qr_png))
}

/// The redirector on the main host.
pub fn redirect_router() -> Router<AppState> {
    Router::new().route(
        "/l/{slug}",
        get(redirect::follow).post(redirect::follow_with_password),
    )
}

/// Writes visits counted in memory every `period` until the server stops, then once
/// more. Visits of links with a visit limit never wait here: they are counted in the
/// database before the redirect (see `redirect::go`).
pub async fn flush_visits(
    db: Db,
    state: std::sync::Arc<LinksState>,
    period: Duration,
    stop: crate::jobs::Stop,
) {
    crate::jobs::every(period, stop, || state.visits.flush(&db)).await;
}
