//! Where mail to an address goes besides its inbox: aliases (other addresses delivering
//! into it) and a redirection (every message sent on to other addresses, keeping a copy
//! or not). Stored and checked here; [`redirect::apply`] acts on arriving mail.

pub mod redirect;

use ksuite_common::{AddressRouting, Field, Problem, Redirect, Rule};

use super::{compose, store};
use crate::db::Db;
use crate::error::ApiError;
use crate::now_unix;

/// Aliases one address may have when its manager is not an administrator.
pub const MAX_ALIASES: i64 = 10;
/// Addresses one redirection sends to.
pub const MAX_TARGETS: usize = 10;

/// The id of an address the user manages (and whether they are an administrator);
/// `None` when they do not manage it.
pub async fn managed(
    conn: &mut crate::db::Conn,
    user_id: i64,
    address: &str,
) -> Result<Option<(i64, bool)>, ApiError> {
    Ok(crate::on_db!(conn, |dbc| sqlx::query_as(
        "SELECT a.id, us.is_admin FROM mail_addresses a \
         JOIN mail_address_users u ON u.address_id = a.id JOIN users us ON us.id = u.user_id \
         WHERE u.user_id = $1 AND u.permission = 'manage' AND a.address = $2",
    )
    .bind(user_id)
    .bind(address.trim().to_lowercase())
    .fetch_optional(dbc)
    .await)?)
}

/// The aliases and redirection of an address the user has any access to.
pub async fn of_address(
    db: &Db,
    user_id: i64,
    address: &str,
) -> Result<Option<AddressRouting>, ApiError> {
    let id: Option<i64> = crate::on_db!(db, |dbc| sqlx::query_scalar(
        "SELECT a.id FROM mail_addresses a JOIN mail_address_users u ON u.address_id = a.id \
         WHERE u.user_id = $1 AND a.address = $2",
    )
    .bind(user_id)
    .bind(address.trim().to_lowercase())
    .fetch_optional(dbc)
    .await)?;
    let Some(id) = id else { return Ok(None) };
    Ok(Some(routing(db, id).await?))
}

/// The aliases delivering into an address, in order.
pub async fn aliases_of(db: &Db, address_id: i64) -> Result<Vec<String>, ApiError> {
    Ok(crate::on_db!(db, |dbc| sqlx::query_scalar(
        "SELECT address FROM mail_aliases WHERE target_id = $1 ORDER BY address"
    )
    .bind(address_id)
    .fetch_all(dbc)
    .await)?)
}

async fn routing(db: &Db, address_id: i64) -> Result<AddressRouting, ApiError> {
    let aliases = aliases_of(db, address_id).await?;
    let redirect: Option<(String, bool)> = crate::on_db!(db, |dbc| sqlx::query_as(
        "SELECT targets, keep_copy FROM mail_redirects WHERE address_id = $1"
    )
    .bind(address_id)
    .fetch_optional(dbc)
    .await)?;
    Ok(AddressRouting {
        aliases,
        redirect: redirect
            .map(|(targets, keep_copy)| Redirect {
                targets: store::lines(&targets),
                keep_copy,
            })
            .unwrap_or_default(),
    })
}

/// The full alias address for `input` (a local part, or an address in `domain`), checked.
fn alias_address(input: &str, domain: &str, admin: bool) -> Result<String, ApiError> {
    let input = input.trim().to_lowercase();
    let local = match input.rsplit_once('@') {
        Some((local, d)) if d == domain => local.to_string(),
        Some(_) => {
            return Err(ApiError::invalid(
                Problem::new(Field::Alias, Rule::Invalid),
                format!("An alias is an address in {domain}."),
            ));
        }
        None => input,
    };
    let valid = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if !valid {
        return Err(ApiError::invalid(
            Problem::new(Field::Alias, Rule::Invalid),
            "An alias uses letters, digits, dots, hyphens and underscores (at most 64).",
        ));
    }
    if !admin && store::is_reserved_local_part(&local) {
        return Err(ApiError::invalid(
            Problem::new(Field::Alias, Rule::Reserved),
            format!(
                "{local}@{domain} is kept for the server's own roles; an administrator can give it."
            ),
        ));
    }
    Ok(format!("{local}@{domain}"))
}

