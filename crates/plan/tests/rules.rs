//! Unit tests per rule (docs/restore-rules.md), on streams built by hand, and proptest
//! invariants of the planner.

use esehdr_format::{Lgpos, LogTime, Signature};
use esehdr_plan::*;

fn sig(random: u32) -> Signature {
    Signature { random, ..Signature::default() }
}

/// A LOGTIME `n` seconds into 2022-01-01.
fn t(n: u32) -> LogTime {
    LogTime::from_bytes([(n % 60) as u8, (n / 60 % 60) as u8, (n / 3600) as u8, 1, 1, 122, 1, 0])
}

const STREAM: u32 = 0x5151;
const DB1: u32 = 0xD1;
const DB2: u32 = 0xD2;

fn log(g: u32, current: bool) -> Log {
    Log {
        file: if current { "logs/E00.log".into() } else { format!("logs/E00{g:05X}.log") },
        name_generation: if current { None } else { Some(g) },
        generation: Some(g as i32),
        signature: sig(STREAM),
        created: t(g),
        previous_created: t(g - 1),
        circular_logging: false,
        attached: vec![
            Attached { path: "C:\\EXCHSRVR\\MDBDATA\\priv1.edb".into(), db_signature: sig(DB1) },
            Attached { path: "C:\\EXCHSRVR\\MDBDATA\\pub1.edb".into(), db_signature: sig(DB2) },
        ],
        damaged: false,
        events: None,
    }
}

fn db(name: &str, db_sig: u32, consistent_gen: i32) -> Database {
    Database {
        file: format!("db/{name}"),
        header_valid: true,
        state_code: 3,
        last_consistent: Lgpos { generation: consistent_gen, isec: 1, ib: 0 },
        log_required: (0, 0),
        db_signature: sig(db_sig),
        log_signature: sig(STREAM),
        streaming_file: None,
        restoring: false,
        dry_run: None,
    }
}

/// An Exchange-style stream: logs 3..=9 (9 is E00.log), two clean databases at 5 and 7, a
/// checkpoint at 9, circular logging off.
fn stream() -> StreamInput {
    let mut logs: Vec<Log> = (3..9).map(|g| log(g, false)).collect();
    logs.push(log(9, true));
    StreamInput {
        base_name: "E00".into(),
        log_signature: Some(sig(STREAM)),
        log_folder: "logs".into(),
        ext: "log".into(),
        databases: vec![db("priv1.edb", DB1, 5), db("pub1.edb", DB2, 7)],
        logs,
        checkpoint: Some(Checkpoint {
            file: "logs/E00.chk".into(),
            valid: true,
            generation: 9,
            signature: sig(STREAM),
            circular_logging: false,
        }),
        ..StreamInput::default()
    }
}

/// A break reported by the shared sequence check: `E00<g>.log` does not continue `E00<g-1>.log`
/// (-590, as `esehdr ml BASE` reports it).
fn chain_break(g: u32) -> SequenceBreak {
    SequenceBreak {
        file: format!("logs/E00{g:05X}.log"),
        previous: Some(format!("logs/E00{:05X}.log", g - 1)),
        generation: Some(g),
        kind: "checksum_chain_break",
        error: esehdr_format::log::stream::LOG_SEQUENCE_CHECKSUM_MISMATCH,
        message: "Invalid log sequence.".into(),
    }
}

fn check_status(p: &StreamPlan, rule: &str) -> Vec<CheckStatus> {
    p.checks.iter().filter(|c| c.rule == rule).map(|c| c.status).collect()
}

fn action_kinds(p: &StreamPlan, v: &Verdict) -> Vec<(ActionKind, String)> {
    v.actions.iter().map(|&i| (p.actions[i].action, p.actions[i].path.clone())).collect()
}

fn codes(v: &Verdict) -> Vec<i32> {
    v.predicted_errors.iter().map(|e| e.code).collect()
}

#[test]
fn a_healthy_stream_allows_all_three_with_the_roll_forward_actions() {
    let p = plan(&stream());
    assert!(p.verdicts.point_in_time.possible && p.verdicts.point_in_time.ready);
    assert!(p.verdicts.roll_forward.possible && !p.verdicts.roll_forward.ready);
    assert_eq!(action_kinds(&p, &p.verdicts.roll_forward), vec![(ActionKind::Delete, "logs/E00.chk".into())]);
    assert_eq!(codes(&p.verdicts.roll_forward), vec![-1216], "mounting with the checkpoint left in place (R15)");
    assert!(p.verdicts.soft_recovery.possible);
    assert_eq!(p.case, Some(3));
    assert_eq!(p.low_anchor, Some(Anchor { generation: 5, file: Some("logs/E0000005.log".into()) }));
    assert_eq!(p.high_anchor, Some(Anchor { generation: 7, file: Some("logs/E0000007.log".into()) }));
}

#[test]
fn r1_a_streaming_file_that_does_not_match_asks_for_a_remount() {
    let mut s = stream();
    s.databases[0].streaming_file = Some(StreamingFile {
        file: "db/priv1.stm".into(),
        db_signature: sig(DB1),
        clean: true,
        last_consistent: Lgpos { generation: 4, isec: 0, ib: 0 },
    });
    let p = plan(&s);
    assert_eq!(check_status(&p, "R1"), vec![CheckStatus::Failed]);
    assert!(p.actions.iter().any(|a| a.action == ActionKind::Remount && a.path == "db/priv1.edb"));
    assert!(!p.verdicts.point_in_time.ready);
    s.databases[0].streaming_file.as_mut().unwrap().last_consistent = s.databases[0].last_consistent;
    assert_eq!(check_status(&plan(&s), "R1"), vec![CheckStatus::Passed]);
}

