//! Rules for target URLs and slugs: only web URLs, no credentials, never this server's
//! own short links (no loops, no open-redirect chains); slugs short, readable, unique.

use ksuite_common::{Field, MAX_SLUG_LEN, MAX_URL_LEN, MIN_SLUG_LEN, Problem, Rule};
use rand::Rng;
use url::Url;

use crate::error::ApiError;

/// Where short links live: the host (with port) and path prefix of the short URLs.
#[derive(Clone, Debug)]
pub struct ShortBase {
    /// e.g. `https://chk.me` or `http://127.0.0.1:8080/l` (no trailing slash).
    pub base: String,
    /// `host[:port]`, lower-case.
    pub authority: String,
    /// Path prefix before the slug: `/` on a dedicated short host, `/l/` otherwise.
    pub prefix: String,
}

impl ShortBase {
    pub fn parse(base: &str) -> anyhow::Result<ShortBase> {
        let url = Url::parse(base)?;
        let host = url
            .host_str()
            .ok_or_else(|| anyhow::anyhow!("short URL base {base} has no host"))?;
        let authority = match url.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.to_string(),
        }
        .to_ascii_lowercase();
        let path = url.path().trim_end_matches('/');
        Ok(ShortBase {
            base: format!("{}://{}{}", url.scheme(), authority, path),
            authority,
            prefix: format!("{path}/"),
        })
    }

    pub fn short_url(&self, slug: &str) -> String {
        format!("{}/{}", self.base, slug)
    }

    /// True when `url` points at a short link of this server.
    fn covers(&self, url: &Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        let authority = match url.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.to_string(),
        };
        authority.eq_ignore_ascii_case(&self.authority) && url.path().starts_with(&self.prefix)
    }
}

