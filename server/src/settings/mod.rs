//! Profile settings: display name, language, time zone and theme.

use axum::extract::State;
use axum::routing::{get, patch};
use axum::{Json, Router};
use ksuite_common::{UpdateProfileRequest, UserProfile, paths};

use crate::auth::session::Session;
use crate::auth::users;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::PROFILE, patch(update_profile))
        .route(paths::TIME_ZONES, get(time_zones))
}

/// Change profile settings; absent fields are left unchanged.
#[utoipa::path(patch, path = "/api/settings/profile", tag = "settings", request_body = UpdateProfileRequest,
    responses((status = 200, body = UserProfile), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn update_profile(
    State(state): State<AppState>,
    session: Session,
    ApiJson(req): ApiJson<UpdateProfileRequest>,
) -> ApiResult<Json<UserProfile>> {
    let display_name = req
        .display_name
        .as_deref()
        .map(users::normalize_display_name)
        .transpose()?;
    if let Some(tz) = &req.time_zone
        && tz.parse::<chrono_tz::Tz>().is_err()
    {
        return Err(ApiError::validation(format!("Unknown time zone {tz:?}.")));
    }
    sqlx::query(
        "UPDATE users SET display_name = COALESCE(?, display_name), language = COALESCE(?, language), \
         time_zone = COALESCE(?, time_zone), theme = COALESCE(?, theme) WHERE id = ?",
    )
    .bind(display_name)
    .bind(req.language.map(|l| l.code()))
    .bind(&req.time_zone)
    .bind(req.theme.map(|t| t.code()))
    .bind(session.user_id)
    .execute(&state.db)
    .await?;
    // Floating times in DAV answers are read in the user's time zone.
    state.dav_cache.clear();
    if req.time_zone.is_some() {
        // All-day reminders ("the day before at 09:00") are local times of the user.
        crate::reminders::store::reschedule_user(&state.db, session.user_id).await?;
    }
    Ok(Json(users::profile(&state.db, session.user_id).await?))
}

/// The IANA time zone names the server knows, sorted.
#[utoipa::path(get, path = "/api/settings/time-zones", tag = "settings",
    responses((status = 200, body = Vec<String>)))]
pub async fn time_zones() -> Json<Vec<&'static str>> {
    let mut names: Vec<&'static str> = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
    names.sort_unstable();
    Json(names)
}