#[test]
fn r2_r3_back_up_every_archived_log_and_delete_only_below_the_checkpoint() {
    let p = plan(&stream());
    assert_eq!(p.backup_logs.len(), 6, "3..8, never E00.log");
    assert!(!p.backup_logs.contains(&"logs/E00.log".to_string()));
    assert_eq!(p.deletable_logs, (3..9).map(|g| format!("logs/E00{g:05X}.log")).collect::<Vec<_>>());
    let mut s = stream();
    s.checkpoint.as_mut().unwrap().generation = 6;
    assert_eq!(plan(&s).deletable_logs, vec!["logs/E0000003.log", "logs/E0000004.log", "logs/E0000005.log"]);
}

#[test]
fn r5_a_stale_checkpoint_makes_point_in_time_fail_with_1216() {
    let mut s = stream();
    s.checkpoint.as_mut().unwrap().generation = 8;
    let p = plan(&s);
    // Not possible (R5): a point-in-time restore deletes neither the checkpoint nor any log (R6).
    let pit = &p.verdicts.point_in_time;
    assert!(!pit.possible && !pit.ready);
    assert_eq!(pit.blockers.iter().map(|b| b.rule).collect::<Vec<_>>(), vec!["R5"]);
    assert!(pit.blockers[0].message.contains("E00.chk is at generation 8 (0x8), but the current log is generation 9"));
    assert!(pit.actions.is_empty());
    assert_eq!(codes(pit), vec![-1216]);
    assert_eq!(check_status(&p, "R5"), vec![CheckStatus::Failed]);
    assert_eq!(check_status(&p, "R6"), vec![CheckStatus::Passed]);
    assert_eq!(p.checkpoint.as_ref().map(|c| c.valid_for_point_in_time), Some(false));
    // The way on is a verdict of its own (R10 a): every log and the checkpoint move out.
    let wl = &p.verdicts.without_logs;
    assert!(wl.possible && !wl.ready);
    let mut moved: Vec<String> = (3..9).map(|g| format!("logs/E00{g:05X}.log")).collect();
    moved.push("logs/E00.log".into());
    moved.push("logs/E00.chk".into());
    assert_eq!(action_kinds(&p, wl), moved.into_iter().map(|f| (ActionKind::MoveOut, f)).collect::<Vec<_>>());
    assert!(wl.actions.iter().all(|&i| p.actions[i].rule == "R10"));
    assert_eq!(codes(wl), vec![-1216], "mounting before the files move out");
    // Soft recovery of consistent databases is the same mount: it meets the same -1216.
    assert!(!p.verdicts.soft_recovery.possible);
    assert_eq!(codes(&p.verdicts.soft_recovery), vec![-1216]);
    assert_eq!(p.case, Some(2), "the logs are intact: roll forward");
    // Roll-forward deletes the checkpoint anyway.
    assert!(p.verdicts.roll_forward.possible);
}

#[test]
fn r5_no_current_log_makes_point_in_time_impossible() {
    let mut s = stream();
    s.logs.retain(|l| !l.is_current());
    let p = plan(&s);
    let pit = &p.verdicts.point_in_time;
    assert!(!pit.possible);
    assert!(pit.blockers.iter().any(|b| b.rule == "R5" && b.message.contains("there is no current log E00.log")));
    assert_eq!(codes(pit), vec![-1216]);
    assert!(pit.actions.is_empty());
    assert!(p.verdicts.without_logs.possible);
    assert_eq!(p.verdicts.without_logs.actions.len(), 7, "6 archived logs and the checkpoint");
}

#[test]
fn r10_a_start_without_logs_needs_every_database_consistent() {
    // A healthy stream: starting without logs would work too (it is never point-in-time).
    let p = plan(&stream());
    assert!(p.verdicts.without_logs.possible && !p.verdicts.without_logs.ready);
    assert!(p.verdicts.without_logs.predicted_errors.is_empty(), "mounting now works (point-in-time)");
    // A Dirty Shutdown database cannot start without its logs, even when it is not restored.
    let mut s = stream();
    s.databases[1].state_code = 2;
    s.databases[0].restoring = true;
    let p = plan(&s);
    assert!(!p.verdicts.without_logs.possible);
    assert!(p.verdicts.without_logs.blockers.iter().any(|b| b.rule == "R10" && b.message.contains("db/pub1.edb")));
    assert!(codes(&p.verdicts.without_logs).contains(&-550));
    // A streaming file that does not match: not consistent either.
    let mut s = stream();
    s.databases[0].streaming_file = Some(StreamingFile {
        file: "db/priv1.stm".into(),
        db_signature: sig(DB1),
        clean: false,
        last_consistent: s.databases[0].last_consistent,
    });
    assert!(!plan(&s).verdicts.without_logs.possible);
    // No log and no checkpoint: nothing to move, ready.
    let mut s = stream();
    s.logs.clear();
    s.checkpoint = None;
    let p = plan(&s);
    assert!(p.verdicts.without_logs.possible && p.verdicts.without_logs.ready);
}

#[test]
fn r7_circular_logging_allows_only_point_in_time() {
    let mut s = stream();
    for l in &mut s.logs {
        l.circular_logging = true;
    }
    let p = plan(&s);
    assert!(p.circular_logging);
    assert!(p.verdicts.point_in_time.possible);
    assert!(!p.verdicts.roll_forward.possible);
    assert!(p.verdicts.roll_forward.blockers.iter().any(|b| b.rule == "R7"));
    assert!(p.backup_logs.is_empty() && p.deletable_logs.is_empty(), "R2/R3 do not apply");
}

