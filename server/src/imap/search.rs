//! SEARCH (RFC 3501 §6.4.4) over one folder: flags, dates, sizes and addresses from the
//! index, words in the body through the full-text index, and header tests (HEADER, BCC)
//! read from the stored messages only when a search asks for them.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use imap_codec::imap_types::search::SearchKey;

use super::messages::Msg;
use super::selected::Selected;
use crate::db::Db;
use crate::error::ApiError;

/// Search keys one SEARCH may hold (nesting included), so a crafted query stays cheap.
pub const MAX_KEYS: usize = 200;

/// What the keys need besides the index rows.
#[derive(Default)]
struct Needs {
    /// Words searched in the full text (`BODY`, `TEXT`).
    texts: Vec<String>,
    /// Whether header tests need the stored messages.
    headers: bool,
    keys: usize,
}

fn walk(key: &SearchKey<'_>, needs: &mut Needs) {
    needs.keys += 1;
    if needs.keys > MAX_KEYS {
        return;
    }
    match key {
        SearchKey::And(keys) => keys.as_ref().iter().for_each(|k| walk(k, needs)),
        SearchKey::Not(k) => walk(k, needs),
        SearchKey::Or(a, b) => {
            walk(a, needs);
            walk(b, needs);
        }
        SearchKey::Body(s) | SearchKey::Text(s) => needs.texts.push(text(s.as_ref())),
        SearchKey::Header(..) | SearchKey::Bcc(_) => needs.headers = true,
        _ => {}
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// What a search may look at for one message.
struct Facts<'a> {
    seq: u32,
    msg: &'a Msg,
    headers: Option<&'a [u8]>,
}

struct Ctx {
    text_hits: HashMap<String, HashSet<i64>>,
    /// Each sequence or UID set of the query, resolved once (keyed by its address in the
    /// query): sequence numbers for sequence sets, UIDs for UID sets.
    sets: HashMap<usize, HashSet<u32>>,
}

fn key_of<T>(x: &T) -> usize {
    std::ptr::from_ref(x) as usize
}

fn resolve_sets(key: &SearchKey<'_>, selected: &Selected, sets: &mut HashMap<usize, HashSet<u32>>) {
    match key {
        SearchKey::And(keys) => keys
            .as_ref()
            .iter()
            .for_each(|k| resolve_sets(k, selected, sets)),
        SearchKey::Not(k) => resolve_sets(k, selected, sets),
        SearchKey::Or(a, b) => {
            resolve_sets(a, selected, sets);
            resolve_sets(b, selected, sets);
        }
        SearchKey::SequenceSet(set) => {
            let seqs = selected
                .resolve(set, false)
                .into_iter()
                .map(|x| x.0)
                .collect();
            sets.insert(key_of(set), seqs);
        }
        SearchKey::Uid(set) => {
            let uids = selected
                .resolve(set, true)
                .into_iter()
                .map(|x| x.1)
                .collect();
            sets.insert(key_of(set), uids);
        }
        _ => {}
    }
}

fn contains(haystack: &str, needle: &str) -> bool {
    needle.is_empty() || haystack.to_lowercase().contains(&needle.to_lowercase())
}

fn date_of(unix: i64) -> Option<NaiveDate> {
    chrono::DateTime::from_timestamp(unix, 0).map(|d| d.date_naive())
}

/// A header's unfolded values with this name, from a header block.
fn header_values(block: &[u8], name: &str) -> Vec<String> {
    let text = String::from_utf8_lossy(block);
    let mut out: Vec<String> = Vec::new();
    let mut current: Option<String> = None;
    for line in text.split('\n') {
        let line = line.trim_end_matches('\r');
        if line.starts_with([' ', '\t']) {
            if let Some(c) = current.as_mut() {
                c.push(' ');
                c.push_str(line.trim());
            }
            continue;
        }
        out.extend(current.take());
        if let Some((n, v)) = line.split_once(':')
            && n.trim().eq_ignore_ascii_case(name)
        {
            current = Some(v.trim().to_string());
        }
    }
    out.extend(current);
    out
}

fn matches(key: &SearchKey<'_>, f: &Facts<'_>, ctx: &Ctx) -> bool {
    let m = f.msg;
    let uid = u32::try_from(m.uid).unwrap_or(0);
    let keywords = || m.keywords.split_whitespace();
    let internal = date_of(m.received_at);
    let sent = m.sent_at.and_then(date_of).or(internal);
    let day = |d: &imap_codec::imap_types::datetime::NaiveDate| -> NaiveDate { *d.as_ref() };
    match key {
        SearchKey::And(keys) => keys.as_ref().iter().all(|k| matches(k, f, ctx)),
        SearchKey::Or(a, b) => matches(a, f, ctx) || matches(b, f, ctx),
        SearchKey::Not(k) => !matches(k, f, ctx),
        SearchKey::SequenceSet(set) => ctx
            .sets
            .get(&key_of(set))
            .is_some_and(|s| s.contains(&f.seq)),
        SearchKey::Uid(set) => ctx.sets.get(&key_of(set)).is_some_and(|s| s.contains(&uid)),
        SearchKey::All | SearchKey::Old => true,
        SearchKey::New | SearchKey::Recent => false,
        SearchKey::Answered => m.answered,
        SearchKey::Unanswered => !m.answered,
        SearchKey::Deleted => m.flag_deleted,
        SearchKey::Undeleted => !m.flag_deleted,
        SearchKey::Draft => m.draft,
        SearchKey::Undraft => !m.draft,
        SearchKey::Flagged => m.flagged,
        SearchKey::Unflagged => !m.flagged,
        SearchKey::Seen => m.seen,
        SearchKey::Unseen => !m.seen,
        SearchKey::Keyword(k) => keywords().any(|x| x.eq_ignore_ascii_case(k.as_ref())),
        SearchKey::Unkeyword(k) => !keywords().any(|x| x.eq_ignore_ascii_case(k.as_ref())),
        SearchKey::Larger(n) => m.size > i64::from(*n),
        SearchKey::Smaller(n) => m.size < i64::from(*n),
        SearchKey::Before(d) => internal.is_some_and(|x| x < day(d)),
        SearchKey::On(d) => internal.is_some_and(|x| x == day(d)),
        SearchKey::Since(d) => internal.is_some_and(|x| x >= day(d)),
        SearchKey::SentBefore(d) => sent.is_some_and(|x| x < day(d)),
        SearchKey::SentOn(d) => sent.is_some_and(|x| x == day(d)),
        SearchKey::SentSince(d) => sent.is_some_and(|x| x >= day(d)),
        SearchKey::From(s) => {
            let needle = text(s.as_ref());
            contains(m.from_address.as_deref().unwrap_or(""), &needle)
                || contains(m.from_name.as_deref().unwrap_or(""), &needle)
        }
        SearchKey::To(s) => contains(&m.to_addresses, &text(s.as_ref())),
        SearchKey::Cc(s) => contains(&m.cc_addresses, &text(s.as_ref())),
        SearchKey::Subject(s) => contains(&m.subject, &text(s.as_ref())),
        SearchKey::Body(s) | SearchKey::Text(s) => {
            let needle = text(s.as_ref());
            needle.trim().is_empty()
                || ctx
                    .text_hits
                    .get(&needle)
                    .is_some_and(|hits| hits.contains(&m.id))
                || (matches!(key, SearchKey::Text(_))
                    && (contains(&m.subject, &needle)
                        || contains(m.from_address.as_deref().unwrap_or(""), &needle)))
        }
        SearchKey::Bcc(s) => f.headers.is_some_and(|h| {
            header_values(h, "Bcc")
                .iter()
                .any(|v| contains(v, &text(s.as_ref())))
        }),
        SearchKey::Header(name, value) => f.headers.is_some_and(|h| {
            let values = header_values(h, &text(name.as_ref()));
            let needle = text(value.as_ref());
            !values.is_empty() && (needle.is_empty() || values.iter().any(|v| contains(v, &needle)))
        }),
        SearchKey::ModSequence { modseq, .. } => {
            m.modseq >= i64::try_from(*modseq).unwrap_or(i64::MAX)
        }
        #[allow(unreachable_patterns)]
        _ => false,
    }
}

/// Messages of the full-text index (in this folder) matching every word of `q`.
async fn text_hits(db: &Db, mailbox_id: i64, q: &str) -> Result<HashSet<i64>, ApiError> {
    let Some(fts) = crate::mail::store::fts_query(db.backend(), q) else {
        return Ok(HashSet::new());
    };
    let sql = format!(
        "SELECT m.id FROM messages m WHERE m.id IN ({}) AND m.mailbox_id = $2 AND m.deleted_at IS NULL",
        crate::mail::store::fts_hits(db.backend(), 1)
    );
    let ids: Vec<i64> = crate::on_db!(db, |dbc| sqlx::query_scalar(&sql)
        .bind(fts)
        .bind(mailbox_id)
        .fetch_all(dbc)
        .await)?;
    Ok(ids.into_iter().collect())
}

/// Refusal for a search with too many keys.
#[derive(Debug)]
pub struct TooComplex;

/// The `(sequence number, UID)` of the messages matching every key, ascending.
pub async fn run(
    db: &Db,
    blob_store: &crate::blobs::BlobStore,
    selected: &Selected,
    rows: &[Msg],
    keys: &[SearchKey<'_>],
) -> Result<Result<Vec<(u32, u32)>, TooComplex>, ApiError> {
    let mut needs = Needs::default();
    keys.iter().for_each(|k| walk(k, &mut needs));
    if needs.keys > MAX_KEYS {
        return Ok(Err(TooComplex));
    }
    let mut ctx = Ctx {
        text_hits: HashMap::new(),
        sets: HashMap::new(),
    };
    keys.iter()
        .for_each(|k| resolve_sets(k, selected, &mut ctx.sets));
    for q in needs.texts {
        if let std::collections::hash_map::Entry::Vacant(slot) = ctx.text_hits.entry(q) {
            let hits = text_hits(db, selected.folder.id, slot.key()).await?;
            slot.insert(hits);
        }
    }
    let mut found = Vec::new();
    for m in rows {
        let Some(uid) = u32::try_from(m.uid).ok() else {
            continue;
        };
        let Some(seq) = selected.seq_of(uid) else {
            continue;
        };
        let headers = if needs.headers {
            let raw = crate::mail::blobs::read(blob_store, &m.blob)
                .await
                .unwrap_or_default();
            let end = raw
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .map(|p| p + 4)
                .or_else(|| raw.windows(2).position(|w| w == b"\n\n").map(|p| p + 2))
                .unwrap_or(raw.len());
            Some(raw[..end].to_vec())
        } else {
            None
        };
        let facts = Facts {
            seq,
            msg: m,
            headers: headers.as_deref(),
        };
        if keys.iter().all(|k| matches(k, &facts, &ctx)) {
            found.push((seq, uid));
        }
    }
    Ok(Ok(found))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values_unfold_and_match_names() {
        let block = b"Subject: one\r\n two\r\nX-Tag: a\r\nx-tag: b\r\n\r\n";
        assert_eq!(header_values(block, "subject"), vec!["one two"]);
        assert_eq!(header_values(block, "X-TAG"), vec!["a", "b"]);
        assert!(header_values(block, "Bcc").is_empty());
    }
}
