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
    /// What the session signed in with, checked again now and then: a revoked
    /// application password or a changed password ends the session.
    login: String,
    secret: String,
    checked: tokio::time::Instant,
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

mod mailboxes;
mod message_commands;
mod respond;

use message_commands::{all_uids, flags_from};
use respond::*;

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
                if !s.still_signed_in().await {
                    bye(&mut wire, "Signed out: the password was changed or revoked");
                    let _ = wire.flush().await;
                    return;
                }
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
    /// Whether the credentials the session signed in with still sign in as its user
    /// (checked at most every `recheck`; a temporary failure does not end the session).
    async fn still_signed_in(&mut self) -> bool {
        let Some(user) = self.user.as_mut() else {
            return true;
        };
        if user.checked.elapsed() < self.ctx.limits.recheck {
            return true;
        }
        let state = &self.ctx.state;
        let valid = match state
            .credentials
            .get(&user.login.to_lowercase(), &user.secret)
        {
            Some(id) => id == user.id,
            None => match device::sign_in(
                state,
                &user.login,
                &user.secret,
                self.peer,
                DeviceProtocol::Imap,
            )
            .await
            {
                Ok(id) => id == user.id,
                Err(DeviceAuthError::Refused) => false,
                Err(_) => true,
            },
        };
        user.checked = tokio::time::Instant::now();
        valid
    }

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
                wire.large_literals = true;
                self.user = Some(User {
                    id,
                    login: user.to_string(),
                    secret: secret.to_string(),
                    checked: tokio::time::Instant::now(),
                    _slot: slot,
                });
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
                wire.send_empty_challenge();
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
}
