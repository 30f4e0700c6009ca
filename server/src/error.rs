//! The one API error type: a stable code, an HTTP status and a user-facing message.
//! Internal causes are logged with an id and never sent to the client.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ksuite_common::{ErrorBody, ErrorCode, Problem};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
    /// Seconds the client should wait (sent as `Retry-After`).
    pub retry_after: Option<u64>,
    /// The input at fault, for the app to translate.
    pub problem: Option<Problem>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
            problem: None,
        }
    }

    /// Names the input at fault, so the app can say what is wrong in the reader's language.
    pub fn with(mut self, problem: Problem) -> ApiError {
        self.problem = Some(problem);
        self
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, message)
    }

    /// An input that breaks a rule: `problem` for the app, `message` in English for the
    /// rest (API clients, logs), with any detail the problem cannot carry.
    pub fn invalid(problem: Problem, message: impl Into<String>) -> ApiError {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::Validation,
            message,
        )
        .with(problem)
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized,
            "Please sign in.",
        )
    }

    pub fn not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "Not found.")
    }

    /// The caller is signed in and sees the thing, but may not do this to it.
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, message)
    }

    /// The name or thing asked for is already taken.
    pub fn conflict(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, ErrorCode::Conflict, message)
    }

    pub fn csrf() -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::CsrfFailed,
            "The request was refused by the cross-site request forgery check. Reload the page and try again.",
        )
    }

    /// A webhook or push address the server will not call.
    pub fn unsafe_target(e: &crate::net::TargetError) -> ApiError {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::UnsafeTarget,
            format!("This address cannot be used: {e}."),
        )
    }

    /// Logs the cause server-side and answers a generic 500.
    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        tracing::error!(error = %cause, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "Something went wrong on our side. Please try again.",
        )
    }
}

/// PostgreSQL's SQLSTATE for a statement cancelled (here: by `statement_timeout`).
const QUERY_CANCELED: &str = "57014";

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> ApiError {
        match err {
            // A row that is missing or belongs to someone else answers the same.
            sqlx::Error::RowNotFound => ApiError::not_found(),
            // PostgreSQL cancelled the statement at `--database-statement-timeout-ms`.
            sqlx::Error::Database(e) if e.code().as_deref() == Some(QUERY_CANCELED) => {
                tracing::warn!(error = %e, "statement timed out");
                let mut err = ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::TimedOut,
                    "The server took too long to answer this and stopped. Please try again in a moment.",
                );
                err.retry_after = Some(5);
                err
            }
            other => ApiError::internal(other),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            code: self.code,
            message: self.message,
            problem: self.problem,
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after
            && let Ok(value) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

/// JSON extractor whose rejections use the API error shape instead of axum's plain text.
pub struct ApiJson<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        use axum::extract::rejection::JsonRejection;
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::BadRequest,
                "Send the request body as JSON (Content-Type: application/json).",
            )),
            Err(JsonRejection::BytesRejection(_)) => Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                "The request body is too large.",
            )),
            Err(rejection) => Err(ApiError::bad_request(format!(
                "The request body is not valid: {}",
                rejection.body_text()
            ))),
        }
    }
}
