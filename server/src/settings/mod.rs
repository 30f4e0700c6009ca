//! Profile settings: display name, language, time zone, theme, the undo window after
//! Send, and what the user publishes in the organization directory.

use axum::extract::State;
use axum::routing::{get, patch};
use axum::{Json, Router};
use ksuite_common::{
    DirectoryCard, Field, MAX_DIRECTORY_FIELD_LEN, Problem, Rule, UpdateProfileRequest,
    UserProfile, paths,
};

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
        return Err(ApiError::invalid(
            Problem::new(Field::TimeZone, Rule::Invalid),
            format!("Unknown time zone {tz:?}."),
        ));
    }
    let directory = req.directory.as_ref().map(directory_card).transpose()?;
    if let Some(undo) = req.undo_send_seconds
        && undo > ksuite_common::MAX_UNDO_SEND_SECONDS
    {
        return Err(ApiError::invalid(
            Problem::new(Field::UndoWindow, Rule::OutOfRange),
            format!(
                "The undo window is at most {} seconds.",
                ksuite_common::MAX_UNDO_SEND_SECONDS
            ),
        ));
    }
    crate::on_db!(&state.db, |dbc| {
        sqlx::query(
        "UPDATE users SET display_name = COALESCE($1, display_name), language = COALESCE($2, language), \
         time_zone = COALESCE($3, time_zone), theme = COALESCE($4, theme), \
         directory_phone = COALESCE($5, directory_phone), directory_title = COALESCE($6, directory_title), \
         directory_department = COALESCE($7, directory_department), \
         undo_send_seconds = COALESCE($8, undo_send_seconds) WHERE id = $9",
    )
    .bind(display_name)
    .bind(req.language.map(|l| l.code()))
    .bind(&req.time_zone)
    .bind(req.theme.map(|t| t.code()))
    .bind(directory.as_ref().map(|d| &d.phone))
    .bind(directory.as_ref().map(|d| &d.title))
    .bind(directory.as_ref().map(|d| &d.department))
    .bind(req.undo_send_seconds.map(i64::from))
    .bind(session.user_id)
    .execute(dbc).await.map(crate::db::Done::from)
    })?;
    // Floating times in DAV answers are read in the user's time zone.
    state.dav_cache.clear();
    if req.time_zone.is_some() {
        // All-day reminders ("the day before at 09:00") are local times of the user.
        crate::reminders::store::reschedule_user(&state.db, session.user_id).await?;
    }
    Ok(Json(users::profile(&state.db, session.user_id).await?))
}

/// Trims the directory fields and checks each is a short single line.
fn directory_card(card: &DirectoryCard) -> Result<DirectoryCard, ApiError> {
    let field = |label: &str, v: &str| {
        let v = v.trim();
        if v.chars().count() > MAX_DIRECTORY_FIELD_LEN || v.chars().any(char::is_control) {
            return Err(ApiError::invalid(
                Problem::too_long(Field::Directory, MAX_DIRECTORY_FIELD_LEN),
                format!(
                    "The directory {label} must be one line of at most {MAX_DIRECTORY_FIELD_LEN} characters."
                ),
            ));
        }
        Ok(v.to_string())
    };
    Ok(DirectoryCard {
        phone: field("phone number", &card.phone)?,
        title: field("job title", &card.title)?,
        department: field("department", &card.department)?,
    })
}

/// The IANA time zone names the server knows, sorted.
#[utoipa::path(get, path = "/api/settings/time-zones", tag = "settings",
    responses((status = 200, body = Vec<String>)))]
pub async fn time_zones() -> Json<Vec<&'static str>> {
    let mut names: Vec<&'static str> = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
    names.sort_unstable();
    Json(names)
}