#[test]
fn r7_a_dirty_database_cannot_be_rolled_forward() {
    let mut s = stream();
    s.databases[1].state_code = 2;
    let p = plan(&s);
    assert!(!p.verdicts.roll_forward.possible);
    assert!(!p.verdicts.point_in_time.possible);
    assert_eq!(codes(&p.verdicts.point_in_time), vec![-550]);
}

#[test]
fn r8_the_low_anchor_may_still_be_the_current_log() {
    let mut s = stream();
    s.databases = vec![db("priv1.edb", DB1, 9)];
    let p = plan(&s);
    assert_eq!(p.low_anchor, Some(Anchor { generation: 9, file: Some("logs/E00.log".into()) }));
    assert!(p.verdicts.roll_forward.possible);
}

#[test]
fn r9_a_database_of_another_stream_is_named_and_left_out() {
    let mut s = stream();
    s.databases[1].log_signature = sig(0x9999);
    let p = plan(&s);
    let failed: Vec<&Check> = p.checks.iter().filter(|c| c.rule == "R9" && c.status == CheckStatus::Failed).collect();
    assert_eq!(failed.len(), 1);
    // Both signatures named (Rand 0x9999 = 39321, 0x5151 = 20817).
    assert!(failed[0].message.starts_with("db/pub1.edb: its log signature ("), "{}", failed[0].message);
    assert!(failed[0].message.contains("Rand:39321") && failed[0].message.contains("Rand:20817"));
    assert!(failed[0].message.contains("belongs to another log stream"));
    assert!(!p.databases[1].log_signature_matches);
    assert!(!p.databases[1].restoring);
    assert!(p.databases[0].log_signature_matches);
    // Left out of the anchors (priv1 alone: 5..5) and of the verdicts.
    assert_eq!(p.low_anchor, Some(Anchor { generation: 5, file: Some("logs/E0000005.log".into()) }));
    assert_eq!(p.high_anchor, p.low_anchor);
    assert!(p.verdicts.roll_forward.possible, "{:?}", p.verdicts.roll_forward.blockers);
    for v in [&p.verdicts.point_in_time, &p.verdicts.roll_forward, &p.verdicts.soft_recovery, &p.verdicts.without_logs]
    {
        assert!(v.blockers.iter().all(|b| !b.message.contains("pub1")));
        assert!(v.predicted_errors.iter().all(|e| !e.message.contains("pub1")));
    }
    // Even when it is dirty, it blocks nothing of this stream.
    s.databases[1].state_code = 2;
    let q = plan(&s);
    assert_eq!(q.verdicts, p.verdicts);
    // Only databases of another stream: no verdict of this stream is possible.
    s.databases.remove(0);
    let p = plan(&s);
    assert_eq!((p.low_anchor.as_ref(), p.case), (None, None));
    assert!(p.verdicts.point_in_time.blockers.iter().any(|b| b.rule == "R8"));
    assert!(!p.verdicts.without_logs.possible);
}

#[test]
fn r10_the_low_anchor_missing_blocks_roll_forward_and_names_the_ways_on() {
    let mut s = stream();
    s.logs.retain(|l| l.name_generation != Some(5));
    let p = plan(&s);
    assert_eq!(p.low_anchor, Some(Anchor { generation: 5, file: None }));
    assert!(!p.verdicts.roll_forward.possible);
    let b = p.verdicts.roll_forward.blockers.iter().find(|b| b.rule == "R10").unwrap();
    assert!(
        b.message.contains("(a) start the databases without logs") && b.message.contains("db/priv1.edb"),
        "{}",
        b.message
    );
    assert!(p.verdicts.point_in_time.possible, "point-in-time does not need the logs");
}

#[test]
fn r11_paths_come_from_the_high_anchor_log_or_the_next_that_lists_databases() {
    let mut s = stream();
    // The high anchor log (7) lists no database: the next one is used.
    s.logs.iter_mut().find(|l| l.name_generation == Some(7)).unwrap().attached.clear();
    s.databases[0].file = "restore/priv1-copy.edb".into();
    let p = plan(&s);
    let a = p.actions.iter().find(|a| a.action == ActionKind::RestorePath).expect("restore_path action");
    assert_eq!(a.path, "restore/priv1-copy.edb");
    assert_eq!(a.to.as_deref(), Some("C:\\EXCHSRVR\\MDBDATA\\priv1.edb"));
    assert!(a.why.contains("E0000008.log"), "{}", a.why);
    assert!(codes(&p.verdicts.roll_forward).contains(&-1216));
}

