//! A real rspamd (Debian's package, its stock configuration) with its own Redis for
//! learning, on free loopback ports, asking DNS only of a local dnsmasq that knows no
//! names (so no lookup leaves the machine). One test rule scores a known phrase as spam
//! ("add header"); GTUBE is rspamd's own reject.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Text rspamd's test rule scores 8 (over "add header" at 6, under "reject" at 15).
pub const SPAM_PHRASE: &str = "KSUITE-TEST-SPAM-PHRASE";
/// The generic test for unsolicited bulk email: rspamd rejects it.
pub const GTUBE: &str = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

pub struct Rspamd {
    /// The normal worker (`--rspamd-url`).
    pub url: String,
    /// The controller (`--rspamd-controller-url`).
    pub controller: String,
    rspamd: Child,
    redis: Child,
    _dns: super::dns::Dns,
    _dir: tempfile::TempDir,
}

fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

impl Rspamd {
    pub fn start() -> Rspamd {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().to_path_buf();
        let root = root.as_path();
        for sub in ["db", "run", "log", "local.d"] {
            std::fs::create_dir_all(root.join(sub)).expect("dir");
        }
        let dns = super::dns::Dns::start(&[]);
        let (normal, controller, redis_port) =
            (super::free_port(), super::free_port(), super::free_port());
        let redis = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .arg("--port")
            .arg(redis_port.to_string())
            .arg("--dir")
            .arg(root.join("db"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect(
                "redis-server starts (Debian redis-server; scripts/setup.sh --test installs it)",
            );
        // Compiled regular expressions are cached across tests (the first start compiles).
        let hs_cache = std::env::temp_dir().join("ksuite-test-rspamd-hs");
        std::fs::create_dir_all(&hs_cache).expect("hs cache");
        let write =
            |name: &str, text: String| std::fs::write(root.join(name), text).expect("config");
        write(
            "rspamd.conf",
            format!(
                r#".include "$CONFDIR/common.conf"
options {{
    pidfile = "$RUNDIR/rspamd.pid";
    .include "$CONFDIR/options.inc"
    hs_cache_dir = "{hs}";
    dns {{ nameserver = ["{dns}"]; timeout = 1s; retransmits = 1; }}
}}
logging {{ type = "file"; filename = "$LOGDIR/rspamd.log"; level = "warning"; }}
worker "normal" {{
    bind_socket = "127.0.0.1:{normal}";
    .include "$CONFDIR/worker-normal.inc"
    count = 1;
}}
worker "controller" {{
    bind_socket = "127.0.0.1:{controller}";
    .include "$CONFDIR/worker-controller.inc"
    count = 1;
}}
"#,
                hs = hs_cache.display(),
                dns = dns.addr,
            ),
        );
        write(
            "local.d/redis.conf",
            format!("servers = \"127.0.0.1:{redis_port}\";\n"),
        );
        write("local.d/greylist.conf", "enabled = false;\n".into());
        write("spam-words.map", format!("/{SPAM_PHRASE}/i\n"));
        write(
            "local.d/multimap.conf",
            "KSUITE_TEST_SPAM {\n  type = \"content\";\n  filter = \"text\";\n  \
             map = \"${LOCAL_CONFDIR}/spam-words.map\";\n  regexp = true;\n  score = 8.0;\n}\n"
                .into(),
        );
        let var = |name: &str, path: &std::path::Path| format!("--var={name}={}", path.display());
        // rspamd drops to a user; it stays the one running the tests.
        let rspamd = Command::new("rspamd")
            .args([
                "-f",
                "-i",
                "-u",
                &super::id("-un"),
                "-g",
                &super::id("-gn"),
                "-c",
            ])
            .arg(root.join("rspamd.conf"))
            .arg("--var=CONFDIR=/etc/rspamd")
            .arg(var("LOCAL_CONFDIR", root))
            .arg(var("DBDIR", &root.join("db")))
            .arg(var("RUNDIR", &root.join("run")))
            .arg(var("LOGDIR", &root.join("log")))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("rspamd starts (Debian rspamd; scripts/setup.sh --test installs it)");
        let mut r = Rspamd {
            url: format!("http://127.0.0.1:{normal}"),
            controller: format!("http://127.0.0.1:{controller}"),
            rspamd,
            redis,
            _dns: dns,
            _dir: dir,
        };
        for _ in 0..240 {
            if r.pings() {
                return r;
            }
            if let Ok(Some(status)) = r.rspamd.try_wait() {
                let log = std::fs::read_to_string(root.join("log/rspamd.log")).unwrap_or_default();
                panic!("rspamd exited ({status}): {log}");
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        panic!("rspamd did not answer within a minute");
    }

    fn pings(&self) -> bool {
        let ask = |url: &str| {
            Command::new("curl")
                .args(["-s", "-m", "1", &format!("{url}/ping")])
                .output()
                .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "pong")
        };
        ask(&self.url) && ask(&self.controller)
    }

    /// Messages rspamd has learned from so far (its controller's `/stat`).
    pub async fn learned(&self) -> i64 {
        let stat: serde_json::Value = reqwest::get(format!("{}/stat", self.controller))
            .await
            .expect("stat")
            .json()
            .await
            .expect("stat json");
        stat["learned"].as_i64().expect("learned count")
    }

    /// Waits (bounded) until rspamd has learned `n` messages.
    pub async fn wait_learned(&self, n: i64) {
        for _ in 0..300 {
            if self.learned().await >= n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("rspamd learned {} messages, not {n}", self.learned().await);
    }
}

impl Drop for Rspamd {
    fn drop(&mut self) {
        kill(&mut self.rspamd);
        kill(&mut self.redis);
    }
}
