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
        Key::DirectoryCard => "In the organization directory",
        Key::DirectoryCardHint => {
            "Colleagues see your name and address, and what you add here, in Contacts and in the address books of their phones and computers."
        }
        Key::DirectoryPhone => "Work phone",
        Key::DirectoryJobTitle => "Job title",
        Key::DirectoryDepartment => "Department",
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
        Key::ImportDone => "Events imported: {imported} · skipped: {skipped}",
        Key::NoEvents => "No events in this period.",
        Key::Close => "Close",
        Key::Calendar2 => "Calendar",
        Key::SharedBy => "Shared by {owner}",
        Key::EditCalendar => "Settings",
        Key::Color => "Colour",
        Key::DeleteCalendar => "Delete calendar",
        Key::ChangePassword => "Change password",
        Key::CurrentPassword => "Current password",
        Key::NewPassword => "New password",
        Key::PasswordChanged => {
            "Your password was changed. Other browsers were signed out; devices that use the account password must sign in again."
        }
        Key::ActiveSessions => "Signed-in browsers",
        Key::ActiveSessionsHelp => {
            "Sign out any browser you do not recognise. Devices syncing with an application password are listed under application passwords."
        }
        Key::ThisDevice => "This browser",
        Key::SignOut => "Sign out",
        Key::SignOutOthers => "Sign out everywhere else",
        Key::UnknownDevice => "Unknown browser",
        Key::LastActive => "last active {date}",
        Key::Users => "Users",
        Key::PlanLabel => "Plan",
        Key::AdminFlag => "Administrator",
        Key::DisabledFlag => "Disabled",
        Key::Invitations => "Invitations",
        Key::InvitationsHelp => {
            "When sign-up needs an invitation, send people this link. Each works once, for 14 days."
        }
        Key::InviteEmail => "For this e-mail address only (optional)",
        Key::CreateInvitation => "Create invitation",
        Key::InvitationLink => "Invitation link (shown once):",
        Key::InvitationUsed => "used",
        Key::InvitationCode => "Invitation code",
        Key::Withdraw => "Withdraw",
        Key::LeaveShared => "Remove from my list",
        Key::ConfirmLeaveShared => {
            "Stop receiving this shared item? Its owner keeps it; they can share it again."
        }
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
        Key::ImportContactsDone => "Contacts imported: {imported} · skipped: {skipped}",
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
        Key::UsedByDav => "calendars and contacts",
        Key::UsedByImap => "reading mail (IMAP)",
        Key::UsedBySubmission => "sending mail (SMTP)",
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
        Key::MailApps => "Mail apps",
        Key::MailAppsIntro => {
            "Read and send mail from Outlook, Thunderbird, Apple Mail or your phone's mail app. Sign in with your e-mail address and an application password."
        }
        Key::MailServer => "Mail server (incoming and outgoing)",
        Key::ImapServer => "Incoming mail (IMAP)",
        Key::SmtpServer => "Outgoing mail (SMTP)",
        Key::MailSecurity => "SSL/TLS",
        Key::MailStartTlsPorts => {
            "Apps that only offer STARTTLS: IMAP port {imap}, SMTP port {submission}."
        }
        Key::MailSelfSigned => {
            "This server uses its own certificate: the app asks once whether to trust it. Check that the server name is {host} and accept."
        }
        Key::StepsMailOutlook => {
            "Outlook: File → Add Account, type {address}, then Advanced options → Let me set up my account manually → IMAP.\nIncoming mail: {host}, port {imaps}, encryption SSL/TLS.\nOutgoing mail: {host}, port {submissions}, encryption SSL/TLS.\nUser name: {username}; password: an application password. Outgoing mail uses the same sign-in."
        }
        Key::StepsMailThunderbird => {
            "Thunderbird: Account Settings → Account Actions → Add Mail Account. Type your name, {address} and an application password.\nThunderbird finds the servers itself ({host}, IMAP port {imaps} and SMTP port {submissions}, SSL/TLS).\nIf it asks for a user name, use {username}."
        }
        Key::StepsMailApple => {
            "The Apple profile above also sets up Mail: install it and paste the application password when asked.\nBy hand: Settings → Mail → Accounts → Add Account → Other → Add Mail Account, type {address}, choose IMAP.\nIncoming and outgoing server: {host}; user name {username}; password: an application password (SSL on, ports {imaps} and {submissions})."
        }
        Key::StepsMailPhone => {
            "Android (Gmail, K-9/Thunderbird, FairEmail) or iOS: add an account of type “Other” / “Personal (IMAP)” with {address}.\nIncoming: {host}, port {imaps}, security SSL/TLS. Outgoing: {host}, port {submissions}, security SSL/TLS, sign-in required.\nUser name {username}; password: an application password."
        }
        Key::MailInbox => "Inbox",
        Key::MailDrafts => "Drafts",
        Key::MailSent => "Sent",
        Key::MailArchive => "Archive",
        Key::MailSpam => "Spam",
        Key::MailTrash => "Trash",
        Key::SearchMail => "Search mail",
        Key::UnreadOnly => "Unread",
        Key::WithAttachments => "With attachments",
        Key::LoadMore => "Load more",
        Key::NoMessages => "No messages here.",
        Key::MarkUnread => "Mark unread",
        Key::FlagMessage => "Flag",
        Key::UnflagMessage => "Unflag",
        Key::MoveTo => "Move to…",
        Key::DeletedMail => "Restore deleted e-mails",
        Key::DeletedMailHelp => "Messages deleted from the Trash stay here for {days} days.",
        Key::Restore => "Restore",
        Key::DownloadEml => "Download .eml",
        Key::Attachments => "Attachments",
        Key::FromLabel => "From",
        Key::ToLabel => "To",
        Key::CcLabel => "Cc",
        Key::SelectMessage => "Select a message to read it.",
        Key::MailAddressIs => "Your address: {address}",
        Key::BackToList => "Back",
        Key::NoSubject => "(no subject)",
        Key::SearchResults => "Search results",
        Key::SenderUnverified => {
            "Be careful: this message claims to come from an address of this server, but its sender did not sign in. It may be forged."
        }
        Key::RemoteImagesBlocked => "Remote images are blocked to protect your privacy.",
        Key::ShowImages => "Show images",
        Key::AdminOnly => "Only the server's administrators manage mail addresses.",
        Key::Conversations => "Conversations",
        Key::NewFolder => "New folder",
        Key::NewSubfolder => "New folder inside",
        Key::RenameFolder => "Rename folder",
        Key::DeleteFolder => "Delete folder",
        Key::FolderNamePrompt => "Folder name",
        Key::ConfirmDeleteFolder => {
            "Delete this folder and its subfolders? Their messages go to the Trash."
        }
        Key::EmptyTrash => "Empty Trash",
        Key::ConfirmEmptyTrash => {
            "Empty the Trash? Its messages stay restorable under “Restore deleted e-mails” for a while."
        }
        Key::DateFrom => "From date",
        Key::DateTo => "To date",
        Key::ConversationCount => "Conversation: {count} messages",
        Key::Administration => "Administration",
        Key::MailAddresses => "Mail addresses",
        Key::MailAddressesHelp => {
            "Create addresses in this server's mail domain and choose who may read them, send as them or manage them."
        }
        Key::NewAddress => "New address",
        Key::PermRead => "Read",
        Key::PermSend => "Read and send as",
        Key::PermManage => "Manage",
        Key::Permission => "Permission",
        Key::GiveAccess => "Give access",
        Key::RemoveAccess => "Remove access",
        Key::Add => "Add",
        Key::MessageCount => "{count} messages",
        Key::ConfirmDeleteAddress => {
            "Deleting {address} also deletes its {count} messages. Type the address to confirm."
        }
        Key::NewMessage => "New message",
        Key::Reply => "Reply",
        Key::ReplyAll => "Reply all",
        Key::Forward => "Forward",
        Key::ContinueWriting => "Continue writing",
        Key::Send => "Send",
        Key::SaveDraft => "Save draft",
        Key::Discard => "Discard",
        Key::SubjectLabel => "Subject",
        Key::DateLabel => "Date",
        Key::BccLabel => "Bcc",
        Key::AddCcBcc => "Cc / Bcc",
        Key::RemoveRecipient => "Remove",
        Key::RichText => "Rich text",
        Key::Formatting => "Formatting",
        Key::Bold => "Bold",
        Key::Italic => "Italic",
        Key::Underline => "Underline",
        Key::BulletList => "Bulleted list",
        Key::InsertLink => "Insert link",
        Key::LinkAddress => "Link address (https://…)",
        Key::MessageBody => "Message",
        Key::AttachFiles => "Attach files",
        Key::Uploading => "Uploading",
        Key::RemoveAttachment => "Remove attachment",
        Key::WaitForUploads => "Wait until the attachments are uploaded.",
        Key::DraftSaved => "Draft saved {time}.",
        Key::DraftNotSaved => "Draft not saved: {reason}",
        Key::MessageSent => "Message sent.",
        Key::MessageQueued => "Message sent; delivery to other servers is queued (see Sent).",
        Key::OnDateWrote => "On {date}, {who} wrote:",
        Key::ForwardedMessage => "---------- Forwarded message ----------",
        Key::DeliveryQueued => "Waiting to be delivered to {recipients}; next try {time}.",
        Key::DeliverySent => "Handed to the outgoing mail server for {recipients}.",
        Key::DeliveryFailed => "Could not be delivered to {recipients}.",
        Key::RetryNow => "Retry now",
        Key::SettingsMail => "Mail",
        Key::Signatures => "Signatures",
        Key::SignatureFor => "Signature for {address}",
        Key::Filters => "Filters",
        Key::FiltersHelp => {
            "Filters run in this order on every message arriving at your addresses."
        }
        Key::NewFilter => "New filter",
        Key::FilterName => "Name",
        Key::MatchAll => "All conditions",
        Key::MatchAny => "Any condition",
        Key::Conditions => "Conditions",
        Key::FilterActions => "Actions",
        Key::AddCondition => "Add condition",
        Key::AddAction => "Add action",
        Key::StopAfter => "Stop here: skip later filters",
        Key::FilterEnabled => "Enabled",
        Key::FieldFrom => "From",
        Key::FieldTo => "To or Cc",
        Key::FieldSubject => "Subject",
        Key::FieldBody => "Body",
        Key::FieldSize => "Size (KiB)",
        Key::OpContains => "contains",
        Key::OpNotContains => "does not contain",
        Key::OpIs => "is",
        Key::OpGreater => "is larger than",
        Key::OpLess => "is smaller than",
        Key::ActMove => "Move to folder",
        Key::ActMarkRead => "Mark read",
        Key::ActFlag => "Flag",
        Key::ActForward => "Forward to",
        Key::ActDelete => "Move to Trash",
        Key::MoveUp => "Move up",
        Key::MoveDown => "Move down",
        Key::NoFilters => "No filters yet.",
        Key::SettingsNotifications => "Notifications",
        Key::SettingsIntegrations => "Integrations",
        Key::NotificationsTitle => "Browser notifications",
        Key::NotificationsIntro => {
            "Reminders you set to \"Browser notification\" appear on every device enabled here, even when ksuite is closed."
        }
        Key::EnableOnDevice => "Enable on this device",
        Key::NotificationsOn => "Notifications are on for this device.",
        Key::NotificationsDenied => {
            "Notifications are blocked for this site: allow them in the browser's site settings, then try again."
        }
        Key::NotificationsUnsupported => {
            "This browser cannot receive notifications (on iPhone and iPad, add ksuite to the home screen first)."
        }
        Key::SendTest => "Send a test",
        Key::Devices => "Devices",
        Key::NoDevices => "No device receives notifications yet.",
        Key::Remove => "Remove",
        Key::WebhooksTitle => "Chat webhooks",
        Key::WebhooksIntro => {
            "Reminders can post to a chat (kChat, Mattermost, Slack, Discord, Teams…). In the message, %subject%, %date%, %description% and %location% are replaced by the event's details."
        }
        Key::WebhookName => "Name",
        Key::WebhookUrl => "Webhook URL",
        Key::WebhookTemplate => "Message",
        Key::WebhookFormat => "Chat tool",
        Key::AddWebhook => "Add a webhook",
        Key::NoWebhooks => "No webhooks yet.",
        Key::RecentDeliveries => "Recent deliveries",
        Key::Reminders => "Reminders",
        Key::AddReminder => "Add a reminder",
        Key::ReminderNotification => "Browser notification",
        Key::ReminderEmail => "E-mail",
        Key::NoReminders => "No reminders.",
        Key::RemoveReminder => "Remove reminder",
        Key::ReminderTime => "When",
        Key::ReminderChannel => "How",
        Key::DefaultReminders => "Default reminders for new events",
        Key::DefaultAllDayReminders => "Default reminders for new all-day events",
        Key::Undo => "Undo",
        Key::MovedToTrash => "Moved to Trash.",
        Key::MessageDeleted => "Message deleted.",
        Key::Repeats => "Repeats",
        Key::DeleteRepeatingEvent => "Delete a repeating event:",
        Key::ThisEvent => "This event",
        Key::ThisAndFollowing => "This and following events",
        Key::AllEvents => "All events",
        Key::ViewThreeDays => "3 days",
        Key::TwoFactorCodeMissing => "Enter the 6-digit code your authenticator app shows.",
        Key::SearchOptions => "Search options",
    }
}
