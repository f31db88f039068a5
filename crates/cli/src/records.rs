//! The record side of `esehdr ml`: the eseutil `/ml /v` record dump of a log (`-v`,
//! `--records[=structure|data]`), the `records` object of the JSON report, and the JSON Lines
//! output (`--records --json`) of a log or of a whole stream (logs decoded on every core,
//! printed in generation order).

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

use esehdr_format::log::content::{verify_log_content, ContentVerdict};
use esehdr_format::log::header::{read_log_header, LgFileHeader, LogHeader, LOG_HEADER_SIZE};
use esehdr_format::log::records::dump::{page_size, write_page_references, write_records, write_statistics, Level};
use esehdr_format::log::records::jsonl::write_jsonl;
use esehdr_format::log::records::summary::{summarize_with, RecordSummary};

use crate::{input, Status};

/// What `ml` prints of the records of a log, after its header dump.
#[derive(Debug, Clone, Copy)]
pub enum RecordsOut<'a> {
    /// Plain `ml FILE`: eseutil's `Number of database page references:` line.
    Count(&'a RecordSummary),
    /// `ml FILE -v` / `--records`: every record, the statistics block, the page references and
    /// the DBID table.
    Dump {
        /// The whole log file.
        file: &'a [u8],
        /// `<Data>` (`/v1`) or the first 16 payload bytes (`/v`).
        level: Level,
    },
}

/// Writes the record part of a single-file dump (docs/log-records.md §4.2-§4.6) for a log whose content
/// was verified (`content`); the page references only when the log is `sound` (header and size)
/// and its content too, as eseutil.
pub fn write_record_part(
    w: &mut dyn Write,
    header: &LgFileHeader,
    content: &ContentVerdict,
    records: RecordsOut<'_>,
    sound: bool,
) -> io::Result<()> {
    match records {
        RecordsOut::Count(s) => {
            if sound && content.ok {
                write_page_references(w, s, page_size(header), false)?;
            }
        }
        RecordsOut::Dump { file, level } => {
            let s = write_records(w, file, header, content, level)?;
            write_statistics(w, &s)?;
            if sound && content.ok && s.error.is_none() {
                write_page_references(w, &s, page_size(header), true)?;
            }
        }
    }
    Ok(())
}

/// Largest log file read whole: `le_csecLGFile` is 16 bits, so 65535 sectors of 4 KiB.
pub const MAX_LOG_FILE: u64 = 65535 * 4096;

/// Reads a whole log; `None` when it cannot be read or is larger than any log can be.
pub fn read_whole(path: &Path) -> Option<Vec<u8>> {
    let head = input::read_head(path, usize::try_from(MAX_LOG_FILE).ok()?).ok()?;
    (head.file_len <= MAX_LOG_FILE).then_some(head.bytes)
}

/// Verifies a log's contents and summarizes its records, when its header checksum is right and
/// its size is plausible; `(None, None)` otherwise (the header findings already say why).
pub fn read_content_and_records(path: &Path, log: &LogHeader) -> (Option<ContentVerdict>, Option<RecordSummary>) {
    if !log.checksum_valid() || log.file_len > MAX_LOG_FILE {
        return (None, None);
    }
    let Some(file) = read_whole(path) else { return (None, None) };
    let verdict = verify_log_content(&file, &log.header);
    let summary = summarize_with(&file, &log.header, &verdict);
    (Some(verdict), Some(summary))
}

/// A log read whole for its records: the bytes, the decoded header and the content verdict
/// (where the valid data end), as `ml FILE --records --json` walks them.
#[derive(Debug)]
pub struct LogForRecords {
    /// The whole log file.
    pub file: Vec<u8>,
    /// Its header.
    pub header: LgFileHeader,
    /// Its content check.
    pub verdict: ContentVerdict,
}

/// Why `ml FILE --records --json` prints no record of a file (the CLI's exit code 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The file cannot be read, or is larger than any log can be.
    Unreadable,
    /// Not an ESE file.
    NotEse,
    /// An ESE file of another kind.
    WrongKind,
    /// A log whose header does not decode or whose header checksum is wrong.
    BadHeader,
}

