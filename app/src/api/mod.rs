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
    /// The server answered with an error body.
    Server { status: u16, body: ErrorBody },
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

pub(crate) async fn decode<T: DeserializeOwned>(resp: Response) -> Result<T, ApiError> {
    if resp.ok() {
        resp.json::<T>()
            .await
            .map_err(|e| ApiError::Network(e.to_string()))
    } else {
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
            });
        Err(ApiError::Server { status, body })
    }
}

async fn empty(resp: Response) -> Result<(), ApiError> {
    if resp.ok() {
        Ok(())
    } else {
        decode::<serde_json::Value>(resp).await.map(|_| ())
    }
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
    let resp = Request::get(path)
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    decode(resp).await
}

async fn send_with_json<B: Serialize>(
    builder: RequestBuilder,
    body: &B,
) -> Result<Response, ApiError> {
    let req = with_csrf(builder)
        .json(body)
        .map_err(|e| ApiError::Network(e.to_string()))?;
    req.send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))
}

pub async fn send_json<B: Serialize, T: DeserializeOwned>(
    builder: RequestBuilder,
    body: &B,
) -> Result<T, ApiError> {
    decode(send_with_json(builder, body).await?).await
}

/// Sends JSON to an endpoint that answers 204 No Content.
pub async fn send_json_empty<B: Serialize>(
    builder: RequestBuilder,
    body: &B,
) -> Result<(), ApiError> {
    empty(send_with_json(builder, body).await?).await
}

pub async fn send_empty(builder: RequestBuilder) -> Result<(), ApiError> {
    let resp = with_csrf(builder)
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    empty(resp).await
}
