//! Filters (rules): conditions on from / to / subject / body / size and actions (move,
//! mark read, flag, forward, delete), kept per user and applied in their order to every
//! message arriving at an address the user manages.

use ksuite_common::{
    Field, FilterAction, FilterCondition, FilterField, FilterInput, FilterOp, MailFilter, Problem,
    Rule,
};
use tokio::sync::Notify;

use super::index::Indexed;
use super::{compose, outbox, store};
use crate::db::Db;
use crate::error::ApiError;

const MAX_CONDITIONS: usize = 20;
const MAX_ACTIONS: usize = 10;
const MAX_FILTERS: i64 = 200;

/// What conditions look at, lower-cased once.
pub struct Facts {
    from: String,
    to: String,
    subject: String,
    body: String,
    size_kib: i64,
}

impl Facts {
    pub fn of(idx: &Indexed, size: i64) -> Facts {
        Facts {
            from: format!(
                "{} <{}>",
                idx.from_name.as_deref().unwrap_or(""),
                idx.from_address.as_deref().unwrap_or("")
            )
            .to_lowercase(),
            to: idx
                .to
                .iter()
                .chain(&idx.cc)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
                .to_lowercase(),
            subject: idx.subject.to_lowercase(),
            body: idx.body_text.to_lowercase(),
            size_kib: size / 1024,
        }
    }
}

fn holds(c: &FilterCondition, f: &Facts) -> bool {
    let value = c.value.trim().to_lowercase();
    if c.field == FilterField::Size {
        let Ok(limit) = value.parse::<i64>() else {
            return false;
        };
        return match c.op {
            FilterOp::Greater => f.size_kib > limit,
            FilterOp::Less => f.size_kib < limit,
            FilterOp::Is => f.size_kib == limit,
            _ => false,
        };
    }
    let text = match c.field {
        FilterField::From => &f.from,
        FilterField::To => &f.to,
        FilterField::Subject => &f.subject,
        FilterField::Body => &f.body,
        FilterField::Size => return false,
    };
    match c.op {
        FilterOp::Contains => text.contains(&value),
        FilterOp::NotContains => !text.contains(&value),
        // For address fields "is" means one of the addresses is exactly it.
        FilterOp::Is => {
            text == &value
                || text
                    .split(['\n', '<', '>', ','])
                    .any(|part| part.trim() == value)
        }
        FilterOp::Greater | FilterOp::Less => false,
    }
}

/// Whether an enabled filter's conditions hold for a message.
pub fn matches(filter: &MailFilter, facts: &Facts) -> bool {
    if !filter.enabled || filter.conditions.is_empty() {
        return false;
    }
    if filter.match_all {
        filter.conditions.iter().all(|c| holds(c, facts))
    } else {
        filter.conditions.iter().any(|c| holds(c, facts))
    }
}