/// Adds an alias to an address the user manages; `Ok(None)` when they do not manage it.
pub async fn add_alias(
    db: &Db,
    user_id: i64,
    address: &str,
    alias: &str,
    domain: &str,
) -> Result<Option<AddressRouting>, ApiError> {
    let mut tx = crate::db::begin_write(db).await?;
    let Some((id, admin)) = managed(&mut tx, user_id, address).await? else {
        return Ok(None);
    };
    let alias = alias_address(alias, domain, admin)?;
    let count: i64 = crate::on_db!(&mut tx, |dbc| sqlx::query_scalar(
        "SELECT COUNT(*) FROM mail_aliases WHERE target_id = $1"
    )
    .bind(id)
    .fetch_one(dbc)
    .await)?;
    if !admin && count >= MAX_ALIASES {
        return Err(ApiError::invalid(
            Problem::too_many(Field::Alias, MAX_ALIASES as usize),
            format!("An address has at most {MAX_ALIASES} aliases; an administrator can add more."),
        ));
    }
    // Taken by an address or another alias: refused, never silently moved.
    let added = crate::on_db!(&mut tx, |dbc| sqlx::query(
        "INSERT INTO mail_aliases (address, target_id, created_by, created_at) \
         SELECT $1, $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM mail_addresses WHERE address = $5) \
         ON CONFLICT (address) DO NOTHING",
    )
    .bind(&alias)
    .bind(id)
    .bind(user_id)
    .bind(now_unix())
    .bind(&alias)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    if added.rows_affected() == 0 {
        return Err(ApiError::conflict(format!("{alias} is already taken."))
            .with(Problem::new(Field::Alias, Rule::Taken)));
    }
    tx.commit().await?;
    Ok(Some(routing(db, id).await?))
}

/// Removes an alias of an address the user manages; `Ok(None)` when they do not manage it,
/// `Ok(Some(false))` when it is not an alias of that address.
pub async fn remove_alias(
    db: &Db,
    user_id: i64,
    address: &str,
    alias: &str,
) -> Result<Option<bool>, ApiError> {
    let mut tx = crate::db::begin_write(db).await?;
    let Some((id, _)) = managed(&mut tx, user_id, address).await? else {
        return Ok(None);
    };
    let gone = crate::on_db!(&mut tx, |dbc| sqlx::query(
        "DELETE FROM mail_aliases WHERE address = $1 AND target_id = $2"
    )
    .bind(alias.trim().to_lowercase())
    .bind(id)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    tx.commit().await?;
    Ok(Some(gone.rows_affected() > 0))
}

/// Checks a redirection and returns its targets, lower-case and without repeats.
pub fn checked_targets(address: &str, r: &Redirect) -> Result<Vec<String>, ApiError> {
    if r.targets.len() > MAX_TARGETS {
        return Err(ApiError::invalid(
            Problem::too_many(Field::Redirect, MAX_TARGETS),
            format!("Redirect to at most {MAX_TARGETS} addresses."),
        ));
    }
    let mut targets: Vec<String> = Vec::new();
    for t in &r.targets {
        let Some(m) = compose::parse_mailbox(t) else {
            return Err(ApiError::invalid(
                Problem::new(Field::Redirect, Rule::Invalid),
                format!("{t:?} is not an e-mail address to redirect to."),
            ));
        };
        let target = m.address.to_lowercase();
        if target == address {
            return Err(ApiError::invalid(
                Problem::new(Field::Redirect, Rule::ItSelf),
                "An address cannot redirect to itself.",
            ));
        }
        if !targets.contains(&target) {
            targets.push(target);
        }
    }
    if targets.is_empty() && !r.keep_copy {
        return Err(ApiError::invalid(
            Problem::new(Field::Redirect, Rule::Required),
            "Name an address to redirect to, or keep the mail here.",
        ));
    }
    Ok(targets)
}

/// Sets (or, with no targets, ends) the redirection of an address the user manages;
/// `Ok(None)` when they do not manage it.
pub async fn set_redirect(
    db: &Db,
    user_id: i64,
    address: &str,
    r: &Redirect,
) -> Result<Option<AddressRouting>, ApiError> {
    let address = address.trim().to_lowercase();
    let targets = checked_targets(&address, r)?;
    let mut tx = crate::db::begin_write(db).await?;
    let Some((id, _)) = managed(&mut tx, user_id, &address).await? else {
        return Ok(None);
    };
    if targets.is_empty() {
        crate::on_db!(&mut tx, |dbc| sqlx::query(
            "DELETE FROM mail_redirects WHERE address_id = $1"
        )
        .bind(id)
        .execute(dbc)
        .await
        .map(crate::db::Done::from))?;
    } else {
        crate::on_db!(&mut tx, |dbc| {
            sqlx::query(
            "INSERT INTO mail_redirects (address_id, targets, keep_copy, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (address_id) DO UPDATE SET targets = excluded.targets, \
             keep_copy = excluded.keep_copy, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(id)
        .bind(targets.join("\n"))
        .bind(r.keep_copy)
        .bind(user_id)
        .bind(now_unix())
        .execute(dbc).await.map(crate::db::Done::from)
        })?;
    }
    tx.commit().await?;
    Ok(Some(routing(db, id).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_are_local_parts_of_the_mail_domain() {
        let d = "ksuite.test";
        assert_eq!(
            alias_address("Crew", d, false).ok().as_deref(),
            Some("crew@ksuite.test")
        );
        assert_eq!(
            alias_address("team.b@KSUITE.test", d, false)
                .ok()
                .as_deref(),
            Some("team.b@ksuite.test")
        );
        for bad in [
            "",
            "a@other.example",
            "a+b",
            ".a",
            "a..b",
            "a b",
            &"x".repeat(65),
        ] {
            assert!(alias_address(bad, d, true).is_err(), "{bad:?}");
        }
        assert!(alias_address("postmaster", d, false).is_err());
        assert!(alias_address("postmaster", d, true).is_ok());
    }

    #[test]
    fn redirect_targets_are_checked() {
        let r = |targets: &[&str], keep_copy| Redirect {
            targets: targets.iter().map(|t| t.to_string()).collect(),
            keep_copy,
        };
        let a = "ann@ksuite.test";
        assert_eq!(
            checked_targets(a, &r(&["Zoe <ZOE@example.org>", "zoe@example.org"], false)).ok(),
            Some(vec!["zoe@example.org".to_string()])
        );
        assert!(checked_targets(a, &r(&["ann@ksuite.test"], true)).is_err());
        assert!(checked_targets(a, &r(&["nobody"], true)).is_err());
        assert!(checked_targets(a, &r(&[], false)).is_err());
        assert_eq!(checked_targets(a, &r(&[], true)).ok(), Some(vec![]));
        let many: Vec<String> = (0..11).map(|i| format!("x{i}@example.org")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(checked_targets(a, &r(&many, true)).is_err());
    }
}
