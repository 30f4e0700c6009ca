//! CSV import and export of contacts, in the column layouts of Google Contacts (both its
//! current and older exports) and Outlook, read with the `csv` crate by header name.

use ksuite_common::{ContactInput, PostalAddress, SkippedItem, TypedValue};

use super::vcard::derived_name;

fn norm(h: &str) -> String {
    h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase()
}

/// Group names from a Google "Labels"/"Group Membership" cell or Outlook "Categories".
fn groups_of(cell: &str) -> Vec<String> {
    cell.split([';', ','])
        .flat_map(|g| g.split(":::"))
        .map(|g| g.trim().trim_start_matches("* ").trim().to_string())
        .filter(|g| !g.is_empty() && g != "myContacts" && g != "starred")
        .collect()
}

/// A date cell: `YYYY-MM-DD`, `--MM-DD` or Outlook's `M/D/YYYY` (`0/0/00` means none).
fn date_of(cell: &str) -> Option<String> {
    let c = cell.trim();
    if c.is_empty() || c.starts_with("0/0/") {
        return None;
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(c, "%Y-%m-%d") {
        return Some(d.format("%Y-%m-%d").to_string());
    }
    if let Some(md) = c.strip_prefix("--") {
        return (md.len() == 5).then(|| c.to_string());
    }
    chrono::NaiveDate::parse_from_str(c, "%m/%d/%Y")
        .ok()
        .map(|d| d.format("%Y-%m-%d").to_string())
}

fn kind_of(label: &str) -> Option<String> {
    let l = label.trim().trim_start_matches("* ").to_ascii_lowercase();
    match l.as_str() {
        "" => None,
        "mobile" => Some("cell".into()),
        other => Some(other.to_string()),
    }
}

/// Reads a CSV file into contacts; rows that hold no usable contact are reported.
pub fn parse(text: &str) -> Result<(Vec<ContactInput>, Vec<SkippedItem>), String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("the CSV header cannot be read: {e}"))?
        .iter()
        .map(norm)
        .collect();
    if !headers
        .iter()
        .any(|h| h.contains("name") || h.contains("e-mail"))
    {
        return Err(
            "this CSV has no name or e-mail columns (expected a Google or Outlook export)".into(),
        );
    }
    let mut contacts = Vec::new();
    let mut skipped = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let row = n + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                skipped.push(SkippedItem {
                    uid: None,
                    reason: format!("row {row}: {e}"),
                });
                continue;
            }
        };
        let cell = |name: &str| -> &str {
            headers
                .iter()
                .position(|h| h == name)
                .and_then(|i| record.get(i))
                .unwrap_or("")
                .trim()
        };
        let mut c = ContactInput {
            given_name: first_of(&[cell("first name"), cell("given name")]),
            additional_names: first_of(&[cell("middle name"), cell("additional name")]),
            family_name: first_of(&[cell("last name"), cell("family name")]),
            prefix: first_of(&[cell("name prefix"), cell("title")]),
            suffix: first_of(&[cell("name suffix"), cell("suffix")]),
            display_name: cell("name").to_string(),
            nickname: opt(cell("nickname")),
            organization: opt(&first_of(&[
                cell("organization name"),
                cell("organization 1 - name"),
                cell("company"),
            ])),
            title: opt(&first_of(&[
                cell("organization title"),
                cell("organization 1 - title"),
                cell("job title"),
            ])),
            birthday: date_of(cell("birthday")),
            note: opt(&first_of(&[cell("notes"), cell("note")])),
            groups: groups_of(&first_of(&[
                cell("labels"),
                cell("group membership"),
                cell("categories"),
            ])),
            ..Default::default()
        };
        for i in 1..=9 {
            let email = cell(&format!("e-mail {i} - value"));
            if !email.is_empty() {
                let label = first_of(&[
                    cell(&format!("e-mail {i} - label")),
                    cell(&format!("e-mail {i} - type")),
                ]);
                // Google joins several addresses of one label with " ::: ".
                for e in email.split(":::").map(str::trim).filter(|e| !e.is_empty()) {
                    c.emails.push(TypedValue {
                        kind: kind_of(&label),
                        value: e.to_string(),
                    });
                }
            }
            let phone = cell(&format!("phone {i} - value"));
            if !phone.is_empty() {
                let label = first_of(&[
                    cell(&format!("phone {i} - label")),
                    cell(&format!("phone {i} - type")),
                ]);
                for p in phone.split(":::").map(str::trim).filter(|p| !p.is_empty()) {
                    c.phones.push(TypedValue {
                        kind: kind_of(&label),
                        value: p.to_string(),
                    });
                }
            }
            let a = PostalAddress {
                kind: kind_of(&first_of(&[
                    cell(&format!("address {i} - label")),
                    cell(&format!("address {i} - type")),
                ])),
                street: cell(&format!("address {i} - street")).to_string(),
                locality: cell(&format!("address {i} - city")).to_string(),
                region: cell(&format!("address {i} - region")).to_string(),
                postal_code: cell(&format!("address {i} - postal code")).to_string(),
                country: cell(&format!("address {i} - country")).to_string(),
            };
            if !(a.street.is_empty()
                && a.locality.is_empty()
                && a.postal_code.is_empty()
                && a.country.is_empty())
            {
                c.addresses.push(a);
            }
            let site = cell(&format!("website {i} - value"));
            if !site.is_empty() {
                c.urls.push(site.to_string());
            }
        }
        // Outlook's fixed columns.
        for (col, kind) in [
            ("e-mail address", None),
            ("e-mail 2 address", None),
            ("e-mail 3 address", None),
        ] {
            if !cell(col).is_empty() {
                c.emails.push(TypedValue {
                    kind,
                    value: cell(col).to_string(),
                });
            }
        }
        for (col, kind) in [
            ("mobile phone", "cell"),
            ("home phone", "home"),
            ("business phone", "work"),
            ("primary phone", ""),
        ] {
            if !cell(col).is_empty() {
                c.phones.push(TypedValue {
                    kind: opt(kind),
                    value: cell(col).to_string(),
                });
            }
        }
        for (prefix, kind) in [("home", "home"), ("business", "work"), ("other", "other")] {
            let a = PostalAddress {
                kind: Some(kind.into()),
                street: cell(&format!("{prefix} street")).to_string(),
                locality: cell(&format!("{prefix} city")).to_string(),
                region: cell(&format!("{prefix} state")).to_string(),
                postal_code: cell(&format!("{prefix} postal code")).to_string(),
                country: cell(&format!("{prefix} country/region")).to_string(),
            };
            if !(a.street.is_empty()
                && a.locality.is_empty()
                && a.postal_code.is_empty()
                && a.country.is_empty())
            {
                c.addresses.push(a);
            }
        }
        if !cell("web page").is_empty() {
            c.urls.push(cell("web page").to_string());
        }
        if c.display_name.is_empty() {
            c.display_name = derived_name(&c);
        }
        if c.display_name.trim().is_empty() {
            skipped.push(SkippedItem {
                uid: None,
                reason: format!("row {row}: no name, organization or e-mail"),
            });
            continue;
        }
        contacts.push(c);
    }
    Ok((contacts, skipped))
}

