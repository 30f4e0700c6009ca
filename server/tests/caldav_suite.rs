//! python-caldav's own functional test suite (`tests/test_caldav.py` of caldav 3.6.0, the
//! suite its maintainers run against Radicale, Xandikos, Nextcloud, Baïkal…) against a
//! fresh ksuite. Every test it runs must pass, and it must pass at least as many as it
//! passes against Radicale 3.9.0 on this machine with Radicale's own compatibility hints.
//!
//! The suite's `[test]` extras install Radicale and Xandikos, and it then runs its server
//! tests against both of them as well; only ksuite's class is selected, so the count is
//! ksuite's alone (and the run takes seconds, not the two minutes the others sleep).

mod support;

use support::{TestServer, app_password, signed_in};

/// Tests passed against Radicale 3.9.0 (embedded, caldav 3.6.0's hints), measured here
/// with `pytest tests/test_caldav.py -k TestForServerRadicale`: 57 passed, 10 skipped.
const RADICALE_PASSED: usize = 57;

/// The suite's test class for the server its config calls `ksuite`.
const KSUITE_CLASS: &str = "TestForServerksuite";

fn suite_dir() -> std::path::PathBuf {
    std::env::var_os("KSUITE_CALDAV_SUITE").map_or_else(
        || {
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../.tools/caldav-suite/caldav-3.6.0")
        },
        std::path::PathBuf::from,
    )
}

/// The count before `word` in pytest's summary line (`3 failed, 190 passed, 23 skipped`).
fn count(summary: &str, word: &str) -> usize {
    let words: Vec<&str> = summary
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    words
        .windows(2)
        .find(|w| w[1] == word)
        .and_then(|w| w[0].parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_caldav_functional_suite_passes() {
    let dir = suite_dir();
    let python = dir.join("../venv/bin/python");
    assert!(
        python.exists() && dir.join("tests/caldav_test_servers.yaml").exists(),
        "{} not found: run `scripts/setup.sh --test` (make test does)",
        dir.display()
    );
    let server = TestServer::start().await;
    let email = "suite@example.com";
    let web = signed_in(&server, email).await;
    let password = app_password(&web).await;
    let mut cmd = std::process::Command::new(&python);
    cmd.current_dir(&dir)
        .args([
            "-m",
            "pytest",
            "tests/test_caldav.py",
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "asyncio_default_fixture_loop_scope=function",
            // The suite's own testPrincipals calls its deprecated principals(), and the
            // suite turns every warning into an error.
            "-W",
            "ignore:principals() is deprecated:DeprecationWarning",
            "--tb=short",
            "-rfs",
            "-k",
            KSUITE_CLASS,
        ])
        .env("KSUITE_CALDAV_URL", server.url("/dav/"))
        .env("KSUITE_CALDAV_USER", email)
        .env("KSUITE_CALDAV_PASSWORD", &password)
        .env("PYTHON_CALDAV_TEST_DOCKER", "0")
        .env("PYTHON_CALDAV_TEST_SERVER_LOCK_TIMEOUT", "5")
        .env("TMPDIR", std::env::temp_dir());
    // The server keeps answering on the runtime's workers while pytest runs.
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .expect("pytest task")
        .expect("pytest runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let summary = stdout
        .lines()
        .rev()
        .find(|l| l.contains(" passed"))
        .unwrap_or_else(|| {
            panic!(
                "no pytest summary:\n{stdout}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    let (passed, failed, errors) = (
        count(summary, "passed"),
        count(summary, "failed"),
        count(summary, "error") + count(summary, "errors"),
    );
    println!("python-caldav suite against ksuite: {summary}");
    assert_eq!(failed + errors, 0, "{stdout}");
    assert!(
        passed >= RADICALE_PASSED,
        "{passed} passed, fewer than Radicale's {RADICALE_PASSED}:\n{stdout}"
    );
}

#[test]
fn reads_pytest_summaries() {
    let s = "=== 1 failed, 189 passed, 23 skipped in 149.42s (0:02:29) ===";
    assert_eq!(count(s, "passed"), 189);
    assert_eq!(count(s, "failed"), 1);
    assert_eq!(count(s, "errors"), 0);
}
