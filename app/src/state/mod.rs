//! Typed context pairs (`provide_*` / `use_*`). The URL is the main global state; these
//! hold only what every page needs: who is signed in and the display preferences.
//! `in_flight` is the one piece of per-form state several pages share.

pub mod in_flight;
pub mod prefs;
pub mod query;
pub mod session;
