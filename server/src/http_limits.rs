//! Per-request limits on the HTTP side: a timeout for every route, and a complete answer
//! when a handler refuses a request before reading its body. Such an unread body would
//! make the server drop the connection after answering, and clients that reuse
//! connections would then see "remote end closed connection without response"; instead
//! the answer says `Connection: close`, so the client opens a new one.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// A request body that notes when it has been read to its end.
struct TrackEnd {
    inner: Body,
    done: Arc<AtomicBool>,
}

impl HttpBody for TrackEnd {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None)) || self.inner.is_end_stream() {
            self.done.store(true, Ordering::Relaxed);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

fn has_body(req: &Request) -> bool {
    let length = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    length.is_some_and(|n| n > 0) || req.headers().contains_key(header::TRANSFER_ENCODING)
}

/// Marks answers to requests whose body was left unread with `Connection: close`.
pub async fn close_if_body_unread(req: Request, next: Next) -> Response {
    if !has_body(&req) {
        return next.run(req).await;
    }
    let done = Arc::new(AtomicBool::new(false));
    let (parts, body) = req.into_parts();
    let body = Body::new(TrackEnd {
        inner: body,
        done: done.clone(),
    });
    let mut response = next.run(Request::from_parts(parts, body)).await;
    if !done.load(Ordering::Relaxed) {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// Reads and drops up to `limit` bytes of a body the handler will not use, for at most
/// `wait`, so that a small refused request leaves the connection reusable.
pub async fn drain(body: Body, limit: usize, wait: Duration) {
    let _ = tokio::time::timeout(wait, axum::body::to_bytes(body, limit)).await;
}

/// The answer when a request runs past the time limit.
pub async fn timeout_answer(timeout: Duration, req: Request, next: Next) -> Response {
    match tokio::time::timeout(timeout, next.run(req)).await {
        Ok(r) => r,
        Err(_) => {
            let mut r = crate::error::ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ksuite_common::ErrorCode::Internal,
                "The request took too long and was stopped. Try again, or ask for less at once.",
            )
            .into_response();
            r.headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            r
        }
    }
}

/// The answer when a handler panics: a complete 500 instead of a dropped connection (a
/// client that reuses connections would see "remote end closed connection without
/// response"). The panic itself is logged for the operator.
pub fn panic_answer(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown");
    tracing::error!(panic = what, "a request handler panicked");
    let mut r = crate::error::ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        ksuite_common::ErrorCode::Internal,
        "Something went wrong on the server. The error was logged; try again.",
    )
    .into_response();
    r.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_becomes_a_complete_answer() {
        let r = panic_answer(Box::new("boom"));
        assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(r.headers()[header::CONNECTION], "close");
        let body = axum::body::to_bytes(r.into_body(), 4096)
            .await
            .expect("body");
        assert!(String::from_utf8_lossy(&body).contains("went wrong"));
    }
}
