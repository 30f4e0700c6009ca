//! When an automatic reply must stay silent (RFC 3834, as Sieve vacation applies it):
//! no reply to bounces, to other automatic mail, to lists and bulk mail, to role
//! senders, or to mail that does not name the address among its recipients.

use mail_parser::{HeaderValue, Message, MessageParser};

/// Why a message gets no automatic reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Silence {
    /// No return path: a bounce or a notice (`MAIL FROM:<>`).
    NoReturnPath,
    /// Sent by a program or another auto-responder (`Auto-Submitted`, `X-Autoreply`, …).
    Automatic,
    /// A mailing list (`List-*`) or bulk mail (`Precedence: bulk|list|junk`).
    ListOrBulk,
    /// From an address nobody reads (`mailer-daemon`, `owner-…`, `…-request`, `noreply`).
    RoleSender,
    /// The address is not in To, Cc or Resent-To/Cc (a Bcc or a list copy).
    NotAddressed,
}

const LIST_HEADERS: [&str; 7] = [
    "List-Id",
    "List-Unsubscribe",
    "List-Post",
    "List-Help",
    "List-Subscribe",
    "List-Owner",
    "List-Archive",
];

const AUTOMATIC_HEADERS: [&str; 3] = ["X-Autoreply", "X-Autorespond", "X-Auto-Reply-From"];

fn text<'a>(msg: &'a Message<'_>, name: &'a str) -> Option<&'a str> {
    match msg.header(name)? {
        HeaderValue::Text(t) => Some(t.as_ref()),
        _ => msg.header_raw(name),
    }
}

/// Whether a local part names a program or a list rather than a person.
fn is_role(sender: &str) -> bool {
    let local = sender
        .rsplit_once('@')
        .map_or(sender, |(l, _)| l)
        .to_lowercase();
    matches!(
        local.as_str(),
        "mailer-daemon" | "postmaster" | "listserv" | "majordomo" | "root"
    ) || local.starts_with("owner-")
        || local.ends_with("-request")
        || local.ends_with("-owner")
        || local.ends_with("-bounces")
        || ["noreply", "no-reply", "donotreply", "do-not-reply"]
            .iter()
            .any(|n| local.contains(n))
}

/// `local@domain` for `local+tag@domain` (sub-addressing delivers to the same address).
fn without_tag(address: &str) -> String {
    match address.rsplit_once('@') {
        Some((local, domain)) => match local.split_once('+') {
            Some((base, _)) if !base.is_empty() => format!("{base}@{domain}"),
            _ => address.to_string(),
        },
        None => address.to_string(),
    }
}

/// Whether one of `addresses` (lower-case) is among the message's visible recipients.
fn addressed_to(msg: &Message<'_>, addresses: &[String]) -> bool {
    let named = |value: Option<&HeaderValue<'_>>| {
        value.and_then(HeaderValue::as_address).is_some_and(|list| {
            list.iter().any(|a| {
                a.address().is_some_and(|x| {
                    let x = without_tag(x.trim());
                    addresses.iter().any(|own| own.eq_ignore_ascii_case(&x))
                })
            })
        })
    };
    ["To", "Cc", "Resent-To", "Resent-Cc"]
        .iter()
        .any(|h| msg.header_values(*h).any(|v| named(Some(v))))
}

