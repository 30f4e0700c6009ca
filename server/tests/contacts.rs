//! Contacts: address books, vCard-sourced contacts with ETags, search, groups, .vcf
//! import/export round trip, sharing, the directory and autocomplete.

mod support;

use ksuite_common::{
    AddressBookInfo, AddressBookKind, CalendarAccess, Contact, ContactImportReport, ContactSummary,
    ErrorBody, Field, Rule,
};
use reqwest::{Method, StatusCode};
use serde_json::json;
use support::{Client, TestServer, signed_in};

async fn books(c: &Client) -> Vec<AddressBookInfo> {
    c.get("/api/address-books")
        .await
        .json()
        .await
        .expect("books")
}

async fn default_book(c: &Client) -> i64 {
    books(c)
        .await
        .into_iter()
        .find(|b| b.is_default)
        .expect("default book")
        .id
}

async fn list(c: &Client, book: i64, query: &str) -> Vec<ContactSummary> {
    let resp = c
        .get(&format!("/api/address-books/{book}/contacts{query}"))
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    resp.json().await.expect("contacts")
}

async fn import(c: &Client, book: i64, vcf: &str) -> reqwest::Response {
    c.http
        .post(c.url(&format!("/api/address-books/{book}/import")))
        .header("x-csrf-token", c.csrf.clone().expect("csrf"))
        .header("content-type", "text/vcard")
        .body(vcf.to_string())
        .send()
        .await
        .expect("import")
}

async fn with_etag(
    c: &Client,
    method: Method,
    path: &str,
    etag: Option<&str>,
    body: serde_json::Value,
) -> reqwest::Response {
    let mut req = c
        .http
        .request(method, c.url(path))
        .header("x-csrf-token", c.csrf.clone().expect("csrf"))
        .json(&body);
    if let Some(e) = etag {
        req = req.header("if-match", e);
    }
    req.send().await.expect("send")
}