#[test]
fn r12_a_gap_between_the_anchors_blocks_and_one_beyond_only_when_all_are_restored() {
    let mut s = stream();
    s.logs.retain(|l| l.name_generation != Some(6));
    let p = plan(&s);
    assert!(!p.verdicts.roll_forward.possible);
    assert!(codes(&p.verdicts.roll_forward).contains(&-528));
    assert_eq!(p.logs.missing, vec![Gap { from: 6, to: 6 }]);

    // All databases restored at once: the logs after the high anchor (7) are replayed too while
    // contiguous; E00.log (9) comes after the missing 8, so it must leave the folder and 7 becomes
    // the last log, renamed E00.log.
    let mut s = stream();
    s.logs.retain(|l| l.name_generation != Some(8));
    let p = plan(&s);
    assert!(p.verdicts.roll_forward.possible, "{:?}", p.verdicts.roll_forward.blockers);
    assert_eq!(
        action_kinds(&p, &p.verdicts.roll_forward),
        vec![
            (ActionKind::Delete, "logs/E00.log".into()),
            (ActionKind::Rename, "logs/E0000007.log".into()),
            (ActionKind::Delete, "logs/E00.chk".into())
        ]
    );
    assert!(codes(&p.verdicts.roll_forward).contains(&-528));
    // Only priv1 restored (anchors 5..5): generation 8 does not matter and nothing moves.
    s.databases[0].restoring = true;
    let p = plan(&s);
    assert!(p.verdicts.roll_forward.possible, "{:?}", p.verdicts.roll_forward.blockers);
    assert_eq!(action_kinds(&p, &p.verdicts.roll_forward), vec![(ActionKind::Delete, "logs/E00.chk".into())]);
}

#[test]
fn r12_a_sequence_break_and_a_damaged_log() {
    // The planner checks no sequence itself: a tmPrevGen it would have compared is not a break
    // unless the shared check (the one of `esehdr ml BASE`) reports it.
    let mut s = stream();
    s.logs.iter_mut().find(|l| l.name_generation == Some(6)).unwrap().previous_created = t(1000);
    assert!(!codes(&plan(&s).verdicts.roll_forward).contains(&-515));
    let mut s = stream();
    let mut b = chain_break(6);
    b.kind = "sequence_break";
    b.error = esehdr_format::log::stream::INVALID_LOG_SEQUENCE;
    s.sequence_breaks.push(b);
    let p = plan(&s);
    assert!(codes(&p.verdicts.roll_forward).contains(&-515));
    assert!(!p.verdicts.roll_forward.possible);
    let mut s = stream();
    s.logs.iter_mut().find(|l| l.name_generation == Some(6)).unwrap().damaged = true;
    let p = plan(&s);
    assert!(codes(&p.verdicts.roll_forward).contains(&-501));
    assert_eq!(p.logs.damaged, vec!["logs/E0000006.log"]);
}

#[test]
fn r12_r18_a_break_inside_the_range_blocks_every_replay_across_it() {
    let mut s = stream();
    s.sequence_breaks.push(chain_break(6));
    let p = plan(&s);
    // Roll-forward replays 5..9 across 5 -> 6.
    assert!(!p.verdicts.roll_forward.possible);
    assert_eq!(codes(&p.verdicts.roll_forward).first(), Some(&-590));
    let r12: Vec<&Check> = p.checks.iter().filter(|c| c.rule == "R12" && c.status == CheckStatus::Failed).collect();
    assert_eq!(r12.len(), 1);
    assert!(r12[0].message.starts_with("logs/E0000006.log does not continue logs/E0000005.log"), "{}", r12[0].message);
    // Soft recovery: priv1 (Last Consistent 5) is behind the logs: recovery replays 5..9.
    assert!(!p.verdicts.soft_recovery.possible);
    assert_eq!(codes(&p.verdicts.soft_recovery), vec![-590]);
    assert_eq!(p.logs.sequence_breaks.len(), 1);
    assert_ne!(p.case, Some(3), "a broken sequence is not intact logs");
    // Only pub1 (Last Consistent 7) restored: roll-forward does not cross 5 -> 6.
    s.databases[1].restoring = true;
    let p = plan(&s);
    assert!(p.verdicts.roll_forward.possible, "{:?}", p.verdicts.roll_forward.blockers);
    // A break whose previous log is gone is a gap, not a break.
    let mut s = stream();
    s.sequence_breaks.push(chain_break(6));
    s.logs.retain(|l| l.name_generation != Some(5));
    assert!(plan(&s).logs.sequence_breaks.is_empty());
}

#[test]
fn r12_a_break_just_after_the_range_ends_the_replay_there() {
    // Both databases restored: replay would go on to 9, but 8 does not continue 7.
    let mut s = stream();
    s.sequence_breaks.push(chain_break(8));
    let p = plan(&s);
    let rf = &p.verdicts.roll_forward;
    assert!(rf.possible && !rf.ready);
    assert_eq!(codes(rf).first(), Some(&-590));
    let a = action_kinds(&p, rf);
    assert!(a.contains(&(ActionKind::Delete, "logs/E0000008.log".into())), "{a:?}");
    assert!(a.contains(&(ActionKind::Delete, "logs/E00.log".into())), "{a:?}");
    assert!(a.contains(&(ActionKind::Rename, "logs/E0000007.log".into())), "{a:?}");
    assert!(p.checks.iter().any(|c| c.rule == "R12"
        && c.status == CheckStatus::Failed
        && c.message.starts_with("logs/E0000008.log does not continue logs/E0000007.log")));
}

