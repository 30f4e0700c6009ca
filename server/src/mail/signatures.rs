//! A user's signatures for each address they use, and which one new messages and replies
//! start with. Every query is scoped by the caller's membership in the address, so a
//! signature id from someone else's address is simply not found.

use std::collections::HashMap;

use ksuite_common::{Field, MailSignature, Problem, Rule, SignatureDefaults, SignatureInput};

use crate::db::Db;
use crate::error::{ApiError, ApiResult};

/// Signatures per address and user.
pub const MAX_PER_ADDRESS: i64 = 20;
/// Characters in a signature.
pub const MAX_BODY: usize = 10_000;
/// Characters in a signature's name.
pub const MAX_NAME: usize = 100;

/// All of the user's signatures, by address id, oldest first.
pub async fn of_user(db: &Db, user_id: i64) -> ApiResult<HashMap<i64, Vec<MailSignature>>> {
    let rows: Vec<(i64, i64, String, String)> = crate::on_db!(db, |dbc| sqlx::query_as(
        "SELECT address_id, id, name, body FROM mail_signatures WHERE user_id = $1 ORDER BY id",
    )
    .bind(user_id)
    .fetch_all(dbc)
    .await)?;
    let mut by_address: HashMap<i64, Vec<MailSignature>> = HashMap::new();
    for (address_id, id, name, body) in rows {
        by_address
            .entry(address_id)
            .or_default()
            .push(MailSignature { id, name, body });
    }
    Ok(by_address)
}

/// The id of `address` when the user is one of its users.
async fn member_address(conn: &mut crate::db::Conn, user_id: i64, address: &str) -> ApiResult<i64> {
    crate::on_db!(&mut *conn, |dbc| sqlx::query_scalar(
        "SELECT a.id FROM mail_addresses a JOIN mail_address_users u ON u.address_id = a.id \
         WHERE a.address = $1 AND u.user_id = $2",
    )
    .bind(address.trim().to_lowercase())
    .bind(user_id)
    .fetch_optional(dbc)
    .await)?
    .ok_or_else(ApiError::not_found)
}

fn checked(input: &SignatureInput) -> ApiResult<(String, String)> {
    let name = input.name.trim();
    if name.is_empty() {
        return Err(ApiError::invalid(
            Problem::new(Field::Name, Rule::Required),
            "Give the signature a name.",
        ));
    }
    if name.chars().count() > MAX_NAME {
        return Err(ApiError::invalid(
            Problem::too_long(Field::Name, MAX_NAME),
            format!("A signature's name is at most {MAX_NAME} characters."),
        ));
    }
    if input.body.chars().count() > MAX_BODY {
        return Err(ApiError::invalid(
            Problem::too_long(Field::Text, MAX_BODY),
            format!("A signature is at most {MAX_BODY} characters."),
        ));
    }
    let body = input.body.replace("\r\n", "\n").trim_end().to_string();
    Ok((name.to_string(), body))
}

/// Adds a signature; the user's first one on the address becomes the default for new
/// messages and replies alike.
pub async fn add(db: &Db, user_id: i64, address: &str, input: &SignatureInput) -> ApiResult<()> {
    let (name, body) = checked(input)?;
    let mut tx = crate::db::begin_write(db).await?;
    let address_id = member_address(&mut tx, user_id, address).await?;
    let count: i64 = crate::on_db!(&mut tx, |dbc| sqlx::query_scalar(
        "SELECT COUNT(*) FROM mail_signatures WHERE address_id = $1 AND user_id = $2",
    )
    .bind(address_id)
    .bind(user_id)
    .fetch_one(dbc)
    .await)?;
    if count >= MAX_PER_ADDRESS {
        return Err(ApiError::invalid(
            Problem::too_many(Field::Signature, MAX_PER_ADDRESS as usize),
            format!(
                "At most {MAX_PER_ADDRESS} signatures per address: change or delete one instead."
            ),
        ));
    }
    let id: i64 = crate::on_db!(&mut tx, |dbc| sqlx::query_scalar(
        "INSERT INTO mail_signatures (address_id, user_id, name, body, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(address_id)
    .bind(user_id)
    .bind(name)
    .bind(body)
    .bind(crate::now_unix())
    .fetch_one(dbc)
    .await)?;
    if count == 0 {
        crate::on_db!(&mut tx, |dbc| sqlx::query(
            "UPDATE mail_address_users SET new_signature_id = $1, reply_signature_id = $2 \
             WHERE address_id = $3 AND user_id = $4",
        )
        .bind(id)
        .bind(id)
        .bind(address_id)
        .bind(user_id)
        .execute(dbc)
        .await
        .map(crate::db::Done::from))?;
    }
    tx.commit().await?;
    Ok(())
}

/// Changes one of the user's signatures on `address`.
pub async fn update(
    db: &Db,
    user_id: i64,
    address: &str,
    id: i64,
    input: &SignatureInput,
) -> ApiResult<()> {
    let (name, body) = checked(input)?;
    let mut tx = crate::db::begin_write(db).await?;
    let address_id = member_address(&mut tx, user_id, address).await?;
    let changed = crate::on_db!(&mut tx, |dbc| sqlx::query(
        "UPDATE mail_signatures SET name = $1, body = $2 \
         WHERE id = $3 AND address_id = $4 AND user_id = $5",
    )
    .bind(name)
    .bind(body)
    .bind(id)
    .bind(address_id)
    .bind(user_id)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    if changed.rows_affected() == 0 {
        return Err(ApiError::not_found());
    }
    tx.commit().await?;
    Ok(())
}

/// Deletes one of the user's signatures on `address`; a default it was becomes none.
pub async fn remove(db: &Db, user_id: i64, address: &str, id: i64) -> ApiResult<()> {
    let mut tx = crate::db::begin_write(db).await?;
    let address_id = member_address(&mut tx, user_id, address).await?;
    let gone = crate::on_db!(&mut tx, |dbc| sqlx::query(
        "DELETE FROM mail_signatures WHERE id = $1 AND address_id = $2 AND user_id = $3"
    )
    .bind(id)
    .bind(address_id)
    .bind(user_id)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    if gone.rows_affected() == 0 {
        return Err(ApiError::not_found());
    }
    tx.commit().await?;
    Ok(())
}

/// Chooses the signatures new messages and replies start with (each one of the user's own
/// on this address, or none).
pub async fn set_defaults(
    db: &Db,
    user_id: i64,
    address: &str,
    defaults: &SignatureDefaults,
) -> ApiResult<()> {
    let mut tx = crate::db::begin_write(db).await?;
    let address_id = member_address(&mut tx, user_id, address).await?;
    for id in [defaults.new_signature, defaults.reply_signature]
        .into_iter()
        .flatten()
    {
        let mine: bool = crate::on_db!(&mut tx, |dbc| sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM mail_signatures \
             WHERE id = $1 AND address_id = $2 AND user_id = $3)",
        )
        .bind(id)
        .bind(address_id)
        .bind(user_id)
        .fetch_one(dbc)
        .await)?;
        if !mine {
            return Err(ApiError::invalid(
                Problem::new(Field::Signature, Rule::NotFound),
                format!("There is no signature {id} of yours on {address}."),
            ));
        }
    }
    crate::on_db!(&mut tx, |dbc| sqlx::query(
        "UPDATE mail_address_users SET new_signature_id = $1, reply_signature_id = $2 \
         WHERE address_id = $3 AND user_id = $4",
    )
    .bind(defaults.new_signature)
    .bind(defaults.reply_signature)
    .bind(address_id)
    .bind(user_id)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    tx.commit().await?;
    Ok(())
}
