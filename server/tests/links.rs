//! chk.me short links: creation rules, redirects, expiry, quota, protection, counts, QR.

mod support;

use ksuite_common::{
    ErrorBody, ErrorCode, Field, Link, LinkList, LinkQuota, LinkStats, Problem, Rule, paths,
};
use reqwest::{Method, StatusCode};
use serde_json::json;
use support::{Client, TestServer, signed_in};

async fn create(c: &Client, body: serde_json::Value) -> Link {
    let resp = c.post(paths::LINKS, &body).await;
    assert_eq!(resp.status(), StatusCode::CREATED, "create {body}");
    resp.json().await.expect("link")
}

async fn refused(c: &Client, body: serde_json::Value) -> (StatusCode, ErrorCode) {
    let (status, body) = refusal(c, body).await;
    (status, body.code)
}

async fn refusal(c: &Client, body: serde_json::Value) -> (StatusCode, ErrorBody) {
    let resp = c.post(paths::LINKS, &body).await;
    let status = resp.status();
    (status, resp.json::<ErrorBody>().await.expect("error"))
}

/// The field and rule the app translates a refusal from.
fn problem_of(body: &ErrorBody) -> (Field, Rule, Option<u32>) {
    let p: Problem = body.problem.expect("a refusal names its field");
    (p.field, p.rule, p.max)
}

/// Follows a short link without following the redirect.
async fn visit(c: &Client, short_url: &str) -> reqwest::Response {
    c.http.get(short_url).send().await.expect("visit")
}

fn location(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("location")
        .expect("location")
        .to_str()
        .expect("ascii")
        .to_string()
}

#[tokio::test]
async fn create_and_follow_an_automatic_slug() {
    let server = TestServer::start().await;
    let c = signed_in(&server, "a@example.org").await;
    let link = create(
        &c,
        json!({"url": "https://example.org/page?x=1#top", "validity": "days30"}),
    )
    .await;
    assert_eq!(link.slug.len(), 7);
    assert!(
        link.slug
            .bytes()
            .all(|b| b"23456789abcdefghjkmnpqrstuvwxyz".contains(&b)),
        "{}",
        link.slug
    );
    assert_eq!(link.short_url, server.url(&format!("/l/{}", link.slug)));
    // The first visit loads the link, the next ones are answered from the cache before
    // the router: the same answer both ways, telling the target nothing of the referrer.
    for _ in 0..2 {
        let resp = visit(&c, &link.short_url).await;
        assert_eq!(resp.status(), StatusCode::FOUND);
        assert_eq!(location(&resp), "https://example.org/page?x=1#top");
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        assert_eq!(header("referrer-policy").as_deref(), Some("no-referrer"));
        assert_eq!(
            header("cache-control").as_deref(),
            Some("private, no-cache")
        );
        assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"));
    }
    // Slugs are case-insensitive.
    let resp = visit(&c, &server.url(&format!("/l/{}", link.slug.to_uppercase()))).await;
    assert_eq!(resp.status(), StatusCode::FOUND);
    // Validity: 30 days from now.
    let expires = link.expires_at.expect("expires");
    assert!((expires - link.created_at - 30 * 86400).abs() <= 1);
}

#[tokio::test]
async fn open_redirect_and_bad_urls_are_refused() {
    let server = TestServer::start().await;
    let c = signed_in(&server, "b@example.org").await;
    let own = server.url("/l/abcdefg");
    let long = format!("https://example.org/{}", "a".repeat(2100));
    for url in [
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox",
        "file:///etc/passwd",
        "ftp://example.org/",
        "//example.org/no-scheme",
        "not a url",
        "https://user:secret@example.org/",
        own.as_str(),
        long.as_str(),
        "",
    ] {
        let (status, body) = refusal(&c, json!({"url": url})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}");
        assert_eq!(body.code, ErrorCode::Validation, "{url}");
        let (field, rule, limit) = problem_of(&body);
        assert_eq!(field, Field::WebAddress, "{url}");
        let expected = match url {
            "" => (Rule::Required, None),
            u if u == long => (Rule::TooLong, Some(2048)),
            u if u == own => (Rule::NotPossible, None),
            _ => (Rule::Invalid, None),
        };
        assert_eq!((rule, limit), expected, "{url}");
    }
    let list: LinkList = c.get(paths::LINKS).await.json().await.expect("list");
    assert_eq!(list.total, 0, "nothing was created");
    let quota: LinkQuota = c.get(paths::LINK_QUOTA).await.json().await.expect("quota");
    assert_eq!(quota.used, 0, "refusals do not use quota");
}

