//! Calendar: calendars, events stored as iCalendar objects, recurrence expansion, .ics
//! import/export and sharing.

pub mod alarms;
pub mod expand;
pub mod handlers;
pub mod ical;
pub mod store;
pub mod time;

use axum::Router;
use axum::routing::{get, post, put};

use crate::state::AppState;

/// Largest .ics file accepted for import.
pub const MAX_IMPORT_BYTES: usize = 16 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    use handlers as h;
    Router::new()
        .route(
            "/api/calendars",
            get(h::list_calendars).post(h::create_calendar),
        )
        .route(
            "/api/calendars/{id}",
            axum::routing::patch(h::update_calendar).delete(h::delete_calendar),
        )
        .route(
            "/api/calendars/{id}/shares",
            get(h::list_shares)
                .put(h::put_share)
                .delete(h::delete_share),
        )
        .route("/api/calendars/{id}/events", post(h::create_event))
        .route(
            "/api/calendars/{id}/events/{uid}",
            get(h::get_event)
                .put(h::update_event)
                .delete(h::delete_event),
        )
        .route(
            "/api/calendars/{id}/events/{uid}/reminders",
            put(h::set_reminders),
        )
        .route(
            "/api/calendars/{id}/events/{uid}/occurrences/{recurrence_id}",
            put(h::update_occurrence).delete(h::delete_occurrence),
        )
        .route(
            "/api/calendars/{id}/import",
            post(h::import).layer(axum::extract::DefaultBodyLimit::max(MAX_IMPORT_BYTES)),
        )
        .route("/api/calendars/{id}/export", get(h::export))
        .route("/api/events", get(h::list_occurrences))
}
