//! vCard through the `calcard` crate: parsing (3.0 and 4.0, many cards per file),
//! reading the fields the app shows, and writing the editor's fields back while every
//! property the editor does not own (PHOTO, X-…, IMPP, …) stays as it was.

use calcard::vcard::{
    VCard, VCardEntry, VCardParameter, VCardParameterName, VCardProperty, VCardValue,
};
use calcard::{Entry, Parser};
use ksuite_common::{ContactInput, Field, PostalAddress, Problem, Rule, TypedValue};

use crate::error::ApiError;

/// Upper bound on cards read from one file.
const MAX_CARDS: usize = 50_000;

/// Splits a file into the source text of each card (line-wise at BEGIN/END:VCARD), so
/// each contact keeps exactly what was sent.
pub fn split_cards(text: &str) -> Vec<String> {
    let mut cards = Vec::new();
    let mut current: Option<String> = None;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\r', '\n']).trim();
        if bare.eq_ignore_ascii_case("BEGIN:VCARD") {
            current = Some(String::new());
        }
        if let Some(card) = current.as_mut() {
            card.push_str(line.trim_end_matches(['\r', '\n']));
            card.push_str("\r\n");
        }
        if bare.eq_ignore_ascii_case("END:VCARD") {
            cards.extend(current.take());
        }
    }
    cards
}

/// vCard 3.0 writes a date without year as `--MM-DD`; the parser expects `--MMDD`.
fn normalize_legacy_dates(text: &str) -> String {
    text.split_inclusive('\n')
        .map(|line| {
            let upper = line.to_ascii_uppercase();
            if !(upper.starts_with("BDAY") || upper.starts_with("ANNIVERSARY")) {
                return line.to_string();
            }
            match line.split_once(':') {
                Some((head, value)) => {
                    let v = value.trim_end();
                    let b = v.as_bytes();
                    if b.len() == 7
                        && v.starts_with("--")
                        && b[4] == b'-'
                        && v[2..4].bytes().all(|c| c.is_ascii_digit())
                    {
                        format!("{head}:--{}{}{}", &v[2..4], &v[5..7], &value[v.len()..])
                    } else {
                        line.to_string()
                    }
                }
                None => line.to_string(),
            }
        })
        .collect()
}

/// Cards of a file, and why some could not be read.
pub fn parse_file(text: &str) -> (Vec<VCard>, Vec<String>) {
    let normalized = normalize_legacy_dates(text);
    let mut parser = Parser::new(&normalized);
    let mut cards = Vec::new();
    let mut problems = Vec::new();
    loop {
        match parser.entry() {
            Entry::VCard(card) => {
                if cards.len() >= MAX_CARDS {
                    problems.push(format!(
                        "more than {MAX_CARDS} cards; the rest was not read"
                    ));
                    break;
                }
                cards.push(card);
            }
            Entry::Eof => break,
            Entry::InvalidLine(line) => problems.push(format!(
                "unreadable line {:?}",
                line.chars().take(60).collect::<String>()
            )),
            Entry::ICalendar(_) => problems.push("an iCalendar object, not a vCard".into()),
            other => problems.push(
                format!("malformed card ({other:?})")
                    .chars()
                    .take(120)
                    .collect(),
            ),
        }
    }
    (cards, problems)
}

pub fn parse_one(text: &str) -> Result<VCard, String> {
    let (mut cards, _) = parse_file(text);
    match cards.len() {
        1 => Ok(cards.remove(0)),
        0 => Err("no vCard found".into()),
        _ => Err("more than one vCard".into()),
    }
}

fn text_of(e: &VCardEntry) -> String {
    e.values
        .iter()
        .filter_map(VCardValue::as_text)
        .collect::<Vec<_>>()
        .join(",")
}

/// Component `i` of a structured value (N, ADR); list components are joined with ", ".
fn component(e: &VCardEntry, i: usize) -> String {
    match e.values.get(i) {
        Some(VCardValue::Component(parts)) => parts.join(", "),
        Some(v) => v.as_text().unwrap_or_default().to_string(),
        None => String::new(),
    }
}

