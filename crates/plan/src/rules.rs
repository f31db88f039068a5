//! The rules R1-R19 of docs/restore-rules.md applied to one stream.

use std::collections::BTreeMap;

use crate::model::*;

/// Engine errors the plan predicts (docs/errors.md §9).
mod err {
    pub const ATTACHED_DATABASE_MISMATCH: (i32, &str) = (-1216, "JET_errAttachedDatabaseMismatch");
    pub const MISSING_LOG_FILE: (i32, &str) = (-528, "JET_errMissingLogFile");
    pub const BAD_LOG_SIGNATURE: (i32, &str) = (-530, "JET_errBadLogSignature");
    pub const REQUIRED_LOG_FILES_MISSING: (i32, &str) = (-543, "JET_errRequiredLogFilesMissing");
    pub const DATABASE_DIRTY_SHUTDOWN: (i32, &str) = (-550, "JET_errDatabaseDirtyShutdown");
    pub const LOG_FILE_CORRUPT: (i32, &str) = (-501, "JET_errLogFileCorrupt");
    pub const BAD_CHECKPOINT_SIGNATURE: (i32, &str) = (-532, "JET_errBadCheckpointSignature");
    pub const DATABASE_CORRUPTED: (i32, &str) = (-1206, "JET_errDatabaseCorrupted");
}

fn predicted(e: (i32, &'static str), rule: &'static str, message: impl Into<String>) -> PredictedError {
    PredictedError { code: e.0, name: e.1, rule, message: message.into() }
}

fn state_name(code: u32) -> &'static str {
    esehdr_format::DbState::from_code(code).name()
}