/// Checks a filter before it is stored, saying what is wrong.
pub fn validate(input: &FilterInput) -> Result<(), ApiError> {
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::invalid(
            Problem::length(Field::Name, 100),
            "A filter needs a name of at most 100 characters.",
        ));
    }
    if input.conditions.is_empty() || input.conditions.len() > MAX_CONDITIONS {
        return Err(ApiError::invalid(
            Problem::count(Field::Conditions, MAX_CONDITIONS),
            format!("A filter needs 1 to {MAX_CONDITIONS} conditions."),
        ));
    }
    if input.actions.is_empty() || input.actions.len() > MAX_ACTIONS {
        return Err(ApiError::invalid(
            Problem::count(Field::Actions, MAX_ACTIONS),
            format!("A filter needs 1 to {MAX_ACTIONS} actions."),
        ));
    }
    for c in &input.conditions {
        let size = c.field == FilterField::Size;
        let numeric_op = matches!(c.op, FilterOp::Greater | FilterOp::Less);
        if size && c.value.trim().parse::<u32>().is_err() {
            return Err(ApiError::invalid(
                Problem::new(Field::Conditions, Rule::Invalid),
                "A size condition needs a whole number of KiB.",
            ));
        }
        if size != numeric_op && !(size && c.op == FilterOp::Is) {
            return Err(ApiError::invalid(
                Problem::new(Field::Conditions, Rule::Invalid),
                "Larger/smaller than apply to the size; contains/is apply to the text fields.",
            ));
        }
        if !size && c.value.trim().is_empty() {
            return Err(ApiError::invalid(
                Problem::new(Field::Conditions, Rule::Required),
                "A text condition needs something to look for.",
            ));
        }
        if c.value.chars().count() > 500 {
            return Err(ApiError::invalid(
                Problem::too_long(Field::Conditions, 500),
                "A condition's value is at most 500 characters.",
            ));
        }
    }
    for a in &input.actions {
        match a {
            FilterAction::Move { folder } if folder.trim().is_empty() => {
                return Err(ApiError::invalid(
                    Problem::new(Field::Folder, Rule::Required),
                    "Choose the folder to move to.",
                ));
            }
            FilterAction::Forward { to } if compose::parse_mailbox(to).is_none() => {
                return Err(ApiError::invalid(
                    Problem::new(Field::Actions, Rule::Invalid),
                    format!("{to:?} is not an e-mail address to forward to."),
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

type FilterRow = (i64, String, bool, bool, bool, String, String);

fn from_row((id, name, enabled, match_all, stop, conditions, actions): FilterRow) -> MailFilter {
    MailFilter {
        id,
        name,
        enabled,
        match_all,
        stop,
        // Written by this module from checked input; unreadable rows match nothing.
        conditions: serde_json::from_str(&conditions).unwrap_or_default(),
        actions: serde_json::from_str(&actions).unwrap_or_default(),
    }
}

const COLUMNS: &str = "id, name, enabled, match_all, stop, conditions, actions";

/// The user's filters, in the order they apply.
pub async fn list(db: &Db, user_id: i64) -> Result<Vec<MailFilter>, ApiError> {
    let rows: Vec<FilterRow> = crate::on_db!(db, |dbc| sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM mail_filters WHERE user_id = $1 ORDER BY position, id"
    ))
    .bind(user_id)
    .fetch_all(dbc)
    .await)?;
    Ok(rows.into_iter().map(from_row).collect())
}

fn json<T: serde::Serialize>(v: &T) -> Result<String, ApiError> {
    serde_json::to_string(v).map_err(ApiError::internal)
}

/// Adds a filter at the end.
pub async fn create(db: &Db, user_id: i64, input: &FilterInput) -> Result<MailFilter, ApiError> {
    validate(input)?;
    let count: i64 = crate::on_db!(db, |dbc| sqlx::query_scalar(
        "SELECT COUNT(*) FROM mail_filters WHERE user_id = $1"
    )
    .bind(user_id)
    .fetch_one(dbc)
    .await)?;
    if count >= MAX_FILTERS {
        return Err(ApiError::invalid(
            Problem::too_many(Field::Filter, MAX_FILTERS as usize),
            format!("At most {MAX_FILTERS} filters per user."),
        ));
    }
    let row: FilterRow = crate::on_db!(db, |dbc| {
        sqlx::query_as(&format!(
        "INSERT INTO mail_filters (user_id, position, name, enabled, match_all, stop, conditions, actions) \
         VALUES ($1, (SELECT COALESCE(MAX(position), 0) + 1 FROM mail_filters WHERE user_id = $2), $3, $4, $5, $6, $7, $8) \
         RETURNING {COLUMNS}"
    ))
    .bind(user_id)
    .bind(user_id)
    .bind(input.name.trim())
    .bind(input.enabled)
    .bind(input.match_all)
    .bind(input.stop)
    .bind(json(&input.conditions)?)
    .bind(json(&input.actions)?)
    .fetch_one(dbc).await
    })?;
    Ok(from_row(row))
}

/// Replaces one of the user's filters; `None` when it is not theirs.
pub async fn update(
    db: &Db,
    user_id: i64,
    id: i64,
    input: &FilterInput,
) -> Result<Option<MailFilter>, ApiError> {
    validate(input)?;
    let row: Option<FilterRow> = crate::on_db!(db, |dbc| {
        sqlx::query_as(&format!(
        "UPDATE mail_filters SET name = $1, enabled = $2, match_all = $3, stop = $4, conditions = $5, actions = $6 \
         WHERE id = $7 AND user_id = $8 RETURNING {COLUMNS}"
    ))
    .bind(input.name.trim())
    .bind(input.enabled)
    .bind(input.match_all)
    .bind(input.stop)
    .bind(json(&input.conditions)?)
    .bind(json(&input.actions)?)
    .bind(id)
    .bind(user_id)
    .fetch_optional(dbc).await
    })?;
    Ok(row.map(from_row))
}

/// Deletes one of the user's filters; whether it was there.
pub async fn delete(db: &Db, user_id: i64, id: i64) -> Result<bool, ApiError> {
    let done = crate::on_db!(db, |dbc| sqlx::query(
        "DELETE FROM mail_filters WHERE id = $1 AND user_id = $2"
    )
    .bind(id)
    .bind(user_id)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    Ok(done.rows_affected() > 0)
}

/// Puts the user's filters in the given order (ids not listed keep their place after).
pub async fn reorder(db: &Db, user_id: i64, ids: &[i64]) -> Result<(), ApiError> {
    let mut tx = crate::db::begin_write(db).await?;
    for (position, id) in ids.iter().enumerate() {
        crate::on_db!(&mut tx, |dbc| sqlx::query(
            "UPDATE mail_filters SET position = $1 WHERE id = $2 AND user_id = $3"
        )
        .bind(position as i64 - ids.len() as i64)
        .bind(id)
        .bind(user_id)
        .execute(dbc)
        .await
        .map(crate::db::Done::from))?;
    }
    tx.commit().await?;
    Ok(())
}

/// A filter row with its owner in front.
type OwnedFilterRow = (i64, i64, String, bool, bool, bool, String, String);

/// The enabled filters of everyone who manages the address, in order, with their owner.
async fn filters_for_address(db: &Db, address_id: i64) -> Result<Vec<(i64, MailFilter)>, ApiError> {
    let rows: Vec<OwnedFilterRow> = crate::on_db!(db, |dbc| {
        sqlx::query_as(
        "SELECT f.user_id, f.id, f.name, f.enabled, f.match_all, f.stop, f.conditions, f.actions \
         FROM mail_filters f JOIN mail_address_users u ON u.user_id = f.user_id \
         WHERE u.address_id = $1 AND u.permission = 'manage' AND f.enabled ORDER BY f.user_id, f.position, f.id",
    )
    .bind(address_id)
    .fetch_all(dbc).await
    })?;
    Ok(rows
        .into_iter()
        .map(|(user, id, name, enabled, match_all, stop, c, a)| {
            (user, from_row((id, name, enabled, match_all, stop, c, a)))
        })
        .collect())
}

/// The folder a move action names, within the receiving address: a system role
/// (`archive`, `spam`, …), or a folder name (any case).
async fn folder_named(db: &Db, address_id: i64, name: &str) -> Result<Option<i64>, ApiError> {
    let name = name.trim().to_lowercase();
    Ok(crate::on_db!(db, |dbc| sqlx::query_scalar(
        "SELECT id FROM mailboxes WHERE address_id = $1 AND (role = $2 OR lower(name) = $3) \
         ORDER BY role IS NULL, id LIMIT 1",
    )
    .bind(address_id)
    .bind(&name)
    .bind(&name)
    .fetch_optional(dbc)
    .await)?)
}

/// A just-arrived message, for the filters.
pub struct Arrived<'a> {
    pub address_id: i64,
    pub message_id: i64,
    pub digest: &'a str,
    pub size: i64,
    pub idx: &'a Indexed,
}

/// Runs the filters of the address's managers on a message just filed in its inbox.
/// A failing action is logged and the message stays where it is: nothing is lost.
pub async fn apply(db: &Db, wake: &Notify, m: &Arrived<'_>) -> Result<(), ApiError> {
    let filters = filters_for_address(db, m.address_id).await?;
    if filters.is_empty() {
        return Ok(());
    }
    let facts = Facts::of(m.idx, m.size);
    for (owner, filter) in filters {
        if !matches(&filter, &facts) {
            continue;
        }
        for action in &filter.actions {
            let Some(row) = store::message_by_id(db, m.message_id).await? else {
                return Ok(());
            };
            match action {
                FilterAction::MarkRead => store::set_flags(db, &row, Some(true), None).await?,
                FilterAction::Flag => store::set_flags(db, &row, None, Some(true)).await?,
                FilterAction::Move { folder } => {
                    match folder_named(db, m.address_id, folder).await? {
                        Some(target) if target != row.mailbox_id => {
                            let to_trash = store::role_folder(db, target, "trash").await? == target;
                            store::move_message(db, &row, target, to_trash).await?
                        }
                        Some(_) => {}
                        None => {
                            tracing::warn!(filter = filter.id, %folder, "filter folder not found")
                        }
                    }
                }
                FilterAction::Delete => {
                    let trash = store::role_folder(db, row.mailbox_id, "trash").await?;
                    if trash != row.mailbox_id {
                        store::move_message(db, &row, trash, true).await?;
                    }
                }
                FilterAction::Forward { to } => forward(db, wake, owner, m, to).await?,
            }
        }
        if filter.stop {
            break;
        }
    }
    Ok(())
}

/// Sends the message as it arrived on to another address: filed directly when it is
/// local (without running filters again, so rules cannot loop), else queued for the relay.
async fn forward(
    db: &Db,
    wake: &Notify,
    owner: i64,
    m: &Arrived<'_>,
    to: &str,
) -> Result<(), ApiError> {
    let Some(target) = compose::parse_mailbox(to) else {
        return Ok(());
    };
    if let Some(local) = store::address_id(db, &target.address).await? {
        if local != m.address_id {
            store::deliver(db, &[local], m.digest, m.size, m.idx).await?;
        }
        return Ok(());
    }
    // The receiving address sends the copy on.
    let address = store::address_of(db, m.address_id).await?;
    let mut tx = crate::db::begin_write(db).await?;
    outbox::enqueue(
        &mut tx,
        &outbox::Queued {
            user_id: owner,
            message_id: None,
            blob: m.digest,
            mail_from: &address,
            recipients: &[target.address],
        },
    )
    .await?;
    tx.commit().await?;
    wake.notify_one();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(match_all: bool, conditions: Vec<FilterCondition>) -> MailFilter {
        MailFilter {
            id: 1,
            name: "f".into(),
            enabled: true,
            match_all,
            conditions,
            actions: vec![FilterAction::MarkRead],
            stop: false,
        }
    }

    fn cond(field: FilterField, op: FilterOp, value: &str) -> FilterCondition {
        FilterCondition {
            field,
            op,
            value: value.into(),
        }
    }

    #[test]
    fn conditions_on_each_field() {
        let idx = Indexed {
            from_name: Some("Billing Team".into()),
            from_address: Some("billing@shop.example".into()),
            to: vec!["Ann <ann@ksuite.test>".into()],
            subject: "Your INVOICE 42".into(),
            body_text: "Amount due: 10 EUR".into(),
            ..Indexed::default()
        };
        let facts = Facts::of(&idx, 300 * 1024);
        let yes = [
            cond(FilterField::From, FilterOp::Contains, "BILLING@"),
            cond(FilterField::From, FilterOp::Is, "billing@shop.example"),
            cond(FilterField::To, FilterOp::Is, "ann@ksuite.test"),
            cond(FilterField::Subject, FilterOp::Contains, "invoice"),
            cond(FilterField::Body, FilterOp::NotContains, "unsubscribe"),
            cond(FilterField::Size, FilterOp::Greater, "200"),
            cond(FilterField::Size, FilterOp::Less, "301"),
        ];
        for c in &yes {
            assert!(matches(&filter(true, vec![c.clone()]), &facts), "{c:?}");
        }
        let no = cond(FilterField::Subject, FilterOp::Is, "invoice");
        assert!(!matches(&filter(true, vec![no.clone()]), &facts));
        assert!(!matches(
            &filter(true, vec![yes[0].clone(), no.clone()]),
            &facts
        ));
        assert!(matches(&filter(false, vec![no, yes[0].clone()]), &facts));
        let mut off = filter(true, vec![yes[0].clone()]);
        off.enabled = false;
        assert!(!matches(&off, &facts));
    }

    #[test]
    fn bad_filters_are_refused_with_a_reason() {
        let ok = FilterInput {
            name: "Invoices".into(),
            enabled: true,
            match_all: true,
            conditions: vec![cond(FilterField::Subject, FilterOp::Contains, "invoice")],
            actions: vec![FilterAction::Move {
                folder: "Archive".into(),
            }],
            stop: false,
        };
        assert!(validate(&ok).is_ok());
        let mut size_text = ok.clone();
        size_text.conditions = vec![cond(FilterField::Size, FilterOp::Greater, "big")];
        assert!(validate(&size_text).is_err());
        let mut bad_forward = ok.clone();
        bad_forward.actions = vec![FilterAction::Forward {
            to: "nobody".into(),
        }];
        assert!(validate(&bad_forward).is_err());
        let mut nothing = ok;
        nothing.conditions.clear();
        assert!(validate(&nothing).is_err());
    }
}
