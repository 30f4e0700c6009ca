//! Security headers on every response and the same-origin guard for state-changing
//! requests (the first CSRF layer; the session-bound token in `auth::session` is the second).

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

use crate::error::ApiError;

/// Builds the Content-Security-Policy. `script_hashes` are the `sha256-…` sources of the
/// inline bootstrap scripts in the SPA's index.html; `'wasm-unsafe-eval'` lets the page
/// compile the app's WebAssembly without allowing `eval` of JavaScript.
pub fn content_security_policy(script_hashes: &[String]) -> String {
    let mut script_src = String::from("'self' 'wasm-unsafe-eval'");
    for h in script_hashes {
        script_src.push_str(" '");
        script_src.push_str(h);
        script_src.push('\'');
    }
    format!(
        "default-src 'self'; script-src {script_src}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; worker-src 'self'; \
         manifest-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// Precomputed header values, shared by all requests.
#[derive(Clone)]
pub struct SecurityHeaders {
    csp: HeaderValue,
}

impl SecurityHeaders {
    pub fn new(csp: &str) -> anyhow::Result<Arc<SecurityHeaders>> {
        Ok(Arc::new(SecurityHeaders {
            csp: HeaderValue::from_str(csp)?,
        }))
    }
}

pub async fn headers(
    State(sec): State<Arc<SecurityHeaders>>,
    req: Request,
    next: Next,
) -> Response {
    let dav = is_dav(req.uri().path());
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if dav {
        // Calendar files, vCards and XML for devices: nothing to run, frame or load, so
        // a policy that forbids all of it, in a fraction of the bytes of the app's set
        // (devices poll these answers all day).
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        );
        return response;
    }
    // A response with its own policy (a mail body shown in a frame) keeps it.
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(header::CONTENT_SECURITY_POLICY, sec.csp.clone());
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    // A response with its own referrer policy (a short-link redirect) keeps it.
    h.entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("strict-origin-when-cross-origin"));
    h.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    response
}

/// Paths answered to CalDAV/CardDAV devices rather than to the web app.
fn is_dav(path: &str) -> bool {
    path == "/dav"
        || path.starts_with("/dav/")
        || path.starts_with("/.well-known/cal")
        || path.starts_with("/.well-known/card")
}

/// Refuses state-changing requests that a browser marks as coming from another site,
/// or whose `Origin` does not match the host they were sent to.
pub async fn same_origin_guard(req: Request, next: Next) -> Response {
    if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        && !is_same_origin(&req)
    {
        tracing::warn!(path = %req.uri().path(), "cross-origin state-changing request refused");
        return ApiError::csrf().into_response();
    }
    next.run(req).await
}

fn is_same_origin(req: &Request) -> bool {
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && (site == "cross-site" || site == "same-site")
    {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        // Non-browser clients (curl, sync apps) send no Origin; sessions still need the token.
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin = origin.to_str().unwrap_or("");
    let authority = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
    !host.is_empty() && authority.eq_ignore_ascii_case(host)
}
