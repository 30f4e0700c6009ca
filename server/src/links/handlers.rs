//! Link API handlers: thin, validation in `validate`, SQL in `store`.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use ksuite_common::{
    CreateLinkRequest, ErrorCode, Field, Link, LinkList, LinkListQuery, LinkQuota, LinkStats,
    Problem, Rule, UpdateLinkRequest, monthly_link_quota,
};

use super::store::{self, CreateOutcome, LinkChanges, LinkRow, NewLink};
use super::{qr, validate};
use crate::auth::session::Session;
use crate::auth::{password, users};
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::state::AppState;

const MAX_LINK_PASSWORD_LEN: usize = 256;
/// Random slugs collide rarely; a few retries make a failure practically impossible.
const RANDOM_SLUG_ATTEMPTS: usize = 5;

fn to_api(state: &AppState, row: LinkRow) -> Link {
    let pending = state.links.visits.pending(row.id);
    Link {
        id: row.id,
        short_url: state.links.short.short_url(&row.slug),
        slug: row.slug,
        url: row.url,
        created_at: row.created_at,
        expires_at: row.expires_at,
        enabled: row.enabled,
        has_password: row.password_hash.is_some(),
        max_visits: row.max_visits.and_then(|m| u32::try_from(m).ok()),
        visits: u64::try_from(row.visits).unwrap_or(0) + pending,
    }
}

fn current_month() -> String {
    chrono::Utc::now().format("%Y-%m").to_string()
}

fn check_link_password(p: &str) -> Result<(), ApiError> {
    if p.is_empty() || p.chars().count() > MAX_LINK_PASSWORD_LEN {
        return Err(ApiError::invalid(
            Problem::length(Field::Password, MAX_LINK_PASSWORD_LEN),
            "The link password must have 1 to 256 characters.",
        ));
    }
    Ok(())
}

fn check_max_visits(m: u32) -> Result<(), ApiError> {
    if m == 0 {
        return Err(ApiError::invalid(
            Problem::new(Field::Visits, Rule::OutOfRange),
            "The maximum number of visits must be at least 1.",
        ));
    }
    Ok(())
}

fn quota_exhausted(limit: u32) -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::QuotaExceeded,
        format!(
            "You have created {limit} links this month, the limit of your plan. New links can be created next month."
        ),
    )
}

/// Create a short link.
#[utoipa::path(post, path = "/api/links", tag = "links", request_body = CreateLinkRequest,
    responses((status = 201, body = Link), (status = 409, body = ksuite_common::ErrorBody, description = "slug taken"),
              (status = 422, body = ksuite_common::ErrorBody), (status = 429, body = ksuite_common::ErrorBody, description = "monthly quota used up")))]
pub async fn create(
    State(state): State<AppState>,
    session: Session,
    ApiJson(req): ApiJson<CreateLinkRequest>,
) -> ApiResult<(StatusCode, Json<Link>)> {
    let url = validate::target_url(&req.url, &state.links.short)?;
    let custom = match req.slug.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(validate::custom_slug(s)?),
        None => None,
    };
    if let Some(m) = req.max_visits {
        check_max_visits(m)?;
    }
    let password_hash = match req.password.filter(|p| !p.is_empty()) {
        Some(p) => {
            check_link_password(&p)?;
            Some(password::hash(p).await?)
        }
        None => None,
    };
    let plan = users::profile(&state.db, session.user_id).await?.plan;
    let limit = monthly_link_quota(plan);
    let month = current_month();
    let now = crate::now_unix();
    let attempts = if custom.is_some() {
        1
    } else {
        RANDOM_SLUG_ATTEMPTS
    };
    for _ in 0..attempts {
        let slug = custom.clone().unwrap_or_else(validate::random_slug);
        let new = NewLink {
            user_id: session.user_id,
            slug: &slug,
            url: &url,
            created_at: now,
            expires_at: req.validity.seconds().map(|s| now + s),
            password_hash: password_hash.as_deref(),
            max_visits: req.max_visits,
        };
        match store::create(&state.db, new, &month, limit).await? {
            CreateOutcome::Created(row) => {
                // A visitor may have hit this slug before it existed.
                state.links.cache.invalidate(&row.slug);
                return Ok((StatusCode::CREATED, Json(to_api(&state, row))));
            }
            CreateOutcome::QuotaExhausted => return Err(quota_exhausted(limit)),
            CreateOutcome::SlugTaken => continue,
        }
    }
    if custom.is_some() {
        Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::Conflict,
            "This short name is already taken. Choose another one.",
        )
        .with(Problem::new(Field::ShortName, Rule::Taken)))
    } else {
        Err(ApiError::internal("could not find a free random slug"))
    }
}

/// The signed-in user's links, searchable and sorted, one page at a time.
#[utoipa::path(get, path = "/api/links", tag = "links", params(LinkListQuery),
    responses((status = 200, body = LinkList)))]
