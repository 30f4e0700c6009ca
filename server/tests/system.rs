//! Health, OpenAPI, security headers, body limits and JSON errors for unknown routes.

mod support;

use ksuite_common::{ErrorBody, ErrorCode, Health, paths};
use reqwest::StatusCode;
use support::TestServer;

#[tokio::test]
async fn health_answers_ok() {
    let server = TestServer::start().await;
    let resp = server.client().get(paths::HEALTH).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let h: Health = resp.json().await.expect("health");
    assert_eq!(h.status, "ok");
}

#[tokio::test]
async fn openapi_documents_every_api_path() {
    let server = TestServer::start().await;
    let doc: serde_json::Value = server
        .client()
        .get(paths::OPENAPI)
        .await
        .json()
        .await
        .expect("openapi");
    let documented = doc["paths"].as_object().expect("paths object");
    for path in [
        paths::HEALTH,
        paths::SIGNUP,
        paths::LOGIN,
        paths::LOGOUT,
        paths::ME,
        paths::PROFILE,
        paths::TIME_ZONES,
        paths::APP_PASSWORDS,
        "/api/account/app-passwords/{id}",
        paths::TWO_FACTOR,
        paths::TWO_FACTOR_SETUP,
        paths::TWO_FACTOR_ENABLE,
        paths::TWO_FACTOR_DISABLE,
        paths::SYNC_INFO,
        paths::APPLE_PROFILE,
        paths::LINKS,
        paths::LINK_QUOTA,
        "/api/links/{id}",
        "/api/links/{id}/stats",
        "/api/links/{id}/qr.svg",
        "/api/links/{id}/qr.png",
        "/api/calendars",
        "/api/events",
        "/api/calendars/{id}/events/{uid}",
        "/api/address-books",
        "/api/address-books/{id}/contacts/{uid}",
        "/api/contacts/autocomplete",
    ] {
        assert!(documented.contains_key(path), "{path} missing from OpenAPI");
    }
    assert!(doc["components"]["schemas"]["SessionInfo"].is_object());
}

#[tokio::test]
async fn responses_carry_security_headers() {
    let server = TestServer::start().await;
    for path in ["/", paths::HEALTH, "/calendar/some/route"] {
        let resp = server.client().get(path).await;
        let h = resp.headers();
        let csp = h
            .get("content-security-policy")
            .expect("csp")
            .to_str()
            .expect("ascii");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
        assert!(!csp.contains("'unsafe-eval'"), "{csp}");
        assert_eq!(h.get("x-content-type-options").expect("nosniff"), "nosniff");
        assert!(h.get("referrer-policy").is_some());
    }
    // DAV answers (here a challenge and a device's OPTIONS probe) forbid everything in
    // few bytes: nothing in them is meant to run or be framed.
    for method in ["PROPFIND", "OPTIONS"] {
        let resp = reqwest::Client::new()
            .request(
                reqwest::Method::from_bytes(method.as_bytes()).expect("method"),
                server.url("/dav/"),
            )
            .send()
            .await
            .expect("request");
        let h = resp.headers();
        assert_eq!(
            h.get("content-security-policy").expect("csp"),
            "default-src 'none'; frame-ancestors 'none'"
        );
        assert_eq!(h.get("x-content-type-options").expect("nosniff"), "nosniff");
    }
}

#[tokio::test]
async fn unknown_api_path_is_json_404_and_spa_paths_serve_html() {
    let server = TestServer::start().await;
    let resp = server.client().get("/api/does-not-exist").await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        resp.json::<ErrorBody>().await.expect("json").code,
        ErrorCode::NotFound
    );
    let resp = server.client().get("/mail/inbox").await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.text().await.expect("html").contains("<html"));
}

