//! What the DAV layer reads: a user's collections (own and shared) with their DAV names,
//! and the stored objects of a collection by resource name. Writes go through the
//! calendar and contacts stores, which keep the indexes, ctags and tombstones.

use ksuite_common::CalendarAccess;

use super::path::{Kind, SHARED_PREFIX};
use super::xml::Name;
use crate::db::Db;
use crate::error::ApiError;

/// A calendar or address book as one user sees it.
#[derive(Clone, Debug)]
pub struct Collection {
    pub kind: Kind,
    pub id: i64,
    /// Segment under the user's home: the owner's DAV name or `shared-<id>`.
    pub segment: String,
    pub name: String,
    pub color: Option<String>,
    pub description: String,
    pub ctag: i64,
    /// Random, set at creation: tells a re-created collection (same id) from the old one.
    pub generation: i64,
    /// Component kinds a calendar accepts (`VEVENT`, `VTODO`, `VJOURNAL`); empty for books.
    pub components: Vec<String>,
    pub is_default: bool,
    pub access: CalendarAccess,
    /// Dead properties: (name, content as XML).
    pub dead: Vec<(Name, String)>,
    /// The organization directory: read-only, made from the accounts, not stored rows.
    pub directory: bool,
}

/// The segment of the organization directory in every address-book home.
pub const DIRECTORY_SEGMENT: &str = "directory";

#[derive(sqlx::FromRow)]
struct CollectionRow {
    id: i64,
    segment: String,
    name: String,
    color: Option<String>,
    description: String,
    ctag: i64,
    generation: i64,
    components: String,
    is_default: bool,
    access: Option<String>,
}

/// The user's collections of one kind, own and shared, each with its segment (`?3` is
/// the shared prefix); `?2` picks one segment (NULL: all). Scoped by the user in the query.
fn collection_sql(kind: Kind) -> &'static str {
    match kind {
        Kind::Calendar => {
            "SELECT * FROM ( \
             SELECT c.id, COALESCE(c.dav_name, CAST(c.id AS TEXT)) AS segment, c.name, c.color, \
             c.description, c.ctag, c.generation, c.components, c.is_default, NULL AS access \
             FROM calendars c WHERE c.owner_id = $1 \
             UNION ALL \
             SELECT c.id, $3 || c.id, c.name, c.color, c.description, c.ctag, c.generation, \
             c.components, FALSE, s.access FROM calendar_shares s \
             JOIN calendars c ON c.id = s.calendar_id WHERE s.user_id = $1) AS found \
             WHERE $2 IS NULL OR segment = $2 ORDER BY is_default DESC, id"
        }
        Kind::AddressBook => {
            "SELECT * FROM ( \
             SELECT b.id, COALESCE(b.dav_name, CAST(b.id AS TEXT)) AS segment, b.name, NULL AS color, \
             b.description, b.ctag, b.generation, '' AS components, b.is_default, NULL AS access \
             FROM address_books b WHERE b.owner_id = $1 \
             UNION ALL \
             SELECT b.id, $3 || b.id, b.name, NULL, b.description, b.ctag, b.generation, '', \
             FALSE, s.access FROM address_book_shares s \
             JOIN address_books b ON b.id = s.book_id WHERE s.user_id = $1) AS found \
             WHERE $2 IS NULL OR segment = $2 ORDER BY is_default DESC, id"
        }
    }
}

/// The user's own collections of `kind`, those shared with them, and the directory.
pub async fn collections(db: &Db, user_id: i64, kind: Kind) -> Result<Vec<Collection>, ApiError> {
    let mut list = stored_collections(db, user_id, kind, None).await?;
    let mut dead = dead_properties(db, user_id, kind).await?;
    for c in &mut list {
        c.dead = dead.remove(&c.id).unwrap_or_default();
    }
    // An address book the user named `directory` themselves keeps its name.
    if kind == Kind::AddressBook && !list.iter().any(|c| c.segment == DIRECTORY_SEGMENT) {
        list.push(directory_collection(db).await?);
    }
    Ok(list)
}

