use super::Key;

pub fn text(key: Key) -> &'static str {
    match key {
        Key::Mail => "Mail",
        Key::Calendar => "Calendrier",
        Key::Contacts => "Contacts",
        Key::Links => "Liens",
        Key::Settings => "Paramètres",
        Key::MainNavigation => "Navigation principale",
        Key::SkipToContent => "Aller au contenu",
        Key::LogIn => "Se connecter",
        Key::SignUp => "S'inscrire",
        Key::LogOut => "Se déconnecter",
        Key::Email => "Adresse e-mail",
        Key::Password => "Mot de passe",
        Key::DisplayName => "Votre nom",
        Key::CreateAccount => "Créer le compte",
        Key::NoAccountYet => "Pas encore de compte ?",
        Key::HaveAccount => "Vous avez déjà un compte ?",
        Key::PasswordHint => "Au moins 10 caractères ; quelques mots font un bon mot de passe.",
        Key::LogInTitle => "Connexion à ksuite",
        Key::SignUpTitle => "Créez votre compte ksuite",
        Key::Language => "Langue",
        Key::TimeZone => "Fuseau horaire",
        Key::Theme => "Thème",
        Key::ThemeLight => "Clair",
        Key::ThemeDark => "Sombre",
        Key::ThemeSystem => "Comme le système",
        Key::DirectoryCard => "Dans l’annuaire de l’organisation",
        Key::DirectoryCardHint => {
            "Vos collègues voient votre nom et votre adresse, et ce que vous ajoutez ici, dans Contacts et dans les carnets d’adresses de leurs téléphones et ordinateurs."
        }
        Key::DirectoryPhone => "Téléphone professionnel",
        Key::DirectoryJobTitle => "Fonction",
        Key::DirectoryDepartment => "Service",
        Key::Save => "Enregistrer",
        Key::Saved => "Enregistré.",
        Key::Profile => "Profil",
        Key::Loading => "Chargement…",
        Key::PageNotFound => "Cette page n'existe pas.",
        Key::BackHome => "Retour à la page d'accueil",
        Key::ErrEmailTaken => "Un compte existe déjà avec cette adresse e-mail. Connectez-vous.",
        Key::ErrWeakPassword => "Choisissez un mot de passe plus robuste.",
        Key::ErrInvalidCredentials => "L'adresse e-mail ou le mot de passe est incorrect.",
        Key::ErrTooManyAttempts => {
            "Trop de tentatives échouées. Patientez quelques minutes puis réessayez."
        }
        Key::ErrNetwork => "Le serveur est injoignable. Vérifiez votre connexion et réessayez.",
        Key::ErrCsrf => {
            "Votre session a changé dans un autre onglet. Rechargez la page et réessayez."
        }
        Key::ErrGeneric => "Une erreur s'est produite. Veuillez réessayer.",
        Key::Offline => {
            "Vous êtes hors ligne. Les modifications ne peuvent pas être enregistrées avant le retour de la connexion."
        }
        Key::NewLink => "Nouveau lien court",
        Key::TargetUrl => "Adresse à raccourcir",
        Key::CustomSlug => "Nom court personnalisé (facultatif)",
        Key::Validity => "Validité",
        Key::Days7 => "7 jours",
        Key::Days30 => "30 jours",
        Key::Months6 => "6 mois",
        Key::Year1 => "1 an",
        Key::Lifetime => "Illimitée",
        Key::LinkPassword => "Mot de passe (facultatif)",
        Key::MaxVisits => "Nombre maximal de visites (facultatif)",
        Key::MoreOptions => "Plus d'options",
        Key::Shorten => "Raccourcir",
        Key::QuotaLeft => "Il reste {left} nouveaux liens sur {limit} ce mois-ci",
        Key::Copy => "Copier",
        Key::Copied => "Copié !",
        Key::QrSvg => "Code QR (SVG)",
        Key::QrPng => "Code QR (PNG)",
        Key::SearchLinks => "Rechercher des liens",
        Key::SortBy => "Trier par",
        Key::SortNewest => "Plus récents d'abord",
        Key::SortOldest => "Plus anciens d'abord",
        Key::SortMostVisited => "Plus visités",
        Key::SortSlug => "Nom court",
        Key::VisitsLabel => "visites",
        Key::Expires => "Expire le",
        Key::NeverExpires => "N'expire jamais",
        Key::StatusActive => "Actif",
        Key::StatusDisabled => "Désactivé",
        Key::StatusExpired => "Expiré",
        Key::Disable => "Désactiver",
        Key::Enable => "Activer",
        Key::Delete => "Supprimer",
        Key::ConfirmDeleteLink => {
            "Supprimer ce lien court ? Il cessera de fonctionner immédiatement."
        }
        Key::EditTarget => "Modifier la cible",
        Key::NewTargetPrompt => "Nouvelle adresse cible",
        Key::Previous => "Précédent",
        Key::Next => "Suivant",
        Key::NoLinksYet => {
            "Aucun lien court pour l'instant. Raccourcissez votre première adresse ci-dessus."
        }
        Key::Protected => "Protégé par mot de passe",
        Key::VisitsPerDay => "Visites par jour",
        Key::ShowStats => "Statistiques",
        Key::PageOf => "Page {page} sur {pages}",
        Key::YourLinks => "Vos liens",
        Key::Today => "Aujourd'hui",
        Key::ViewMonth => "Mois",
        Key::ViewWeek => "Semaine",
        Key::ViewDay => "Jour",
        Key::ViewAgenda => "Agenda",
        Key::NewEvent => "Nouvel événement",
        Key::EditEvent => "Modifier l'événement",
        Key::EventTitle => "Titre",
        Key::AllDay => "Toute la journée",
        Key::Starts => "Début",
        Key::Ends => "Fin",
        Key::Location => "Lieu",
        Key::Description => "Description",
        Key::ShowAs => "Afficher comme",
        Key::Busy => "Occupé",
        Key::Free => "Disponible",
        Key::Repeat => "Répétition",
        Key::RepeatNone => "Ne se répète pas",
        Key::RepeatDaily => "Tous les jours",
        Key::RepeatWeekly => "Toutes les semaines",
        Key::RepeatMonthly => "Tous les mois",
        Key::RepeatYearly => "Tous les ans",
        Key::RepeatCustom => "Règle personnalisée (RRULE)",
        Key::ThisOccurrence => "Cette occurrence",
        Key::AllOccurrences => "Toutes les occurrences",
        Key::Cancel => "Annuler",
        Key::ConfirmDeleteEvent => "Supprimer cet événement ?",
        Key::MyCalendars => "Agendas",
        Key::NewCalendar => "Nouvel agenda",
        Key::CalendarName => "Nom de l'agenda",
        Key::Create => "Créer",
        Key::Import => "Importer .ics",
        Key::Export => "Exporter .ics",
        Key::ImportDone => "Événements importés : {imported} · ignorés : {skipped}",
        Key::NoEvents => "Aucun événement sur cette période.",
        Key::Close => "Fermer",
        Key::Calendar2 => "Agenda",
        Key::SharedBy => "Partagé par {owner}",
        Key::EditCalendar => "Réglages",
        Key::Color => "Couleur",
        Key::DeleteCalendar => "Supprimer l'agenda",
        Key::ChangePassword => "Changer le mot de passe",
        Key::CurrentPassword => "Mot de passe actuel",
        Key::NewPassword => "Nouveau mot de passe",
        Key::PasswordChanged => {
            "Votre mot de passe a été changé. Les autres navigateurs ont été déconnectés ; les appareils qui utilisent le mot de passe du compte doivent se reconnecter."
        }
        Key::ActiveSessions => "Navigateurs connectés",
        Key::ActiveSessionsHelp => {
            "Déconnectez tout navigateur que vous ne reconnaissez pas. Les appareils synchronisés avec un mot de passe d’application sont listés avec ceux-ci."
        }
        Key::ThisDevice => "Ce navigateur",
        Key::SignOut => "Déconnecter",
        Key::SignOutOthers => "Déconnecter partout ailleurs",
        Key::UnknownDevice => "Navigateur inconnu",
        Key::LastActive => "actif le {date}",
        Key::Users => "Utilisateurs",
        Key::PlanLabel => "Formule",
        Key::AdminFlag => "Administrateur",
        Key::DisabledFlag => "Désactivé",
        Key::Invitations => "Invitations",
        Key::InvitationsHelp => {
            "Quand l’inscription demande une invitation, envoyez ce lien. Chacun sert une fois, pendant 14 jours."
        }
        Key::InviteEmail => "Pour cette adresse seulement (facultatif)",
        Key::CreateInvitation => "Créer une invitation",
        Key::InvitationLink => "Lien d’invitation (affiché une seule fois) :",
        Key::InvitationUsed => "utilisée",
        Key::InvitationCode => "Code d’invitation",
        Key::Withdraw => "Retirer",
        Key::LeaveShared => "Retirer de ma liste",
        Key::ConfirmLeaveShared => {
            "Ne plus recevoir ce partage ? Son propriétaire le garde et peut le partager à nouveau."
        }
        Key::ConfirmDeleteCalendar => "Supprimer cet agenda et tous ses événements ?",
        Key::ShareWith => "Partager avec (e-mail)",
        Key::AccessRead => "Lecture seule",
        Key::AccessReadWrite => "Lecture et écriture",
        Key::Share => "Partager",
        Key::RemoveShare => "Retirer",
        Key::NewContact => "Nouveau contact",
        Key::EditContact => "Modifier le contact",
        Key::FirstName => "Prénom",
        Key::LastName => "Nom",
        Key::Organization => "Organisation",
        Key::JobTitle => "Fonction",
        Key::Phone => "Téléphone",
        Key::Street => "Rue",
        Key::City => "Ville",
        Key::PostalCode => "Code postal",
        Key::Country => "Pays",
        Key::Birthday => "Anniversaire",
        Key::Website => "Site web",
        Key::Notes => "Notes",
        Key::GroupsComma => "Groupes (séparés par des virgules)",
        Key::AllGroups => "Tous les groupes",
        Key::SearchContacts => "Rechercher des contacts",
        Key::SortFirstName => "Prénom",
        Key::SortLastName => "Nom",
        Key::NoContacts => "Aucun contact pour l'instant.",
        Key::ConfirmDeleteContact => "Supprimer ce contact ?",
        Key::ImportVcf => "Importer .vcf / .csv",
        Key::ExportVcf => "Exporter .vcf",
        Key::AddressBook => "Carnet d'adresses",
        Key::Edit => "Modifier",
        Key::ImportContactsDone => "Contacts importés : {imported} · ignorés : {skipped}",
        Key::GroupFilter => "Groupe",
        Key::MergeWith => "Fusionner un doublon dans ce contact",
        Key::Merge => "Fusionner",
        Key::Photo => "Photo (JPEG, PNG, GIF ou WebP, 1 Mo au plus)",
        Key::InstallApp => "Installer l'application",
        Key::TwoFactorCode => "Code d'authentification",
        Key::TwoFactorPrompt => {
            "Saisissez le code à 6 chiffres de votre application d'authentification, ou l'un de vos codes de secours."
        }
        Key::ErrInvalidTotp => {
            "Ce code n'est pas correct ou a déjà servi. Saisissez le code actuel."
        }
        Key::SettingsSecurity => "Sécurité",
        Key::SettingsSync => "Synchroniser des appareils",
        Key::TwoFactorTitle => "Authentification à deux facteurs",
        Key::TwoFactorOff => {
            "Désactivée. Activez-la pour qu'un mot de passe volé ne suffise pas à ouvrir votre compte."
        }
        Key::TwoFactorOn => {
            "Activée. La connexion demande un code de votre application d'authentification."
        }
        Key::TurnOn => "Activer",
        Key::TurnOff => "Désactiver",
        Key::ScanQr => {
            "Scannez ce code avec une application d'authentification (par exemple Aegis, FreeOTP ou Google Authenticator), ou saisissez la clé. Puis entrez le code affiché par l'application."
        }
        Key::SecretKey => "Clé",
        Key::Confirm => "Confirmer",
        Key::RecoveryCodesTitle => "Codes de secours",
        Key::RecoveryCodesHelp => {
            "Chaque code vous connecte une fois si vous perdez votre téléphone. Gardez-les en lieu sûr : ils ne sont affichés que maintenant."
        }
        Key::RecoveryCodesLeft => "Codes de secours restants : {n}",
        Key::Done => "Terminé",
        Key::PasswordToTurnOff => "Votre mot de passe, pour la désactiver",
        Key::AppPasswordsTitle => "Mots de passe d'application",
        Key::AppPasswordsHelp => {
            "Les appareils et applications qui synchronisent vos calendriers et contacts se connectent avec un mot de passe d'application plutôt qu'avec le mot de passe du compte. Avec l'authentification à deux facteurs, c'est le seul moyen."
        }
        Key::AppPasswordName => "Nom (l'appareil concerné)",
        Key::AppPasswordCreated => {
            "Votre nouveau mot de passe d'application. Copiez-le maintenant : il ne sera plus affiché."
        }
        Key::UsedByDav => "agendas et contacts",
        Key::UsedByImap => "lecture des e-mails (IMAP)",
        Key::UsedBySubmission => "envoi des e-mails (SMTP)",
        Key::NeverUsed => "Jamais utilisé",
        Key::LastUsed => "Dernière utilisation : {date}",
        Key::CreatedOn => "Créé le {date}",
        Key::Revoke => "Révoquer",
        Key::ConfirmRevoke => {
            "Révoquer ce mot de passe ? Les appareils qui l'utilisent cesseront de se synchroniser."
        }
        Key::NoAppPasswords => "Aucun mot de passe d'application pour l'instant.",
        Key::SyncIntro => {
            "Utilisez ces informations pour synchroniser vos calendriers et contacts avec Thunderbird, les appareils Apple, Android, Outlook ou eM Client."
        }
        Key::ServerUrl => "Adresse du serveur",
        Key::Username => "Nom d'utilisateur",
        Key::CaldavUrl => "Adresse CalDAV (calendriers)",
        Key::CarddavUrl => "Adresse CardDAV (contacts)",
        Key::SyncPasswordWith2fa => {
            "L'authentification à deux facteurs est activée : les appareils ont besoin d'un mot de passe d'application."
        }
        Key::SyncPasswordWithout2fa => {
            "Mot de passe : un mot de passe d'application (recommandé), ou celui de votre compte."
        }
        Key::CreateAppPasswordForDevice => "Créer un mot de passe d'application",
        Key::ChooseDevice => "Étapes pour votre appareil",
        Key::DownloadAppleProfile => "Télécharger le profil Apple",
        Key::StepsThunderbird => {
            "Dans Thunderbird, ouvrez l'Agenda (ou le Carnet d'adresses) et choisissez Nouvel agenda… → Sur le réseau (ou Nouveau carnet d'adresses → Ajouter un carnet CardDAV).\nNom d'utilisateur : {username}\nAdresse : {server} — Thunderbird trouve seul les agendas et carnets. S'il demande une adresse complète, utilisez {caldav} pour les agendas et {carddav} pour les contacts.\nMot de passe : un mot de passe d'application.\nCochez les agendas et carnets à synchroniser et validez."
        }
        Key::StepsApple => {
            "Créez un mot de passe d'application avec le bouton ci-dessus et copiez-le.\nTéléchargez le profil Apple sur le Mac, l'iPhone ou l'iPad et ouvrez-le.\nmacOS : Réglages Système → Confidentialité et sécurité → Profils (ou Général → Gestion des appareils) ; iPhone/iPad : Réglages → Profil téléchargé. Installez-le.\nQuand le mot de passe est demandé, collez le mot de passe d'application. Calendrier et Contacts affichent alors vos calendriers et carnets."
        }
        Key::StepsAndroid => {
            "Installez DAVx⁵ (F-Droid ou Google Play) et ajoutez un compte avec « Connexion avec une URL et un nom d'utilisateur ».\nURL de base : {server}\nNom d'utilisateur : {username}\nMot de passe : un mot de passe d'application.\nChoisissez les agendas et carnets à synchroniser ; ils apparaissent dans les applications Agenda et Contacts du téléphone."
        }
        Key::StepsOutlook => {
            "Installez le complément gratuit CalDav Synchronizer pour Outlook (Windows) et ouvrez ses profils de synchronisation.\nAjoutez un profil CalDAV/CardDAV générique, un par calendrier ou carnet.\nURL DAV : {caldav} (calendriers) ou {carddav} (contacts) ; Nom d'utilisateur : {username} ; Mot de passe : un mot de passe d'application.\nCliquez sur « Tester ou découvrir les paramètres », choisissez le calendrier ou le carnet, le dossier Outlook, et enregistrez."
        }
        Key::StepsEmClient => {
            "Dans eM Client, allez dans Menu → Comptes → Ajouter un compte → Calendrier (ou Contacts) → CalDAV (ou CardDAV).\nServeur : {server}\nNom d'utilisateur : {username} ; Mot de passe : un mot de passe d'application.\neM Client trouve calendriers et contacts ; configurer CalDAV configure aussi CardDAV."
        }
        Key::MailApps => "Applications de messagerie",
        Key::MailAppsIntro => {
            "Lisez et envoyez vos e-mails depuis Outlook, Thunderbird, Apple Mail ou l'application de votre téléphone. Connectez-vous avec votre adresse e-mail et un mot de passe d'application."
        }
        Key::MailServer => "Serveur de messagerie (entrant et sortant)",
        Key::ImapServer => "Courrier entrant (IMAP)",
        Key::SmtpServer => "Courrier sortant (SMTP)",
        Key::MailSecurity => "SSL/TLS",
        Key::MailStartTlsPorts => {
            "Pour les applications qui ne proposent que STARTTLS : port IMAP {imap}, port SMTP {submission}."
        }
        Key::MailSelfSigned => {
            "Ce serveur utilise son propre certificat : l'application demande une fois s'il faut lui faire confiance. Vérifiez que le nom du serveur est {host} et acceptez."
        }
        Key::StepsMailOutlook => {
            "Outlook : Fichier → Ajouter un compte, saisissez {address}, puis Options avancées → Configurer mon compte manuellement → IMAP.\nCourrier entrant : {host}, port {imaps}, chiffrement SSL/TLS.\nCourrier sortant : {host}, port {submissions}, chiffrement SSL/TLS.\nNom d'utilisateur : {username} ; mot de passe : un mot de passe d'application. Le courrier sortant utilise la même connexion."
        }
        Key::StepsMailThunderbird => {
            "Thunderbird : Paramètres des comptes → Gestion des comptes → Ajouter un compte de messagerie. Saisissez votre nom, {address} et un mot de passe d'application.\nThunderbird trouve seul les serveurs ({host}, port IMAP {imaps} et port SMTP {submissions}, SSL/TLS).\nS'il demande un nom d'utilisateur, utilisez {username}."
        }
        Key::StepsMailApple => {
            "Le profil Apple ci-dessus configure aussi Mail : installez-le et collez le mot de passe d'application quand il est demandé.\nÀ la main : Réglages → Mail → Comptes → Ajouter un compte → Autre → Ajouter un compte Mail, saisissez {address}, choisissez IMAP.\nServeur entrant et sortant : {host} ; nom d'utilisateur {username} ; mot de passe : un mot de passe d'application (SSL activé, ports {imaps} et {submissions})."
        }
        Key::StepsMailPhone => {
            "Android (Gmail, K-9/Thunderbird, FairEmail) ou iOS : ajoutez un compte de type « Autre » / « Personnel (IMAP) » avec {address}.\nEntrant : {host}, port {imaps}, sécurité SSL/TLS. Sortant : {host}, port {submissions}, sécurité SSL/TLS, authentification requise.\nNom d'utilisateur {username} ; mot de passe : un mot de passe d'application."
        }
        Key::MailInbox => "Boîte de réception",
        Key::MailDrafts => "Brouillons",
        Key::MailSent => "Envoyés",
        Key::MailArchive => "Archives",
        Key::MailSpam => "Spam",
        Key::MailTrash => "Corbeille",
        Key::SearchMail => "Rechercher dans les e-mails",
        Key::UnreadOnly => "Non lus",
        Key::WithAttachments => "Avec pièces jointes",
        Key::LoadMore => "Afficher plus",
        Key::NoMessages => "Aucun message ici.",
        Key::MarkUnread => "Marquer comme non lu",
        Key::FlagMessage => "Marquer",
        Key::UnflagMessage => "Retirer la marque",
        Key::MoveTo => "Déplacer vers…",
        Key::DeletedMail => "Restaurer des e-mails supprimés",
        Key::DeletedMailHelp => "Les messages supprimés de la corbeille restent ici {days} jours.",
        Key::Restore => "Restaurer",
        Key::DownloadEml => "Télécharger .eml",
        Key::Attachments => "Pièces jointes",
        Key::FromLabel => "De",
        Key::ToLabel => "À",
        Key::CcLabel => "Cc",
        Key::SelectMessage => "Sélectionnez un message pour le lire.",
        Key::MailAddressIs => "Votre adresse : {address}",
        Key::BackToList => "Retour",
        Key::NoSubject => "(sans objet)",
        Key::SearchResults => "Résultats de la recherche",
        Key::SenderUnverified => {
            "Prudence : ce message prétend venir d’une adresse de ce serveur, mais son expéditeur ne s’est pas connecté. Il est peut-être falsifié."
        }
        Key::RemoteImagesBlocked => {
            "Les images distantes sont bloquées pour protéger votre vie privée."
        }
        Key::ShowImages => "Afficher les images",
        Key::AdminOnly => "Seuls les administrateurs du serveur gèrent les adresses e-mail.",
        Key::Conversations => "Conversations",
        Key::NewFolder => "Nouveau dossier",
        Key::NewSubfolder => "Nouveau sous-dossier",
        Key::RenameFolder => "Renommer le dossier",
        Key::DeleteFolder => "Supprimer le dossier",
        Key::FolderNamePrompt => "Nom du dossier",
        Key::ConfirmDeleteFolder => {
            "Supprimer ce dossier et ses sous-dossiers ? Leurs messages vont à la corbeille."
        }
        Key::EmptyTrash => "Vider la corbeille",
        Key::ConfirmEmptyTrash => {
            "Vider la corbeille ? Ses messages restent récupérables un temps dans « Restaurer les e-mails supprimés »."
        }
        Key::DateFrom => "Depuis le",
        Key::DateTo => "Jusqu’au",
        Key::ConversationCount => "Conversation : {count} messages",
        Key::Administration => "Administration",
        Key::MailAddresses => "Adresses e-mail",
        Key::MailAddressesHelp => {
            "Créez des adresses dans le domaine de ce serveur et choisissez qui peut les lire, envoyer en leur nom ou les gérer."
        }
        Key::NewAddress => "Nouvelle adresse",
        Key::PermRead => "Lecture",
        Key::PermSend => "Lecture et envoi",
        Key::PermManage => "Gestion",
        Key::Permission => "Droit",
        Key::GiveAccess => "Donner accès",
        Key::RemoveAccess => "Retirer l’accès",
        Key::Add => "Ajouter",
        Key::MessageCount => "{count} messages",
        Key::ConfirmDeleteAddress => {
            "Supprimer {address} supprime aussi ses {count} messages. Saisissez l’adresse pour confirmer."
        }
        Key::NewMessage => "Nouveau message",
        Key::Reply => "Répondre",
        Key::ReplyAll => "Répondre à tous",
        Key::Forward => "Transférer",
        Key::ContinueWriting => "Reprendre le brouillon",
        Key::Send => "Envoyer",
        Key::SaveDraft => "Enregistrer le brouillon",
        Key::Discard => "Abandonner",
        Key::SubjectLabel => "Objet",
        Key::DateLabel => "Date",
        Key::BccLabel => "Cci",
        Key::AddCcBcc => "Cc / Cci",
        Key::RemoveRecipient => "Retirer",
        Key::RichText => "Texte enrichi",
        Key::Formatting => "Mise en forme",
        Key::Bold => "Gras",
        Key::Italic => "Italique",
        Key::Underline => "Souligné",
        Key::BulletList => "Liste à puces",
        Key::InsertLink => "Insérer un lien",
        Key::LinkAddress => "Adresse du lien (https://…)",
        Key::MessageBody => "Message",
        Key::AttachFiles => "Joindre des fichiers",
        Key::Uploading => "Envoi en cours",
        Key::RemoveAttachment => "Retirer la pièce jointe",
        Key::WaitForUploads => "Attendez la fin de l’envoi des pièces jointes.",
        Key::DraftSaved => "Brouillon enregistré {time}.",
        Key::DraftNotSaved => "Brouillon non enregistré : {reason}",
        Key::MessageSent => "Message envoyé.",
        Key::MessageQueued => {
            "Message envoyé ; la remise vers d’autres serveurs est en file d’attente (voir Envoyés)."
        }
        Key::OnDateWrote => "Le {date}, {who} a écrit :",
        Key::ForwardedMessage => "---------- Message transféré ----------",
        Key::DeliveryQueued => "En attente de remise à {recipients} ; prochain essai {time}.",
        Key::DeliverySent => "Remis au serveur d’envoi pour {recipients}.",
        Key::DeliveryFailed => "N’a pas pu être remis à {recipients}.",
        Key::RetryNow => "Réessayer",
        Key::SettingsMail => "Mail",
        Key::Signatures => "Signatures",
        Key::SignatureFor => "Signature pour {address}",
        Key::Filters => "Filtres",
        Key::FiltersHelp => {
            "Les filtres s’appliquent dans cet ordre à chaque message reçu sur vos adresses."
        }
        Key::NewFilter => "Nouveau filtre",
        Key::FilterName => "Nom",
        Key::MatchAll => "Toutes les conditions",
        Key::MatchAny => "Au moins une condition",
        Key::Conditions => "Conditions",
        Key::FilterActions => "Actions",
        Key::AddCondition => "Ajouter une condition",
        Key::AddAction => "Ajouter une action",
        Key::StopAfter => "S’arrêter ici : ignorer les filtres suivants",
        Key::FilterEnabled => "Actif",
        Key::FieldFrom => "De",
        Key::FieldTo => "À ou Cc",
        Key::FieldSubject => "Objet",
        Key::FieldBody => "Corps",
        Key::FieldSize => "Taille (Kio)",
        Key::OpContains => "contient",
        Key::OpNotContains => "ne contient pas",
        Key::OpIs => "est",
        Key::OpGreater => "est plus grand que",
        Key::OpLess => "est plus petit que",
        Key::ActMove => "Déplacer vers le dossier",
        Key::ActMarkRead => "Marquer comme lu",
        Key::ActFlag => "Marquer d’un drapeau",
        Key::ActForward => "Transférer à",
        Key::ActDelete => "Mettre à la corbeille",
        Key::MoveUp => "Monter",
        Key::MoveDown => "Descendre",
        Key::NoFilters => "Aucun filtre pour l’instant.",
        Key::SettingsNotifications => "Notifications",
        Key::SettingsIntegrations => "Intégrations",
        Key::NotificationsTitle => "Notifications du navigateur",
        Key::NotificationsIntro => {
            "Les rappels de type « Notification du navigateur » s'affichent sur chaque appareil activé ici, même quand ksuite est fermé."
        }
        Key::EnableOnDevice => "Activer sur cet appareil",
        Key::NotificationsOn => "Les notifications sont activées sur cet appareil.",
        Key::NotificationsDenied => {
            "Les notifications sont bloquées pour ce site : autorisez-les dans les réglages du navigateur, puis réessayez."
        }
        Key::NotificationsUnsupported => {
            "Ce navigateur ne peut pas recevoir de notifications (sur iPhone et iPad, ajoutez d'abord ksuite à l'écran d'accueil)."
        }
        Key::SendTest => "Envoyer un test",
        Key::Devices => "Appareils",
        Key::NoDevices => "Aucun appareil ne reçoit encore de notifications.",
        Key::Remove => "Retirer",
        Key::WebhooksTitle => "Webhooks de messagerie",
        Key::WebhooksIntro => {
            "Les rappels peuvent être publiés dans une messagerie (kChat, Mattermost, Slack, Discord, Teams…). Dans le message, %subject%, %date%, %description% et %location% sont remplacés par les détails de l'événement."
        }
        Key::WebhookName => "Nom",
        Key::WebhookUrl => "URL du webhook",
        Key::WebhookTemplate => "Message",
        Key::WebhookFormat => "Messagerie",
        Key::AddWebhook => "Ajouter un webhook",
        Key::NoWebhooks => "Aucun webhook pour l'instant.",
        Key::RecentDeliveries => "Derniers envois",
        Key::Reminders => "Rappels",
        Key::AddReminder => "Ajouter un rappel",
        Key::ReminderNotification => "Notification du navigateur",
        Key::ReminderEmail => "E-mail",
        Key::NoReminders => "Aucun rappel.",
        Key::RemoveReminder => "Retirer le rappel",
        Key::ReminderTime => "Quand",
        Key::ReminderChannel => "Comment",
        Key::DefaultReminders => "Rappels par défaut des nouveaux événements",
        Key::DefaultAllDayReminders => "Rappels par défaut des nouveaux événements sur la journée",
        Key::Undo => "Annuler",
        Key::MovedToTrash => "Déplacé dans la corbeille.",
        Key::MessageDeleted => "Message supprimé.",
        Key::Repeats => "Se répète",
        Key::DeleteRepeatingEvent => "Supprimer un événement récurrent :",
        Key::ThisEvent => "Cet événement",
        Key::ThisAndFollowing => "Cet événement et les suivants",
        Key::AllEvents => "Tous les événements",
        Key::ViewThreeDays => "3 jours",
        Key::TwoFactorCodeMissing => {
            "Saisissez le code à 6 chiffres affiché par votre application d’authentification."
        }
        Key::SearchOptions => "Options de recherche",
    }
}
