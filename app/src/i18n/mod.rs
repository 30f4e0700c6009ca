//! Interface translations. The strings live in `app/locales/<lang>.json`; `build.rs` turns
//! English into [`Key`] and built-in text and refuses to build when another language misses
//! a key or a `{placeholder}`. Other languages are fetched when chosen, so a visitor
//! downloads only the language they read (they would add ~50 KB gzip to every first load).

use std::cell::RefCell;
#[cfg(test)]
use std::collections::BTreeMap;

use ksuite_common::{ErrorCode, Field, Language, Problem, Rule};
use leptos::prelude::*;

use crate::api::ApiError;
use crate::state::prefs::use_prefs;

include!(concat!(env!("OUT_DIR"), "/keys.rs"));

/// A loaded language: one text per key, in [`Key::ALL`] order.
type Table = &'static [&'static str];

thread_local! {
    /// Languages loaded so far (the app runs on one thread). Each is leaked once: at most
    /// five tables of a few dozen KB for the life of the page.
    static TABLES: RefCell<Vec<(Language, Table)>> = const { RefCell::new(Vec::new()) };
}

/// The text for `key` in `lang`; English while `lang` is not loaded (yet).
pub fn text(lang: Language, key: Key) -> &'static str {
    if lang == Language::En {
        return english(key);
    }
    TABLES
        .with_borrow(|tables| {
            tables
                .iter()
                .find(|(l, _)| *l == lang)
                .map(|(_, table)| table[key as usize])
        })
        .unwrap_or_else(|| english(key))
}

/// Whether `lang`'s texts are ready (English always is).
pub fn is_loaded(lang: Language) -> bool {
    lang == Language::En || TABLES.with_borrow(|tables| tables.iter().any(|(l, _)| *l == lang))
}

/// Installs `lang` from its served locale file: a JSON array of texts in [`Key::ALL`]
/// order (tools/web-dist.mjs writes it so; the URL's version ties it to this build). A
/// text the array lacks shows English.
pub fn install(lang: Language, json: &str) -> Result<(), serde_json::Error> {
    let texts: Vec<String> = serde_json::from_str(json)?;
    let mut texts = texts.into_iter();
    let table: Vec<&'static str> = Key::ALL
        .iter()
        .map(|&key| match texts.next() {
            Some(text) => &*Box::leak(text.into_boxed_str()),
            None => english(key),
        })
        .collect();
    let table: Table = Box::leak(table.into_boxed_slice());
    TABLES.with_borrow_mut(|tables| {
        tables.retain(|(l, _)| *l != lang);
        tables.push((lang, table));
    });
    Ok(())
}

/// Fetches and installs `lang` unless it is ready. On failure (offline before the service
/// worker cached it) the interface stays in English rather than failing.
pub async fn load(lang: Language) {
    if is_loaded(lang) {
        return;
    }
    let url = format!("/locales/{}.json?v={LOCALES_VERSION}", lang.code());
    let body = match gloo_net::http::Request::get(&url).send().await {
        Ok(response) if response.ok() => response.text().await.ok(),
        _ => None,
    };
    let installed = body.map(|json| install(lang, &json));
    if !matches!(installed, Some(Ok(()))) {
        leptos::logging::warn!("the {} interface texts could not be loaded", lang.code());
    }
}

/// Every locale, installed from the files themselves: unit tests run without a server.
#[cfg(test)]
pub fn install_all_for_tests() {
    for (lang, json) in [
        (Language::Fr, include_str!("../../locales/fr.json")),
        (Language::De, include_str!("../../locales/de.json")),
        (Language::It, include_str!("../../locales/it.json")),
        (Language::Es, include_str!("../../locales/es.json")),
        (Language::Pt, include_str!("../../locales/pt.json")),
    ] {
        // The served form, as tools/web-dist.mjs makes it from the source file.
        let map: BTreeMap<String, String> = serde_json::from_str(json)
            .unwrap_or_else(|e| panic!("{lang:?} locale is not valid JSON: {e}"));
        let texts: Vec<&str> = Key::ALL.iter().map(|k| map[k.name()].as_str()).collect();
        let served = serde_json::to_string(&texts).expect("strings serialize");
        if let Err(e) = install(lang, &served) {
            panic!("{lang:?} served locale does not install: {e}");
        }
    }
}

/// A reactive translation that follows the current language.
pub fn t(key: Key) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let lang = use_prefs().lang;
    move || text(lang.get(), key)
}

