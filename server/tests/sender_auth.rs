//! Who sent arriving mail: SPF, DKIM and DMARC checked against a real DNS server (dnsmasq
//! on loopback) with messages signed by dkimpy, an independent implementation. Forged mail
//! from a domain that publishes DMARC reject/quarantine gets a warning in the reader;
//! authenticated mail does not; every message records an `Authentication-Results`.

mod support;

use base64::Engine;
use ksuite_common::{MessageDetail, SenderWarning};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::EncodePublicKey;
use support::dns::Dns;
use support::{Client, SmtpConn, TestServer, rand_token, signed_in};

/// An RSA key for `signer.test`: its PEM file and its DNS record value.
fn signing_key(dir: &std::path::Path) -> (std::path::PathBuf, String) {
    let key = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 1024).expect("key");
    let pem = key
        .to_pkcs1_pem(rsa::pkcs8::LineEnding::LF)
        .expect("pem")
        .to_string();
    let path = dir.join("signer.pem");
    std::fs::write(&path, pem).expect("key file");
    let public = key.to_public_key().to_public_key_der().expect("der");
    let record = format!(
        "v=DKIM1; k=rsa; p={}",
        base64::engine::general_purpose::STANDARD.encode(public.as_bytes())
    );
    (path, record)
}

/// The message signed by dkimpy for `signer.test`.
fn dkim_signed(message: &str, key: &std::path::Path) -> String {
    let out = support::run_client(
        "dkim_sign.py",
        &["signer.test".as_ref(), "sel".as_ref(), key.as_os_str()],
        message.as_bytes(),
    );
    String::from_utf8(out).expect("utf-8")
}

fn message(from: &str, subject: &str) -> String {
    format!(
        "From: <{from}>\r\nTo: <ann@ksuite.test>\r\nSubject: {subject}\r\n\
         Message-ID: <{}@test>\r\n\r\nHello Ann.\r\n",
        rand_token()
    )
}

/// Delivers over SMTP from 127.0.0.1 with this envelope sender; the reader's view of it.
async fn arrive(
    s: &TestServer,
    ann: &Client,
    mail_from: &str,
    body: &str,
) -> (MessageDetail, String) {
    let (mut conn, _) = SmtpConn::open(s.smtp).await;
    let r = conn.deliver(mail_from, "ann@ksuite.test", body).await;
    assert!(r.starts_with("250"), "{r}");
    let _ = conn.cmd("QUIT").await;
    let subject = body
        .lines()
        .find_map(|l| l.strip_prefix("Subject: "))
        .expect("subject")
        .to_string();
    let inbox = support::mail_folder(ann, "inbox").await;
    let id = support::folder_messages(ann, inbox.id)
        .await
        .into_iter()
        .find(|m| m.subject == subject)
        .unwrap_or_else(|| panic!("{subject} arrived"))
        .id;
    let detail: MessageDetail = ann
        .get(&format!("/api/mail/messages/{id}"))
        .await
        .json()
        .await
        .expect("detail");
    let raw = support::raw_message(ann, id).await;
    (detail, raw)
}

/// The `Authentication-Results` this server added (the one before its `Received`).
fn our_results(raw: &str) -> String {
    let head = &raw[..raw.find("\r\nReceived: ").expect("our Received")];
    let start = head
        .find("Authentication-Results: ksuite.test;")
        .expect("Authentication-Results");
    head[start..].replace("\r\n\t", " ")
}

