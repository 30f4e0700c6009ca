//! ENVELOPE, BODY and BODYSTRUCTURE made once per stored message and kept, already
//! encoded, in the database: mail apps ask for them for every message when they list a
//! folder, and parsing thousands of messages each time is what made that slow. Keyed by
//! content digest (a stored message never changes); removed with the stored message.

use std::collections::HashMap;

use imap_codec::imap_types::fetch::MessageDataItem;
use mail_parser::MessageParser;

use super::fetch::piece;
use crate::db::Db;
use crate::error::ApiError;

/// The three items, each as it appears inside `FETCH (…)`.
#[derive(Clone, Debug)]
pub struct Structure {
    pub envelope: Vec<u8>,
    pub body: Vec<u8>,
    pub bodystructure: Vec<u8>,
}

/// Parses a message once for all three items (CPU work: call off the async workers).
pub fn of(raw: &[u8]) -> Structure {
    match MessageParser::default().parse(raw) {
        Some(m) => Structure {
            envelope: piece(MessageDataItem::Envelope(super::mime::envelope(&m))),
            body: piece(MessageDataItem::Body(super::mime::body_structure(
                &m, false,
            ))),
            bodystructure: piece(MessageDataItem::BodyStructure(super::mime::body_structure(
                &m, true,
            ))),
        },
        None => {
            let empty = MessageParser::default().parse(b"\r\n".as_slice()).map(|m| {
                (
                    super::mime::envelope(&m),
                    super::mime::body_structure(&m, false),
                )
            });
            match empty {
                Some((envelope, body)) => Structure {
                    envelope: piece(MessageDataItem::Envelope(envelope)),
                    body: piece(MessageDataItem::Body(body.clone())),
                    bodystructure: piece(MessageDataItem::BodyStructure(body)),
                },
                None => Structure {
                    envelope: Vec::new(),
                    body: Vec::new(),
                    bodystructure: Vec::new(),
                },
            }
        }
    }
}

/// The kept structures of these stored messages.
pub async fn load(db: &Db, blobs: &[&str]) -> Result<HashMap<String, Structure>, ApiError> {
    if blobs.is_empty() {
        return Ok(HashMap::new());
    }
    let marks = crate::db::params(1, blobs.len());
    let sql = format!(
        "SELECT blob, envelope, body, bodystructure FROM mail_imap_structure WHERE blob IN ({marks})"
    );
    let rows = crate::on_db!(db, |dbc| {
        let mut q = sqlx::query_as::<_, (String, Vec<u8>, Vec<u8>, Vec<u8>)>(&sql);
        for b in blobs {
            q = q.bind(*b);
        }
        q.fetch_all(dbc).await
    })?;
    Ok(rows
        .into_iter()
        .map(|(blob, envelope, body, bodystructure)| {
            (
                blob,
                Structure {
                    envelope,
                    body,
                    bodystructure,
                },
            )
        })
        .collect())
}

/// Keeps structures made for these stored messages.
pub async fn save(db: &Db, made: &[(String, Structure)]) -> Result<(), ApiError> {
    if made.is_empty() {
        return Ok(());
    }
    let mut tx = crate::db::begin_write(db).await?;
    for (blob, s) in made {
        crate::on_db!(&mut tx, |dbc| {
            sqlx::query(
            "INSERT INTO mail_imap_structure (blob, envelope, body, bodystructure) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
        )
        .bind(blob)
        .bind(&s.envelope)
        .bind(&s.body)
        .bind(&s.bodystructure)
        .execute(dbc).await.map(crate::db::Done::from)
        })?;
    }
    tx.commit().await?;
    Ok(())
}