#[tokio::test]
async fn oversized_body_is_refused_cleanly() {
    let server = TestServer::start().await;
    let big = "x".repeat(2 * 1024 * 1024);
    let resp = server
        .client()
        .post(
            paths::SIGNUP,
            &serde_json::json!({"email": "a@b.org", "display_name": big, "password": "p"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        resp.json::<ErrorBody>().await.expect("json").code,
        ErrorCode::PayloadTooLarge
    );
}

#[tokio::test]
async fn responses_are_compressed_when_asked() {
    let server = TestServer::start().await;
    let resp = reqwest::Client::new()
        .get(server.url(paths::TIME_ZONES))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .expect("get");
    assert_eq!(
        resp.headers().get("content-encoding").expect("encoded"),
        "gzip"
    );
}

/// The app's assets go out as the build compressed them (brotli, else gzip, else as they
/// are), compressed once, never again per request, and hashed names are cached for good.
#[tokio::test]
async fn app_assets_are_served_precompressed() {
    let dist = tempfile::tempdir().expect("dist");
    let wasm = "pkg/0123456789abcdef/app_bg.wasm";
    let files: [(&str, &[u8]); 6] = [
        ("index.html", b"<!doctype html><title>ksuite</title>"),
        ("index.html.br", b"index as brotli"),
        ("index.html.gz", b"index as gzip"),
        (wasm, b"\0asm raw module"),
        ("pkg/0123456789abcdef/app_bg.wasm.br", b"module as brotli"),
        ("pkg/0123456789abcdef/app_bg.wasm.gz", b"module as gzip"),
    ];
    std::fs::create_dir_all(dist.path().join("pkg/0123456789abcdef")).expect("pkg dir");
    for (name, body) in files {
        std::fs::write(dist.path().join(name), body).expect("write");
    }
    let root = dist.path().to_path_buf();
    let server = TestServer::start_with(move |c| c.static_dir = root).await;
    let client = reqwest::Client::new();
    let get = |path: String, encodings: &'static str| {
        let req = client.get(server.url(&path));
        let req = if encodings.is_empty() {
            req
        } else {
            req.header("accept-encoding", encodings)
        };
        async move { req.send().await.expect("get") }
    };
    for (encodings, want_encoding, want_body) in [
        ("gzip, deflate, br", Some("br"), "module as brotli"),
        ("gzip", Some("gzip"), "module as gzip"),
        ("", None, "\0asm raw module"),
    ] {
        let resp = get(format!("/{wasm}"), encodings).await;
        assert_eq!(resp.status(), StatusCode::OK);
        let headers = resp.headers().clone();
        assert_eq!(
            headers
                .get("content-encoding")
                .map(|v| v.to_str().unwrap_or("")),
            want_encoding,
            "accept-encoding {encodings:?}"
        );
        assert_eq!(headers["content-type"], "application/wasm");
        assert_eq!(
            headers["cache-control"],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(resp.text().await.expect("body"), want_body);
    }
    // A client-side route gets the shell, precompressed too, and revalidated each time.
    let resp = get("/mail/inbox".into(), "br").await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-encoding"], "br");
    assert_eq!(resp.headers()["cache-control"], "no-cache");
    assert_eq!(resp.text().await.expect("body"), "index as brotli");
    // A build file that is not there (a replaced build's chunk) is a plain 404, not the
    // shell under a name browsers would cache for a year.
    let resp = get("/pkg/0123456789abcdef/split_gone.wasm".into(), "br").await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert!(resp.headers().get("cache-control").is_none());
}

#[tokio::test]
async fn data_survives_a_restart() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().to_path_buf();
    {
        let server = TestServer::start_with(|c| c.data_dir = data.clone()).await;
        server
            .client()
            .signup("restart@example.org", support::PASSWORD)
            .await;
    }
    let server = TestServer::start_with(|c| c.data_dir = data.clone()).await;
    let c = server.client();
    assert_eq!(
        c.login("restart@example.org", support::PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn every_schema_reference_in_the_openapi_document_resolves() {
    let server = support::TestServer::start().await;
    let doc: serde_json::Value = reqwest::get(server.url("/api/openapi.json"))
        .await
        .expect("openapi")
        .json()
        .await
        .expect("json");
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    let text = doc.to_string();
    let mut missing: Vec<&str> = text
        .match_indices("#/components/schemas/")
        .map(|(i, m)| {
            let rest = &text[i + m.len()..];
            &rest[..rest.find('"').unwrap_or(rest.len())]
        })
        .filter(|name| !schemas.contains_key(*name))
        .collect();
    missing.dedup();
    assert!(missing.is_empty(), "unresolvable references: {missing:?}");
}
