//! What happens when a message arrives for local addresses (over SMTP or sent by a local
//! user): it is filed in each inbox atomically, then the addresses' filters run on it.

use tokio::sync::Notify;

use super::index::Indexed;
use super::{filters, store};
use crate::db::Db;
use crate::error::ApiError;

/// Files the stored message `digest` in the inbox of every address and applies filters.
pub async fn deliver_local(
    db: &Db,
    wake: &Notify,
    address_ids: &[i64],
    digest: &str,
    size: i64,
    idx: &Indexed,
) -> Result<(), ApiError> {
    let filed = store::deliver(db, address_ids, digest, size, idx).await?;
    run_filters(db, wake, &filed, digest, size, idx).await;
    Ok(())
}

/// Applies the filters of each receiving address to its copy (`(address id, message id)`).
/// A filter failing is logged: the message stays filed where it is.
pub async fn run_filters(
    db: &Db,
    wake: &Notify,
    filed: &[(i64, i64)],
    digest: &str,
    size: i64,
    idx: &Indexed,
) {
    for &(address_id, message_id) in filed {
        let arrived = filters::Arrived {
            address_id,
            message_id,
            digest,
            size,
            idx,
        };
        if let Err(e) = filters::apply(db, wake, &arrived).await {
            tracing::warn!(message_id, error = %e.message, "mail filters failed");
        }
    }
}
