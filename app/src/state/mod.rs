//! Typed context pairs (`provide_*` / `use_*`). The URL is the main global state; these
//! hold only what every page needs: who is signed in and the display preferences.

pub mod prefs;
pub mod query;
pub mod session;