#[tokio::test]
async fn create_edit_and_delete_a_contact_with_etags() {
    let server = TestServer::start().await;
    let c = signed_in(&server, "a@example.org").await;
    let all = books(&c).await;
    assert!(
        all.iter()
            .any(|b| b.is_default && b.kind == AddressBookKind::Personal)
    );
    assert!(
        all.iter()
            .any(|b| b.kind == AddressBookKind::Directory && b.access == CalendarAccess::Read)
    );
    let book = default_book(&c).await;
    let resp = c
        .post(
            &format!("/api/address-books/{book}/contacts"),
            &json!({"given_name": "Ada", "family_name": "Lovelace", "organization": "Analytical Engines",
                    "emails": [{"kind": "work", "value": "ada@example.org"}], "phones": [{"kind": "cell", "value": "+44 20 7946 0000"}],
                    "addresses": [{"kind": "home", "street": "12 St James's Square", "locality": "London", "postal_code": "SW1Y", "country": "UK"}],
                    "birthday": "1815-12-10", "urls": ["https://ada.example.org"], "note": "First programmer", "groups": ["Science"]}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let etag = resp
        .headers()
        .get("etag")
        .expect("etag")
        .to_str()
        .expect("ascii")
        .to_string();
    let ada: Contact = resp.json().await.expect("contact");
    assert_eq!(ada.fields.display_name, "Ada Lovelace");
    assert_eq!(ada.fields.birthday.as_deref(), Some("1815-12-10"));
    assert_eq!(ada.fields.addresses[0].locality, "London");
    assert_eq!(ada.fields.phones[0].kind.as_deref(), Some("cell"));

    let path = format!("/api/address-books/{book}/contacts/{}", ada.uid);
    let mut changed = ada.fields.clone();
    changed.title = Some("Countess".into());
    let body = serde_json::to_value(&changed).expect("json");
    assert_eq!(
        with_etag(&c, Method::PUT, &path, None, body.clone())
            .await
            .status(),
        StatusCode::PRECONDITION_REQUIRED
    );
    let resp = with_etag(&c, Method::PUT, &path, Some(&etag), body.clone()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.json::<Contact>()
            .await
            .expect("contact")
            .fields
            .title
            .as_deref(),
        Some("Countess")
    );
    assert_eq!(
        with_etag(&c, Method::PUT, &path, Some(&etag), body)
            .await
            .status(),
        StatusCode::PRECONDITION_FAILED,
        "stale ETag"
    );

    for (bad, field, rule) in [
        (json!({}), Field::Name, Rule::Required),
        (
            json!({"given_name": "X", "emails": [{"value": "not an address"}]}),
            Field::Email,
            Rule::Invalid,
        ),
        (
            json!({"given_name": "X", "birthday": "12/10/1815"}),
            Field::Date,
            Rule::Invalid,
        ),
    ] {
        let resp = c
            .post(&format!("/api/address-books/{book}/contacts"), &bad)
            .await;
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        let refusal: ErrorBody = resp.json().await.expect("error body");
        let problem = refusal.problem.expect("a named field");
        assert_eq!((problem.field, problem.rule), (field, rule), "{bad}");
    }
    assert_eq!(
        with_etag(&c, Method::DELETE, &path, None, json!({}))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert!(list(&c, book, "").await.is_empty());
}

#[tokio::test]
async fn import_real_world_vcards_and_search_sort_filter() {
    let server = TestServer::start().await;
    let c = signed_in(&server, "b@example.org").await;
    let book = default_book(&c).await;
    let mut imported = 0;
    let mut skipped = Vec::new();
    for file in [
        include_str!("fixtures/vcf/apple.vcf"),
        include_str!("fixtures/vcf/google.vcf"),
        include_str!("fixtures/vcf/v4.vcf"),
    ] {
        let report: ContactImportReport =
            import(&c, book, file).await.json().await.expect("report");
        imported += report.imported;
        skipped.extend(report.skipped);
    }
    assert_eq!(imported, 4, "{skipped:?}");
    assert_eq!(skipped.len(), 1, "the nameless Google card: {skipped:?}");

    let by_first: Vec<String> = list(&c, book, "?sort=first_name")
        .await
        .into_iter()
        .map(|s| s.display_name)
        .collect();
    assert_eq!(
        by_first,
        vec![
            "Dr. Anna Maria Müller",
            "Bob Smith",
            "Chloé Dubois",
            "Pizzeria Roma"
        ]
    );
    let by_last: Vec<String> = list(&c, book, "?sort=last_name")
        .await
        .into_iter()
        .map(|s| s.display_name)
        .collect();
    assert_eq!(
        by_last,
        vec![
            "Chloé Dubois",
            "Dr. Anna Maria Müller",
            "Bob Smith",
            "Pizzeria Roma"
        ]
    );

    let names = |v: Vec<ContactSummary>| v.into_iter().map(|s| s.display_name).collect::<Vec<_>>();
    assert_eq!(
        names(list(&c, book, "?q=example-ag").await),
        vec!["Dr. Anna Maria Müller"],
        "by e-mail"
    );
    assert_eq!(
        names(list(&c, book, "?q=5551234567").await),
        vec!["Bob Smith"],
        "by phone digits"
    );
    assert_eq!(
        names(list(&c, book, "?q=pizzeria").await),
        vec!["Pizzeria Roma"],
        "by organization"
    );
    assert_eq!(
        names(list(&c, book, "?q=BOBBY").await),
        vec!["Bob Smith"],
        "by nickname, any case"
    );
    assert_eq!(
        names(list(&c, book, "?group=Research").await),
        vec!["Dr. Anna Maria Müller"]
    );
    let groups: Vec<String> = c
        .get(&format!("/api/address-books/{book}/groups"))
        .await
        .json()
        .await
        .expect("groups");
    assert_eq!(groups, vec!["Friends", "myContacts", "Research", "Work"]);

    let anna = list(&c, book, "?q=anna").await.remove(0);
    let full: Contact = c
        .get(&format!("/api/address-books/{book}/contacts/{}", anna.uid))
        .await
        .json()
        .await
        .expect("contact");
    assert_eq!(
        (
            full.fields.given_name.as_str(),
            full.fields.family_name.as_str(),
            full.fields.prefix.as_str()
        ),
        ("Anna", "Müller", "Dr.")
    );
    assert_eq!(full.fields.emails.len(), 2);
    assert_eq!(full.fields.addresses[0].postal_code, "8001");
    assert_eq!(full.fields.birthday.as_deref(), Some("1985-04-12"));
    let bob = list(&c, book, "?q=bob").await.remove(0);
    let bob: Contact = c
        .get(&format!("/api/address-books/{book}/contacts/{}", bob.uid))
        .await
        .json()
        .await
        .expect("contact");
    assert_eq!(
        bob.fields.birthday.as_deref(),
        Some("--06-15"),
        "a birthday without year"
    );
}

#[tokio::test]
async fn vcf_round_trip_keeps_unknown_properties() {
    let server = TestServer::start().await;
    let c = signed_in(&server, "c@example.org").await;
    let book = default_book(&c).await;
    import(&c, book, include_str!("fixtures/vcf/apple.vcf")).await;
    import(&c, book, include_str!("fixtures/vcf/v4.vcf")).await;
    // Editing through the API keeps what the editor does not know.
    assert_eq!(
        list(&c, book, "?q=MULLER").await.len(),
        1,
        "accents and case are ignored"
    );
    let chloe = list(&c, book, "?q=chloe").await.remove(0);
    let path = format!("/api/address-books/{book}/contacts/{}", chloe.uid);
    let resp = c.get(&path).await;
    let etag = resp
        .headers()
        .get("etag")
        .expect("etag")
        .to_str()
        .expect("ascii")
        .to_string();
    let mut fields = resp.json::<Contact>().await.expect("contact").fields;
    fields.note = Some("Edited".into());
    let resp = with_etag(
        &c,
        Method::PUT,
        &path,
        Some(&etag),
        serde_json::to_value(&fields).expect("json"),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);

    let export = c.get(&format!("/api/address-books/{book}/export")).await;
    assert!(
        export
            .headers()
            .get("content-type")
            .expect("type")
            .to_str()
            .expect("ascii")
            .starts_with("text/vcard")
    );
    let vcf = export.text().await.expect("vcf");
    for kept in [
        "X-SOCIALPROFILE",
        "X-ABLabel",
        "X-CUSTOM-FIELD:keep me",
        "NOTE:Edited",
        "KIND:individual",
    ] {
        // Property values such as KIND are case-insensitive; the writer may upper-case them.
        assert!(
            vcf.to_lowercase().contains(&kept.to_lowercase()),
            "{kept} lost:\n{vcf}"
        );
    }
    let resp = c.post("/api/address-books", &json!({"name": "Copy"})).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let copy: AddressBookInfo = resp.json().await.expect("book");
    let report: ContactImportReport = import(&c, copy.id, &vcf)
        .await
        .json()
        .await
        .expect("report");
    assert_eq!(
        (report.imported, report.skipped.len()),
        (3, 0),
        "{:?}",
        report.skipped
    );
    let key = |s: &ContactSummary| {
        (
            s.uid.clone(),
            s.display_name.clone(),
            s.email.clone(),
            s.phone.clone(),
            s.organization.clone(),
            s.groups.clone(),
        )
    };
    let a: Vec<_> = list(&c, book, "").await.iter().map(key).collect();
    let b: Vec<_> = list(&c, copy.id, "").await.iter().map(key).collect();
    assert_eq!(a, b);
    let resp = import(&c, copy.id, "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n").await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn sharing_directory_and_autocomplete() {
    let server = TestServer::start().await;
    let owner = signed_in(&server, "d@example.org").await;
    let friend = signed_in(&server, "e@example.org").await;
    let stranger = signed_in(&server, "f@example.org").await;
    let book = default_book(&owner).await;
    import(&owner, book, include_str!("fixtures/vcf/apple.vcf")).await;

    assert_eq!(
        stranger
            .get(&format!("/api/address-books/{book}/contacts"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        stranger
            .get(&format!("/api/address-books/{book}/export"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let resp = owner
        .send_json(
            Method::PUT,
            &format!("/api/address-books/{book}/shares"),
            &json!({"email": "e@example.org", "access": "read"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let shared = books(&friend)
        .await
        .into_iter()
        .find(|b| b.id == book)
        .expect("shared book listed");
    assert_eq!(
        (shared.kind, shared.access),
        (AddressBookKind::Shared, CalendarAccess::Read)
    );
    assert_eq!(list(&friend, book, "").await.len(), 2);
    let resp = friend
        .post(
            &format!("/api/address-books/{book}/contacts"),
            &json!({"given_name": "Intruder"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);

    // The directory lists every member; autocomplete finds contacts and members by prefix.
    let dir = list(&stranger, 0, "").await;
    assert_eq!(dir.len(), 3);
    let found: Vec<ContactSummary> = friend
        .get("/api/contacts/autocomplete?q=ann")
        .await
        .json()
        .await
        .expect("found");
    assert_eq!(
        found.first().and_then(|s| s.email.clone()).as_deref(),
        Some("anna@example.ch")
    );
    let found: Vec<ContactSummary> = stranger
        .get("/api/contacts/autocomplete?q=ann")
        .await
        .json()
        .await
        .expect("found");
    assert!(found.is_empty(), "no share, no contacts: {found:?}");
    let found: Vec<ContactSummary> = stranger
        .get("/api/contacts/autocomplete?q=d@ex")
        .await
        .json()
        .await
        .expect("found");
    assert_eq!(
        found
            .iter()
            .map(|s| s.email.clone().unwrap_or_default())
            .collect::<Vec<_>>(),
        vec!["d@example.org"]
    );

    let resp = owner
        .send_json(
            Method::DELETE,
            &format!("/api/address-books/{book}/shares?email=e@example.org"),
            &json!({}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        friend
            .get(&format!("/api/address-books/{book}/contacts"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let resp = owner
        .send_json(
            Method::DELETE,
            &format!("/api/address-books/{book}"),
            &json!({}),
        )
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::CONFLICT,
        "the default book stays"
    );
}

#[tokio::test]
async fn csv_import_from_google_and_outlook_and_round_trip() {
    let server = TestServer::start().await;
    let c = signed_in(&server, "g@example.org").await;
    let book = default_book(&c).await;
    let post_csv = |body: &'static str| {
        c.http
            .post(c.url(&format!("/api/address-books/{book}/import")))
            .header("x-csrf-token", c.csrf.clone().expect("csrf"))
            .header("content-type", "text/csv")
            .body(body)
            .send()
    };
    let resp = post_csv(include_str!("fixtures/csv/google.csv"))
        .await
        .expect("post");
    let text = resp.text().await.expect("body");
    let google: ContactImportReport =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(google.imported, 2);
    assert_eq!(
        google.skipped.len(),
        1,
        "the empty row: {:?}",
        google.skipped
    );
    let outlook: ContactImportReport = post_csv(include_str!("fixtures/csv/outlook.csv"))
        .await
        .expect("post")
        .json()
        .await
        .expect("report");
    assert_eq!(outlook.imported, 1);

    let linus = list(&c, book, "?q=torvalds").await.remove(0);
    let linus: Contact = c
        .get(&format!("/api/address-books/{book}/contacts/{}", linus.uid))
        .await
        .json()
        .await
        .expect("contact");
    assert_eq!(linus.fields.emails.len(), 2);
    assert_eq!(linus.fields.emails[0].kind.as_deref(), Some("work"));
    assert_eq!(linus.fields.phones[0].kind.as_deref(), Some("cell"));
    assert_eq!(linus.fields.addresses[0].locality, "Portland");
    assert_eq!(linus.fields.birthday.as_deref(), Some("1969-12-28"));
    assert_eq!(linus.fields.groups, vec!["Open Source"]);
    assert_eq!(linus.fields.note.as_deref(), Some("Kernel, git"));
    let tim = list(&c, book, "?q=berners").await.remove(0);
    let tim: Contact = c
        .get(&format!("/api/address-books/{book}/contacts/{}", tim.uid))
        .await
        .json()
        .await
        .expect("contact");
    assert_eq!(
        (
            tim.fields.prefix.as_str(),
            tim.fields.organization.as_deref()
        ),
        ("Sir", Some("W3C"))
    );
    assert_eq!(tim.fields.birthday.as_deref(), Some("1955-06-08"));
    assert_eq!(tim.fields.groups, vec!["Web", "Pioneers"]);
    assert_eq!(tim.fields.addresses[0].kind.as_deref(), Some("work"));

    // Export as CSV and import into another book: the same contacts come back.
    let csv = c
        .get(&format!("/api/address-books/{book}/export?format=csv"))
        .await
        .text()
        .await
        .expect("csv");
    assert!(csv.starts_with("Name,First Name"));
    let resp = c
        .post("/api/address-books", &json!({"name": "From CSV"}))
        .await;
    let other: AddressBookInfo = resp.json().await.expect("book");
    let report: ContactImportReport = c
        .http
        .post(c.url(&format!("/api/address-books/{}/import", other.id)))
        .header("x-csrf-token", c.csrf.clone().expect("csrf"))
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("report");
    assert_eq!((report.imported, report.skipped.len()), (3, 0));
    let key = |s: &ContactSummary| {
        (
            s.display_name.clone(),
            s.email.clone(),
            s.phone.clone(),
            s.organization.clone(),
            s.groups.clone(),
        )
    };
    let a: Vec<_> = list(&c, book, "").await.iter().map(key).collect();
    let b: Vec<_> = list(&c, other.id, "").await.iter().map(key).collect();
    assert_eq!(a, b);
    let resp = post_csv("just,some\nrandom,cells\n").await.expect("post");
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn merging_duplicates_keeps_every_field() {
    let server = TestServer::start().await;
    let c = signed_in(&server, "h@example.org").await;
    let book = default_book(&c).await;
    let vcf = "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:one\r\nFN:Anna Müller\r\nN:Müller;Anna;;;\r\nEMAIL:anna@example.ch\r\nTEL:+41 79 123 45 67\r\nNOTE:From the phone\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:3.0\r\nUID:two\r\nFN:A. Müller\r\nN:Müller;A.;;;\r\nEMAIL:ANNA@example.ch\r\nEMAIL;TYPE=WORK:a.mueller@example-ag.ch\r\nTEL:+41791234567\r\nORG:Example AG\r\nBDAY:1985-04-12\r\nCATEGORIES:Work\r\nNOTE:From the laptop\r\nX-SOCIALPROFILE:https://social.example/anna\r\nEND:VCARD\r\n";
    let report: ContactImportReport = import(&c, book, vcf).await.json().await.expect("report");
    assert_eq!(report.imported, 2);
    let resp = c
        .post(
            &format!("/api/address-books/{book}/contacts/one/merge"),
            &json!({"other_uid": "two"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let merged: Contact = resp.json().await.expect("contact");
    let f = &merged.fields;
    assert_eq!(f.display_name, "Anna Müller", "the primary's name wins");
    assert_eq!(
        f.emails
            .iter()
            .map(|e| e.value.as_str())
            .collect::<Vec<_>>(),
        vec!["anna@example.ch", "a.mueller@example-ag.ch"]
    );
    assert_eq!(
        f.phones.len(),
        1,
        "the same number written two ways is one number"
    );
    assert_eq!(
        (f.organization.as_deref(), f.birthday.as_deref()),
        (Some("Example AG"), Some("1985-04-12"))
    );
    assert_eq!(f.groups, vec!["Work"]);
    assert_eq!(f.note.as_deref(), Some("From the phone\nFrom the laptop"));
    assert_eq!(list(&c, book, "").await.len(), 1, "the duplicate is gone");
    let export = c
        .get(&format!("/api/address-books/{book}/export"))
        .await
        .text()
        .await
        .expect("vcf");
    assert!(
        export.contains("X-SOCIALPROFILE"),
        "unknown properties of the duplicate are kept:\n{export}"
    );
    let resp = c
        .post(
            &format!("/api/address-books/{book}/contacts/one/merge"),
            &json!({"other_uid": "one"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let resp = c
        .post(
            &format!("/api/address-books/{book}/contacts/one/merge"),
            &json!({"other_uid": "two"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn photos_are_size_limited_typed_and_served() {
    let server = TestServer::start().await;
    let c = signed_in(&server, "i@example.org").await;
    let book = default_book(&c).await;
    let resp = c
        .post(
            &format!("/api/address-books/{book}/contacts"),
            &json!({"given_name": "Pic"}),
        )
        .await;
    let etag = resp
        .headers()
        .get("etag")
        .expect("etag")
        .to_str()
        .expect("ascii")
        .to_string();
    let pic: Contact = resp.json().await.expect("contact");
    assert!(!pic.has_photo);
    let path = format!("/api/address-books/{book}/contacts/{}/photo", pic.uid);
    let put = |body: Vec<u8>, etag: &str| {
        c.http
            .put(c.url(&path))
            .header("x-csrf-token", c.csrf.clone().expect("csrf"))
            .header("if-match", etag)
            .header("content-type", "application/octet-stream")
            .body(body)
            .send()
    };
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&[0u8; 200]);
    assert_eq!(
        put(b"<html>not an image</html>".to_vec(), &etag)
            .await
            .expect("put")
            .status(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    let mut huge = png.clone();
    huge.resize(ksuite_common::MAX_PHOTO_BYTES + 10, 0);
    assert_eq!(
        put(huge, &etag).await.expect("put").status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );
    let resp = put(png.clone(), &etag).await.expect("put");
    assert_eq!(resp.status(), StatusCode::OK);
    let etag = resp
        .headers()
        .get("etag")
        .expect("etag")
        .to_str()
        .expect("ascii")
        .to_string();
    assert!(resp.json::<Contact>().await.expect("contact").has_photo);
    let got = c.get(&path).await;
    assert_eq!(
        got.headers().get("content-type").expect("type"),
        "image/png"
    );
    assert_eq!(got.bytes().await.expect("bytes").to_vec(), png);
    let export = c
        .get(&format!("/api/address-books/{book}/export"))
        .await
        .text()
        .await
        .expect("vcf");
    assert!(export.contains("PHOTO:data:image/png;base64"), "{export}");

    // A vCard 3.0 photo from an import is served too.
    let jpeg = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:jpeg-1\r\nFN:Old Phone\r\nPHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD/2wBD\r\nEND:VCARD\r\n";
    import(&c, book, jpeg).await;
    let old = c
        .get(&format!("/api/address-books/{book}/contacts/jpeg-1/photo"))
        .await;
    assert_eq!(old.status(), StatusCode::OK);
    assert_eq!(
        old.headers().get("content-type").expect("type"),
        "image/jpeg"
    );

    let resp = c
        .http
        .delete(c.url(&path))
        .header("x-csrf-token", c.csrf.clone().expect("csrf"))
        .header("if-match", &etag)
        .send()
        .await
        .expect("delete");
    assert!(!resp.json::<Contact>().await.expect("contact").has_photo);
    assert_eq!(c.get(&path).await.status(), StatusCode::NOT_FOUND);
}
