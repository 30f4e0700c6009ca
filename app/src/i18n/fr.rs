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
        Key::ComingSoon => "Bientôt disponible",
        Key::ComingSoonBody => {
            "Cette application est en cours de construction et apparaîtra ici dans une prochaine version."
        }
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
        Key::InstallApp => "Installer l'application",
    }
}
