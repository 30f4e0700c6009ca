//! Refusals are complete answers on a connection the client can trust: a request refused
//! before its body was read gets its answer with `Connection: close` (never a dropped
//! connection), and a small body refused by DAV authentication is read, so the client's
//! signed-in retry works on the same connection.

mod support;

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use support::{TestServer, signed_in};

/// Reads one HTTP/1.1 answer (head and a Content-Length body) from the stream.
async fn read_answer(stream: &mut TcpStream) -> (String, String) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk))
            .await
            .expect("answer within 10 s")
            .expect("read");
        assert!(n > 0, "connection closed without an answer");
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).await.expect("read body");
        assert!(n > 0, "connection closed inside the body");
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&buf[head_end..head_end + length]).into_owned();
    (head, body)
}

fn host(server: &TestServer) -> String {
    server.base.trim_start_matches("http://").to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unread_body_gets_an_answer_that_closes_the_connection() {
    let server = TestServer::start().await;
    let mut stream = TcpStream::connect(host(&server)).await.expect("connect");
    // No session: refused before the (large) JSON body is read.
    let body = format!(
        "{{\"url\": \"https://example.org/{}\"}}",
        "x".repeat(300_000)
    );
    let request = format!(
        "POST /api/links HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        host(&server),
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let _ = stream.write_all(body.as_bytes()).await;
    let (head, answer) = read_answer(&mut stream).await;
    assert!(head.starts_with("http/1.1 401"), "{head}");
    assert!(head.contains("connection: close"), "{head}");
    assert!(answer.contains("\"code\""), "a JSON error body: {answer}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dav_challenge_keeps_the_connection_for_the_signed_in_retry() {
    let server = TestServer::start().await;
    signed_in(&server, "ann@example.com").await;
    let mut stream = TcpStream::connect(host(&server)).await.expect("connect");
    let body = "<?xml version=\"1.0\"?><d:propfind xmlns:d=\"DAV:\"><d:prop><d:resourcetype/></d:prop></d:propfind>";
    let first = format!(
        "PROPFIND /dav/calendars/ann@example.com/ HTTP/1.1\r\nHost: {}\r\nDepth: 0\r\nContent-Length: {}\r\n\r\n{body}",
        host(&server),
        body.len()
    );
    stream.write_all(first.as_bytes()).await.expect("write");
    let (head, _) = read_answer(&mut stream).await;
    assert!(head.starts_with("http/1.1 401"), "{head}");
    assert!(!head.contains("connection: close"), "{head}");
    use base64::Engine;
    let auth = base64::engine::general_purpose::STANDARD
        .encode(format!("ann@example.com:{}", support::PASSWORD));
    let second = format!(
        "PROPFIND /dav/calendars/ann@example.com/ HTTP/1.1\r\nHost: {}\r\nDepth: 0\r\nAuthorization: Basic {auth}\r\nContent-Length: {}\r\n\r\n{body}",
        host(&server),
        body.len()
    );
    stream.write_all(second.as_bytes()).await.expect("write");
    let (head, answer) = read_answer(&mut stream).await;
    assert!(head.starts_with("http/1.1 207"), "{head}");
    assert!(answer.contains("multistatus"));
}