/// The user's own collections of `kind` and those shared with them (one `segment`, or all),
/// without their dead properties.
async fn stored_collections(
    db: &Db,
    user_id: i64,
    kind: Kind,
    segment: Option<&str>,
) -> Result<Vec<Collection>, ApiError> {
    let rows: Vec<CollectionRow> = crate::on_db!(db, |dbc| sqlx::query_as(collection_sql(kind))
        .bind(user_id)
        .bind(segment)
        .bind(SHARED_PREFIX)
        .fetch_all(dbc)
        .await)?;
    Ok(rows
        .into_iter()
        .map(|r| Collection {
            kind,
            id: r.id,
            segment: r.segment,
            name: r.name,
            color: r.color,
            description: r.description,
            ctag: r.ctag,
            generation: r.generation,
            components: r
                .components
                .split(',')
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect(),
            is_default: r.is_default,
            access: match r.access.as_deref() {
                None => CalendarAccess::Owner,
                Some("read_write") => CalendarAccess::ReadWrite,
                Some(_) => CalendarAccess::Read,
            },
            dead: Vec::new(),
            directory: false,
        })
        .collect())
}

/// The directory's members: one vCard per active account.
async fn directory_objects(db: &Db) -> Result<Vec<Object>, ApiError> {
    use crate::contacts::directory;
    Ok(directory::search(db, "", directory::MAX_LISTED)
        .await?
        .iter()
        .map(|p| {
            let source = directory::vcard(p);
            let uid = directory::uid(p);
            Object {
                href: format!("{uid}.vcf"),
                etag: crate::calendar::store::etag_of(&source),
                uid,
                source,
                component: "VCARD".into(),
            }
        })
        .collect())
}

/// The directory as a collection; its ctag is a digest of what it lists, so any change
/// to an account shows as a new ctag.
async fn directory_collection(db: &Db) -> Result<Collection, ApiError> {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for o in directory_objects(db).await? {
        h.update(o.href.as_bytes());
        h.update(o.etag.as_bytes());
    }
    let digest = h.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    Ok(Collection {
        kind: Kind::AddressBook,
        id: ksuite_common::DIRECTORY_ID,
        segment: DIRECTORY_SEGMENT.into(),
        name: "Directory".into(),
        color: None,
        description: "Everyone in the organization".into(),
        // Positive, so sync tokens stay well-formed.
        ctag: i64::from_le_bytes(first) & i64::MAX,
        generation: 0,
        components: Vec::new(),
        is_default: false,
        access: CalendarAccess::Read,
        dead: Vec::new(),
        directory: true,
    })
}

/// Dead properties of all the user's collections of `kind`, by collection id.
async fn dead_properties(
    db: &Db,
    user_id: i64,
    kind: Kind,
) -> Result<std::collections::HashMap<i64, Vec<(Name, String)>>, ApiError> {
    let sql = match kind {
        Kind::Calendar => {
            "SELECT p.calendar_id, p.ns, p.name, p.value FROM calendar_properties p JOIN calendars c ON c.id = p.calendar_id \
             WHERE c.owner_id = $1 OR c.id IN (SELECT calendar_id FROM calendar_shares WHERE user_id = $1)"
        }
        Kind::AddressBook => {
            "SELECT p.book_id, p.ns, p.name, p.value FROM address_book_properties p JOIN address_books b ON b.id = p.book_id \
             WHERE b.owner_id = $1 OR b.id IN (SELECT book_id FROM address_book_shares WHERE user_id = $1)"
        }
    };
    let rows: Vec<(i64, String, String, String)> = crate::on_db!(db, |dbc| sqlx::query_as(sql)
        .bind(user_id)
        .fetch_all(dbc)
        .await)?;
    let mut map: std::collections::HashMap<i64, Vec<(Name, String)>> = Default::default();
    for (id, ns, local, value) in rows {
        map.entry(id).or_default().push((Name { ns, local }, value));
    }
    Ok(map)
}

/// A change to a dead property: `Some(xml)` sets it, `None` removes it.
pub struct DeadChange<'a> {
    pub name: &'a Name,
    pub value: Option<&'a str>,
}

/// Most dead properties one collection keeps, and the largest value.
pub const MAX_DEAD_PROPERTIES: usize = 50;
pub const MAX_DEAD_VALUE: usize = 4096;

/// One collection of the user by its segment; its dead properties only when asked for
/// (PROPFIND and PROPPATCH of the collection itself need them, object requests do not).
pub async fn collection(
    db: &Db,
    user_id: i64,
    kind: Kind,
    segment: &str,
    with_dead_properties: bool,
) -> Result<Option<Collection>, ApiError> {
    let own = stored_collections(db, user_id, kind, Some(segment))
        .await?
        .into_iter()
        .next();
    match own {
        // The directory is only built (it lists every account) when it is the one asked for.
        None if kind == Kind::AddressBook && segment == DIRECTORY_SEGMENT => {
            Ok(Some(directory_collection(db).await?))
        }
        Some(mut c) => {
            if with_dead_properties {
                c.dead = collection_dead_properties(db, &c).await?;
            }
            Ok(Some(c))
        }
        None => Ok(None),
    }
}

