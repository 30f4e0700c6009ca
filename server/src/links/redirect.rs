//! The hot path: `GET /l/{slug}` (and `/{slug}` on a dedicated short host) answers from
//! the in-memory cache with a 302, counting the visit in memory. Expired, disabled and
//! used-up links answer 410 with a small page, unknown slugs 404, never a redirect.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Form;
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::cache::CachedLink;
use crate::auth::password;
use crate::auth::throttle::Scope;
use crate::state::AppState;

enum Verdict {
    Go(Arc<CachedLink>),
    NeedsPassword,
    Gone(&'static str),
    Missing,
}

async fn resolve(state: &AppState, raw_slug: &str) -> Result<Option<Arc<CachedLink>>, Response> {
    let lower;
    let slug = if raw_slug.bytes().any(|b| b.is_ascii_uppercase()) {
        lower = raw_slug.to_ascii_lowercase();
        lower.as_str()
    } else {
        raw_slug
    };
    if slug.len() > ksuite_common::MAX_SLUG_LEN {
        return Ok(None);
    }
    let links = &state.links;
    match links.cache.get(slug) {
        Some(entry) => Ok(entry),
        None => links
            .cache
            .load(&state.db, &links.visits, slug)
            .await
            .map_err(IntoResponse::into_response),
    }
}

fn judge(link: Option<Arc<CachedLink>>, password_ok: bool) -> Verdict {
    let Some(link) = link else {
        return Verdict::Missing;
    };
    if !link.enabled {
        return Verdict::Gone("This link has been disabled by its owner.");
    }
    if link.expires_at.is_some_and(|t| t <= crate::now_unix()) {
        return Verdict::Gone("This link has expired.");
    }
    if let Some(max) = link.max_visits
        && link.visits.load(Ordering::Relaxed) >= max
    {
        return Verdict::Gone(USED_UP);
    }
    if link.password_hash.is_some() && !password_ok {
        return Verdict::NeedsPassword;
    }
    Verdict::Go(link)
}

/// Counts the visit (refusing it if the visit limit was reached meanwhile) and redirects.
/// A limited link's visit is counted in the database before the answer, so the limit
/// holds across restarts, crashes and processes; other visits are counted in memory and
/// written by the visit flusher within a second.
async fn go(state: &AppState, link: &CachedLink) -> Response {
    if link.max_visits.is_some() {
        let day = chrono::Utc::now().format("%Y-%m-%d").to_string();
        match super::store::take_limited_visit(&state.db, link.id, &day).await {
            Ok(Some(now)) => link.visits.store(now, Ordering::Relaxed),
            Ok(None) => {
                if let Some(max) = link.max_visits {
                    link.visits.fetch_max(max, Ordering::Relaxed);
                }
                return used_up();
            }
            Err(e) => return crate::error::ApiError::internal(e).into_response(),
        }
    } else {
        link.visits.fetch_add(1, Ordering::Relaxed);
        state.links.visits.record(link.id);
    }
    let mut response = StatusCode::FOUND.into_response();
    let headers = response.headers_mut();
    headers.insert(header::LOCATION, link.location.clone());
    // Browsers must come back each time: the owner may edit or disable the link.
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

const USED_UP: &str = "This link has reached its maximum number of visits.";

fn used_up() -> Response {
    page(StatusCode::GONE, "Link no longer available", USED_UP)
}

async fn answer(state: &AppState, verdict: Verdict, wrong_password: bool) -> Response {
    match verdict {
        Verdict::Go(link) => go(state, &link).await,
        Verdict::NeedsPassword => password_page(wrong_password),
        Verdict::Gone(why) => page(StatusCode::GONE, "Link no longer available", why),
        Verdict::Missing => page(
            StatusCode::NOT_FOUND,
            "Link not found",
            "There is no short link at this address. Check that it was copied completely.",
        ),
    }
}

/// The slug a `GET`/`HEAD` asks to be redirected for: `/l/{slug}`, or `/{slug}` on the
/// dedicated short host.
fn requested_slug<'r>(state: &AppState, req: &'r Request) -> Option<&'r str> {
    if !matches!(
        *req.method(),
        axum::http::Method::GET | axum::http::Method::HEAD
    ) {
        return None;
    }
    let path = req.uri().path();
    let on_short_host = state.links.short_host.as_deref().is_some_and(|short| {
        req.headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .is_some_and(|h| h.eq_ignore_ascii_case(short))
    });
    let slug = if on_short_host {
        path.strip_prefix('/')?
    } else {
        path.strip_prefix("/l/")?
    };
    (!slug.is_empty() && !slug.contains('/')).then_some(slug)
}

/// The hottest path of the server: a cached, open link without a visit limit or password
/// is answered here, before the router and its layers (tracing, timeouts, compression,
/// the app's security headers), which cost more than the redirect itself. Everything
/// else (unknown slugs, pages, passwords, limits) takes the full way.
pub async fn fast(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let cached = requested_slug(&state, &req).and_then(|slug| state.links.cache.get(slug));
    if let Some(Some(link)) = cached
        && link.max_visits.is_none()
        && let Verdict::Go(link) = judge(Some(link), false)
    {
        let mut response = go(&state, &link).await;
        let h = response.headers_mut();
        h.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        );
        return response;
    }
    next.run(req).await
}