fn kind_of(e: &VCardEntry) -> Option<String> {
    let kinds: Vec<String> = e
        .params
        .iter()
        .filter(|p| p.name == VCardParameterName::Type)
        .filter_map(|p| p.value.as_text().map(str::to_ascii_lowercase))
        .filter(|k| k != "pref" && k != "internet" && k != "voice")
        .collect();
    kinds.into_iter().next()
}

fn date_of(e: &VCardEntry) -> Option<String> {
    match e.values.first()? {
        VCardValue::PartialDateTime(d) => match (d.year, d.month, d.day) {
            (Some(y), Some(m), Some(day)) => Some(format!("{y:04}-{m:02}-{day:02}")),
            (None, Some(m), Some(day)) => Some(format!("--{m:02}-{day:02}")),
            _ => None,
        },
        v => {
            let t = v.as_text()?.trim();
            let digits: String = t.chars().filter(|c| c.is_ascii_digit()).collect();
            match (t.starts_with("--"), digits.len()) {
                (true, 4) => Some(format!("--{}-{}", &digits[..2], &digits[2..])),
                (false, 8) => Some(format!(
                    "{}-{}-{}",
                    &digits[..4],
                    &digits[4..6],
                    &digits[6..]
                )),
                _ => None,
            }
        }
    }
}

/// The fields the app shows and edits.
pub fn fields(card: &VCard) -> ContactInput {
    let mut f = ContactInput::default();
    for e in &card.entries {
        match &e.name {
            VCardProperty::Fn => f.display_name = text_of(e),
            VCardProperty::N => {
                f.family_name = component(e, 0);
                f.given_name = component(e, 1);
                f.additional_names = component(e, 2);
                f.prefix = component(e, 3);
                f.suffix = component(e, 4);
            }
            VCardProperty::Nickname => f.nickname = Some(text_of(e)).filter(|s| !s.is_empty()),
            VCardProperty::Org => f.organization = Some(component(e, 0)).filter(|s| !s.is_empty()),
            VCardProperty::Title => f.title = Some(text_of(e)).filter(|s| !s.is_empty()),
            VCardProperty::Email => f.emails.push(TypedValue {
                kind: kind_of(e),
                value: text_of(e),
            }),
            VCardProperty::Tel => {
                let value = text_of(e);
                f.phones.push(TypedValue {
                    kind: kind_of(e),
                    value: value.strip_prefix("tel:").unwrap_or(&value).to_string(),
                })
            }
            VCardProperty::Adr => f.addresses.push(PostalAddress {
                kind: kind_of(e),
                street: component(e, 2),
                locality: component(e, 3),
                region: component(e, 4),
                postal_code: component(e, 5),
                country: component(e, 6),
            }),
            VCardProperty::Bday => f.birthday = date_of(e),
            VCardProperty::Anniversary => f.anniversary = date_of(e),
            VCardProperty::Url => f.urls.push(text_of(e)),
            VCardProperty::Note => f.note = Some(text_of(e)).filter(|s| !s.is_empty()),
            VCardProperty::Categories => {
                for v in &e.values {
                    match v {
                        VCardValue::Component(list) => f.groups.extend(list.iter().cloned()),
                        other => f.groups.extend(other.as_text().map(str::to_string)),
                    }
                }
            }
            _ => {}
        }
    }
    f.groups.retain(|g| !g.trim().is_empty());
    f.groups.dedup();
    if f.display_name.trim().is_empty() {
        f.display_name = derived_name(&f);
    }
    f
}

/// A display name from the parts, else the organization, else the first e-mail.
pub fn derived_name(f: &ContactInput) -> String {
    let parts: Vec<&str> = [
        f.prefix.as_str(),
        &f.given_name,
        &f.additional_names,
        &f.family_name,
        &f.suffix,
    ]
    .into_iter()
    .map(str::trim)
    .filter(|s| !s.is_empty())
    .collect();
    if !parts.is_empty() {
        return parts.join(" ");
    }
    f.organization
        .clone()
        .or_else(|| f.emails.first().map(|e| e.value.clone()))
        .unwrap_or_default()
}