pub async fn list(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<LinkListQuery>,
) -> ApiResult<Json<LinkList>> {
    let (rows, total, page, per_page) = store::list(&state.db, session.user_id, &query).await?;
    let items = rows.into_iter().map(|r| to_api(&state, r)).collect();
    Ok(Json(LinkList {
        items,
        total,
        page,
        per_page,
    }))
}

/// How many links the plan allows this month and how many are left.
#[utoipa::path(get, path = "/api/links/quota", tag = "links", responses((status = 200, body = LinkQuota)))]
pub async fn quota(State(state): State<AppState>, session: Session) -> ApiResult<Json<LinkQuota>> {
    let plan = users::profile(&state.db, session.user_id).await?.plan;
    let limit = monthly_link_quota(plan);
    let month = current_month();
    let used = store::used_quota(&state.db, session.user_id, &month).await?;
    Ok(Json(LinkQuota {
        plan,
        limit,
        used,
        remaining: limit.saturating_sub(used),
        month,
    }))
}

#[utoipa::path(get, path = "/api/links/{id}", tag = "links", params(("id" = i64, Path)),
    responses((status = 200, body = Link), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> ApiResult<Json<Link>> {
    let row = store::get(&state.db, session.user_id, id).await?;
    Ok(Json(to_api(&state, row)))
}

/// Edit the target, enable/disable, change the password or visit limit.
#[utoipa::path(patch, path = "/api/links/{id}", tag = "links", params(("id" = i64, Path)), request_body = UpdateLinkRequest,
    responses((status = 200, body = Link), (status = 404, body = ksuite_common::ErrorBody), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<UpdateLinkRequest>,
) -> ApiResult<Json<Link>> {
    let url = req
        .url
        .as_deref()
        .map(|u| validate::target_url(u, &state.links.short))
        .transpose()?;
    if let Some(m) = req.max_visits {
        check_max_visits(m)?;
    }
    let new_hash = match req.password.filter(|p| !p.is_empty()) {
        Some(p) => {
            check_link_password(&p)?;
            Some(password::hash(p).await?)
        }
        None => None,
    };
    let password_hash = match (&new_hash, req.clear_password) {
        (Some(h), _) => Some(Some(h.as_str())),
        (None, true) => Some(None),
        (None, false) => None,
    };
    let max_visits = match (req.max_visits, req.clear_max_visits) {
        (Some(m), _) => Some(Some(m)),
        (None, true) => Some(None),
        (None, false) => None,
    };
    let changes = LinkChanges {
        url: url.as_deref(),
        enabled: req.enabled,
        password_hash,
        max_visits,
    };
    if max_visits.is_some() {
        // A limit is enforced in the database: visits still counted in memory go there first.
        state.links.visits.flush(&state.db).await;
    }
    let row = store::update(&state.db, session.user_id, id, changes).await?;
    state.links.cache.invalidate(&row.slug);
    Ok(Json(to_api(&state, row)))
}

#[utoipa::path(delete, path = "/api/links/{id}", tag = "links", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    let slug = store::delete(&state.db, session.user_id, id).await?;
    state.links.cache.invalidate(&slug);
    Ok(StatusCode::NO_CONTENT)
}

/// Visits in total and per day (UTC).
#[utoipa::path(get, path = "/api/links/{id}/stats", tag = "links", params(("id" = i64, Path)),
    responses((status = 200, body = LinkStats), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn stats(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> ApiResult<Json<LinkStats>> {
    // Counts are batched; write what is pending so the figures are exact.
    state.links.visits.flush(&state.db).await;
    let row = store::get(&state.db, session.user_id, id).await?;
    let per_day = store::daily_visits(&state.db, row.id).await?;
    Ok(Json(LinkStats {
        total: u64::try_from(row.visits).unwrap_or(0),
        per_day,
    }))
}

fn download(body: impl Into<Body>, content_type: &'static str, filename: String) -> Response {
    let mut resp = Response::new(body.into());
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{filename}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    resp
}

/// QR code of the short URL as SVG.
#[utoipa::path(get, path = "/api/links/{id}/qr.svg", tag = "links", params(("id" = i64, Path)),
    responses((status = 200, content_type = "image/svg+xml", body = String), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn qr_svg(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let row = store::get(&state.db, session.user_id, id).await?;
    let svg = qr::svg(&state.links.short.short_url(&row.slug))?;
    Ok(download(
        svg,
        "image/svg+xml",
        format!("qr-{}.svg", row.slug),
    ))
}

/// QR code of the short URL as PNG.
#[utoipa::path(get, path = "/api/links/{id}/qr.png", tag = "links", params(("id" = i64, Path)),
    responses((status = 200, content_type = "image/png", body = Vec<u8>), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn qr_png(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let row = store::get(&state.db, session.user_id, id).await?;
    let png = qr::png(&state.links.short.short_url(&row.slug), 10)?;
    Ok(download(png, "image/png", format!("qr-{}.png", row.slug)))
}
