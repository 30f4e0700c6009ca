use super::Key;

pub fn text(key: Key) -> &'static str {
    match key {
        Key::Mail => "Correio",
        Key::Calendar => "Calendário",
        Key::Contacts => "Contactos",
        Key::Links => "Links",
        Key::Settings => "Definições",
        Key::MainNavigation => "Navegação principal",
        Key::SkipToContent => "Saltar para o conteúdo",
        Key::LogIn => "Entrar",
        Key::SignUp => "Registar",
        Key::LogOut => "Sair",
        Key::Email => "Endereço de e-mail",
        Key::Password => "Palavra-passe",
        Key::DisplayName => "O seu nome",
        Key::CreateAccount => "Criar conta",
        Key::NoAccountYet => "Ainda não tem conta?",
        Key::HaveAccount => "Já tem uma conta?",
        Key::PasswordHint => {
            "Pelo menos 10 caracteres; algumas palavras dão uma boa palavra-passe."
        }
        Key::LogInTitle => "Entrar no ksuite",
        Key::SignUpTitle => "Crie a sua conta ksuite",
        Key::Language => "Idioma",
        Key::TimeZone => "Fuso horário",
        Key::Theme => "Tema",
        Key::ThemeLight => "Claro",
        Key::ThemeDark => "Escuro",
        Key::ThemeSystem => "Como o sistema",
        Key::DirectoryCard => "No diretório da organização",
        Key::DirectoryCardHint => {
            "Os colegas veem o seu nome e endereço, e o que adicionar aqui, em Contactos e nos livros de endereços dos seus telemóveis e computadores."
        }
        Key::DirectoryPhone => "Telefone de trabalho",
        Key::DirectoryJobTitle => "Cargo",
        Key::DirectoryDepartment => "Departamento",
        Key::Save => "Guardar",
        Key::Saved => "Guardado.",
        Key::Profile => "Perfil",
        Key::Loading => "A carregar…",
        Key::PageNotFound => "Esta página não existe.",
        Key::BackHome => "Voltar à página inicial",
        Key::ErrEmailTaken => "Já existe uma conta com este e-mail. Entre na sua conta.",
        Key::ErrWeakPassword => "Escolha uma palavra-passe mais forte.",
        Key::ErrInvalidCredentials => "O e-mail ou a palavra-passe estão errados.",
        Key::ErrTooManyAttempts => "Demasiadas tentativas falhadas. Aguarde alguns minutos.",
        Key::ErrNetwork => "Não é possível contactar o servidor. Verifique a ligação.",
        Key::ErrCsrf => "A sua sessão mudou noutro separador. Recarregue a página.",
        Key::ErrGeneric => "Algo correu mal. Tente novamente.",
        Key::Offline => "Está offline. As alterações não podem ser guardadas até a ligação voltar.",
        Key::InstallApp => "Instalar a aplicação",
        Key::SenderUnverified => {
            "Cuidado: esta mensagem afirma vir de um endereço deste servidor, mas o remetente não iniciou sessão. Pode ser falsificada."
        }
        Key::LeaveShared => "Remover da minha lista",
        Key::ConfirmLeaveShared => {
            "Deixar de receber esta partilha? O proprietário mantém-na e pode partilhá-la de novo."
        }
        Key::Undo => "Desfazer",
        Key::MovedToTrash => "Movido para o lixo.",
        Key::MessageDeleted => "Mensagem eliminada.",
        Key::Repeats => "Repete-se",
        Key::DeleteRepeatingEvent => "Eliminar um evento recorrente:",
        Key::ThisEvent => "Este evento",
        Key::ThisAndFollowing => "Este e os seguintes",
        Key::AllEvents => "Todos os eventos",
        Key::ViewThreeDays => "3 dias",
        Key::ImportDone => "Eventos importados: {imported} · ignorados: {skipped}",
        Key::ImportContactsDone => "Contactos importados: {imported} · ignorados: {skipped}",
        Key::TwoFactorCodeMissing => {
            "Introduza o código de 6 dígitos que a sua aplicação de autenticação mostra."
        }
        Key::SearchOptions => "Opções de pesquisa",
        // Not yet translated: the English text stands in.
        _ => super::en::text(key),
    }
}