/// Properties the editor owns; everything else is kept on update.
const MANAGED: [VCardProperty; 14] = [
    VCardProperty::Fn,
    VCardProperty::N,
    VCardProperty::Nickname,
    VCardProperty::Org,
    VCardProperty::Title,
    VCardProperty::Email,
    VCardProperty::Tel,
    VCardProperty::Adr,
    VCardProperty::Bday,
    VCardProperty::Anniversary,
    VCardProperty::Url,
    VCardProperty::Note,
    VCardProperty::Categories,
    VCardProperty::Rev,
];

fn typed(name: VCardProperty, value: &str, kind: &Option<String>) -> VCardEntry {
    let mut e = VCardEntry::new(name).with_value(value.to_string());
    if let Some(k) = kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        e = e.with_param(VCardParameter::new(
            VCardParameterName::Type,
            k.to_ascii_lowercase(),
        ));
    }
    e
}

fn compact_date(d: &str) -> Option<String> {
    let d = d.trim();
    if let Some(md) = d.strip_prefix("--") {
        let digits: String = md.chars().filter(|c| c.is_ascii_digit()).collect();
        return (digits.len() == 4).then(|| format!("--{digits}"));
    }
    chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
        .ok()
        .map(|x| x.format("%Y%m%d").to_string())
}

/// Checks the editor's fields, saying which one is wrong.
pub fn validate(f: &ContactInput) -> Result<(), ApiError> {
    if derived_name(f).trim().is_empty() && f.display_name.trim().is_empty() {
        return Err(ApiError::invalid(
            Problem::new(Field::Name, Rule::Required),
            "A contact needs a name, an organization or an e-mail address.",
        ));
    }
    for e in &f.emails {
        let v = e.value.trim();
        if !v.is_empty() && (!v.contains('@') || v.contains(char::is_whitespace)) {
            return Err(ApiError::invalid(
                Problem::new(Field::Email, Rule::Invalid),
                format!("{v:?} is not an e-mail address."),
            ));
        }
    }
    for (label, d) in [("birthday", &f.birthday), ("anniversary", &f.anniversary)] {
        if let Some(d) = d.as_deref().filter(|d| !d.trim().is_empty())
            && compact_date(d).is_none()
        {
            return Err(ApiError::invalid(
                Problem::new(Field::Date, Rule::Invalid),
                format!("The {label} must look like 1990-04-12 or --04-12."),
            ));
        }
    }
    Ok(())
}