/// The dead properties of one collection.
async fn collection_dead_properties(
    db: &Db,
    c: &Collection,
) -> Result<Vec<(Name, String)>, ApiError> {
    let sql = match c.kind {
        Kind::Calendar => "SELECT ns, name, value FROM calendar_properties WHERE calendar_id = $1",
        Kind::AddressBook => {
            "SELECT ns, name, value FROM address_book_properties WHERE book_id = $1"
        }
    };
    let rows: Vec<(String, String, String)> = crate::on_db!(db, |dbc| sqlx::query_as(sql)
        .bind(c.id)
        .fetch_all(dbc)
        .await)?;
    Ok(rows
        .into_iter()
        .map(|(ns, local, value)| (Name { ns, local }, value))
        .collect())
}

/// The live values a PROPPATCH changes; `None` leaves one as it is.
pub struct LiveChanges<'a> {
    pub name: Option<&'a str>,
    pub color: Option<&'a str>,
    pub description: Option<&'a str>,
}

/// Applies a PROPPATCH (live and dead properties) in one transaction and bumps the ctag.
pub async fn set_properties(
    db: &Db,
    coll: &Collection,
    live: LiveChanges<'_>,
    dead: &[DeadChange<'_>],
) -> Result<(), ApiError> {
    let (update, set_dead, remove_dead) = match coll.kind {
        Kind::Calendar => (
            "UPDATE calendars SET name = COALESCE($1, name), color = COALESCE($2, color), \
             description = COALESCE($3, description), ctag = ctag + 1 WHERE id = $4",
            "INSERT INTO calendar_properties (calendar_id, ns, name, value) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (calendar_id, ns, name) DO UPDATE SET value = excluded.value",
            "DELETE FROM calendar_properties WHERE calendar_id = $1 AND ns = $2 AND name = $3",
        ),
        Kind::AddressBook => (
            // Address books have no colour: ?2 is bound but unused.
            "UPDATE address_books SET name = COALESCE($1, name), \
             description = COALESCE($3, description), ctag = ctag + 1 WHERE id = $4",
            "INSERT INTO address_book_properties (book_id, ns, name, value) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (book_id, ns, name) DO UPDATE SET value = excluded.value",
            "DELETE FROM address_book_properties WHERE book_id = $1 AND ns = $2 AND name = $3",
        ),
    };
    let mut tx = db.begin().await?;
    crate::on_db!(&mut tx, |dbc| sqlx::query(update)
        .bind(live.name)
        .bind(live.color)
        .bind(live.description)
        .bind(coll.id)
        .execute(dbc)
        .await
        .map(crate::db::Done::from))?;
    for change in dead {
        crate::on_db!(&mut tx, |dbc| {
            let q = match &change.value {
                Some(v) => sqlx::query(set_dead)
                    .bind(coll.id)
                    .bind(&change.name.ns)
                    .bind(&change.name.local)
                    .bind(*v),
                None => sqlx::query(remove_dead)
                    .bind(coll.id)
                    .bind(&change.name.ns)
                    .bind(&change.name.local),
            };
            q.execute(dbc).await.map(crate::db::Done::from)
        })?;
    }
    tx.commit().await?;
    Ok(())
}

/// A collection a client asks to make (MKCALENDAR / extended MKCOL).
pub struct NewCollection<'a> {
    pub kind: Kind,
    /// The client's segment under the owner's home.
    pub segment: &'a str,
    pub name: &'a str,
    pub color: Option<&'a str>,
    pub description: &'a str,
    /// Calendars only: the component kinds it holds.
    pub components: &'a [String],
}

