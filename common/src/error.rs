//! The one error shape of the JSON API: `{"code": "...", "message": "...", "problem": {...}}`.

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
    /// Which input was refused and why, so the app can say it in the reader's language
    /// (the English `message` says the same with more detail). Absent where the code says
    /// everything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<Problem>,
}

/// What was wrong with one input of a refused request.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Problem {
    pub field: Field,
    pub rule: Rule,
    /// The bounds the rule names: characters for [`Rule::TooLong`] and [`Rule::Length`],
    /// items for [`Rule::TooMany`] and [`Rule::Count`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
}

impl Problem {
    /// A rule without bounds (required, invalid, taken…).
    pub fn new(field: Field, rule: Rule) -> Problem {
        Problem {
            field,
            rule,
            min: None,
            max: None,
        }
    }

    /// At most `max` characters.
    pub fn too_long(field: Field, max: usize) -> Problem {
        Problem::bounded(field, Rule::TooLong, None, max)
    }

    /// Needed, and at most `max` characters.
    pub fn length(field: Field, max: usize) -> Problem {
        Problem::length_between(field, 1, max)
    }

    /// From `min` to `max` characters.
    pub fn length_between(field: Field, min: usize, max: usize) -> Problem {
        Problem::bounded(field, Rule::Length, Some(min), max)
    }

    /// At most `max` of them.
    pub fn too_many(field: Field, max: usize) -> Problem {
        Problem::bounded(field, Rule::TooMany, None, max)
    }

    /// At least one, and at most `max` of them.
    pub fn count(field: Field, max: usize) -> Problem {
        Problem::bounded(field, Rule::Count, Some(1), max)
    }

    fn bounded(field: Field, rule: Rule, min: Option<usize>, max: usize) -> Problem {
        Problem {
            field,
            rule,
            min: min.and_then(|n| u32::try_from(n).ok()),
            max: u32::try_from(max).ok(),
        }
    }
}

/// Unit enums sent by name (snake_case) through one table rather than serde's derived
/// visitors: the app decodes refusals on every page, and derived decoders for this many
/// names cost kilobytes of wasm in every first load. A name this build does not know
/// reads as `Unknown` (a newer server).
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $text:literal,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
        #[cfg_attr(feature = "server", serde(rename_all = "snake_case"))]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
            /// A name this build of the app does not know yet (newer server).
            Unknown,
        }

        impl $name {
            const NAMED: &'static [($name, &'static str)] = &[$(($name::$variant, $text),)*];

            /// The name it is sent as.
            pub fn name(self) -> &'static str {
                $name::NAMED
                    .iter()
                    .find(|(v, _)| *v == self)
                    .map_or("unknown", |(_, n)| n)
            }

            fn from_name(name: &str) -> $name {
                $name::NAMED
                    .iter()
                    .find(|(_, n)| *n == name)
                    .map_or($name::Unknown, |(v, _)| *v)
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.name())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                String::deserialize(d).map(|name| $name::from_name(&name))
            }
        }
    };
}

