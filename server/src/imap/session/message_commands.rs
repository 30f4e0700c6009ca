//! Message commands of the selected state: FETCH, STORE, SEARCH, COPY/MOVE, IDLE, and
//! the announcements of changes made elsewhere (EXPUNGE/VANISHED, EXISTS, FETCH FLAGS).

use std::collections::HashMap;
use std::sync::Arc;

use super::super::structure;
use super::*;

/// Bytes of FETCH answers queued before they are written out.
const FLUSH_AT: usize = 256 * 1024;

impl Session<'_> {
    /// The selected folder and the `(sequence number, UID)` of the messages `set` names,
    /// or `None` after answering why not: nothing selected, a read-only folder for a
    /// change, or a sequence number past the last message.
    fn targets(
        &self,
        wire: &mut Wire,
        tag: &Tag<'static>,
        set: &SequenceSet,
        uid: bool,
        change: bool,
    ) -> Option<(&Selected, Vec<(u32, u32)>)> {
        let Some(sel) = self.selected.as_ref() else {
            bad(wire, Some(tag), "Select a folder first");
            return None;
        };
        if change && sel.read_only {
            no(wire, tag, Some(code("NOPERM")), "The folder is read-only");
            return None;
        }
        if !uid && !sel.valid_sequence_numbers(set) {
            bad(
                wire,
                Some(tag),
                "No such message (sequence number past the last one)",
            );
            return None;
        }
        Some((sel, sel.resolve(set, uid)))
    }

    /// The kept ENVELOPE/BODY/BODYSTRUCTURE of a batch's messages, made and kept for those
    /// that have none yet (read and parsed in groups of bounded size, off the workers).
    async fn kept_structures(
        &self,
        batch: &[(u32, Msg)],
    ) -> Result<HashMap<String, structure::Structure>, ApiError> {
        let state = &self.ctx.state;
        let blobs: Vec<&str> = batch.iter().map(|(_, m)| m.blob.as_str()).collect();
        let mut kept = structure::load(&state.db, &blobs).await?;
        let mut missing: Vec<&str> = blobs
            .iter()
            .copied()
            .filter(|b| !kept.contains_key(*b))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        let mut made = Vec::new();
        let mut group: Vec<(String, Vec<u8>)> = Vec::new();
        let mut held = 0usize;
        for (i, blob) in missing.iter().enumerate() {
            let raw = crate::mail::blobs::read(&state.settings.blobs, blob)
                .await
                .unwrap_or_default();
            held += raw.len();
            group.push((blob.to_string(), raw));
            if held >= fetch::MAX_BATCH_BYTES || i + 1 == missing.len() {
                let work = std::mem::take(&mut group);
                held = 0;
                let done = tokio::task::spawn_blocking(move || {
                    work.into_iter()
                        .map(|(blob, raw)| (blob, structure::of(&raw)))
                        .collect::<Vec<_>>()
                })
                .await
                .map_err(ApiError::internal)?;
                made.extend(done);
            }
        }
        structure::save(&state.db, &made).await?;
        kept.extend(made);
        Ok(kept)
    }

    /// The index rows of `(seq, uid)` targets, in their order.
    pub(super) async fn rows(
        &self,
        sel: &Selected,
        targets: &[(u32, u32)],
    ) -> Result<Vec<Msg>, ApiError> {
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
    pub(super) async fn sync(
        &mut self,
        wire: &mut Wire,
        expunge_allowed: bool,
    ) -> Result<(), ApiError> {
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
            let condstore = self.condstore;
            state_fetch(
                wire,
                seq,
                &m,
                StateItems {
                    uid: true,
                    flags: true,
                    modseq: condstore,
                },
            );
        }
        sel.modseq = highest;
        Ok(())
    }

    pub(super) async fn search(
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
            &self.ctx.state.settings.blobs,
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
    pub(super) async fn fetch(
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
        let Some((sel, targets)) = self.targets(wire, tag, set, uid, false) else {
            return Ok(());
        };
        let items = fetch::item_names(names, uid, changed_since.is_some());
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
        let structure_only = fetch::structure_only(&items);
        let state = self.ctx.state.clone();
        let folder = sel.folder.clone();
        // Index-only answers (flags, kept structures) go in larger steps.
        let step = if content && !structure_only {
            fetch::BATCH
        } else {
            fetch::BATCH * 10
        };
        for chunk in targets.chunks(step) {
            let mut rows = fetch::by_uid(self.rows(sel, chunk).await?);
            let mut batch = Vec::with_capacity(chunk.len());
            let mut to_mark = Vec::new();
            for (seq, uid) in chunk {
                let Some(m) = rows.remove(uid) else { continue };
                if changed_since.is_some_and(|c| m.modseq <= c) {
                    continue;
                }
                if mark_seen && !m.seen {
                    let mut f = Flags::of(&m);
                    f.seen = true;
                    to_mark.push((m.clone(), f));
                }
                batch.push((*seq, m));
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
            // ENVELOPE/BODYSTRUCTURE-only answers use the kept structures (made here for
            // messages that have none yet) and never read the stored messages again.
            let kept = if content && structure_only {
                Arc::new(self.kept_structures(&batch).await?)
            } else {
                Arc::default()
            };
            let read_raw = content && !structure_only;
            let mut prepared = Vec::with_capacity(batch.len());
            let mut held = 0usize;
            let count = batch.len();
            for (k, (seq, msg)) in batch.into_iter().enumerate() {
                let raw = if read_raw {
                    Some(
                        crate::mail::blobs::read(&state.settings.blobs, &msg.blob)
                            .await
                            .unwrap_or_default(),
                    )
                } else {
                    None
                };
                held += raw.as_ref().map_or(0, Vec::len);
                prepared.push(Target {
                    seq,
                    flags_changed: marked.contains(&msg.id),
                    msg,
                    raw,
                });
                // Answer in parts of bounded size: large messages are not all held at once.
                if held >= fetch::MAX_BATCH_BYTES || k + 1 == count {
                    let part = std::mem::take(&mut prepared);
                    held = 0;
                    let (items, kept) = (items.clone(), kept.clone());
                    let bytes = if read_raw {
                        tokio::task::spawn_blocking(move || {
                            fetch::encode_batch(part, &items, &kept)
                        })
                        .await
                        .map_err(ApiError::internal)?
                    } else {
                        fetch::encode_batch(part, &items, &kept)
                    };
                    wire.send_raw(&bytes);
                    if wire.queued() >= FLUSH_AT {
                        wire.flush().await.map_err(ApiError::internal)?;
                    }
                }
            }
        }
        ok(wire, tag, None, "FETCH completed");
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) async fn store(
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
        let Some((sel, targets)) = self.targets(wire, tag, set, uid, true) else {
            return Ok(());
        };
        let unchanged_since = modifiers
            .iter()
            .map(|StoreModifier::UnchangedSince(v)| i64::try_from(*v).unwrap_or(i64::MAX))
            .next();
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
                state_fetch(
                    wire,
                    seq,
                    m,
                    StateItems {
                        uid,
                        flags: matches!(response, StoreResponse::Answer),
                        modseq: with_modseq,
                    },
                );
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

    pub(super) async fn copy_or_move(
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
        let Some((sel, targets)) = self.targets(wire, tag, set, uid, is_move) else {
            return Ok(());
        };
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
    pub(super) async fn idle(
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
                    if !self.still_signed_in().await {
                        bye(wire, "Signed out: the password was changed or revoked");
                        return Ok(Flow::Logout);
                    }
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

pub(super) fn all_uids(sel: &Selected) -> Vec<(u32, u32)> {
    sel.uids
        .iter()
        .enumerate()
        .map(|(i, u)| (u32::try_from(i + 1).unwrap_or(u32::MAX), *u))
        .collect()
}

pub(super) fn has_modseq_key(k: &imap_codec::imap_types::search::SearchKey<'_>) -> bool {
    use imap_codec::imap_types::search::SearchKey as K;
    match k {
        K::ModSequence { .. } => true,
        K::And(keys) => keys.as_ref().iter().any(has_modseq_key),
        K::Not(k) => has_modseq_key(k),
        K::Or(a, b) => has_modseq_key(a) || has_modseq_key(b),
        _ => false,
    }
}

pub(super) fn copy_uid_code(uidvalidity: u32, pairs: &[(u32, u32)]) -> Option<Code<'static>> {
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
pub(super) fn flags_from(current: &Flags, kind: StoreType, list: &[Flag<'_>]) -> Option<Flags> {
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
    pub(super) fn store_kinds_change_flags() {
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
    pub(super) fn keyword_limits() {
        let many: Vec<Flag<'static>> = (0..=messages::MAX_KEYWORDS)
            .map(|i| Flag::Keyword(Atom::try_from(format!("k{i}")).expect("atom")))
            .collect();
        assert!(flags_from(&Flags::default(), StoreType::Add, &many).is_none());
    }
}