/// A user-facing message for a failed API call, translated by error code. Where the server
/// adds a detail the code cannot carry (which field, which limit), English readers get
/// that detail; other languages get the translated reason followed by it.
pub fn error_message(lang: Language, err: &ApiError) -> String {
    let body = match err {
        ApiError::Network(_) => return text(lang, Key::ErrNetwork).to_string(),
        ApiError::Server { body, .. } => body,
    };
    // Codes whose translation says everything.
    let complete = match body.code {
        ErrorCode::EmailTaken => Some(Key::ErrEmailTaken),
        ErrorCode::InvalidCredentials => Some(Key::ErrInvalidCredentials),
        ErrorCode::TooManyAttempts => Some(Key::ErrTooManyAttempts),
        ErrorCode::InvalidTotp => Some(Key::ErrInvalidTotp),
        ErrorCode::TotpRequired => Some(Key::TwoFactorPrompt),
        ErrorCode::CsrfFailed => Some(Key::ErrCsrf),
        ErrorCode::Unauthorized => Some(Key::ErrUnauthorized),
        ErrorCode::NotFound => Some(Key::ErrNotFound),
        ErrorCode::RangeTooLarge => Some(Key::ErrRangeTooLarge),
        ErrorCode::TimedOut => Some(Key::ErrTimedOut),
        ErrorCode::Internal | ErrorCode::Unknown => Some(Key::ErrGeneric),
        _ => None,
    };
    if let Some(key) = complete {
        return text(lang, key).to_string();
    }
    // English readers get the server's message, which also names the value at fault.
    if lang != Language::En
        && let Some(said) = body.problem.and_then(|p| problem_text(lang, p))
    {
        return said;
    }
    let reason = match body.code {
        // The weak-password reason says exactly what to change.
        ErrorCode::WeakPassword => Key::ErrWeakPassword,
        ErrorCode::Validation => Key::ErrValidation,
        ErrorCode::Forbidden => Key::ErrForbidden,
        ErrorCode::Conflict => Key::ErrConflict,
        ErrorCode::QuotaExceeded => Key::ErrQuotaExceeded,
        ErrorCode::PayloadTooLarge => Key::ErrPayloadTooLarge,
        ErrorCode::InvitationRequired => Key::ErrInvitationRequired,
        ErrorCode::UnsafeTarget => Key::ErrUnsafeTarget,
        _ => Key::ErrBadRequest,
    };
    match (lang, body.code) {
        (Language::En, ErrorCode::WeakPassword) => {
            format!("{} {}", text(lang, reason), body.message)
        }
        (Language::En, _) => body.message.clone(),
        _ => fill(
            text(lang, Key::ServerSaid),
            &[
                ("reason", text(lang, reason).to_string()),
                ("detail", body.message.clone()),
            ],
        ),
    }
}

