//! `esehdr k FILE`: verify every page checksum of a database, like `esefile /s` and
//! `eseutil /k` (docs/format-page.md §6.6, docs/output.md §10.5); logs, log streams and checkpoints get their
//! own checks.

use std::fs::File;
use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use esehdr_format::page::scan::{scan_pages, BadKind, ScanStats};
use esehdr_format::{read_database_header, DB_HEADER_READ_LEN};
use serde::Serialize;

use crate::frame::{footer, DATABASE_CORRUPTED};
use crate::input;
use crate::Status;

/// Most bytes handed to a worker at a time (the progress bar moves by a batch).
const BATCH_BYTES_MAX: u64 = 4 * 1024 * 1024;
/// A file is cut into at least this many batches per worker, so that every core has work from
/// the first megabytes on and the last batch leaves the others idle only briefly.
const BATCHES_PER_WORKER: u64 = 4;

/// Pages per batch for a file of `file_bytes` scanned by `workers` threads: sized in bytes,
/// not pages, so a small file of large pages is not one batch on one core (a 26 MiB file of
/// 32 KiB pages used to be; 2,048 pages of any size were one batch).
fn batch_pages(page_size: usize, file_bytes: u64, workers: usize) -> usize {
    let share = file_bytes / (workers.max(1) as u64).saturating_mul(BATCHES_PER_WORKER);
    let bytes = share.min(BATCH_BYTES_MAX);
    (usize::try_from(bytes).unwrap_or(usize::MAX) / page_size.max(1)).max(1)
}

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

/// Maps `len` bytes of the file from `offset` read-only, or `None` when mapping is refused or
/// not possible.
fn map_range(file: &File, offset: u64, len: usize) -> Option<memmap2::Mmap> {
    // SAFETY: the map is read-only and private to this process, and esehdr treats the slice as
    // plain bytes whose every value is valid. If another process (a running server) rewrites the
    // file meanwhile, a verdict can be wrong but memory stays sound. If it *shrinks* the file
    // while it is mapped, reading the vanished pages raises SIGBUS and ends esehdr: for a live
    // database use `--no-mmap`, which reads the file in plain chunks instead.
    #[allow(unsafe_code)]
    let mapped = unsafe { memmap2::MmapOptions::new().offset(offset).len(len).map(file) };
    mapped.ok()
}

/// Scans the file on every core, each worker mapping the batch it takes and unmapping it when
/// done: unmapping a whole-file mapping at the end was the largest part of what is left on one
/// core (a tenth of the CPU time on a 26 MiB file). Batches of `batch` pages; `None` when a
/// batch cannot be mapped.
fn scan_mapped(file: &File, page_size: usize, batch: usize, file_len: u64, progress: &AtomicU64) -> Option<ScanStats> {
    let ps = page_size as u64;
    let total = file_len / ps;
    let batch = batch.max(1) as u64;
    let n = usize::try_from(total.div_ceil(batch)).ok()?;
    run_batches(n, progress, |i| {
        let first = (i as u64).checked_mul(batch)?;
        let pages = total.checked_sub(first)?.min(batch);
        let map = map_range(file, first.checked_mul(ps)?, usize::try_from(pages.checked_mul(ps)?).ok()?)?;
        Some(scan_pages(&map, page_size, first, total))
    })
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
    let batch = batch_pages(page_size, file_len, workers());
    let mut stats = ScanStats::default();
    let mut first = 0u64;
    let mut read_total = 0u64;
    loop {
        let got = input::fill(&mut file, &mut buf)?;
        read_total += got as u64;
        let whole = got / page_size * page_size;
        if whole > 0 {
            let part = buf.get(..whole).unwrap_or_default();
            stats.merge(scan_parallel(part, page_size, batch, first, total, progress));
            first += (whole / page_size) as u64;
        }
        if got < buf.len() {
            return Ok((stats, read_total));
        }
    }
}

/// Scans whole pages on every core, `batch` pages at a time: `bytes` starts at physical page
/// `first` of a file of `total` pages; `progress` counts pages done.
fn scan_parallel(
    bytes: &[u8],
    page_size: usize,
    batch: usize,
    first: u64,
    total: u64,
    progress: &AtomicU64,
) -> ScanStats {
    let whole = bytes.len() / page_size * page_size;
    let batch = batch.max(1);
    let chunks: Vec<&[u8]> = bytes.get(..whole).unwrap_or_default().chunks(batch * page_size).collect();
    let scanned = run_batches(chunks.len(), progress, |i| {
        let chunk = chunks.get(i)?;
        Some(scan_pages(chunk, page_size, first + (i * batch) as u64, total))
    });
    // Every index given to the closure is a chunk's, so it never returns `None`.
    scanned.unwrap_or_default()
}

