//! Calendar endpoints.

use gloo_net::http::Request;
use ksuite_common::{
    CalendarInfo, CreateCalendarRequest, EventDetail, EventInput, ImportReport, Occurrence,
    UpdateCalendarRequest,
};

use super::{ApiError, get_json, send_empty, send_json, with_csrf};

pub async fn calendars() -> Result<Vec<CalendarInfo>, ApiError> {
    get_json("/api/calendars").await
}

pub async fn create_calendar(req: &CreateCalendarRequest) -> Result<CalendarInfo, ApiError> {
    send_json(Request::post("/api/calendars"), req).await
}

pub async fn update_calendar(
    id: i64,
    req: &UpdateCalendarRequest,
) -> Result<CalendarInfo, ApiError> {
    send_json(Request::patch(&format!("/api/calendars/{id}")), req).await
}

pub async fn delete_calendar(id: i64) -> Result<(), ApiError> {
    send_empty(Request::delete(&format!("/api/calendars/{id}"))).await
}

/// Occurrences between two RFC 3339 instants in the given calendars.
pub async fn occurrences(
    from: &str,
    to: &str,
    calendars: &[i64],
) -> Result<Vec<Occurrence>, ApiError> {
    let ids: Vec<String> = calendars.iter().map(i64::to_string).collect();
    let url = format!(
        "/api/events?from={}&to={}&calendars={}",
        String::from(js_sys::encode_uri_component(from)),
        String::from(js_sys::encode_uri_component(to)),
        ids.join(",")
    );
    get_json(&url).await
}

fn event_path(calendar: i64, uid: &str) -> String {
    format!(
        "/api/calendars/{calendar}/events/{}",
        String::from(js_sys::encode_uri_component(uid))
    )
}

pub async fn get_event(calendar: i64, uid: &str) -> Result<EventDetail, ApiError> {
    get_json(&event_path(calendar, uid)).await
}

pub async fn create_event(calendar: i64, input: &EventInput) -> Result<EventDetail, ApiError> {
    send_json(
        Request::post(&format!("/api/calendars/{calendar}/events")),
        input,
    )
    .await
}

/// Updates the series, or one occurrence when `recurrence_id` is given.
pub async fn update_event(
    calendar: i64,
    uid: &str,
    recurrence_id: Option<&str>,
    etag: &str,
    input: &EventInput,
) -> Result<EventDetail, ApiError> {
    let mut path = event_path(calendar, uid);
    if let Some(rid) = recurrence_id {
        path = format!("{path}/occurrences/{rid}");
    }
    send_json(Request::put(&path).header("if-match", etag), input).await
}

/// Deletes the series, or one occurrence when `recurrence_id` is given.
pub async fn delete_event(
    calendar: i64,
    uid: &str,
    recurrence_id: Option<&str>,
    etag: &str,
) -> Result<(), ApiError> {
    let mut path = event_path(calendar, uid);
    if let Some(rid) = recurrence_id {
        path = format!("{path}/occurrences/{rid}");
    }
    send_empty(Request::delete(&path).header("if-match", etag)).await
}

pub async fn import(calendar: i64, ics: String) -> Result<ImportReport, ApiError> {
    let req = with_csrf(Request::post(&format!("/api/calendars/{calendar}/import")))
        .header("content-type", "text/calendar")
        .body(ics)
        .map_err(|e| ApiError::Network(e.to_string()))?;
    let resp = req
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    super::decode(resp).await
}
