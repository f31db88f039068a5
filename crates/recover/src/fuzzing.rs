//! The body of the `dry_run` fuzz target (`fuzz/fuzz_targets/dry_run.rs`): the replay driver
//! over a mutated log, in memory. Kept here so the stable replay test (`tests/replay.rs`) runs
//! the same code on every committed finding. Not part of the stable API.
//!
//! Sources: docs/log-records.md §5.1 (the start without a checkpoint: the first log's header,
//! its attachment list).

use std::collections::HashMap;

use esehdr_format::log::header::LgFileHeader;
use esehdr_format::Lgpos;

use crate::driver::{replay, InitialAttachment, LogItem, LogSource, Redo, Sink, SinkError, Start, Target};

/// The logs of one replay, in order.
struct Logs(Vec<(i32, Vec<u8>)>);

impl LogSource for Logs {
    fn next_log(&mut self) -> Option<LogItem> {
        if self.0.is_empty() {
            return None;
        }
        let (generation, bytes) = self.0.remove(0);
        Some(LogItem::Log { generation, bytes })
    }
}

/// Pages in memory: every page at `base` (or absent when `None`) until redo sets it.
struct Pages {
    base: Option<u64>,
    pages: HashMap<u32, u64>,
}

impl Sink for Pages {
    fn page_dbtime(&mut self, pgno: u32) -> Result<Option<u64>, SinkError> {
        Ok(self.pages.get(&pgno).copied().or(self.base))
    }
    fn redo(&mut self, op: &Redo<'_>) -> Result<(), SinkError> {
        for (pgno, dbtime) in op.pages {
            self.pages.insert(*pgno, *dbtime);
        }
        Ok(())
    }
    fn create_database(&mut self, _: Lgpos, _: &[u8]) -> Result<(), SinkError> {
        self.pages.clear();
        Ok(())
    }
}

/// Replays `data` as the first log of a stream (started as without a checkpoint, from its
/// header's attachment list), twice: with no database (the logs' first CreateDB is the target,
/// pages absent) and with a database named by file name only (pages at a dbtime taken from the
/// first bytes); then the same log followed by itself as the next generation. Must never panic
/// nor hang.
pub fn replay_log(data: &[u8]) {
    let Ok(h) = LgFileHeader::decode(data) else { return };
    let start = Start {
        lgpos: Lgpos { generation: h.generation, isec: h.header_sectors.max(1), ib: 0 },
        whole_generation: !h.is_segment_format(),
        attachments: h
            .attached
            .iter()
            .map(|a| InitialAttachment {
                dbid: a.dbid,
                path: a.path.clone(),
                db_signature: a.db_signature,
                last_attach: a.last_attach,
                last_consistent: a.last_consistent,
            })
            .collect(),
        log_signature: h.log_signature,
    };
    let base = data.get(8..16).map(|b| b.iter().fold(0u64, |a, &x| a << 8 | u64::from(x)));
    let targets = [
        Target { header: None, file_name: None },
        Target {
            header: None,
            file_name: h.attached.first().map(|a| a.path.rsplit(['\\', '/']).next().unwrap_or_default().to_string()),
        },
    ];
    for (k, target) in targets.iter().enumerate() {
        let mut sink = Pages { base: if k == 0 { None } else { base }, pages: HashMap::new() };
        let mut logs = Logs(vec![(h.generation, data.to_vec())]);
        if k == 1 {
            logs.0.push((h.generation.wrapping_add(1), data.to_vec()));
        }
        if let Ok(report) = replay(target, &start, &mut logs, &mut sink, None) {
            let _ = touch_report(&report);
        }
    }
}

/// Touches every part of the report (what the text and JSON writers read).
fn touch_report(r: &crate::Report) -> usize {
    r.attach.len() + r.apply.by_type.len() + r.open_transactions.len() + usize::from(r.error.is_some())
}
