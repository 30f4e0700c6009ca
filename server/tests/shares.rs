//! Shares nobody asked for can be left: the receiver removes a shared calendar or address
//! book from their own list (API, or DAV DELETE of the shared collection in their home),
//! the owner's data stays, and nobody else can use this to remove anything.

mod support;

use ksuite_common::{AddressBookInfo, CalendarInfo, CalendarShare};
use reqwest::{Method, StatusCode};
use serde_json::json;
use support::{Client, Dav, PASSWORD, TestServer, signed_in};

async fn calendars(c: &Client) -> Vec<CalendarInfo> {
    c.get("/api/calendars")
        .await
        .json()
        .await
        .expect("calendars")
}

async fn books(c: &Client) -> Vec<AddressBookInfo> {
    c.get("/api/address-books")
        .await
        .json()
        .await
        .expect("books")
}

async fn share(owner: &Client, path: &str, email: &str, access: &str) {
    let r = owner
        .send_json(
            Method::PUT,
            path,
            &json!({"email": email, "access": access}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread")]
async fn receivers_can_leave_shares_and_nobody_else_can_remove_anything() {
    let server = TestServer::start().await;
    let owner = signed_in(&server, "owner@example.org").await;
    let reader = signed_in(&server, "reader@example.org").await;
    let writer = signed_in(&server, "writer@example.org").await;
    let stranger = signed_in(&server, "stranger@example.org").await;
    let anonymous = server.client();
    let cal = calendars(&owner).await[0].id;
    let book = books(&owner)
        .await
        .into_iter()
        .find(|b| b.is_default)
        .expect("book")
        .id;
    for (who, access) in [
        ("reader@example.org", "read"),
        ("writer@example.org", "read_write"),
    ] {
        share(&owner, &format!("/api/calendars/{cal}/shares"), who, access).await;
        share(
            &owner,
            &format!("/api/address-books/{book}/shares"),
            who,
            access,
        )
        .await;
    }
    let r = owner
        .post(
            &format!("/api/calendars/{cal}/events"),
            &json!({"title": "Kept", "start": "2026-07-01T19:00", "end": "2026-07-01T21:00"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);

    // Strangers and anonymous clients remove nothing.
    for path in [
        format!("/api/calendars/{cal}"),
        format!("/api/address-books/{book}"),
    ] {
        let r = stranger.send_json(Method::DELETE, &path, &json!({})).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        let r = anonymous.send_json(Method::DELETE, &path, &json!({})).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    // A grantee cannot remove another grantee through the share list.
    let r = reader
        .send_json(
            Method::DELETE,
            &format!("/api/calendars/{cal}/shares?email=writer@example.org"),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // The read-only receiver leaves both with the API.
    let r = reader
        .send_json(Method::DELETE, &format!("/api/calendars/{cal}"), &json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = reader
        .send_json(
            Method::DELETE,
            &format!("/api/address-books/{book}/shares?email=reader@example.org"),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(!calendars(&reader).await.iter().any(|c| c.id == cal));
    assert!(!books(&reader).await.iter().any(|b| b.id == book));

    // The writer leaves the calendar over CalDAV and the book over CardDAV.
    let dav = Dav::new(&server, "writer@example.org", PASSWORD);
    for path in [
        format!("/dav/calendars/writer@example.org/shared-{cal}/"),
        format!("/dav/addressbooks/writer@example.org/shared-{book}/"),
    ] {
        let r = dav.send("DELETE", &path, &[], "").await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{path}: {}", r.body);
        let r = dav.propfind(&path, "0", "<d:resourcetype/>").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path} is gone for them");
    }
    assert!(!calendars(&writer).await.iter().any(|c| c.id == cal));

    // The owner keeps everything; only the shares are gone.
    assert!(calendars(&owner).await.iter().any(|c| c.id == cal));
    let shares: Vec<CalendarShare> = owner
        .get(&format!("/api/calendars/{cal}/shares"))
        .await
        .json()
        .await
        .expect("shares");
    assert!(shares.is_empty(), "{shares:?}");
    let occ: Vec<ksuite_common::Occurrence> = owner
        .get(&format!(
            "/api/events?from=2026-07-01T00:00:00Z&to=2026-07-02T00:00:00Z&calendars={cal}"
        ))
        .await
        .json()
        .await
        .expect("events");
    assert_eq!(occ.len(), 1);
    assert!(books(&owner).await.iter().any(|b| b.id == book));
}
