//! The mail settings API: the user's addresses with their signatures and automatic
//! replies, and filters.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use ksuite_common::{
    AddressRouting, AutoReply, FilterInput, FilterOrder, MailAddress, MailFilter, NewAlias,
    Redirect, SignatureDefaults, SignatureInput,
};

use super::{autoreply, filters, routing, signatures};
use crate::auth::session::Session;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::state::AppState;

/// The user's addresses, what they may do with each, and their signatures.
#[utoipa::path(get, path = "/api/mail/addresses", tag = "mail",
    responses((status = 200, body = Vec<MailAddress>)))]
pub async fn addresses(
    State(state): State<AppState>,
    session: Session,
) -> ApiResult<Json<Vec<MailAddress>>> {
    Ok(Json(user_addresses(&state, session.user_id).await?))
}

async fn user_addresses(state: &AppState, user_id: i64) -> ApiResult<Vec<MailAddress>> {
    let now = state.clock.now_unix();
    type Row = (i64, String, String, Option<i64>, Option<i64>, bool);
    let rows: Vec<Row> = crate::on_db!(&state.db, |dbc| {
        sqlx::query_as(&format!(
        "SELECT a.id, a.address, u.permission, u.new_signature_id, u.reply_signature_id,          EXISTS (SELECT 1 FROM mail_auto_replies r WHERE r.address_id = a.id AND {})          FROM mail_addresses a JOIN mail_address_users u ON u.address_id = a.id          WHERE u.user_id = $2 ORDER BY a.address",
        autoreply::answering_at(1)
    ))
    .bind(now)
    .bind(user_id)
    .fetch_all(dbc).await
    })?;
    let mut signatures = signatures::of_user(&state.db, user_id).await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, address, permission, new_signature, reply_signature, auto_reply_on)| {
                MailAddress {
                    address,
                    permission,
                    signatures: signatures.remove(&id).unwrap_or_default(),
                    new_signature,
                    reply_signature,
                    auto_reply_on,
                }
            },
        )
        .collect())
}

/// One of the user's addresses as it is now, after a change to its signatures.
async fn user_address(state: &AppState, user_id: i64, address: &str) -> ApiResult<MailAddress> {
    let wanted = address.trim().to_lowercase();
    user_addresses(state, user_id)
        .await?
        .into_iter()
        .find(|a| a.address == wanted)
        .ok_or_else(ApiError::not_found)
}

