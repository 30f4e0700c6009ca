//! The one error shape of the JSON API: `{"code": "...", "message": "..."}`.

use serde::{Deserialize, Serialize};

/// Stable, machine-readable error codes. The app translates them; the message is a
/// human-readable English fallback.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    Validation,
    Unauthorized,
    Forbidden,
    CsrfFailed,
    NotFound,
    Conflict,
    EmailTaken,
    WeakPassword,
    InvalidCredentials,
    /// The password was right; the account has 2FA and the code is missing.
    TotpRequired,
    /// The two-factor (or recovery) code is wrong or already used.
    InvalidTotp,
    TooManyAttempts,
    QuotaExceeded,
    PayloadTooLarge,
    /// A calendar range holds more occurrences or work than one answer may.
    RangeTooLarge,
    /// Sign-up on this server needs a (valid) invitation.
    InvitationRequired,
    /// A webhook or push address points into a private network (or is not http(s)).
    UnsafeTarget,
    /// The request was stopped because it ran longer than the server allows any request.
    TimedOut,
    Internal,
    /// A code this build of the app does not know yet (newer server).
    #[serde(other)]
    Unknown,
}

/// Body of every non-2xx JSON answer.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
}
