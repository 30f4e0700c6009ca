//! A write on its way: its button is disabled and a second submit is refused until the
//! answer arrives, so a double click sends one request. A flag rather than a Leptos
//! `Action` where only that is needed: each Action type costs 1.5–5 KB gzip of wasm.

use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct InFlight(RwSignal<bool>);

impl Default for InFlight {
    fn default() -> Self {
        Self::new()
    }
}

impl InFlight {
    pub fn new() -> Self {
        Self(RwSignal::new(false))
    }

    /// Starts a write; false (do nothing) while another is on its way.
    pub fn begin(self) -> bool {
        if self.0.get_untracked() {
            return false;
        }
        self.0.set(true);
        true
    }

    /// The answer arrived (whatever it was).
    pub fn end(self) {
        self.0.set(false);
    }

    /// Whether a write is on its way (tracked: for `disabled=`).
    pub fn pending(self) -> bool {
        self.0.get()
    }
}