#[test]
fn r12_a_temporary_log_holding_the_missing_low_anchor_is_copied() {
    let mut s = stream();
    s.logs.retain(|l| l.name_generation != Some(5));
    assert!(!plan(&s).verdicts.roll_forward.possible, "R10: the low anchor is missing");
    let mut tmp = log(5, false);
    tmp.file = "logs/E00tmp.log".into();
    s.recoverable.push(RecoverableLog { log: tmp, to: "logs/E0000005.log".into() });
    let p = plan(&s);
    let rf = &p.verdicts.roll_forward;
    assert!(rf.possible, "{:?}", rf.blockers);
    assert_eq!(
        action_kinds(&p, rf),
        vec![(ActionKind::Copy, "logs/E00tmp.log".into()), (ActionKind::Delete, "logs/E00.chk".into())]
    );
    let copy = p.actions.iter().find(|a| a.action == ActionKind::Copy).unwrap();
    assert_eq!((copy.rule, copy.to.as_deref()), ("R12", Some("logs/E0000005.log")));
    assert_eq!(p.low_anchor.as_ref().and_then(|a| a.file.as_deref()), Some("logs/E00tmp.log"));
    assert_eq!(p.logs.missing, vec![Gap { from: 5, to: 5 }], "the inventory still says what is missing");
    assert_eq!(p.logs.recoverable_generations[0].generation, 5);
    // A temporary log of another stream fills nothing.
    s.recoverable[0].log.signature = sig(0x7777);
    assert!(!plan(&s).verdicts.roll_forward.possible);
}

#[test]
fn r18_a_wide_range_read_from_a_header_is_walked_over_the_logs_present() {
    // A Log Required range and a gap of two billion generations: answered at once, the missing
    // runs named as runs.
    let mut s = stream();
    s.databases[1].state_code = 2;
    s.databases[1].log_required = (1, i32::MAX);
    s.logs.push(log(0x7FFF_FFF0, false));
    let p = plan(&s);
    assert!(!p.verdicts.soft_recovery.possible);
    let r18: Vec<&Check> = p.checks.iter().filter(|c| c.rule == "R18").collect();
    assert!(
        r18[0].message.contains("generations 0x1-0x2, generations 0xA-0x7FFFFFEF, generations 0x7FFFFFF1-0x7FFFFFFF"),
        "{}",
        r18[0].message
    );
    assert_eq!(p.logs.missing, vec![Gap { from: 10, to: 0x7FFF_FFEF }]);
}

#[test]
fn r13_a_foreign_log_must_be_removed() {
    let mut s = stream();
    let mut f = log(10, false);
    f.signature = sig(0x7777);
    f.file = "logs/E000000A.log".into();
    s.logs.push(f);
    let p = plan(&s);
    assert_eq!(p.logs.foreign, vec!["logs/E000000A.log"]);
    assert!(action_kinds(&p, &p.verdicts.roll_forward)
        .contains(&(ActionKind::RemoveForeignLog, "logs/E000000A.log".into())));
    assert!(codes(&p.verdicts.roll_forward).contains(&-530));
    assert!(p.verdicts.roll_forward.possible);
}

#[test]
fn r14_the_last_log_not_yet_renamed() {
    let mut s = stream();
    s.logs.retain(|l| !l.is_current());
    let p = plan(&s);
    let a = p.actions.iter().find(|a| a.action == ActionKind::Rename).expect("rename");
    assert_eq!((a.path.as_str(), a.to.as_deref()), ("logs/E0000008.log", Some("logs/E00.log")));
    assert!(p.verdicts.roll_forward.possible);
    assert!(codes(&p.verdicts.roll_forward).contains(&-528));
    // The order: rename before deleting the checkpoint? Actions are listed as found; both are in.
    assert_eq!(p.verdicts.roll_forward.actions.len(), 2);
}

#[test]
fn r15_a_checkpoint_of_another_stream_predicts_532() {
    let mut s = stream();
    s.checkpoint.as_mut().unwrap().signature = sig(0x4444);
    let p = plan(&s);
    assert!(codes(&p.verdicts.roll_forward).contains(&-532));
    assert!(!p.verdicts.point_in_time.ready, "R5: not this stream's checkpoint");
}

#[test]
fn r17_a_new_database_signature_inside_the_stream() {
    let mut s = stream();
    for l in s.logs.iter_mut().filter(|l| l.position() >= Some(8)) {
        l.attached[0].db_signature = sig(0xD9); // defragmented at generation 8
    }
    let p = plan(&s);
    let c = p.checks.iter().find(|c| c.rule == "R17" && c.status == CheckStatus::Failed).expect("R17 failed");
    assert!(c.message.contains("generation 0x8"), "{}", c.message);
}

#[test]
fn r18_soft_recovery_needs_log_required() {
    let mut s = stream();
    s.databases[0].state_code = 2;
    s.databases[0].log_required = (6, 8);
    assert!(plan(&s).verdicts.soft_recovery.possible);
    s.logs.retain(|l| l.name_generation != Some(7));
    let p = plan(&s);
    assert!(!p.verdicts.soft_recovery.possible);
    assert_eq!(codes(&p.verdicts.soft_recovery), vec![-543]);
    // Both zero (older formats): from the checkpoint to the current log.
    let mut s = stream();
    s.databases[0].state_code = 2;
    s.checkpoint.as_mut().unwrap().generation = 4;
    s.logs.retain(|l| l.name_generation != Some(5));
    assert!(!plan(&s).verdicts.soft_recovery.possible);
}

#[test]
fn r19_the_three_cases() {
    assert_eq!(plan(&stream()).case, Some(3));
    let mut s = stream();
    s.databases[0].header_valid = false;
    s.databases[0].restoring = true;
    s.databases[1].restoring = true;
    s.databases[0] = db("priv1.edb", DB1, 5);
    s.databases[0].restoring = true;
    s.databases.push(Database { header_valid: false, restoring: false, ..db("broken.edb", 0xBB, 0) });
    assert_eq!(plan(&s).case, Some(2));
    let mut s = stream();
    s.logs.retain(|l| l.name_generation != Some(5));
    assert_eq!(plan(&s).case, Some(1));
}