/// Why the message (its header section) sent from `envelope_from` to one of
/// `addresses` gets no automatic reply; `None`: it gets one.
pub fn silence(head: &[u8], envelope_from: &str, addresses: &[String]) -> Option<Silence> {
    let sender = envelope_from.trim();
    if sender.is_empty() || !sender.contains('@') {
        return Some(Silence::NoReturnPath);
    }
    if is_role(sender) {
        return Some(Silence::RoleSender);
    }
    let Some(msg) = MessageParser::new().parse_headers(head) else {
        return Some(Silence::NotAddressed);
    };
    let auto = text(&msg, "Auto-Submitted").is_some_and(|v| {
        !v.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .eq_ignore_ascii_case("no")
    });
    let suppressed = text(&msg, "X-Auto-Response-Suppress").is_some_and(|v| {
        v.split(',').any(|t| {
            matches!(
                t.trim().to_lowercase().as_str(),
                "all" | "oof" | "autoreply"
            )
        })
    });
    if auto || suppressed || AUTOMATIC_HEADERS.iter().any(|h| msg.header(*h).is_some()) {
        return Some(Silence::Automatic);
    }
    let bulk = text(&msg, "Precedence")
        .is_some_and(|v| matches!(v.trim().to_lowercase().as_str(), "bulk" | "list" | "junk"));
    if bulk || LIST_HEADERS.iter().any(|h| msg.header(*h).is_some()) {
        return Some(Silence::ListOrBulk);
    }
    if !addressed_to(&msg, addresses) {
        return Some(Silence::NotAddressed);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn me() -> Vec<String> {
        vec!["ann@ksuite.test".to_string()]
    }

    fn check(headers: &str, from: &str) -> Option<Silence> {
        let head = format!("From: Zoe <zoe@example.org>\r\n{headers}Subject: hi\r\n\r\n");
        silence(head.as_bytes(), from, &me())
    }

    #[test]
    fn a_person_writing_to_the_address_gets_a_reply() {
        assert_eq!(
            check("To: ann+trips@ksuite.test\r\n", "zoe@example.org"),
            None
        );
        assert_eq!(
            check("To: Ann <ANN@ksuite.test>\r\n", "zoe@example.org"),
            None
        );
        assert_eq!(
            check(
                "To: x@y.z\r\nCc: ann@ksuite.test, b@c.d\r\n",
                "zoe@example.org"
            ),
            None
        );
        assert_eq!(
            check(
                "To: x@y.z\r\nResent-To: ann@ksuite.test\r\n",
                "zoe@example.org"
            ),
            None
        );
        assert_eq!(
            check(
                "To: ann@ksuite.test\r\nAuto-Submitted: no\r\n",
                "zoe@example.org"
            ),
            None
        );
    }

    #[test]
    fn automatic_list_bulk_and_role_mail_gets_none() {
        let to = "To: ann@ksuite.test\r\n";
        let cases = [
            ("", "", Silence::NoReturnPath),
            ("", "MAILER-DAEMON@example.org", Silence::RoleSender),
            ("", "owner-team@example.org", Silence::RoleSender),
            ("", "team-request@example.org", Silence::RoleSender),
            ("", "no-reply@shop.example", Silence::RoleSender),
            (
                "Auto-Submitted: auto-replied\r\n",
                "zoe@example.org",
                Silence::Automatic,
            ),
            (
                "Auto-Submitted: auto-generated; x\r\n",
                "zoe@example.org",
                Silence::Automatic,
            ),
            (
                "X-Autoreply: yes\r\n",
                "zoe@example.org",
                Silence::Automatic,
            ),
            (
                "X-Auto-Response-Suppress: OOF, DR\r\n",
                "zoe@example.org",
                Silence::Automatic,
            ),
            (
                "Precedence: bulk\r\n",
                "zoe@example.org",
                Silence::ListOrBulk,
            ),
            (
                "Precedence: LIST\r\n",
                "zoe@example.org",
                Silence::ListOrBulk,
            ),
            (
                "List-Id: <team.example.org>\r\n",
                "zoe@example.org",
                Silence::ListOrBulk,
            ),
            (
                "List-Unsubscribe: <mailto:u@example.org>\r\n",
                "zoe@example.org",
                Silence::ListOrBulk,
            ),
        ];
        for (headers, from, why) in cases {
            assert_eq!(
                check(&format!("{to}{headers}"), from),
                Some(why),
                "{headers} {from}"
            );
        }
    }

    #[test]
    fn a_copy_that_does_not_name_the_address_gets_none() {
        assert_eq!(
            check("To: team@example.org\r\n", "zoe@example.org"),
            Some(Silence::NotAddressed)
        );
        assert_eq!(
            check("To: anna@ksuite.test\r\n", "zoe@example.org"),
            Some(Silence::NotAddressed)
        );
    }
}
