//! The sync assistant's data: connection details for devices, and an Apple configuration
//! profile that sets up CalDAV and CardDAV in one step (the password is asked for when the
//! profile is installed, so the file holds no secret).

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use ksuite_common::SyncInfo;

use super::path::{self, Kind};
use super::xml::escape;
use crate::auth::session::Session;
use crate::auth::{two_factor, users};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Connection details for the sync assistant.
#[utoipa::path(get, path = "/api/sync", tag = "sync",
    responses((status = 200, body = SyncInfo), (status = 401, body = ksuite_common::ErrorBody)))]
pub async fn sync_info(
    State(state): State<AppState>,
    session: Session,
) -> ApiResult<Json<SyncInfo>> {
    let email = users::profile(&state.db, session.user_id).await?.email;
    let origin = &state.settings.public_origin;
    Ok(Json(SyncInfo {
        server_url: origin.clone(),
        caldav_url: format!("{origin}{}", path::home(Kind::Calendar, &email)),
        carddav_url: format!("{origin}{}", path::home(Kind::AddressBook, &email)),
        two_factor_enabled: two_factor::secret(&state.db, session.user_id)
            .await?
            .is_some(),
        username: email,
    }))
}

/// A stable UUID-shaped identifier for a profile payload of this user and server, so a
/// downloaded profile replaces the one installed before instead of adding a second.
fn payload_uuid(seed: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(seed.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    crate::resource::uuid_text(&b).to_uppercase()
}

/// The profile XML (a property list) for `email` on the server at `origin`.
pub fn profile_xml(origin: &str, email: &str) -> Result<String, String> {
    let url = url::Url::parse(origin).map_err(|e| format!("public URL {origin:?}: {e}"))?;
    let host = url.host_str().ok_or("the public URL has no host")?;
    let ssl = url.scheme() == "https";
    let port = url
        .port_or_known_default()
        .unwrap_or(if ssl { 443 } else { 80 });
    let id_base = format!("ksuite.{}.{}", host, email.replace(['@', '.'], "-"));
    let account = |kind: &str, principal: &str| {
        let p = kind; // "CalDAV" or "CardDAV"
        let payload_type = if kind == "CalDAV" {
            "com.apple.caldav.account"
        } else {
            "com.apple.carddav.account"
        };
        format!(
            "<dict>\
<key>{p}AccountDescription</key><string>{desc}</string>\
<key>{p}HostName</key><string>{host}</string>\
<key>{p}Port</key><integer>{port}</integer>\
<key>{p}UseSSL</key><{ssl}/>\
<key>{p}Username</key><string>{user}</string>\
<key>{p}PrincipalURL</key><string>{principal}</string>\
<key>PayloadDescription</key><string>{desc}</string>\
<key>PayloadDisplayName</key><string>{desc}</string>\
<key>PayloadIdentifier</key><string>{id}.{lower}</string>\
<key>PayloadType</key><string>{payload_type}</string>\
<key>PayloadUUID</key><string>{uuid}</string>\
<key>PayloadVersion</key><integer>1</integer>\
</dict>",
            desc = escape(&format!(
                "ksuite {} ({email})",
                if kind == "CalDAV" {
                    "Calendar"
                } else {
                    "Contacts"
                }
            )),
            host = escape(host),
            ssl = if ssl { "true" } else { "false" },
            user = escape(email),
            principal = escape(&format!("{origin}{principal}")),
            id = escape(&id_base),
            lower = kind.to_lowercase(),
            uuid = payload_uuid(&format!("{id_base}.{kind}")),
        )
    };
    let principal = path::principal(email);
    Ok(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n\
<plist version=\"1.0\"><dict>\
<key>PayloadContent</key><array>{cal}{card}</array>\
<key>PayloadDescription</key><string>Calendars and contacts of {user} on {host}</string>\
<key>PayloadDisplayName</key><string>ksuite ({user})</string>\
<key>PayloadIdentifier</key><string>{id}</string>\
<key>PayloadOrganization</key><string>ksuite</string>\
<key>PayloadRemovalDisallowed</key><false/>\
<key>PayloadType</key><string>Configuration</string>\
<key>PayloadUUID</key><string>{uuid}</string>\
<key>PayloadVersion</key><integer>1</integer>\
</dict></plist>\n",
        cal = account("CalDAV", &principal),
        card = account("CardDAV", &principal),
        user = escape(email),
        host = escape(host),
        id = escape(&id_base),
        uuid = payload_uuid(&id_base),
    ))
}

/// Apple configuration profile for Calendar and Contacts on macOS and iOS.
#[utoipa::path(get, path = "/api/sync/apple.mobileconfig", tag = "sync",
    responses((status = 200, content_type = "application/x-apple-aspen-config", body = String), (status = 401, body = ksuite_common::ErrorBody)))]
pub async fn apple_profile(
    State(state): State<AppState>,
    session: Session,
) -> ApiResult<impl IntoResponse> {
    let email = users::profile(&state.db, session.user_id).await?.email;
    let xml = profile_xml(&state.settings.public_origin, &email).map_err(ApiError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-apple-aspen-config"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"ksuite.mobileconfig\"",
            ),
        ],
        xml,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_names_both_accounts() {
        let x = profile_xml("https://suite.example.com", "ann@example.com").expect("profile");
        assert!(x.contains("com.apple.caldav.account"));
        assert!(x.contains("com.apple.carddav.account"));
        assert!(x.contains("<key>CalDAVUseSSL</key><true/>"));
        assert!(x.contains("<key>CardDAVPort</key><integer>443</integer>"));
        assert!(x.contains("https://suite.example.com/dav/principals/ann@example.com/"));
        assert!(!x.to_lowercase().contains("password"));
    }
}