/// Runs `scan(i)` for the batches `0..n` on every core, each worker taking the next batch when
/// it is free, and merges the results in file order. `None` as soon as a batch gives `None`.
fn run_batches(n: usize, progress: &AtomicU64, scan: impl Fn(usize) -> Option<ScanStats> + Sync) -> Option<ScanStats> {
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let workers = workers().min(n.max(1));
    let mut results: Vec<(usize, ScanStats)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= n || failed.load(Ordering::Relaxed) {
                            return mine;
                        }
                        let Some(stats) = scan(i) else {
                            failed.store(true, Ordering::Relaxed);
                            return mine;
                        };
                        progress.fetch_add(stats.pages_seen, Ordering::Relaxed);
                        mine.push((i, stats));
                    }
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    });
    if failed.load(Ordering::Relaxed) {
        return None;
    }
    results.sort_by_key(|(i, _)| *i);
    let mut all = ScanStats::default();
    for (_, s) in results {
        all.merge(s);
    }
    Some(all)
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
    let batch = batch_pages(ps, file_len, workers());
    let mapped = if no_mmap || device { None } else { scan_mapped(&file, ps, batch, file_len, &progress.done) };
    let (stats, bytes_read) = match mapped {
        Some(stats) => (stats, file_len),
        None => {
            // Not mapped, or a batch could not be: read the whole file in plain chunks.
            progress.done.store(0, Ordering::Relaxed);
            scan_reading(file, ps, file_len, READ_CHUNK, &progress.done)?
        }
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
    let batch = batch_pages(r.page_size as usize, r.bytes_read, workers());
    let reads = total_pages.div_ceil(batch as u64).max(1);
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
        let file = File::open(&path).unwrap();
        let mapped = map_range(&file, 0, len as usize).unwrap();
        let whole = scan_parallel(&mapped, 4096, 2048, 0, len / 4096, &AtomicU64::new(0));
        // Batches mapped one by one by the workers: the same result.
        for batch in [1, 7, 2048] {
            assert_eq!(scan_mapped(&file, 4096, batch, len, &AtomicU64::new(0)), Some(whole.clone()));
        }
        // 2 KiB pages in batches of 3 start at offsets that are not multiples of the OS page.
        let half = scan_parallel(&mapped, 2048, 64, 0, len / 2048, &AtomicU64::new(0));
        assert_eq!(scan_mapped(&file, 2048, 3, len, &AtomicU64::new(0)), Some(half));
        for batch in [1, 5, 64] {
            let batched = scan_parallel(&mapped, 4096, batch, 0, len / 4096, &AtomicU64::new(0));
            assert_eq!(batched, whole, "{batch}-page batches");
        }
        for pages in [1, 3, 7, 64] {
            let (chunked, read) =
                scan_reading(File::open(&path).unwrap(), 4096, len, pages * 4096, &AtomicU64::new(0)).unwrap();
            assert_eq!(chunked, whole, "{pages}-page chunks");
            assert_eq!(read, len);
        }
        assert_eq!(whole.bad_checksums, 1);
        assert_eq!(whole.pages_seen, len / 4096);
    }

    /// Batches are sized in bytes: a 26 MiB file of 32 KiB pages gives every core several;
    /// a large file gets batches of at most 4 MiB; a tiny one at least one page per batch.
    #[test]
    fn batches_are_sized_in_bytes() {
        let mib = 1024 * 1024;
        let pages = batch_pages(32768, 26 * mib, 2);
        assert_eq!(pages, 104); // 26 MiB / 8 = 3.25 MiB
        assert!((26 * mib / 32768).div_ceil(pages as u64) >= 8);
        assert_eq!(batch_pages(8192, 10 * 1024 * mib, 2), 512); // 4 MiB
        assert_eq!(batch_pages(32768, 10 * 1024 * mib, 16), 128);
        assert_eq!(batch_pages(32768, 65536, 2), 1);
        assert_eq!(batch_pages(32768, 0, 0), 1);
    }
}
