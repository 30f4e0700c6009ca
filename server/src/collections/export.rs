//! A whole collection as one downloadable file.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::{Grant, store};
use crate::db::Db;
use crate::error::ApiError;

/// The collection's name and the source text of every object in it, in export order.
pub async fn sources(db: &Db, grant: &Grant) -> Result<(String, Vec<String>), ApiError> {
    let (name, _) = store::name_and_default(db, grant).await?;
    let t = grant.kind().tables();
    let sql = format!(
        "SELECT {} FROM {} WHERE {} = $1 ORDER BY {}",
        t.source, t.objects, t.key, t.export_order
    );
    let texts = crate::on_db!(db, |dbc| sqlx::query_scalar(&sql)
        .bind(grant.id())
        .fetch_all(dbc)
        .await)?;
    Ok((name, texts))
}

/// `body` as a download named after the collection (`fallback` when the name has no
/// file-safe characters).
pub fn attachment(
    body: String,
    content_type: &'static str,
    name: &str,
    fallback: &str,
    extension: &str,
) -> Response {
    let mut resp = body.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    let file: String = name
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let file = if file.is_empty() { fallback } else { &file };
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file}.{extension}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}
