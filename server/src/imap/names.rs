//! Folder names on the wire: modified UTF-7 (RFC 3501 §5.1.3) for clients that did not
//! ENABLE UTF8=ACCEPT, and LIST patterns (`*` matches anything, `%` anything but the
//! hierarchy delimiter).

/// The hierarchy delimiter of every folder name.
pub const DELIMITER: char = '/';
/// Where the folders of addresses other than the user's own appear.
pub const SHARED_PREFIX: &str = "Shared";
/// Longest LIST pattern matched (longer ones are refused), which bounds its cost.
pub const MAX_PATTERN: usize = 256;

/// A folder name as the client sent it, in UTF-8.
pub fn decode(raw: &[u8], utf8: bool) -> Option<String> {
    let text = std::str::from_utf8(raw).ok()?;
    if utf8 || !text.contains('&') {
        return Some(text.to_string());
    }
    Some(utf7_imap::decode_utf7_imap(text.to_string()))
}

/// A folder name for the client.
pub fn encode(name: &str, utf8: bool) -> String {
    if utf8 || name.is_ascii() && !name.contains('&') {
        name.to_string()
    } else {
        utf7_imap::encode_utf7_imap(name.to_string())
    }
}

/// `INBOX` in any case is the inbox (RFC 3501 §5.1).
pub fn normalize(name: &str) -> String {
    match name.split_once(DELIMITER) {
        None if name.eq_ignore_ascii_case("INBOX") => "INBOX".into(),
        _ => name.to_string(),
    }
}

/// Whether `name` matches a LIST pattern (reference already prepended). Dynamic
/// programming over characters: linear in `pattern × name`, whatever the wildcards.
pub fn matches(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    // row[j]: whether p[..i] matches n[..j].
    let mut row = vec![false; n.len() + 1];
    row[0] = true;
    for &pc in &p {
        let mut next = vec![false; n.len() + 1];
        match pc {
            '*' | '%' => {
                let mut reach = false;
                for j in 0..=n.len() {
                    // Reachable: matched up to j before, or carried on over a character
                    // the wildcard may swallow.
                    reach = row[j] || (reach && j > 0 && (pc == '*' || n[j - 1] != DELIMITER));
                    next[j] = reach;
                }
            }
            c => {
                for j in 1..=n.len() {
                    next[j] = row[j - 1] && n[j - 1] == c;
                }
            }
        }
        row = next;
    }
    row[n.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert!(matches("*", "INBOX"));
        assert!(matches("*", "Shared/team@x/INBOX"));
        assert!(matches("%", "Sent"));
        assert!(!matches("%", "Projects/2026"));
        assert!(matches("Projects/%", "Projects/2026"));
        assert!(matches("Pro*26", "Projects/2026"));
        assert!(!matches("Pro%26", "Projects/2026"));
        assert!(matches("INBOX", "INBOX"));
        assert!(!matches("INBOX", "INBOXES"));
        assert!(matches("", ""));
        assert!(!matches("", "x"));
    }

    #[test]
    fn many_wildcards_stay_cheap() {
        let pattern = "*%".repeat(MAX_PATTERN / 2);
        let name = "a/".repeat(200) + "b";
        assert!(matches(&pattern, &name));
        assert!(!matches(&(pattern + "c"), &name));
    }

    #[test]
    fn modified_utf7_round_trip() {
        let name = "Entwürfe & Pläne";
        let wire = encode(name, false);
        assert!(wire.is_ascii());
        assert_eq!(decode(wire.as_bytes(), false).as_deref(), Some(name));
        assert_eq!(encode(name, true), name);
        assert_eq!(normalize("inbox"), "INBOX");
        assert_eq!(normalize("inbox/x"), "inbox/x");
    }
}