fn first_of(values: &[&str]) -> String {
    values
        .iter()
        .find(|v| !v.is_empty())
        .map(|v| v.to_string())
        .unwrap_or_default()
}

fn opt(v: &str) -> Option<String> {
    Some(v.trim().to_string()).filter(|s| !s.is_empty())
}

const SLOTS: usize = 3;

/// Writes contacts in Google Contacts' CSV layout (which Outlook also imports).
pub fn write(contacts: &[ContactInput]) -> Result<String, String> {
    let mut header: Vec<String> = [
        "Name",
        "First Name",
        "Middle Name",
        "Last Name",
        "Name Prefix",
        "Name Suffix",
        "Nickname",
        "Organization Name",
        "Organization Title",
        "Birthday",
        "Notes",
        "Labels",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for i in 1..=SLOTS {
        header.extend([format!("E-mail {i} - Label"), format!("E-mail {i} - Value")]);
    }
    for i in 1..=SLOTS {
        header.extend([format!("Phone {i} - Label"), format!("Phone {i} - Value")]);
    }
    header.extend(
        [
            "Label",
            "Street",
            "City",
            "Region",
            "Postal Code",
            "Country",
        ]
        .iter()
        .map(|s| format!("Address 1 - {s}")),
    );
    header.push("Website 1 - Value".into());
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&header).map_err(|e| e.to_string())?;
    for c in contacts {
        let mut row: Vec<String> = vec![
            c.display_name.clone(),
            c.given_name.clone(),
            c.additional_names.clone(),
            c.family_name.clone(),
            c.prefix.clone(),
            c.suffix.clone(),
            c.nickname.clone().unwrap_or_default(),
            c.organization.clone().unwrap_or_default(),
            c.title.clone().unwrap_or_default(),
            c.birthday.clone().unwrap_or_default(),
            c.note.clone().unwrap_or_default(),
            c.groups.join(" ::: "),
        ];
        for list in [&c.emails, &c.phones] {
            for i in 0..SLOTS {
                let v = list.get(i);
                row.push(v.and_then(|v| v.kind.clone()).unwrap_or_default());
                row.push(v.map(|v| v.value.clone()).unwrap_or_default());
            }
        }
        let a = c.addresses.first().cloned().unwrap_or_default();
        row.extend([
            a.kind.unwrap_or_default(),
            a.street,
            a.locality,
            a.region,
            a.postal_code,
            a.country,
        ]);
        row.push(c.urls.first().cloned().unwrap_or_default());
        w.write_record(&row).map_err(|e| e.to_string())?;
    }
    let bytes = w.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}
