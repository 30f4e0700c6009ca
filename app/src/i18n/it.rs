use super::Key;

pub fn text(key: Key) -> &'static str {
    match key {
        Key::Mail => "Mail",
        Key::Calendar => "Calendario",
        Key::Contacts => "Contatti",
        Key::Links => "Link",
        Key::Settings => "Impostazioni",
        Key::MainNavigation => "Navigazione principale",
        Key::SkipToContent => "Vai al contenuto",
        Key::LogIn => "Accedi",
        Key::SignUp => "Registrati",
        Key::LogOut => "Esci",
        Key::Email => "Indirizzo e-mail",
        Key::Password => "Password",
        Key::DisplayName => "Il tuo nome",
        Key::CreateAccount => "Crea account",
        Key::NoAccountYet => "Non hai ancora un account?",
        Key::HaveAccount => "Hai già un account?",
        Key::PasswordHint => "Almeno 10 caratteri; alcune parole formano una buona password.",
        Key::LogInTitle => "Accedi a ksuite",
        Key::SignUpTitle => "Crea il tuo account ksuite",
        Key::Language => "Lingua",
        Key::TimeZone => "Fuso orario",
        Key::Theme => "Tema",
        Key::ThemeLight => "Chiaro",
        Key::ThemeDark => "Scuro",
        Key::ThemeSystem => "Come il sistema",
        Key::DirectoryCard => "Nella rubrica dell’organizzazione",
        Key::DirectoryCardHint => {
            "I colleghi vedono il tuo nome e indirizzo, e ciò che aggiungi qui, in Contatti e nelle rubriche dei loro telefoni e computer."
        }
        Key::DirectoryPhone => "Telefono di lavoro",
        Key::DirectoryJobTitle => "Ruolo",
        Key::DirectoryDepartment => "Reparto",
        Key::Save => "Salva",
        Key::Saved => "Salvato.",
        Key::Profile => "Profilo",
        Key::Loading => "Caricamento…",
        Key::PageNotFound => "Questa pagina non esiste.",
        Key::BackHome => "Torna alla pagina iniziale",
        Key::ErrEmailTaken => "Esiste già un account con questo indirizzo e-mail. Accedi.",
        Key::ErrWeakPassword => "Scegli una password più sicura.",
        Key::ErrInvalidCredentials => "L'indirizzo e-mail o la password non sono corretti.",
        Key::ErrTooManyAttempts => "Troppi tentativi falliti. Attendi qualche minuto e riprova.",
        Key::ErrNetwork => "Il server non è raggiungibile. Controlla la connessione.",
        Key::ErrCsrf => "La sessione è cambiata in un'altra scheda. Ricarica la pagina.",
        Key::ErrGeneric => "Si è verificato un errore. Riprova.",
        Key::Offline => {
            "Sei offline. Le modifiche non possono essere salvate finché la connessione non torna."
        }
        Key::InstallApp => "Installa l'app",
        Key::SenderUnverified => {
            "Attenzione: questo messaggio dichiara di provenire da un indirizzo di questo server, ma il mittente non ha effettuato l’accesso. Potrebbe essere falsificato."
        }
        Key::LeaveShared => "Rimuovi dal mio elenco",
        Key::ConfirmLeaveShared => {
            "Non ricevere più questa condivisione? Il proprietario la conserva e può condividerla di nuovo."
        }
        Key::Undo => "Annulla",
        Key::MovedToTrash => "Spostato nel cestino.",
        Key::MessageDeleted => "Messaggio eliminato.",
        Key::Repeats => "Si ripete",
        Key::DeleteRepeatingEvent => "Elimina un evento ricorrente:",
        Key::ThisEvent => "Questo evento",
        Key::ThisAndFollowing => "Questo e i successivi",
        Key::AllEvents => "Tutti gli eventi",
        Key::ViewThreeDays => "3 giorni",
        Key::ImportDone => "Eventi importati: {imported} · saltati: {skipped}",
        Key::ImportContactsDone => "Contatti importati: {imported} · saltati: {skipped}",
        Key::TwoFactorCodeMissing => {
            "Inserisci il codice di 6 cifre mostrato dalla tua app di autenticazione."
        }
        Key::SearchOptions => "Opzioni di ricerca",
        // Not yet translated: the English text stands in.
        _ => super::en::text(key),
    }
}
