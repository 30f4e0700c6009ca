use super::Key;

pub fn text(key: Key) -> &'static str {
    match key {
        Key::Mail => "Mail",
        Key::Calendar => "Calendar",
        Key::Contacts => "Contacts",
        Key::Links => "Links",
        Key::Settings => "Settings",
        Key::MainNavigation => "Main navigation",
        Key::SkipToContent => "Skip to content",
        Key::ComingSoon => "Coming soon",
        Key::ComingSoonBody => "This app is being built and will appear here in a coming release.",
        Key::LogIn => "Log in",
        Key::SignUp => "Sign up",
        Key::LogOut => "Log out",
        Key::Email => "E-mail address",
        Key::Password => "Password",
        Key::DisplayName => "Your name",
        Key::CreateAccount => "Create account",
        Key::NoAccountYet => "No account yet?",
        Key::HaveAccount => "Already have an account?",
        Key::PasswordHint => "At least 10 characters; a few words make a good password.",
        Key::LogInTitle => "Log in to ksuite",
        Key::SignUpTitle => "Create your ksuite account",
        Key::Language => "Language",
        Key::TimeZone => "Time zone",
        Key::Theme => "Theme",
        Key::ThemeLight => "Light",
        Key::ThemeDark => "Dark",
        Key::ThemeSystem => "Same as system",
        Key::Save => "Save",
        Key::Saved => "Saved.",
        Key::Profile => "Profile",
        Key::Loading => "Loading…",
        Key::PageNotFound => "This page does not exist.",
        Key::BackHome => "Back to the start page",
        Key::ErrEmailTaken => "An account with this e-mail address already exists. Log in instead.",
        Key::ErrWeakPassword => "Choose a stronger password.",
        Key::ErrInvalidCredentials => "The e-mail address or the password is wrong.",
        Key::ErrTooManyAttempts => "Too many failed attempts. Wait a few minutes and try again.",
        Key::ErrNetwork => "The server cannot be reached. Check your connection and try again.",
        Key::ErrCsrf => "Your session changed in another tab. Reload the page and try again.",
        Key::ErrGeneric => "Something went wrong. Please try again.",
        Key::Offline => "You are offline. Changes cannot be saved until the connection is back.",
        Key::NewLink => "New short link",
        Key::TargetUrl => "Address to shorten",
        Key::CustomSlug => "Custom short name (optional)",
        Key::Validity => "Valid for",
        Key::Days7 => "7 days",
        Key::Days30 => "30 days",
        Key::Months6 => "6 months",
        Key::Year1 => "1 year",
        Key::Lifetime => "Lifetime",
        Key::LinkPassword => "Password (optional)",
        Key::MaxVisits => "Maximum visits (optional)",
        Key::MoreOptions => "More options",
        Key::Shorten => "Shorten",
        Key::QuotaLeft => "{left} of {limit} new links left this month",
        Key::Copy => "Copy",
        Key::Copied => "Copied!",
        Key::QrSvg => "QR code (SVG)",
        Key::QrPng => "QR code (PNG)",
        Key::SearchLinks => "Search links",
        Key::SortBy => "Sort by",
        Key::SortNewest => "Newest first",
        Key::SortOldest => "Oldest first",
        Key::SortMostVisited => "Most visited",
        Key::SortSlug => "Short name",
        Key::VisitsLabel => "visits",
        Key::Expires => "Expires",
        Key::NeverExpires => "Never expires",
        Key::StatusActive => "Active",
        Key::StatusDisabled => "Disabled",
        Key::StatusExpired => "Expired",
        Key::Disable => "Disable",
        Key::Enable => "Enable",
        Key::Delete => "Delete",
        Key::ConfirmDeleteLink => "Delete this short link? It stops working at once.",
        Key::EditTarget => "Change target",
        Key::NewTargetPrompt => "New target address",
        Key::Previous => "Previous",
        Key::Next => "Next",
        Key::NoLinksYet => "No short links yet. Shorten your first address above.",
        Key::Protected => "Password protected",
        Key::VisitsPerDay => "Visits per day",
        Key::ShowStats => "Statistics",
        Key::PageOf => "Page {page} of {pages}",
        Key::YourLinks => "Your links",
        Key::Today => "Today",
        Key::ViewMonth => "Month",
        Key::ViewWeek => "Week",
        Key::ViewDay => "Day",
        Key::ViewAgenda => "Agenda",
        Key::NewEvent => "New event",
        Key::EditEvent => "Edit event",
        Key::EventTitle => "Title",
        Key::AllDay => "All day",
        Key::Starts => "Starts",
        Key::Ends => "Ends",
        Key::Location => "Location",
        Key::Description => "Description",
        Key::ShowAs => "Show as",
        Key::Busy => "Busy",
        Key::Free => "Free",
        Key::Repeat => "Repeat",
        Key::RepeatNone => "Does not repeat",
        Key::RepeatDaily => "Every day",
        Key::RepeatWeekly => "Every week",
        Key::RepeatMonthly => "Every month",
        Key::RepeatYearly => "Every year",
        Key::RepeatCustom => "Custom rule (RRULE)",
        Key::ThisOccurrence => "This occurrence",
        Key::AllOccurrences => "All occurrences",
        Key::Cancel => "Cancel",
        Key::ConfirmDeleteEvent => "Delete this event?",
        Key::MyCalendars => "Calendars",
        Key::NewCalendar => "New calendar",
        Key::CalendarName => "Calendar name",
        Key::Create => "Create",
        Key::Import => "Import .ics",
        Key::Export => "Export .ics",
        Key::ImportDone => "{imported} events imported, {skipped} skipped.",
        Key::NoEvents => "No events in this period.",
        Key::Close => "Close",
        Key::Calendar2 => "Calendar",
        Key::SharedBy => "Shared by {owner}",
        Key::EditCalendar => "Settings",
        Key::Color => "Colour",
        Key::DeleteCalendar => "Delete calendar",
        Key::ConfirmDeleteCalendar => "Delete this calendar and all its events?",
        Key::ShareWith => "Share with (e-mail)",
        Key::AccessRead => "Can view",
        Key::AccessReadWrite => "Can edit",
        Key::Share => "Share",
        Key::RemoveShare => "Remove",
        Key::NewContact => "New contact",
        Key::EditContact => "Edit contact",
        Key::FirstName => "First name",
        Key::LastName => "Last name",
        Key::Organization => "Organization",
        Key::JobTitle => "Job title",
        Key::Phone => "Phone",
        Key::Street => "Street",
        Key::City => "City",
        Key::PostalCode => "Postal code",
        Key::Country => "Country",
        Key::Birthday => "Birthday",
        Key::Website => "Website",
        Key::Notes => "Notes",
        Key::GroupsComma => "Groups (separated by commas)",
        Key::AllGroups => "All groups",
        Key::SearchContacts => "Search contacts",
        Key::SortFirstName => "First name",
        Key::SortLastName => "Last name",
        Key::NoContacts => "No contacts yet.",
        Key::ConfirmDeleteContact => "Delete this contact?",
        Key::ImportVcf => "Import .vcf / .csv",
        Key::ExportVcf => "Export .vcf",
        Key::AddressBook => "Address book",
        Key::Edit => "Edit",
        Key::ImportContactsDone => "{imported} contacts imported, {skipped} skipped.",
        Key::GroupFilter => "Group",
        Key::MergeWith => "Merge a duplicate into this contact",
        Key::Merge => "Merge",
        Key::Photo => "Photo (JPEG, PNG, GIF or WebP, at most 1 MB)",
        Key::InstallApp => "Install app",
        Key::TwoFactorCode => "Authentication code",
        Key::TwoFactorPrompt => {
            "Enter the 6-digit code from your authenticator app, or one of your recovery codes."
        }
        Key::ErrInvalidTotp => {
            "This code is not right or was already used. Enter the current code."
        }
        Key::SettingsSecurity => "Security",
        Key::SettingsSync => "Sync devices",
        Key::TwoFactorTitle => "Two-factor authentication",
        Key::TwoFactorOff => {
            "Off. Turn it on so that a stolen password alone cannot open your account."
        }
        Key::TwoFactorOn => "On. Logging in asks for a code from your authenticator app.",
        Key::TurnOn => "Turn on",
        Key::TurnOff => "Turn off",
        Key::ScanQr => {
            "Scan this code with an authenticator app (for example Aegis, FreeOTP or Google Authenticator), or type the key in. Then enter the code the app shows."
        }
        Key::SecretKey => "Key",
        Key::Confirm => "Confirm",
        Key::RecoveryCodesTitle => "Recovery codes",
        Key::RecoveryCodesHelp => {
            "Each code logs you in once if you lose your phone. Keep them somewhere safe: they are shown only now."
        }
        Key::RecoveryCodesLeft => "Recovery codes left: {n}",
        Key::Done => "Done",
        Key::PasswordToTurnOff => "Your password, to turn it off",
        Key::AppPasswordsTitle => "Application passwords",
        Key::AppPasswordsHelp => {
            "Devices and apps that sync your calendars and contacts sign in with an application password instead of your account password. With two-factor authentication on, it is the only way."
        }
        Key::AppPasswordName => "Name (the device it is for)",
        Key::AppPasswordCreated => {
            "Your new application password. Copy it now: it will not be shown again."
        }
        Key::NeverUsed => "Never used",
        Key::LastUsed => "Last used {date}",
        Key::CreatedOn => "Created {date}",
        Key::Revoke => "Revoke",
        Key::ConfirmRevoke => "Revoke this password? Devices using it stop syncing.",
        Key::NoAppPasswords => "No application passwords yet.",
        Key::SyncIntro => {
            "Use these details to sync your calendars and contacts with Thunderbird, Apple devices, Android, Outlook or eM Client."
        }
        Key::ServerUrl => "Server address",
        Key::Username => "Username",
        Key::CaldavUrl => "CalDAV address (calendars)",
        Key::CarddavUrl => "CardDAV address (contacts)",
        Key::SyncPasswordWith2fa => {
            "Two-factor authentication is on: devices need an application password."
        }
        Key::SyncPasswordWithout2fa => {
            "Password: an application password (recommended), or your account password."
        }
        Key::CreateAppPasswordForDevice => "Create an application password",
        Key::ChooseDevice => "Steps for your device",
        Key::DownloadAppleProfile => "Download the Apple profile",
        Key::StepsThunderbird => {
            "In Thunderbird, open the Calendar (or Address Book) and choose New Calendar… → On the Network (or New Address Book → Add CardDAV Address Book).\nUsername: {username}\nLocation: {server} — Thunderbird finds the calendars and address books by itself. If it asks for a full address, use {caldav} for calendars and {carddav} for contacts.\nPassword: an application password.\nTick the calendars and address books to sync and confirm."
        }
        Key::StepsApple => {
            "Create an application password with the button above and copy it.\nDownload the Apple profile on the Mac, iPhone or iPad and open it.\nmacOS: System Settings → Privacy & Security → Profiles (or General → Device Management); iPhone/iPad: Settings → Profile Downloaded. Install it.\nWhen asked for a password, paste the application password. Calendar and Contacts then show your calendars and address books."
        }
        Key::StepsAndroid => {
            "Install DAVx⁵ (from F-Droid or Google Play) and add an account with “Login with URL and user name”.\nBase URL: {server}\nUser name: {username}\nPassword: an application password.\nChoose the calendars and address books to sync; they appear in your phone's calendar and contacts apps."
        }
        Key::StepsOutlook => {
            "Install the free CalDav Synchronizer add-in for Outlook (Windows) and open its Synchronization Profiles.\nAdd a generic CalDAV/CardDAV profile, one per calendar or address book.\nDAV URL: {caldav} (calendars) or {carddav} (contacts); Username: {username}; Password: an application password.\nClick “Test or discover settings”, pick the calendar or address book, choose the Outlook folder and save."
        }
        Key::StepsEmClient => {
            "In eM Client, go to Menu → Accounts → Add account → Calendar (or Contacts) → CalDAV (or CardDAV).\nServer: {server}\nUser name: {username}; Password: an application password.\neM Client finds calendars and contacts; setting up CalDAV also sets up CardDAV."
        }
    }
}
