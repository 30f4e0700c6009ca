//! One IMAP connection: the state machine of RFC 3501 §3 (not authenticated,
//! authenticated, selected, logout) and one handler per command. Refusals are complete
//! tagged answers with a response code (RFC 5530) saying why; a client that keeps sending
//! bad commands, stays silent too long, or sends what cannot be framed is told BYE.

use std::borrow::Cow;
use std::collections::HashSet;
use std::net::IpAddr;
use std::num::{NonZeroU32, NonZeroU64};

use imap_codec::imap_types::auth::{AuthMechanism, AuthenticateData};
use imap_codec::imap_types::command::{
    Command, CommandBody, FetchModifier, SelectParameter, StoreModifier,
};
use imap_codec::imap_types::core::{AString, Atom, IString, NString, QuotedChar, Tag, Vec1};
use imap_codec::imap_types::extensions::enable::CapabilityEnable;
use imap_codec::imap_types::extensions::namespace::Namespace;
use imap_codec::imap_types::extensions::uidplus::{UidElement, UidSet};
use imap_codec::imap_types::flag::{Flag, FlagNameAttribute, FlagPerm, StoreResponse, StoreType};
use imap_codec::imap_types::mailbox::{ListMailbox, Mailbox};
use imap_codec::imap_types::response::{
    Capability, Code, CodeOther, Data, Greeting, GreetingKind, Response, Status,
};
use imap_codec::imap_types::sequence::SequenceSet;
use imap_codec::imap_types::status::{StatusDataItem, StatusDataItemName};
use ksuite_common::DeviceProtocol;

use super::ImapContext;
use super::changes::{self, Refusal};
use super::conn::{Closed, Incoming, Wire};
use super::fetch::{self, Target};
use super::folders::{self, Folder};
use super::messages::{self, Flags, Msg};
use super::names::{self, DELIMITER, SHARED_PREFIX};
use super::search;
use super::selected::{Selected, in_set, uid_set};
use crate::auth::device::{self, DeviceAuthError};
use crate::error::ApiError;
use crate::tcp::Slot;

/// What to do after a command.
enum Flow {
    Continue,
    Logout,
}

struct User {
    id: i64,
    _slot: Slot<i64>,
}

struct Session<'a> {
    ctx: &'a ImapContext,
    peer: IpAddr,
    user: Option<User>,
    selected: Option<Selected>,
    condstore: bool,
    qresync: bool,
    utf8: bool,
    bad: u32,
}

