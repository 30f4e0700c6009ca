//! User rows: the queries the account and settings features share.

use ksuite_common::{Field, Language, Plan, Problem, Rule, Theme, UserProfile};

use crate::db::Db;
use crate::error::ApiError;

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    email: String,
    display_name: String,
    language: String,
    time_zone: String,
    theme: String,
    plan: String,
    is_admin: bool,
    directory_phone: String,
    directory_title: String,
    directory_department: String,
    undo_send_seconds: i64,
}

impl From<UserRow> for UserProfile {
    fn from(r: UserRow) -> UserProfile {
        UserProfile {
            id: r.id,
            email: r.email,
            display_name: r.display_name,
            language: Language::from_code(&r.language).unwrap_or_default(),
            time_zone: r.time_zone,
            theme: Theme::from_code(&r.theme).unwrap_or_default(),
            plan: Plan::from_code(&r.plan).unwrap_or_default(),
            is_admin: r.is_admin,
            directory: ksuite_common::DirectoryCard {
                phone: r.directory_phone,
                title: r.directory_title,
                department: r.directory_department,
            },
            undo_send_seconds: u16::try_from(r.undo_send_seconds).unwrap_or_default(),
        }
    }
}

pub struct NewUser<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub language: Language,
    pub time_zone: &'a str,
}

/// Inserts a user; `Ok(None)` when the e-mail is already taken.
pub async fn insert(db: &mut crate::db::Conn, user: NewUser<'_>) -> Result<Option<i64>, ApiError> {
    let result = crate::on_db!(db, |dbc| {
        sqlx::query_scalar(
        // The first account on a server administers it.
        "INSERT INTO users (email, display_name, password_hash, language, time_zone, created_at, is_admin) \
         VALUES ($1, $2, $3, $4, $5, $6, NOT EXISTS (SELECT 1 FROM users)) RETURNING id",
    )
    .bind(user.email)
    .bind(user.display_name)
    .bind(user.password_hash)
    .bind(user.language.code())
    .bind(user.time_zone)
    .bind(crate::now_unix())
    .fetch_one(dbc).await
    });
    match result {
        Ok(id) => Ok(Some(id)),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// How many accounts exist (the first one is allowed whatever the sign-up policy).
pub async fn count(db: &Db) -> Result<i64, ApiError> {
    Ok(crate::on_db!(db, |dbc| sqlx::query_scalar(
        "SELECT COUNT(*) FROM users"
    )
    .fetch_one(dbc)
    .await)?)
}

/// (id, password hash) of the account with this (normalized) e-mail; a disabled account
/// has none, so it cannot sign in anywhere.
pub async fn credentials(db: &Db, email: &str) -> Result<Option<(i64, String)>, ApiError> {
    Ok(crate::on_db!(db, |dbc| sqlx::query_as(
        "SELECT id, password_hash FROM users WHERE email = $1 AND NOT disabled"
    )
    .bind(email)
    .fetch_optional(dbc)
    .await)?)
}

pub async fn profile(db: &Db, user_id: i64) -> Result<UserProfile, ApiError> {
    let row: UserRow = crate::on_db!(db, |dbc| {
        sqlx::query_as(
        "SELECT id, email, display_name, language, time_zone, theme, plan, is_admin, directory_phone, \
         directory_title, directory_department, undo_send_seconds FROM users WHERE id = $1",
    )
    .bind(user_id)
    .fetch_one(dbc).await
    })?;
    Ok(row.into())
}

/// Trims and lower-cases an e-mail address and checks its shape.
pub fn normalize_email(raw: &str) -> Result<String, ApiError> {
    let email = raw.trim().to_lowercase();
    let valid = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }
            None => false,
        };
    if valid {
        Ok(email)
    } else {
        Err(ApiError::invalid(
            Problem::new(Field::Email, Rule::Invalid),
            "Enter a valid e-mail address, like name@example.com.",
        ))
    }
}

/// Trims a display name and checks its length.
pub fn normalize_display_name(raw: &str) -> Result<String, ApiError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(ApiError::invalid(
            Problem::new(Field::Name, Rule::Required),
            "Enter your name.",
        ));
    }
    if name.chars().count() > ksuite_common::MAX_DISPLAY_NAME_LEN
        || name.chars().any(char::is_control)
    {
        return Err(ApiError::invalid(
            Problem::too_long(Field::Name, ksuite_common::MAX_DISPLAY_NAME_LEN),
            "The name must have at most 100 characters, without control characters.",
        ));
    }
    Ok(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_normalization() {
        assert_eq!(
            normalize_email("  Alice@Example.ORG ").ok().as_deref(),
            Some("alice@example.org")
        );
        for bad in [
            "",
            "alice",
            "@x.org",
            "a@b",
            "a b@x.org",
            "a@@x.org",
            "a@x.",
            "a@.x",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad} should be refused");
        }
    }
}
