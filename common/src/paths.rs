//! API paths, named once so the app's fetches and the server's routes agree.

pub const HEALTH: &str = "/api/health";
pub const OPENAPI: &str = "/api/openapi.json";
pub const SIGNUP: &str = "/api/auth/signup";
pub const LOGIN: &str = "/api/auth/login";
pub const LOGOUT: &str = "/api/auth/logout";
pub const ME: &str = "/api/me";
/// Like [`ME`], but `null` when nobody is signed in: what the app asks at start.
pub const SESSION: &str = "/api/session";
pub const PROFILE: &str = "/api/settings/profile";
pub const TIME_ZONES: &str = "/api/settings/time-zones";
pub const APP_PASSWORDS: &str = "/api/account/app-passwords";
pub const TWO_FACTOR: &str = "/api/account/two-factor";
pub const PASSWORD: &str = "/api/account/password";
pub const SESSIONS: &str = "/api/account/sessions";
pub const SIGN_OUT_OTHERS: &str = "/api/account/sessions/sign-out-others";
pub const ADMIN_USERS: &str = "/api/admin/users";
pub const ADMIN_INVITATIONS: &str = "/api/admin/invitations";
/// The mail domain's DKIM keys; `…/next` prepares one, `…/activate` switches to it.
pub const ADMIN_DKIM: &str = "/api/admin/mail/dkim";
/// Fetches of mail from other IMAP servers.
pub const MAIL_FETCHES: &str = "/api/mail/fetches";
pub const ADMIN_DKIM_NEXT: &str = "/api/admin/mail/dkim/next";
pub const ADMIN_DKIM_ACTIVATE: &str = "/api/admin/mail/dkim/activate";
pub const TWO_FACTOR_SETUP: &str = "/api/account/two-factor/setup";
pub const TWO_FACTOR_ENABLE: &str = "/api/account/two-factor/enable";
pub const TWO_FACTOR_DISABLE: &str = "/api/account/two-factor/disable";
pub const SYNC_INFO: &str = "/api/sync";
/// Apple configuration profile (CalDAV + CardDAV), downloaded by the sync assistant.
pub const APPLE_PROFILE: &str = "/api/sync/apple.mobileconfig";
pub const PUSH_VAPID_KEY: &str = "/api/push/vapid-public-key";
pub const PUSH_SUBSCRIPTIONS: &str = "/api/push/subscriptions";
pub const PUSH_TEST: &str = "/api/push/test";
pub const WEBHOOKS: &str = "/api/webhooks";

/// `/api/webhooks/{id}`.
pub fn webhook(id: i64) -> String {
    format!("{WEBHOOKS}/{id}")
}
pub fn webhook_test(id: i64) -> String {
    format!("{WEBHOOKS}/{id}/test")
}
/// The signed-in user's reminders on one event.
pub fn event_reminders(calendar_id: i64, uid: &str) -> String {
    format!("/api/calendars/{calendar_id}/events/{uid}/reminders")
}
/// Snooze and dismiss of one delivered reminder, authorised by its token.
pub fn reminder_snooze(token: &str) -> String {
    format!("/api/reminders/{token}/snooze")
}
pub fn reminder_dismiss(token: &str) -> String {
    format!("/api/reminders/{token}/dismiss")
}
pub const LINKS: &str = "/api/links";
pub const LINK_QUOTA: &str = "/api/links/quota";

/// `/api/links/{id}` and its sub-resources.
pub fn link(id: i64) -> String {
    format!("{LINKS}/{id}")
}
pub fn link_stats(id: i64) -> String {
    format!("{LINKS}/{id}/stats")
}
pub fn link_qr(id: i64, format: &str) -> String {
    format!("{LINKS}/{id}/qr.{format}")
}

pub fn app_password(id: i64) -> String {
    format!("{APP_PASSWORDS}/{id}")
}

/// Prefix of the redirector on the main host (`/l/{slug}`).
pub const SHORT_PREFIX: &str = "/l/";

/// Header that must carry the session's CSRF token on every state-changing request.
pub const CSRF_HEADER: &str = "x-csrf-token";
