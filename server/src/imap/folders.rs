//! The user's folders as IMAP sees them: the folders of their own address at the top
//! (`INBOX`, `Sent`, their own folders nested with `/`), and those of every other address
//! they may read under `Shared/<address>/`, read-only ones marked so.

use std::collections::HashMap;

use super::names::{DELIMITER, SHARED_PREFIX};
use crate::db::Db;
use crate::error::ApiError;

/// What a system folder is for (RFC 6154 special use).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Inbox,
    Drafts,
    Sent,
    Archive,
    Junk,
    Trash,
}

impl Role {
    fn parse(role: &str) -> Option<Role> {
        Some(match role {
            "inbox" => Role::Inbox,
            "drafts" => Role::Drafts,
            "sent" => Role::Sent,
            "archive" => Role::Archive,
            "spam" => Role::Junk,
            "trash" => Role::Trash,
            _ => return None,
        })
    }

    /// The special-use attribute in LIST, without the backslash.
    pub fn special_use(self) -> Option<&'static str> {
        Some(match self {
            Role::Inbox => return None,
            Role::Drafts => "Drafts",
            Role::Sent => "Sent",
            Role::Archive => "Archive",
            Role::Junk => "Junk",
            Role::Trash => "Trash",
        })
    }
}

/// One folder, named for IMAP.
#[derive(Clone, Debug)]
pub struct Folder {
    pub id: i64,
    pub address_id: i64,
    /// Full name in UTF-8 (`INBOX`, `Projects/2026`, `Shared/team@example.com/INBOX`).
    pub name: String,
    pub role: Option<Role>,
    /// Whether the user may change it (send or manage access to its address).
    pub writable: bool,
    pub uidvalidity: u32,
    pub has_children: bool,
    /// A name in the hierarchy with no folder behind it (`Shared`, `Shared/<address>`).
    pub placeholder: bool,
}

type Row = (
    i64,
    i64,
    String,
    String,
    Option<String>,
    Option<i64>,
    i64,
    String,
);

/// Every folder the user may read, named, with the placeholders above shared ones.
pub async fn list(db: &Db, user_id: i64) -> Result<Vec<Folder>, ApiError> {
    let rows: Vec<Row> = crate::on_db!(db, |dbc| {
        sqlx::query_as(
        "SELECT m.id, m.address_id, a.address, u.permission, m.role, m.parent_id, m.uidvalidity, m.name \
         FROM mailboxes m JOIN mail_addresses a ON a.id = m.address_id \
         JOIN mail_address_users u ON u.address_id = a.id WHERE u.user_id = $1 ORDER BY a.id, m.id",
    )
    .bind(user_id)
    .fetch_all(dbc).await
    })?;
    let names: HashMap<i64, String> = rows.iter().map(|r| (r.0, r.7.clone())).collect();
    // The user's own address: the first they manage, else the first they have.
    let own = rows
        .iter()
        .find(|r| r.3 == "manage")
        .or(rows.first())
        .map(|r| r.1);
    let parents: HashMap<i64, Option<i64>> = rows.iter().map(|r| (r.0, r.5)).collect();
    let mut folders = Vec::with_capacity(rows.len() + 4);
    let mut placeholders: Vec<String> = Vec::new();
    for (id, address_id, address, permission, role, _, uidvalidity, _) in &rows {
        let role = role.as_deref().and_then(Role::parse);
        let prefix = if Some(*address_id) == own {
            String::new()
        } else {
            let shared = format!("{SHARED_PREFIX}{DELIMITER}{address}");
            if !placeholders.contains(&shared) {
                placeholders.push(shared.clone());
            }
            format!("{shared}{DELIMITER}")
        };
        let path = if role == Some(Role::Inbox) {
            "INBOX".to_string()
        } else {
            path_of(*id, &parents, &names)
        };
        folders.push(Folder {
            id: *id,
            address_id: *address_id,
            name: format!("{prefix}{path}"),
            role,
            writable: permission != "read",
            uidvalidity: u32::try_from(*uidvalidity).unwrap_or(1).max(1),
            has_children: parents.values().any(|p| *p == Some(*id)),
            placeholder: false,
        });
    }
    if !placeholders.is_empty() {
        placeholders.insert(0, SHARED_PREFIX.to_string());
    }
    for name in placeholders {
        folders.push(Folder {
            id: 0,
            address_id: 0,
            name,
            role: None,
            writable: false,
            uidvalidity: 1,
            has_children: true,
            placeholder: true,
        });
    }
    Ok(folders)
}

/// A folder's path from the top of its address (`Projects/2026`), bounded by the nesting
/// limit so a cycle could never loop.
fn path_of(id: i64, parents: &HashMap<i64, Option<i64>>, names: &HashMap<i64, String>) -> String {
    let mut parts = Vec::new();
    let mut at = Some(id);
    while let Some(current) = at {
        if parts.len() > 16 {
            break;
        }
        parts.push(names.get(&current).cloned().unwrap_or_default());
        at = parents.get(&current).copied().flatten();
    }
    parts.reverse();
    parts.join(&DELIMITER.to_string())
}

/// The selectable folder with this name.
pub fn find<'a>(folders: &'a [Folder], name: &str) -> Option<&'a Folder> {
    folders.iter().find(|f| !f.placeholder && f.name == name)
}

/// Where a new folder named `name` would go: the address and parent folder of its
/// parent name, and its last part. `None` when the parent does not exist.
pub fn parent_of<'a>(folders: &[Folder], name: &'a str) -> Option<(i64, Option<i64>, &'a str)> {
    match name.rsplit_once(DELIMITER) {
        None => {
            // A top-level folder belongs to the user's own address (the one with INBOX at
            // the top).
            let inbox = folders.iter().find(|f| f.name == "INBOX")?;
            Some((inbox.address_id, None, name))
        }
        Some((parent, leaf)) => {
            if let Some(p) = find(folders, parent) {
                return Some((p.address_id, Some(p.id), leaf));
            }
            // `Shared/<address>/X`: a top-level folder of a shared address.
            let address_root = folders.iter().find(|f| f.placeholder && f.name == parent)?;
            let inbox_name = format!("{}{DELIMITER}INBOX", address_root.name);
            let inbox = find(folders, &inbox_name)?;
            Some((inbox.address_id, None, leaf))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(id: i64, name: &str, placeholder: bool) -> Folder {
        Folder {
            id,
            address_id: if name.starts_with("Shared") { 2 } else { 1 },
            name: name.into(),
            role: None,
            writable: true,
            uidvalidity: 1,
            has_children: false,
            placeholder,
        }
    }

    #[test]
    fn new_folders_find_their_parent() {
        let folders = vec![
            folder(1, "INBOX", false),
            folder(2, "Projects", false),
            folder(0, "Shared", true),
            folder(0, "Shared/team@x", true),
            folder(3, "Shared/team@x/INBOX", false),
        ];
        assert_eq!(parent_of(&folders, "New"), Some((1, None, "New")));
        assert_eq!(
            parent_of(&folders, "Projects/2026"),
            Some((1, Some(2), "2026"))
        );
        assert_eq!(
            parent_of(&folders, "Shared/team@x/Plans"),
            Some((2, None, "Plans"))
        );
        assert_eq!(parent_of(&folders, "Nowhere/x"), None);
        assert!(find(&folders, "Shared").is_none());
    }
}
