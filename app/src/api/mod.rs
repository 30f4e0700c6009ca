//! One async function per API endpoint. Errors decode into the shared `ErrorBody`, so a
//! page can show a translated message for each error code.

pub mod account;
pub mod admin;
pub mod auth;
pub mod calendar;
pub mod contacts;
pub mod links;
pub mod mail;
pub mod reminders;
pub mod settings;
pub mod shares;

use std::cell::RefCell;

use gloo_net::http::{Request, RequestBuilder, Response};
use ksuite_common::{ErrorBody, ErrorCode, paths::CSRF_HEADER};
use serde::Serialize;
use serde::de::DeserializeOwned;

thread_local! {
    /// The session's CSRF token, learnt from signup/login/me; sent on every write.
    static CSRF_TOKEN: RefCell<Option<String>> = const { RefCell::new(None) };
}

pub fn set_csrf_token(token: Option<String>) {
    CSRF_TOKEN.with(|t| *t.borrow_mut() = token);
}

/// Why an API call failed.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    /// The server answered with an error body (boxed: every pending request's future
    /// carries this type, and a small one keeps their code small).
    Server { status: u16, body: Box<ErrorBody> },
    /// The request did not reach the server or the answer was unreadable.
    Network(String),
}

impl ApiError {
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ApiError::Server { body, .. } => Some(body.code),
            ApiError::Network(_) => None,
        }
    }

    pub fn is_unauthorized(&self) -> bool {
        matches!(self, ApiError::Server { status: 401, .. })
    }
}

/// Each generic function below is instantiated once per request or answer type: they keep
/// only the (de)serialisation generic and share one non-generic request path, which took
/// ~26 KB gzip off the app.
pub(crate) async fn decode<T: DeserializeOwned>(resp: Response) -> Result<T, ApiError> {
    parse(&body_text(resp).await?)
}

fn parse<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    serde_json::from_str(text).map_err(|e| ApiError::Network(e.to_string()))
}

fn to_json<B: Serialize>(body: &B) -> Result<String, ApiError> {
    serde_json::to_string(body).map_err(|e| ApiError::Network(e.to_string()))
}

/// Sends a request (with the CSRF token, and a JSON body when given); the answer's body.
async fn fetch_text(builder: RequestBuilder, json: Option<String>) -> Result<String, ApiError> {
    let builder = with_csrf(builder);
    let sent = match json {
        Some(json) => {
            builder
                .header("content-type", "application/json")
                .body(json)
                .map_err(|e| ApiError::Network(e.to_string()))?
                .send()
                .await
        }
        None => builder.send().await,
    };
    body_text(sent.map_err(|e| ApiError::Network(e.to_string()))?).await
}

/// The body of a successful answer, or the API error of a failed one.
async fn body_text(resp: Response) -> Result<String, ApiError> {
    if resp.ok() {
        return resp
            .text()
            .await
            .map_err(|e| ApiError::Network(e.to_string()));
    }
    let status = resp.status();
    let body = resp
        .json::<ErrorBody>()
        .await
        .unwrap_or_else(|_| ErrorBody {
            code: if status == 401 {
                ErrorCode::Unauthorized
            } else {
                ErrorCode::Internal
            },
            message: format!("HTTP {status}"),
            problem: None,
        });
    Err(ApiError::Server {
        status,
        body: Box::new(body),
    })
}

/// The session's CSRF token, for requests not made with gloo-net.
pub(crate) fn csrf_token() -> Option<String> {
    CSRF_TOKEN.with(|t| t.borrow().clone())
}

pub(crate) fn with_csrf(builder: RequestBuilder) -> RequestBuilder {
    match CSRF_TOKEN.with(|t| t.borrow().clone()) {
        Some(token) => builder.header(CSRF_HEADER, &token),
        None => builder,
    }
}

pub async fn get_json<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    parse(&fetch_text(abort_with_view(Request::get(path)), None).await?)
}

/// A read made by a resource is aborted when the resource is cleaned up, that is when the
/// user leaves the view that showed it: a slow list no longer finishes for nobody, holding
/// a connection the next view needs. Only reads inside a reactive computation (a
/// resource's fetch) are tied so; writes and one-off tasks always run to the end.
fn abort_with_view(builder: RequestBuilder) -> RequestBuilder {
    if leptos::reactive::graph::Observer::get().is_none() {
        return builder;
    }
    let Ok(controller) = web_sys::AbortController::new() else {
        return builder;
    };
    let builder = builder.abort_signal(Some(&controller.signal()));
    let controller = send_wrapper::SendWrapper::new(controller);
    leptos::prelude::on_cleanup(move || controller.abort());
    builder
}

pub async fn send_json<B: Serialize, T: DeserializeOwned>(
    builder: RequestBuilder,
    body: &B,
) -> Result<T, ApiError> {
    let json = to_json(body)?;
    parse(&fetch_text(builder, Some(json)).await?)
}

/// Sends JSON to an endpoint that answers 204 No Content.
pub async fn send_json_empty<B: Serialize>(
    builder: RequestBuilder,
    body: &B,
) -> Result<(), ApiError> {
    let json = to_json(body)?;
    fetch_text(builder, Some(json)).await.map(|_| ())
}

pub async fn send_empty(builder: RequestBuilder) -> Result<(), ApiError> {
    fetch_text(builder, None).await.map(|_| ())
}
