//! The record side of `esehdr ml`: the eseutil `/ml /v` record dump of a log (`-v`,
//! `--records[=structure|data]`), the `records` object of the JSON report, and the JSON Lines
//! output (`--records --json`) of a log or of a whole stream (logs decoded on every core,
//! printed in generation order).

use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

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

/// Writes the record part of a single-file dump (FORMAT-LOGREC §4.2-§4.6) for a log whose content
/// was verified (`content`); the page references only when the content is sound, as eseutil.
pub fn write_record_part(
    w: &mut dyn Write,
    header: &LgFileHeader,
    content: &ContentVerdict,
    records: RecordsOut<'_>,
) -> io::Result<()> {
    match records {
        RecordsOut::Count(s) => {
            if content.ok {
                write_page_references(w, s, page_size(header), false)?;
            }
        }
        RecordsOut::Dump { file, level } => {
            let s = write_records(w, file, header, content, level)?;
            write_statistics(w, &s)?;
            if content.ok && s.error.is_none() {
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

/// JSON Lines of one log file to `out`; the reason on `err` when it is not a readable log.
fn jsonl_of(path: &Path, out: &mut dyn Write) -> Result<(), String> {
    let file = read_whole(path).ok_or("cannot read the file, or it is larger than a log can be")?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let sniffed = esehdr_format::sniff_named(&name, &file, file.len() as u64);
    if sniffed.kind != esehdr_format::FileKind::Log {
        return Err(format!("not a readable log: {}", sniffed.reason));
    }
    let log = read_log_header(file.get(..LOG_HEADER_SIZE).unwrap_or(&file), file.len() as u64)
        .map_err(|e| format!("not a readable log: {e}"))?;
    if !log.checksum_valid() {
        return Err("not a readable log: its header checksum is wrong".to_string());
    }
    let header = log.header;
    let verdict = verify_log_content(&file, &header);
    write_jsonl(out, &file, &header, &verdict).map_err(|e| e.to_string())?;
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

/// JSON Lines of many logs, decoded on every core and written in the order given; a window of
/// a few logs per core is in memory at a time.
pub fn jsonl_parallel(paths: &[std::path::PathBuf], out: &mut dyn Write, err: &mut dyn Write) -> io::Result<Status> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let window = workers * 4;
    let mut worst = Status::Ok;
    for chunk in paths.chunks(window.max(1)) {
        let next = AtomicUsize::new(0);
        let mut done: Vec<(usize, Result<Vec<u8>, String>)> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..workers.min(chunk.len()))
                .map(|_| {
                    s.spawn(|| {
                        let mut mine = Vec::new();
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some(path) = chunk.get(i) else { break };
                            let mut buf = Vec::new();
                            mine.push((i, jsonl_of(path, &mut buf).map(|()| buf)));
                        }
                        mine
                    })
                })
                .collect();
            handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
        });
        done.sort_unstable_by_key(|(i, _)| *i);
        for (i, result) in done {
            match result {
                Ok(buf) => out.write_all(&buf)?,
                Err(e) => {
                    let name = chunk.get(i).map(|p| p.display().to_string()).unwrap_or_default();
                    writeln!(err, "esehdr: {name}: {e}")?;
                    worst = Status::Error;
                }
            }
        }
    }
    Ok(worst)
}