/// Adds a signature to one of the user's addresses (their first becomes the default).
#[utoipa::path(post, path = "/api/mail/addresses/{address}/signatures", tag = "mail",
    params(("address" = String, Path)), request_body = SignatureInput,
    responses((status = 201, body = MailAddress), (status = 404, body = ksuite_common::ErrorBody), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn add_signature(
    State(state): State<AppState>,
    session: Session,
    Path(address): Path<String>,
    ApiJson(input): ApiJson<SignatureInput>,
) -> ApiResult<(StatusCode, Json<MailAddress>)> {
    signatures::add(&state.db, session.user_id, &address, &input).await?;
    let updated = user_address(&state, session.user_id, &address).await?;
    Ok((StatusCode::CREATED, Json(updated)))
}

/// Changes the name or text of one of the user's signatures.
#[utoipa::path(put, path = "/api/mail/addresses/{address}/signatures/{id}", tag = "mail",
    params(("address" = String, Path), ("id" = i64, Path)), request_body = SignatureInput,
    responses((status = 200, body = MailAddress), (status = 404, body = ksuite_common::ErrorBody), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn update_signature(
    State(state): State<AppState>,
    session: Session,
    Path((address, id)): Path<(String, i64)>,
    ApiJson(input): ApiJson<SignatureInput>,
) -> ApiResult<Json<MailAddress>> {
    signatures::update(&state.db, session.user_id, &address, id, &input).await?;
    Ok(Json(user_address(&state, session.user_id, &address).await?))
}

/// Deletes one of the user's signatures (a default it was becomes none).
#[utoipa::path(delete, path = "/api/mail/addresses/{address}/signatures/{id}", tag = "mail",
    params(("address" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = MailAddress), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn delete_signature(
    State(state): State<AppState>,
    session: Session,
    Path((address, id)): Path<(String, i64)>,
) -> ApiResult<Json<MailAddress>> {
    signatures::remove(&state.db, session.user_id, &address, id).await?;
    Ok(Json(user_address(&state, session.user_id, &address).await?))
}

/// Chooses the signatures new messages and replies start with.
#[utoipa::path(put, path = "/api/mail/addresses/{address}/signature-defaults", tag = "mail",
    params(("address" = String, Path)), request_body = SignatureDefaults,
    responses((status = 200, body = MailAddress), (status = 404, body = ksuite_common::ErrorBody), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn set_signature_defaults(
    State(state): State<AppState>,
    session: Session,
    Path(address): Path<String>,
    ApiJson(defaults): ApiJson<SignatureDefaults>,
) -> ApiResult<Json<MailAddress>> {
    signatures::set_defaults(&state.db, session.user_id, &address, &defaults).await?;
    Ok(Json(user_address(&state, session.user_id, &address).await?))
}

/// The automatic reply (out of office) of one of the user's addresses.
#[utoipa::path(get, path = "/api/mail/addresses/{address}/auto-reply", tag = "mail",
    params(("address" = String, Path)),
    responses((status = 200, body = AutoReply), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn auto_reply(
    State(state): State<AppState>,
    session: Session,
    Path(address): Path<String>,
) -> ApiResult<Json<AutoReply>> {
    autoreply::of_address(&state.db, session.user_id, &address)
        .await?
        .map(|(_, reply)| Json(reply))
        .ok_or_else(ApiError::not_found)
}

/// Set the automatic reply of an address the user manages (saving answers every sender
/// anew).
#[utoipa::path(put, path = "/api/mail/addresses/{address}/auto-reply", tag = "mail",
    params(("address" = String, Path)), request_body = AutoReply,
    responses((status = 200, body = AutoReply), (status = 403, body = ksuite_common::ErrorBody),
        (status = 404, body = ksuite_common::ErrorBody), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn set_auto_reply(
    State(state): State<AppState>,
    session: Session,
    Path(address): Path<String>,
    ApiJson(reply): ApiJson<AutoReply>,
) -> ApiResult<Json<AutoReply>> {
    let now = state.clock.now_unix();
    match autoreply::save(&state.db, session.user_id, &address, &reply, now).await? {
        Some(saved) => Ok(Json(saved)),
        None => Err(not_managed(&state, &session, &address).await),
    }
}

/// The refusal for a change to an address the user does not manage: 403 when it is
/// theirs to read or send from, 404 when it is not theirs at all.
async fn not_managed(state: &AppState, session: &Session, address: &str) -> ApiError {
    match routing::of_address(&state.db, session.user_id, address).await {
        Ok(Some(_)) => ApiError::forbidden("Only those who manage this address can change this."),
        Ok(None) => ApiError::not_found(),
        Err(e) => e,
    }
}

/// The aliases and redirection of one of the user's addresses.
#[utoipa::path(get, path = "/api/mail/addresses/{address}/routing", tag = "mail",
    params(("address" = String, Path)),
    responses((status = 200, body = AddressRouting), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn address_routing(
    State(state): State<AppState>,
    session: Session,
    Path(address): Path<String>,
) -> ApiResult<Json<AddressRouting>> {
    routing::of_address(&state.db, session.user_id, &address)
        .await?
        .map(Json)
        .ok_or_else(ApiError::not_found)
}

/// Add an alias (another address in the mail domain delivering into this one).
#[utoipa::path(post, path = "/api/mail/addresses/{address}/aliases", tag = "mail",
    params(("address" = String, Path)), request_body = NewAlias,
    responses((status = 201, body = AddressRouting), (status = 403, body = ksuite_common::ErrorBody),
        (status = 404, body = ksuite_common::ErrorBody), (status = 409, body = ksuite_common::ErrorBody),
        (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn add_alias(
    State(state): State<AppState>,
    session: Session,
    Path(address): Path<String>,
    ApiJson(req): ApiJson<NewAlias>,
) -> ApiResult<(StatusCode, Json<AddressRouting>)> {
    let domain = &state.settings.mail_domain;
    match routing::add_alias(&state.db, session.user_id, &address, &req.alias, domain).await? {
        Some(r) => Ok((StatusCode::CREATED, Json(r))),
        None => Err(not_managed(&state, &session, &address).await),
    }
}

/// Remove an alias.
#[utoipa::path(delete, path = "/api/mail/addresses/{address}/aliases/{alias}", tag = "mail",
    params(("address" = String, Path), ("alias" = String, Path)),
    responses((status = 204), (status = 403, body = ksuite_common::ErrorBody), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn remove_alias(
    State(state): State<AppState>,
    session: Session,
    Path((address, alias)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    match routing::remove_alias(&state.db, session.user_id, &address, &alias).await? {
        Some(true) => Ok(StatusCode::NO_CONTENT),
        Some(false) => Err(ApiError::not_found()),
        None => Err(not_managed(&state, &session, &address).await),
    }
}

/// Redirect every arriving message to other addresses, keeping a copy or not (no targets
/// ends the redirection).
#[utoipa::path(put, path = "/api/mail/addresses/{address}/redirect", tag = "mail",
    params(("address" = String, Path)), request_body = Redirect,
    responses((status = 200, body = AddressRouting), (status = 403, body = ksuite_common::ErrorBody),
        (status = 404, body = ksuite_common::ErrorBody), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn set_redirect(
    State(state): State<AppState>,
    session: Session,
    Path(address): Path<String>,
    ApiJson(req): ApiJson<Redirect>,
) -> ApiResult<Json<AddressRouting>> {
    match routing::set_redirect(&state.db, session.user_id, &address, &req).await? {
        Some(r) => Ok(Json(r)),
        None => Err(not_managed(&state, &session, &address).await),
    }
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
