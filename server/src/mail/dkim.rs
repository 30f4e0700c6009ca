//! DKIM signing of outgoing mail (RFC 6376, rsa-sha256, relaxed/relaxed) with the
//! `mail-auth` crate, so receiving servers can tell our mail from forgeries and DMARC
//! passes. Keys are per mail domain, generated at first start; an administrator reads the
//! DNS record to publish in Settings → Administration and rotates in two steps (prepare a
//! key, publish its record, then switch), so no mail is ever signed with a key whose
//! record is not out yet.

use base64::Engine;
use ksuite_common::{DkimKey, DkimKeyState};
use mail_auth::common::crypto::{RsaKey, Sha256};
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::DkimSigner;
use rsa::pkcs1::{EncodeRsaPrivateKey, LineEnding};
use rsa::pkcs8::EncodePublicKey;

use crate::db::Db;
use crate::error::ApiError;

/// RSA-2048: what receivers check everywhere (1024 is weak; 4096 does not fit a TXT
/// string at some DNS hosts).
const KEY_BITS: usize = 2048;

/// Headers signed when the message has them; a receiver then notices if any is added or
/// changed on the way.
const SIGNED_HEADERS: [&str; 13] = [
    "From",
    "Reply-To",
    "To",
    "Cc",
    "Subject",
    "Date",
    "Message-ID",
    "In-Reply-To",
    "References",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
    "Auto-Submitted",
];

struct NewKey {
    private_pem: String,
    public_b64: String,
}

fn generate() -> anyhow::Result<NewKey> {
    let key = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, KEY_BITS)?;
    let private_pem = key.to_pkcs1_pem(LineEnding::LF)?.to_string();
    let public_der = key.to_public_key().to_public_key_der()?;
    Ok(NewKey {
        private_pem,
        public_b64: base64::engine::general_purpose::STANDARD.encode(public_der.as_bytes()),
    })
}

/// `ks` + the day + random hex: unique per key and telling the administrator its age.
fn new_selector() -> String {
    let day = chrono::Utc::now().format("%Y%m%d");
    format!("ks{day}{:04x}", rand::random::<u16>())
}

/// Adds a key in `state` unless the domain has one in that state already (two processes
/// starting at once make one key, not two). Returns whether this call added it.
async fn add(db: &Db, domain: &str, state: &str) -> Result<bool, ApiError> {
    let key = tokio::task::spawn_blocking(generate)
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    let added = crate::on_db!(db, |dbc| sqlx::query(
        "INSERT INTO mail_dkim_keys (domain, selector, private_key, public_key, state, created_at, activated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7 = 'active' THEN $8 END) ON CONFLICT DO NOTHING",
    )
    .bind(domain)
    .bind(new_selector())
    .bind(&key.private_pem)
    .bind(&key.public_b64)
    .bind(state)
    .bind(crate::now_unix())
    .bind(state)
    .bind(crate::now_unix())
    .execute(dbc).await.map(crate::db::Done::from))?
    .rows_affected();
    Ok(added > 0)
}

async fn has(db: &Db, domain: &str, state: &str) -> Result<bool, ApiError> {
    Ok(crate::on_db!(db, |dbc| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM mail_dkim_keys WHERE domain = $1 AND state = $2",
    )
    .bind(domain)
    .bind(state)
    .fetch_one(dbc)
    .await)?
        > 0)
}

/// Gives the domain a signing key if it has none.
pub async fn ensure_active(db: &Db, domain: &str) -> Result<(), ApiError> {
    let domain = domain.to_ascii_lowercase();
    if !has(db, &domain, "active").await? {
        add(db, &domain, "active").await?;
    }
    Ok(())
}

/// Prepares the next key (the one there is already, if any): its record can be published
/// before it signs anything.
pub async fn prepare_next(db: &Db, domain: &str) -> Result<(), ApiError> {
    let domain = domain.to_ascii_lowercase();
    if !has(db, &domain, "next").await? {
        add(db, &domain, "next").await?;
    }
    Ok(())
}