/// A refused input in the reader's words, from the field and rule the server named; `None`
/// for a field or rule this build does not know, or a language that is not loaded.
fn problem_text(lang: Language, problem: Problem) -> Option<String> {
    let field = match problem.field {
        Field::Name => Key::FilterName,
        Field::Email => Key::Email,
        Field::Password => Key::Password,
        Field::Code => Key::ProblemFieldCode,
        Field::TimeZone => Key::TimeZone,
        Field::Title => Key::EventTitle,
        Field::Colour => Key::Color,
        Field::Date => Key::DateLabel,
        Field::End => Key::Ends,
        Field::Repetition => Key::Repeat,
        Field::Event => Key::ProblemFieldEvent,
        Field::Occurrence => Key::ProblemFieldOccurrence,
        Field::Reminders => Key::Reminders,
        Field::Snooze => Key::ProblemFieldSnooze,
        Field::Range => Key::ProblemFieldRange,
        Field::File => Key::ProblemFieldFile,
        Field::Photo => Key::ProblemFieldPhoto,
        Field::Contact => Key::ProblemFieldContact,
        Field::User => Key::ProblemFieldUser,
        Field::Permission => Key::Permission,
        Field::WebAddress => Key::ProblemFieldWebAddress,
        Field::ShortName => Key::SortSlug,
        Field::Visits => Key::ProblemFieldVisits,
        Field::Webhook => Key::ProblemFieldWebhook,
        Field::Template => Key::WebhookTemplate,
        Field::Sender => Key::FromLabel,
        Field::Recipients => Key::ProblemFieldRecipients,
        Field::Subject => Key::SubjectLabel,
        Field::Text => Key::ProblemFieldText,
        Field::Attachments => Key::Attachments,
        Field::Message => Key::MessageBody,
        Field::Messages => Key::ProblemFieldMessages,
        Field::SendAt => Key::ProblemFieldSendAt,
        Field::Folder => Key::ProblemFieldFolder,
        Field::Address => Key::ProblemFieldAddress,
        Field::Alias => Key::ProblemFieldAlias,
        Field::Redirect => Key::RedirectTo,
        Field::Signature => Key::Signatures,
        Field::Filter => Key::Filters,
        Field::Conditions => Key::Conditions,
        Field::Actions => Key::FilterActions,
        Field::Interval => Key::ProblemFieldInterval,
        Field::UndoWindow => Key::ProblemFieldUndoWindow,
        Field::Server => Key::ProblemFieldServer,
        Field::Port => Key::FetchPort,
        Field::Credentials => Key::ProblemFieldCredentials,
        Field::Fetch => Key::ProblemFieldFetch,
        Field::Directory => Key::ProblemFieldDirectory,
        Field::PushSubscription => Key::ProblemFieldPushSubscription,
        Field::SigningKey => Key::ProblemFieldSigningKey,
        Field::Confirmation => Key::ProblemFieldConfirmation,
        Field::Request => Key::ProblemFieldRequest,
        Field::Unknown => return None,
    };
    let rule = match problem.rule {
        Rule::Required => Key::ProblemRuleRequired,
        Rule::TooLong => Key::ProblemRuleTooLong,
        Rule::Length => Key::ProblemRuleLength,
        Rule::TooMany => Key::ProblemRuleTooMany,
        Rule::Count => Key::ProblemRuleCount,
        Rule::TooBig => Key::ProblemRuleTooBig,
        Rule::Invalid => Key::ProblemRuleInvalid,
        Rule::OutOfRange => Key::ProblemRuleOutOfRange,
        Rule::Taken => Key::ProblemRuleTaken,
        Rule::Reserved => Key::ProblemRuleReserved,
        Rule::NotFound => Key::ProblemRuleNotFound,
        Rule::NotYours => Key::ProblemRuleNotYours,
        Rule::BeforeStart => Key::ProblemRuleBeforeStart,
        Rule::ItSelf => Key::ProblemRuleItSelf,
        Rule::NotPossible => Key::ProblemRuleNotPossible,
        Rule::Busy => Key::ProblemRuleBusy,
        Rule::Changed => Key::ProblemRuleChanged,
        Rule::Unknown => return None,
    };
    // Served-only texts are empty until the language is loaded.
    let (field, template) = (text(lang, field), text(lang, rule));
    if field.is_empty() || template.is_empty() {
        return None;
    }
    let number = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
    Some(fill(
        template,
        &[
            ("field", field.to_string()),
            ("min", number(problem.min)),
            ("max", number(problem.max)),
        ],
    ))
}