/// Builds the plan of one stream. Pure: the same input gives the same plan, whatever the order
/// of its databases and logs.
pub fn plan(input: &StreamInput) -> StreamPlan {
    let mut input = input.clone();
    input.databases.sort_by(|a, b| a.file.cmp(&b.file));
    input.logs.sort_by(|a, b| {
        (a.is_current(), a.name_generation, &a.file).cmp(&(b.is_current(), b.name_generation, &b.file))
    });
    input.sequence_breaks.sort_by(|a, b| (&a.file, a.kind, &a.previous).cmp(&(&b.file, b.kind, &b.previous)));
    input.recoverable.sort_by(|a, b| a.log.file.cmp(&b.log.file));
    let input = &input;
    let sig = input.log_signature;
    let ext = if input.ext.is_empty() { "log" } else { input.ext.as_str() };
    let base = &input.base_name;
    let current_name = format!("{base}.{ext}");
    let current_path = join(&input.log_folder, &current_name);

    // --- the logs of the stream ---------------------------------------------------------------
    let is_own = |l: &Log| sig.is_none_or(|s| s == l.signature);
    let foreign: Vec<&Log> = input.logs.iter().filter(|l| !is_own(l)).collect();
    let own: Vec<&Log> = input.logs.iter().filter(|l| is_own(l)).collect();
    let current = own.iter().copied().find(|l| l.is_current());
    let current_generation = current.and_then(|l| l.position());
    // Generation -> the log that holds it (a name whose header disagrees is held by the header).
    let mut by_gen: BTreeMap<u32, &Log> = BTreeMap::new();
    for l in &own {
        if let Some(g) = l.position() {
            by_gen.entry(g).or_insert(l);
        }
    }
    let first = by_gen.keys().next().copied();
    let last = by_gen.keys().next_back().copied();
    let mut missing = Vec::new();
    if let (Some(a), Some(b)) = (first, last) {
        let mut expect = a;
        for &g in by_gen.keys() {
            if g > expect {
                missing.push(Gap { from: expect, to: g - 1 });
            }
            expect = g + 1;
        }
        let _ = b;
    }
    // A temporary or reserve log holding a missing generation stands in for it wherever a
    // restore needs that generation, once copied to its archived name (R12).
    let mut fills: BTreeMap<u32, &RecoverableLog> = BTreeMap::new();
    for r in input.recoverable.iter().filter(|r| is_own(&r.log)) {
        if let Some(g) = r.log.position().filter(|g| !by_gen.contains_key(g)) {
            fills.entry(g).or_insert(r);
        }
    }
    for (&g, r) in &fills {
        by_gen.insert(g, &r.log);
    }
    // Gaps that remain once they are filled.
    let unfilled: Vec<Gap> = first.zip(last).map(|(a, b)| gaps_in(&by_gen, a, b)).unwrap_or_default();
    let copy_action = |g: u32| {
        fills.get(&g).map(|r| Action {
            rule: "R12",
            action: ActionKind::Copy,
            path: r.log.file.clone(),
            to: Some(r.to.clone()),
            why: format!(
                "{} holds generation {g} (0x{g:X}) of this stream, which is missing: copy it to {} (keep the original)",
                r.log.file, r.to
            ),
        })
    };
    // The sequence breaks among the stream's own logs, at the generation of the log that does
    // not continue the one before it (`previous`) or does not belong where it is.
    let own_at = |f: &str| own.iter().find(|l| l.file == f).and_then(|l| l.position());
    let breaks: Vec<(u32, &SequenceBreak)> = input
        .sequence_breaks
        .iter()
        .filter_map(|b| {
            let g = own_at(&b.file)?;
            match &b.previous {
                Some(p) if own_at(p) != Some(g.wrapping_sub(1)) => None,
                _ => Some((g, b)),
            }
        })
        .collect();
    // A replay of generations `from..=to` crosses a break: a log after `from` that does not
    // continue the one before it, or a wrong log inside the range.
    let crossing = |from: u32, to: u32| -> Vec<(u32, &SequenceBreak)> {
        breaks
            .iter()
            .filter(|(g, b)| if b.previous.is_some() { *g > from && *g <= to } else { *g >= from && *g <= to })
            .copied()
            .collect()
    };
    // The breaks at exactly generation `g`.
    let at = |g: u32| -> Vec<(u32, &SequenceBreak)> { breaks.iter().filter(|(x, _)| *x == g).copied().collect() };
    let describe = |b: &SequenceBreak| match &b.previous {
        Some(p) => format!("{} does not continue {} ({})", b.file, p, b.message),
        None => format!("{}: {}", b.file, b.message),
    };
    let engine = |b: &SequenceBreak| (b.error.code, b.error.name);
    let damaged: Vec<&Log> = own.iter().copied().filter(|l| l.damaged).collect();
    let circular =
        own.iter().any(|l| l.circular_logging) || input.checkpoint.as_ref().is_some_and(|c| c.circular_logging);
    let archived: Vec<&Log> = own.iter().copied().filter(|l| !l.is_current()).collect();

    let checkpoint = input.checkpoint.as_ref();
    let checkpoint_own = checkpoint.is_some_and(|c| c.valid && sig.is_none_or(|s| s == c.signature));
    let checkpoint_valid_pit = checkpoint_own
        && checkpoint.is_some_and(|c| current_generation.is_some_and(|g| i64::from(c.generation) == i64::from(g)));

    // R9: a database whose log signature is not the stream's belongs to another log stream. It
    // is reported with this stream, but left out of its anchors and verdicts: every rule below
    // reads `members`, the databases of this stream.
    let (members, strangers): (Vec<&Database>, Vec<&Database>) =
        input.databases.iter().partition(|d| sig.is_none_or(|s| s == d.log_signature));
    // The databases restored together: those flagged, else all.
    let any_flagged = members.iter().any(|d| d.restoring);
    let restoring: Vec<&Database> = members.iter().copied().filter(|d| d.restoring || !any_flagged).collect();
    let all_restored_together = restoring.len() == members.len();

    // The create, attach and detach records of the stream's logs, in LGPOS order, and those of
    // each database (docs/log-records.md §3.23): read where the caller read the records.
    let stream_events = all_events(by_gen.values().copied());
    let lives: BTreeMap<&str, Vec<(&Log, &DbEvent)>> =
        input.databases.iter().map(|d| (d.file.as_str(), events_of(&stream_events, d))).collect();
    // The path the records give each restored database (R11), for R17.
    let mut recorded_paths: BTreeMap<&str, String> = BTreeMap::new();
    // Where replay for a database stops, by rule (the earliest is reported).
    let mut stops: BTreeMap<&str, Vec<ReplayStop>> = BTreeMap::new();

    let mut checks = Vec::new();
    let mut actions: Vec<Action> = Vec::new();
    let add_action = |actions: &mut Vec<Action>, a: Action| -> usize {
        match actions.iter().position(|x| x == &a) {
            Some(i) => i,
            None => {
                actions.push(a);
                actions.len() - 1
            }
        }
    };
    let check = |checks: &mut Vec<Check>, rule, status, message: String| checks.push(Check { rule, status, message });
    let mut pit = Verdict::default();
    let mut rf = Verdict::default();
    let mut soft = Verdict::default();
    let mut without_logs = Verdict::default();

    // --- A. R1 pair check, R2 backup, R3 deletable ---------------------------------------------
    let mut pairs_ok = true;
    for d in &members {
        if let Some(stm) = &d.streaming_file {
            let ok = stm.db_signature == d.db_signature
                && d.clean()
                && stm.clean
                && stm.last_consistent == d.last_consistent;
            if ok {
                check(&mut checks, "R1", CheckStatus::Passed, format!("{} and {} belong together", d.file, stm.file));
            } else {
                pairs_ok = false;
                check(
                    &mut checks,
                    "R1",
                    CheckStatus::Failed,
                    format!(
                        "{} and {} do not belong together (same DB signature, both Clean Shutdown, same Last Consistent are required): the database was not dismounted cleanly",
                        d.file, stm.file
                    ),
                );
                let i = add_action(&mut actions, Action {
                    rule: "R1",
                    action: ActionKind::Remount,
                    path: d.file.clone(),
                    to: None,
                    why: "mount and dismount the database so that it and its streaming file are consistent, then copy both again".into(),
                });
                pit.actions.push(i);
                rf.actions.push(i);
            }
        }
    }
    if !members.iter().any(|d| d.streaming_file.is_some()) {
        check(&mut checks, "R1", CheckStatus::NotApplicable, "no streaming file (.stm) in this stream".into());
    }
    let backup_logs: Vec<String> =
        if circular { Vec::new() } else { archived.iter().map(|l| l.file.clone()).collect() };
    check(
        &mut checks,
        "R2",
        if circular { CheckStatus::NotApplicable } else { CheckStatus::Passed },
        if circular {
            "circular logging is on: the engine reuses its logs, there is nothing to back up".into()
        } else {
            format!("back up the {} archived logs (never the current log, tmp or reserve logs)", backup_logs.len())
        },
    );
    let deletable_logs: Vec<String> = match (circular, checkpoint_own, checkpoint) {
        (false, true, Some(c)) => archived
            .iter()
            .filter(|l| l.position().is_some_and(|g| i64::from(g) < i64::from(c.generation)))
            .map(|l| l.file.clone())
            .collect(),
        _ => Vec::new(),
    };
    check(
        &mut checks,
        "R3",
        if circular || !checkpoint_own { CheckStatus::NotApplicable } else { CheckStatus::Passed },
        match (circular, checkpoint) {
            (true, _) => "circular logging is on: the engine deletes its logs itself".into(),
            (false, Some(c)) if checkpoint_own => format!(
                "after they are backed up, the {} archived logs below the checkpoint generation {} (0x{:X}) may be deleted",
                deletable_logs.len(),
                c.generation,
                c.generation
            ),
            _ => "no valid checkpoint of this stream: no log may be deleted".into(),
        },
    );

    // --- B. point-in-time ---------------------------------------------------------------------
    let not_clean: Vec<&&Database> = restoring.iter().filter(|d| !d.clean()).collect();
    if members.is_empty() {
        check(&mut checks, "R4", CheckStatus::NotApplicable, "no database in this stream".into());
    } else if not_clean.is_empty() && pairs_ok {
        check(&mut checks, "R4", CheckStatus::Passed, "every database restored is in Clean Shutdown".into());
    } else {
        for d in &not_clean {
            let msg = format!("{} is {}, not Clean Shutdown", d.file, state_name(d.state_code));
            check(&mut checks, "R4", CheckStatus::Failed, msg.clone());
            pit.blockers.push(Blocker { rule: "R4", message: msg.clone() });
            let e = if d.header_valid { err::DATABASE_DIRTY_SHUTDOWN } else { err::DATABASE_CORRUPTED };
            pit.predicted_errors.push(predicted(e, "R4", msg));
        }
        if !pairs_ok && not_clean.is_empty() {
            check(
                &mut checks,
                "R4",
                CheckStatus::Failed,
                "a database and its streaming file do not belong together (R1)".into(),
            );
        }
    }
    let no_logs_at_all = own.is_empty() && checkpoint.is_none();
    if members.is_empty() || no_logs_at_all {
        check(
            &mut checks,
            "R5",
            CheckStatus::NotApplicable,
            if no_logs_at_all {
                "no log and no checkpoint: the databases start a new log stream".into()
            } else {
                "no database".into()
            },
        );
    } else if checkpoint_valid_pit {
        check(&mut checks, "R5", CheckStatus::Passed, "the checkpoint's generation is the current log's".into());
    } else {
        let why = match (checkpoint, current_generation) {
            (None, _) => format!("there is no checkpoint ({base}.chk)"),
            (Some(c), _) if !c.valid => format!("{} is damaged", c.file),
            (Some(c), _) if !checkpoint_own => format!("{} belongs to another log stream", c.file),
            (Some(c), Some(g)) => format!(
                "{} is at generation {} (0x{:X}), but the current log is generation {g} (0x{g:X})",
                c.file, c.generation, c.generation
            ),
            (Some(c), None) => format!("{} cannot be matched: there is no current log {current_name}", c.file),
        };
        let msg = format!(
            "no valid checkpoint: {why}; mounting fails with -1216 even though the databases are consistent, and a point-in-time restore may delete neither the checkpoint nor any log (R6); the way on is to start without logs (R10 a)"
        );
        check(&mut checks, "R5", CheckStatus::Failed, msg.clone());
        pit.blockers.push(Blocker { rule: "R5", message: msg.clone() });
        pit.predicted_errors.push(predicted(err::ATTACHED_DATABASE_MISMATCH, "R5", msg.clone()));
        // Mounting now, before the logs and the checkpoint leave, meets the same error; so does
        // a soft recovery when every database is consistent (it is then the same mount).
        without_logs.predicted_errors.push(predicted(err::ATTACHED_DATABASE_MISMATCH, "R5", msg.clone()));
        if members.iter().all(|d| d.clean()) {
            soft.blockers.push(Blocker { rule: "R5", message: msg.clone() });
            soft.predicted_errors.push(predicted(err::ATTACHED_DATABASE_MISMATCH, "R5", msg));
        }
    }
    // A valid checkpoint is at the current log: mounting replays that log alone, and fails on a
    // break there (the current log not after the archived ones, or of another stream).
    if let (true, Some(c)) = (checkpoint_valid_pit, current_generation) {
        for (_, b) in crossing(c, c) {
            let msg = format!("mounting replays the current log: {}", describe(b));
            pit.blockers.push(Blocker { rule: "R12", message: msg.clone() });
            pit.predicted_errors.push(predicted(engine(b), "R12", msg));
        }
    }
    check(
        &mut checks,
        "R6",
        CheckStatus::Passed,
        "for a point-in-time restore, delete neither the checkpoint nor any log".into(),
    );

    // --- C. roll-forward ----------------------------------------------------------------------
    if circular {
        let msg = "circular logging is on: the logs since the backup were overwritten; only a point-in-time restore is possible".to_string();
        check(&mut checks, "R7", CheckStatus::Failed, msg.clone());
        rf.blockers.push(Blocker { rule: "R7", message: msg });
    }
    for d in &not_clean {
        rf.blockers.push(Blocker {
            rule: "R7",
            message: format!("{} is {}, not Clean Shutdown", d.file, state_name(d.state_code)),
        });
    }
    if !circular && not_clean.is_empty() && !members.is_empty() {
        check(
            &mut checks,
            "R7",
            CheckStatus::Passed,
            "circular logging off and every database restored is Clean Shutdown".into(),
        );
    }

    let gens: Vec<i32> = restoring.iter().filter(|d| d.header_valid).map(|d| d.last_consistent.generation).collect();
    let anchor = |g: i32| Anchor {
        generation: g,
        file: u32::try_from(g).ok().and_then(|g| by_gen.get(&g)).map(|l| l.file.clone()),
    };
    let low = gens.iter().min().map(|&g| anchor(g));
    let high = gens.iter().max().map(|&g| anchor(g));
    match (&low, &high) {
        (Some(l), Some(h)) => check(
            &mut checks,
            "R8",
            CheckStatus::Passed,
            format!(
                "low anchor generation {} (0x{:X}) in {}, high anchor generation {} (0x{:X}) in {}",
                l.generation,
                l.generation,
                l.file.as_deref().unwrap_or("no log present"),
                h.generation,
                h.generation,
                h.file.as_deref().unwrap_or("no log present")
            ),
        ),
        _ => check(&mut checks, "R8", CheckStatus::NotApplicable, "no database to restore".into()),
    }

    // R9: each database's log signature is the stream's. One that is not belongs to another log
    // stream: it is named here and left out of the anchors and the verdicts (`members`).
    for d in &strangers {
        let msg = format!(
            "{}: its log signature ({}) is not this stream's ({}): it belongs to another log stream (a backup from another storage group or server); it is left out of this stream's anchors and verdicts",
            d.file,
            d.log_signature.eseutil(),
            sig.map(|s| s.eseutil()).unwrap_or_default()
        );
        let msg = match &d.dry_run {
            Some(r) => format!("{msg}; the dry run of soft recovery with this stream's logs {}", dry_run_text(r)),
            None => msg,
        };
        check(&mut checks, "R9", CheckStatus::Failed, msg);
    }
    if !restoring.is_empty() {
        check(
            &mut checks,
            "R9",
            CheckStatus::Passed,
            if strangers.is_empty() {
                "every database restored carries the stream's log signature".into()
            } else {
                "the other databases restored carry the stream's log signature".into()
            },
        );
    }

    // R10: the low anchor log must be there.
    match &low {
        Some(l) if l.file.is_none() => {
            let lowest_db = restoring.iter().filter(|d| d.header_valid).min_by_key(|d| d.last_consistent.generation);
            let msg = format!(
                "the low anchor log (generation {} (0x{:X})) is missing: logs cannot be replayed. Either (a) start the databases without logs: every log and the checkpoint leave the folder (everything after the backup is lost), or (b) leave out {} so that the others have a contiguous range; it can never take more log data",
                l.generation,
                l.generation,
                lowest_db.map_or("the database with the lowest Last Consistent", |d| d.file.as_str())
            );
            check(&mut checks, "R10", CheckStatus::Failed, msg.clone());
            rf.blockers.push(Blocker { rule: "R10", message: msg.clone() });
            rf.predicted_errors.push(predicted(err::MISSING_LOG_FILE, "R10", msg));
        }
        Some(l) if u32::try_from(l.generation).is_ok_and(|g| fills.contains_key(&g)) => check(
            &mut checks,
            "R10",
            CheckStatus::Passed,
            format!(
                "the low anchor generation {} (0x{:X}) is in {}: copy it to its archived name (R12)",
                l.generation,
                l.generation,
                l.file.as_deref().unwrap_or_default()
            ),
        ),
        Some(_) => check(&mut checks, "R10", CheckStatus::Passed, "the low anchor log is present".into()),
        None => check(&mut checks, "R10", CheckStatus::NotApplicable, "no database to restore".into()),
    }

    // R11: the databases must be at the paths the logs recorded. Where the records were read:
    // the CreateDB/AttachDB of the database (by DB signature) that its header reflects (the last
    // at or before its Last Consistent, else the first after), and every later attach of it
    // (one at another path is where replay for it stops). Else the high anchor log's list, or
    // the next log's when it lists none (generation 1 is created before any attach).
    let list_log = high.as_ref().and_then(|h| {
        let start = u32::try_from(h.generation).ok()?;
        by_gen.range(start..).map(|(_, l)| *l).find(|l| !l.attached.is_empty())
    });
    for d in &restoring {
        let attaches: Vec<&(&Log, &DbEvent)> =
            lives.get(d.file.as_str()).into_iter().flatten().filter(|(_, e)| e.kind != EventKind::Detach).collect();
        let reflected = attaches
            .iter()
            .copied()
            .rfind(|(_, e)| e.lgpos <= d.last_consistent)
            .or_else(|| attaches.iter().copied().find(|(_, e)| e.lgpos > d.last_consistent));
        if let Some((l, e)) = reflected {
            recorded_paths.insert(d.file.as_str(), e.path.clone());
            let what = format!(
                "{} is recorded by the {} at {} in {} as {}",
                d.file,
                event_name(e.kind),
                e.lgpos,
                l.file,
                e.path
            );
            if file_name(&e.path).eq_ignore_ascii_case(d.file_name()) {
                check(&mut checks, "R11", CheckStatus::Passed, what);
            } else {
                let msg = format!("{what}: the logs replay only into a database at that path");
                check(&mut checks, "R11", CheckStatus::Failed, msg.clone());
                let i = add_action(
                    &mut actions,
                    Action {
                        rule: "R11",
                        action: ActionKind::RestorePath,
                        path: d.file.clone(),
                        to: Some(e.path.clone()),
                        why: msg.clone(),
                    },
                );
                rf.actions.push(i);
                rf.predicted_errors.push(predicted(err::ATTACHED_DATABASE_MISMATCH, "R11", msg));
            }
            // A later attach of it at another path: replay for it stops there (it cannot be at both).
            let moved = attaches.iter().copied().find(|(_, m)| {
                m.lgpos > e.lgpos
                    && m.lgpos > d.last_consistent
                    && !file_name(&m.path).eq_ignore_ascii_case(file_name(&e.path))
            });
            if let Some((ml, m)) = moved {
                let msg = format!(
                    "the {} at {} in {} attaches {} as {}, not {}: replay for it stops there (a database cannot be at both paths; the engine defers it and ends with -1216)",
                    event_name(m.kind), m.lgpos, ml.file, d.file, m.path, e.path
                );
                check(&mut checks, "R11", CheckStatus::Failed, msg.clone());
                rf.predicted_errors.push(predicted(err::ATTACHED_DATABASE_MISMATCH, "R11", msg.clone()));
                stops.entry(d.file.as_str()).or_default().push(ReplayStop {
                    lgpos: m.lgpos,
                    log: ml.file.clone(),
                    rule: "R11",
                    reason: msg,
                });
            }
            continue;
        }
        let entry = list_log.and_then(|l| l.attached.iter().find(|a| a.db_signature == d.db_signature));
        match (list_log, entry) {
            (Some(l), Some(a)) if crate::model::file_name(&a.path).eq_ignore_ascii_case(d.file_name()) => check(
                &mut checks,
                "R11",
                CheckStatus::Passed,
                format!("{} is recorded in {} as {}", d.file, l.file, a.path),
            ),
            (Some(l), Some(a)) => {
                let msg = format!(
                    "{} is recorded in {} as {}: the logs replay only into a database at that path",
                    d.file, l.file, a.path
                );
                check(&mut checks, "R11", CheckStatus::Failed, msg.clone());
                let i = add_action(
                    &mut actions,
                    Action {
                        rule: "R11",
                        action: ActionKind::RestorePath,
                        path: d.file.clone(),
                        to: Some(a.path.clone()),
                        why: msg.clone(),
                    },
                );
                rf.actions.push(i);
                rf.predicted_errors.push(predicted(err::ATTACHED_DATABASE_MISMATCH, "R11", msg));
            }
            (Some(l), None) => check(
                &mut checks,
                "R11",
                CheckStatus::NotApplicable,
                format!("{} lists no database with the DB signature of {}", l.file, d.file),
            ),
            (None, _) => check(
                &mut checks,
                "R11",
                CheckStatus::NotApplicable,
                format!("no log from the high anchor on lists {}", d.file),
            ),
        }
    }

    // R12: every generation from the low anchor up to the high anchor, present, sound, named
    // right and chained. When every database is restored at once, newer logs are replayed too as
    // long as they stay contiguous: replay ends at the end of the run that starts at the high
    // anchor, and logs after a gap cannot be replayed and must leave the folder.
    let mut range_ok = true;
    let mut replay_end: Option<u32> = None;
    if let (Some(l), Some(h)) = (&low, &high) {
        let from = u32::try_from(l.generation).unwrap_or(0);
        let high_gen = u32::try_from(h.generation).unwrap_or(0);
        let mut end = high_gen;
        if all_restored_together {
            while by_gen.contains_key(&(end + 1)) && at(end + 1).is_empty() {
                end += 1;
            }
        }
        replay_end = Some(end);
        let mut problems: Vec<(String, (i32, &'static str))> = Vec::new();
        for gap in &unfilled {
            if gap.to >= from && gap.from <= high_gen {
                problems
                    .push((format!("generations 0x{:X}-0x{:X} are missing", gap.from, gap.to), err::MISSING_LOG_FILE));
            }
        }
        if last.is_none_or(|x| x < high_gen) && !(l.file.is_some() && h.file.is_some()) {
            problems.push((format!("no log holds the high anchor generation 0x{high_gen:X}"), err::MISSING_LOG_FILE));
        }
        for (&g, l) in by_gen.range(from..=end) {
            if l.damaged {
                problems.push((format!("{} is damaged", l.file), err::LOG_FILE_CORRUPT));
            }
            if let Some(a) = copy_action(g) {
                let i = add_action(&mut actions, a);
                rf.actions.push(i);
            }
        }
        // The sequence checks are the ones `esehdr ml BASE` runs (-515, -590, -530, -513).
        for (_, b) in crossing(from, end) {
            problems.push((describe(b), engine(b)));
        }
        if problems.is_empty() {
            check(
                &mut checks,
                "R12",
                CheckStatus::Passed,
                match fills.range(from..=end).map(|(_, r)| r.log.file.as_str()).collect::<Vec<_>>() {
                    copied if copied.is_empty() => {
                        format!("generations 0x{from:X} to 0x{end:X} are present, sound and contiguous")
                    }
                    copied => format!(
                        "generations 0x{from:X} to 0x{end:X} are present (once {} is copied), sound and contiguous",
                        copied.join(", ")
                    ),
                },
            );
        } else {
            range_ok = false;
            for (msg, e) in problems {
                check(&mut checks, "R12", CheckStatus::Failed, msg.clone());
                rf.blockers.push(Blocker { rule: "R12", message: msg.clone() });
                rf.predicted_errors.push(predicted(e, "R12", msg));
            }
        }
        if all_restored_together {
            // Replay stops before a break just past the range: mounting with the logs after it
            // in place fails with the error `esehdr ml BASE` reports.
            let stop = at(end + 1);
            for (_, b) in &stop {
                let msg = format!("{}: replay stops at generation 0x{end:X}", describe(b));
                check(&mut checks, "R12", CheckStatus::Failed, msg.clone());
                rf.predicted_errors.push(predicted(engine(b), "R12", msg));
            }
            let after = if stop.is_empty() { "the missing generation" } else { "the sequence break at generation" };
            for l in own.iter().filter(|l| l.position().is_some_and(|g| g > end)) {
                let msg = format!(
                    "{} comes after {after} 0x{:X}: it cannot be replayed; move it out of the folder (everything after 0x{end:X} is lost)",
                    l.file,
                    end + 1
                );
                check(&mut checks, "R12", CheckStatus::Failed, msg.clone());
                let i = add_action(
                    &mut actions,
                    Action {
                        rule: "R12",
                        action: ActionKind::Delete,
                        path: l.file.clone(),
                        to: None,
                        why: msg.clone(),
                    },
                );
                rf.actions.push(i);
                rf.predicted_errors.push(predicted(err::MISSING_LOG_FILE, "R12", msg));
            }
        }
    } else {
        check(&mut checks, "R12", CheckStatus::NotApplicable, "no database to restore".into());
    }

    // R13: logs of another stream must go.
    for l in &foreign {
        let msg = format!("{} has another log signature: move it out of the folder before replay", l.file);
        check(&mut checks, "R13", CheckStatus::Failed, msg.clone());
        let i = add_action(
            &mut actions,
            Action {
                rule: "R13",
                action: ActionKind::RemoveForeignLog,
                path: l.file.clone(),
                to: None,
                why: msg.clone(),
            },
        );
        rf.actions.push(i);
        soft.actions.push(i);
        rf.predicted_errors.push(predicted(err::BAD_LOG_SIGNATURE, "R13", msg.clone()));
        soft.predicted_errors.push(predicted(err::BAD_LOG_SIGNATURE, "R13", msg));
    }
    if foreign.is_empty() {
        check(&mut checks, "R13", CheckStatus::Passed, "no log of another stream".into());
    }

    // R14: the last log replayed must be named <base>.log: the current log, or the newest
    // archived log when the current log is missing or lies after a gap (R12).
    let newest = || current.or_else(|| archived.iter().copied().max_by_key(|l| l.position()));
    let last_replayed =
        if all_restored_together { replay_end.and_then(|e| by_gen.get(&e).copied()).or_else(newest) } else { newest() };
    match last_replayed {
        Some(l) if l.is_current() => {
            check(&mut checks, "R14", CheckStatus::Passed, format!("the newest log is {current_name}"))
        }
        Some(l) => {
            let msg = format!("the last log of the range, {}, must be renamed to {current_name}", l.file);
            check(&mut checks, "R14", CheckStatus::Failed, msg.clone());
            let i = add_action(
                &mut actions,
                Action {
                    rule: "R14",
                    action: ActionKind::Rename,
                    path: l.file.clone(),
                    to: Some(current_path.clone()),
                    why: msg.clone(),
                },
            );
            rf.actions.push(i);
            rf.predicted_errors.push(predicted(err::MISSING_LOG_FILE, "R14", msg));
        }
        None => check(&mut checks, "R14", CheckStatus::NotApplicable, "no log".into()),
    }

    // R15: the checkpoint must go for a roll-forward.
    match checkpoint {
        Some(c) => {
            let past = low.as_ref().is_some_and(|l| c.generation > l.generation);
            let msg = if past {
                format!(
                    "delete {}: it points past the low anchor, so replay would skip the logs the databases need",
                    c.file
                )
            } else {
                format!("delete {} before replaying the logs", c.file)
            };
            check(&mut checks, "R15", CheckStatus::Failed, msg.clone());
            let i = add_action(
                &mut actions,
                Action { rule: "R15", action: ActionKind::Delete, path: c.file.clone(), to: None, why: msg.clone() },
            );
            rf.actions.push(i);
            let e = if checkpoint_own || !c.valid {
                err::ATTACHED_DATABASE_MISMATCH
            } else {
                err::BAD_CHECKPOINT_SIGNATURE
            };
            rf.predicted_errors.push(predicted(e, "R15", msg));
        }
        None => check(&mut checks, "R15", CheckStatus::Passed, "no checkpoint".into()),
    }

    // R17: a signature change inside the stream stops replay for that database. The path the
    // logs recorded for it is the one its records give (R11), else the one listed with its DB
    // signature. Where the records were read, the CreateDB or AttachDB that gives that path
    // another DB signature is where replay stops; in a log whose records were not read, its
    // attach list naming that path with another signature marks it. A database whose last record
    // is a DetachDB ends there.
    for d in &restoring {
        let Some(recorded) = recorded_paths.get(d.file.as_str()).cloned().or_else(|| {
            own.iter()
                .flat_map(|l| l.attached.iter())
                .find(|a| a.db_signature == d.db_signature)
                .map(|a| a.path.clone())
        }) else {
            continue;
        };
        let by_record = stream_events.iter().find(|(_, e)| {
            e.kind != EventKind::Detach
                && e.lgpos > d.last_consistent
                && e.path.eq_ignore_ascii_case(&recorded)
                && e.db_signature.is_some_and(|s| s != d.db_signature)
        });
        let after = u32::try_from(d.last_consistent.generation).unwrap_or(0);
        let by_list = by_gen.range(after..).filter(|(_, l)| l.events.is_none()).find_map(|(&g, l)| {
            l.attached
                .iter()
                .find(|a| a.path.eq_ignore_ascii_case(&recorded) && a.db_signature != d.db_signature)
                .map(|a| (g, l, a))
        });
        match (by_record, by_list) {
            (Some((l, e)), list) if list.is_none_or(|(g, _, _)| i64::from(e.lgpos.generation) < i64::from(g)) => {
                let msg = format!(
                    "the {} at {} in {} gives {} another DB signature (Rand {}): replay for {} stops there; everything after is lost for it (take a full backup after every defragmentation or repair)",
                    event_name(e.kind),
                    e.lgpos,
                    l.file,
                    e.path,
                    e.db_signature.map(|s| s.random).unwrap_or_default(),
                    d.file
                );
                check(&mut checks, "R17", CheckStatus::Failed, msg.clone());
                stops.entry(d.file.as_str()).or_default().push(ReplayStop {
                    lgpos: e.lgpos,
                    log: l.file.clone(),
                    rule: "R17",
                    reason: msg,
                });
            }
            (_, Some((g, l, a))) => check(
                &mut checks,
                "R17",
                CheckStatus::Failed,
                format!(
                    "{} lists {} with another DB signature (Rand {}): replay for {} stops at generation 0x{g:X}; everything after is lost for it (take a full backup after every defragmentation or repair)",
                    l.file, a.path, a.db_signature.random, d.file
                ),
            ),
            _ => {}
        }
        let last = lives.get(d.file.as_str()).and_then(|v| v.last()).filter(|(_, e)| e.lgpos > d.last_consistent);
        if let Some((l, e)) = last.filter(|(_, e)| e.kind == EventKind::Detach) {
            let msg = format!(
                "replay for {} ends at its DetachDB at {} in {}: nothing after it is replayed into it",
                d.file, e.lgpos, l.file
            );
            check(&mut checks, "R17", CheckStatus::Passed, msg.clone());
            stops.entry(d.file.as_str()).or_default().push(ReplayStop {
                lgpos: e.lgpos,
                log: l.file.clone(),
                rule: "R17",
                reason: msg,
            });
        }
    }
    if !checks.iter().any(|c| c.rule == "R17" && c.status == CheckStatus::Failed) {
        check(&mut checks, "R17", CheckStatus::Passed, "no database signature changes inside the stream".into());
    }

    // --- D. soft recovery ---------------------------------------------------------------------
    for d in &members {
        if !d.header_valid {
            let msg = format!("{}: no valid header copy", d.file);
            soft.blockers.push(Blocker { rule: "R18", message: msg.clone() });
            soft.predicted_errors.push(predicted(err::DATABASE_CORRUPTED, "R18", msg));
            continue;
        }
        if !d.dirty() {
            continue;
        }
        let (min, max) = d.log_required;
        let (from, to) = if min > 0 && max >= min {
            (u32::try_from(min).unwrap_or(0), u32::try_from(max).unwrap_or(0))
        } else {
            let from = checkpoint
                .filter(|_| checkpoint_own)
                .map(|c| c.generation)
                .and_then(|g| u32::try_from(g).ok())
                .or(first)
                .unwrap_or(0);
            (from, current_generation.or(last).unwrap_or(0))
        };
        // Walked over what is present, so a wide range read from a header costs nothing.
        let mut absent = Vec::new();
        for (&g, l) in (from <= to).then(|| by_gen.range(from..=to)).into_iter().flatten() {
            if let Some(a) = copy_action(g) {
                let i = add_action(&mut actions, a);
                soft.actions.push(i);
            }
            if l.damaged {
                absent.push(format!("{} is damaged", l.file));
            }
        }
        for gap in gaps_in(&by_gen, from, to) {
            absent.push(if gap.from == gap.to {
                format!("generation {:#X}", gap.from)
            } else {
                format!("generations {:#X}-{:#X}", gap.from, gap.to)
            });
        }
        if absent.is_empty() {
            check(
                &mut checks,
                "R18",
                CheckStatus::Passed,
                format!("{} (Dirty Shutdown) needs generations {from:#X}-{to:#X}: all present and sound", d.file),
            );
        } else {
            let msg = format!("{} (Dirty Shutdown) needs generations {from:#X}-{to:#X}: {}", d.file, absent.join(", "));
            check(&mut checks, "R18", CheckStatus::Failed, msg.clone());
            soft.blockers.push(Blocker { rule: "R18", message: msg.clone() });
            // The dry run's error, when there is one, is the exact prediction (below).
            if !d.dry_run.as_ref().is_some_and(|r| r.verdict == DryRunVerdict::WouldFail) {
                soft.predicted_errors.push(predicted(err::REQUIRED_LOG_FILES_MISSING, "R18", msg));
            }
        }
        // The dry run of soft recovery with these logs (the caller's, docs/log-records.md §5):
        // its verdict, and the error it stops on with its LGPOS and page.
        match &d.dry_run {
            Some(r) if r.verdict == DryRunVerdict::WouldFail => {
                let msg = format!("{}: the dry run of soft recovery with these logs {}", d.file, dry_run_text(r));
                check(&mut checks, "R18", CheckStatus::Failed, msg.clone());
                soft.blockers.push(Blocker { rule: "R18", message: msg.clone() });
                let e = r.error.as_ref().map_or(err::ATTACHED_DATABASE_MISMATCH, |e| (e.code, e.name));
                soft.predicted_errors.push(predicted(e, "R18", msg));
            }
            Some(r) => check(
                &mut checks,
                "R18",
                if r.verdict == DryRunVerdict::WouldSucceed { CheckStatus::Passed } else { CheckStatus::NotApplicable },
                format!("{}: the dry run of soft recovery with these logs {}", d.file, dry_run_text(r)),
            ),
            None => {}
        }
    }
    // Recovery replays from the checkpoint to the current log, and a database behind them
    // needs the logs from its Last Consistent (or Log Required) on: across a sequence break,
    // recovery stops with the error `esehdr ml BASE` reports.
    // Only the databases of this stream count (a database of another stream is left out, R9).
    let own_checkpoint = checkpoint.filter(|_| checkpoint_own);
    let soft_from = members
        .iter()
        .filter(|d| d.header_valid)
        .map(|d| if d.dirty() && d.log_required.0 > 0 { d.log_required.0 } else { d.last_consistent.generation })
        .chain(own_checkpoint.map(|c| c.generation))
        .filter_map(|g| u32::try_from(g).ok())
        .min();
    // (No log and no checkpoint at all: the databases start a new log stream.)
    let soft_to = current_generation.or(last).or(soft_from).filter(|_| !no_logs_at_all);
    if let (Some(from), Some(to)) = (soft_from, soft_to) {
        // (`from` above `to`: a database ahead of every log; only the current log is needed.)
        for &g in (from <= to).then(|| fills.range(from..=to)).into_iter().flatten().map(|(g, _)| g) {
            if let Some(a) = copy_action(g) {
                let i = add_action(&mut actions, a);
                soft.actions.push(i);
            }
        }
        let gaps = gaps_in(&by_gen, from, to);
        let mut absent: Vec<String> =
            gaps.iter().map(|gap| format!("generations 0x{:X}-0x{:X} are missing", gap.from, gap.to)).collect();
        if current.is_none() {
            absent.push(format!("the current log {current_name} is missing"));
        }
        let reported = checks.iter().any(|c| c.rule == "R18" && c.status == CheckStatus::Failed);
        if !absent.is_empty() && !reported {
            let msg = format!("recovery replays generations 0x{from:X}-0x{to:X}: {}", absent.join(", "));
            check(&mut checks, "R18", CheckStatus::Failed, msg.clone());
            soft.blockers.push(Blocker { rule: "R18", message: msg.clone() });
            soft.predicted_errors.push(predicted(err::MISSING_LOG_FILE, "R18", msg));
        }
        for (_, b) in crossing(from, to) {
            let msg = format!("recovery replays generations 0x{from:X}-0x{to:X}: {}", describe(b));
            check(&mut checks, "R18", CheckStatus::Failed, msg.clone());
            soft.blockers.push(Blocker { rule: "R18", message: msg.clone() });
            soft.predicted_errors.push(predicted(engine(b), "R18", msg));
        }
    }
    if !checks.iter().any(|c| c.rule == "R18") {
        check(&mut checks, "R18", CheckStatus::NotApplicable, "no database in Dirty Shutdown".into());
    }

    // --- start without logs (R10 a) -------------------------------------------------------------
    // When every database of the stream is consistent it can start without logs: every log and
    // the checkpoint leave the folder (kept, not deleted: a later roll-forward needs them), and
    // everything after the backup is lost. Never a point-in-time restore (R6), a verdict of its own.
    for d in &members {
        let paired = d.streaming_file.as_ref().is_none_or(|stm| {
            stm.db_signature == d.db_signature && stm.clean && stm.last_consistent == d.last_consistent
        });
        if !d.clean() {
            let msg =
                format!("{} is {}, not Clean Shutdown: it cannot start without logs", d.file, state_name(d.state_code));
            without_logs.blockers.push(Blocker { rule: "R10", message: msg.clone() });
            let e = if d.header_valid { err::DATABASE_DIRTY_SHUTDOWN } else { err::DATABASE_CORRUPTED };
            without_logs.predicted_errors.push(predicted(e, "R10", msg));
        } else if !paired {
            without_logs.blockers.push(Blocker {
                rule: "R1",
                message: format!("{} and its streaming file do not belong together: it is not consistent", d.file),
            });
        }
    }
    let mut leave: Vec<&str> = input.logs.iter().map(|l| l.file.as_str()).collect();
    leave.extend(checkpoint.map(|c| c.file.as_str()));
    for f in leave {
        let i = add_action(
            &mut actions,
            Action {
                rule: "R10",
                action: ActionKind::MoveOut,
                path: f.to_string(),
                to: None,
                why: "to start without logs, move this file out of the folder (keep it: a later roll-forward needs it); everything after the backup is lost".into(),
            },
        );
        without_logs.actions.push(i);
    }

    // --- verdicts -----------------------------------------------------------------------------
    if members.is_empty() {
        let message = if strangers.is_empty() {
            "no database in this stream".to_string()
        } else {
            "no database of this stream (the databases found belong to another log stream, R9)".to_string()
        };
        for v in [&mut pit, &mut rf, &mut soft, &mut without_logs] {
            v.blockers.push(Blocker { rule: "R8", message: message.clone() });
        }
    }
    pit.possible = pit.blockers.is_empty();
    rf.possible = rf.blockers.is_empty() && range_ok;
    soft.possible = soft.blockers.is_empty();
    without_logs.possible = without_logs.blockers.is_empty();
    for v in [&mut pit, &mut rf, &mut soft, &mut without_logs] {
        v.actions.sort_unstable();
        v.actions.dedup();
        v.ready = v.possible && v.actions.is_empty();
        if v.possible && v.ready {
            v.predicted_errors.clear();
        }
    }
    check(
        &mut checks,
        "R16",
        if rf.possible { CheckStatus::Passed } else { CheckStatus::Failed },
        if rf.possible {
            format!("after the roll-forward actions: databases at their paths, logs from the low anchor on, the newest named {current_name}, no checkpoint; then mount")
        } else {
            "a roll-forward restore is not possible (see the failed checks)".into()
        },
    );

    // Rules in their order (R16, the final check, comes after R15).
    checks.sort_by_key(|c| c.rule.trim_start_matches('R').parse::<u32>().unwrap_or(0));

    let logs_intact = missing.is_empty() && damaged.is_empty() && breaks.is_empty() && current.is_some();
    let dbs_intact = !members.is_empty() && members.iter().all(|d| d.header_valid);
    let case = if members.is_empty() {
        None
    } else if dbs_intact && logs_intact && soft.possible {
        Some(3)
    } else if logs_intact && rf.possible {
        Some(2)
    } else if pit.possible || without_logs.possible {
        Some(1)
    } else {
        None
    };
    check(
        &mut checks,
        "R19",
        if case.is_some() { CheckStatus::Passed } else { CheckStatus::Failed },
        match case {
            Some(3) => "case 3: logs and databases intact: recover from what is on disk (soft recovery)".into(),
            Some(2) => "case 2: databases to restore, every log intact: restore the backup and roll forward".into(),
            Some(1) if pit.possible => {
                "case 1: logs missing or damaged: restore the latest backup (point-in-time), no roll-forward".into()
            }
            Some(1) => "case 1: logs missing or damaged: restore the latest backup and start it without logs (data after the backup is lost), no roll-forward".into(),
            _ => "no restore is possible with these files".into(),
        },
    );

    let databases = input
        .databases
        .iter()
        .map(|d| {
            let member = sig.is_none_or(|s| s == d.log_signature);
            DatabaseSummary {
                file: d.file.clone(),
                state: state_name(d.state_code),
                last_consistent: d.last_consistent,
                log_required: LogRange { min: d.log_required.0, max: d.log_required.1 },
                db_signature: d.db_signature,
                log_signature_matches: member,
                streaming_file: d.streaming_file.as_ref().map(|s| s.file.clone()),
                restoring: d.restoring || (member && !any_flagged),
                log_events: lives
                    .get(d.file.as_str())
                    .into_iter()
                    .flatten()
                    .map(|(l, e)| DatabaseEvent {
                        kind: e.kind,
                        lgpos: e.lgpos,
                        log: l.file.clone(),
                        dbid: e.dbid,
                        path: e.path.clone(),
                    })
                    .collect(),
                replay_stop: stops.get(d.file.as_str()).and_then(|v| v.iter().min_by_key(|s| s.lgpos)).cloned(),
                dry_run: d.dry_run.clone(),
            }
        })
        .collect();
    StreamPlan {
        base_name: base.clone(),
        log_signature: sig,
        circular_logging: circular,
        databases,
        logs: LogSummary {
            first_generation: first,
            last_generation: last,
            current_generation,
            missing,
            damaged: damaged.iter().map(|l| l.file.clone()).collect(),
            foreign: foreign.iter().map(|l| l.file.clone()).collect(),
            sequence_breaks: breaks.iter().map(|(_, b)| (*b).clone()).collect(),
            temporary_log: input.temporary_log.clone(),
            reserve_files: input.reserve_files.clone(),
            recoverable_generations: input
                .recoverable
                .iter()
                .filter_map(|r| {
                    Some(Recoverable {
                        file: r.log.file.clone(),
                        generation: r.log.position()?,
                        archived_name: file_name(&r.to).to_string(),
                    })
                })
                .collect(),
        },
        checkpoint: checkpoint.map(|c| CheckpointSummary {
            file: c.file.clone(),
            generation: c.generation,
            valid_for_point_in_time: checkpoint_valid_pit,
        }),
        low_anchor: low,
        high_anchor: high,
        checks,
        verdicts: Verdicts { point_in_time: pit, roll_forward: rf, soft_recovery: soft, without_logs },
        case,
        actions,
        backup_logs,
        deletable_logs,
    }
}

/// The generations of `from..=to` absent from `present`, as runs; walked over what is present, so
/// a wide range read from a header costs nothing. Empty when `from > to`.
fn gaps_in(present: &BTreeMap<u32, &Log>, from: u32, to: u32) -> Vec<Gap> {
    let mut gaps = Vec::new();
    if from > to {
        return gaps;
    }
    let mut expect = Some(from);
    for &g in present.range(from..=to).map(|(g, _)| g) {
        if let Some(e) = expect.filter(|e| g > *e) {
            gaps.push(Gap { from: e, to: g - 1 });
        }
        expect = g.checked_add(1);
    }
    if let Some(e) = expect.filter(|e| *e <= to) {
        gaps.push(Gap { from: e, to });
    }
    gaps
}

fn join(folder: &str, name: &str) -> String {
    if folder.is_empty() {
        name.to_string()
    } else if folder.ends_with(['\\', '/']) {
        format!("{folder}{name}")
    } else {
        format!("{folder}/{name}")
    }
}

/// eseutil's name of the record an event is.
fn event_name(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Create => "CreateDB",
        EventKind::Attach => "AttachDB",
        EventKind::Detach => "DetachDB",
    }
}

/// Every create, attach and detach record of `logs` (in generation order), in LGPOS order.
fn all_events<'a>(logs: impl Iterator<Item = &'a Log>) -> Vec<(&'a Log, &'a DbEvent)> {
    let mut all: Vec<(&Log, &DbEvent)> = logs.flat_map(|l| l.events.iter().flatten().map(move |e| (l, e))).collect();
    all.sort_by_key(|(_, e)| e.lgpos);
    all
}

