//! How many bytes of mail each address holds, for its quota. Summing sizes costs a scan
//! of the address's messages, so the figure is kept for a minute: an address can pass
//! its quota by at most a minute's mail before new mail is refused.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::db::Db;
use crate::error::ApiError;

const FRESH_FOR: Duration = Duration::from_secs(60);
const MAX_ENTRIES: usize = 100_000;

pub struct MailUsage {
    quota: i64,
    known: Mutex<HashMap<i64, (Instant, i64)>>,
}

impl MailUsage {
    pub fn new(quota: i64) -> MailUsage {
        MailUsage {
            quota,
            known: Mutex::new(HashMap::new()),
        }
    }

    /// Bytes held by the address (at most a minute old).
    pub async fn bytes(&self, db: &Db, address_id: i64) -> Result<i64, ApiError> {
        {
            let map = self.known.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((at, bytes)) = map.get(&address_id)
                && at.elapsed() < FRESH_FOR
            {
                return Ok(*bytes);
            }
        }
        let bytes: i64 = crate::on_db!(db, |dbc| {
            sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(m.size), 0) AS BIGINT) FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id \
             WHERE b.address_id = $1",
        )
        .bind(address_id)
        .fetch_one(dbc).await
        })?;
        let mut map = self.known.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
        map.insert(address_id, (Instant::now(), bytes));
        Ok(bytes)
    }

    /// Whether the address may take `adding` more bytes.
    pub async fn has_room(&self, db: &Db, address_id: i64, adding: i64) -> Result<bool, ApiError> {
        Ok(self.bytes(db, address_id).await?.saturating_add(adding) <= self.quota)
    }

    /// Forgets what is known of these addresses (they just received mail).
    pub fn forget(&self, address_ids: &[i64]) {
        let mut map = self.known.lock().unwrap_or_else(|e| e.into_inner());
        for id in address_ids {
            map.remove(id);
        }
    }

    /// The quota, in bytes.
    pub fn quota(&self) -> i64 {
        self.quota
    }
}
