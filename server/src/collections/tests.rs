//! Writes are scoped by access in their own SQL: a grant learnt before a share changed,
//! or one claimed without being learnt, cannot write past what the database says now.

use axum::http::StatusCode;
use ksuite_common::CalendarAccess;

use super::{Grant, Kind, shares, store};
use crate::calendar::store::{EventIndex, insert_event};
use crate::contacts::store::{ContactIndex, insert_contact};
use crate::db::Db;

async fn database() -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("k.db").display());
    let db = crate::db::connect(&url).await.expect("database");
    for (id, email) in [(1, "owner@example.org"), (2, "friend@example.org")] {
        crate::on_db!(&db, |dbc| sqlx::query(
            "INSERT INTO users (id, email, display_name, password_hash, created_at) VALUES ($1, $2, $3, '', 0)",
        )
        .bind(id)
        .bind(email)
        .bind(email)
        .execute(dbc).await.map(crate::db::Done::from))
        .expect("user");
    }
    (dir, db)
}

async fn calendar(db: &Db, is_default: bool) -> i64 {
    let mut conn = db.acquire().await.expect("connection");
    crate::calendar::store::create_calendar(&mut conn, 1, "Work", "#2454d6", is_default)
        .await
        .expect("calendar")
}

async fn count(db: &Db, sql: &str) -> i64 {
    crate::on_db!(db, |dbc| sqlx::query_scalar(sql).fetch_one(dbc).await).expect("count")
}

const OWNER: i64 = 1;
const FRIEND: i64 = 2;

fn event_index() -> EventIndex {
    EventIndex {
        start_utc: 0,
        end_utc: None,
        recurring: false,
        component: "VEVENT",
    }
}

#[tokio::test]
async fn a_revoked_share_cannot_be_written_through() {
    let (_dir, db) = database().await;
    let cal = calendar(&db, false).await;
    let owner = Grant::of(&db, Kind::Calendar, OWNER, cal)
        .await
        .expect("owner");
    shares::grant(&db, &owner, FRIEND, CalendarAccess::ReadWrite)
        .await
        .expect("share");
    let friend = Grant::of(&db, Kind::Calendar, FRIEND, cal)
        .await
        .expect("friend")
        .writable()
        .expect("writer");
    let ctag = count(&db, "SELECT ctag FROM calendars").await;
    // The share goes between the friend's check and their write.
    shares::revoke(&db, &owner, FRIEND).await.expect("revoke");
    let err = insert_event(
        &db,
        &friend,
        "a",
        "a.ics",
        "BEGIN:VCALENDAR",
        &event_index(),
    )
    .await
    .expect_err("a revoked grant must not write");
    assert_eq!(err.status, StatusCode::NOT_FOUND);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM events").await, 0);
    assert_eq!(count(&db, "SELECT ctag FROM calendars").await, ctag);
    // The owner still writes.
    let written = insert_event(&db, &owner, "a", "a.ics", "BEGIN:VCALENDAR", &event_index())
        .await
        .expect("owner writes");
    assert!(written.is_some());
}

#[tokio::test]
async fn a_share_made_read_only_cannot_be_written_through() {
    let (_dir, db) = database().await;
    let mut conn = db.acquire().await.expect("connection");
    let book = crate::contacts::store::create_book(&mut conn, OWNER, "Team", false)
        .await
        .expect("book");
    drop(conn);
    let owner = Grant::of(&db, Kind::AddressBook, OWNER, book)
        .await
        .expect("owner");
    shares::grant(&db, &owner, FRIEND, CalendarAccess::ReadWrite)
        .await
        .expect("share");
    let friend = Grant::of(&db, Kind::AddressBook, FRIEND, book)
        .await
        .expect("friend");
    assert_eq!(friend.access(), CalendarAccess::ReadWrite);
    shares::grant(&db, &owner, FRIEND, CalendarAccess::Read)
        .await
        .expect("downgrade");
    let idx = ContactIndex {
        display_name: "Ann".into(),
        given_name: "Ann".into(),
        family_name: String::new(),
        email: None,
        phone: None,
        organization: None,
        groups: String::new(),
        search: "ann".into(),
    };
    let err = insert_contact(&db, &friend, "c", "c.vcf", "BEGIN:VCARD", &idx)
        .await
        .expect_err("a read-only share must not write");
    assert_eq!(err.status, StatusCode::FORBIDDEN);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM contacts").await, 0);
    // Learnt again, the grant says read-only and refuses before any SQL.
    let again = Grant::of(&db, Kind::AddressBook, FRIEND, book)
        .await
        .expect("friend");
    assert_eq!(
        again.writable().expect_err("read-only").status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn owner_only_statements_refuse_a_claimed_ownership() {
    let (_dir, db) = database().await;
    let cal = calendar(&db, false).await;
    let owner = Grant::of(&db, Kind::Calendar, OWNER, cal)
        .await
        .expect("owner");
    shares::grant(&db, &owner, FRIEND, CalendarAccess::ReadWrite)
        .await
        .expect("share");
    // A grant that claims ownership it does not have, as a bug elsewhere might make.
    let claimed = Grant::resolved(Kind::Calendar, cal, FRIEND, CalendarAccess::Owner);
    assert_eq!(
        shares::grant(&db, &claimed, 99, CalendarAccess::Read)
            .await
            .expect_err("not the owner")
            .status,
        StatusCode::FORBIDDEN
    );
    assert!(
        store::update_owned(&db, &claimed, Some("Mine now"), None)
            .await
            .is_err()
    );
    assert!(!store::delete_owned(&db, &claimed).await.expect("delete"));
    shares::revoke(&db, &claimed, FRIEND).await.expect("revoke");
    assert!(shares::list(&db, &claimed).await.expect("list").is_empty());
    // Nothing changed: the calendar, its name and the friend's share are all there.
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM calendars WHERE name = 'Work'").await,
        1
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM calendar_shares").await, 1);
    assert_eq!(shares::list(&db, &owner).await.expect("list").len(), 1);
}

#[tokio::test]
async fn the_default_collection_is_never_deleted() {
    let (_dir, db) = database().await;
    let default = calendar(&db, true).await;
    let other = calendar(&db, false).await;
    let grant = |id| Grant::resolved(Kind::Calendar, id, OWNER, CalendarAccess::Owner);
    assert!(
        !store::delete_owned(&db, &grant(default))
            .await
            .expect("delete")
    );
    assert!(
        store::delete_owned(&db, &grant(other))
            .await
            .expect("delete")
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM calendars").await, 1);
}