#[tokio::test(flavor = "multi_thread")]
async fn forged_mail_is_flagged_and_authenticated_mail_is_not() {
    let dir = tempfile::tempdir().expect("temp");
    let (key, record) = signing_key(dir.path());
    let dns = Dns::start(&[
        ("bank.test", "v=spf1 ip4:192.0.2.1 -all"),
        ("_dmarc.bank.test", "v=DMARC1; p=reject"),
        ("friend.test", "v=spf1 ip4:127.0.0.1 -all"),
        ("_dmarc.friend.test", "v=DMARC1; p=quarantine"),
        ("sel._domainkey.signer.test", &record),
        ("_dmarc.signer.test", "v=DMARC1; p=reject"),
        ("lax.test", "v=spf1 ip4:192.0.2.1 -all"),
        ("_dmarc.lax.test", "v=DMARC1; p=none"),
    ]);
    let dns_addr = dns.addr;
    let s = TestServer::start_with(move |c| {
        c.mail_domain = Some("ksuite.test".into());
        c.sender_auth_dns = ksuite_server::mail::sender_auth::DnsChoice::At(dns_addr);
    })
    .await;
    let ann = signed_in(&s, "ann@example.com").await;

    // Forged: sent from a server bank.test does not allow, not signed, p=reject. A
    // pasted-in "dmarc=pass" from the sender changes nothing.
    let forged = format!(
        "Authentication-Results: ksuite.test; dmarc=pass\r\n{}",
        message("security@bank.test", "Verify your account")
    );
    let (detail, raw) = arrive(&s, &ann, "alerts@bank.test", &forged).await;
    assert_eq!(detail.sender_warning, Some(SenderWarning::FailedDmarc));
    let results = our_results(&raw);
    assert!(results.contains("spf=fail"), "{results}");
    assert!(
        results.contains("dmarc=fail header.from=bank.test policy.dmarc=reject"),
        "{results}"
    );

    // SPF passes and aligns.
    let (detail, raw) = arrive(
        &s,
        &ann,
        "me@friend.test",
        &message("me@friend.test", "Lunch"),
    )
    .await;
    assert_eq!(detail.sender_warning, None);
    let results = our_results(&raw);
    assert!(results.contains("spf=pass"), "{results}");
    assert!(results.contains("dmarc=pass"), "{results}");

    // DKIM passes and aligns, though the envelope is another domain's.
    let signed = dkim_signed(&message("news@signer.test", "Signed news"), &key);
    let (detail, raw) = arrive(&s, &ann, "bounces@mailer.test", &signed).await;
    assert_eq!(detail.sender_warning, None);
    let results = our_results(&raw);
    assert!(results.contains("dkim=pass"), "{results}");
    assert!(results.contains("header.i=@signer.test"), "{results}");
    assert!(results.contains("dmarc=pass"), "{results}");

    // Changed on the way: the signature breaks, and with it DMARC.
    let tampered = dkim_signed(&message("news@signer.test", "Tampered news"), &key)
        .replace("Hello Ann.", "Pay this invoice.");
    let (detail, raw) = arrive(&s, &ann, "bounces@mailer.test", &tampered).await;
    assert_eq!(detail.sender_warning, Some(SenderWarning::FailedDmarc));
    let results = our_results(&raw);
    assert!(
        results.contains("dkim=neutral (body hash did not verify)"),
        "{results}"
    );
    assert!(results.contains("dmarc=fail"), "{results}");

    // A domain that only monitors (p=none), and one without any records: recorded, no
    // warning.
    let (detail, raw) = arrive(&s, &ann, "a@lax.test", &message("a@lax.test", "Lax")).await;
    assert_eq!(detail.sender_warning, None);
    assert!(our_results(&raw).contains("dmarc=fail header.from=lax.test policy.dmarc=none"));
    let (detail, raw) = arrive(&s, &ann, "a@plain.test", &message("a@plain.test", "Plain")).await;
    assert_eq!(detail.sender_warning, None);
    assert!(our_results(&raw).contains("dmarc=none"), "{raw}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_message_with_many_signatures_costs_a_bounded_number_of_lookups() {
    let dns = Dns::start(&[("_dmarc.many.test", "v=DMARC1; p=reject")]);
    let dns_addr = dns.addr;
    let s = TestServer::start_with(move |c| {
        c.mail_domain = Some("ksuite.test".into());
        c.sender_auth_dns = ksuite_server::mail::sender_auth::DnsChoice::At(dns_addr);
    })
    .await;
    let ann = signed_in(&s, "ann@example.com").await;
    // The right body hash, so each signature gets as far as asking DNS for its key.
    use sha2::Digest;
    let bh =
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(b"Hello Ann.\r\n"));
    let signatures: String = (0..200)
        .map(|i| {
            format!(
                "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=many.test; s=s{i}; \
                 h=from; bh={bh}; b=AAAA\r\n"
            )
        })
        .collect();
    let body = format!("{signatures}{}", message("x@many.test", "Many signatures"));
    let (detail, _) = arrive(&s, &ann, "x@many.test", &body).await;
    assert_eq!(detail.sender_warning, Some(SenderWarning::FailedDmarc));
    let asked = dns.queries_for("_domainkey.many.test");
    assert!(
        (1..=5).contains(&asked),
        "{asked} key lookups for one message"
    );
}
