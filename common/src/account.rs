//! Accounts, sessions and profile settings.

use serde::{Deserialize, Serialize};

/// Interface languages. English and French are complete; the others translate the shell.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    Fr,
    De,
    It,
    Es,
    Pt,
}

impl Language {
    pub const ALL: [Language; 6] = [
        Language::En,
        Language::Fr,
        Language::De,
        Language::It,
        Language::Es,
        Language::Pt,
    ];

    /// BCP 47 tag, also the value stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Fr => "fr",
            Language::De => "de",
            Language::It => "it",
            Language::Es => "es",
            Language::Pt => "pt",
        }
    }

    /// The language's own name, as shown in a language picker.
    pub fn native_name(self) -> &'static str {
        match self {
            Language::En => "English",
            Language::Fr => "Français",
            Language::De => "Deutsch",
            Language::It => "Italiano",
            Language::Es => "Español",
            Language::Pt => "Português",
        }
    }

    pub fn from_code(code: &str) -> Option<Language> {
        let primary = code.split(['-', '_']).next().unwrap_or(code);
        Language::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(primary))
    }
}

#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    Light,
    Dark,
    #[default]
    System,
}

impl Theme {
    pub fn code(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::System => "system",
        }
    }

    pub fn from_code(code: &str) -> Option<Theme> {
        [Theme::Light, Theme::Dark, Theme::System]
            .into_iter()
            .find(|t| t.code() == code)
    }
}

/// Subscription plans; they decide quotas (e.g. short links per month).
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Plan {
    #[default]
    Free,
    Standard,
    Business,
    Enterprise,
    My,
    MyPlus,
}

impl Plan {
    pub const ALL: [Plan; 6] = [
        Plan::Free,
        Plan::Standard,
        Plan::Business,
        Plan::Enterprise,
        Plan::My,
        Plan::MyPlus,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Plan::Free => "free",
            Plan::Standard => "standard",
            Plan::Business => "business",
            Plan::Enterprise => "enterprise",
            Plan::My => "my",
            Plan::MyPlus => "my_plus",
        }
    }

    pub fn from_code(code: &str) -> Option<Plan> {
        Plan::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// Minimum password length accepted at sign-up (NIST SP 800-63B recommends at least 8).
pub const MIN_PASSWORD_LEN: usize = 10;
/// Upper bound so hashing cost stays bounded.
pub const MAX_PASSWORD_LEN: usize = 256;
pub const MAX_DISPLAY_NAME_LEN: usize = 100;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct SignupRequest {
    pub email: String,
    pub display_name: String,
    pub password: String,
    /// Interface language chosen before signing up; defaults to English.
    #[serde(default)]
    pub language: Option<Language>,
    /// The browser's IANA time zone; the server falls back to UTC when it is unknown.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// The invitation code, when the server's sign-up needs one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitation: Option<String>,
}

/// Change the account password (the current one is asked again).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// A signed-in browser or device of the account.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ActiveSession {
    pub id: i64,
    /// The browser's description of itself (User-Agent), when it sent one.
    pub device: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds; updated every few minutes while in use.
    pub last_seen_at: Option<i64>,
    /// The session making this request.
    pub current: bool,
}

/// How new accounts come to be on this server.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SignupPolicy {
    /// Anyone may sign up.
    #[default]
    Open,
    /// Only with an invitation from an administrator.
    Invite,
    /// Nobody signs up; the first account is always allowed, so a new server gets its
    /// administrator.
    Closed,
}

/// An account as administrators see it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AdminUser {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub plan: Plan,
    pub is_admin: bool,
    pub disabled: bool,
    /// Unix seconds.
    pub created_at: i64,
}

/// An administrator's change to an account; absent fields stay.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AdminUserChange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<Plan>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_admin: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
}

/// Ask for an invitation (optionally for one e-mail address).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct NewInvitation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// An invitation; `code` is only present in the answer that created it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Invitation {
    pub id: i64,
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub used: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    /// Authenticator or recovery code, for accounts with two-factor authentication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp: Option<String>,
}

/// The signed-in user's profile.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct UserProfile {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub language: Language,
    pub time_zone: String,
    pub theme: Theme,
    pub plan: Plan,
    /// Administers the server (mail addresses); the first account is one.
    #[serde(default)]
    pub is_admin: bool,
    /// What the user publishes in the organization directory.
    #[serde(default)]
    pub directory: DirectoryCard,
    /// How long after Send a message can still be taken back (0: sent at once).
    #[serde(default = "default_undo_send_seconds")]
    pub undo_send_seconds: u16,
}

fn default_undo_send_seconds() -> u16 {
    crate::DEFAULT_UNDO_SEND_SECONDS
}

/// What a user publishes in the organization directory (web app and the CardDAV directory
/// address book) besides their name and address; an empty field is not published.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct DirectoryCard {
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub department: String,
}

/// Longest value of a directory field.
pub const MAX_DIRECTORY_FIELD_LEN: usize = 100;

/// Answer of signup, login and `GET /api/me`: who is signed in, and the CSRF token the
/// app must echo in the `x-csrf-token` header of state-changing requests.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    pub user: UserProfile,
    pub csrf_token: String,
}

/// Partial update of the profile; absent fields stay as they are.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct UpdateProfileRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<Language>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<Theme>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory: Option<DirectoryCard>,
    /// 0 to `MAX_UNDO_SEND_SECONDS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undo_send_seconds: Option<u16>,
}

/// Checks a password against the sign-up policy; returns a user-facing reason on failure.
pub fn password_weakness(password: &str, email: &str) -> Option<&'static str> {
    let len = password.chars().count();
    if len < MIN_PASSWORD_LEN {
        return Some("The password must have at least 10 characters.");
    }
    if len > MAX_PASSWORD_LEN {
        return Some("The password must have at most 256 characters.");
    }
    let distinct: std::collections::HashSet<char> = password.chars().collect();
    if distinct.len() < 4 {
        return Some("The password is too repetitive.");
    }
    let lower = password.to_lowercase();
    let local = email.split('@').next().unwrap_or("").to_lowercase();
    if local.len() >= 4 && lower.contains(&local) {
        return Some("The password must not contain your e-mail address.");
    }
    const COMMON: [&str; 8] = [
        "password",
        "123456",
        "qwerty",
        "azerty",
        "letmein",
        "welcome",
        "motdepasse",
        "passwort",
    ];
    // A common word followed by nothing but digits and symbols ("password1234!") is among
    // the first guesses of any cracking list.
    let common_prefix = COMMON
        .iter()
        .find_map(|c| lower.strip_prefix(c))
        .is_some_and(|rest| !rest.chars().any(char::is_alphabetic));
    if common_prefix {
        return Some("The password is too common.");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_policy() {
        assert!(password_weakness("short", "a@b.c").is_some());
        assert!(password_weakness("aaaaaaaaaaaa", "a@b.c").is_some());
        assert!(password_weakness("password1234", "a@b.c").is_some());
        assert!(password_weakness("alice-is-great-99", "alice@example.com").is_some());
        assert!(password_weakness("correct horse battery", "bob@example.com").is_none());
    }

    #[test]
    fn language_codes_round_trip() {
        for l in Language::ALL {
            assert_eq!(Language::from_code(l.code()), Some(l));
        }
        assert_eq!(Language::from_code("fr-CH"), Some(Language::Fr));
        assert_eq!(Language::from_code("xx"), None);
    }
}