/// Creates a collection under the owner's home; `Ok(false)` if the segment is taken.
pub async fn create_collection(
    db: &Db,
    owner_id: i64,
    new: &NewCollection<'_>,
) -> Result<bool, ApiError> {
    let NewCollection {
        kind,
        segment,
        name,
        color,
        description,
        components,
    } = *new;
    let result = match kind {
        Kind::Calendar => {
            crate::on_db!(db, |dbc| {
                sqlx::query(
                "INSERT INTO calendars (owner_id, name, color, is_default, created_at, dav_name, description, components) \
                 VALUES ($1, $2, $3, FALSE, $4, $5, $6, $7)",
            )
            .bind(owner_id)
            .bind(name)
            .bind(color.unwrap_or(crate::calendar::store::DEFAULT_COLOR))
            .bind(crate::now_unix())
            .bind(segment)
            .bind(description)
            .bind(components.join(","))
            .execute(dbc).await.map(crate::db::Done::from)
            })
        }
        Kind::AddressBook => {
            crate::on_db!(db, |dbc| {
                sqlx::query(
                "INSERT INTO address_books (owner_id, name, is_default, created_at, dav_name, description) \
                 VALUES ($1, $2, FALSE, $3, $4, $5)",
            )
            .bind(owner_id)
            .bind(name)
            .bind(crate::now_unix())
            .bind(segment)
            .bind(description)
            .execute(dbc).await.map(crate::db::Done::from)
            })
        }
    };
    match result {
        Ok(_) => Ok(true),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// A stored object: what GET answers, and what reports filter.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct Object {
    pub href: String,
    pub uid: String,
    pub etag: String,
    pub source: String,
    pub component: String,
}

/// ETag and name of a member, for listings that do not need the data.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct Member {
    pub href: String,
    pub etag: String,
    pub size: i64,
}

fn object_columns(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::Calendar => (
            "SELECT href, uid, etag, ics AS source, component FROM events WHERE calendar_id = $1",
            "SELECT href, etag, CAST(length(ics) AS BIGINT) AS size FROM events WHERE calendar_id = $1",
        ),
        Kind::AddressBook => (
            "SELECT href, uid, etag, vcard AS source, 'VCARD' AS component FROM contacts WHERE book_id = $1",
            "SELECT href, etag, CAST(length(vcard) AS BIGINT) AS size FROM contacts WHERE book_id = $1",
        ),
    }
}

pub async fn members(db: &Db, coll: &Collection) -> Result<Vec<Member>, ApiError> {
    if coll.directory {
        return Ok(directory_objects(db)
            .await?
            .into_iter()
            .map(|o| Member {
                size: o.source.len() as i64,
                href: o.href,
                etag: o.etag,
            })
            .collect());
    }
    let (_, meta) = object_columns(coll.kind);
    Ok(crate::on_db!(db, |dbc| sqlx::query_as(&format!(
        "{meta} ORDER BY href"
    ))
    .bind(coll.id)
    .fetch_all(dbc)
    .await)?)
}

pub async fn object(db: &Db, coll: &Collection, href: &str) -> Result<Option<Object>, ApiError> {
    if coll.directory {
        return Ok(directory_objects(db)
            .await?
            .into_iter()
            .find(|o| o.href == href));
    }
    let (full, _) = object_columns(coll.kind);
    Ok(crate::on_db!(db, |dbc| sqlx::query_as(&format!(
        "{full} AND href = $2"
    ))
    .bind(coll.id)
    .bind(href)
    .fetch_optional(dbc)
    .await)?)
}

/// The object with this UID, wherever it is named (one UID per collection).
pub async fn object_by_uid(
    db: &Db,
    coll: &Collection,
    uid: &str,
) -> Result<Option<Object>, ApiError> {
    let (full, _) = object_columns(coll.kind);
    Ok(crate::on_db!(db, |dbc| sqlx::query_as(&format!(
        "{full} AND uid = $2"
    ))
    .bind(coll.id)
    .bind(uid)
    .fetch_optional(dbc)
    .await)?)
}

/// All objects with their data (address-book queries, unfiltered calendar queries).
pub async fn objects(db: &Db, coll: &Collection) -> Result<Vec<Object>, ApiError> {
    if coll.directory {
        return directory_objects(db).await;
    }
    let (full, _) = object_columns(coll.kind);
    Ok(crate::on_db!(db, |dbc| sqlx::query_as(&format!(
        "{full} ORDER BY href"
    ))
    .bind(coll.id)
    .fetch_all(dbc)
    .await)?)
}

/// Calendar objects of `component` that may occur in `[from, to)` (UTC seconds).
pub async fn calendar_objects_in_range(
    db: &Db,
    coll: &Collection,
    component: Option<&str>,
    from: i64,
    to: i64,
) -> Result<Vec<Object>, ApiError> {
    Ok(crate::on_db!(db, |dbc| {
        sqlx::query_as(
        "SELECT href, uid, etag, ics AS source, component FROM events WHERE calendar_id = $1 \
         AND ($2 IS NULL OR component = $3) AND start_utc < $4 AND (end_utc IS NULL OR end_utc >= $5) ORDER BY href",
    )
    .bind(coll.id)
    .bind(component)
    .bind(component)
    .bind(to)
    .bind(from)
    .fetch_all(dbc).await
    })?)
}

