//! `esehdr k FILE`: verify every page checksum of a database, like `esefile /s` and
//! `eseutil /k` (docs/format-page.md §6.6, docs/output.md §10.5); logs, log streams and checkpoints get their
//! own checks.

use std::fs::File;
use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use esehdr_format::page::scan::{scan_pages, BadKind, ScanStats};
use esehdr_format::{read_database_header, DB_HEADER_READ_LEN};
use serde::Serialize;

use crate::frame::{footer, DATABASE_CORRUPTED};
use crate::input;
use crate::Status;

/// Pages handed to a worker at a time (the progress bar moves by this much).
const BATCH_PAGES: usize = 2048;

/// The JSON contract of `esehdr k --json DBFILE`.
#[derive(Debug, Serialize)]
pub struct KReport<'a> {
    /// The path as given.
    pub file: &'a str,
    /// `database`.
    pub kind: &'static str,
    /// Page size in bytes.
    pub page_size: u32,
    /// The counters, bad pages and corrected bits.
    #[serde(flatten)]
    pub stats: &'a ScanStats,
    /// Bytes of the file that are not a whole page (not scanned).
    pub trailing_bytes: u64,
    /// Bytes read.
    pub bytes_read: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// No bad checksum and no wrong page number.
    pub ok: bool,
}

/// Size of one plain read when the file is not memory-mapped (rounded down to whole pages).
const READ_CHUNK: usize = 64 * 1024 * 1024;

/// Maps the file read-only, or `None` when mapping is refused or not possible.
fn map(file: &File) -> Option<memmap2::Mmap> {
    // SAFETY: the map is read-only and private to this process, and esehdr treats the slice as
    // plain bytes whose every value is valid. If another process (a running server) rewrites the
    // file meanwhile, a verdict can be wrong but memory stays sound. If it *shrinks* the file
    // while it is mapped, reading the vanished pages raises SIGBUS and ends esehdr: for a live
    // database use `--no-mmap`, which reads the file in plain chunks instead.
    #[allow(unsafe_code)]
    let mapped = unsafe { memmap2::Mmap::map(file) };
    mapped.ok()
}

/// Scans the file in plain reads of [`READ_CHUNK`] bytes (no mapping): for live databases and
/// files that cannot be mapped. Returns the statistics and the bytes read.
fn scan_reading(
    mut file: File,
    page_size: usize,
    file_len: u64,
    chunk_bytes: usize,
    progress: &AtomicU64,
) -> io::Result<(ScanStats, u64)> {
    let total = file_len / page_size as u64;
    let chunk = (chunk_bytes / page_size).max(1) * page_size;
    let mut buf = vec![0u8; chunk];
    let mut stats = ScanStats::default();
    let mut first = 0u64;
    let mut read_total = 0u64;
    loop {
        let got = input::fill(&mut file, &mut buf)?;
        read_total += got as u64;
        let whole = got / page_size * page_size;
        if whole > 0 {
            stats.merge(scan_parallel(buf.get(..whole).unwrap_or_default(), page_size, first, total, progress));
            first += (whole / page_size) as u64;
        }
        if got < buf.len() {
            return Ok((stats, read_total));
        }
    }
}

/// Scans whole pages on every core: `bytes` starts at physical page `first` of a file of `total`
/// pages; `progress` counts pages done.
fn scan_parallel(bytes: &[u8], page_size: usize, first: u64, total: u64, progress: &AtomicU64) -> ScanStats {
    let whole = bytes.len() / page_size * page_size;
    let batches: Vec<(u64, &[u8])> = bytes
        .get(..whole)
        .unwrap_or_default()
        .chunks(BATCH_PAGES * page_size)
        .enumerate()
        .map(|(i, chunk)| (first + (i * BATCH_PAGES) as u64, chunk))
        .collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(batches.len().max(1));
    let mut results: Vec<(u64, ScanStats)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    while let Some((first, chunk)) = batches.get(next.fetch_add(1, Ordering::Relaxed)) {
                        let stats = scan_pages(chunk, page_size, *first, total);
                        progress.fetch_add(stats.pages_seen, Ordering::Relaxed);
                        mine.push((*first, stats));
                    }
                    mine
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    });
    results.sort_by_key(|(first, _)| *first);
    let mut all = ScanStats::default();
    for (_, s) in results {
        all.merge(s);
    }
    all
}

/// eseutil's status bar: 0..100 % in 51 dots.
fn status_bar_head(w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "                     Checksum Status (% complete)")?;
    writeln!(w)?;
    writeln!(w, "          0    10   20   30   40   50   60   70   80   90  100")?;
    writeln!(w, "          |----|----|----|----|----|----|----|----|----|----|")
}

