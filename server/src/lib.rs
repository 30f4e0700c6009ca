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
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Current time as Unix seconds, the unit every stored timestamp uses.
pub fn now_unix() -> i64 {
    chrono::Utc::now().timestamp()
}
