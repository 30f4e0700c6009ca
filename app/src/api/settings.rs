//! Profile settings endpoints.

use gloo_net::http::Request;
use ksuite_common::{UpdateProfileRequest, UserProfile, paths};

use super::{ApiError, get_json, send_json};

pub async fn update_profile(req: &UpdateProfileRequest) -> Result<UserProfile, ApiError> {
    send_json(Request::patch(paths::PROFILE), req).await
}

pub async fn time_zones() -> Result<Vec<String>, ApiError> {
    get_json(paths::TIME_ZONES).await
}
