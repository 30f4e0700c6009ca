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
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Client {
            http,
            base: self.base.clone(),
            csrf: None,
        }
    }
}

pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub csrf: Option<String>,
}

impl Client {
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