/// Writes the editor's fields into `card` (a new one when `None`).
pub fn apply(card: Option<VCard>, uid: &str, f: &ContactInput) -> VCard {
    let mut card = card.unwrap_or_else(|| VCard {
        entries: vec![
            VCardEntry::new(VCardProperty::Version).with_value("4.0".to_string()),
            VCardEntry::new(VCardProperty::Uid).with_value(uid.to_string()),
        ],
    });
    card.entries.retain(|e| !MANAGED.contains(&e.name));
    let display = if f.display_name.trim().is_empty() {
        derived_name(f)
    } else {
        f.display_name.trim().to_string()
    };
    let mut add = |e: VCardEntry| card.entries.push(e);
    add(VCardEntry::new(VCardProperty::Fn).with_value(display));
    add(VCardEntry::new(VCardProperty::N).with_values(
        [
            &f.family_name,
            &f.given_name,
            &f.additional_names,
            &f.prefix,
            &f.suffix,
        ]
        .into_iter()
        .map(|s| VCardValue::Text(s.trim().to_string()))
        .collect(),
    ));
    let opt = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    if let Some(n) = opt(&f.nickname) {
        add(VCardEntry::new(VCardProperty::Nickname).with_value(n));
    }
    if let Some(o) = opt(&f.organization) {
        add(VCardEntry::new(VCardProperty::Org).with_value(o));
    }
    if let Some(t) = opt(&f.title) {
        add(VCardEntry::new(VCardProperty::Title).with_value(t));
    }
    for e in f.emails.iter().filter(|e| !e.value.trim().is_empty()) {
        add(typed(VCardProperty::Email, e.value.trim(), &e.kind));
    }
    for p in f.phones.iter().filter(|p| !p.value.trim().is_empty()) {
        add(typed(VCardProperty::Tel, p.value.trim(), &p.kind));
    }
    for a in &f.addresses {
        let parts = [
            "",
            "",
            &a.street,
            &a.locality,
            &a.region,
            &a.postal_code,
            &a.country,
        ];
        if parts.iter().all(|p| p.trim().is_empty()) {
            continue;
        }
        let mut e = VCardEntry::new(VCardProperty::Adr).with_values(
            parts
                .iter()
                .map(|p| VCardValue::Text(p.trim().to_string()))
                .collect(),
        );
        if let Some(k) = a.kind.as_deref().filter(|k| !k.trim().is_empty()) {
            e = e.with_param(VCardParameter::new(
                VCardParameterName::Type,
                k.to_ascii_lowercase(),
            ));
        }
        add(e);
    }
    if let Some(d) = f.birthday.as_deref().and_then(compact_date) {
        add(VCardEntry::new(VCardProperty::Bday).with_value(d));
    }
    if let Some(d) = f.anniversary.as_deref().and_then(compact_date) {
        add(VCardEntry::new(VCardProperty::Anniversary).with_value(d));
    }
    for u in f.urls.iter().map(|u| u.trim()).filter(|u| !u.is_empty()) {
        add(VCardEntry::new(VCardProperty::Url).with_value(u.to_string()));
    }
    if let Some(n) = opt(&f.note) {
        add(VCardEntry::new(VCardProperty::Note).with_value(n));
    }
    let groups: Vec<VCardValue> = f
        .groups
        .iter()
        .map(|g| g.trim())
        .filter(|g| !g.is_empty())
        .map(|g| VCardValue::Text(g.to_string()))
        .collect();
    if !groups.is_empty() {
        add(VCardEntry::new(VCardProperty::Categories).with_values(groups));
    }
    add(VCardEntry::new(VCardProperty::Rev)
        .with_value(chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string()));
    card
}

/// The card's UID, if it has one.
pub fn uid_of(card: &VCard) -> Option<String> {
    card.uid()
        .map(|u| u.trim().to_string())
        .filter(|u| !u.is_empty())
}

/// Adds a UID to a card that lacks one (many exports omit it).
pub fn ensure_uid(card: &mut VCard, uid: &str) {
    if uid_of(card).is_none() {
        card.entries.retain(|e| e.name != VCardProperty::Uid);
        card.entries
            .push(VCardEntry::new(VCardProperty::Uid).with_value(uid.to_string()));
    }
}