/// Checks a target URL; returns it normalized (as the URL parser writes it).
pub fn target_url(raw: &str, short: &ShortBase) -> Result<String, ApiError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(ApiError::invalid(
            Problem::new(Field::WebAddress, Rule::Required),
            "Enter the address to shorten.",
        ));
    }
    if raw.len() > MAX_URL_LEN {
        return Err(ApiError::invalid(
            Problem::too_long(Field::WebAddress, MAX_URL_LEN),
            format!("The address is too long (at most {MAX_URL_LEN} characters)."),
        ));
    }
    let url = Url::parse(raw).map_err(|_| {
        ApiError::invalid(
            Problem::new(Field::WebAddress, Rule::Invalid),
            "This is not a valid web address. It must start with http:// or https://.",
        )
    })?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(ApiError::invalid(
            Problem::new(Field::WebAddress, Rule::Invalid),
            "Only http:// and https:// addresses can be shortened.",
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(ApiError::invalid(
            Problem::new(Field::WebAddress, Rule::Invalid),
            "The address has no host name.",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ApiError::invalid(
            Problem::new(Field::WebAddress, Rule::Invalid),
            "Addresses with a user name or password in them cannot be shortened.",
        ));
    }
    if short.covers(&url) {
        return Err(ApiError::invalid(
            Problem::new(Field::WebAddress, Rule::NotPossible),
            "This address is already a short link of this server.",
        ));
    }
    let normalized = url.to_string();
    if normalized.len() > MAX_URL_LEN {
        return Err(ApiError::invalid(
            Problem::too_long(Field::WebAddress, MAX_URL_LEN),
            format!("The address is too long (at most {MAX_URL_LEN} characters)."),
        ));
    }
    Ok(normalized)
}

/// Words that would clash with the app's own paths or mislead visitors.
const RESERVED: &[&str] = &[
    "about",
    "account",
    "admin",
    "api",
    "app",
    "assets",
    "auth",
    "calendar",
    "contacts",
    "dav",
    "favicon.ico",
    "health",
    "help",
    "icons",
    "index",
    "l",
    "links",
    "login",
    "logout",
    "mail",
    "manifest",
    "robots",
    "root",
    "settings",
    "signup",
    "static",
    "support",
    "sw",
    "well-known",
    "www",
];

/// Checks a custom slug; returns it lower-cased.
pub fn custom_slug(raw: &str) -> Result<String, ApiError> {
    let slug = raw.trim().to_ascii_lowercase();
    let len = slug.chars().count();
    if !(MIN_SLUG_LEN..=MAX_SLUG_LEN).contains(&len) {
        return Err(ApiError::invalid(
            Problem::length_between(Field::ShortName, MIN_SLUG_LEN, MAX_SLUG_LEN),
            format!("A custom short name needs {MIN_SLUG_LEN} to {MAX_SLUG_LEN} characters."),
        ));
    }
    if !slug
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    {
        return Err(ApiError::invalid(
            Problem::new(Field::ShortName, Rule::Invalid),
            "A custom short name may only use letters a-z, digits, - and _.",
        ));
    }
    if slug.starts_with(['-', '_']) || slug.ends_with(['-', '_']) {
        return Err(ApiError::invalid(
            Problem::new(Field::ShortName, Rule::Invalid),
            "A custom short name cannot start or end with - or _.",
        ));
    }
    if RESERVED.contains(&slug.as_str()) {
        return Err(ApiError::invalid(
            Problem::new(Field::ShortName, Rule::Reserved),
            format!("The short name \"{slug}\" is reserved. Choose another one."),
        ));
    }
    Ok(slug)
}

/// Lower-case letters and digits without the look-alikes 0/o, 1/l/i.
const SLUG_ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
pub const AUTO_SLUG_LEN: usize = 7;

/// A random slug: 31^7 ≈ 2.7 × 10^10 possibilities, so guessing live links is impractical.
pub fn random_slug() -> String {
    let mut rng = rand::rngs::OsRng;
    (0..AUTO_SLUG_LEN)
        .map(|_| SLUG_ALPHABET[rng.gen_range(0..SLUG_ALPHABET.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> ShortBase {
        ShortBase::parse("http://127.0.0.1:8080/l").expect("base")
    }

    #[test]
    fn accepts_web_urls_and_refuses_others() {
        let b = base();
        assert_eq!(
            target_url(" https://example.org/a?b=c ", &b)
                .ok()
                .as_deref(),
            Some("https://example.org/a?b=c")
        );
        for bad in [
            "javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "ftp://example.org/file",
            "file:///etc/passwd",
            "mailto:a@b.c",
            "example.org",
            "https://user:pw@example.org/",
            "http://127.0.0.1:8080/l/abc",
            "HTTP://127.0.0.1:8080/l/abc",
            "",
        ] {
            assert!(target_url(bad, &b).is_err(), "{bad} must be refused");
        }
        // The app itself is a fine target; only its short links are not.
        assert!(target_url("http://127.0.0.1:8080/calendar", &b).is_ok());
        let long = format!("https://example.org/{}", "a".repeat(MAX_URL_LEN));
        assert!(target_url(&long, &b).is_err());
    }

    #[test]
    fn dedicated_short_host_is_refused_entirely() {
        let b = ShortBase::parse("https://chk.me").expect("base");
        assert_eq!(b.prefix, "/");
        assert_eq!(b.short_url("abc"), "https://chk.me/abc");
        assert!(target_url("https://CHK.me/abc", &b).is_err());
        assert!(target_url("https://chk.me.example.org/abc", &b).is_ok());
    }

    #[test]
    fn slugs() {
        assert_eq!(custom_slug(" My-Link ").ok().as_deref(), Some("my-link"));
        for bad in [
            "ab",
            "api",
            "Login",
            "a b c",
            "-abc",
            "abc_",
            "ünï",
            &"x".repeat(65),
        ] {
            assert!(custom_slug(bad).is_err(), "{bad} must be refused");
        }
        let s = random_slug();
        assert_eq!(s.len(), AUTO_SLUG_LEN);
        assert!(s.bytes().all(|b| SLUG_ALPHABET.contains(&b)));
        assert!(
            custom_slug(&s).is_ok(),
            "random slugs pass the custom rules"
        );
    }
}
