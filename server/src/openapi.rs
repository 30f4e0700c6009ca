//! The OpenAPI document of the JSON API, generated from the handlers' annotations.

use axum::Json;
use axum::Router;
use axum::routing::get;
use ksuite_common::paths;
use utoipa::OpenApi;

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "ksuite API", description = "JSON API of ksuite. State-changing requests need the session's CSRF token in the x-csrf-token header."),
    paths(
        health,
        crate::auth::signup,
        crate::auth::login,
        crate::auth::logout,
        crate::auth::me,
        crate::auth::current_session,
        crate::auth::app_passwords::list,
        crate::auth::app_passwords::create,
        crate::auth::app_passwords::revoke,
        crate::auth::two_factor::status,
        crate::auth::two_factor::setup,
        crate::auth::two_factor::enable,
        crate::auth::two_factor::disable,
        crate::auth::account::change_password,
        crate::auth::account::list_sessions,
        crate::auth::account::end_session,
        crate::auth::account::sign_out_others,
        crate::auth::admin_users::list_users,
        crate::auth::admin_users::change_user,
        crate::auth::admin_users::list_invitations,
        crate::auth::admin_users::create_invitation,
        crate::auth::admin_users::revoke_invitation,
        crate::dav::assistant::sync_info,
        crate::dav::assistant::apple_profile,
        crate::mail::handlers::folders,
        crate::mail::handlers::messages,
        crate::mail::handlers::message,
        crate::mail::handlers::raw,
        crate::mail::handlers::update,
        crate::mail::handlers::move_message,
        crate::mail::handlers::delete,
        crate::mail::handlers::deleted,
        crate::mail::handlers::restore,
        crate::mail::handlers::search,
        crate::mail::handlers::html,
        crate::mail::handlers::attachment,
        crate::mail::handlers::thread,
        crate::mail::folders::create,
        crate::mail::folders::rename,
        crate::mail::folders::delete,
        crate::mail::folders::empty,
        crate::mail::send_handlers::send,
        crate::mail::send_handlers::save_draft,
        crate::mail::send_handlers::upload,
        crate::mail::send_handlers::discard_upload,
        crate::mail::send_handlers::retry,
        crate::mail::settings_handlers::addresses,
        crate::mail::settings_handlers::set_signature,
        crate::mail::settings_handlers::auto_reply,
        crate::mail::settings_handlers::set_auto_reply,
        crate::mail::settings_handlers::address_routing,
        crate::mail::settings_handlers::add_alias,
        crate::mail::settings_handlers::remove_alias,
        crate::mail::settings_handlers::set_redirect,
        crate::mail::settings_handlers::list_filters,
        crate::mail::settings_handlers::create_filter,
        crate::mail::settings_handlers::update_filter,
        crate::mail::settings_handlers::delete_filter,
        crate::mail::settings_handlers::reorder_filters,
        crate::mail::admin::list,
        crate::mail::admin::create,
        crate::mail::admin::delete,
        crate::mail::admin::grant,
        crate::mail::admin::revoke,
        crate::settings::update_profile,
        crate::settings::time_zones,
        crate::links::handlers::create,
        crate::links::handlers::list,
        crate::links::handlers::quota,
        crate::links::handlers::get,
        crate::links::handlers::update,
        crate::links::handlers::delete,
        crate::links::handlers::stats,
        crate::links::handlers::qr_svg,
        crate::links::handlers::qr_png,
        crate::calendar::handlers::list_calendars,
        crate::calendar::handlers::create_calendar,
        crate::calendar::handlers::update_calendar,
        crate::calendar::handlers::delete_calendar,
        crate::calendar::handlers::create_event,
        crate::calendar::handlers::get_event,
        crate::calendar::handlers::update_event,
        crate::calendar::handlers::delete_event,
        crate::calendar::handlers::set_reminders,
        crate::calendar::handlers::update_occurrence,
        crate::calendar::handlers::delete_occurrence,
        crate::calendar::handlers::list_occurrences,
        crate::calendar::handlers::import,
        crate::calendar::handlers::export,
        crate::calendar::handlers::list_shares,
        crate::calendar::handlers::put_share,
        crate::calendar::handlers::delete_share,
        crate::contacts::handlers::list_books,
        crate::contacts::handlers::create_book,
        crate::contacts::handlers::rename_book,
        crate::contacts::handlers::delete_book,
        crate::contacts::handlers::list_contacts,
        crate::contacts::handlers::list_groups,
        crate::contacts::handlers::create_contact,
        crate::contacts::handlers::get_contact,
        crate::contacts::handlers::update_contact,
        crate::contacts::handlers::delete_contact,
        crate::contacts::handlers::import,
        crate::contacts::handlers::export,
        crate::contacts::handlers::autocomplete,
        crate::contacts::handlers::merge,
        crate::contacts::handlers::get_photo,
        crate::contacts::handlers::put_photo,
        crate::contacts::handlers::delete_photo,
        crate::contacts::handlers::list_shares,
        crate::contacts::handlers::put_share,
        crate::contacts::handlers::delete_share,
        crate::reminders::webhooks::list,
        crate::reminders::webhooks::create,
        crate::reminders::webhooks::update,
        crate::reminders::webhooks::delete,
        crate::reminders::webhooks::test,
        crate::reminders::api::snooze,
        crate::reminders::api::dismiss,
        crate::push::handlers::vapid_public_key,
        crate::push::handlers::subscribe,
        crate::push::handlers::list,
        crate::push::handlers::unsubscribe,
        crate::push::handlers::test,
    ),
    // Enums used only as query parameters are not collected from the paths.
    components(schemas(ksuite_common::ContactSort, ksuite_common::LinkSort)),
    tags((name = "auth"), (name = "settings"), (name = "links"), (name = "calendar"), (name = "contacts"), (name = "system"), (name = "account"), (name = "sync"), (name = "mail"), (name = "admin"), (name = "notifications"))
)]
pub struct ApiDoc;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::OPENAPI, get(|| async { Json(ApiDoc::openapi()) }))
        .route(paths::HEALTH, get(health))
}

/// Liveness and version; also checks the database answers.
#[utoipa::path(get, path = "/api/health", tag = "system",
    responses((status = 200, body = ksuite_common::Health), (status = 500, body = ksuite_common::ErrorBody)))]
pub async fn health(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> crate::error::ApiResult<Json<ksuite_common::Health>> {
    sqlx::query("SELECT 1").execute(&state.db).await?;
    Ok(Json(ksuite_common::Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    }))
}
