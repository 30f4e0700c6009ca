//! The organization directory: every active account of this server with its name, address
//! and what its owner chose to publish (phone, job title, department). The web app lists
//! it as a read-only address book, CardDAV serves it as one, and CalDAV principal search
//! looks people up in it.

use crate::db::Db;
use crate::error::ApiError;

/// One person in the directory.
#[derive(sqlx::FromRow, Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub phone: String,
    pub title: String,
    pub department: String,
}

/// Most people one directory answer lists (a listing, a search, an address book sync).
pub const MAX_LISTED: i64 = 5000;

const COLUMNS: &str = "id, email, display_name, directory_phone AS phone, directory_title AS title, \
                       directory_department AS department";

/// People whose name or address contains `q` (all of them for an empty `q`), by name.
pub async fn search(db: &Db, q: &str, limit: i64) -> Result<Vec<Person>, ApiError> {
    let pattern = super::store::like(q.trim());
    Ok(crate::on_db!(db, |dbc| sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM users WHERE NOT disabled \
         AND (lower(display_name) LIKE $1 ESCAPE '\\' OR lower(email) LIKE $1 ESCAPE '\\') \
         ORDER BY lower(display_name), id LIMIT $2"
    ))
    .bind(pattern)
    .bind(limit.min(MAX_LISTED))
    .fetch_all(dbc)
    .await)?)
}

/// One person by address.
pub async fn by_email(db: &Db, email: &str) -> Result<Option<Person>, ApiError> {
    Ok(crate::on_db!(db, |dbc| sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM users WHERE NOT disabled AND email = $1"
    ))
    .bind(email.to_lowercase())
    .fetch_optional(dbc)
    .await)?)
}

/// The vCard of a person, as the CardDAV directory serves it.
pub fn vcard(p: &Person) -> String {
    let esc = escape;
    let mut out = format!(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//ksuite//Directory//EN\r\nUID:{}\r\nFN:{}\r\nN:{};;;;\r\nEMAIL;TYPE=INTERNET,WORK:{}\r\n",
        uid(p),
        esc(&p.display_name),
        esc(&p.display_name),
        esc(&p.email)
    );
    if !p.phone.is_empty() {
        out.push_str(&format!("TEL;TYPE=WORK:{}\r\n", esc(&p.phone)));
    }
    if !p.title.is_empty() {
        out.push_str(&format!("TITLE:{}\r\n", esc(&p.title)));
    }
    if !p.department.is_empty() {
        out.push_str(&format!("ORG:;{}\r\n", esc(&p.department)));
    }
    out.push_str("END:VCARD\r\n");
    out
}

/// A person's stable UID (and resource name, with `.vcf`) in the directory.
pub fn uid(p: &Person) -> String {
    format!("ksuite-user-{}", p.id)
}

/// vCard text escaping (RFC 6350 §3.4).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cards_escape_what_people_typed() {
        let p = Person {
            id: 7,
            email: "ann@example.com".into(),
            display_name: "Doe, Ann; Jr".into(),
            phone: String::new(),
            title: "Lead\nDev".into(),
            department: String::new(),
        };
        let card = vcard(&p);
        assert!(card.contains("FN:Doe\\, Ann\\; Jr\r\n"), "{card}");
        assert!(card.contains("TITLE:Lead\\nDev\r\n"), "{card}");
        assert!(!card.contains("TEL"));
        assert!(card.contains("UID:ksuite-user-7\r\n"));
    }
}