/// Merges `other` into `primary` without losing anything: the primary's name and single
/// values win where set, lists (e-mails, phones, addresses, URLs, groups) are united,
/// notes joined, and properties the editor does not know are carried over from `other`
/// when the primary has no equal one.
pub fn merge(primary: VCard, other: &VCard, uid: &str) -> VCard {
    let a = fields(&primary);
    let b = fields(other);
    fn pick(x: String, y: String) -> String {
        if x.trim().is_empty() { y } else { x }
    }
    fn unite<T: PartialEq + Clone>(
        mut x: Vec<T>,
        y: Vec<T>,
        same: impl Fn(&T, &T) -> bool,
    ) -> Vec<T> {
        for v in y {
            if !x.iter().any(|e| same(e, &v)) {
                x.push(v);
            }
        }
        x
    }
    let note = match (a.note.clone(), b.note.clone()) {
        (Some(x), Some(y)) if x != y => Some(format!("{x}\n{y}")),
        (x, y) => x.or(y),
    };
    let merged = ContactInput {
        prefix: pick(a.prefix.clone(), b.prefix.clone()),
        given_name: pick(a.given_name.clone(), b.given_name.clone()),
        additional_names: pick(a.additional_names.clone(), b.additional_names.clone()),
        family_name: pick(a.family_name.clone(), b.family_name.clone()),
        suffix: pick(a.suffix.clone(), b.suffix.clone()),
        display_name: pick(a.display_name.clone(), b.display_name.clone()),
        nickname: a.nickname.clone().or(b.nickname.clone()),
        organization: a.organization.clone().or(b.organization.clone()),
        title: a.title.clone().or(b.title.clone()),
        emails: unite(a.emails.clone(), b.emails, |x, y| {
            x.value.eq_ignore_ascii_case(&y.value)
        }),
        phones: unite(a.phones.clone(), b.phones, |x, y| {
            let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
            digits(&x.value) == digits(&y.value)
        }),
        addresses: unite(a.addresses.clone(), b.addresses, |x, y| x == y),
        birthday: a.birthday.clone().or(b.birthday.clone()),
        anniversary: a.anniversary.clone().or(b.anniversary.clone()),
        urls: unite(a.urls.clone(), b.urls, |x, y| x == y),
        note,
        groups: unite(a.groups.clone(), b.groups, |x, y| x == y),
    };
    let mut card = apply(Some(primary), uid, &merged);
    let carried: Vec<VCardEntry> = other
        .entries
        .iter()
        .filter(|e| !MANAGED.contains(&e.name))
        .filter(|e| {
            !matches!(
                e.name,
                VCardProperty::Uid
                    | VCardProperty::Version
                    | VCardProperty::Prodid
                    | VCardProperty::Begin
                    | VCardProperty::End
            )
        })
        .filter(|e| {
            !card
                .entries
                .iter()
                .any(|c| c.name == e.name && c.values == e.values)
        })
        // A card has one photo: keep the primary's if it has one.
        .filter(|e| {
            e.name != VCardProperty::Photo || card.property(&VCardProperty::Photo).is_none()
        })
        .cloned()
        .collect();
    card.entries.extend(carried);
    card
}

/// The embedded photo and its media type, if the card carries one (not a link).
pub fn photo(card: &VCard) -> Option<(Vec<u8>, String)> {
    let entry = card.property(&VCardProperty::Photo)?;
    entry.values.iter().find_map(|v| match v {
        VCardValue::Binary(d) => {
            let media = d
                .content_type
                .clone()
                .or_else(|| sniff_image(&d.data).map(str::to_string))?;
            Some((d.data.clone(), media))
        }
        _ => None,
    })
}

/// The image type of `bytes` from their signature; only web-safe formats.
pub fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0xFF, 0xD8, 0xFF, ..] => Some("image/jpeg"),
        [0x89, b'P', b'N', b'G', ..] => Some("image/png"),
        [b'G', b'I', b'F', b'8', ..] => Some("image/gif"),
        [
            b'R',
            b'I',
            b'F',
            b'F',
            _,
            _,
            _,
            _,
            b'W',
            b'E',
            b'B',
            b'P',
            ..,
        ] => Some("image/webp"),
        _ => None,
    }
}

/// Sets (or with `None` removes) the card's photo.
pub fn set_photo(card: &mut VCard, photo: Option<(Vec<u8>, &str)>) {
    card.entries.retain(|e| e.name != VCardProperty::Photo);
    if let Some((data, media)) = photo {
        let value = VCardValue::Binary(calcard::common::Data {
            content_type: Some(media.to_string()),
            data,
        });
        card.entries
            .push(VCardEntry::new(VCardProperty::Photo).with_value(value));
    }
}

/// The card in the vCard version a client asked for (`Some(true)` = 4.0, `Some(false)` =
/// 3.0), or in 3.0 when it did not say: macOS and iOS Contacts reject 4.0. A card already
/// in the wanted version is returned exactly as stored.
pub fn for_client(source: &str, want_v4: Option<bool>) -> std::borrow::Cow<'_, str> {
    use calcard::vcard::VCardVersion;
    let want_v4 = want_v4.unwrap_or(false);
    let Ok(card) = parse_one(source) else {
        return source.into();
    };
    let is_v4 = matches!(card.version(), Some(VCardVersion::V4_0));
    if is_v4 == want_v4 {
        return source.into();
    }
    let mut out = String::new();
    let version = if want_v4 {
        VCardVersion::V4_0
    } else {
        VCardVersion::V3_0
    };
    match card.write_to(&mut out, version) {
        Ok(()) => out.into(),
        Err(_) => source.into(),
    }
}
