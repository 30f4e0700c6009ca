//! Line icons drawn inline (no icon font, works offline).

use leptos::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Icon {
    Mail,
    Calendar,
    Contacts,
    Links,
    Settings,
    LogOut,
}

impl Icon {
    fn path(self) -> &'static str {
        match self {
            Icon::Mail => "M3 5h18v14H3z M3 6l9 7 9-7",
            Icon::Calendar => "M4 5h16v15H4z M4 10h16 M8 3v4 M16 3v4",
            Icon::Contacts => "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8z M4 21c0-4 4-6 8-6s8 2 8 6",
            Icon::Links => {
                "M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1 M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1"
            }
            Icon::Settings => {
                "M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z M12 2v3 M12 19v3 M2 12h3 M19 12h3 M4.9 4.9L7 7 M17 17l2.1 2.1 M4.9 19.1L7 17 M17 7l2.1-2.1"
            }
            Icon::LogOut => "M15 4h4v16h-4 M10 8l-4 4 4 4 M6 12h11",
        }
    }
}

#[component]
pub fn IconSvg(icon: Icon) -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false">
            <path d=icon.path() fill="none" stroke="currentColor" stroke-width="1.8"
                  stroke-linecap="round" stroke-linejoin="round" />
        </svg>
    }
}
