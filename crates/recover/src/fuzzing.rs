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
    crate::driver::dbtime_only_sink!();
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
        Target { header: None, file_name: None, dir_name: None },
        Target {
            header: None,
            file_name: h.attached.first().map(|a| a.path.rsplit(['\\', '/']).next().unwrap_or_default().to_string()),
            // The folder of the header's second attachment: two databases of one file name.
            dir_name: h.attached.get(1).map(|a| crate::driver::folder_and_file(&a.path).0.to_string()),
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

/// The body of the `redo` fuzz target: `data` replayed as the first log of a stream into the
/// page-applying sink ([`crate::redo::ApplySink`]), with no database (the log's CreateDB, if any,
/// creates it), then the same log followed by itself as the next generation. Every page redo
/// produced is read back with the page checker. Must never panic, hang, nor write outside a page.
pub fn redo_log(data: &[u8]) {
    let Ok(h) = LgFileHeader::decode(data) else { return };
    let page_size = h.page_size() as usize;
    if !matches!(page_size, 2048 | 4096 | 8192 | 16384 | 32768) {
        return;
    }
    let start = Start {
        lgpos: Lgpos { generation: h.generation, isec: h.header_sectors.max(1), ib: 0 },
        whole_generation: !h.is_segment_format(),
        attachments: Vec::new(),
        log_signature: h.log_signature,
    };
    for twice in [false, true] {
        let mut logs = Logs(vec![(h.generation, data.to_vec())]);
        if twice {
            logs.0.push((h.generation.wrapping_add(1), data.to_vec()));
        }
        let mut sink = crate::redo::ApplySink::new(page_size, None);
        let target = Target { header: None, file_name: None, dir_name: None };
        let _ = replay(&target, &start, &mut logs, &mut sink, None);
        for page in sink.into_outcome().pages.values() {
            if page.len() == page_size {
                if let Ok(view) = crate::page::PageView::new(page) {
                    let _ = crate::page::check::check_page(&view);
                }
            }
        }
    }
}

/// The body of the `page_ops` fuzz target: byte 0 picks the page size, the next page-size bytes
/// are the page (zero-filled when short), the rest is a sequence of operations on it through
/// [`crate::page::PageMut`] (insert, replace, delete, set and clear flags, delta, external header,
/// prefix, compaction), each read from a few bytes. Must never panic; every operation works on
/// the page's own buffer, so nothing outside it can be written.
pub fn page_ops(data: &[u8]) {
    use crate::page::{LineFlags, Node, PageMut};
    let Some((&pick, rest)) = data.split_first() else { return };
    let page_size = 2048usize << (pick % 5);
    let mut page = vec![0u8; page_size];
    let take = rest.len().min(page_size);
    if let (Some(dst), Some(src)) = (page.get_mut(..take), rest.get(..take)) {
        dst.copy_from_slice(src);
    }
    let mut ops = rest.get(take..).unwrap_or_default();
    let Ok(mut p) = PageMut::new(&mut page) else { return };
    let mut steps = 0;
    while let Some((&op, tail)) = ops.split_first() {
        steps += 1;
        if steps > 512 {
            break;
        }
        let (a, b) = (tail.first().copied().unwrap_or(0), tail.get(1).copied().unwrap_or(0));
        let len = usize::from(b % 64);
        let payload = tail.get(2..2 + len).unwrap_or_default();
        ops = tail.get(2 + len..).unwrap_or_default();
        let iline = usize::from(a);
        let _ = match op % 10 {
            0 => p.insert(
                iline,
                &Node {
                    flags: LineFlags(b & 0xE0),
                    key: payload,
                    cb_prefix: 0,
                    data: payload.get(..1).unwrap_or(b"x"),
                },
            ),
            1 => p.replace_data(iline, if payload.is_empty() { b"y" } else { payload }),
            2 => p.delete(iline),
            3 => p.set_line_flags(iline, LineFlags(b & 0xE0)),
            4 => p.clear_line_flags(iline, LineFlags(b & 0xE0)),
            5 => p.delta_i32(iline, usize::from(b % 16), i32::from(a) - 128).map(|_| ()),
            6 => p.set_external_header(payload),
            7 => p.set_prefix(payload),
            8 => p.compact(),
            _ => p.delta_i64(iline, usize::from(b % 16), i64::from(a) - 128).map(|_| ()),
        };
    }
    let _ = crate::page::check::check_page(&p.view());
}
