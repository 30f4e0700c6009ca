//! Test harness: a real ksuite server on a random loopback port with a fresh SQLite
//! database in a temporary directory, and an HTTP client with its own cookie jar.

#![allow(dead_code)]

use ksuite_common::{SessionInfo, SignupRequest, paths};
use ksuite_server::config::Config;
use ksuite_server::startup::Application;
use reqwest::StatusCode;

pub struct TestServer {
    pub base: String,
    /// The inbound SMTP listener.
    pub smtp: std::net::SocketAddr,
    pub data_dir: std::path::PathBuf,
    _dir: tempfile::TempDir,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config::for_data_dir(dir.path().to_path_buf());
        config.static_dir = dir.path().join("no-dist");
        adjust(&mut config);
        let data_dir = config.data_dir.clone();
        let app = Application::build(config).await.expect("server builds");
        let base = format!("http://{}", app.local_addr());
        let smtp = app.smtp_addr();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(app.run_until(async move {
            let _ = rx.await;
        }));
        TestServer {
            base,
            smtp,
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
        let url = format!("sqlite://{}", self.data_dir.join("ksuite.db").display());
        let pool = sqlx::SqlitePool::connect(&url).await.expect("open db");
        sqlx::query(sql).execute(&pool).await.expect("sql");
        pool.close().await;
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
        Dav {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            base: server.base.clone(),
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
            ])
            .arg("--data-dir")
            .arg(data_dir)
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
        // Keep reading stdout so the process never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        ServerProcess { child, base, smtp }
    }

    /// A browser-like client of this process.
    pub fn client(&self) -> Client {
        Client::new(&self.base)
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