/// Reads `path` whole as a log for its records; the refusal and the reason the CLI prints
/// after `PATH: ` when it is not a readable log.
pub fn read_log_for_records(path: &Path) -> Result<LogForRecords, (Refusal, String)> {
    let file = read_whole(path)
        .ok_or((Refusal::Unreadable, "cannot read the file, or it is larger than a log can be".to_string()))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let sniffed = esehdr_format::sniff_named(&name, &file, file.len() as u64);
    if sniffed.kind != esehdr_format::FileKind::Log {
        let refusal = if matches!(sniffed.kind, esehdr_format::FileKind::NotEse | esehdr_format::FileKind::Empty) {
            Refusal::NotEse
        } else {
            Refusal::WrongKind
        };
        return Err((refusal, format!("not a readable log: {}", sniffed.reason)));
    }
    let log = read_log_header(file.get(..LOG_HEADER_SIZE).unwrap_or(&file), file.len() as u64)
        .map_err(|e| (Refusal::BadHeader, format!("not a readable log: {e}")))?;
    if !log.checksum_valid() {
        return Err((Refusal::BadHeader, "not a readable log: its header checksum is wrong".to_string()));
    }
    let header = log.header;
    let verdict = verify_log_content(&file, &header);
    Ok(LogForRecords { file, header, verdict })
}

/// JSON Lines of one log file to `out`; the reason on `err` when it is not a readable log.
fn jsonl_of(path: &Path, out: &mut dyn Write) -> Result<(), String> {
    let log = read_log_for_records(path).map_err(|(_, e)| e)?;
    write_jsonl(out, &log.file, &log.header, &log.verdict).map_err(|e| e.to_string())?;
    Ok(())
}

/// `esehdr ml FILE... --records --json`: one JSON object per record of each log, in order.
pub fn run_jsonl(files: &[&Path], out: &mut dyn Write, err: &mut dyn Write) -> io::Result<Status> {
    let mut worst = Status::Ok;
    for path in files {
        let mut buf = Vec::new();
        match jsonl_of(path, &mut buf) {
            Ok(()) => out.write_all(&buf)?,
            Err(e) => {
                writeln!(err, "esehdr: {}: {e}", path.display())?;
                worst = Status::Error;
            }
        }
    }
    Ok(worst)
}

/// JSON Lines of many logs, decoded on every core and written in the order given. Workers run
/// at most a few logs per core ahead of the writer, so memory stays bounded whatever the number
/// of logs; a failed write (a closed pipe) stops them.
pub fn jsonl_parallel(paths: &[std::path::PathBuf], out: &mut dyn Write, err: &mut dyn Write) -> io::Result<Status> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(paths.len().max(1));
    let ahead = workers * 4;
    let next = AtomicUsize::new(0);
    let written = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let mut worst = Status::Ok;
    std::thread::scope(|s| -> io::Result<()> {
        let (tx, rx) = mpsc::sync_channel::<(usize, Result<Vec<u8>, String>)>(ahead);
        for _ in 0..workers {
            let tx = tx.clone();
            let (next, written, stop) = (&next, &written, &stop);
            s.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(path) = paths.get(i) else { break };
                while i >= written.load(Ordering::Acquire) + ahead && !stop.load(Ordering::Acquire) {
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
                if stop.load(Ordering::Acquire) {
                    break;
                }
                let mut buf = Vec::new();
                let result = jsonl_of(path, &mut buf).map(|()| buf);
                if tx.send((i, result)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let mut pending: BTreeMap<usize, Result<Vec<u8>, String>> = BTreeMap::new();
        let mut want = 0usize;
        for (i, result) in rx {
            pending.insert(i, result);
            while let Some(result) = pending.remove(&want) {
                let written_ok = match result {
                    Ok(buf) => out.write_all(&buf),
                    Err(e) => {
                        worst = Status::Error;
                        let name = paths.get(want).map(|p| p.display().to_string()).unwrap_or_default();
                        writeln!(err, "esehdr: {name}: {e}")
                    }
                };
                if let Err(e) = written_ok {
                    stop.store(true, Ordering::Release);
                    return Err(e);
                }
                want += 1;
                written.store(want, Ordering::Release);
            }
        }
        Ok(())
    })?;
    Ok(worst)
}
