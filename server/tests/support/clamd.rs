//! A real ClamAV daemon (Debian's `clamav-daemon`) on a free loopback port, with a
//! one-signature database for the EICAR test file: freshclam cannot download the real
//! databases on an offline test machine, and the engine, protocol and MIME unpacking are
//! the same whatever the signatures.

use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The EICAR anti-virus test file (harmless; every scanner detects it by convention).
pub const EICAR: &str = r"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
/// A ClamAV body signature (`.ndb`: name, any file type, any offset, hex bytes) for it,
/// so it is found inside a message as well as in a decoded attachment.
fn eicar_signature() -> String {
    let hex: String = EICAR.bytes().map(|b| format!("{b:02x}")).collect();
    format!("Eicar-Test-Signature:0:*:{hex}\n")
}

pub struct Clamd {
    pub addr: String,
    child: Child,
    _dir: tempfile::TempDir,
}

fn clamd_binary() -> &'static str {
    ["/usr/sbin/clamd", "/usr/bin/clamd"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .expect("clamd is installed (Debian clamav-daemon; scripts/setup.sh --test installs it)")
}

/// Whether clamd answers PING on `addr`.
fn pong(addr: &str) -> bool {
    let Ok(mut s) = std::net::TcpStream::connect(addr) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    let mut reply = [0u8; 5];
    s.write_all(b"zPING\0").is_ok() && s.read_exact(&mut reply).is_ok() && &reply[..4] == b"PONG"
}

impl Clamd {
    /// Starts clamd on `port` and waits (bounded) until it answers.
    pub fn start_on(port: u16) -> Clamd {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("db");
        std::fs::create_dir(&db).expect("db dir");
        std::fs::write(db.join("test.ndb"), eicar_signature()).expect("signature");
        let conf = dir.path().join("clamd.conf");
        std::fs::write(
            &conf,
            format!(
                "Foreground yes\nDatabaseDirectory {}\nTCPSocket {port}\nTCPAddr 127.0.0.1\n\
                 LogFile {}\nPidFile {}\nStreamMaxLength 30M\n",
                db.display(),
                dir.path().join("clamd.log").display(),
                dir.path().join("clamd.pid").display(),
            ),
        )
        .expect("config");
        let child = Command::new(clamd_binary())
            .arg(format!("--config-file={}", conf.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("clamd starts");
        let addr = format!("127.0.0.1:{port}");
        let mut clamd = Clamd {
            addr,
            child,
            _dir: dir,
        };
        for _ in 0..600 {
            if pong(&clamd.addr) {
                return clamd;
            }
            if let Ok(Some(status)) = clamd.child.try_wait() {
                let log = std::fs::read_to_string(clamd._dir.path().join("clamd.log"));
                panic!("clamd exited ({status}): {log:?}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("clamd did not answer within a minute");
    }

    pub fn start() -> Clamd {
        Clamd::start_on(super::free_port())
    }
}

impl Drop for Clamd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
