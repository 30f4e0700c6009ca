//! The DKIM keys in Settings → Administration: the DNS records to publish, and the
//! two-step rotation (prepare a key, publish its record, switch to it). Administrators
//! only.

use axum::Json;
use axum::extract::State;
use ksuite_common::{DkimKey, Field, Problem, Rule};

use super::dkim;
use crate::auth::admin_users::require_admin;
use crate::auth::session::Session;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The mail domain's DKIM keys with their DNS records (a key is made on first look).
#[utoipa::path(get, path = "/api/admin/mail/dkim", tag = "mail",
    responses((status = 200, body = Vec<DkimKey>), (status = 403, body = ksuite_common::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    session: Session,
) -> ApiResult<Json<Vec<DkimKey>>> {
    require_admin(&state, &session).await?;
    dkim::ensure_active(&state.db, &state.settings.mail_domain).await?;
    Ok(Json(dkim::keys(&state.db).await?))
}

/// Prepare the next key: publish its record, then switch to it.
#[utoipa::path(post, path = "/api/admin/mail/dkim/next", tag = "mail",
    responses((status = 200, body = Vec<DkimKey>), (status = 403, body = ksuite_common::ErrorBody)))]
pub async fn prepare(
    State(state): State<AppState>,
    session: Session,
) -> ApiResult<Json<Vec<DkimKey>>> {
    require_admin(&state, &session).await?;
    dkim::ensure_active(&state.db, &state.settings.mail_domain).await?;
    dkim::prepare_next(&state.db, &state.settings.mail_domain).await?;
    Ok(Json(dkim::keys(&state.db).await?))
}

/// Sign with the prepared key from now on; the old one is retired.
#[utoipa::path(post, path = "/api/admin/mail/dkim/activate", tag = "mail",
    responses((status = 200, body = Vec<DkimKey>), (status = 403, body = ksuite_common::ErrorBody),
        (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn activate(
    State(state): State<AppState>,
    session: Session,
) -> ApiResult<Json<Vec<DkimKey>>> {
    require_admin(&state, &session).await?;
    if !dkim::activate_next(&state.db, &state.settings.mail_domain).await? {
        return Err(ApiError::invalid(
            Problem::new(Field::SigningKey, Rule::NotFound),
            "There is no prepared key to switch to. Prepare one and publish its DNS record first.",
        ));
    }
    Ok(Json(dkim::keys(&state.db).await?))
}