named_enum! {
    /// The input a [`Problem`] is about, named as the screens name it.
    pub enum Field {
        /// The name of the person or of the thing being saved.
        Name = "name",
        Email = "email",
        Password = "password",
        /// A sign-in code: two-factor, recovery or setup.
        Code = "code",
        TimeZone = "time_zone",
        Title = "title",
        Colour = "colour",
        Date = "date",
        /// The end of a span (an event, an automatic reply's last day).
        End = "end",
        Repetition = "repetition",
        /// An event or to-do as a whole.
        Event = "event",
        /// One occurrence of a repeating event.
        Occurrence = "occurrence",
        Reminders = "reminders",
        Snooze = "snooze",
        /// The days or dates a calendar request covers.
        Range = "range",
        /// A file to import.
        File = "file",
        Photo = "photo",
        Contact = "contact",
        /// Someone to share with.
        User = "user",
        Permission = "permission",
        /// A long web address: a link's target or a webhook's.
        WebAddress = "web_address",
        ShortName = "short_name",
        Visits = "visits",
        Webhook = "webhook",
        /// A text with placeholders: a webhook's message.
        Template = "template",
        Sender = "sender",
        Recipients = "recipients",
        Subject = "subject",
        /// The body of a message, signature or automatic reply.
        Text = "text",
        Attachments = "attachments",
        /// A whole message: its size, or that it is a draft.
        Message = "message",
        /// Messages picked in a list.
        Messages = "messages",
        /// When a message is sent.
        SendAt = "send_at",
        Folder = "folder",
        /// A mail address of this server (an address, an alias, an account).
        Address = "address",
        Alias = "alias",
        /// Where an address's mail is redirected.
        Redirect = "redirect",
        Signature = "signature",
        Filter = "filter",
        Conditions = "conditions",
        Actions = "actions",
        /// How often an automatic reply answers the same sender.
        Interval = "interval",
        UndoWindow = "undo_window",
        /// Another mail server's host name, port, user name and password.
        Server = "server",
        Port = "port",
        Credentials = "credentials",
        /// A mail fetch from another server.
        Fetch = "fetch",
        /// A directory entry in the profile (phone, department…).
        Directory = "directory",
        /// The browser's push subscription.
        PushSubscription = "push_subscription",
        /// A DKIM signing key.
        SigningKey = "signing_key",
        /// Typed confirmation of a deletion.
        Confirmation = "confirmation",
        /// Something only API clients send wrongly (a page cursor, a header).
        Request = "request",
    }
}

named_enum! {
    /// What is wrong with a [`Field`].
    pub enum Rule {
        Required = "required",
        /// Longer than `max` characters.
        TooLong = "too_long",
        /// Shorter than `min` or longer than `max` characters.
        Length = "length",
        /// More than `max` of them.
        TooMany = "too_many",
        /// None, or more than `max` of them.
        Count = "count",
        /// Larger than the server takes.
        TooBig = "too_big",
        /// Not in the form it must have.
        Invalid = "invalid",
        /// Outside the allowed range of values.
        OutOfRange = "out_of_range",
        /// Already used by something else.
        Taken = "taken",
        /// Kept for the server's own use.
        Reserved = "reserved",
        /// Names something that does not exist (any more).
        NotFound = "not_found",
        /// Not one the caller may use.
        NotYours = "not_yours",
        /// Comes before the start.
        BeforeStart = "before_start",
        /// Refers to the thing itself (sharing with oneself, a folder inside itself).
        ItSelf = "it_self",
        /// Cannot be done to this one (a system folder, an event that does not repeat).
        NotPossible = "not_possible",
        /// As many are under way as may be; wait for one to finish.
        Busy = "busy",
        /// Changed by someone else since it was read; reload and try again.
        Changed = "changed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each name is the snake_case of its variant (what the OpenAPI schema says), and
    /// reads back as the same variant; a name from a newer server reads as `Unknown`.
    #[test]
    fn names_round_trip_and_match_the_schema() {
        fn snake(debug: String) -> String {
            let mut out = String::new();
            for (i, c) in debug.chars().enumerate() {
                if c.is_ascii_uppercase() && i > 0 {
                    out.push('_');
                }
                out.push(c.to_ascii_lowercase());
            }
            out
        }
        for (field, name) in Field::NAMED {
            assert_eq!(snake(format!("{field:?}")), *name);
            let json = serde_json::to_string(field).expect("json");
            assert_eq!(serde_json::from_str::<Field>(&json).expect("field"), *field);
        }
        for (rule, name) in Rule::NAMED {
            assert_eq!(snake(format!("{rule:?}")), *name);
            assert_eq!(Rule::from_name(name), *rule);
        }
        let newer: Problem =
            serde_json::from_str(r#"{"field":"hovercraft","rule":"full_of_eels","max":3}"#)
                .expect("problem");
        assert_eq!(
            (newer.field, newer.rule, newer.max),
            (Field::Unknown, Rule::Unknown, Some(3))
        );
    }
}
