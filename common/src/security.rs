//! Account security: two-factor authentication, application passwords and the sync
//! assistant's connection details.

use serde::{Deserialize, Serialize};

/// An application password as listed (the secret is only ever shown on creation).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AppPasswordInfo {
    pub id: i64,
    pub name: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds of the last successful use, if any.
    pub last_used_at: Option<i64>,
    /// What signed in with it last.
    #[serde(default)]
    pub last_used_protocol: Option<DeviceProtocol>,
}

/// How a device signs in with an application password.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeviceProtocol {
    /// CalDAV/CardDAV (calendars and contacts).
    Dav,
    /// IMAP (reading mail).
    Imap,
    /// SMTP submission (sending mail).
    Submission,
}

impl DeviceProtocol {
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceProtocol::Dav => "dav",
            DeviceProtocol::Imap => "imap",
            DeviceProtocol::Submission => "submission",
        }
    }

    pub fn parse(s: &str) -> Option<DeviceProtocol> {
        Some(match s {
            "dav" => DeviceProtocol::Dav,
            "imap" => DeviceProtocol::Imap,
            "submission" => DeviceProtocol::Submission,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct NewAppPassword {
    /// Where it will be used, e.g. "iPhone" or "Thunderbird at home".
    pub name: String,
}

/// Answer of creating an application password: the only time the secret is sent.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct CreatedAppPassword {
    pub info: AppPasswordInfo,
    pub password: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct TwoFactorStatus {
    pub enabled: bool,
    /// Unused recovery codes left.
    pub recovery_codes_left: u32,
}

/// A new TOTP secret to scan; 2FA is on only after a correct code is confirmed.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct TwoFactorSetup {
    /// Base32 secret, for typing in by hand.
    pub secret: String,
    /// `otpauth://totp/…` URI.
    pub otpauth_url: String,
    /// The URI as a QR code (SVG markup).
    pub qr_svg: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct TwoFactorCode {
    pub code: String,
}

/// One-time codes that replace the authenticator once each; shown once.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct RecoveryCodes {
    pub codes: Vec<String>,
}

/// Turning 2FA off needs the account password.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct TwoFactorDisable {
    pub password: String,
}

/// What a device needs to sync calendars and contacts.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct SyncInfo {
    /// Server address for clients that discover the rest (`/.well-known`).
    pub server_url: String,
    pub username: String,
    /// Full CalDAV URL of the user's calendar home (Thunderbird, manual setups).
    pub caldav_url: String,
    /// Full CardDAV URL of the user's address-book home.
    pub carddav_url: String,
    /// With 2FA on, devices must use an application password.
    pub two_factor_enabled: bool,
    /// Where mail apps connect.
    pub mail: MailServerInfo,
}

/// The IMAP and submission servers for mail apps.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct MailServerInfo {
    pub host: String,
    /// IMAP with STARTTLS.
    pub imap_port: u16,
    /// IMAP with TLS from the start (the choice to prefer).
    pub imaps_port: u16,
    /// Submission with STARTTLS.
    pub submission_port: u16,
    /// Submission with TLS from the start (the choice to prefer).
    pub submissions_port: u16,
    /// The server uses its own certificate: apps ask once to trust it.
    pub self_signed: bool,
    /// Addresses the user may send from (each its own identity or account in the app).
    pub addresses: Vec<String>,
}
