//! Reminders on events, and where they are delivered: browser push, e-mail, or a chat
//! webhook. Events keep their reminders as iCalendar VALARMs, so CalDAV clients see the
//! same ones; these are the fields the app edits.

use serde::{Deserialize, Serialize};

/// Where a reminder is delivered.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReminderChannel {
    /// A browser notification on every device the user enabled (Web Push).
    Notification,
    /// An e-mail to the account's address.
    Email,
    /// A message to one of the user's chat webhooks (`webhook_id`).
    Webhook,
}

impl ReminderChannel {
    pub fn code(self) -> &'static str {
        match self {
            ReminderChannel::Notification => "notification",
            ReminderChannel::Email => "email",
            ReminderChannel::Webhook => "webhook",
        }
    }

    pub fn from_code(code: &str) -> Option<ReminderChannel> {
        [
            ReminderChannel::Notification,
            ReminderChannel::Email,
            ReminderChannel::Webhook,
        ]
        .into_iter()
        .find(|c| c.code() == code)
    }
}

/// One reminder: minutes before the start (negative: after it; for all-day events the
/// start is midnight of the day in the user's time zone, so "the day before at 09:00"
/// is 900).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Reminder {
    pub before_minutes: i32,
    pub channel: ReminderChannel,
    /// The webhook, when `channel` is `webhook`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_id: Option<i64>,
}

/// Longest a reminder may come before its event (four weeks).
pub const MAX_REMINDER_BEFORE_MINUTES: i32 = 4 * 7 * 24 * 60;
/// Latest a reminder may come after the start (a day; for "on the day at 09:00").
pub const MAX_REMINDER_AFTER_MINUTES: i32 = 24 * 60;
/// Most reminders per event and user.
pub const MAX_REMINDERS_PER_EVENT: usize = 10;

/// The editor's presets for timed events, in minutes before the start.
pub const TIMED_PRESETS: [i32; 11] = [0, 5, 10, 15, 30, 60, 120, 1440, 2880, 10080, 20160];

/// Body shapes of common chat tools.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WebhookFormat {
    /// `{"text": …}`: Slack, Mattermost, kChat, Rocket.Chat, Google Chat.
    #[default]
    Slack,
    /// `{"content": …}`: Discord.
    Discord,
    /// A MessageCard: Microsoft Teams incoming webhooks.
    Teams,
    /// `{"subject", "date", "description", "location", "text"}`: anything else.
    Json,
}

impl WebhookFormat {
    pub const ALL: [WebhookFormat; 4] = [
        WebhookFormat::Slack,
        WebhookFormat::Discord,
        WebhookFormat::Teams,
        WebhookFormat::Json,
    ];

    pub fn code(self) -> &'static str {
        match self {
            WebhookFormat::Slack => "slack",
            WebhookFormat::Discord => "discord",
            WebhookFormat::Teams => "teams",
            WebhookFormat::Json => "json",
        }
    }

    pub fn from_code(code: &str) -> Option<WebhookFormat> {
        WebhookFormat::ALL.into_iter().find(|f| f.code() == code)
    }
}

/// The message template new webhooks start with.
pub const DEFAULT_WEBHOOK_TEMPLATE: &str =
    "Reminder: %subject% on %date%\n%location%\n%description%";
/// The placeholders a template may use.
pub const WEBHOOK_PLACEHOLDERS: [&str; 4] = ["%subject%", "%date%", "%description%", "%location%"];
pub const MAX_WEBHOOK_TEMPLATE_LEN: usize = 4000;
pub const MAX_WEBHOOK_NAME_LEN: usize = 100;

/// Creates or edits a webhook.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct WebhookInput {
    pub name: String,
    pub url: String,
    /// Message with `%subject%`, `%date%`, `%description%`, `%location%`; the default
    /// template when absent.
    #[serde(default)]
    pub template: Option<String>,
    #[serde(default)]
    pub format: WebhookFormat,
}

/// One delivery attempt, newest first in [`Webhook::attempts`].
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct WebhookAttempt {
    /// RFC 3339.
    pub at: String,
    pub ok: bool,
    /// The HTTP status the chat tool answered, if it answered.
    pub status: Option<u16>,
    /// Why it failed, in words.
    pub error: Option<String>,
    /// `test` or `reminder`.
    pub kind: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Webhook {
    pub id: i64,
    pub name: String,
    pub url: String,
    pub template: String,
    pub format: WebhookFormat,
    /// The last attempts, newest first.
    pub attempts: Vec<WebhookAttempt>,
}

/// The browser's `PushSubscription.toJSON()`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PushSubscriptionInput {
    pub endpoint: String,
    pub keys: PushKeys,
    /// A name for the device list ("Firefox on Linux"); the User-Agent's when absent.
    #[serde(default)]
    pub device_name: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PushKeys {
    pub p256dh: String,
    pub auth: String,
}

/// A device that receives notifications.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PushDevice {
    pub id: i64,
    pub device_name: String,
    /// The push service's host (which browser vendor carries it).
    pub service: String,
    pub created_at: String,
    pub last_success_at: Option<String>,
}

/// Removes the subscription of this browser (by its endpoint) or a listed device (by id).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PushUnsubscribe {
    #[serde(default)]
    pub endpoint: Option<String>,
    #[serde(default)]
    pub id: Option<i64>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct VapidPublicKey {
    /// Uncompressed P-256 point, base64url without padding (`applicationServerKey`).
    pub key: String,
}

/// What a push carries to the service worker (encrypted end to end).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PushPayload {
    pub title: String,
    pub body: String,
    /// Where "Open" leads (the event in the calendar).
    pub url: String,
    /// Authorises "Snooze" and "Dismiss" for this one notification, without a session.
    pub token: Option<String>,
    /// Same for the same reminder: a re-sent one replaces, never doubles.
    pub tag: String,
}

/// Snoozes a delivered reminder.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct SnoozeRequest {
    #[serde(default = "default_snooze")]
    pub minutes: u32,
}

fn default_snooze() -> u32 {
    10
}

/// Answer of sending a test (webhook or notification).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct DeliveryTest {
    pub ok: bool,
    /// What happened, in words (the status, or why it failed).
    pub detail: String,
}

/// Most webhooks a plan may have.
pub fn webhook_limit(plan: crate::Plan) -> usize {
    match plan {
        crate::Plan::Free => 1,
        crate::Plan::My | crate::Plan::MyPlus => 5,
        _ => 20,
    }
}