fn code(name: &'static str) -> Code<'static> {
    Code::Other(CodeOther::unvalidated(name.as_bytes()))
}

/// A one-line human text (no line breaks; never empty).
fn line(text: &str) -> String {
    let t: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let t = t.trim();
    if t.is_empty() {
        "Done".into()
    } else {
        t.to_string()
    }
}

fn tagged(wire: &mut Wire, status: Result<Status<'_>, impl std::fmt::Debug>) {
    if let Ok(s) = status {
        wire.send_status(s);
    }
}

fn ok(wire: &mut Wire, tag: &Tag<'static>, code: Option<Code<'static>>, text: &str) {
    tagged(wire, Status::ok(Some(tag.clone()), code, line(text)));
}

fn no(wire: &mut Wire, tag: &Tag<'static>, code: Option<Code<'static>>, text: &str) {
    tagged(wire, Status::no(Some(tag.clone()), code, line(text)));
}

fn bad(wire: &mut Wire, tag: Option<&Tag<'static>>, text: &str) {
    tagged(wire, Status::bad(tag.cloned(), None, line(text)));
}

fn untagged_ok(wire: &mut Wire, code: Option<Code<'static>>, text: &str) {
    tagged(wire, Status::ok(None, code, line(text)));
}

fn bye(wire: &mut Wire, text: &str) {
    tagged(wire, Status::bye(None, line(text)));
}

fn data(wire: &mut Wire, d: Data<'static>) {
    wire.send(&Response::Data(d));
}

fn atom(s: &str) -> Option<Atom<'static>> {
    Atom::try_from(s.to_string()).ok()
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

fn nz64(n: i64) -> NonZeroU64 {
    NonZeroU64::new(u64::try_from(n).unwrap_or(0)).unwrap_or(NonZeroU64::MIN)
}

/// Runs a connection to its end.
pub async fn run(ctx: &ImapContext, mut wire: Wire, peer: IpAddr, mut stop: crate::jobs::Stop) {
    let mut s = Session {
        ctx,
        peer,
        user: None,
        selected: None,
        condstore: false,
        qresync: false,
        utf8: false,
        bad: 0,
    };
    let caps = s.capabilities(&wire);
    if let Ok(g) = Greeting::new(
        GreetingKind::Ok,
        Vec1::try_from(caps).ok().map(Code::Capability),
        "ksuite IMAP ready",
    ) {
        wire.send_greeting(&g);
    }
    loop {
        let timeout = if s.user.is_some() {
            ctx.limits.idle_timeout
        } else {
            ctx.limits.login_timeout
        };
        let incoming = tokio::select! {
            r = wire.command(timeout) => r,
            _ = stop.stopped() => {
                bye(&mut wire, "Server shutting down, reconnect shortly");
                let _ = wire.flush().await;
                return;
            }
        };
        match incoming {
            Err(Closed::Gone) => return,
            Err(Closed::TimedOut) => {
                bye(&mut wire, "Autologout: idle for too long");
                let _ = wire.flush().await;
                return;
            }
            Err(Closed::Unframeable(why)) => {
                bye(&mut wire, why);
                let _ = wire.flush().await;
                return;
            }
            Ok(Incoming::Bad(tag, why)) => {
                bad(&mut wire, tag.as_ref(), why);
                if s.count_bad(&mut wire) {
                    let _ = wire.flush().await;
                    return;
                }
            }
            Ok(Incoming::Message(cmd)) => {
                let tag = cmd.tag.clone();
                let flow = match s.handle(&mut wire, cmd, &mut stop).await {
                    Ok(flow) => flow,
                    Err(e) => {
                        tracing::error!(error = %e.message, "IMAP command failed");
                        no(
                            &mut wire,
                            &tag,
                            Some(code("SERVERBUG")),
                            "Temporary server failure, try again",
                        );
                        Flow::Continue
                    }
                };
                wire.held = None;
                if matches!(flow, Flow::Logout) {
                    let _ = wire.flush().await;
                    return;
                }
            }
        }
        if wire.flush().await.is_err() {
            return;
        }
    }
}

impl Session<'_> {
    /// Counts a bad or refused command; `true` when the connection must end.
    fn count_bad(&mut self, wire: &mut Wire) -> bool {
        self.bad += 1;
        if self.bad >= self.ctx.limits.max_bad_commands {
            bye(wire, "Too many bad commands, closing");
            return true;
        }
        false
    }

    fn may_authenticate(&self, wire: &Wire) -> bool {
        wire.conn.is_tls() || self.ctx.limits.allow_plaintext_auth
    }

    fn capabilities(&self, wire: &Wire) -> Vec<Capability<'static>> {
        let mut caps = vec![Capability::Imap4Rev1];
        let extra = |names: &[&str], caps: &mut Vec<Capability<'static>>| {
            caps.extend(names.iter().filter_map(|n| atom(n)).map(Capability::from));
        };
        if self.user.is_none() {
            if !wire.conn.is_tls() {
                extra(&["STARTTLS"], &mut caps);
            }
            if self.may_authenticate(wire) {
                extra(&["AUTH=PLAIN", "SASL-IR"], &mut caps);
            } else {
                extra(&["LOGINDISABLED"], &mut caps);
            }
            extra(&["LITERAL+", "ID", "ENABLE", "IDLE"], &mut caps);
        } else {
            extra(
                &[
                    "LITERAL+",
                    "ID",
                    "ENABLE",
                    "IDLE",
                    "NAMESPACE",
                    "UNSELECT",
                    "UIDPLUS",
                    "MOVE",
                    "CONDSTORE",
                    "QRESYNC",
                    "SPECIAL-USE",
                ],
                &mut caps,
            );
        }
        caps
    }

    async fn handle(
        &mut self,
        wire: &mut Wire,
        cmd: Command<'static>,
        stop: &mut crate::jobs::Stop,
    ) -> Result<Flow, ApiError> {
        let tag = cmd.tag;
        use CommandBody as C;
        // Commands of any state.
        match cmd.body {
            C::Capability => {
                let caps = self.capabilities(wire);
                if let Ok(d) = Data::capability(caps) {
                    data(wire, d);
                }
                ok(wire, &tag, None, "CAPABILITY completed");
                Ok(Flow::Continue)
            }
            C::Noop => {
                self.sync(wire, true).await?;
                ok(wire, &tag, None, "NOOP completed");
                Ok(Flow::Continue)
            }
            C::Logout => {
                bye(wire, "Logging out");
                ok(wire, &tag, None, "LOGOUT completed");
                Ok(Flow::Logout)
            }
            C::Id { .. } => {
                data(
                    wire,
                    Data::Id {
                        parameters: Some(vec![
                            (
                                IString::try_from("name").map_err(ApiError::internal)?,
                                nstr("ksuite"),
                            ),
                            (
                                IString::try_from("version").map_err(ApiError::internal)?,
                                nstr(env!("CARGO_PKG_VERSION")),
                            ),
                        ]),
                    },
                );
                ok(wire, &tag, None, "ID completed");
                Ok(Flow::Continue)
            }
            C::StartTLS => {
                if wire.conn.is_tls() {
                    bad(wire, Some(&tag), "The connection is already encrypted");
                    self.count_bad(wire);
                    return Ok(Flow::Continue);
                }
                if self.user.is_some() {
                    bad(
                        wire,
                        Some(&tag),
                        "STARTTLS is only allowed before signing in",
                    );
                    return Ok(Flow::Continue);
                }
                ok(wire, &tag, None, "Begin TLS negotiation now");
                wire.flush().await.map_err(ApiError::internal)?;
                // Anything sent after STARTTLS in clear is dropped (command injection).
                wire.reset_input();
                let acceptor = self.ctx.tls.acceptor();
                if let Err(e) = wire.conn.upgrade(&acceptor).await {
                    tracing::debug!(peer = %self.peer, error = %e, "IMAP STARTTLS handshake failed");
                    return Ok(Flow::Logout);
                }
                Ok(Flow::Continue)
            }
            C::Login { username, password } => {
                let user = String::from_utf8_lossy(username.as_ref()).into_owned();
                let secret = String::from_utf8_lossy(password.declassify().as_ref()).into_owned();
                self.sign_in(wire, &tag, &user, &secret).await;
                Ok(Flow::Continue)
            }
            C::Authenticate {
                mechanism,
                initial_response,
            } => {
                self.authenticate(
                    wire,
                    &tag,
                    mechanism,
                    initial_response.map(|r| r.declassify().to_vec()),
                )
                .await?;
                Ok(Flow::Continue)
            }
            body => {
                if self.user.is_none() {
                    bad(wire, Some(&tag), "Sign in first (LOGIN or AUTHENTICATE)");
                    self.count_bad(wire);
                    return Ok(Flow::Continue);
                }
                self.authenticated(wire, tag, body, stop).await
            }
        }
    }

    async fn sign_in(&mut self, wire: &mut Wire, tag: &Tag<'static>, user: &str, secret: &str) {
        if self.user.is_some() {
            bad(wire, Some(tag), "Already signed in");
            return;
        }
        if !self.may_authenticate(wire) {
            no(
                wire,
                tag,
                Some(code("PRIVACYREQUIRED")),
                "Use STARTTLS (or the IMAPS port) before signing in",
            );
            self.count_bad(wire);
            return;
        }
        let state = &self.ctx.state;
        match device::sign_in(state, user, secret, self.peer, DeviceProtocol::Imap).await {
            Ok(id) => {
                let Some(slot) = self.ctx.per_user.admit_key_only(id) else {
                    no(
                        wire,
                        tag,
                        Some(code("LIMIT")),
                        "Too many connections for this account; close some and retry",
                    );
                    return;
                };
                self.user = Some(User { id, _slot: slot });
                let caps = self.capabilities(wire);
                ok(
                    wire,
                    tag,
                    Vec1::try_from(caps).ok().map(Code::Capability),
                    "Signed in",
                );
            }
            Err(DeviceAuthError::Refused) => {
                no(
                    wire,
                    tag,
                    Some(code("AUTHENTICATIONFAILED")),
                    "Wrong e-mail address or password (use an application password when 2FA is on)",
                );
                self.count_bad(wire);
            }
            Err(DeviceAuthError::Throttled(wait)) => {
                no(
                    wire,
                    tag,
                    Some(code("UNAVAILABLE")),
                    &format!("Too many failed attempts; try again in {wait} seconds"),
                );
                self.count_bad(wire);
            }
            Err(DeviceAuthError::Internal(e)) => {
                tracing::error!(error = %e.message, "IMAP sign-in failed");
                no(
                    wire,
                    tag,
                    Some(code("UNAVAILABLE")),
                    "Temporary failure, try again",
                );
            }
        }
    }

    /// AUTHENTICATE PLAIN (RFC 4616), with the initial response inline (SASL-IR) or after
    /// a continuation.
    async fn authenticate(
        &mut self,
        wire: &mut Wire,
        tag: &Tag<'static>,
        mechanism: AuthMechanism<'static>,
        initial: Option<Vec<u8>>,
    ) -> Result<(), ApiError> {
        if !matches!(mechanism, AuthMechanism::Plain) {
            no(
                wire,
                tag,
                Some(code("CANNOT")),
                "Only AUTHENTICATE PLAIN is supported",
            );
            return Ok(());
        }
        if !self.may_authenticate(wire) {
            no(
                wire,
                tag,
                Some(code("PRIVACYREQUIRED")),
                "Use STARTTLS (or the IMAPS port) before signing in",
            );
            self.count_bad(wire);
            return Ok(());
        }
        let response = match initial {
            Some(r) => r,
            None => {
                wire.send_continue("");
                match wire.authenticate_data(self.ctx.limits.login_timeout).await {
                    Ok(Incoming::Message(AuthenticateData::Continue(d))) => d.declassify().to_vec(),
                    Ok(Incoming::Message(AuthenticateData::Cancel)) => {
                        bad(wire, Some(tag), "Authentication cancelled");
                        return Ok(());
                    }
                    Ok(Incoming::Bad(..)) | Err(_) => {
                        bad(wire, Some(tag), "Could not read the authentication data");
                        self.count_bad(wire);
                        return Ok(());
                    }
                }
            }
        };
        // authzid \0 authcid \0 password; an authzid other than the user is refused.
        let mut parts = response.split(|b| *b == 0);
        let (Some(authz), Some(user), Some(pass), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            bad(wire, Some(tag), "Malformed PLAIN credentials");
            self.count_bad(wire);
            return Ok(());
        };
        let user = String::from_utf8_lossy(user).into_owned();
        if !authz.is_empty() && !String::from_utf8_lossy(authz).eq_ignore_ascii_case(&user) {
            no(
                wire,
                tag,
                Some(code("AUTHORIZATIONFAILED")),
                "Signing in as another user is not allowed",
            );
            return Ok(());
        }
        let pass = String::from_utf8_lossy(pass).into_owned();
        self.sign_in(wire, tag, &user, &pass).await;
        Ok(())
    }

    fn user_id(&self) -> i64 {
        self.user.as_ref().map_or(0, |u| u.id)
    }

    fn mailbox_name(&self, m: &Mailbox<'_>) -> Option<String> {
        match m {
            Mailbox::Inbox => Some("INBOX".into()),
            Mailbox::Other(o) => {
                let name = names::decode(o.as_ref(), self.utf8)?;
                Some(names::normalize(name.trim_end_matches(DELIMITER)))
            }
        }
    }

    fn wire_mailbox(&self, name: &str) -> Mailbox<'static> {
        if name == "INBOX" {
            return Mailbox::Inbox;
        }
        let encoded = names::encode(name, self.utf8);
        AString::try_from(encoded)
            .ok()
            .map(Mailbox::from)
            .unwrap_or(Mailbox::Inbox)
    }

    async fn folder(&self, m: &Mailbox<'_>) -> Result<Option<Folder>, ApiError> {
        let Some(name) = self.mailbox_name(m) else {
            return Ok(None);
        };
        let all = folders::list(&self.ctx.state.db, self.user_id()).await?;
        Ok(folders::find(&all, &name).cloned())
    }

    async fn authenticated(
        &mut self,
        wire: &mut Wire,
        tag: Tag<'static>,
        body: CommandBody<'static>,
        stop: &mut crate::jobs::Stop,
    ) -> Result<Flow, ApiError> {
        use CommandBody as C;
        let db = self.ctx.state.db.clone();
        match body {
            C::Enable { capabilities } => {
                let mut enabled = Vec::new();
                for c in capabilities.as_ref() {
                    match c {
                        CapabilityEnable::CondStore => {
                            self.condstore = true;
                            enabled.push(c.clone());
                        }
                        CapabilityEnable::Other(_)
                            if c.to_string().eq_ignore_ascii_case("QRESYNC") =>
                        {
                            self.qresync = true;
                            self.condstore = true;
                            enabled.push(c.clone());
                        }
                        _ => {}
                    }
                }
                data(
                    wire,
                    Data::Enabled {
                        capabilities: enabled,
                    },
                );
                ok(wire, &tag, None, "ENABLE completed");
            }
            C::Namespace => {
                let ns = |prefix: &str| -> Vec<Namespace<'static>> {
                    IString::try_from(prefix.to_string())
                        .map(|p| vec![Namespace::new(p, QuotedChar::try_from(DELIMITER).ok())])
                        .unwrap_or_default()
                };
                data(
                    wire,
                    Data::Namespace {
                        personal: ns(""),
                        other: Vec::new(),
                        shared: ns(&format!("{SHARED_PREFIX}{DELIMITER}")),
                    },
                );
                ok(wire, &tag, None, "NAMESPACE completed");
            }
            C::Select {
                mailbox,
                parameters,
            } => {
                self.select(wire, &tag, &mailbox, false, parameters).await?;
            }
            C::Examine {
                mailbox,
                parameters,
            } => {
                self.select(wire, &tag, &mailbox, true, parameters).await?;
            }
            C::Create { mailbox } => self.create(wire, &tag, &mailbox).await?,
            C::Delete { mailbox } => match self.folder(&mailbox).await? {
                None => no(wire, &tag, Some(code("NONEXISTENT")), "No such folder"),
                Some(f) => {
                    match crate::mail::folders::delete_folder(&db, self.user_id(), f.id).await {
                        Ok(()) => {
                            if self.selected.as_ref().is_some_and(|s| s.folder.id == f.id) {
                                self.selected = None;
                            }
                            ok(
                                wire,
                                &tag,
                                None,
                                "Folder deleted; its messages are in the Trash",
                            )
                        }
                        Err(e) if e.status.is_client_error() => {
                            no(wire, &tag, Some(code("CANNOT")), &e.message)
                        }
                        Err(e) => return Err(e),
                    }
                }
            },
            C::Rename { from, to } => self.rename(wire, &tag, &from, &to).await?,
            C::Subscribe { .. } | C::Unsubscribe { .. } => {
                // Every folder is subscribed; the list of folders is the server's.
                ok(wire, &tag, None, "Done");
            }
            C::List {
                reference,
                mailbox_wildcard,
            } => {
                self.list(wire, &tag, &reference, &mailbox_wildcard, false)
                    .await?
            }
            C::Lsub {
                reference,
                mailbox_wildcard,
            } => {
                self.list(wire, &tag, &reference, &mailbox_wildcard, true)
                    .await?
            }
            C::Status {
                mailbox,
                item_names,
            } => self.status(wire, &tag, &mailbox, &item_names).await?,
            C::Append {
                mailbox,
                flags,
                date,
                message,
            } => {
                let Some(folder) = self.folder(&mailbox).await? else {
                    no(wire, &tag, Some(code("TRYCREATE")), "No such folder");
                    return Ok(Flow::Continue);
                };
                let bytes: Cow<'_, [u8]> = match &message {
                    imap_codec::imap_types::extensions::binary::LiteralOrLiteral8::Literal(l) => {
                        Cow::Borrowed(l.data())
                    }
                    imap_codec::imap_types::extensions::binary::LiteralOrLiteral8::Literal8(l) => {
                        Cow::Borrowed(l.data.as_ref())
                    }
                };
                let Some(new_flags) = flags_from(&Flags::default(), StoreType::Replace, &flags)
                else {
                    no(
                        wire,
                        &tag,
                        Some(code("LIMIT")),
                        "Too many or too long keywords",
                    );
                    return Ok(Flow::Continue);
                };
                let date = date.map(|d| d.as_ref().timestamp());
                match changes::append(&self.ctx.state, &folder, &bytes, &new_flags, date).await? {
                    Ok(uid) => {
                        self.sync(wire, true).await?;
                        ok(
                            wire,
                            &tag,
                            Some(Code::AppendUid {
                                uid_validity: nz(folder.uidvalidity),
                                uid: nz(uid),
                            }),
                            "APPEND completed",
                        );
                    }
                    Err(r) => refuse(wire, &tag, r),
                }
            }
            C::Idle => return self.idle(wire, &tag, stop).await,
            C::Check => {
                if self.selected.is_none() {
                    bad(wire, Some(&tag), "Select a folder first");
                } else {
                    self.sync(wire, true).await?;
                    ok(wire, &tag, None, "CHECK completed");
                }
            }
            C::Close | C::Unselect => {
                let close = matches!(body, C::Close);
                let Some(sel) = self.selected.take() else {
                    bad(wire, Some(&tag), "No folder is selected");
                    return Ok(Flow::Continue);
                };
                if close && !sel.read_only {
                    let rows = self.rows(&sel, &all_uids(&sel)).await?;
                    // CLOSE expunges silently (RFC 3501 §6.4.2).
                    let _ = changes::expunge(&self.ctx.state, &sel.folder, &rows).await?;
                }
                ok(wire, &tag, None, "Folder closed");
            }
            C::Expunge | C::ExpungeUid { .. } => {
                let set = match body {
                    C::ExpungeUid { sequence_set } => Some(sequence_set),
                    _ => None,
                };
                let Some(sel) = self.selected.as_ref() else {
                    bad(wire, Some(&tag), "Select a folder first");
                    return Ok(Flow::Continue);
                };
                if sel.read_only {
                    no(wire, &tag, Some(code("NOPERM")), "The folder is read-only");
                    return Ok(Flow::Continue);
                }
                let targets = match &set {
                    Some(s) => sel.resolve(s, true),
                    None => all_uids(sel),
                };
                let rows = self.rows(sel, &targets).await?;
                let folder = sel.folder.clone();
                match changes::expunge(&self.ctx.state, &folder, &rows).await? {
                    Ok(()) => {
                        self.sync(wire, true).await?;
                        ok(wire, &tag, None, "EXPUNGE completed");
                    }
                    Err(r) => refuse(wire, &tag, r),
                }
            }
            C::Search {
                charset,
                criteria,
                uid,
            } => {
                if let Some(c) = &charset
                    && !matches!(
                        c.as_ref().to_ascii_uppercase().as_str(),
                        "UTF-8" | "US-ASCII"
                    )
                {
                    no(
                        wire,
                        &tag,
                        Some(Code::BadCharset {
                            allowed: Vec::new(),
                        }),
                        "Only UTF-8 and US-ASCII searches are supported",
                    );
                    return Ok(Flow::Continue);
                }
                self.search(wire, &tag, criteria.as_ref(), uid).await?;
            }
            C::Fetch {
                sequence_set,
                macro_or_item_names,
                uid,
                modifiers,
            } => {
                self.fetch(
                    wire,
                    &tag,
                    &sequence_set,
                    macro_or_item_names,
                    uid,
                    &modifiers,
                )
                .await?;
            }
            C::Store {
                sequence_set,
                kind,
                response,
                flags,
                uid,
                modifiers,
            } => {
                self.store(
                    wire,
                    &tag,
                    &sequence_set,
                    kind,
                    response,
                    &flags,
                    uid,
                    &modifiers,
                )
                .await?;
            }
            C::Copy {
                sequence_set,
                mailbox,
                uid,
            } => {
                self.copy_or_move(wire, &tag, &sequence_set, &mailbox, uid, false)
                    .await?
            }
            C::Move {
                sequence_set,
                mailbox,
                uid,
            } => {
                self.copy_or_move(wire, &tag, &sequence_set, &mailbox, uid, true)
                    .await?
            }
            other => {
                bad(
                    wire,
                    Some(&tag),
                    &format!("{} is not supported", other.name()),
                );
                self.count_bad(wire);
            }
        }
        Ok(Flow::Continue)
    }

    /// The index rows of `(seq, uid)` targets, in their order.
    async fn rows(&self, sel: &Selected, targets: &[(u32, u32)]) -> Result<Vec<Msg>, ApiError> {
        let (Some(first), Some(last)) = (targets.first(), targets.last()) else {
            return Ok(Vec::new());
        };
        let wanted: HashSet<u32> = targets.iter().map(|t| t.1).collect();
        let rows =
            messages::in_uid_range(&self.ctx.state.db, sel.folder.id, first.1, last.1).await?;
        Ok(rows
            .into_iter()
            .filter(|m| u32::try_from(m.uid).is_ok_and(|u| wanted.contains(&u)))
            .collect())
    }

    /// Tells the client what changed in the selected folder since it last heard:
    /// messages that left (EXPUNGE, or VANISHED with QRESYNC), new ones (EXISTS) and
    /// flag changes (FETCH). Only between commands where EXPUNGE is allowed.
    async fn sync(&mut self, wire: &mut Wire, expunge_allowed: bool) -> Result<(), ApiError> {
        if !expunge_allowed {
            return Ok(());
        }
        let db = self.ctx.state.db.clone();
        let Some(sel) = self.selected.as_mut() else {
            return Ok(());
        };
        let (highest, _) = messages::folder_state(&db, sel.folder.id).await?;
        if highest <= sel.modseq {
            return Ok(());
        }
        let now = messages::live_uids(&db, sel.folder.id).await?;
        let now_set: HashSet<u32> = now.iter().copied().collect();
        let before: HashSet<u32> = sel.uids.iter().copied().collect();
        let gone: Vec<u32> = sel
            .uids
            .iter()
            .copied()
            .filter(|u| !now_set.contains(u))
            .collect();
        if !gone.is_empty() {
            if self.qresync {
                if let Some(set) = uid_set(&gone) {
                    data(
                        wire,
                        Data::Vanished {
                            earlier: false,
                            known_uids: set,
                        },
                    );
                }
            } else {
                for (i, uid) in sel.uids.iter().enumerate().rev() {
                    if !now_set.contains(uid) {
                        data(wire, Data::Expunge(nz(u32::try_from(i + 1).unwrap_or(1))));
                    }
                }
            }
        }
        let added = now.iter().any(|u| !before.contains(u));
        sel.uids = now;
        if added {
            data(
                wire,
                Data::Exists(u32::try_from(sel.uids.len()).unwrap_or(u32::MAX)),
            );
        }
        let changed = messages::changed_since(&db, sel.folder.id, sel.modseq).await?;
        for m in changed {
            let Some(uid) = u32::try_from(m.uid).ok().filter(|u| before.contains(u)) else {
                continue;
            };
            let Some(seq) = sel.seq_of(uid) else { continue };
            let mut items = vec![
                imap_codec::imap_types::fetch::MessageDataItem::Uid(nz(uid)),
                imap_codec::imap_types::fetch::MessageDataItem::Flags(fetch::flag_list(
                    &Flags::of(&m),
                )),
            ];
            if self.condstore {
                items.push(imap_codec::imap_types::fetch::MessageDataItem::ModSeq(
                    nz64(m.modseq),
                ));
            }
            if let Ok(items) = Vec1::try_from(items) {
                data(
                    wire,
                    Data::Fetch {
                        seq: nz(seq),
                        items,
                    },
                );
            }
        }
        sel.modseq = highest;
        Ok(())
    }

    async fn select(
        &mut self,
        wire: &mut Wire,
        tag: &Tag<'static>,
        mailbox: &Mailbox<'static>,
        examine: bool,
        parameters: Vec<SelectParameter>,
    ) -> Result<(), ApiError> {
        if self.selected.take().is_some() && self.qresync {
            untagged_ok(wire, Some(code("CLOSED")), "Previous folder closed");
        }
        let Some(folder) = self.folder(mailbox).await? else {
            no(wire, tag, Some(code("NONEXISTENT")), "No such folder");
            return Ok(());
        };
        let db = &self.ctx.state.db;
        let mut qresync = None;
        for p in parameters {
            match p {
                SelectParameter::CondStore => self.condstore = true,
                SelectParameter::QResync {
                    uid_validity,
                    mod_sequence_value,
                    known_uids,
                    ..
                } => {
                    if !self.qresync {
                        bad(wire, Some(tag), "ENABLE QRESYNC first");
                        return Ok(());
                    }
                    qresync = Some((uid_validity, mod_sequence_value, known_uids));
                }
            }
        }
        let (highest, uidnext) = messages::folder_state(db, folder.id).await?;
        let uids = messages::live_uids(db, folder.id).await?;
        let counts = messages::counts(db, folder.id).await?;
        let read_only = examine || !folder.writable;
        let system = vec![
            Flag::Answered,
            Flag::Flagged,
            Flag::Deleted,
            Flag::Seen,
            Flag::Draft,
        ];
        let mut known_flags = system.clone();
        known_flags.extend(
            ["$Forwarded", "$Junk", "$NotJunk"]
                .iter()
                .filter_map(|k| atom(k))
                .map(Flag::Keyword),
        );
        data(wire, Data::Flags(known_flags.clone()));
        data(
            wire,
            Data::Exists(u32::try_from(uids.len()).unwrap_or(u32::MAX)),
        );
        data(wire, Data::Recent(0));
        let perm: Vec<FlagPerm<'static>> = if read_only {
            Vec::new()
        } else {
            known_flags
                .into_iter()
                .map(FlagPerm::Flag)
                .chain(std::iter::once(FlagPerm::Asterisk))
                .collect()
        };
        untagged_ok(wire, Some(Code::PermanentFlags(perm)), "Flags");
        let sel = Selected {
            folder: folder.clone(),
            read_only,
            uids,
            modseq: highest,
        };
        if let Some(first) = counts.first_unseen_uid.and_then(|u| sel.seq_of(u)) {
            untagged_ok(wire, Some(Code::Unseen(nz(first))), "First unseen");
        }
        untagged_ok(
            wire,
            Some(Code::UidValidity(nz(folder.uidvalidity))),
            "UIDs valid",
        );
        untagged_ok(
            wire,
            Some(Code::UidNext(
                nz(u32::try_from(uidnext).unwrap_or(u32::MAX)),
            )),
            "Predicted next UID",
        );
        untagged_ok(wire, Some(Code::HighestModSeq(nz64(highest))), "Highest");
        if let Some((validity, since, known)) = qresync
            && validity.get() == folder.uidvalidity
        {
            let since = i64::try_from(since.get()).unwrap_or(i64::MAX);
            let max = sel.max_uid().max(1);
            let vanished: Vec<u32> = messages::vanished_since(db, folder.id, since)
                .await?
                .into_iter()
                .filter(|u| known.as_ref().is_none_or(|k| in_set(k, *u, max)))
                .collect();
            if let Some(set) = uid_set(&vanished) {
                data(
                    wire,
                    Data::Vanished {
                        earlier: true,
                        known_uids: set,
                    },
                );
            }
            for m in messages::changed_since(db, folder.id, since).await? {
                let Some(uid) = u32::try_from(m.uid).ok() else {
                    continue;
                };
                let Some(seq) = sel.seq_of(uid) else { continue };
                let items = vec![
                    imap_codec::imap_types::fetch::MessageDataItem::Uid(nz(uid)),
                    imap_codec::imap_types::fetch::MessageDataItem::Flags(fetch::flag_list(
                        &Flags::of(&m),
                    )),
                    imap_codec::imap_types::fetch::MessageDataItem::ModSeq(nz64(m.modseq)),
                ];
                if let Ok(items) = Vec1::try_from(items) {
                    data(
                        wire,
                        Data::Fetch {
                            seq: nz(seq),
                            items,
                        },
                    );
                }
            }
        }
        self.selected = Some(sel);
        let (c, text) = if read_only {
            (
                Code::ReadOnly,
                if examine {
                    "EXAMINE completed"
                } else {
                    "Read-only: you may read this folder but not change it"
                },
            )
        } else {
            (Code::ReadWrite, "SELECT completed")
        };
        ok(wire, tag, Some(c), text);
        Ok(())
    }

    async fn create(
        &mut self,
        wire: &mut Wire,
        tag: &Tag<'static>,
        mailbox: &Mailbox<'_>,
    ) -> Result<(), ApiError> {
        let Some(name) = self.mailbox_name(mailbox) else {
            bad(wire, Some(tag), "Invalid folder name");
            return Ok(());
        };
        let all = folders::list(&self.ctx.state.db, self.user_id()).await?;
        if all.iter().any(|f| f.name == name) {
            no(wire, tag, Some(code("ALREADYEXISTS")), "The folder exists");
            return Ok(());
        }
        let Some((address_id, parent, leaf)) = folders::parent_of(&all, &name) else {
            no(
                wire,
                tag,
                Some(code("NONEXISTENT")),
                "Create the parent folder first",
            );
            return Ok(());
        };
        match crate::mail::folders::create_folder(
            &self.ctx.state.db,
            self.user_id(),
            address_id,
            parent,
            leaf,
        )
        .await
        {
            Ok(_) => ok(wire, tag, None, "CREATE completed"),
            Err(e) if e.status.is_client_error() => no(wire, tag, Some(code("CANNOT")), &e.message),
            Err(e) => return Err(e),
        }
        Ok(())
    }

    async fn rename(
        &mut self,
        wire: &mut Wire,
        tag: &Tag<'static>,
        from: &Mailbox<'_>,
        to: &Mailbox<'_>,
    ) -> Result<(), ApiError> {
        let (Some(_), Some(new_name)) = (self.mailbox_name(from), self.mailbox_name(to)) else {
            bad(wire, Some(tag), "Invalid folder name");
            return Ok(());
        };
        let all = folders::list(&self.ctx.state.db, self.user_id()).await?;
        let Some(folder) = self.folder(from).await? else {
            no(wire, tag, Some(code("NONEXISTENT")), "No such folder");
            return Ok(());
        };
        if all.iter().any(|f| f.name == new_name) {
            no(
                wire,
                tag,
                Some(code("ALREADYEXISTS")),
                "A folder with that name exists",
            );
            return Ok(());
        }
        let Some((address_id, parent, leaf)) = folders::parent_of(&all, &new_name) else {
            no(
                wire,
                tag,
                Some(code("NONEXISTENT")),
                "The new parent folder does not exist",
            );
            return Ok(());
        };
        if address_id != folder.address_id {
            no(
                wire,
                tag,
                Some(code("CANNOT")),
                "A folder stays with its address",
            );
            return Ok(());
        }
        match crate::mail::folders::rename_folder(
            &self.ctx.state.db,
            self.user_id(),
            folder.id,
            parent,
            leaf,
        )
        .await
        {
            Ok(()) => ok(wire, tag, None, "RENAME completed"),
            Err(e) if e.status.is_client_error() => no(wire, tag, Some(code("CANNOT")), &e.message),
            Err(e) => return Err(e),
        }
        Ok(())
    }

    async fn list(
        &mut self,
        wire: &mut Wire,
        tag: &Tag<'static>,
        reference: &Mailbox<'_>,
        pattern: &ListMailbox<'_>,
        lsub: bool,
    ) -> Result<(), ApiError> {
        let reference = match reference {
            Mailbox::Inbox => "INBOX".to_string(),
            Mailbox::Other(o) => names::decode(o.as_ref(), self.utf8).unwrap_or_default(),
        };
        let pattern_bytes: &[u8] = match pattern {
            ListMailbox::Token(t) => t.as_ref(),
            ListMailbox::String(s) => s.as_ref(),
        };
        let Some(pattern) = names::decode(pattern_bytes, self.utf8) else {
            bad(wire, Some(tag), "Invalid pattern");
            return Ok(());
        };
        let delimiter = QuotedChar::try_from(DELIMITER).ok();
        if pattern.is_empty() && !lsub {
            // The hierarchy delimiter and root (RFC 3501 §6.3.8).
            if let Ok(root) = AString::try_from("").map(Mailbox::from) {
                data(
                    wire,
                    Data::List {
                        items: vec![FlagNameAttribute::Noselect],
                        delimiter,
                        mailbox: root,
                    },
                );
            }
            ok(wire, tag, None, "LIST completed");
            return Ok(());
        }
        let full = format!("{reference}{pattern}");
        if full.chars().count() > names::MAX_PATTERN {
            no(wire, tag, Some(code("LIMIT")), "Pattern too long");
            return Ok(());
        }
        let all = folders::list(&self.ctx.state.db, self.user_id()).await?;
        for f in &all {
            let name = if f.name.eq_ignore_ascii_case("INBOX") {
                "INBOX"
            } else {
                &f.name
            };
            let target = if full.to_ascii_uppercase().starts_with("INBOX") && name == "INBOX" {
                full.to_ascii_uppercase()
            } else {
                full.clone()
            };
            if !names::matches(&target, name) {
                continue;
            }
            let mut items: Vec<FlagNameAttribute<'static>> = Vec::new();
            if f.placeholder {
                items.push(FlagNameAttribute::Noselect);
            }
            items.extend(
                [if f.has_children {
                    "HasChildren"
                } else {
                    "HasNoChildren"
                }]
                .into_iter()
                .chain(f.role.and_then(|r| r.special_use()).filter(|_| !lsub))
                .filter_map(atom)
                .map(FlagNameAttribute::from),
            );
            let mailbox = self.wire_mailbox(name);
            let d = if lsub {
                Data::Lsub {
                    items,
                    delimiter,
                    mailbox,
                }
            } else {
                Data::List {
                    items,
                    delimiter,
                    mailbox,
                }
            };
            data(wire, d);
        }
        ok(
            wire,
            tag,
            None,
            if lsub {
                "LSUB completed"
            } else {
                "LIST completed"
            },
        );
        Ok(())
    }

    async fn status(
        &mut self,
        wire: &mut Wire,
        tag: &Tag<'static>,
        mailbox: &Mailbox<'static>,
        names: &[StatusDataItemName],
    ) -> Result<(), ApiError> {
        let Some(folder) = self.folder(mailbox).await? else {
            no(wire, tag, Some(code("NONEXISTENT")), "No such folder");
            return Ok(());
        };
        let db = &self.ctx.state.db;
        let counts = messages::counts(db, folder.id).await?;
        let (highest, uidnext) = messages::folder_state(db, folder.id).await?;
        let items: Vec<StatusDataItem> = names
            .iter()
            .filter_map(|n| match n {
                StatusDataItemName::Messages => Some(StatusDataItem::Messages(counts.messages)),
                StatusDataItemName::Recent => Some(StatusDataItem::Recent(0)),
                StatusDataItemName::UidNext => Some(StatusDataItem::UidNext(nz(u32::try_from(
                    uidnext,
                )
                .unwrap_or(u32::MAX)))),
                StatusDataItemName::UidValidity => {
                    Some(StatusDataItem::UidValidity(nz(folder.uidvalidity)))
                }
                StatusDataItemName::Unseen => Some(StatusDataItem::Unseen(counts.unseen)),
                StatusDataItemName::Deleted => Some(StatusDataItem::Deleted(counts.deleted)),
                StatusDataItemName::HighestModSeq => Some(StatusDataItem::HighestModSeq(
                    u64::try_from(highest).unwrap_or(0),
                )),
                _ => None,
            })
            .collect();
        data(
            wire,
            Data::Status {
                mailbox: mailbox.clone(),
                items: items.into(),
            },
        );
        ok(wire, tag, None, "STATUS completed");
        Ok(())
    }

    async fn search(
        &mut self,
        wire: &mut Wire,
        tag: &Tag<'static>,
        keys: &[imap_codec::imap_types::search::SearchKey<'static>],
        uid: bool,
    ) -> Result<(), ApiError> {
        if uid {
            self.sync(wire, true).await?;
        }
        let Some(sel) = self.selected.as_ref() else {
            bad(wire, Some(tag), "Select a folder first");
            return Ok(());
        };
        let rows = self.rows(sel, &all_uids(sel)).await?;
        let found = match search::run(
            &self.ctx.state.db,
            &self.ctx.state.settings.data_dir,
            sel,
            &rows,
            keys,
        )
        .await?
        {
            Ok(f) => f,
            Err(search::TooComplex) => {
                no(wire, tag, Some(code("LIMIT")), "Search too complex");
                return Ok(());
            }
        };
        let asked_modseq = keys.iter().any(has_modseq_key);
        let modseq = asked_modseq.then(|| {
            let wanted: HashSet<u32> = found.iter().map(|f| f.1).collect();
            nz64(
                rows.iter()
                    .filter(|m| u32::try_from(m.uid).is_ok_and(|u| wanted.contains(&u)))
                    .map(|m| m.modseq)
                    .max()
                    .unwrap_or(1),
            )
        });
        let numbers: Vec<NonZeroU32> = found
            .iter()
            .map(|(seq, u)| nz(if uid { *u } else { *seq }))
            .collect();
        data(wire, Data::Search(numbers, modseq));
        ok(wire, tag, None, "SEARCH completed");
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn fetch(
        &mut self,
        wire: &mut Wire,
        tag: &Tag<'static>,
        set: &SequenceSet,
        names: imap_codec::imap_types::fetch::MacroOrMessageDataItemNames<'static>,
        uid: bool,
        modifiers: &[FetchModifier],
    ) -> Result<(), ApiError> {
        if uid {
            self.sync(wire, true).await?;
        }
        let Some(sel) = self.selected.as_ref() else {
            bad(wire, Some(tag), "Select a folder first");
            return Ok(());
        };
        let mut changed_since = None;
        let mut vanished = false;
        for m in modifiers {
            match m {
                FetchModifier::ChangedSince(v) => {
                    changed_since = Some(i64::try_from(v.get()).unwrap_or(i64::MAX))
                }
                FetchModifier::Vanished => vanished = true,
            }
        }
        if vanished && (!uid || !self.qresync || changed_since.is_none()) {
            bad(
                wire,
                Some(tag),
                "VANISHED needs UID FETCH with CHANGEDSINCE after ENABLE QRESYNC",
            );
            return Ok(());
        }
        if !uid && !sel.valid_sequence_numbers(set) {
            bad(
                wire,
                Some(tag),
                "No such message (sequence number past the last one)",
            );
            return Ok(());
        }
        let items = fetch::item_names(names, uid, changed_since.is_some());
        let targets = sel.resolve(set, uid);
        if vanished && let Some(since) = changed_since {
            let max = sel.max_uid().max(1);
            let gone: Vec<u32> = messages::vanished_since(&self.ctx.state.db, sel.folder.id, since)
                .await?
                .into_iter()
                .filter(|u| in_set(set, *u, max) && sel.seq_of(*u).is_none())
                .collect();
            if let Some(s) = uid_set(&gone) {
                data(
                    wire,
                    Data::Vanished {
                        earlier: true,
                        known_uids: s,
                    },
                );
            }
        }
        let mark_seen = fetch::sets_seen(&items) && !sel.read_only;
        let content = fetch::needs_content(&items);
        let state = self.ctx.state.clone();
        let folder = sel.folder.clone();
        for chunk in targets.chunks(fetch::BATCH) {
            let rows = fetch::by_uid(self.rows(sel, chunk).await?);
            let mut batch = Vec::with_capacity(chunk.len());
            let mut to_mark = Vec::new();
            for (seq, uid) in chunk {
                let Some(m) = rows.get(uid) else { continue };
                if changed_since.is_some_and(|c| m.modseq <= c) {
                    continue;
                }
                if mark_seen && !m.seen {
                    let mut f = Flags::of(m);
                    f.seen = true;
                    to_mark.push((m.clone(), f));
                }
                batch.push((*seq, m.clone()));
            }
            let marked: HashSet<i64> = if to_mark.is_empty() {
                HashSet::new()
            } else {
                let updated = changes::store_flags(&state, &folder, to_mark).await?;
                let ids = updated.iter().map(|m| m.id).collect();
                for u in updated {
                    if let Some(entry) = batch.iter_mut().find(|(_, m)| m.id == u.id) {
                        entry.1 = u;
                    }
                }
                ids
            };
            let mut prepared = Vec::with_capacity(batch.len());
            for (seq, msg) in batch {
                let raw = if content {
                    Some(
                        crate::mail::blobs::read(&state.settings.data_dir, &msg.blob)
                            .await
                            .unwrap_or_default(),
                    )
                } else {
                    None
                };
                prepared.push(Target {
                    seq,
                    flags_changed: marked.contains(&msg.id),
                    msg,
                    raw,
                });
            }
            let items = items.clone();
            let bytes = tokio::task::spawn_blocking(move || fetch::encode_batch(prepared, &items))
                .await
                .map_err(ApiError::internal)?;
            wire.send_raw(&bytes);
            wire.flush().await.map_err(ApiError::internal)?;
        }
        ok(wire, tag, None, "FETCH completed");
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn store(
        &mut self,
        wire: &mut Wire,
        tag: &Tag<'static>,
        set: &SequenceSet,
        kind: StoreType,
        response: StoreResponse,
        flags: &[Flag<'static>],
        uid: bool,
        modifiers: &[StoreModifier],
    ) -> Result<(), ApiError> {
        if uid {
            self.sync(wire, true).await?;
        }
        let Some(sel) = self.selected.as_ref() else {
            bad(wire, Some(tag), "Select a folder first");
            return Ok(());
        };
        if sel.read_only {
            no(wire, tag, Some(code("NOPERM")), "The folder is read-only");
            return Ok(());
        }
        if !uid && !sel.valid_sequence_numbers(set) {
            bad(
                wire,
                Some(tag),
                "No such message (sequence number past the last one)",
            );
            return Ok(());
        }
        let unchanged_since = modifiers
            .iter()
            .map(|StoreModifier::UnchangedSince(v)| i64::try_from(*v).unwrap_or(i64::MAX))
            .next();
        let targets = sel.resolve(set, uid);
        let rows = self.rows(sel, &targets).await?;
        let mut updates = Vec::with_capacity(rows.len());
        let mut modified = Vec::new();
        for m in rows {
            if unchanged_since.is_some_and(|u| m.modseq > u) {
                modified.push(if uid {
                    u32::try_from(m.uid).unwrap_or(0)
                } else {
                    sel.seq_of(u32::try_from(m.uid).unwrap_or(0)).unwrap_or(0)
                });
                continue;
            }
            let Some(f) = flags_from(&Flags::of(&m), kind, flags) else {
                no(
                    wire,
                    tag,
                    Some(code("LIMIT")),
                    "Too many or too long keywords",
                );
                return Ok(());
            };
            updates.push((m, f));
        }
        let folder = sel.folder.clone();
        let updated = changes::store_flags(&self.ctx.state, &folder, updates).await?;
        let with_modseq = self.condstore || unchanged_since.is_some();
        if matches!(response, StoreResponse::Answer) || with_modseq {
            let sel = self
                .selected
                .as_ref()
                .ok_or_else(|| ApiError::internal("selection lost"))?;
            for m in &updated {
                let u = u32::try_from(m.uid).unwrap_or(0);
                let Some(seq) = sel.seq_of(u) else { continue };
                let mut items = Vec::new();
                if uid {
                    items.push(imap_codec::imap_types::fetch::MessageDataItem::Uid(nz(u)));
                }
                if matches!(response, StoreResponse::Answer) {
                    items.push(imap_codec::imap_types::fetch::MessageDataItem::Flags(
                        fetch::flag_list(&Flags::of(m)),
                    ));
                }
                if with_modseq {
                    items.push(imap_codec::imap_types::fetch::MessageDataItem::ModSeq(
                        nz64(m.modseq),
                    ));
                }
                if let Ok(items) = Vec1::try_from(items) {
                    data(
                        wire,
                        Data::Fetch {
                            seq: nz(seq),
                            items,
                        },
                    );
                }
            }
        }
        match uid_set(&modified) {
            Some(set) => ok(
                wire,
                tag,
                Some(Code::Modified(set)),
                "Some messages changed meanwhile",
            ),
            None => ok(wire, tag, None, "STORE completed"),
        }
        Ok(())
    }

    async fn copy_or_move(
        &mut self,
        wire: &mut Wire,
        tag: &Tag<'static>,
        set: &SequenceSet,
        mailbox: &Mailbox<'_>,
        uid: bool,
        is_move: bool,
    ) -> Result<(), ApiError> {
        if uid {
            self.sync(wire, true).await?;
        }
        let Some(target) = self.folder(mailbox).await? else {
            no(wire, tag, Some(code("TRYCREATE")), "No such folder");
            return Ok(());
        };
        let Some(sel) = self.selected.as_ref() else {
            bad(wire, Some(tag), "Select a folder first");
            return Ok(());
        };
        if is_move && sel.read_only {
            no(wire, tag, Some(code("NOPERM")), "The folder is read-only");
            return Ok(());
        }
        if !uid && !sel.valid_sequence_numbers(set) {
            bad(
                wire,
                Some(tag),
                "No such message (sequence number past the last one)",
            );
            return Ok(());
        }
        let targets = sel.resolve(set, uid);
        let rows = self.rows(sel, &targets).await?;
        if rows.is_empty() {
            ok(wire, tag, None, "Nothing to do");
            return Ok(());
        }
        let source = sel.folder.clone();
        let outcome = if is_move {
            changes::move_to(&self.ctx.state, &source, &rows, &target).await?
        } else {
            changes::copy(&self.ctx.state, &rows, &target).await?
        };
        let pairs = match outcome {
            Ok(p) => p,
            Err(r) => {
                refuse(wire, tag, r);
                return Ok(());
            }
        };
        let copy_uid = copy_uid_code(target.uidvalidity, &pairs);
        if is_move {
            if let Some(c) = copy_uid {
                untagged_ok(wire, Some(c), "Moved");
            }
            self.sync(wire, true).await?;
            ok(wire, tag, None, "MOVE completed");
        } else {
            if uid {
                self.sync(wire, true).await?;
            }
            ok(wire, tag, copy_uid, "COPY completed");
        }
        Ok(())
    }

    /// IDLE (RFC 2177): changes are pushed as they happen until the client says DONE.
    async fn idle(
        &mut self,
        wire: &mut Wire,
        tag: &Tag<'static>,
        stop: &mut crate::jobs::Stop,
    ) -> Result<Flow, ApiError> {
        wire.send_continue("Idling; send DONE to stop");
        self.sync(wire, true).await?;
        wire.flush().await.map_err(ApiError::internal)?;
        let started = tokio::time::Instant::now();
        loop {
            let waited = tokio::select! {
                r = wire.idle_done(self.ctx.limits.idle_poll) => r,
                _ = stop.stopped() => {
                    bye(wire, "Server shutting down, reconnect shortly");
                    return Ok(Flow::Logout);
                }
            };
            match waited {
                Ok(true) => {
                    ok(wire, tag, None, "IDLE terminated");
                    return Ok(Flow::Continue);
                }
                Ok(false) => {
                    bad(wire, Some(tag), "Expected DONE");
                    return Ok(Flow::Continue);
                }
                Err(Closed::TimedOut) => {
                    if started.elapsed() > self.ctx.limits.idle_timeout {
                        bye(wire, "Autologout: idle for too long");
                        return Ok(Flow::Logout);
                    }
                    self.sync(wire, true).await?;
                    if wire.queued() > 0 {
                        wire.flush().await.map_err(ApiError::internal)?;
                    }
                }
                Err(Closed::Unframeable(why)) => {
                    bye(wire, why);
                    return Ok(Flow::Logout);
                }
                Err(Closed::Gone) => return Ok(Flow::Logout),
            }
        }
    }
}

fn nstr(s: &str) -> NString<'static> {
    NString(IString::try_from(s.to_string()).ok())
}

fn refuse(wire: &mut Wire, tag: &Tag<'static>, r: Refusal) {
    no(wire, tag, Some(code(r.0)), &r.1);
}

fn all_uids(sel: &Selected) -> Vec<(u32, u32)> {
    sel.uids
        .iter()
        .enumerate()
        .map(|(i, u)| (u32::try_from(i + 1).unwrap_or(u32::MAX), *u))
        .collect()
}

fn has_modseq_key(k: &imap_codec::imap_types::search::SearchKey<'_>) -> bool {
    use imap_codec::imap_types::search::SearchKey as K;
    match k {
        K::ModSequence { .. } => true,
        K::And(keys) => keys.as_ref().iter().any(has_modseq_key),
        K::Not(k) => has_modseq_key(k),
        K::Or(a, b) => has_modseq_key(a) || has_modseq_key(b),
        _ => false,
    }
}

fn copy_uid_code(uidvalidity: u32, pairs: &[(u32, u32)]) -> Option<Code<'static>> {
    let source: Vec<UidElement> = pairs
        .iter()
        .filter_map(|p| NonZeroU32::new(p.0))
        .map(UidElement::Single)
        .collect();
    let dest: Vec<UidElement> = pairs
        .iter()
        .filter_map(|p| NonZeroU32::new(p.1))
        .map(UidElement::Single)
        .collect();
    Some(Code::CopyUid {
        uid_validity: nz(uidvalidity),
        source: UidSet(Vec1::try_from(source).ok()?),
        destination: UidSet(Vec1::try_from(dest).ok()?),
    })
}

/// The flags after a STORE of `kind` with `list`; `None` when keywords go over the limits.
fn flags_from(current: &Flags, kind: StoreType, list: &[Flag<'_>]) -> Option<Flags> {
    let mut f = match kind {
        StoreType::Replace => Flags::default(),
        _ => current.clone(),
    };
    let on = !matches!(kind, StoreType::Remove);
    for flag in list {
        match flag {
            Flag::Seen => f.seen = on,
            Flag::Flagged => f.flagged = on,
            Flag::Answered => f.answered = on,
            Flag::Draft => f.draft = on,
            Flag::Deleted => f.deleted = on,
            Flag::Keyword(k) => {
                let k = k.as_ref().to_string();
                if k.len() > messages::MAX_KEYWORD_LEN {
                    return None;
                }
                if on {
                    if !f.keywords.iter().any(|x| x.eq_ignore_ascii_case(&k)) {
                        f.keywords.push(k);
                    }
                } else {
                    f.keywords.retain(|x| !x.eq_ignore_ascii_case(&k));
                }
            }
            Flag::Extension(_) => {}
        }
    }
    f.keywords.sort();
    (f.keywords.len() <= messages::MAX_KEYWORDS).then_some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_kinds_change_flags() {
        let start = Flags {
            seen: true,
            keywords: vec!["$Forwarded".into()],
            ..Flags::default()
        };
        let junk = Flag::Keyword(Atom::try_from("$Junk").expect("atom"));
        let added =
            flags_from(&start, StoreType::Add, &[Flag::Flagged, junk.clone()]).expect("add");
        assert!(added.seen && added.flagged);
        assert_eq!(added.keywords, vec!["$Forwarded", "$Junk"]);
        let removed = flags_from(&added, StoreType::Remove, &[Flag::Seen, junk]).expect("remove");
        assert!(!removed.seen && removed.flagged);
        assert_eq!(removed.keywords, vec!["$Forwarded"]);
        let replaced = flags_from(&removed, StoreType::Replace, &[Flag::Deleted]).expect("replace");
        assert_eq!(
            replaced,
            Flags {
                deleted: true,
                ..Flags::default()
            }
        );
    }

    #[test]
    fn keyword_limits() {
        let many: Vec<Flag<'static>> = (0..=messages::MAX_KEYWORDS)
            .map(|i| Flag::Keyword(Atom::try_from(format!("k{i}")).expect("atom")))
            .collect();
        assert!(flags_from(&Flags::default(), StoreType::Add, &many).is_none());
    }
}
