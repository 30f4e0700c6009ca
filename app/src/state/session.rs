//! Who is signed in. Loaded once from `GET /api/me` at start; login, signup, logout and
//! profile edits update it.

use ksuite_common::UserProfile;
use leptos::prelude::*;

use crate::api;
use crate::state::prefs::{Prefs, use_prefs};

#[derive(Clone, Copy)]
pub struct SessionState {
    user: RwSignal<Option<UserProfile>>,
    /// False until the first `/api/me` answered (avoids flashing the login page).
    pub loaded: RwSignal<bool>,
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
            self.prefs.lang.set(u.language);
            self.prefs.theme.set(u.theme);
        }
        self.user.set(user);
        self.loaded.set(true);
    }
}

pub fn provide_session() {
    let state = SessionState { user: RwSignal::new(None), loaded: RwSignal::new(false), prefs: use_prefs() };
    provide_context(state);
    leptos::task::spawn_local(async move {
        let user = api::auth::me().await.ok().map(|info| info.user);
        state.set_user(user);
    });
}

pub fn use_session() -> SessionState {
    expect_context::<SessionState>()
}
