use super::Key;

pub fn text(key: Key) -> &'static str {
    match key {
        Key::Mail => "Mail",
        Key::Calendar => "Kalender",
        Key::Contacts => "Kontakte",
        Key::Links => "Links",
        Key::Settings => "Einstellungen",
        Key::MainNavigation => "Hauptnavigation",
        Key::SkipToContent => "Zum Inhalt springen",
        Key::LogIn => "Anmelden",
        Key::SignUp => "Registrieren",
        Key::LogOut => "Abmelden",
        Key::Email => "E-Mail-Adresse",
        Key::Password => "Passwort",
        Key::DisplayName => "Ihr Name",
        Key::CreateAccount => "Konto erstellen",
        Key::NoAccountYet => "Noch kein Konto?",
        Key::HaveAccount => "Sie haben bereits ein Konto?",
        Key::PasswordHint => "Mindestens 10 Zeichen; einige Wörter ergeben ein gutes Passwort.",
        Key::LogInTitle => "Bei ksuite anmelden",
        Key::SignUpTitle => "Ihr ksuite-Konto erstellen",
        Key::Language => "Sprache",
        Key::TimeZone => "Zeitzone",
        Key::Theme => "Design",
        Key::ThemeLight => "Hell",
        Key::ThemeDark => "Dunkel",
        Key::ThemeSystem => "Wie das System",
        Key::DirectoryCard => "Im Verzeichnis der Organisation",
        Key::DirectoryCardHint => {
            "Kollegen sehen Ihren Namen, Ihre Adresse und was Sie hier angeben in Kontakte und in den Adressbüchern ihrer Telefone und Computer."
        }
        Key::DirectoryPhone => "Telefon (geschäftlich)",
        Key::DirectoryJobTitle => "Position",
        Key::DirectoryDepartment => "Abteilung",
        Key::Save => "Speichern",
        Key::Saved => "Gespeichert.",
        Key::Profile => "Profil",
        Key::Loading => "Wird geladen…",
        Key::PageNotFound => "Diese Seite existiert nicht.",
        Key::BackHome => "Zurück zur Startseite",
        Key::ErrEmailTaken => {
            "Mit dieser E-Mail-Adresse gibt es bereits ein Konto. Melden Sie sich an."
        }
        Key::ErrWeakPassword => "Wählen Sie ein stärkeres Passwort.",
        Key::ErrInvalidCredentials => "E-Mail-Adresse oder Passwort ist falsch.",
        Key::ErrTooManyAttempts => {
            "Zu viele Fehlversuche. Warten Sie einige Minuten und versuchen Sie es erneut."
        }
        Key::ErrNetwork => "Der Server ist nicht erreichbar. Prüfen Sie Ihre Verbindung.",
        Key::ErrCsrf => {
            "Ihre Sitzung hat sich in einem anderen Tab geändert. Laden Sie die Seite neu."
        }
        Key::ErrGeneric => "Etwas ist schiefgelaufen. Bitte versuchen Sie es erneut.",
        Key::Offline => {
            "Sie sind offline. Änderungen können erst gespeichert werden, wenn die Verbindung zurück ist."
        }
        Key::InstallApp => "App installieren",
        Key::SenderUnverified => {
            "Vorsicht: Diese Nachricht gibt vor, von einer Adresse dieses Servers zu stammen, aber der Absender hat sich nicht angemeldet. Sie könnte gefälscht sein."
        }
        Key::LeaveShared => "Aus meiner Liste entfernen",
        Key::ConfirmLeaveShared => {
            "Diese Freigabe nicht mehr erhalten? Der Eigentümer behält sie und kann sie erneut freigeben."
        }
        Key::Undo => "Rückgängig",
        Key::MovedToTrash => "In den Papierkorb verschoben.",
        Key::MessageDeleted => "Nachricht gelöscht.",
        Key::Repeats => "Wiederholt sich",
        Key::DeleteRepeatingEvent => "Wiederkehrenden Termin löschen:",
        Key::ThisEvent => "Nur diesen Termin",
        Key::ThisAndFollowing => "Diesen und alle folgenden",
        Key::AllEvents => "Alle Termine",
        Key::ViewThreeDays => "3 Tage",
        Key::ImportDone => "Importierte Termine: {imported} · übersprungen: {skipped}",
        Key::ImportContactsDone => "Importierte Kontakte: {imported} · übersprungen: {skipped}",
        Key::TwoFactorCodeMissing => {
            "Geben Sie den 6-stelligen Code aus Ihrer Authentifizierungs-App ein."
        }
        Key::SearchOptions => "Suchoptionen",
        // Not yet translated: the English text stands in.
        _ => super::en::text(key),
    }
}
