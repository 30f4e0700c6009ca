//! A real DNS server (Debian's dnsmasq) on a free loopback port answering only the TXT
//! records a test gives it (NXDOMAIN for everything else), so sender checks (SPF, DKIM,
//! DMARC) run against DNS without leaving the machine. Queries are logged to a file, so
//! tests can count what the server asked.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Dns {
    pub addr: std::net::SocketAddr,
    child: Child,
    dir: tempfile::TempDir,
}

fn dnsmasq_binary() -> &'static str {
    ["/usr/sbin/dnsmasq", "/usr/bin/dnsmasq"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .expect("dnsmasq is installed (Debian dnsmasq-base; scripts/setup.sh --test installs it)")
}

/// A TXT query for `name`, as bytes.
fn txt_query(name: &str) -> Vec<u8> {
    let mut q = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    for label in name.split('.') {
        q.push(label.len() as u8);
        q.extend_from_slice(label.as_bytes());
    }
    q.extend_from_slice(&[0, 0, 16, 0, 1]);
    q
}

impl Dns {
    /// Serves these `(name, TXT value)` records; values longer than a DNS string are split.
    pub fn start(records: &[(&str, &str)]) -> Dns {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = super::free_port();
        let log = dir.path().join("queries.log");
        let mut cmd = Command::new(dnsmasq_binary());
        cmd.args([
            "--keep-in-foreground",
            "--no-resolv",
            "--no-hosts",
            "--bind-interfaces",
            "--listen-address=127.0.0.1",
            "--pid-file=",
            "--local=/#/",
            "--log-queries",
        ])
        // It would drop to `nobody`; it stays the user running the tests.
        .arg(format!("--user={}", super::id("-un")))
        .arg(format!("--port={port}"))
        .arg(format!("--log-facility={}", log.display()));
        for (name, value) in records {
            let chunks: Vec<String> = value
                .as_bytes()
                .chunks(250)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect();
            cmd.arg(format!("--txt-record={name},{}", chunks.join(",")));
        }
        let child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("dnsmasq starts");
        let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
        let mut dns = Dns { addr, child, dir };
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").expect("udp");
        socket
            .set_read_timeout(Some(Duration::from_millis(200)))
            .expect("timeout");
        for _ in 0..150 {
            let _ = socket.send_to(&txt_query("ready.test"), addr);
            let mut buf = [0u8; 512];
            if socket.recv_from(&mut buf).is_ok() {
                return dns;
            }
            if let Ok(Some(status)) = dns.child.try_wait() {
                panic!("dnsmasq exited: {status}");
            }
        }
        panic!("dnsmasq did not answer within 30 s");
    }

    /// How many queries so far asked about a name containing `part`.
    pub fn queries_for(&self, part: &str) -> usize {
        std::fs::read_to_string(self.dir.path().join("queries.log"))
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("query[") && l.contains(part))
            .count()
    }
}

impl Drop for Dns {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
