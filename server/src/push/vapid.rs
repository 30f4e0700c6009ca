//! This server's VAPID key pair: made on first start and kept in the data directory, so
//! browsers' subscriptions (bound to the public key) survive restarts.

use std::path::Path;

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use web_push::{
    PartialVapidSignatureBuilder, SubscriptionInfo, VapidSignature, VapidSignatureBuilder,
};

const KEY_FILE: &str = "vapid-private-key";

pub struct VapidKeys {
    builder: PartialVapidSignatureBuilder,
    /// Signed tokens by push service origin: a token is valid for hours, and signing one
    /// per message would cost more than the encryption.
    signed:
        std::sync::Mutex<std::collections::HashMap<String, (VapidSignature, std::time::Instant)>>,
    /// `applicationServerKey` for browsers.
    pub public_key: String,
    /// The contact push services may write to (`mailto:`).
    subject: String,
}

impl std::fmt::Debug for VapidKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VapidKeys")
            .field("public_key", &self.public_key)
            .finish()
    }
}

impl VapidKeys {
    /// Loads the key from `data_dir`, making and saving one (readable by the owner only)
    /// the first time.
    pub fn load_or_create(data_dir: &Path, subject: String) -> anyhow::Result<VapidKeys> {
        let path = data_dir.join(KEY_FILE);
        let encoded = match std::fs::read_to_string(&path) {
            Ok(text) => text.trim().to_string(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let encoded = generate()?;
                write_private(&path, &encoded)
                    .with_context(|| format!("cannot save the VAPID key to {}", path.display()))?;
                encoded
            }
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        let builder = VapidSignatureBuilder::from_base64_no_sub(&encoded).map_err(|e| {
            anyhow::anyhow!("the VAPID key in {} is not valid: {e}", path.display())
        })?;
        let public_key = URL_SAFE_NO_PAD.encode(builder.get_public_key());
        Ok(VapidKeys {
            builder,
            signed: Default::default(),
            public_key,
            subject,
        })
    }

    pub fn signature(&self, info: &SubscriptionInfo) -> Result<VapidSignature, String> {
        // The audience is the push service's origin, port included (RFC 8292 §2); the
        // crate's default drops a non-default port.
        let origin = url::Url::parse(&info.endpoint)
            .map(|u| u.origin().ascii_serialization())
            .map_err(|_| "the push endpoint is not a URL".to_string())?;
        if let Ok(cache) = self.signed.lock()
            && let Some((sig, at)) = cache.get(&origin)
            && at.elapsed() < REUSE_FOR
        {
            return Ok(sig.clone());
        }
        let mut b = self.builder.clone().add_sub_info(info);
        b.add_claim("sub", self.subject.as_str());
        b.add_claim("aud", origin.as_str());
        let sig = b
            .build()
            .map_err(|e| format!("cannot sign for the push service: {e}"))?;
        if let Ok(mut cache) = self.signed.lock() {
            if cache.len() > 1000 {
                cache.clear(); // a handful of push services exist; never grow unbounded
            }
            cache.insert(origin, (sig.clone(), std::time::Instant::now()));
        }
        Ok(sig)
    }
}

/// How long a signed token is reused (they are valid for 12 hours).
const REUSE_FOR: std::time::Duration = std::time::Duration::from_secs(3600);

/// A random P-256 private key (32 bytes; the rare value outside the curve's order is
/// drawn again).
fn generate() -> anyhow::Result<String> {
    for _ in 0..16 {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let encoded = URL_SAFE_NO_PAD.encode(bytes);
        if VapidSignatureBuilder::from_base64_no_sub(&encoded).is_ok() {
            return Ok(encoded);
        }
    }
    anyhow::bail!("could not generate a VAPID key")
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(&tmp)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    std::fs::rename(tmp, path)
}
