//! Address book and contact queries. Writes take the caller's [`Grant`], and each repeats
//! its access check in the statement that starts the write ([`changes::next_seq`]).

use ksuite_common::{
    AddressBookInfo, AddressBookKind, CalendarAccess, ContactInput, ContactSort, ContactSummary,
};

use crate::calendar::store::etag_of;
use crate::collections::{Grant, Kind, access, changes};
use crate::db::Db;
use crate::error::ApiError;
use crate::now_unix;

pub async fn create_book(
    db: &mut crate::db::Conn,
    owner_id: i64,
    name: &str,
    is_default: bool,
) -> Result<i64, ApiError> {
    let id: i64 = crate::on_db!(&mut *db, |dbc| {
        sqlx::query_scalar("INSERT INTO address_books (owner_id, name, is_default, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(owner_id)
        .bind(name)
        .bind(is_default)
        .bind(now_unix())
        .fetch_one(dbc).await
    })?;
    // Its DAV path segment is its id (clients' MKCOL names are never all digits).
    crate::on_db!(db, |dbc| sqlx::query(
        "UPDATE address_books SET dav_name = CAST(id AS TEXT) WHERE id = $1"
    )
    .bind(id)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    Ok(id)
}

pub async fn list_books(db: &Db, user_id: i64) -> Result<Vec<AddressBookInfo>, ApiError> {
    type Row = (i64, String, bool, Option<String>, Option<String>);
    let rows: Vec<Row> = crate::on_db!(db, |dbc| {
        sqlx::query_as(
        "SELECT b.id, b.name, b.is_default, NULL, NULL FROM address_books b WHERE b.owner_id = $1 \
         UNION ALL \
         SELECT b.id, b.name, FALSE, s.access, u.email FROM address_book_shares s \
         JOIN address_books b ON b.id = s.book_id JOIN users u ON u.id = b.owner_id WHERE s.user_id = $2 \
         ORDER BY 3 DESC, 1",
    )
    .bind(user_id)
    .bind(user_id)
    .fetch_all(dbc).await
    })?;
    Ok(rows
        .into_iter()
        .map(
            |(id, name, is_default, access, owner_email)| AddressBookInfo {
                id,
                name,
                kind: if access.is_some() {
                    AddressBookKind::Shared
                } else {
                    AddressBookKind::Personal
                },
                is_default,
                access: access
                    .as_deref()
                    .map_or(CalendarAccess::Owner, access::parse_access),
                owner_email,
            },
        )
        .collect())
}

/// Index columns of a contact.
pub struct ContactIndex {
    pub display_name: String,
    pub given_name: String,
    pub family_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub organization: Option<String>,
    pub groups: String,
    pub search: String,
}

impl ContactIndex {
    pub fn of(f: &ContactInput) -> ContactIndex {
        let mut search = format!(
            "{} {} {} {}",
            f.display_name,
            f.given_name,
            f.family_name,
            f.nickname.clone().unwrap_or_default()
        );
        for e in &f.emails {
            search.push(' ');
            search.push_str(&e.value);
        }
        for p in &f.phones {
            search.push(' ');
            search.push_str(
                &p.value
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect::<String>(),
            );
        }
        if let Some(o) = &f.organization {
            search.push(' ');
            search.push_str(o);
        }
        let groups = if f.groups.is_empty() {
            String::new()
        } else {
            format!("\n{}\n", f.groups.join("\n"))
        };
        ContactIndex {
            display_name: f.display_name.clone(),
            given_name: f.given_name.clone(),
            family_name: f.family_name.clone(),
            email: f.emails.first().map(|e| e.value.clone()),
            phone: f.phones.first().map(|p| p.value.clone()),
            organization: f.organization.clone(),
            groups,
            search: fold(&search),
        }
    }
}

#[derive(sqlx::FromRow)]
pub struct ContactRow {
    pub uid: String,
    pub vcard: String,
    pub etag: String,
}

pub async fn get_contact(db: &Db, book_id: i64, uid: &str) -> Result<ContactRow, ApiError> {
    Ok(crate::on_db!(db, |dbc| sqlx::query_as(
        "SELECT uid, vcard, etag FROM contacts WHERE book_id = $1 AND uid = $2"
    )
    .bind(book_id)
    .bind(uid)
    .fetch_one(dbc)
    .await)?)
}

/// Inserts a contact under the resource name `href`; `Ok(None)` when the UID or the name
/// is already in the book.
pub async fn insert_contact(
    db: &Db,
    grant: &Grant,
    uid: &str,
    href: &str,
    vcard: &str,
    idx: &ContactIndex,
) -> Result<Option<String>, ApiError> {
    let etag = etag_of(vcard);
    let book_id = grant.id();
    let mut tx = crate::db::begin_write(db).await?;
    let seq = changes::next_seq(&mut tx, grant).await?;
    let result = crate::on_db!(&mut tx, |dbc| {
        sqlx::query(
        "INSERT INTO contacts (book_id, uid, href, vcard, etag, display_name, given_name, family_name, email, phone, organization, \
         groups, search, last_modified, modseq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(book_id)
    .bind(uid)
    .bind(href)
    .bind(vcard)
    .bind(&etag)
    .bind(&idx.display_name)
    .bind(&idx.given_name)
    .bind(&idx.family_name)
    .bind(&idx.email)
    .bind(&idx.phone)
    .bind(&idx.organization)
    .bind(&idx.groups)
    .bind(&idx.search)
    .bind(now_unix())
    .bind(seq)
    .execute(dbc).await.map(crate::db::Done::from)
    });
    match result {
        Ok(_) => {}
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    changes::clear_tombstone(&mut tx, Kind::AddressBook, book_id, href).await?;
    tx.commit().await?;
    Ok(Some(etag))
}

/// Writes a new version of a contact if its ETag is still `if_match`; rows changed.
async fn write_version(
    conn: &mut crate::db::Conn,
    seq: i64,
    book_id: i64,
    current: Version<'_>,
    vcard: &str,
    etag: &str,
    idx: &ContactIndex,
) -> Result<u64, ApiError> {
    let (uid, if_match) = (current.uid, current.etag);
    let done = crate::on_db!(conn, |dbc| {
        sqlx::query(
        "UPDATE contacts SET vcard = $1, etag = $2, display_name = $3, given_name = $4, family_name = $5, email = $6, phone = $7, \
         organization = $8, groups = $9, search = $10, last_modified = $11, modseq = $12 WHERE book_id = $13 AND uid = $14 AND etag = $15",
    )
    .bind(vcard)
    .bind(etag)
    .bind(&idx.display_name)
    .bind(&idx.given_name)
    .bind(&idx.family_name)
    .bind(&idx.email)
    .bind(&idx.phone)
    .bind(&idx.organization)
    .bind(&idx.groups)
    .bind(&idx.search)
    .bind(now_unix())
    .bind(seq)
    .bind(book_id)
    .bind(uid)
    .bind(if_match)
    .execute(dbc).await.map(crate::db::Done::from)
    })?;
    Ok(done.rows_affected())
}

/// Replaces a contact if its ETag is still `if_match`; `Ok(None)` otherwise.
pub async fn replace_contact(
    db: &Db,
    grant: &Grant,
    uid: &str,
    if_match: &str,
    vcard: &str,
    idx: &ContactIndex,
) -> Result<Option<String>, ApiError> {
    let etag = etag_of(vcard);
    let mut tx = crate::db::begin_write(db).await?;
    let seq = changes::next_seq(&mut tx, grant).await?;
    let changed = write_version(
        &mut tx,
        seq,
        grant.id(),
        Version {
            uid,
            etag: if_match,
        },
        vcard,
        &etag,
        idx,
    )
    .await?;
    if changed == 0 {
        return Ok(None);
    }
    tx.commit().await?;
    Ok(Some(etag))
}

/// Lower-cases and strips the accents of Latin letters, so "muller" finds "Müller".
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.to_lowercase().chars() {
        match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ą' => out.push('a'),
            'ç' | 'ć' | 'č' => out.push('c'),
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => out.push('e'),
            'ì' | 'í' | 'î' | 'ï' | 'ī' => out.push('i'),
            'ñ' | 'ń' | 'ň' => out.push('n'),
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => out.push('o'),
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => out.push('u'),
            'ý' | 'ÿ' => out.push('y'),
            'š' | 'ś' => out.push('s'),
            'ž' | 'ź' | 'ż' => out.push('z'),
            'ł' => out.push('l'),
            'ř' => out.push('r'),
            'ß' => out.push_str("ss"),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            c => out.push(c),
        }
    }
    out
}

pub(crate) fn like(q: &str) -> String {
    let mut p = String::from("%");
    for c in fold(q).chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

fn summary(
    (uid, book_id, display_name, email, phone, organization, groups): SummaryRow,
) -> ContactSummary {
    ContactSummary {
        uid,
        book_id,
        display_name,
        email,
        phone,
        organization,
        groups: groups
            .lines()
            .filter(|g| !g.is_empty())
            .map(str::to_string)
            .collect(),
    }
}

type SummaryRow = (
    String,
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
);

/// Contacts of the given books matching a search and an optional group.
pub async fn search(
    db: &Db,
    book_ids: &[i64],
    q: &str,
    group: Option<&str>,
    sort: ContactSort,
    limit: i64,
) -> Result<Vec<ContactSummary>, ApiError> {
    let order = match sort {
        ContactSort::FirstName => "given_name = '', lower(given_name), lower(display_name)",
        ContactSort::LastName => "family_name = '', lower(family_name), lower(display_name)",
    };
    let group_pattern = group.map(|g| format!("%\n{}\n%", g.replace(['%', '_', '\\'], "")));
    let mut out = Vec::new();
    for id in book_ids {
        let rows: Vec<SummaryRow> = crate::on_db!(db, |dbc| {
            sqlx::query_as(&format!(
            "SELECT uid, book_id, display_name, email, phone, organization, groups FROM contacts \
             WHERE book_id = $1 AND search LIKE $2 ESCAPE '\\' AND ($3 IS NULL OR lower(groups) LIKE lower($4)) ORDER BY {order} LIMIT $5"
        ))
        .bind(id)
        .bind(like(q.trim()))
        .bind(&group_pattern)
        .bind(&group_pattern)
        .bind(limit)
        .fetch_all(dbc).await
        })?;
        out.extend(rows.into_iter().map(summary));
    }
    Ok(out)
}

/// The organization directory as contact summaries (see [`super::directory`]).
pub async fn directory(db: &Db, q: &str, limit: i64) -> Result<Vec<ContactSummary>, ApiError> {
    Ok(super::directory::search(db, q, limit)
        .await?
        .into_iter()
        .map(|p| ContactSummary {
            uid: format!("user-{}", p.id),
            book_id: ksuite_common::DIRECTORY_ID,
            display_name: p.display_name,
            email: Some(p.email),
            phone: Some(p.phone).filter(|s| !s.is_empty()),
            organization: Some(p.department).filter(|s| !s.is_empty()),
            groups: Vec::new(),
        })
        .collect())
}

pub async fn groups(db: &Db, book_id: i64) -> Result<Vec<String>, ApiError> {
    let rows: Vec<String> = crate::on_db!(db, |dbc| sqlx::query_scalar(
        "SELECT groups FROM contacts WHERE book_id = $1 AND groups <> ''"
    )
    .bind(book_id)
    .fetch_all(dbc)
    .await)?;
    let mut all: Vec<String> = rows
        .iter()
        .flat_map(|g| g.lines())
        .filter(|g| !g.is_empty())
        .map(str::to_string)
        .collect();
    all.sort_by_key(|g| g.to_lowercase());
    all.dedup();
    Ok(all)
}

/// A contact as read: its UID and the ETag it had.
pub struct Version<'a> {
    pub uid: &'a str,
    pub etag: &'a str,
}

/// Replaces `keep` with the merged card and deletes `drop`, atomically; `Ok(None)` when
/// either changed since it was read.
pub async fn commit_merge(
    db: &Db,
    grant: &Grant,
    keep: Version<'_>,
    drop: Version<'_>,
    vcard: &str,
    idx: &ContactIndex,
) -> Result<Option<String>, ApiError> {
    let (uid, etag, other_uid, other_etag) = (keep.uid, keep.etag, drop.uid, drop.etag);
    let new_etag = etag_of(vcard);
    let book_id = grant.id();
    let mut tx = crate::db::begin_write(db).await?;
    let seq = changes::next_seq(&mut tx, grant).await?;
    let updated = write_version(
        &mut tx,
        seq,
        book_id,
        Version { uid, etag },
        vcard,
        &new_etag,
        idx,
    )
    .await?;
    let deleted: Option<String> = crate::on_db!(&mut tx, |dbc| sqlx::query_scalar(
        "DELETE FROM contacts WHERE book_id = $1 AND uid = $2 AND etag = $3 RETURNING href",
    )
    .bind(book_id)
    .bind(other_uid)
    .bind(other_etag)
    .fetch_optional(dbc)
    .await)?;
    let (1, Some(href)) = (updated, deleted) else {
        return Ok(None); // the transaction rolls back when dropped
    };
    changes::tombstone(&mut tx, Kind::AddressBook, book_id, &href, seq).await?;
    tx.commit().await?;
    Ok(Some(new_etag))
}
