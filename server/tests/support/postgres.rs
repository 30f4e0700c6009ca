//! A real PostgreSQL (Debian's package) in a temporary directory on a free loopback port,
//! started by the test itself and stopped when dropped. initdb refuses to run as root, so
//! under root it runs as the `postgres` system user the package creates.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Postgres {
    /// `postgres://…` of the `ksuite` database.
    pub url: String,
    bin: PathBuf,
    data: PathBuf,
    _dir: tempfile::TempDir,
}

/// The newest installed server's programs.
fn bin_dir() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("/usr/lib/postgresql: install postgresql (scripts/setup.sh --test does)")
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop().expect("a PostgreSQL server with initdb")
}

fn as_db_user(program: &Path) -> Command {
    if super::id("-u") == "0" {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn run(mut c: Command, what: &str) {
    let out = c.output().unwrap_or_else(|e| panic!("{what} starts: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Postgres {
    pub fn start() -> Postgres {
        let bin = bin_dir();
        let dir = tempfile::tempdir().expect("temp dir");
        if super::id("-u") == "0" {
            run(
                {
                    let mut c = Command::new("chown");
                    c.args(["-R", "postgres:"]).arg(dir.path());
                    c
                },
                "chown",
            );
        }
        let data = dir.path().join("data");
        let mut initdb = as_db_user(&bin.join("initdb"));
        initdb
            .args([
                "-U",
                "ksuite",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ])
            .arg("-D")
            .arg(&data);
        run(initdb, "initdb");
        let port = super::free_port();
        let mut start = as_db_user(&bin.join("pg_ctl"));
        start
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(dir.path().join("log"))
            .arg("-o")
            .arg(format!(
                "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off",
                dir.path().display()
            ))
            .args(["-w", "start"]);
        run(start, "pg_ctl start");
        let mut create = as_db_user(&bin.join("createdb"));
        create.args([
            "-h",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "-U",
            "ksuite",
            "ksuite",
        ]);
        run(create, "createdb");
        Postgres {
            url: format!("postgres://ksuite@127.0.0.1:{port}/ksuite"),
            bin,
            data,
            _dir: dir,
        }
    }
}

/// Creates database `name` on the server at `server` (`postgres://user@host:port`) unless
/// it is there already.
pub fn create_database(server: &str, name: &str) {
    let url = url::Url::parse(server).expect("KSUITE_TEST_POSTGRES is a postgres:// URL");
    let out = Command::new(bin_dir().join("psql"))
        .args(["-h", url.host_str().unwrap_or("127.0.0.1")])
        .args(["-p", &url.port().unwrap_or(5432).to_string()])
        .args([
            "-U",
            url.username(),
            "-d",
            "postgres",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
        ])
        .arg(format!("CREATE DATABASE {name}"))
        .output()
        .expect("psql starts");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() || err.contains("already exists"),
        "creating database {name}: {err}"
    );
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let mut stop = as_db_user(&self.bin.join("pg_ctl"));
        stop.arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "stop"]);
        let _ = stop.output();
    }
}
