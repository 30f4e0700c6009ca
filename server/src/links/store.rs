//! Link queries. Every query that takes a link id is scoped by its owner.

use ksuite_common::{DayCount, LinkListQuery, LinkSort};

use crate::db::Db;
use crate::error::ApiError;

/// A link row as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LinkRow {
    pub id: i64,
    pub user_id: i64,
    pub slug: String,
    pub url: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub enabled: bool,
    pub password_hash: Option<String>,
    pub max_visits: Option<i64>,
    pub visits: i64,
}

const COLUMNS: &str =
    "id, user_id, slug, url, created_at, expires_at, enabled, password_hash, max_visits, visits";

pub struct NewLink<'a> {
    pub user_id: i64,
    pub slug: &'a str,
    pub url: &'a str,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub password_hash: Option<&'a str>,
    pub max_visits: Option<u32>,
}

pub enum CreateOutcome {
    Created(LinkRow),
    QuotaExhausted,
    SlugTaken,
}

/// Inserts a link and counts it against the month's quota in one transaction, so
/// concurrent creations can never exceed `limit`.
pub async fn create(
    db: &Db,
    link: NewLink<'_>,
    month: &str,
    limit: u32,
) -> Result<CreateOutcome, ApiError> {
    let mut tx = db.begin().await?;
    crate::on_db!(&mut tx, |dbc| sqlx::query(
        "INSERT INTO link_quota_usage (user_id, month, created) VALUES ($1, $2, 0) \
         ON CONFLICT (user_id, month) DO NOTHING",
    )
    .bind(link.user_id)
    .bind(month)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    let counted = crate::on_db!(&mut tx, |dbc| {
        sqlx::query(
        "UPDATE link_quota_usage SET created = created + 1 WHERE user_id = $1 AND month = $2 AND created < $3",
    )
    .bind(link.user_id)
    .bind(month)
    .bind(i64::from(limit))
    .execute(dbc).await.map(crate::db::Done::from)
    })?;
    if counted.rows_affected() == 0 {
        tx.rollback().await?;
        return Ok(CreateOutcome::QuotaExhausted);
    }
    let inserted = crate::on_db!(&mut tx, |dbc| {
        sqlx::query_as::<_, LinkRow>(&format!(
        "INSERT INTO links (user_id, slug, url, created_at, expires_at, password_hash, max_visits) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}"
    ))
    .bind(link.user_id)
    .bind(link.slug)
    .bind(link.url)
    .bind(link.created_at)
    .bind(link.expires_at)
    .bind(link.password_hash)
    .bind(link.max_visits.map(i64::from))
    .fetch_one(dbc).await
    });
    match inserted {
        Ok(row) => {
            tx.commit().await?;
            Ok(CreateOutcome::Created(row))
        }
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            tx.rollback().await?;
            Ok(CreateOutcome::SlugTaken)
        }
        Err(e) => Err(e.into()),
    }
}

/// Links created by `user_id` in `month`.
pub async fn used_quota(db: &Db, user_id: i64, month: &str) -> Result<u32, ApiError> {
    let used: Option<i64> = crate::on_db!(db, |dbc| sqlx::query_scalar(
        "SELECT created FROM link_quota_usage WHERE user_id = $1 AND month = $2"
    )
    .bind(user_id)
    .bind(month)
    .fetch_optional(dbc)
    .await)?;
    Ok(u32::try_from(used.unwrap_or(0)).unwrap_or(u32::MAX))
}

pub async fn get(db: &Db, user_id: i64, id: i64) -> Result<LinkRow, ApiError> {
    Ok(crate::on_db!(db, |dbc| sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM links WHERE id = $1 AND user_id = $2"
    ))
    .bind(id)
    .bind(user_id)
    .fetch_one(dbc)
    .await)?)
}

/// The redirector's lookup (not scoped: a slug is public by nature).
pub async fn by_slug(db: &Db, slug: &str) -> Result<Option<LinkRow>, ApiError> {
    Ok(crate::on_db!(db, |dbc| sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM links WHERE slug = $1"
    ))
    .bind(slug)
    .fetch_optional(dbc)
    .await)?)
}

/// Escapes `%`, `_` and `\` for a LIKE pattern with `ESCAPE '\'`.
fn like_pattern(q: &str) -> String {
    let mut p = String::with_capacity(q.len() + 2);
    p.push('%');
    for c in q.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

pub const MAX_PER_PAGE: u32 = 100;
pub const DEFAULT_PER_PAGE: u32 = 20;

pub async fn list(
    db: &Db,
    user_id: i64,
    query: &LinkListQuery,
) -> Result<(Vec<LinkRow>, u64, u32, u32), ApiError> {
    let per_page = query
        .per_page
        .unwrap_or(DEFAULT_PER_PAGE)
        .clamp(1, MAX_PER_PAGE);
    let page = query.page.unwrap_or(1).max(1);
    let offset = i64::from(page - 1) * i64::from(per_page);
    let order = match query.sort {
        LinkSort::Newest => "created_at DESC, id DESC",
        LinkSort::Oldest => "created_at ASC, id ASC",
        LinkSort::MostVisited => "visits DESC, id DESC",
        LinkSort::Slug => "slug ASC",
    };
    let pattern = like_pattern(query.q.as_deref().unwrap_or("").trim());
    let filter = "user_id = $1 AND (lower(slug) LIKE lower($2) ESCAPE '\\' \
                  OR lower(url) LIKE lower($2) ESCAPE '\\')";
    let total: i64 = crate::on_db!(db, |dbc| sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM links WHERE {filter}"
    ))
    .bind(user_id)
    .bind(&pattern)
    .fetch_one(dbc)
    .await)?;
    let rows = crate::on_db!(db, |dbc| sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM links WHERE {filter} ORDER BY {order} LIMIT $3 OFFSET $4"
    ))
    .bind(user_id)
    .bind(&pattern)
    .bind(i64::from(per_page))
    .bind(offset)
    .fetch_all(dbc)
    .await)?;
    Ok((rows, u64::try_from(total).unwrap_or(0), page, per_page))
}