/// Pages done and pages in all while a database is scanned, for a progress display on another
/// thread.
#[derive(Debug, Default)]
pub struct Progress {
    /// Pages checked so far.
    pub done: AtomicU64,
    /// Whole pages in the file (set before the first page is checked).
    pub total: AtomicU64,
    /// Set once the file is known to be a database and `total` is set.
    pub scanning: std::sync::atomic::AtomicBool,
}

/// What `esehdr k` found on a database: the counters and how much was read.
#[derive(Debug)]
pub struct DatabaseScan {
    /// The path as given.
    pub file: String,
    /// Page size in bytes.
    pub page_size: u32,
    /// Whole pages in the file.
    pub total_pages: u64,
    /// The counters, bad pages and corrected bits.
    pub stats: ScanStats,
    /// Bytes read.
    pub bytes_read: u64,
    /// Wall-clock time of the scan, from the first header read.
    pub elapsed: Duration,
}

impl DatabaseScan {
    /// The JSON report (docs/json.md "Page checksums").
    pub fn report(&self) -> KReport<'_> {
        KReport {
            file: &self.file,
            kind: "database",
            page_size: self.page_size,
            stats: &self.stats,
            trailing_bytes: self.bytes_read % u64::from(self.page_size.max(1)),
            bytes_read: self.bytes_read,
            seconds: self.elapsed.as_secs_f64(),
            ok: self.stats.ok(),
        }
    }

    /// 0 when no page is bad, 1 otherwise.
    pub fn status(&self) -> Status {
        if self.stats.ok() {
            Status::Ok
        } else {
            Status::No
        }
    }
}

/// Scans every page of a database (`esehdr k DBFILE`), counting pages in `progress`. The outer
/// `Err` is an I/O error (the CLI prints `esehdr: FILE: ERROR`); the inner one is the line the
/// CLI prints, without `esehdr: `, for a file that is not a database. Both exit with status 2.
pub fn scan_database(path: &Path, no_mmap: bool, progress: &Progress) -> io::Result<Result<DatabaseScan, String>> {
    let name = path.display().to_string();
    let started = Instant::now();
    let head = input::read_head(path, DB_HEADER_READ_LEN)?;
    let page_size = match read_database_header(&head.bytes) {
        Ok(db) => db.page_size,
        Err(e) => return Ok(Err(format!("{name}: not an ESE database: {e}"))),
    };
    let file = input::open_shared(path)?;
    // A block device holding a database image: its size comes from its end, and it is read in
    // chunks (a map would take the metadata's 0 bytes).
    let (file_len, device) = input::size(&file)?;
    let ps = page_size as usize;
    let total = file_len / ps as u64;
    progress.total.store(total, Ordering::Relaxed);
    progress.scanning.store(true, Ordering::Release);
    let mapped = if no_mmap || device { None } else { map(&file) };
    let (stats, bytes_read) = match &mapped {
        Some(m) => (scan_parallel(m, ps, 0, (m.len() / ps) as u64, &progress.done), m.len() as u64),
        None => scan_reading(file, ps, file_len, READ_CHUNK, &progress.done)?,
    };
    Ok(Ok(DatabaseScan { file: name, page_size, total_pages: total, stats, bytes_read, elapsed: started.elapsed() }))
}