#[test]
fn no_database_means_no_anchor_and_no_case() {
    let mut s = stream();
    s.databases.clear();
    let p = plan(&s);
    assert_eq!((p.low_anchor, p.high_anchor, p.case), (None, None, None));
    assert!(!p.verdicts.point_in_time.possible);
}

mod invariants {
    use super::*;
    use proptest::prelude::*;

    fn arb_stream() -> impl Strategy<Value = StreamInput> {
        (
            proptest::collection::vec(any::<bool>(), 7),
            3i32..=9,
            3i32..=9,
            any::<bool>(),
            3i32..=10,
            any::<bool>(),
            any::<bool>(),
            proptest::option::of(4u32..=9),
        )
            .prop_map(|(keep, g1, g2, circular, chk_gen, has_chk, dirty, broken)| {
                let mut s = stream();
                let mut i = 0;
                s.logs.retain(|_| {
                    i += 1;
                    keep[i - 1]
                });
                for l in &mut s.logs {
                    l.circular_logging = circular;
                }
                s.databases[0].last_consistent.generation = g1;
                s.databases[1].last_consistent.generation = g2;
                if dirty {
                    s.databases[1].state_code = 2;
                    s.databases[1].log_required = (g2, g2 + 1);
                }
                if has_chk {
                    s.checkpoint.as_mut().unwrap().generation = chk_gen;
                } else {
                    s.checkpoint = None;
                }
                // What the shared check reports when generation `b` does not continue `b - 1`
                // (the current log, 9, is named E00.log).
                if let Some(b) = broken {
                    let mut x = chain_break(b);
                    if b == 9 {
                        x.file = "logs/E00.log".into();
                    }
                    if s.logs.iter().any(|l| l.file == x.file)
                        && s.logs.iter().any(|l| Some(&l.file) == x.previous.as_ref())
                    {
                        s.sequence_breaks.push(x);
                    }
                }
                s
            })
    }

