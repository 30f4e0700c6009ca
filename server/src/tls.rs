//! TLS for the mail protocols (IMAP, submission). The administrator's certificate and key
//! (`--tls-cert`/`--tls-key`, PEM) are read at start and again on SIGHUP, so a renewed
//! certificate needs no restart; without them a self-signed certificate for the mail host
//! is generated once into the data directory, so STARTTLS works out of the box (clients
//! ask the user to trust it). rustls only, TLS 1.2 and 1.3.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use anyhow::Context;
use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

/// Where the certificate comes from.
#[derive(Clone, Debug)]
enum Source {
    Files { cert: PathBuf, key: PathBuf },
    SelfSigned { cert: PathBuf, key: PathBuf },
}

/// The current certificate, swapped in place on reload; sessions take an acceptor per
/// handshake, so a reload applies to the next connection.
pub struct Tls {
    source: Source,
    current: RwLock<TlsAcceptor>,
}

impl Tls {
    /// Loads the given certificate, or the self-signed one (made on first start) for
    /// `host`.
    pub fn load(
        cert: Option<&Path>,
        key: Option<&Path>,
        data_dir: &Path,
        host: &str,
    ) -> anyhow::Result<Tls> {
        let source = match (cert, key) {
            (Some(cert), Some(key)) => Source::Files {
                cert: cert.to_path_buf(),
                key: key.to_path_buf(),
            },
            (None, None) => {
                let dir = data_dir.join("tls");
                let (cert, key) = (dir.join("self-signed.crt"), dir.join("self-signed.key"));
                if !cert.exists() || !key.exists() {
                    write_self_signed(&dir, &cert, &key, host)?;
                }
                Source::SelfSigned { cert, key }
            }
            _ => anyhow::bail!("--tls-cert and --tls-key go together: give both or neither"),
        };
        let acceptor = acceptor_for(&source)?;
        Ok(Tls {
            source,
            current: RwLock::new(acceptor),
        })
    }

    pub fn acceptor(&self) -> TlsAcceptor {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Reads the certificate files again; on error the old certificate stays in use.
    pub fn reload(&self) -> anyhow::Result<()> {
        let acceptor = acceptor_for(&self.source)?;
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = acceptor;
        Ok(())
    }

    /// Whether the certificate is the generated self-signed one (the setup pages say so).
    pub fn is_self_signed(&self) -> bool {
        matches!(self.source, Source::SelfSigned { .. })
    }
}

fn acceptor_for(source: &Source) -> anyhow::Result<TlsAcceptor> {
    let (Source::Files { cert, key } | Source::SelfSigned { cert, key }) = source;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .with_context(|| format!("cannot read the TLS certificate {}", cert.display()))?
        .collect::<Result<_, _>>()
        .with_context(|| format!("{} is not a PEM certificate chain", cert.display()))?;
    if certs.is_empty() {
        anyhow::bail!("{} holds no certificate", cert.display());
    }
    let key = PrivateKeyDer::from_pem_file(key)
        .with_context(|| format!("cannot read the TLS key {}", key.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .context("the TLS certificate and key do not match")?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

fn write_self_signed(dir: &Path, cert: &Path, key: &Path, host: &str) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut names = vec![host.to_string()];
    if host != "localhost" {
        names.push("localhost".into());
    }
    let made = rcgen::generate_simple_self_signed(names)
        .context("cannot generate a self-signed certificate")?;
    write_private(key, made.signing_key.serialize_pem().as_bytes())?;
    std::fs::write(cert, made.cert.pem())?;
    tracing::info!(%host, path = %cert.display(), "generated a self-signed TLS certificate for IMAP and submission");
    Ok(())
}

/// Writes a file only its owner can read.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// SIGHUP, listened for from start-up on: a signal that comes before the reload job runs
/// is kept for it instead of ending the process (SIGHUP's default).
#[cfg(unix)]
pub type Hangup = tokio::signal::unix::Signal;
#[cfg(not(unix))]
pub type Hangup = ();

/// Starts listening for SIGHUP (call early, inside the runtime).
pub fn listen_for_hangup() -> Option<Hangup> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::hangup()) {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGHUP; the TLS certificate reloads only on restart");
                None
            }
        }
    }
    #[cfg(not(unix))]
    None
}

/// Re-reads the certificate on every SIGHUP until the server stops.
pub async fn reload_on_sighup(tls: Arc<Tls>, hangup: Option<Hangup>, mut stop: crate::jobs::Stop) {
    #[cfg(unix)]
    if let Some(mut hup) = hangup {
        loop {
            tokio::select! {
                _ = hup.recv() => match tls.reload() {
                    Ok(()) => tracing::info!("TLS certificate reloaded"),
                    Err(e) => tracing::error!(error = %e, "TLS certificate reload failed; keeping the old one"),
                },
                _ = stop.stopped() => return,
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (tls, hangup);
    stop.stopped().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_once_and_reuses_the_self_signed_certificate() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = Tls::load(None, None, dir.path(), "mail.example.com").expect("load");
        assert!(first.is_self_signed());
        let pem = std::fs::read(dir.path().join("tls/self-signed.crt")).expect("cert");
        let _second = Tls::load(None, None, dir.path(), "mail.example.com").expect("reload");
        assert_eq!(
            std::fs::read(dir.path().join("tls/self-signed.crt")).expect("cert"),
            pem
        );
    }

    #[test]
    fn refuses_half_a_configuration_and_broken_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cert = dir.path().join("c.pem");
        assert!(Tls::load(Some(&cert), None, dir.path(), "h").is_err());
        std::fs::write(&cert, "not a certificate").expect("write");
        let key = dir.path().join("k.pem");
        std::fs::write(&key, "not a key").expect("write");
        assert!(Tls::load(Some(&cert), Some(&key), dir.path(), "h").is_err());
    }
}
