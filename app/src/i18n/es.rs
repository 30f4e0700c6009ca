use super::Key;

pub fn text(key: Key) -> &'static str {
    match key {
        Key::Mail => "Correo",
        Key::Calendar => "Calendario",
        Key::Contacts => "Contactos",
        Key::Links => "Enlaces",
        Key::Settings => "Ajustes",
        Key::MainNavigation => "Navegación principal",
        Key::SkipToContent => "Saltar al contenido",
        Key::LogIn => "Iniciar sesión",
        Key::SignUp => "Registrarse",
        Key::LogOut => "Cerrar sesión",
        Key::Email => "Correo electrónico",
        Key::Password => "Contraseña",
        Key::DisplayName => "Tu nombre",
        Key::CreateAccount => "Crear cuenta",
        Key::NoAccountYet => "¿Aún no tienes cuenta?",
        Key::HaveAccount => "¿Ya tienes una cuenta?",
        Key::PasswordHint => {
            "Al menos 10 caracteres; unas cuantas palabras forman una buena contraseña."
        }
        Key::LogInTitle => "Inicia sesión en ksuite",
        Key::SignUpTitle => "Crea tu cuenta de ksuite",
        Key::Language => "Idioma",
        Key::TimeZone => "Zona horaria",
        Key::Theme => "Tema",
        Key::ThemeLight => "Claro",
        Key::ThemeDark => "Oscuro",
        Key::ThemeSystem => "Como el sistema",
        Key::DirectoryCard => "En el directorio de la organización",
        Key::DirectoryCardHint => {
            "Tus compañeros ven tu nombre y dirección, y lo que añadas aquí, en Contactos y en las libretas de direcciones de sus teléfonos y ordenadores."
        }
        Key::DirectoryPhone => "Teléfono del trabajo",
        Key::DirectoryJobTitle => "Cargo",
        Key::DirectoryDepartment => "Departamento",
        Key::Save => "Guardar",
        Key::Saved => "Guardado.",
        Key::Profile => "Perfil",
        Key::Loading => "Cargando…",
        Key::PageNotFound => "Esta página no existe.",
        Key::BackHome => "Volver a la página de inicio",
        Key::ErrEmailTaken => "Ya existe una cuenta con este correo. Inicia sesión.",
        Key::ErrWeakPassword => "Elige una contraseña más segura.",
        Key::ErrInvalidCredentials => "El correo o la contraseña son incorrectos.",
        Key::ErrTooManyAttempts => {
            "Demasiados intentos fallidos. Espera unos minutos y vuelve a intentarlo."
        }
        Key::ErrNetwork => "No se puede contactar con el servidor. Comprueba tu conexión.",
        Key::ErrCsrf => "Tu sesión cambió en otra pestaña. Recarga la página.",
        Key::ErrGeneric => "Algo salió mal. Inténtalo de nuevo.",
        Key::Offline => {
            "Estás sin conexión. Los cambios no se pueden guardar hasta que vuelva la conexión."
        }
        Key::InstallApp => "Instalar la aplicación",
        Key::SenderUnverified => {
            "Cuidado: este mensaje dice venir de una dirección de este servidor, pero su remitente no inició sesión. Podría estar falsificado."
        }
        Key::LeaveShared => "Quitar de mi lista",
        Key::ConfirmLeaveShared => {
            "¿Dejar de recibir este elemento compartido? Su propietario lo conserva y puede volver a compartirlo."
        }
        Key::Undo => "Deshacer",
        Key::MovedToTrash => "Movido a la papelera.",
        Key::MessageDeleted => "Mensaje eliminado.",
        Key::Repeats => "Se repite",
        Key::DeleteRepeatingEvent => "Eliminar un evento periódico:",
        Key::ThisEvent => "Este evento",
        Key::ThisAndFollowing => "Este y los siguientes",
        Key::AllEvents => "Todos los eventos",
        Key::ViewThreeDays => "3 días",
        Key::ImportDone => "Eventos importados: {imported} · omitidos: {skipped}",
        Key::ImportContactsDone => "Contactos importados: {imported} · omitidos: {skipped}",
        Key::TwoFactorCodeMissing => {
            "Introduzca el código de 6 dígitos que muestra su aplicación de autenticación."
        }
        Key::SearchOptions => "Opciones de búsqueda",
        // Not yet translated: the English text stands in.
        _ => super::en::text(key),
    }
}
