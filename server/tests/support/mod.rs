//! Test harness: a real ksuite server on a random loopback port with a fresh database
//! (SQLite in a temporary directory, or, when `KSUITE_TEST_POSTGRES` names a PostgreSQL
//! server as `scripts/test-postgres.sh` does, a new database on it), and an HTTP client
//! with its own cookie jar.

#![allow(dead_code)]

pub mod clamd;
pub mod dns;
pub mod postgres;
pub mod rspamd;
pub mod s3;

use ksuite_common::{SessionInfo, SignupRequest, paths};
use ksuite_server::config::Config;
use ksuite_server::startup::Application;
use reqwest::StatusCode;

pub struct TestServer {
    pub base: String,
    /// The inbound SMTP listener.
    pub smtp: std::net::SocketAddr,
    /// IMAP and submission listeners.
    pub mail: ksuite_server::startup::MailClientAddrs,
    pub data_dir: std::path::PathBuf,
    _dir: tempfile::TempDir,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> TestServer {
        // KSUITE_TEST_LOG=warn shows what the server logs beside a failing test.
        if let Ok(filter) = std::env::var("KSUITE_TEST_LOG") {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_test_writer()
                .try_init();
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config::for_data_dir(dir.path().to_path_buf());
        config.static_dir = dir.path().join("no-dist");
        adjust(&mut config);
        if config.database_url.is_none() {
            config.database_url = Some(database_url(&config.data_dir));
        }
        let data_dir = config.data_dir.clone();
        let app = Application::build(config).await.expect("server builds");
        let base = format!("http://{}", app.local_addr());
        let smtp = app.smtp_addr();
        let mail = app.mail_client_addrs();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(app.run_until(async move {
            let _ = rx.await;
        }));
        TestServer {
            base,
            smtp,
            mail,
            data_dir,
            _dir: dir,
            _shutdown: tx,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Runs SQL directly on the server's database (to set up states no API offers, like
    /// a plan change or a link that expired).
    pub async fn sql(&self, sql: &str) {
        let db = open_db(&self.data_dir).await;
        ksuite_server::on_db!(&db, |c| sqlx::query(sql).execute(c).await.map(|_| ())).expect("sql");
        db.close().await;
    }

    /// A browser-like client with its own cookie jar.
    pub fn client(&self) -> Client {
        Client::new(&self.base)
    }
}

pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub csrf: Option<String>,
}

impl Client {
    /// A browser-like client of the server at `base`, with its own cookie jar.
    pub fn new(base: &str) -> Client {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Client {
            http,
            base: base.to_string(),
            csrf: None,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).send().await.expect("GET")
    }

    /// Sends JSON with the remembered CSRF token, like the app does.
    pub async fn send_json(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        let mut req = self.http.request(method, self.url(path)).json(body);
        if let Some(token) = &self.csrf {
            req = req.header(paths::CSRF_HEADER, token);
        }
        req.send().await.expect("request")
    }

    pub async fn post(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.send_json(reqwest::Method::POST, path, body).await
    }

    /// Uploads an attachment for a message being written (`/api/mail/uploads`).
    pub async fn upload(&self, name: &str, content_type: &str, body: Vec<u8>) -> reqwest::Response {
        self.http
            .post(self.url(&format!("/api/mail/uploads?name={name}")))
            .header(paths::CSRF_HEADER, self.csrf.clone().expect("csrf"))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("upload")
    }

    /// Signs up a new user and remembers the session's CSRF token.
    pub async fn signup(&mut self, email: &str, password: &str) -> SessionInfo {
        let req = SignupRequest {
            email: email.into(),
            display_name: "Test User".into(),
            password: password.into(),
            language: None,
            time_zone: Some("Europe/Zurich".into()),
            invitation: None,
        };
        let resp = self
            .post(paths::SIGNUP, &serde_json::to_value(req).expect("json"))
            .await;
        assert_eq!(resp.status(), StatusCode::CREATED, "signup should succeed");
        let info: SessionInfo = resp.json().await.expect("session info");
        self.csrf = Some(info.csrf_token.clone());
        info
    }

    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        self.post(
            paths::LOGIN,
            &serde_json::json!({"email": email, "password": password}),
        )
        .await
    }
}

pub const PASSWORD: &str = "correct horse battery staple";

/// A client signed up (and so signed in) as a new user.
pub async fn signed_in(server: &TestServer, email: &str) -> Client {
    let mut c = server.client();
    c.signup(email, PASSWORD).await;
    c
}

/// The Python with the test clients (caldav, vdirsyncer, aiosmtpd): `KSUITE_TEST_PYTHON`,
/// else the project's venv.
pub fn test_python() -> std::path::PathBuf {
    let path = std::env::var_os("KSUITE_TEST_PYTHON").map_or_else(
        || std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.tools/py/bin/python"),
        std::path::PathBuf::from,
    );
    assert!(
        path.exists(),
        "{} not found: run `scripts/setup.sh --test` (make test does) to install the test clients",
        path.display()
    );
    path
}

/// Runs a test client script (`tests/clients/<name>`) with `args`, feeding it `input`;
/// its standard output, after checking it exited cleanly.
pub fn run_client(name: &str, args: &[&std::ffi::OsStr], input: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/clients")
        .join(name);
    let mut child = std::process::Command::new(test_python())
        .arg(&script)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("test client runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("input written");
    let out = child.wait_with_output().expect("test client output");
    assert!(
        out.status.success(),
        "{name} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The id of the signed-in user's default calendar.
pub async fn default_calendar_id(c: &Client) -> i64 {
    let cals: Vec<ksuite_common::CalendarInfo> = c
        .get("/api/calendars")
        .await
        .json()
        .await
        .expect("calendars");
    cals.into_iter()
        .find(|c| c.is_default)
        .expect("default calendar")
        .id
}

/// A new application password of the signed-in user (what a device signs in with).
pub async fn app_password(c: &Client) -> String {
    let r = c
        .post(
            "/api/account/app-passwords",
            &serde_json::json!({"name": "test device"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json::<ksuite_common::CreatedAppPassword>()
        .await
        .expect("app password")
        .password
}

/// The folder with this role of a given address the signed-in user has.
pub async fn address_folder(c: &Client, address: &str, role: &str) -> ksuite_common::MailFolder {
    let folders: Vec<ksuite_common::MailFolder> = c
        .get("/api/mail/folders")
        .await
        .json()
        .await
        .expect("folders");
    folders
        .into_iter()
        .find(|f| f.address == address && f.role.as_deref() == Some(role))
        .unwrap_or_else(|| panic!("a {role} folder of {address}"))
}

/// The first page of a folder, newest first.
pub async fn folder_messages(c: &Client, folder: i64) -> Vec<ksuite_common::MessageSummary> {
    let page: ksuite_common::MessagePage = c
        .get(&format!("/api/mail/folders/{folder}/messages"))
        .await
        .json()
        .await
        .expect("page");
    page.messages
}

/// A stored message as its raw bytes (as text), headers this server added included.
pub async fn raw_message(c: &Client, id: i64) -> String {
    c.get(&format!("/api/mail/messages/{id}/raw"))
        .await
        .text()
        .await
        .expect("raw")
}

/// The signed-in user's folder with this role (`inbox`, `sent`, …) of their first address.
pub async fn mail_folder(c: &Client, role: &str) -> ksuite_common::MailFolder {
    let folders: Vec<ksuite_common::MailFolder> = c
        .get("/api/mail/folders")
        .await
        .json()
        .await
        .expect("folders");
    folders
        .into_iter()
        .find(|f| f.role.as_deref() == Some(role))
        .unwrap_or_else(|| panic!("a {role} folder"))
}

/// A raw SMTP conversation on the server's listener, for tests that must send exactly
/// what a hostile or broken client would (no library fixes it up).
pub struct SmtpConn {
    reader: tokio::io::BufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: tokio::net::tcp::OwnedWriteHalf,
}

impl SmtpConn {
    /// Connects and returns the connection with the greeting line.
    pub async fn open(addr: std::net::SocketAddr) -> (SmtpConn, String) {
        let stream = tokio::net::TcpStream::connect(addr)
            .await
            .expect("connect to SMTP");
        let (r, w) = stream.into_split();
        let mut conn = SmtpConn {
            reader: tokio::io::BufReader::new(r),
            writer: w,
        };
        let greeting = conn.reply().await;
        (conn, greeting)
    }

    /// Reads one complete reply (all continuation lines); empty when the server closed.
    pub async fn reply(&mut self) -> String {
        use tokio::io::AsyncBufReadExt;
        let mut all = String::new();
        loop {
            let mut line = String::new();
            let read = tokio::time::timeout(
                std::time::Duration::from_secs(30),
                self.reader.read_line(&mut line),
            )
            .await
            .expect("SMTP reply within 30 s");
            match read {
                Ok(0) | Err(_) => return all,
                Ok(_) => {}
            }
            all.push_str(&line);
            if line.len() < 4 || line.as_bytes()[3] != b'-' {
                return all;
            }
        }
    }

    pub async fn send_raw(&mut self, bytes: &[u8]) {
        use tokio::io::AsyncWriteExt;
        let _ = self.writer.write_all(bytes).await;
    }

    /// Sends one command line and returns the reply.
    pub async fn cmd(&mut self, line: &str) -> String {
        self.send_raw(format!("{line}\r\n").as_bytes()).await;
        self.reply().await
    }

    /// EHLO, MAIL, RCPT, DATA with `body` (already dot-stuffed, without the final dot);
    /// returns the reply to the end of data.
    pub async fn deliver(&mut self, from: &str, rcpt: &str, body: &str) -> String {
        assert!(self.cmd("EHLO test.example").await.starts_with("250"));
        assert!(
            self.cmd(&format!("MAIL FROM:<{from}>"))
                .await
                .starts_with("250")
        );
        let r = self.cmd(&format!("RCPT TO:<{rcpt}>")).await;
        assert!(r.starts_with("250"), "RCPT refused: {r}");
        assert!(self.cmd("DATA").await.starts_with("354"));
        self.send_raw(body.as_bytes()).await;
        self.send_raw(b"\r\n.\r\n").await;
        self.reply().await
    }
}

/// Delivers one small message to `rcpt` over SMTP and returns after the 250.
pub async fn deliver_mail(server: &TestServer, from: &str, rcpt: &str, subject: &str) {
    let (mut conn, _) = SmtpConn::open(server.smtp).await;
    let body = format!(
        "From: <{from}>\r\nTo: <{rcpt}>\r\nSubject: {subject}\r\nMessage-ID: <{}@test>\r\n\r\nHello.",
        rand_token()
    );
    let r = conn.deliver(from, rcpt, &body).await;
    assert!(r.starts_with("250"), "delivery refused: {r}");
    let _ = conn.cmd("QUIT").await;
}

/// `id -un` / `id -gn`: the user or group running the tests, for helper daemons that
/// would otherwise switch to their own.
pub fn id(flag: &str) -> String {
    std::process::Command::new("id")
        .arg(flag)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .expect("id")
}

/// A loopback port nothing listens on (yet).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// A random token for unique names.
pub fn rand_token() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let t = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{t:x}{n:x}")
}

/// A DAV client signing in with HTTP Basic.
pub struct Dav {
    http: reqwest::Client,
    base: String,
    user: String,
    password: String,
}

pub struct Answer {
    pub status: reqwest::StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn etag(&self) -> String {
        self.headers
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .expect("ETag header")
            .to_string()
    }
}

impl Dav {
    pub fn new(server: &TestServer, user: &str, password: &str) -> Dav {
        Dav::at(&server.base, user, password)
    }

    /// A DAV client of the server at `base` (e.g. a [`ServerProcess`]).
    pub fn at(base: &str, user: &str, password: &str) -> Dav {
        Dav {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            base: base.to_string(),
            user: user.into(),
            password: password.into(),
        }
    }

    pub async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Answer {
        let mut req = self
            .http
            .request(
                reqwest::Method::from_bytes(method.as_bytes()).expect("method"),
                format!("{}{path}", self.base),
            )
            .basic_auth(&self.user, Some(&self.password))
            .body(body.to_string());
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = req.send().await.expect("request");
        Answer {
            status: resp.status(),
            headers: resp.headers().clone(),
            body: resp.text().await.expect("body"),
        }
    }

    pub async fn propfind(&self, path: &str, depth: &str, props: &str) -> Answer {
        let body = format!(
            r#"<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:card="urn:ietf:params:xml:ns:carddav" xmlns:cs="http://calendarserver.org/ns/"><d:prop>{props}</d:prop></d:propfind>"#
        );
        self.send("PROPFIND", path, &[("Depth", depth)], &body)
            .await
    }

    pub async fn put(&self, path: &str, headers: &[(&str, &str)], body: &str) -> Answer {
        self.send("PUT", path, headers, body).await
    }

    pub async fn report(&self, path: &str, body: &str) -> Answer {
        self.send("REPORT", path, &[("Depth", "1")], body).await
    }
}

/// The calendar home of a user.
pub fn dav_home(email: &str) -> String {
    format!("/dav/calendars/{email}/")
}

/// The default calendar's collection path, found by PROPFIND on the home.
pub async fn default_calendar(dav: &Dav) -> String {
    let home_path = dav_home(&dav.user);
    let home = dav.propfind(&home_path, "1", "<d:resourcetype/>").await;
    assert_eq!(home.status, reqwest::StatusCode::MULTI_STATUS);
    home.body
        .match_indices("<d:href>")
        .map(|(i, _)| &home.body[i + 8..])
        .map(|rest| &rest[..rest.find("</d:href>").expect("end of href")])
        .find(|h| h.len() > home_path.len())
        .expect("a calendar in the home")
        .to_string()
}

/// The real `ksuite` binary in its own process, for restart and crash tests: the data
/// directory outlives the process.
pub struct ServerProcess {
    pub child: std::process::Child,
    pub base: String,
    pub smtp: std::net::SocketAddr,
    /// The plain IMAP listener.
    pub imap: std::net::SocketAddr,
    /// The submission listener (STARTTLS).
    pub submission: std::net::SocketAddr,
}

impl ServerProcess {
    /// Starts `ksuite serve` on free loopback ports over `data_dir`, with extra flags.
    pub fn start(data_dir: &std::path::Path, extra: &[&str]) -> ServerProcess {
        use std::io::BufRead;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ksuite"))
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--smtp-listen",
                "127.0.0.1:0",
                "--imap-listen",
                "127.0.0.1:0",
                "--imaps-listen",
                "127.0.0.1:0",
                "--submission-listen",
                "127.0.0.1:0",
                "--submissions-listen",
                "127.0.0.1:0",
                // Sender checks would ask outside DNS; tests that want them run their own.
                "--sender-auth-dns",
                "off",
            ])
            .arg("--data-dir")
            .arg(data_dir)
            .args(if extra.contains(&"--database-url") {
                Vec::new()
            } else {
                vec!["--database-url".to_string(), database_url(data_dir)]
            })
            .arg("--static-dir")
            .arg(data_dir.join("no-dist"))
            .args(extra)
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("ksuite starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = std::io::BufReader::new(stdout).lines();
        // "ksuite is running at http://127.0.0.1:PORT/  (SMTP on 127.0.0.1:PORT, …)"
        let line = lines
            .by_ref()
            .map_while(Result::ok)
            .find(|l| l.contains("ksuite is running at "))
            .expect("a start line");
        let base = line
            .split("running at ")
            .nth(1)
            .and_then(|r| r.split('/').nth(2))
            .map(|host| format!("http://{host}"))
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        let smtp = line
            .split("SMTP on ")
            .nth(1)
            .and_then(|r| r.split([',', ')']).next())
            .and_then(|a| a.trim().parse().ok())
            .unwrap_or_else(|| panic!("no SMTP address in {line:?}"));
        let imap = line
            .split("IMAP on ")
            .nth(1)
            .and_then(|r| r.split(' ').next())
            .and_then(|a| a.trim().parse().ok())
            .unwrap_or_else(|| panic!("no IMAP address in {line:?}"));
        let submission = line
            .split("submission on ")
            .nth(1)
            .and_then(|r| r.split(' ').next())
            .and_then(|a| a.trim().parse().ok())
            .unwrap_or_else(|| panic!("no submission address in {line:?}"));
        // Keep reading stdout so the process never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        ServerProcess {
            child,
            base,
            smtp,
            imap,
            submission,
        }
    }

    /// A browser-like client of this process.
    pub fn client(&self) -> Client {
        Client::new(&self.base)
    }

    /// A client signed in as an existing account (password [`PASSWORD`]), e.g. after a
    /// restart.
    pub async fn signed_in(&self, email: &str) -> Client {
        let mut c = self.client();
        let r = c.login(email, PASSWORD).await;
        assert_eq!(r.status(), StatusCode::OK, "login as {email}");
        let info: SessionInfo = r.json().await.expect("session");
        c.csrf = Some(info.csrf_token);
        c
    }

    /// SIGTERM, then waits for a clean exit.
    pub fn stop(mut self) {
        let pid = self.child.id().to_string();
        let status = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill runs");
        assert!(status.success());
        let exit = self.child.wait().expect("wait");
        assert!(exit.success(), "clean exit after SIGTERM: {exit:?}");
    }

    /// SIGKILL: no chance to flush anything.
    pub fn crash(mut self) {
        self.child.kill().expect("SIGKILL");
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One request a [`Receiver`] got.
#[derive(Clone, Debug)]
pub struct Received {
    pub path: String,
    pub headers: std::collections::HashMap<String, String>,
    pub body: Vec<u8>,
}

/// An HTTP receiver on a free loopback port (a chat tool's webhook, a push service):
/// it records every POST and answers 201.
pub struct Receiver {
    pub base: String,
    pub got: std::sync::Arc<std::sync::Mutex<Vec<Received>>>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        use axum::extract::{Request, State};
        let got: std::sync::Arc<std::sync::Mutex<Vec<Received>>> = Default::default();
        async fn record(
            State(got): State<std::sync::Arc<std::sync::Mutex<Vec<Received>>>>,
            req: Request,
        ) -> impl axum::response::IntoResponse {
            let path = req.uri().path().to_string();
            let headers = req
                .headers()
                .iter()
                .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
                .collect();
            let body = axum::body::to_bytes(req.into_body(), 1 << 20)
                .await
                .map(|b| b.to_vec())
                .unwrap_or_default();
            // Paths choose the answer: "/gone…" a dead subscription, "/busy…" an overloaded
            // service asking to retry after a second.
            let answer = if path.starts_with("/gone") {
                (axum::http::StatusCode::GONE, [("retry-after", "")])
            } else if path.starts_with("/busy") {
                (
                    axum::http::StatusCode::SERVICE_UNAVAILABLE,
                    [("retry-after", "1")],
                )
            } else {
                (axum::http::StatusCode::CREATED, [("retry-after", "")])
            };
            got.lock().expect("lock").push(Received {
                path,
                headers,
                body,
            });
            answer
        }
        let app = axum::Router::new()
            .fallback(axum::routing::post(record))
            .with_state(got.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind receiver");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { base, got }
    }

    pub fn all(&self) -> Vec<Received> {
        self.got.lock().expect("lock").clone()
    }

    /// Waits (bounded, about 20 s) until at least `n` requests arrived; returns them.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..400 {
            let all = self.all();
            if all.len() >= n {
                return all;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("expected {n} requests, got {:?}", self.all().len());
    }
}

/// A test clock: a file the server reads "now" from (`--test-clock-file`).
pub struct TestClock {
    pub path: std::path::PathBuf,
}

impl TestClock {
    pub fn new(dir: &std::path::Path, start: i64) -> TestClock {
        let clock = TestClock {
            path: dir.join("clock"),
        };
        clock.set(start);
        clock
    }

    pub fn set(&self, unix: i64) {
        let tmp = self.path.with_extension("tmp");
        std::fs::write(&tmp, unix.to_string()).expect("write clock");
        std::fs::rename(&tmp, &self.path).expect("move clock");
    }
}

impl TestServer {
    /// Runs a query returning one integer on the server's database.
    pub async fn scalar(&self, sql: &str) -> i64 {
        let db = open_db(&self.data_dir).await;
        let v: i64 = ksuite_server::on_db!(&db, |c| sqlx::query_scalar(sql).fetch_one(c).await)
            .expect("sql");
        db.close().await;
        v
    }

    /// Waits (bounded) until `sql` yields `want`.
    pub async fn wait_until(&self, sql: &str, want: i64) {
        let mut last = -1;
        for _ in 0..400 {
            last = self.scalar(sql).await;
            if last == want {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let db = open_db(&self.data_dir).await;
        let rows: Vec<(String, i64, Option<String>)> = ksuite_server::on_db!(&db, |c| {
            sqlx::query_as("SELECT state, due_at, last_error FROM reminder_deliveries")
                .fetch_all(c)
                .await
        })
        .unwrap_or_default();
        let sched: Vec<(i64, Option<i64>, Option<i64>, i64)> = ksuite_server::on_db!(&db, |c| {
            sqlx::query_as(
                "SELECT event_id, next_due, checked_through, version FROM reminder_schedule",
            )
            .fetch_all(c)
            .await
        })
        .unwrap_or_default();
        panic!("{sql} stayed {last}, wanted {want}; deliveries {rows:?}; schedule {sched:?}");
    }
}

/// A raw IMAP connection for protocol tests: lines and literals as they arrive, STARTTLS
/// trusting the server's certificate from its data directory.
pub struct ImapConn {
    stream: Option<ImapStream>,
    buf: Vec<u8>,
    next_tag: u32,
}

enum ImapStream {
    Plain(tokio::net::TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<tokio::net::TcpStream>>),
}

/// The certificate the server generated (tests trust it like a user accepting it once).
pub fn tls_connector(data_dir: &std::path::Path) -> tokio_rustls::TlsConnector {
    trusting(&data_dir.join("tls/self-signed.crt"))
}

/// A TLS client that trusts only the certificates in this PEM file.
pub fn trusting(pem: &std::path::Path) -> tokio_rustls::TlsConnector {
    use rustls_pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_pki_types::CertificateDer::pem_file_iter(pem).expect("server certificate") {
        roots.add(cert.expect("certificate")).expect("trusted");
    }
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    tokio_rustls::TlsConnector::from(std::sync::Arc::new(config))
}

impl ImapConn {
    /// Connects and reads the greeting (returned).
    pub async fn open(addr: std::net::SocketAddr) -> (ImapConn, String) {
        let tcp = tokio::net::TcpStream::connect(addr)
            .await
            .expect("IMAP connect");
        let mut c = ImapConn {
            stream: Some(ImapStream::Plain(tcp)),
            buf: Vec::new(),
            next_tag: 0,
        };
        let greeting = c.line().await.unwrap_or_default();
        (c, greeting)
    }

    /// STARTTLS then signs in; panics unless both succeed.
    pub async fn signed_in(
        addr: std::net::SocketAddr,
        data_dir: &std::path::Path,
        email: &str,
        password: &str,
    ) -> ImapConn {
        let (mut c, _) = ImapConn::open(addr).await;
        c.starttls(data_dir).await;
        let r = c.cmd(&format!("LOGIN \"{email}\" \"{password}\"")).await;
        assert!(r.ends_with_ok(), "login: {r:?}");
        c
    }

    pub async fn starttls(&mut self, data_dir: &std::path::Path) {
        self.starttls_with(&tls_connector(data_dir))
            .await
            .expect("TLS handshake");
    }

    /// STARTTLS with this client configuration; the handshake's error when it fails.
    pub async fn starttls_with(
        &mut self,
        connector: &tokio_rustls::TlsConnector,
    ) -> std::io::Result<()> {
        let r = self.cmd("STARTTLS").await;
        assert!(r.ends_with_ok(), "STARTTLS: {r:?}");
        let Some(ImapStream::Plain(tcp)) = self.stream.take() else {
            panic!("already TLS")
        };
        let name = rustls_pki_types::ServerName::try_from("localhost").expect("name");
        let tls = connector.connect(name, tcp).await?;
        self.stream = Some(ImapStream::Tls(Box::new(tls)));
        Ok(())
    }

    pub async fn send(&mut self, bytes: &[u8]) {
        use tokio::io::AsyncWriteExt;
        let _ = match self.stream.as_mut().expect("open") {
            ImapStream::Plain(s) => s.write_all(bytes).await,
            ImapStream::Tls(s) => s.write_all(bytes).await,
        };
    }

    async fn fill(&mut self) -> bool {
        use tokio::io::AsyncReadExt;
        let mut chunk = [0u8; 8192];
        let read = tokio::time::timeout(std::time::Duration::from_secs(30), async {
            match self.stream.as_mut().expect("open") {
                ImapStream::Plain(s) => s.read(&mut chunk).await,
                ImapStream::Tls(s) => s.read(&mut chunk).await,
            }
        })
        .await
        .expect("IMAP answer within 30 s");
        match read {
            Ok(n) if n > 0 => {
                self.buf.extend_from_slice(&chunk[..n]);
                true
            }
            _ => false,
        }
    }

    /// The next response line with any literals inlined; `None` when the server closed.
    pub async fn line(&mut self) -> Option<String> {
        let mut out = Vec::new();
        loop {
            let Some(end) = self.buf.windows(2).position(|w| w == b"\r\n") else {
                if !self.fill().await {
                    return (!out.is_empty()).then(|| String::from_utf8_lossy(&out).into_owned());
                }
                continue;
            };
            let line: Vec<u8> = self.buf.drain(..end + 2).collect();
            out.extend_from_slice(&line[..line.len() - 2]);
            // A literal `{n}` at the end: its n bytes follow, then the line goes on.
            let text = String::from_utf8_lossy(&line);
            let literal = text
                .trim_end()
                .strip_suffix('}')
                .and_then(|t| t.rsplit_once('{'))
                .and_then(|(_, n)| n.parse::<usize>().ok());
            let Some(n) = literal else {
                return Some(String::from_utf8_lossy(&out).into_owned());
            };
            while self.buf.len() < n {
                if !self.fill().await {
                    return None;
                }
            }
            out.extend(b"\r\n");
            out.extend(self.buf.drain(..n));
        }
    }

    /// Sends a tagged command and returns every line up to and including the tagged one.
    pub async fn cmd(&mut self, command: &str) -> ImapReply {
        self.next_tag += 1;
        let tag = format!("t{}", self.next_tag);
        self.send(format!("{tag} {command}\r\n").as_bytes()).await;
        self.until_tagged(&tag).await
    }

    pub async fn until_tagged(&mut self, tag: &str) -> ImapReply {
        let mut lines = Vec::new();
        while let Some(l) = self.line().await {
            let done = l.starts_with(&format!("{tag} "));
            lines.push(l);
            if done {
                break;
            }
        }
        ImapReply(lines)
    }
}

/// The lines answering one command.
#[derive(Debug)]
pub struct ImapReply(pub Vec<String>);

impl ImapReply {
    pub fn tagged(&self) -> &str {
        self.0.last().map_or("", String::as_str)
    }

    pub fn ends_with_ok(&self) -> bool {
        self.tagged().split(' ').nth(1) == Some("OK")
    }

    pub fn status(&self) -> &str {
        self.tagged().split(' ').nth(1).unwrap_or("")
    }

    pub fn text(&self) -> String {
        self.0.join("\n")
    }
}

/// The aiosmtpd relay, stopped when dropped.
pub struct Relay {
    child: std::process::Child,
    out: std::path::PathBuf,
}

impl Relay {
    pub fn start(port: u16, dir: &std::path::Path) -> Relay {
        let out = dir.join("relay.jsonl");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/relay_sink.py");
        let mut child = std::process::Command::new(test_python())
            .args([script, &port.to_string(), out.to_str().expect("path")])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("aiosmtpd starts");
        use std::io::BufRead;
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.as_mut().expect("stdout"))
            .read_line(&mut line)
            .expect("ready line");
        assert_eq!(line.trim(), "ready");
        Relay { child, out }
    }

    pub fn received(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.out)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("json line"))
            .collect()
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Creates the address `local` in the mail domain as the administrator `admin`, then
/// gives each `(e-mail, permission)` its access; returns the address.
pub async fn shared_address(
    admin: &Client,
    local: &str,
    grants: &[(&str, &str)],
) -> ksuite_common::AdminAddress {
    let r = admin
        .post(
            "/api/admin/mail/addresses",
            &serde_json::json!({ "address": local }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let address: ksuite_common::AdminAddress = r.json().await.expect("address");
    for (email, permission) in grants {
        let r = admin
            .send_json(
                reqwest::Method::PUT,
                &format!("/api/admin/mail/addresses/{}/users", address.id),
                &serde_json::json!({ "email": email, "permission": permission }),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK, "grant {permission} to {email}");
    }
    address
}

/// The PostgreSQL server `scripts/test-postgres.sh` started, if this run is on one.
pub fn postgres_server() -> Option<String> {
    std::env::var("KSUITE_TEST_POSTGRES")
        .ok()
        .filter(|u| !u.is_empty())
}

/// The database of the server(s) using `data_dir`: its SQLite file, or on a PostgreSQL
/// run a database named after the directory (created on first use), so that a restarted
/// or second process finds the same one.
pub fn database_url(data_dir: &std::path::Path) -> String {
    let Some(server) = postgres_server() else {
        return format!("sqlite://{}", data_dir.join("ksuite.db").display());
    };
    use sha2::Digest;
    let digest = sha2::Sha256::digest(data_dir.display().to_string().as_bytes());
    let name: String = digest[..10]
        .iter()
        .map(|b| format!("{b:02x}"))
        .fold(String::from("t"), |s, h| s + &h);
    postgres::create_database(&server, &name);
    format!("{}/{name}", server.trim_end_matches('/'))
}

/// The database of the server(s) using `data_dir`, opened (and migrated) beside them.
pub async fn open_db(data_dir: &std::path::Path) -> ksuite_server::db::Db {
    ksuite_server::db::connect(&database_url(data_dir))
        .await
        .expect("open the test database")
}
