//! ksuite server library: everything `main.rs` and the integration tests start.

pub mod auth;
pub mod blobs;
pub mod calendar;
pub mod client_ip;
pub mod clock;
pub mod collections;
pub mod config;
pub mod contacts;
pub mod cpu;
pub mod dav;
pub mod db;
pub mod error;
pub mod http_limits;
pub mod imap;
pub mod invalidations;
pub mod jobs;
pub mod links;
pub mod mail;
pub mod net;
pub mod openapi;
pub mod push;
pub mod quota;
pub mod reminders;
pub mod resource;
pub mod security;
pub mod settings;
pub mod smtp;
pub mod startup;
pub mod state;
pub mod tcp;
pub mod telemetry;
pub mod tls;
pub mod web;

/// `bytes` random bytes from the OS as lower-case hex: ids and tokens nobody can guess.
pub fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut b = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex(&b)
}

/// `bytes` as lower-case hex: random tokens, and digests used as names and keys.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// Current time as Unix seconds, the unit every stored timestamp uses.
pub fn now_unix() -> i64 {
    chrono::Utc::now().timestamp()
}

#[cfg(test)]
mod tests {
    #[test]
    fn hex_is_two_lower_case_digits_per_byte() {
        assert_eq!(super::hex(&[0x00, 0x0f, 0xa0, 0xff]), "000fa0ff");
        assert_eq!(super::hex(&[]), "");
        let token = super::random_hex(8);
        assert_eq!(token.len(), 16);
        assert!(
            token
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
    }
}
