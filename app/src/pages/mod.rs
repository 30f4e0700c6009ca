//! Thin pages, one module per feature.

pub mod auth;
pub mod calendar;
pub mod contacts;
pub mod links;
pub mod mail;
pub mod not_found;
pub mod settings;
