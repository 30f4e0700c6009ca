//! Interface translations. Each language is one file with one `match` over [`Key`], so
//! the compiler refuses a language that misses a key.

mod de;
mod en;
mod es;
mod fr;
mod it;
mod pt;

use ksuite_common::{ErrorCode, Language};
use leptos::prelude::*;

use crate::api::ApiError;
use crate::state::prefs::use_prefs;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    Mail,
    Calendar,
    Contacts,
    Links,
    Settings,
    MainNavigation,
    SkipToContent,
    LogIn,
    SignUp,
    LogOut,
    Email,
    Password,
    DisplayName,
    CreateAccount,
    NoAccountYet,
    HaveAccount,
    PasswordHint,
    LogInTitle,
    SignUpTitle,
    Language,
    TimeZone,
    Theme,
    ThemeLight,
    ThemeDark,
    ThemeSystem,
    Save,
    Saved,
    Profile,
    Loading,
    PageNotFound,
    BackHome,
    ErrEmailTaken,
    ErrWeakPassword,
    ErrInvalidCredentials,
    ErrTooManyAttempts,
    ErrNetwork,
    ErrCsrf,
    ErrGeneric,
    Offline,
    InstallApp,
    NewLink,
    TargetUrl,
    CustomSlug,
    Validity,
    Days7,
    Days30,
    Months6,
    Year1,
    Lifetime,
    LinkPassword,
    MaxVisits,
    MoreOptions,
    Shorten,
    QuotaLeft,
    Copy,
    Copied,
    QrSvg,
    QrPng,
    SearchLinks,
    SortBy,
    SortNewest,
    SortOldest,
    SortMostVisited,
    SortSlug,
    VisitsLabel,
    Expires,
    NeverExpires,
    StatusActive,
    StatusDisabled,
    StatusExpired,
    Disable,
    Enable,
    Delete,
    ConfirmDeleteLink,
    EditTarget,
    NewTargetPrompt,
    Previous,
    Next,
    NoLinksYet,
    Protected,
    VisitsPerDay,
    ShowStats,
    PageOf,
    YourLinks,
    Today,
    ViewMonth,
    ViewWeek,
    ViewDay,
    ViewAgenda,
    NewEvent,
    EditEvent,
    EventTitle,
    AllDay,
    Starts,
    Ends,
    Location,
    Description,
    ShowAs,
    Busy,
    Free,
    Repeat,
    RepeatNone,
    RepeatDaily,
    RepeatWeekly,
    RepeatMonthly,
    RepeatYearly,
    RepeatCustom,
    ThisOccurrence,
    AllOccurrences,
    Cancel,
    ConfirmDeleteEvent,
    MyCalendars,
    NewCalendar,
    CalendarName,
    Create,
    Import,
    Export,
    ImportDone,
    NoEvents,
    Close,
    Calendar2,
    SharedBy,
    EditCalendar,
    Color,
    DeleteCalendar,
    ConfirmDeleteCalendar,
    ShareWith,
    AccessRead,
    AccessReadWrite,
    Share,
    RemoveShare,
    NewContact,
    EditContact,
    FirstName,
    LastName,
    Organization,
    JobTitle,
    Phone,
    Street,
    City,
    PostalCode,
    Country,
    Birthday,
    Website,
    Notes,
    GroupsComma,
    AllGroups,
    SearchContacts,
    SortFirstName,
    SortLastName,
    NoContacts,
    ConfirmDeleteContact,
    ImportVcf,
    ExportVcf,
    AddressBook,
    Edit,
    ImportContactsDone,
    GroupFilter,
    MergeWith,
    Merge,
    Photo,
    TwoFactorCode,
    TwoFactorPrompt,
    ErrInvalidTotp,
    SettingsSecurity,
    SettingsSync,
    TwoFactorTitle,
    TwoFactorOff,
    TwoFactorOn,
    TurnOn,
    TurnOff,
    ScanQr,
    SecretKey,
    Confirm,
    RecoveryCodesTitle,
    RecoveryCodesHelp,
    RecoveryCodesLeft,
    Done,
    PasswordToTurnOff,
    AppPasswordsTitle,
    AppPasswordsHelp,
    AppPasswordName,
    AppPasswordCreated,
    NeverUsed,
    LastUsed,
    CreatedOn,
    Revoke,
    ConfirmRevoke,
    NoAppPasswords,
    SyncIntro,
    ServerUrl,
    Username,
    CaldavUrl,
    CarddavUrl,
    SyncPasswordWith2fa,
    SyncPasswordWithout2fa,
    CreateAppPasswordForDevice,
    ChooseDevice,
    DownloadAppleProfile,
    StepsThunderbird,
    StepsApple,
    StepsAndroid,
    StepsOutlook,
    StepsEmClient,
    MailInbox,
    MailDrafts,
    MailSent,
    MailArchive,
    MailSpam,
    MailTrash,
    SearchMail,
    UnreadOnly,
    WithAttachments,
    LoadMore,
    NoMessages,
    MarkUnread,
    FlagMessage,
    UnflagMessage,
    MoveTo,
    DeletedMail,
    DeletedMailHelp,
    Restore,
    DownloadEml,
    Attachments,
    FromLabel,
    ToLabel,
    CcLabel,
    SelectMessage,
    MailAddressIs,
    BackToList,
    NoSubject,
    SearchResults,
    RemoteImagesBlocked,
    ShowImages,
}

/// The text for `key` in `lang`.
pub fn text(lang: Language, key: Key) -> &'static str {
    match lang {
        Language::En => en::text(key),
        Language::Fr => fr::text(key),
        Language::De => de::text(key),
        Language::It => it::text(key),
        Language::Es => es::text(key),
        Language::Pt => pt::text(key),
    }
}

/// A reactive translation that follows the current language.
pub fn t(key: Key) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let lang = use_prefs().lang;
    move || text(lang.get(), key)
}

/// A user-facing message for a failed API call: translated by error code; validation
/// messages come from the server (English) because they name the field at fault.
pub fn error_message(lang: Language, err: &ApiError) -> String {
    let key = match err {
        ApiError::Network(_) => Key::ErrNetwork,
        ApiError::Server { body, .. } => match body.code {
            ErrorCode::EmailTaken => Key::ErrEmailTaken,
            ErrorCode::WeakPassword => Key::ErrWeakPassword,
            ErrorCode::InvalidCredentials => Key::ErrInvalidCredentials,
            ErrorCode::TooManyAttempts => Key::ErrTooManyAttempts,
            ErrorCode::InvalidTotp => Key::ErrInvalidTotp,
            ErrorCode::TotpRequired => Key::TwoFactorPrompt,
            ErrorCode::CsrfFailed => Key::ErrCsrf,
            ErrorCode::Internal | ErrorCode::Unknown => Key::ErrGeneric,
            _ => return body.message.clone(),
        },
    };
    let base = text(lang, key);
    match err {
        // The weak-password reason says exactly what to change.
        ApiError::Server { body, .. } if body.code == ErrorCode::WeakPassword => {
            format!("{base} {}", body.message)
        }
        _ => base.to_string(),
    }
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

    #[test]
    fn french_differs_from_english() {
        assert_eq!(text(Language::En, Key::Calendar), "Calendar");
        assert_eq!(text(Language::Fr, Key::Calendar), "Calendrier");
        assert_eq!(text(Language::De, Key::Calendar), "Kalender");
    }
}