    fn possible(p: &StreamPlan) -> [bool; 4] {
        [
            p.verdicts.point_in_time.possible,
            p.verdicts.roll_forward.possible,
            p.verdicts.soft_recovery.possible,
            p.verdicts.without_logs.possible,
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

        #[test]
        fn deletable_logs_are_below_the_checkpoint_and_never_the_current_log(s in arb_stream()) {
            let p = plan(&s);
            for f in &p.deletable_logs {
                prop_assert!(f != "logs/E00.log");
                let l = s.logs.iter().find(|l| &l.file == f).unwrap();
                prop_assert!(i64::from(l.position().unwrap()) < i64::from(s.checkpoint.as_ref().unwrap().generation));
            }
        }

        #[test]
        fn removing_a_log_never_makes_a_restore_possible(s in arb_stream(), which in 0usize..7) {
            let before = possible(&plan(&s));
            let mut t = s.clone();
            if which < t.logs.len() {
                t.logs.remove(which);
            }
            // With no log and no checkpoint left the databases start a new log stream (R5 does
            // not apply): a different situation, not a worse set of logs.
            prop_assume!(!t.logs.is_empty() || t.checkpoint.is_some());
            let after = possible(&plan(&t));
            // The one exception: with no log and no checkpoint left, the databases start a new
            // log stream (R5 does not apply), so point-in-time (and soft recovery, the same mount
            // when every database is consistent) may become possible.
            let none_left = t.logs.is_empty() && t.checkpoint.is_none();
            for k in 0..4 {
                prop_assert!(before[k] || !after[k] || ((k == 0 || k == 2) && none_left), "verdict {k} became possible after removing a log");
            }
        }

        #[test]
        fn adding_the_missing_log_of_a_gap_never_makes_a_restore_impossible(s in arb_stream()) {
            let p = plan(&s);
            if let Some(gap) = p.logs.missing.first() {
                let before = possible(&p);
                let mut t = s.clone();
                t.logs.push(log(gap.from, false));
                let after = possible(&plan(&t));
                for k in 0..4 {
                    prop_assert!(!before[k] || after[k], "verdict {k} became impossible after adding {}", gap.from);
                }
            }
        }

        #[test]
        fn no_point_in_time_action_deletes_or_moves_a_log_or_the_checkpoint(s in arb_stream()) {
            // R6: for a point-in-time restore, delete neither the checkpoint nor any log.
            let p = plan(&s);
            let kept: Vec<&str> =
                s.logs.iter().map(|l| l.file.as_str()).chain(s.checkpoint.iter().map(|c| c.file.as_str())).collect();
            for &i in &p.verdicts.point_in_time.actions {
                let a = &p.actions[i];
                prop_assert!(
                    !(kept.contains(&a.path.as_str())
                        && matches!(a.action, ActionKind::Delete | ActionKind::MoveOut | ActionKind::Rename | ActionKind::RemoveForeignLog)),
                    "point-in-time action {:?}", a
                );
            }
            // An invalid checkpoint makes point-in-time impossible, never "possible after moving the logs".
            let valid = p.checkpoint.as_ref().is_some_and(|c| c.valid_for_point_in_time);
            let none_at_all = s.logs.is_empty() && s.checkpoint.is_none();
            if !valid && !none_at_all {
                prop_assert!(!p.verdicts.point_in_time.possible);
                prop_assert!(p.verdicts.point_in_time.blockers.iter().any(|b| b.rule == "R5"));
                // Soft recovery of consistent databases is the same mount: never ready either.
                if s.databases.iter().all(|d| d.clean()) {
                    prop_assert!(!p.verdicts.soft_recovery.ready);
                }
            }
        }

        #[test]
        fn no_verdict_is_ready_across_a_sequence_break(s in arb_stream()) {
            // A verdict replays from where it starts to the current log: roll-forward from the
            // low anchor, soft recovery from the lowest Last Consistent or the checkpoint,
            // point-in-time from the checkpoint. None is ready when `ml BASE` reports a break
            // after that start.
            let p = plan(&s);
            for b in &s.sequence_breaks {
                let g = b.generation.unwrap() as i32;
                let chk = s.checkpoint.as_ref().map(|c| c.generation);
                let low = s.databases.iter().map(|d| d.last_consistent.generation).min().unwrap();
                if low < g {
                    prop_assert!(!p.verdicts.roll_forward.ready);
                    prop_assert!(!p.verdicts.soft_recovery.ready);
                    prop_assert!(p.verdicts.soft_recovery.predicted_errors.iter().any(|e| e.code == -590));
                }
                if chk.is_some_and(|c| c < g) {
                    prop_assert!(!p.verdicts.point_in_time.ready && !p.verdicts.soft_recovery.ready);
                }
                prop_assert!(p.case != Some(3));
            }
        }

        #[test]
        fn without_logs_only_when_every_database_is_consistent(s in arb_stream()) {
            let p = plan(&s);
            let wl = &p.verdicts.without_logs;
            if wl.possible {
                prop_assert!(!s.databases.is_empty());
                prop_assert!(s.databases.iter().all(|d| d.clean()));
                // Its actions move out every log and the checkpoint, and nothing else.
                let mut moved: Vec<&str> = wl.actions.iter().map(|&i| p.actions[i].path.as_str()).collect();
                let mut all: Vec<&str> =
                    s.logs.iter().map(|l| l.file.as_str()).chain(s.checkpoint.iter().map(|c| c.file.as_str())).collect();
                moved.sort_unstable();
                all.sort_unstable();
                prop_assert_eq!(moved, all);
                prop_assert!(wl.actions.iter().all(|&i| p.actions[i].action == ActionKind::MoveOut));
            } else {
                prop_assert!(s.databases.iter().any(|d| !d.clean()));
            }
        }

        #[test]
        fn a_database_of_another_stream_never_changes_the_verdicts(s in arb_stream(), dirty in any::<bool>()) {
            let mut t = s.clone();
            let mut stranger = db("other.edb", 0xEE, 2);
            stranger.log_signature = sig(0xABCD);
            if dirty {
                stranger.state_code = 2;
            }
            t.databases.push(stranger);
            let (p, q) = (plan(&s), plan(&t));
            prop_assert_eq!(&p.verdicts, &q.verdicts);
            prop_assert_eq!(&p.low_anchor, &q.low_anchor);
            prop_assert_eq!(&p.high_anchor, &q.high_anchor);
            prop_assert_eq!(p.case, q.case);
            prop_assert!(q.databases.iter().any(|d| d.file == "db/other.edb" && !d.log_signature_matches));
        }

        #[test]
        fn file_order_never_changes_the_plan(s in arb_stream(), seed in any::<u64>()) {
            let mut t = s.clone();
            // A deterministic shuffle.
            let n = t.logs.len();
            for i in (1..n).rev() {
                let j = (seed.wrapping_mul(6364136223846793005).wrapping_add(i as u64) % (i as u64 + 1)) as usize;
                t.logs.swap(i, j);
            }
            t.databases.reverse();
            prop_assert_eq!(plan(&s), plan(&t));
        }
    }
}

/// A create, attach or detach record.
fn event(kind: EventKind, at: (i32, u16, u16), dbid: u8, path: &str, db_sig: Option<u32>) -> DbEvent {
    DbEvent {
        kind,
        lgpos: Lgpos { generation: at.0, isec: at.1, ib: at.2 },
        dbid,
        path: path.into(),
        db_signature: db_sig.map(sig),
        log_signature: None,
        last_consistent: None,
    }
}

const PRIV1: &str = "C:\\EXCHSRVR\\MDBDATA\\priv1.edb";

/// The stream with the records of every log read: priv1.edb (consistent at 5) attached as DBID 1
/// at (5,1,0) in E0000005.log, so R11 names that record.
fn stream_with_records() -> StreamInput {
    let mut s = stream();
    for l in &mut s.logs {
        l.events = Some(Vec::new());
    }
    let l5 = s.logs.iter_mut().find(|l| l.name_generation == Some(5)).unwrap();
    l5.events = Some(vec![event(EventKind::Attach, (5, 1, 0), 1, PRIV1, Some(DB1))]);
    s
}

#[test]
fn r11_with_records_names_the_attach_the_header_reflects_with_its_lgpos() {
    let p = plan(&stream_with_records());
    let c = p.checks.iter().find(|c| c.rule == "R11" && c.message.starts_with("db/priv1.edb")).unwrap();
    assert_eq!(c.status, CheckStatus::Passed);
    assert_eq!(
        c.message,
        format!("db/priv1.edb is recorded by the AttachDB at (0x5,1,0) in logs/E0000005.log as {PRIV1}")
    );
    let d = p.databases.iter().find(|d| d.file == "db/priv1.edb").unwrap();
    assert_eq!(d.log_events.len(), 1);
    assert_eq!((d.log_events[0].dbid, d.log_events[0].log.as_str()), (1, "logs/E0000005.log"));
    assert_eq!(d.replay_stop, None);
    // pub1.edb has no record: its path comes from the high anchor log's list, as without records.
    let c = p.checks.iter().find(|c| c.rule == "R11" && c.message.starts_with("db/pub1.edb")).unwrap();
    assert_eq!(c.message, "db/pub1.edb is recorded in logs/E0000007.log as C:\\EXCHSRVR\\MDBDATA\\pub1.edb");
}

#[test]
fn r11_an_attach_at_another_path_after_last_consistent_is_where_replay_stops() {
    let mut s = stream_with_records();
    let l6 = s.logs.iter_mut().find(|l| l.name_generation == Some(6)).unwrap();
    l6.events = Some(vec![
        event(EventKind::Detach, (6, 2, 0), 1, PRIV1, None),
        event(EventKind::Attach, (6, 3, 0x20), 1, "D:\\moved\\priv2.edb", Some(DB1)),
    ]);
    let p = plan(&s);
    let d = p.databases.iter().find(|d| d.file == "db/priv1.edb").unwrap();
    assert_eq!(
        d.log_events.iter().map(|e| e.kind).collect::<Vec<_>>(),
        [EventKind::Attach, EventKind::Detach, EventKind::Attach]
    );
    let stop = d.replay_stop.as_ref().unwrap();
    assert_eq!(
        (stop.rule, stop.lgpos, stop.log.as_str()),
        ("R11", Lgpos { generation: 6, isec: 3, ib: 0x20 }, "logs/E0000006.log")
    );
    assert!(p.checks.iter().any(|c| c.rule == "R11"
        && c.status == CheckStatus::Failed
        && c.message.contains(
            "the AttachDB at (0x6,3,20) in logs/E0000006.log attaches db/priv1.edb as D:\\moved\\priv2.edb"
        )));
    assert!(codes(&p.verdicts.roll_forward).contains(&-1216));
}

#[test]
fn r17_with_records_the_create_that_reuses_the_path_and_a_last_detach() {
    // Detached at (6,2,0), then the path is created again with another DB signature at (8,4,0)
    // (a defragmented copy put in place): replay for priv1.edb ends at the detach, and R17 names
    // the CreateDB with its LGPOS.
    let mut s = stream_with_records();
    s.logs.iter_mut().find(|l| l.name_generation == Some(6)).unwrap().events =
        Some(vec![event(EventKind::Detach, (6, 2, 0), 1, PRIV1, None)]);
    s.logs.iter_mut().find(|l| l.name_generation == Some(8)).unwrap().events =
        Some(vec![event(EventKind::Create, (8, 4, 0), 3, PRIV1, Some(0xD9))]);
    let p = plan(&s);
    let failed: Vec<&Check> = p.checks.iter().filter(|c| c.rule == "R17" && c.status == CheckStatus::Failed).collect();
    assert_eq!(failed.len(), 1);
    assert!(
        failed[0].message.starts_with(&format!(
            "the CreateDB at (0x8,4,0) in logs/E0000008.log gives {PRIV1} another DB signature (Rand 217)"
        )),
        "{}",
        failed[0].message
    );
    assert!(p.checks.iter().any(|c| c.rule == "R17"
        && c.status == CheckStatus::Passed
        && c.message.contains("replay for db/priv1.edb ends at its DetachDB at (0x6,2,0) in logs/E0000006.log")));
    let d = p.databases.iter().find(|d| d.file == "db/priv1.edb").unwrap();
    let stop = d.replay_stop.as_ref().unwrap();
    assert_eq!((stop.rule, stop.lgpos.generation, stop.lgpos.isec), ("R17", 6, 2), "the earliest stop");
    // The detach belongs to priv1.edb (DBID 1), the create to another database.
    assert_eq!(d.log_events.len(), 2);
}

#[test]
fn r18_the_dry_run_error_is_the_predicted_error_of_soft_recovery() {
    let mut s = stream();
    s.databases[0].state_code = 2;
    s.databases[0].log_required = (6, 8);
    s.databases[0].dry_run = Some(DryRun {
        verdict: DryRunVerdict::WouldFail,
        error: Some(DryRunError {
            code: -566,
            name: "JET_errDbTimeTooOld",
            lgpos: Some(Lgpos { generation: 7, isec: 2, ib: 0x10 }),
            pgno: Some(17),
            message: "page 17 is older than the record expects".into(),
        }),
        start: Some(Lgpos { generation: 6, isec: 1, ib: 0 }),
        end: Some(Lgpos { generation: 7, isec: 2, ib: 0x10 }),
        apply_records: 3,
        already_on_disk: 0,
        note: None,
    });
    let p = plan(&s);
    assert!(!p.verdicts.soft_recovery.possible);
    assert_eq!(codes(&p.verdicts.soft_recovery), vec![-566]);
    let e = &p.verdicts.soft_recovery.predicted_errors[0];
    assert_eq!((e.rule, e.name), ("R18", "JET_errDbTimeTooOld"));
    assert!(
        e.message
            .contains("would stop with -566 (JET_errDbTimeTooOld) at (0x7,2,10) on page 17 (replay from (0x6,1,0))"),
        "{}",
        e.message
    );
    // A dry run that would succeed leaves soft recovery possible and says so.
    s.databases[0].dry_run =
        Some(DryRun { verdict: DryRunVerdict::WouldSucceed, error: None, ..s.databases[0].dry_run.clone().unwrap() });
    let p = plan(&s);
    assert!(p.verdicts.soft_recovery.possible);
    assert!(p.checks.iter().any(|c| c.rule == "R18"
        && c.status == CheckStatus::Passed
        && c.message.contains("would succeed (replay from (0x6,1,0) to (0x7,2,10)): 3 page records to apply")));
}
