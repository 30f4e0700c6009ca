//! Folder commands: SELECT/EXAMINE (with CONDSTORE and QRESYNC resync), CREATE, RENAME,
//! LIST/LSUB with special-use attributes, STATUS.

use super::*;

impl Session<'_> {
    pub(super) async fn select(
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
                state_fetch(
                    wire,
                    seq,
                    &m,
                    StateItems {
                        uid: true,
                        flags: true,
                        modseq: true,
                    },
                );
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

    pub(super) async fn create(
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

    pub(super) async fn rename(
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

    pub(super) async fn list(
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

    pub(super) async fn status(
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
}
