//! Request/response types shared by the ksuite server and the wasm app.
//!
//! Everything that crosses the HTTP boundary is defined here once, so the client and the
//! server cannot drift apart. The `server` feature only adds OpenAPI schema derives.

pub mod account;
pub mod calendar;
pub mod contacts;
pub mod error;
pub mod links;
pub mod mail;
pub mod paths;
pub mod reminders;
pub mod security;

pub use account::*;
pub use calendar::*;
pub use contacts::*;
pub use error::*;
pub use links::*;
pub use mail::*;
pub use reminders::*;
pub use security::*;

use serde::{Deserialize, Serialize};

/// Answer of `GET /api/health`, used by load balancers and the test harness.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Health {
    pub status: String,
    pub version: String,
}