#[tokio::test]
async fn custom_slugs_are_validated_and_unique() {
    let server = TestServer::start().await;
    let c = signed_in(&server, "c@example.org").await;
    let link = create(
        &c,
        json!({"url": "https://example.org/", "slug": "My-Event_2026"}),
    )
    .await;
    assert_eq!(link.slug, "my-event_2026");
    let (status, body) = refusal(
        &c,
        json!({"url": "https://example.org/2", "slug": "MY-EVENT_2026"}),
    )
    .await;
    assert_eq!(
        (status, body.code),
        (StatusCode::CONFLICT, ErrorCode::Conflict)
    );
    assert_eq!(problem_of(&body), (Field::ShortName, Rule::Taken, None));
    for (bad, rule) in [
        ("api", Rule::Reserved),
        ("login", Rule::Reserved),
        ("ab", Rule::Length),
        ("with space", Rule::Invalid),
        ("émoji", Rule::Invalid),
        ("-dash", Rule::Invalid),
        ("<script>", Rule::Invalid),
    ] {
        let (status, body) = refusal(&c, json!({"url": "https://example.org/", "slug": bad})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        let (field, got, _) = problem_of(&body);
        assert_eq!((field, got), (Field::ShortName, rule), "{bad}");
    }
    // Another user cannot take the same slug either.
    let d = signed_in(&server, "d@example.org").await;
    let (status, _) = refused(
        &d,
        json!({"url": "https://example.org/", "slug": "my-event_2026"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn validity_choices_and_expired_links() {
    let server = TestServer::start().await;
    let c = signed_in(&server, "e@example.org").await;
    for (validity, days) in [
        ("days7", Some(7)),
        ("days30", Some(30)),
        ("months6", Some(182)),
        ("year1", Some(365)),
        ("lifetime", None),
    ] {
        let link = create(
            &c,
            json!({"url": "https://example.org/", "validity": validity}),
        )
        .await;
        match days {
            Some(d) => assert!(
                (link.expires_at.expect("expiry") - link.created_at - d * 86400).abs() <= 1,
                "{validity}"
            ),
            None => assert_eq!(link.expires_at, None),
        }
    }
    let (status, _) = refused(
        &c,
        json!({"url": "https://example.org/", "validity": "forever"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let link = create(
        &c,
        json!({"url": "https://example.org/old", "slug": "old-news", "validity": "days7"}),
    )
    .await;
    server
        .sql(&format!(
            "UPDATE links SET expires_at = {} WHERE id = {}",
            link.created_at - 1,
            link.id
        ))
        .await;
    let resp = visit(&c, &link.short_url).await;
    assert_eq!(resp.status(), StatusCode::GONE);
    assert!(resp.headers().get("location").is_none(), "never a redirect");
    assert!(resp.text().await.expect("page").contains("expired"));

    let resp = visit(&c, &server.url("/l/no-such-link")).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn edit_disable_enable_delete_take_effect_at_once() {
    let server = TestServer::start().await;
    let c = signed_in(&server, "f@example.org").await;
    let link = create(&c, json!({"url": "https://example.org/one"})).await;
    assert_eq!(
        location(&visit(&c, &link.short_url).await),
        "https://example.org/one"
    ); // now cached

    let resp = c
        .send_json(
            Method::PATCH,
            &paths::link(link.id),
            &json!({"url": "https://example.org/two"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        location(&visit(&c, &link.short_url).await),
        "https://example.org/two"
    );

    let resp = c
        .send_json(
            Method::PATCH,
            &paths::link(link.id),
            &json!({"url": "javascript:alert(1)"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        location(&visit(&c, &link.short_url).await),
        "https://example.org/two",
        "refused edit changed nothing"
    );

    let resp = c
        .send_json(
            Method::PATCH,
            &paths::link(link.id),
            &json!({"enabled": false}),
        )
        .await;
    assert!(!resp.json::<Link>().await.expect("link").enabled);
    let resp = visit(&c, &link.short_url).await;
    assert_eq!(resp.status(), StatusCode::GONE);
    assert!(resp.text().await.expect("page").contains("disabled"));

    let resp = c
        .send_json(
            Method::PATCH,
            &paths::link(link.id),
            &json!({"enabled": true}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(visit(&c, &link.short_url).await.status(), StatusCode::FOUND);

    let resp = c
        .send_json(Method::DELETE, &paths::link(link.id), &json!({}))
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        visit(&c, &link.short_url).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.get(&paths::link(link.id)).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn monthly_quota_holds_under_concurrent_creation() {
    let server = TestServer::start().await;
    let c = signed_in(&server, "g@example.org").await;
    let quota: LinkQuota = c.get(paths::LINK_QUOTA).await.json().await.expect("quota");
    assert_eq!((quota.limit, quota.used, quota.remaining), (50, 0, 50));

    let attempts = (0..70).map(|i| {
        let c = &c;
        async move {
            c.post(
                paths::LINKS,
                &json!({"url": format!("https://example.org/{i}")}),
            )
            .await
            .status()
        }
    });
    let statuses = futures::future::join_all(attempts).await;
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let refused_n = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((created, refused_n), (50, 20), "{statuses:?}");

    let (status, code) = refused(&c, json!({"url": "https://example.org/more"})).await;
    assert_eq!(
        (status, code),
        (StatusCode::TOO_MANY_REQUESTS, ErrorCode::QuotaExceeded)
    );
    let list: LinkList = c.get(paths::LINKS).await.json().await.expect("list");
    assert_eq!(list.total, 50);

    // Deleting does not give quota back.
    let resp = c
        .send_json(Method::DELETE, &paths::link(list.items[0].id), &json!({}))
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let quota: LinkQuota = c.get(paths::LINK_QUOTA).await.json().await.expect("quota");
    assert_eq!((quota.used, quota.remaining), (50, 0));

    // A bigger plan raises the limit.
    server
        .sql("UPDATE users SET plan = 'business' WHERE email = 'g@example.org'")
        .await;
    let quota: LinkQuota = c.get(paths::LINK_QUOTA).await.json().await.expect("quota");
    assert_eq!((quota.limit, quota.remaining), (200, 150));
    create(&c, json!({"url": "https://example.org/after-upgrade"})).await;
}

#[tokio::test]
async fn password_protected_links_ask_first() {
    let server = TestServer::start().await;
    let c = signed_in(&server, "h@example.org").await;
    let link = create(
        &c,
        json!({"url": "https://example.org/secret", "password": "open sesame"}),
    )
    .await;
    assert!(link.has_password);
    let resp = visit(&c, &link.short_url).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers().get("location").is_none());
    assert_eq!(
        resp.headers().get("cache-control").expect("cache-control"),
        "no-store"
    );
    assert!(resp.text().await.expect("form").contains("type=password"));

    let form = |pw: &'static str| {
        c.http
            .post(&link.short_url)
            .form(&[("password", pw)])
            .send()
    };
    let resp = form("wrong").await.expect("post");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert!(resp.text().await.expect("page").contains("Wrong password"));
    let resp = form("open sesame").await.expect("post");
    assert_eq!(resp.status(), StatusCode::FOUND);
    assert_eq!(location(&resp), "https://example.org/secret");

    // Removing the password opens the link.
    let resp = c
        .send_json(
            Method::PATCH,
            &paths::link(link.id),
            &json!({"clear_password": true}),
        )
        .await;
    assert!(!resp.json::<Link>().await.expect("link").has_password);
    assert_eq!(visit(&c, &link.short_url).await.status(), StatusCode::FOUND);
}

#[tokio::test]
async fn password_guesses_are_counted_per_link_whatever_the_case_of_the_slug() {
    let server = TestServer::start().await;
    let c = signed_in(&server, "g@example.org").await;
    let link = create(
        &c,
        json!({"url": "https://example.org/vault", "password": "right one", "slug": "vault-door"}),
    )
    .await;
    let base = link.short_url.trim_end_matches("vault-door").to_string();
    let post = |slug: String, pw: &'static str| {
        c.http
            .post(format!("{base}{slug}"))
            .form(&[("password", pw)])
            .send()
    };
    // Five wrong guesses, each with the slug's letters in another case.
    for slug in [
        "vault-door",
        "VAULT-DOOR",
        "Vault-Door",
        "vAULT-dOOR",
        "VaUlT-DoOr",
    ] {
        let r = post(slug.into(), "wrong").await.expect("post");
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{slug}");
    }
    // The sixth, even right and in yet another case, waits.
    let r = post("vault-DOOR".into(), "right one").await.expect("post");
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn max_visits_and_visit_counts() {
    let server = TestServer::start().await;
    let c = signed_in(&server, "i@example.org").await;
    let link = create(
        &c,
        json!({"url": "https://example.org/limited", "max_visits": 2}),
    )
    .await;
    assert_eq!(visit(&c, &link.short_url).await.status(), StatusCode::FOUND);
    assert_eq!(visit(&c, &link.short_url).await.status(), StatusCode::FOUND);
    let resp = visit(&c, &link.short_url).await;
    assert_eq!(resp.status(), StatusCode::GONE);
    assert!(
        resp.text()
            .await
            .expect("page")
            .contains("maximum number of visits")
    );
    let (status, _) = refused(&c, json!({"url": "https://example.org/", "max_visits": 0})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let open = create(&c, json!({"url": "https://example.org/open"})).await;
    for _ in 0..3 {
        assert_eq!(visit(&c, &open.short_url).await.status(), StatusCode::FOUND);
    }
    let stats: LinkStats = c
        .get(&paths::link_stats(open.id))
        .await
        .json()
        .await
        .expect("stats");
    assert_eq!(stats.total, 3);
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert_eq!(stats.per_day.len(), 1);
    assert_eq!(
        (stats.per_day[0].day.as_str(), stats.per_day[0].visits),
        (today.as_str(), 3)
    );
    let got: Link = c
        .get(&paths::link(open.id))
        .await
        .json()
        .await
        .expect("link");
    assert_eq!(got.visits, 3);
    let limited: Link = c
        .get(&paths::link(link.id))
        .await
        .json()
        .await
        .expect("link");
    assert_eq!(limited.visits, 2, "refused visits are not counted");
}

#[tokio::test]
async fn qr_codes_encode_the_short_url() {
    let server = TestServer::start().await;
    let c = signed_in(&server, "j@example.org").await;
    let link = create(&c, json!({"url": "https://example.org/qr"})).await;

    let resp = c.get(&paths::link_qr(link.id, "svg")).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers().get("content-type").expect("type"),
        "image/svg+xml"
    );
    assert!(resp.text().await.expect("svg").contains("<svg"));

    let resp = c.get(&paths::link_qr(link.id, "png")).await;
    assert_eq!(
        resp.headers().get("content-type").expect("type"),
        "image/png"
    );
    let bytes = resp.bytes().await.expect("png");
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("frame");
    let (w, h) = (info.width as usize, info.height as usize);
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[y * w + x]);
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1);
    let (_, content) = grids[0].decode().expect("decodes");
    assert_eq!(content, link.short_url);
}

#[tokio::test]
async fn links_are_private_to_their_owner() {
    let server = TestServer::start().await;
    let a = signed_in(&server, "k@example.org").await;
    let b = signed_in(&server, "l@example.org").await;
    let link = create(&a, json!({"url": "https://example.org/mine"})).await;
    assert_eq!(
        b.get(&paths::link(link.id)).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        b.get(&paths::link_stats(link.id)).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        b.get(&paths::link_qr(link.id, "png")).await.status(),
        StatusCode::NOT_FOUND
    );
    let resp = b
        .send_json(
            Method::PATCH,
            &paths::link(link.id),
            &json!({"url": "https://evil.example/"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let resp = b
        .send_json(Method::DELETE, &paths::link(link.id), &json!({}))
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let list: LinkList = b.get(paths::LINKS).await.json().await.expect("list");
    assert_eq!(list.total, 0);
    assert_eq!(
        location(&visit(&a, &link.short_url).await),
        "https://example.org/mine"
    );
    // Without a session, the API refuses; without the CSRF token, creation too.
    assert_eq!(
        server.client().get(paths::LINKS).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let mut no_token = signed_in(&server, "m@example.org").await;
    no_token.csrf = None;
    let (status, code) = refused(&no_token, json!({"url": "https://example.org/"})).await;
    assert_eq!(
        (status, code),
        (StatusCode::FORBIDDEN, ErrorCode::CsrfFailed)
    );
}

#[tokio::test]
async fn list_searches_sorts_and_pages() {
    let server = TestServer::start().await;
    let c = signed_in(&server, "n@example.org").await;
    for i in 0..25 {
        create(&c, json!({"url": format!("https://example.org/item-{i:02}"), "slug": format!("item-{i:02}")})).await;
    }
    create(
        &c,
        json!({"url": "https://rust-lang.org/", "slug": "rusty"}),
    )
    .await;
    let page: LinkList = c
        .get(&format!("{}?per_page=10&page=3&sort=slug", paths::LINKS))
        .await
        .json()
        .await
        .expect("list");
    assert_eq!(
        (page.total, page.page, page.per_page, page.items.len()),
        (26, 3, 10, 6)
    );
    assert_eq!(page.items[0].slug, "item-20");
    assert_eq!(page.items.last().expect("last").slug, "rusty");
    let found: LinkList = c
        .get(&format!("{}?q=rust", paths::LINKS))
        .await
        .json()
        .await
        .expect("search");
    assert_eq!(
        found
            .items
            .iter()
            .map(|l| l.slug.as_str())
            .collect::<Vec<_>>(),
        vec!["rusty"]
    );
    // LIKE wildcards are literal.
    let none: LinkList = c
        .get(&format!("{}?q=%25", paths::LINKS))
        .await
        .json()
        .await
        .expect("search");
    assert_eq!(none.total, 0);
    let newest: LinkList = c
        .get(&format!("{}?sort=newest&per_page=1", paths::LINKS))
        .await
        .json()
        .await
        .expect("list");
    assert_eq!(newest.items[0].slug, "rusty");
}

#[tokio::test]
async fn a_dedicated_short_host_serves_slugs_at_the_root() {
    let server = TestServer::start_with(|c| c.short_url = Some("http://chk.test".into())).await;
    let c = signed_in(&server, "o@example.org").await;
    let link = create(
        &c,
        json!({"url": "https://example.org/short-host", "slug": "hello"}),
    )
    .await;
    assert_eq!(link.short_url, "http://chk.test/hello");
    let resp = c
        .http
        .get(server.url("/hello"))
        .header("host", "chk.test")
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status(), StatusCode::FOUND);
    assert_eq!(location(&resp), "https://example.org/short-host");
    let resp = c
        .http
        .get(server.url("/api/me"))
        .header("host", "chk.test")
        .send()
        .await
        .expect("get");
    assert_eq!(
        resp.status(),
        StatusCode::NOT_FOUND,
        "the app is not served on the short host"
    );
    let (status, _) = refused(&c, json!({"url": "http://chk.test/hello"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}