/// Calendar objects of one component kind, all of them.
pub async fn calendar_objects_of(
    db: &Db,
    coll: &Collection,
    component: &str,
) -> Result<Vec<Object>, ApiError> {
    Ok(crate::on_db!(db, |dbc| {
        sqlx::query_as(
        "SELECT href, uid, etag, ics AS source, component FROM events WHERE calendar_id = $1 AND component = $2 ORDER BY href",
    )
    .bind(coll.id)
    .bind(component)
    .fetch_all(dbc).await
    })?)
}

/// A member changed or removed after a sync token (RFC 6578).
pub struct Change {
    /// The member as it is now; `None` when it was removed (`href` names it).
    pub member: Option<Member>,
    pub href: String,
    pub modseq: i64,
}

/// Changes after `seq` in the order they happened, at most `limit`; the flag says whether
/// more are left. Removals are left out when `removals` is false (an initial sync).
pub async fn changes_since(
    db: &Db,
    coll: &Collection,
    seq: i64,
    removals: bool,
    limit: Option<usize>,
) -> Result<(Vec<Change>, bool), ApiError> {
    if coll.directory {
        // DAV:limit is not applied there: a listing with no order of changes could not be
        // resumed part-way.
        return directory_changes(db, coll, seq).await;
    }
    let (changed_sql, gone_sql) = match coll.kind {
        Kind::Calendar => (
            "SELECT href, etag, CAST(length(ics) AS BIGINT) AS size, modseq FROM events WHERE calendar_id = $1 AND modseq > $2 ORDER BY modseq LIMIT $3",
            "SELECT href, modseq FROM event_tombstones WHERE calendar_id = $1 AND modseq > $2 ORDER BY modseq LIMIT $3",
        ),
        Kind::AddressBook => (
            "SELECT href, etag, CAST(length(vcard) AS BIGINT) AS size, modseq FROM contacts WHERE book_id = $1 AND modseq > $2 ORDER BY modseq LIMIT $3",
            "SELECT href, modseq FROM contact_tombstones WHERE book_id = $1 AND modseq > $2 ORDER BY modseq LIMIT $3",
        ),
    };
    // One more than asked tells whether the answer is complete.
    let fetch = limit.map_or(i64::MAX, |l| l.saturating_add(1) as i64);
    let changed: Vec<(String, String, i64, i64)> =
        crate::on_db!(db, |dbc| sqlx::query_as(changed_sql)
            .bind(coll.id)
            .bind(seq)
            .bind(fetch)
            .fetch_all(dbc)
            .await)?;
    let gone: Vec<(String, i64)> = if removals {
        crate::on_db!(db, |dbc| sqlx::query_as(gone_sql)
            .bind(coll.id)
            .bind(seq)
            .bind(fetch)
            .fetch_all(dbc)
            .await)?
    } else {
        Vec::new()
    };
    let mut all: Vec<Change> = changed
        .into_iter()
        .map(|(href, etag, size, modseq)| Change {
            member: Some(Member {
                href: href.clone(),
                etag,
                size,
            }),
            href,
            modseq,
        })
        .chain(gone.into_iter().map(|(href, modseq)| Change {
            member: None,
            href,
            modseq,
        }))
        .collect();
    all.sort_by_key(|c| c.modseq);
    let more = limit.is_some_and(|l| all.len() > l);
    if let Some(l) = limit {
        all.truncate(l);
    }
    Ok((all, more))
}

/// The directory keeps no change log: a client in sync hears "nothing changed", a first
/// sync gets everyone, and any other token is refused by the caller's token check
/// (only the current ctag or 0 reach here), so the client starts over.
async fn directory_changes(
    db: &Db,
    coll: &Collection,
    seq: i64,
) -> Result<(Vec<Change>, bool), ApiError> {
    if seq == coll.ctag {
        return Ok((Vec::new(), false));
    }
    let all: Vec<Change> = members(db, coll)
        .await?
        .into_iter()
        .map(|m| Change {
            href: m.href.clone(),
            member: Some(m),
            modseq: coll.ctag,
        })
        .collect();
    Ok((all, false))
}
