//! A real S3-compatible server (moto's, from PyPI, installed by `scripts/setup.sh --test`)
//! on a free loopback port, with one bucket, torn down when dropped.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct S3 {
    /// The endpoint (`--s3-endpoint`).
    pub endpoint: String,
    pub bucket: String,
    child: Child,
}

impl S3 {
    pub async fn start() -> S3 {
        let python = super::test_python();
        let server = python.with_file_name("moto_server");
        assert!(
            server.exists(),
            "{} not found: run `scripts/setup.sh --test` (make test does)",
            server.display()
        );
        let port = super::free_port();
        let child = Command::new(server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server starts");
        let endpoint = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let mut up = false;
        for _ in 0..300 {
            if http.get(&endpoint).send().await.is_ok() {
                up = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(up, "moto_server answers within 15 s");
        let bucket = "ksuite-test".to_string();
        let r = http
            .put(format!("{endpoint}/{bucket}"))
            .send()
            .await
            .expect("create bucket");
        assert!(r.status().is_success(), "bucket created: {}", r.status());
        S3 {
            endpoint,
            bucket,
            child,
        }
    }

    /// The ksuite flags that store blobs under `prefix` in this bucket.
    pub fn flags(&self, prefix: &str) -> Vec<String> {
        [
            "--blob-store",
            &format!("s3://{}/{prefix}", self.bucket),
            "--s3-endpoint",
            &self.endpoint,
            "--s3-region",
            "us-east-1",
            "--s3-access-key-id",
            "test",
            "--s3-secret-access-key",
            "test",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    /// The names of the objects under `prefix`.
    pub async fn keys(&self, prefix: &str) -> Vec<String> {
        let xml = reqwest::Client::new()
            .get(format!(
                "{}/{}?list-type=2&prefix={prefix}",
                self.endpoint, self.bucket
            ))
            .send()
            .await
            .expect("list")
            .text()
            .await
            .expect("listing");
        xml.split("<Key>")
            .skip(1)
            .filter_map(|k| k.split("</Key>").next())
            .map(str::to_string)
            .collect()
    }
}

impl Drop for S3 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
