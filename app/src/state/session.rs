//! Who is signed in. Loaded once from `GET /api/session` at start; login, signup, logout and
//! profile edits update it. The last known profile is kept in localStorage so the
//! installed app still opens its shell when offline; the server stays the authority.

use ksuite_common::UserProfile;
use leptos::prelude::*;

use crate::api::{self, ApiError};
use crate::state::prefs::{Prefs, use_prefs};

const PROFILE_KEY: &str = "ksuite.profile";

#[derive(Clone, Copy)]
pub struct SessionState {
    user: RwSignal<Option<UserProfile>>,
    /// False until the first `/api/session` answered (avoids flashing the login page).
    pub loaded: RwSignal<bool>,
    /// True when the last attempt to reach the server failed (offline or server down).
    pub unreachable: RwSignal<bool>,
    prefs: Prefs,
}

impl SessionState {
    pub fn user(&self) -> Option<UserProfile> {
        self.user.get()
    }

    pub fn signed_in(&self) -> bool {
        self.user.with(Option::is_some)
    }

    /// Stores the profile and applies its display preferences.
    pub fn set_user(&self, user: Option<UserProfile>) {
        if let Some(u) = &user {
            self.prefs.set_language(u.language);
            self.prefs.theme.set(u.theme);
            self.prefs.time_zone.set(Some(u.time_zone.clone()));
        }
        remember_profile(user.as_ref());
        self.unreachable.set(false);
        self.user.set(user);
        self.loaded.set(true);
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn remember_profile(user: Option<&UserProfile>) {
    let Some(s) = storage() else { return };
    let _ = match user.and_then(|u| serde_json::to_string(u).ok()) {
        Some(json) => s.set_item(PROFILE_KEY, &json),
        None => s.remove_item(PROFILE_KEY),
    };
}

fn remembered_profile() -> Option<UserProfile> {
    let json = storage()?.get_item(PROFILE_KEY).ok()??;
    serde_json::from_str(&json).ok()
}

pub fn provide_session() {
    let state = SessionState {
        user: RwSignal::new(None),
        loaded: RwSignal::new(false),
        unreachable: RwSignal::new(false),
        prefs: use_prefs(),
    };
    provide_context(state);
    leptos::task::spawn_local(async move {
        match api::auth::current_session().await {
            Ok(info) => state.set_user(info.map(|i| i.user)),
            // Offline: open the shell with the last known profile.
            Err(ApiError::Network(_)) => {
                state.set_user(remembered_profile());
                state.unreachable.set(true);
            }
            Err(_) => state.set_user(None),
        }
    });
}

pub fn use_session() -> SessionState {
    expect_context::<SessionState>()
}