/// Runs `esehdr k` on a database file; writes the report and returns the status.
pub fn run_k_database(
    path: &Path,
    json: bool,
    no_mmap: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<Status> {
    let progress = Progress::default();
    let live = !json && io::stderr().is_terminal();
    let done = std::sync::atomic::AtomicBool::new(false);
    let scanned = std::thread::scope(|s| {
        if live {
            s.spawn(|| {
                // No bar for a file that turns out not to be a database or cannot be read.
                while !progress.scanning.load(Ordering::Acquire) {
                    if done.load(Ordering::Acquire) && !progress.scanning.load(Ordering::Acquire) {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
                let mut shown = 0u64;
                let mut e = io::stderr();
                let _ = write!(e, "          ");
                while !done.load(Ordering::Relaxed) {
                    let want =
                        progress.done.load(Ordering::Relaxed) * 51 / progress.total.load(Ordering::Relaxed).max(1);
                    while shown < want {
                        let _ = write!(e, ".");
                        shown += 1;
                    }
                    let _ = e.flush();
                    std::thread::sleep(Duration::from_millis(100));
                }
                let _ = writeln!(e, "{}", ".".repeat(51usize.saturating_sub(shown as usize)));
            });
        }
        let result = scan_database(path, no_mmap, &progress);
        done.store(true, Ordering::Release);
        result
    })?;
    let scan = match scanned {
        Ok(scan) => scan,
        Err(line) => {
            writeln!(err, "esehdr: {line}")?;
            return Ok(Status::Error);
        }
    };
    let report = scan.report();
    if json {
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
    } else {
        render_text(out, &report, scan.total_pages, scan.elapsed)?;
    }
    Ok(scan.status())
}

/// The text of `eseutil /k` for a database (docs/output.md §10.5), with the bad pages listed.
pub fn render_text(w: &mut dyn Write, r: &KReport<'_>, total_pages: u64, elapsed: Duration) -> io::Result<()> {
    let s = r.stats;
    writeln!(w, "Initiating CHECKSUM mode...")?;
    writeln!(w, "        Database: {}", r.file)?;
    writeln!(w, "  Temp. Database: none (esehdr reads the database in place, read-only)")?;
    writeln!(w)?;
    writeln!(w)?;
    let shown: String = r.file.chars().rev().take(64).collect::<Vec<_>>().into_iter().rev().collect();
    writeln!(w, "File: {shown}")?;
    writeln!(w)?;
    status_bar_head(w)?;
    writeln!(w, "          {}", ".".repeat(51))?;
    writeln!(w)?;
    writeln!(w)?;
    for b in &s.bad_pages {
        let header = if b.page < 1 { " (header)" } else { "" };
        match b.kind {
            BadKind::Correctable => writeln!(
                w,
                "WARNING: page {}{header} checksum verification failed but the corruption ( bit {} ) can be corrected",
                b.page,
                s.corrected.iter().find(|c| c.page == b.page).map_or(0, |c| c.bit)
            )?,
            BadKind::WrongPageNumber => {
                writeln!(w, "ERROR: page {}{header} has the wrong page number: {}", b.page, b.detail)?
            }
            BadKind::BadChecksum => writeln!(w, "ERROR: page {}{header} checksum failed ({})", b.page, b.detail)?,
        }
    }
    if r.trailing_bytes != 0 {
        writeln!(
            w,
            "WARNING: the file is not a whole number of {}-byte pages: its last {} bytes were not checked",
            r.page_size, r.trailing_bytes
        )?;
    }
    if !s.bad_pages.is_empty() || r.trailing_bytes != 0 {
        writeln!(w)?;
    }
    writeln!(w, "{} pages seen", s.pages_seen)?;
    writeln!(w, "{} bad checksums", s.bad_checksums)?;
    writeln!(w, "{} correctable checksums", s.correctable)?;
    writeln!(w, "{} uninitialized pages", s.uninitialized)?;
    writeln!(w, "{} wrong page numbers", s.wrong_page_numbers)?;
    match s.highest_dbtime {
        Some(h) => writeln!(w, "0x{:x} highest dbtime (pgno 0x{:x})", h.dbtime, h.page)?,
        None => writeln!(w, "0x0 highest dbtime (pgno 0x0)")?,
    }
    writeln!(w)?;
    let mb = r.bytes_read / (1024 * 1024);
    let ms = elapsed.as_millis();
    let reads = total_pages.div_ceil(BATCH_PAGES as u64).max(1);
    writeln!(w, "{reads} reads performed")?;
    writeln!(w, "{mb} MB read")?;
    writeln!(w, "{} seconds taken", elapsed.as_secs())?;
    let secs = elapsed.as_secs_f64().max(1e-9);
    writeln!(w, "{} MB/second", (r.bytes_read as f64 / 1048576.0 / secs) as u64)?;
    writeln!(w, "{ms} milliseconds used")?;
    writeln!(w, "{} milliseconds per read", ms / u128::from(reads))?;
    writeln!(w, "(esehdr: {:.1} MB/s over {} core(s))", r.bytes_read as f64 / 1e6 / secs, workers())?;
    writeln!(w)?;
    footer(w, (!r.ok).then_some(DATABASE_CORRUPTED), elapsed)
}

fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plain reads in chunks of a few pages find exactly what one pass over the mapped file finds.
    #[test]
    fn chunked_reads_equal_the_mapped_scan() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/corrupt/pages-legacy-changed-byte.db");
        let len = std::fs::metadata(&path).unwrap().len();
        let mapped = map(&File::open(&path).unwrap()).unwrap();
        let whole = scan_parallel(&mapped, 4096, 0, len / 4096, &AtomicU64::new(0));
        for pages in [1, 3, 7, 64] {
            let (chunked, read) =
                scan_reading(File::open(&path).unwrap(), 4096, len, pages * 4096, &AtomicU64::new(0)).unwrap();
            assert_eq!(chunked, whole, "{pages}-page chunks");
            assert_eq!(read, len);
        }
        assert_eq!(whole.bad_checksums, 1);
        assert_eq!(whole.pages_seen, len / 4096);
    }
}
