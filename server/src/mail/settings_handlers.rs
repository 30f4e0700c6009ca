//! The mail settings API: the user's addresses with their signatures, and filters.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use ksuite_common::{FilterInput, FilterOrder, MailAddress, MailFilter, SignatureUpdate};

use super::filters;
use crate::auth::session::Session;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::state::AppState;

const MAX_SIGNATURE: usize = 10_000;

/// The user's addresses, what they may do with each, and their signatures.
#[utoipa::path(get, path = "/api/mail/addresses", tag = "mail",
    responses((status = 200, body = Vec<MailAddress>)))]
pub async fn addresses(
    State(state): State<AppState>,
    session: Session,
) -> ApiResult<Json<Vec<MailAddress>>> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT a.address, u.permission, u.signature FROM mail_addresses a \
         JOIN mail_address_users u ON u.address_id = a.id WHERE u.user_id = ? ORDER BY a.address",
    )
    .bind(session.user_id)
    .fetch_all(&state.db)
    .await?;
    Ok(Json(
        rows.into_iter()
            .map(|(address, permission, signature)| MailAddress {
                address,
                permission,
                signature,
            })
            .collect(),
    ))
}

/// Set the user's signature for one of their addresses.
#[utoipa::path(put, path = "/api/mail/addresses/{address}/signature", tag = "mail",
    params(("address" = String, Path)), request_body = SignatureUpdate,
    responses((status = 200, body = MailAddress), (status = 404, body = ksuite_common::ErrorBody), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn set_signature(
    State(state): State<AppState>,
    session: Session,
    Path(address): Path<String>,
    ApiJson(req): ApiJson<SignatureUpdate>,
) -> ApiResult<Json<MailAddress>> {
    if req.signature.chars().count() > MAX_SIGNATURE {
        return Err(ApiError::validation(format!(
            "A signature is at most {MAX_SIGNATURE} characters."
        )));
    }
    let signature = req.signature.replace("\r\n", "\n");
    let row: Option<String> = sqlx::query_scalar(
        "UPDATE mail_address_users SET signature = ? WHERE user_id = ? AND address_id = \
         (SELECT id FROM mail_addresses WHERE address = ?) RETURNING permission",
    )
    .bind(signature.trim_end())
    .bind(session.user_id)
    .bind(address.trim().to_lowercase())
    .fetch_optional(&state.db)
    .await?;
    let permission = row.ok_or_else(ApiError::not_found)?;
    Ok(Json(MailAddress {
        address: address.trim().to_lowercase(),
        permission,
        signature: signature.trim_end().to_string(),
    }))
}

/// The user's filters, in the order they apply.
#[utoipa::path(get, path = "/api/mail/filters", tag = "mail",
    responses((status = 200, body = Vec<MailFilter>)))]
pub async fn list_filters(
    State(state): State<AppState>,
    session: Session,
) -> ApiResult<Json<Vec<MailFilter>>> {
    Ok(Json(filters::list(&state.db, session.user_id).await?))
}

/// Add a filter (applied after the existing ones).
#[utoipa::path(post, path = "/api/mail/filters", tag = "mail", request_body = FilterInput,
    responses((status = 201, body = MailFilter), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn create_filter(
    State(state): State<AppState>,
    session: Session,
    ApiJson(input): ApiJson<FilterInput>,
) -> ApiResult<(StatusCode, Json<MailFilter>)> {
    let f = filters::create(&state.db, session.user_id, &input).await?;
    Ok((StatusCode::CREATED, Json(f)))
}

/// Replace a filter.
#[utoipa::path(put, path = "/api/mail/filters/{id}", tag = "mail", params(("id" = i64, Path)), request_body = FilterInput,
    responses((status = 200, body = MailFilter), (status = 404, body = ksuite_common::ErrorBody), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn update_filter(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<FilterInput>,
) -> ApiResult<Json<MailFilter>> {
    filters::update(&state.db, session.user_id, id, &input)
        .await?
        .map(Json)
        .ok_or_else(ApiError::not_found)
}

/// Delete a filter.
#[utoipa::path(delete, path = "/api/mail/filters/{id}", tag = "mail", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn delete_filter(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    if filters::delete(&state.db, session.user_id, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found())
    }
}

/// Put the filters in a new order.
#[utoipa::path(put, path = "/api/mail/filters/order", tag = "mail", request_body = FilterOrder,
    responses((status = 200, body = Vec<MailFilter>)))]
pub async fn reorder_filters(
    State(state): State<AppState>,
    session: Session,
    ApiJson(order): ApiJson<FilterOrder>,
) -> ApiResult<Json<Vec<MailFilter>>> {
    filters::reorder(&state.db, session.user_id, &order.ids).await?;
    Ok(Json(filters::list(&state.db, session.user_id).await?))
}