pub struct LinkChanges<'a> {
    pub url: Option<&'a str>,
    pub enabled: Option<bool>,
    /// `Some(None)` removes the password.
    pub password_hash: Option<Option<&'a str>>,
    /// `Some(None)` removes the visit limit.
    pub max_visits: Option<Option<u32>>,
}

pub async fn update(
    db: &Db,
    user_id: i64,
    id: i64,
    c: LinkChanges<'_>,
) -> Result<LinkRow, ApiError> {
    Ok(crate::on_db!(db, |dbc| sqlx::query_as(&format!(
        "UPDATE links SET url = COALESCE($1, url), enabled = COALESCE($2, enabled), \
         password_hash = CASE WHEN $3 THEN $4 ELSE password_hash END, \
         max_visits = CASE WHEN $5 THEN $6 ELSE max_visits END \
         WHERE id = $7 AND user_id = $8 RETURNING {COLUMNS}"
    ))
    .bind(c.url)
    .bind(c.enabled)
    .bind(c.password_hash.is_some())
    .bind(c.password_hash.flatten())
    .bind(c.max_visits.is_some())
    .bind(c.max_visits.flatten().map(i64::from))
    .bind(id)
    .bind(user_id)
    .fetch_one(dbc)
    .await)?)
}

/// Deletes a link; returns its slug so the redirect cache can forget it.
pub async fn delete(db: &Db, user_id: i64, id: i64) -> Result<String, ApiError> {
    Ok(crate::on_db!(db, |dbc| sqlx::query_scalar(
        "DELETE FROM links WHERE id = $1 AND user_id = $2 RETURNING slug"
    )
    .bind(id)
    .bind(user_id)
    .fetch_one(dbc)
    .await)?)
}

pub async fn daily_visits(db: &Db, link_id: i64) -> Result<Vec<DayCount>, ApiError> {
    let rows: Vec<(String, i64)> = crate::on_db!(db, |dbc| sqlx::query_as(
        "SELECT day, visits FROM link_visits_daily WHERE link_id = $1 ORDER BY day"
    )
    .bind(link_id)
    .fetch_all(dbc)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(day, visits)| DayCount {
            day,
            visits: u64::try_from(visits).unwrap_or(0),
        })
        .collect())
}

/// Counts one visit of a link with a visit limit, in the database and only while under
/// the limit, so that no restart, crash or second process can let it be exceeded.
/// Returns the visits now counted, or `None` when the limit was already reached.
pub async fn take_limited_visit(
    db: &Db,
    link_id: i64,
    day: &str,
) -> Result<Option<u64>, sqlx::Error> {
    let mut tx = crate::db::begin_write(db).await?;
    let visits: Option<i64> = crate::on_db!(&mut tx, |dbc| sqlx::query_scalar(
        "UPDATE links SET visits = visits + 1 \
         WHERE id = $1 AND max_visits IS NOT NULL AND visits < max_visits RETURNING visits",
    )
    .bind(link_id)
    .fetch_optional(dbc)
    .await)?;
    if visits.is_some() {
        crate::on_db!(&mut tx, |dbc| sqlx::query(
            "INSERT INTO link_visits_daily (link_id, day, visits) VALUES ($1, $2, 1) \
             ON CONFLICT (link_id, day) DO UPDATE SET visits = link_visits_daily.visits + 1",
        )
        .bind(link_id)
        .bind(day)
        .execute(dbc)
        .await
        .map(crate::db::Done::from))?;
    }
    tx.commit().await?;
    Ok(visits.map(|v| u64::try_from(v).unwrap_or(0)))
}

/// Adds counted visits in one transaction (called by the visit counter's flush).
pub async fn add_visits(db: &Db, day: &str, counts: &[(i64, u64)]) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    for &(link_id, n) in counts {
        let n = i64::try_from(n).unwrap_or(i64::MAX);
        let updated = crate::on_db!(&mut tx, |dbc| sqlx::query(
            "UPDATE links SET visits = visits + $1 WHERE id = $2"
        )
        .bind(n)
        .bind(link_id)
        .execute(dbc)
        .await
        .map(crate::db::Done::from))?;
        if updated.rows_affected() == 0 {
            continue; // deleted meanwhile
        }
        crate::on_db!(&mut tx, |dbc| {
            sqlx::query(
            "INSERT INTO link_visits_daily (link_id, day, visits) VALUES ($1, $2, $3) \
             ON CONFLICT (link_id, day) DO UPDATE SET visits = link_visits_daily.visits + excluded.visits",
        )
        .bind(link_id)
        .bind(day)
        .bind(n)
        .execute(dbc).await.map(crate::db::Done::from)
        })?;
    }
    tx.commit().await
}