pub async fn follow(State(state): State<AppState>, Path(slug): Path<String>) -> Response {
    match resolve(&state, &slug).await {
        Ok(link) => answer(&state, judge(link, false), false).await,
        Err(resp) => resp,
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
}

/// The password form posts here; guesses are throttled like logins.
pub async fn follow_with_password(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    Path(slug): Path<String>,
    Form(form): Form<PasswordForm>,
) -> Response {
    let link = match resolve(&state, &slug).await {
        Ok(link) => link,
        Err(resp) => return resp,
    };
    let Some(hash) = link.as_ref().and_then(|l| l.password_hash.clone()) else {
        return answer(&state, judge(link, false), false).await;
    };
    // Keyed by the link, not the slug as typed: changing its case must not reset the count.
    let key = link.as_ref().map_or(0, |l| l.id).to_string();
    let ip = state.settings.trusted_proxies.client(peer.ip(), &headers);
    let attempt = match state
        .login_throttle
        .begin(Scope::LinkPassword, &key, ip)
        .await
    {
        Ok(Ok(attempt)) => attempt,
        Ok(Err(_wait)) => {
            return page(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many attempts",
                "Too many wrong passwords. Try again in a few minutes.",
            );
        }
        Err(e) => return e.into_response(),
    };
    let ok = password::verify(form.password, Some(hash.to_string()))
        .await
        .unwrap_or(false);
    if ok && let Err(e) = attempt.succeeded().await {
        return e.into_response();
    }
    let mut resp = answer(&state, judge(link, ok), !ok).await;
    if !ok && resp.status() == StatusCode::OK {
        *resp.status_mut() = StatusCode::UNAUTHORIZED;
    }
    resp
}

/// On a dedicated short host (e.g. chk.me), `/{slug}` is a short link; everything else on
/// that host is not served.
pub async fn short_host(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(short_authority) = state.links.short_host.as_deref() else {
        return next.run(req).await;
    };
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if !host.eq_ignore_ascii_case(short_authority) {
        return next.run(req).await;
    }
    let slug = req.uri().path().trim_start_matches('/').to_string();
    if slug.is_empty() || slug.contains('/') {
        return page(
            StatusCode::NOT_FOUND,
            "Link not found",
            "There is no short link at this address.",
        );
    }
    match *req.method() {
        axum::http::Method::GET | axum::http::Method::HEAD => {
            follow(State(state), Path(slug)).await
        }
        axum::http::Method::POST => {
            let (parts, body) = req.into_parts();
            let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().cloned();
            let headers = parts.headers.clone();
            let req = Request::from_parts(parts, body);
            let form = match Form::<PasswordForm>::from_request(req, &()).await {
                Ok(f) => f,
                Err(e) => return e.into_response(),
            };
            let peer = peer.unwrap_or(ConnectInfo(SocketAddr::from(([0, 0, 0, 0], 0))));
            follow_with_password(State(state), peer, headers, Path(slug), form).await
        }
        _ => StatusCode::METHOD_NOT_ALLOWED.into_response(),
    }
}

use axum::extract::FromRequest;

const PAGE_STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:28rem;margin:15vh auto;padding:0 1rem;\
color:#16202e;background:#f5f7fb}main{background:#fff;border:1px solid #d9dfe8;border-radius:14px;padding:1.5rem}\
h1{font-size:1.3rem;margin:0 0 .5rem}input,button{font:inherit;min-height:44px;width:100%;margin-top:.5rem;\
box-sizing:border-box;padding:.4rem .7rem;border-radius:10px;border:1px solid #d9dfe8}\
button{background:#2454d6;color:#fff;border-color:#2454d6;font-weight:600}.err{color:#b42318}\
@media(prefers-color-scheme:dark){body{background:#0f141b;color:#e6ebf2}main{background:#18202b;border-color:#2b3542}}";

/// A small self-contained page; callers pass only fixed text (no user input).
fn page(status: StatusCode, title: &'static str, message: &'static str) -> Response {
    let html = format!(
        "<!doctype html><html lang=en><meta charset=utf-8><meta name=viewport content=\"width=device-width,initial-scale=1\">\
         <title>{title}</title><style>{PAGE_STYLE}</style><main><h1>{title}</h1><p>{message}</p></main></html>"
    );
    let mut resp = (status, Html(html)).into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

fn password_page(wrong: bool) -> Response {
    let error = if wrong {
        "<p class=err role=alert>Wrong password. Try again.</p>"
    } else {
        ""
    };
    let html = format!(
        "<!doctype html><html lang=en><meta charset=utf-8><meta name=viewport content=\"width=device-width,initial-scale=1\">\
         <title>Protected link</title><style>{PAGE_STYLE}</style><main><h1>This link is protected</h1>\
         <p>Enter the password you were given to continue.</p>{error}<form method=post>\
         <label for=pw>Password</label><input id=pw name=password type=password required autofocus>\
         <button type=submit>Continue</button></form></main></html>"
    );
    let mut resp = Html(html).into_response();
    let headers = resp.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // The form posts here and the right password answers with a redirect to the link's
    // target, which is on another site: the browser checks `form-action` against that
    // redirect too, so this page allows any http(s) target (it has no other content).
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http: https:; \
             frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    resp
}
