//! The body of the `plan` fuzz target (`fuzz/fuzz_targets/plan.rs`): a stream built from
//! arbitrary bytes, planned. Kept here so the stable replay test runs the same code. Not part of
//! the stable API.

use esehdr_format::{Lgpos, LogTime, Signature};

use crate::model::*;

/// Builds a stream from `data` (every byte steers a field) and plans it; must never panic.
pub fn plan_bytes(data: &[u8]) -> Option<StreamPlan> {
    let mut bytes = data.iter().copied();
    let mut next = move || bytes.next().unwrap_or(0);
    let sig = |n: u8| Signature { random: u32::from(n % 3), ..Signature::default() };
    let time = |n: u8| LogTime::from_bytes([n % 60, 0, 0, 1, 1, 122, 1, 0]);
    let n_logs = usize::from(next() % 24);
    let n_dbs = usize::from(next() % 4);
    let mut logs = Vec::new();
    for _ in 0..n_logs {
        let g = next();
        let flags = next();
        logs.push(Log {
            file: format!("E00{g:05X}-{}.log", logs.len()),
            name_generation: if flags & 1 != 0 { None } else { Some(u32::from(g)) },
            generation: if flags & 2 != 0 { None } else { Some(i32::from(g) + i32::from(flags >> 6) - 1) },
            signature: sig(next()),
            created: time(g),
            previous_created: time(g.wrapping_sub(1 + (flags >> 7))),
            circular_logging: flags & 4 != 0,
            attached: (0..(flags >> 3) % 3)
                .map(|k| Attached { path: format!("C:\\db{k}.edb"), db_signature: sig(next()) })
                .collect(),
            damaged: flags & 0x20 != 0,
            events: None,
        });
        // Create, attach and detach records (when its records were read).
        let n_events = next();
        if n_events & 0x80 == 0 {
            let mut events = Vec::new();
            for k in 0..(n_events % 4) {
                let (kind_byte, slot) = (next(), next());
                let kind = match kind_byte % 3 {
                    0 => EventKind::Create,
                    1 => EventKind::Attach,
                    _ => EventKind::Detach,
                };
                events.push(DbEvent {
                    kind,
                    lgpos: Lgpos { generation: i32::from(g), isec: u16::from(k), ib: u16::from(slot) },
                    dbid: slot % 3,
                    path: format!("C:\\db{}.edb", kind_byte % 2),
                    db_signature: (kind != EventKind::Detach).then(|| sig(kind_byte >> 2)),
                    log_signature: None,
                    last_consistent: None,
                });
            }
            if let Some(l) = logs.last_mut() {
                l.events = Some(events);
            }
        }
    }
    let mut databases = Vec::new();
    for k in 0..n_dbs {
        let flags = next();
        databases.push(Database {
            file: format!("db{k}.edb"),
            header_valid: flags & 1 == 0,
            state_code: u32::from(next() % 9),
            last_consistent: Lgpos { generation: i32::from(next()) - 2, isec: 0, ib: 0 },
            log_required: (i32::from(next()) - 1, i32::from(next()) - 1),
            db_signature: sig(next()),
            log_signature: sig(next()),
            streaming_file: (flags & 2 != 0).then(|| StreamingFile {
                file: format!("db{k}.stm"),
                db_signature: sig(flags),
                clean: flags & 4 != 0,
                last_consistent: Lgpos::default(),
            }),
            restoring: flags & 8 != 0,
            dry_run: (flags & 0x10 != 0).then(|| {
                let v = next();
                DryRun {
                    verdict: match v % 3 {
                        0 => DryRunVerdict::WouldSucceed,
                        1 => DryRunVerdict::WouldFail,
                        _ => DryRunVerdict::NotRun,
                    },
                    error: (v & 4 != 0).then(|| DryRunError {
                        code: -566,
                        name: "JET_errDbTimeTooOld",
                        lgpos: (v & 8 != 0).then(Lgpos::default),
                        pgno: (v & 16 != 0).then_some(u32::from(v)),
                        message: String::new(),
                    }),
                    start: (v & 32 != 0).then(Lgpos::default),
                    end: (v & 32 != 0).then(Lgpos::default),
                    apply_records: u64::from(v),
                    already_on_disk: 0,
                    note: None,
                }
            }),
        });
    }
    let c = next();
    let checkpoint = (c & 1 != 0).then(|| Checkpoint {
        file: "E00.chk".into(),
        valid: c & 2 != 0,
        generation: i32::from(next()) - 1,
        signature: sig(next()),
        circular_logging: c & 4 != 0,
    });
    let n_breaks = usize::from(next() % 4);
    let mut sequence_breaks = Vec::new();
    for _ in 0..n_breaks {
        let (i, k) = (usize::from(next()), next());
        let Some(l) = logs.get(i % logs.len().max(1)) else { break };
        let previous = logs.get(usize::from(k) % logs.len()).filter(|_| k & 1 != 0).map(|p| p.file.clone());
        sequence_breaks.push(SequenceBreak {
            file: l.file.clone(),
            previous,
            generation: l.name_generation,
            kind: "checksum_chain_break",
            error: esehdr_format::log::stream::LOG_SEQUENCE_CHECKSUM_MISMATCH,
            message: String::new(),
        });
    }
    let recoverable = logs
        .iter()
        .filter(|l| l.file.len() % 5 == usize::from(c % 5))
        .take(1)
        .map(|l| RecoverableLog { log: Log { file: "E00tmp.log".into(), ..l.clone() }, to: l.file.clone() })
        .collect();
    let input = StreamInput {
        base_name: "E00".into(),
        log_signature: (c & 8 == 0).then(|| sig(c >> 4)),
        log_folder: String::new(),
        ext: String::new(),
        databases,
        logs,
        checkpoint,
        sequence_breaks,
        recoverable,
        temporary_log: None,
        reserve_files: Vec::new(),
    };
    Some(crate::plan(&input))
}