/// Makes the prepared key the signing one and retires the old; `false` if none was
/// prepared.
pub async fn activate_next(db: &Db, domain: &str) -> Result<bool, ApiError> {
    let domain = domain.to_ascii_lowercase();
    let now = crate::now_unix();
    let mut tx = crate::db::begin_write(db).await?;
    let next: Option<i64> = crate::on_db!(&mut tx, |dbc| sqlx::query_scalar(
        "SELECT id FROM mail_dkim_keys WHERE domain = $1 AND state = 'next'"
    )
    .bind(&domain)
    .fetch_optional(dbc)
    .await)?;
    let Some(next) = next else {
        return Ok(false);
    };
    crate::on_db!(&mut tx, |dbc| {
        sqlx::query(
        "UPDATE mail_dkim_keys SET state = 'retired', retired_at = $1 WHERE domain = $2 AND state = 'active'",
    )
    .bind(now)
    .bind(&domain)
    .execute(dbc).await.map(crate::db::Done::from)
    })?;
    crate::on_db!(&mut tx, |dbc| sqlx::query(
        "UPDATE mail_dkim_keys SET state = 'active', activated_at = $1 WHERE id = $2"
    )
    .bind(now)
    .bind(next)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    tx.commit().await?;
    Ok(true)
}

/// Every key with its DNS record: the signing one first, then the prepared one, then
/// retired ones, newest first.
pub async fn keys(db: &Db) -> Result<Vec<DkimKey>, ApiError> {
    let rows: Vec<(String, String, String, String, i64)> =
        crate::on_db!(db, |dbc| sqlx::query_as(
            "SELECT domain, selector, state, public_key, created_at FROM mail_dkim_keys \
         ORDER BY domain, CASE state WHEN 'active' THEN 0 WHEN 'next' THEN 1 ELSE 2 END, id DESC",
        )
        .fetch_all(dbc)
        .await)?;
    Ok(rows
        .into_iter()
        .map(
            |(domain, selector, state, public_key, created_at)| DkimKey {
                dns_name: format!("{selector}._domainkey.{domain}"),
                dns_value: format!("v=DKIM1; k=rsa; p={public_key}"),
                state: match state.as_str() {
                    "active" => DkimKeyState::Active,
                    "next" => DkimKeyState::Next,
                    _ => DkimKeyState::Retired,
                },
                domain,
                selector,
                created_at,
            },
        )
        .collect())
}

/// The domain of the From address, lower-case.
fn from_domain(raw: &[u8]) -> Option<String> {
    let parsed = mail_parser::MessageParser::default().parse_headers(raw)?;
    let address = parsed.from()?.first()?.address()?;
    Some(address.rsplit_once('@')?.1.to_ascii_lowercase())
}

/// `raw` with a DKIM-Signature header when it is from the mail domain (whose key is made
/// on first use) or another domain with a key; as it is otherwise (another domain's mail
/// being redirected, or a signing failure, which is logged: unsigned mail still goes).
pub async fn sign(db: &Db, mail_domain: &str, raw: Vec<u8>) -> Vec<u8> {
    let Some(domain) = from_domain(&raw) else {
        return raw;
    };
    if domain.eq_ignore_ascii_case(mail_domain)
        && let Err(e) = ensure_active(db, &domain).await
    {
        tracing::warn!(error = %e.message, "no DKIM key could be made; sending unsigned");
    }
    let key: Result<Option<(String, String)>, sqlx::Error> = crate::on_db!(db, |dbc| {
        sqlx::query_as(
        "SELECT selector, private_key FROM mail_dkim_keys WHERE domain = $1 AND state = 'active'",
    )
    .bind(&domain)
    .fetch_optional(dbc).await
    });
    let (selector, pem) = match key {
        Ok(Some(k)) => k,
        Ok(None) => return raw,
        Err(e) => {
            tracing::warn!(error = %e, "DKIM key lookup failed; sending unsigned");
            return raw;
        }
    };
    let raw = std::sync::Arc::new(raw);
    let message = raw.clone();
    let header = tokio::task::spawn_blocking(move || {
        RsaKey::<Sha256>::from_pkcs1_pem(&pem)
            .and_then(|key| {
                DkimSigner::from_key(key)
                    .domain(domain)
                    .selector(selector)
                    .headers(SIGNED_HEADERS)
                    .sign(&message)
            })
            .map(|s| s.to_header())
    })
    .await;
    let raw = std::sync::Arc::unwrap_or_clone(raw);
    match header {
        Ok(Ok(header)) => {
            let mut out = header.into_bytes();
            out.extend_from_slice(&raw);
            out
        }
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "DKIM signing failed; sending unsigned");
            raw
        }
        Err(e) => {
            tracing::error!(error = %e, "DKIM signing task failed; sending unsigned");
            raw
        }
    }
}