/// Fills `{name}` placeholders in a translated text.
pub fn fill(template: &str, values: &[(&str, String)]) -> String {
    let mut out = template.to_string();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The loaded tables give each key its own text from the locale file (build.rs already
    /// refuses missing keys, empty texts and changed placeholders).
    #[test]
    fn installed_languages_show_their_locale_files() {
        install_all_for_tests();
        for (lang, json) in [
            (Language::Fr, include_str!("../../locales/fr.json")),
            (Language::Pt, include_str!("../../locales/pt.json")),
        ] {
            let file: std::collections::BTreeMap<String, String> =
                serde_json::from_str(json).expect("locale JSON");
            for key in Key::ALL {
                assert_eq!(text(lang, key), file[key.name()], "{lang:?} {key:?}");
            }
        }
    }

    /// Words that are the same as English in a language (names, abbreviations, loan
    /// words); anything else equal to the English text is an untranslated string.
    fn same_as_english(lang: Language, key: Key) -> bool {
        let everywhere = [
            Key::MailSecurity,
            Key::CcLabel,
            Key::MailSpam,
            Key::AddCcBcc,
            Key::BccLabel,
            Key::ViewAgenda,
            Key::ReminderEmail,
            Key::FetchPort,
            Key::KindNone,
            Key::ProblemFieldWebhook,
            Key::ProblemFieldAlias,
        ];
        let here: &[Key] = match lang {
            Language::En => return true,
            Language::Fr => &[
                Key::Mail,
                Key::SettingsMail,
                Key::Contacts,
                Key::Description,
                Key::Invitations,
                Key::Notes,
                Key::Conversations,
                Key::Administration,
                Key::MessageCount,
                Key::DateLabel,
                Key::MessageBody,
                Key::Signatures,
                Key::Conditions,
                Key::FilterActions,
                Key::SettingsNotifications,
                Key::WebhookTemplate,
                Key::Pages,
                Key::OneMinute,
                Key::Minutes,
                Key::SignatureText,
                Key::KindLabel,
                Key::KindMobile,
                Key::ProblemFieldCode,
                Key::ProblemFieldPhoto,
                Key::ProblemFieldContact,
                Key::ProblemFieldConfirmation,
                Key::ProblemFieldOccurrence,
            ],
            Language::De => &[
                Key::Mail,
                Key::SettingsMail,
                Key::Links,
                Key::Website,
                Key::WebhookName,
                Key::FilterName,
                Key::SignatureName,
                Key::AdminFlag,
                Key::ProblemFieldCode,
                Key::ProblemFieldServer,
                Key::ProblemFieldText,
                Key::ProblemFieldUser,
            ],
            Language::It => &[
                Key::Password,
                Key::ProblemFieldServer,
                Key::ProblemFieldFile,
            ],
            Language::Es => &[Key::Color, Key::PlanLabel],
            Language::Pt => &[],
        };
        everywhere.contains(&key) || here.contains(&key)
    }

    #[test]
    fn no_language_leaves_strings_in_english() {
        install_all_for_tests();
        let english_file: BTreeMap<String, String> =
            serde_json::from_str(include_str!("../../locales/en.json")).expect("locale JSON");
        let untranslated: Vec<(Language, Key)> = Language::ALL
            .iter()
            .flat_map(|&lang| Key::ALL.iter().map(move |&key| (lang, key)))
            .filter(|&(lang, key)| text(lang, key) == english_file[key.name()])
            .filter(|&(lang, key)| !same_as_english(lang, key))
            .collect();
        assert!(
            untranslated.is_empty(),
            "English text shown for {untranslated:?}"
        );
    }

    fn server_error(code: ErrorCode, message: &str) -> ApiError {
        ApiError::Server {
            status: 422,
            body: Box::new(ksuite_common::ErrorBody {
                code,
                message: message.into(),
                problem: None,
            }),
        }
    }

    fn with_problem(mut err: ApiError, problem: Problem) -> ApiError {
        if let ApiError::Server { body, .. } = &mut err {
            body.problem = Some(problem);
        }
        err
    }

    #[test]
    fn server_errors_are_translated_by_code() {
        install_all_for_tests();
        let slug = server_error(ErrorCode::Conflict, "This short name is already taken.");
        assert_eq!(
            error_message(Language::En, &slug),
            "This short name is already taken."
        );
        assert_eq!(
            error_message(Language::De, &slug),
            "Das widerspricht dem, was schon da ist. (Der Server meldet: This short name is already taken.)"
        );
        let gone = server_error(ErrorCode::NotFound, "Not found.");
        assert_eq!(
            error_message(Language::Es, &gone),
            "Esto no existe (o ya no existe)."
        );
        let weak = server_error(ErrorCode::WeakPassword, "Add a few more words.");
        assert_eq!(
            error_message(Language::En, &weak),
            "Choose a stronger password. Add a few more words."
        );
    }

    /// A refused input reads in the reader's language, limit included; English readers
    /// get the server's own sentence.
    #[test]
    fn refused_inputs_are_said_in_the_readers_language() {
        install_all_for_tests();
        let long = with_problem(
            server_error(
                ErrorCode::Validation,
                "A calendar name needs 1 to 100 characters.",
            ),
            Problem::length(Field::Name, 100),
        );
        assert_eq!(
            error_message(Language::En, &long),
            "A calendar name needs 1 to 100 characters."
        );
        assert_eq!(
            error_message(Language::Fr, &long),
            "Nom : de 1 à 100 caractères."
        );
        assert_eq!(
            error_message(Language::De, &long),
            "Name: 1 bis 100 Zeichen."
        );
        let taken = with_problem(
            server_error(ErrorCode::Conflict, "This short name is already taken."),
            Problem::new(Field::ShortName, Rule::Taken),
        );
        assert_eq!(
            error_message(Language::It, &taken),
            "Nome breve: già in uso. Scegline un altro."
        );
        // A field a newer server names falls back to the translated reason and its detail.
        let taken = with_problem(taken, Problem::new(Field::Unknown, Rule::Taken));
        assert!(error_message(Language::Es, &taken).contains("This short name"));
    }

    #[test]
    fn french_differs_from_english() {
        install_all_for_tests();
        assert_eq!(text(Language::En, Key::Calendar), "Calendar");
        assert_eq!(text(Language::Fr, Key::Calendar), "Calendrier");
        assert_eq!(text(Language::De, Key::Calendar), "Kalender");
    }
}
