//! Serves the built single-page app (scripts/build-app.sh writes `dist/`): the build's
//! files under `/pkg/<build id>/`, the shell's other files, and index.html for every
//! other path so client-side routes survive a reload.

use std::path::Path;

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};
use tower_http::services::{ServeDir, ServeFile};

/// CSP sources (`sha256-…`) of the inline scripts in the SPA's index.html, which the build
/// writes to start the wasm module and fetch the opened page's chunks. Empty when the app is not built.
pub fn inline_script_hashes(static_dir: &Path) -> Vec<String> {
    let Ok(html) = std::fs::read_to_string(static_dir.join("index.html")) else {
        return Vec::new();
    };
    inline_scripts(&html)
        .into_iter()
        .map(|s| format!("sha256-{}", STANDARD.encode(Sha256::digest(s.as_bytes()))))
        .collect()
}

const NOT_BUILT: &str = "<!doctype html><html lang=en><meta charset=utf-8><title>ksuite</title>\
<p>The ksuite web app has not been built. Run <code>make run</code>, or point \
<code>--static-dir</code> at the built app (<code>scripts/build-app.sh</code>).</p></html>";

/// Adds the SPA as the router's fallback: files from `static_dir`, index.html for any
/// other path (client-side routes), or a placeholder page when the app is not built.
pub fn with_spa<S: Clone + Send + Sync + 'static>(
    router: axum::Router<S>,
    static_dir: &Path,
) -> axum::Router<S> {
    let index = static_dir.join("index.html");
    if index.is_file() {
        // The build writes `.br` and `.gz` beside each asset (tools/precompress.mjs): sent
        // as they are, at their maximum compression, with no work per request.
        // A build's own files: a name that is not there is a 404 (say, a chunk of a
        // build since replaced), never the shell, which would be cached as immutable.
        let build = ServeDir::new(static_dir.join("pkg"))
            .precompressed_br()
            .precompressed_gzip();
        let files = ServeDir::new(static_dir)
            .precompressed_br()
            .precompressed_gzip()
            .fallback(
                ServeFile::new(index)
                    .precompressed_br()
                    .precompressed_gzip(),
            );
        router.nest_service("/pkg", build).fallback_service(files)
    } else {
        tracing::warn!(dir = %static_dir.display(), "web app not built; serving a placeholder page");
        router.fallback(|| async { Html(NOT_BUILT) })
    }
}

/// Contents of `<script>` elements without a `src` attribute.
fn inline_scripts(html: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        rest = &rest[start..];
        let Some(tag_end) = rest.find('>') else { break };
        let tag = &rest[..tag_end];
        let body_start = tag_end + 1;
        let Some(close) = rest[body_start..].find("</script>") else {
            break;
        };
        if !tag.contains(" src=") {
            found.push(&rest[body_start..body_start + close]);
        }
        rest = &rest[body_start + close..];
    }
    found
}

/// Cache policy: the shell and service worker are revalidated every time; a build's
/// files, named by the build's content hash, are immutable.
pub async fn cache_control(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    // API and DAV answers set their own caching; decided before the request is passed
    // on, so their hot paths pay no copy of the path.
    if path.starts_with("/api/") || path.starts_with("/dav") {
        return next.run(req).await;
    }
    let value = if is_hashed_asset(path) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut response = next.run(req).await;
    if response.status() != StatusCode::OK || response.headers().contains_key(header::CACHE_CONTROL)
    {
        return response;
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    response
}

/// A build's files live under `/pkg/<16 hex digits of its content hash>/`.
fn is_hashed_asset(path: &str) -> bool {
    let mut parts = path.split('/').skip(1);
    parts.next() == Some("pkg")
        && parts
            .next()
            .is_some_and(|id| id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit()))
        && parts.next().is_some_and(|name| !name.is_empty())
}

/// Unknown API paths answer the JSON error shape, not the SPA.
pub async fn api_not_found() -> impl IntoResponse {
    crate::error::ApiError::not_found()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_inline_scripts_only() {
        let html = "<script src=\"/a.js\"></script><script type=\"module\">import x;</script>";
        assert_eq!(inline_scripts(html), vec!["import x;"]);
    }

    #[test]
    fn hashed_assets() {
        assert!(is_hashed_asset("/pkg/4f1c2d3e4f5a6b7c/app_bg.wasm"));
        assert!(is_hashed_asset(
            "/pkg/4f1c2d3e4f5a6b7c/snippets/app-1/src/push.js"
        ));
        assert!(!is_hashed_asset("/pkg/4f1c2d3e4f5a6b7c/"));
        assert!(!is_hashed_asset("/pkg/latest/app.js"));
        assert!(!is_hashed_asset("/links/4f1c2d3e4f5a6b7c"));
        assert!(!is_hashed_asset("/sw.js"));
        assert!(!is_hashed_asset("/"));
    }
}