/// The events of one database: a create or attach with its DB signature; a detach of the DBID
/// such a record gave it (a DBID is a slot of the stream, freed by the detach), or, when no
/// create or attach of that DBID was read, a detach at the path its attaches or the header
/// attach lists give it (docs/log-records.md §3.23).
fn events_of<'a>(all: &[(&'a Log, &'a DbEvent)], d: &Database) -> Vec<(&'a Log, &'a DbEvent)> {
    let mut slots: BTreeMap<u8, bool> = BTreeMap::new();
    let mut path: Option<&str> = None;
    let listed = |p: &str, l: &Log| {
        l.attached.iter().any(|a| a.db_signature == d.db_signature && a.path.eq_ignore_ascii_case(p))
    };
    let mut out = Vec::new();
    for &(l, e) in all {
        match e.kind {
            EventKind::Create | EventKind::Attach => {
                let ours = e.db_signature == Some(d.db_signature);
                slots.insert(e.dbid, ours);
                if ours {
                    path = Some(e.path.as_str());
                    out.push((l, e));
                }
            }
            EventKind::Detach => {
                let ours = match slots.remove(&e.dbid) {
                    Some(ours) => ours,
                    None => path.map_or_else(|| listed(&e.path, l), |p| p.eq_ignore_ascii_case(&e.path)),
                };
                if ours {
                    out.push((l, e));
                }
            }
        }
    }
    out
}

/// What a dry run predicts, as the end of a sentence.
fn dry_run_text(r: &DryRun) -> String {
    let span = match (r.start, r.end, r.verdict) {
        (Some(a), Some(b), DryRunVerdict::WouldSucceed) => format!(" (replay from {a} to {b})"),
        (Some(a), _, _) => format!(" (replay from {a})"),
        _ => String::new(),
    };
    match (r.verdict, &r.error) {
        (DryRunVerdict::WouldSucceed, _) => format!(
            "would succeed{span}: {} page records to apply, {} already on disk",
            r.apply_records, r.already_on_disk
        ),
        (DryRunVerdict::WouldFail, Some(e)) => format!(
            "would stop with {} ({}){}{}{span}: {}",
            e.code,
            e.name,
            e.lgpos.map(|l| format!(" at {l}")).unwrap_or_default(),
            e.pgno.map(|p| format!(" on page {p}")).unwrap_or_default(),
            e.message
        ),
        (DryRunVerdict::WouldFail, None) => format!("would fail{span}"),
        (DryRunVerdict::NotRun, _) => {
            format!("could not be made: {}", r.note.as_deref().unwrap_or("no reason given"))
        }
    }
}
