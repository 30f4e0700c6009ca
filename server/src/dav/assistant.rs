//! The sync assistant's data: connection details for devices, and an Apple configuration
//! profile that sets up CalDAV and CardDAV in one step (the password is asked for when the
//! profile is installed, so the file holds no secret).

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use ksuite_common::{MailServerInfo, SyncInfo};

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
    let m = &state.settings.mail_servers;
    let mail = MailServerInfo {
        host: m.host.clone(),
        imap_port: m.imap_port,
        imaps_port: m.imaps_port,
        submission_port: m.submission_port,
        submissions_port: m.submissions_port,
        self_signed: m.self_signed,
        addresses: sendable_addresses(&state, session.user_id).await?,
    };
    Ok(Json(SyncInfo {
        mail,
        server_url: origin.clone(),
        caldav_url: format!("{origin}{}", path::home(Kind::Calendar, &email)),
        carddav_url: format!("{origin}{}", path::home(Kind::AddressBook, &email)),
        two_factor_enabled: two_factor::secret(&state.db, session.user_id)
            .await?
            .is_some(),
        username: email,
    }))
}

/// The addresses the user may send from, their own first.
async fn sendable_addresses(state: &AppState, user_id: i64) -> ApiResult<Vec<String>> {
    Ok(crate::on_db!(&state.db, |dbc| sqlx::query_scalar(
        "SELECT a.address FROM mail_addresses a JOIN mail_address_users u ON u.address_id = a.id \
         WHERE u.user_id = $1 AND u.permission IN ('send', 'manage') \
         ORDER BY u.permission = 'manage' DESC, a.id",
    )
    .bind(user_id)
    .fetch_all(dbc)
    .await)?)
}

/// What a profile sets up for mail: one account per address, signing in as the user.
pub struct MailProfile<'a> {
    pub servers: &'a crate::state::MailServers,
    pub addresses: &'a [String],
    pub name: &'a str,
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

/// One Mail account payload (IMAP and submission, both with TLS from the start; the
/// password is asked for when the profile is installed).
fn mail_payload(id_base: &str, email: &str, address: &str, mail: &MailProfile<'_>) -> String {
    let s = mail.servers;
    let id = format!("{id_base}.mail.{}", address.replace(['@', '.'], "-"));
    format!(
        "<dict>\
<key>EmailAccountDescription</key><string>{desc}</string>\
<key>EmailAccountName</key><string>{name}</string>\
<key>EmailAccountType</key><string>EmailTypeIMAP</string>\
<key>EmailAddress</key><string>{address}</string>\
<key>IncomingMailServerAuthentication</key><string>EmailAuthPassword</string>\
<key>IncomingMailServerHostName</key><string>{host}</string>\
<key>IncomingMailServerPortNumber</key><integer>{imaps}</integer>\
<key>IncomingMailServerUseSSL</key><true/>\
<key>IncomingMailServerUsername</key><string>{user}</string>\
<key>OutgoingMailServerAuthentication</key><string>EmailAuthPassword</string>\
<key>OutgoingMailServerHostName</key><string>{host}</string>\
<key>OutgoingMailServerPortNumber</key><integer>{submissions}</integer>\
<key>OutgoingMailServerUseSSL</key><true/>\
<key>OutgoingMailServerUsername</key><string>{user}</string>\
<key>OutgoingPasswordSameAsIncomingPassword</key><true/>\
<key>PayloadDescription</key><string>{desc}</string>\
<key>PayloadDisplayName</key><string>{desc}</string>\
<key>PayloadIdentifier</key><string>{id}</string>\
<key>PayloadType</key><string>com.apple.mail.managed</string>\
<key>PayloadUUID</key><string>{uuid}</string>\
<key>PayloadVersion</key><integer>1</integer>\
</dict>",
        desc = escape(&format!("ksuite Mail ({address})")),
        name = escape(mail.name),
        address = escape(address),
        host = escape(&s.host),
        imaps = s.imaps_port,
        submissions = s.submissions_port,
        user = escape(email),
        id = escape(&id),
        uuid = payload_uuid(&id),
    )
}

/// The profile XML (a property list) for `email` on the server at `origin`: calendars,
/// contacts and a Mail account per address.
pub fn profile_xml(origin: &str, email: &str, mail: &MailProfile<'_>) -> Result<String, String> {
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
<key>PayloadContent</key><array>{cal}{card}{mail}</array>\
<key>PayloadDescription</key><string>Mail, calendars and contacts of {user} on {host}</string>\
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
        mail = mail
            .addresses
            .iter()
            .map(|a| mail_payload(&id_base, email, a, mail))
            .collect::<String>(),
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
    let profile = users::profile(&state.db, session.user_id).await?;
    let addresses = sendable_addresses(&state, session.user_id).await?;
    let mail = MailProfile {
        servers: &state.settings.mail_servers,
        addresses: &addresses,
        name: &profile.display_name,
    };
    let xml = profile_xml(&state.settings.public_origin, &profile.email, &mail)
        .map_err(ApiError::internal)?;
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
    fn profile_names_every_account() {
        let servers = crate::state::MailServers {
            host: "mail.example.com".into(),
            imap_port: 143,
            imaps_port: 993,
            submission_port: 587,
            submissions_port: 465,
            self_signed: false,
        };
        let addresses = vec![
            "ann@example.com".to_string(),
            "team@example.com".to_string(),
        ];
        let mail = MailProfile {
            servers: &servers,
            addresses: &addresses,
            name: "Ann",
        };
        let x =
            profile_xml("https://suite.example.com", "ann@example.com", &mail).expect("profile");
        assert_eq!(x.matches("com.apple.mail.managed").count(), 2);
        assert!(x.contains("<key>IncomingMailServerPortNumber</key><integer>993</integer>"));
        assert!(x.contains("<key>OutgoingMailServerPortNumber</key><integer>465</integer>"));
        assert!(x.contains("<key>EmailAddress</key><string>team@example.com</string>"));
        assert!(x.contains("com.apple.caldav.account"));
        assert!(x.contains("com.apple.carddav.account"));
        assert!(x.contains("<key>CalDAVUseSSL</key><true/>"));
        assert!(x.contains("<key>CardDAVPort</key><integer>443</integer>"));
        assert!(x.contains("https://suite.example.com/dav/principals/ann@example.com/"));
        // No secret: the password is asked for at installation.
        for key in [
            "<key>IncomingPassword</key>",
            "<key>OutgoingPassword</key>",
            "<key>CalDAVPassword</key>",
            "<key>CardDAVPassword</key>",
        ] {
            assert!(!x.contains(key), "{key}");
        }
    }
}
