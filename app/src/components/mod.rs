//! Reusable widgets.

pub mod ask;
pub mod icon;
pub mod language_select;
pub mod refusal;
pub mod share_panel;
pub mod shell;
