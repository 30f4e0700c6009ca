//! Turns `locales/*.json` into the `Key` enum and the built-in English text, and refuses
//! to build when a language misses a key, has one English does not, or changes a
//! `{placeholder}`: a translation cannot silently fall behind.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

const LANGUAGES: [&str; 6] = ["en", "fr", "de", "it", "es", "pt"];
const LOCALE_FORMAT: &str = "array-in-key-order";
/// Keys whose English text is not built into the app (it is empty there): the words of
/// a server's refusal, which English readers get whole from the server.
const SERVED_ONLY: &str = "Problem";

fn read(lang: &str) -> (String, BTreeMap<String, String>) {
    let path = Path::new("locales").join(format!("{lang}.json"));
    let raw = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let map = serde_json::from_str(&raw)
        .unwrap_or_else(|e| panic!("{} is not a JSON object of strings: {e}", path.display()));
    (raw, map)
}

fn placeholders(text: &str) -> Vec<&str> {
    let mut names: Vec<&str> = text
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect();
    names.sort_unstable();
    names
}

fn main() {
    println!("cargo:rerun-if-changed=locales");
    let (en_raw, en) = read("en");
    let mut problems = Vec::new();
    // FNV-1a over every locale file: the fetch URL carries it, so no cache keeps an old one.
    let mut version: u64 = 0xcbf2_9ce4_8422_2325;
    // The served form (tools/web-dist.mjs: a JSON array in key order) is part of the version.
    for byte in LOCALE_FORMAT.bytes().chain(en_raw.bytes()) {
        version = (version ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    for lang in &LANGUAGES[1..] {
        let (raw, other) = read(lang);
        for byte in raw.bytes() {
            version = (version ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
        for (key, english) in &en {
            match other.get(key) {
                None => problems.push(format!("{lang}.json has no \"{key}\"")),
                Some(text) if text.trim().is_empty() => {
                    problems.push(format!("{lang}.json: \"{key}\" is empty"))
                }
                Some(text) if placeholders(text) != placeholders(english) => problems.push(
                    format!("{lang}.json: \"{key}\" has other {{placeholders}} than English"),
                ),
                Some(_) => {}
            }
        }
        for key in other.keys().filter(|k| !en.contains_key(*k)) {
            problems.push(format!("{lang}.json has \"{key}\", which en.json does not"));
        }
    }
    if !problems.is_empty() {
        panic!("locales are incomplete:\n  {}", problems.join("\n  "));
    }

    let mut out = String::new();
    out.push_str(
        "/// One interface string. English is built in; other languages load on demand.\n",
    );
    out.push_str("#[derive(Clone, Copy, Debug, PartialEq, Eq)]\npub enum Key {\n");
    for key in en.keys() {
        let _ = writeln!(out, "    {key},");
    }
    out.push_str("}\n\nimpl Key {\n    /// Every key, in the order of the loaded tables.\n");
    let _ = writeln!(out, "    pub const ALL: [Key; {}] = [", en.len());
    for key in en.keys() {
        let _ = writeln!(out, "        Key::{key},");
    }
    out.push_str("    ];\n\n    /// The key's name in the locale files (tests only: the app loads arrays).\n");
    out.push_str(
        "    #[cfg(test)]\n    pub const fn name(self) -> &'static str {\n        match self {\n",
    );
    for key in en.keys() {
        let _ = writeln!(out, "            Key::{key} => {key:?},");
    }
    out.push_str("        }\n    }\n}\n\n");
    // A table, not a `match`: LLVM turned the match into a jump table of code (10 KB more
    // wasm) once some of its arms were empty.
    out.push_str("/// The English text, built into the app, in [`Key::ALL`] order.\n");
    let _ = writeln!(out, "static ENGLISH: [&str; {}] = [", en.len());
    for (key, text) in &en {
        // English readers get the server's own message for a refused input, which says more;
        // these texts only translate it, so English need not be built in.
        let text = if key.starts_with(SERVED_ONLY) {
            ""
        } else {
            text
        };
        let _ = writeln!(out, "    {text:?},");
    }
    out.push_str("];\n\nfn english(key: Key) -> &'static str {\n    ENGLISH[key as usize]\n}\n\n");
    out.push_str("/// Changes with any locale file; part of each locale's URL.\n");
    let _ = writeln!(out, "pub const LOCALES_VERSION: &str = \"{version:016x}\";");

    let dest = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("keys.rs");
    std::fs::write(&dest, out).unwrap_or_else(|e| panic!("cannot write {}: {e}", dest.display()));
}
