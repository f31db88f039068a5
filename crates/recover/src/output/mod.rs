//! The copy a recovery writes: the only bytes esehdr ever writes.
//!
//! - COPY is never one of the inputs, whatever path names it: the same device and inode as the
//!   database, a log or the checkpoint is refused ([`refuse_inputs`]).
//! - The work goes to a temporary file beside COPY, `.COPY.esehdr-tmp-<pid>-<n>`, created
//!   exclusively (`O_CREAT|O_EXCL`: a file or a symbolic link already at that name is never
//!   followed nor overwritten), and registered so that a Ctrl-C/SIGTERM handler can remove it
//!   ([`remove_registered`]); dropping a [`TempCopy`] that was not committed removes it, so
//!   every error path leaves nothing behind.
//! - The database is copied with `std::io::copy` (on Linux `copy_file_range`, which file
//!   systems may serve by reflink), else a plain copy; the pages redo wrote are stamped (flush
//!   type 1, the new-format checksum: docs/page-internals.md §6.3, §10 F7) and written at
//!   `(pgno + 1) × page size`; the file gets its logged size (docs/page-internals.md §4.8, §10
//!   F8); the header goes to both copies; everything is fsynced, then renamed to COPY.
//!
//! Sources: docs/page-internals.md §4.8, §4.9, §6.3, §10 F7, F8; docs/format-page.md §6;
//! docs/format-database.md §1.1.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use esehdr_format::page::scan::{scan_pages, ScanStats};
use esehdr_format::page::{page_flags, write_page_checksum, FLAGS_OFFSET};

/// The flush type esehdr stamps into bits 15-16 of `fFlags` of every page it writes: 1 ("rock"),
/// the first of the engine's cycle. The engine's value counts the page's writes and cannot be
/// derived from the logs (docs/page-internals.md §10 F7).
pub const FLUSH_TYPE: u32 = 1;
/// `maskFlushType` (docs/page-internals.md §1.4), from the page layout.
pub const FLUSH_TYPE_MASK: u32 = crate::page::PageFlags::FLUSH_TYPE_MASK;

/// Temporary files alive in this process (removed by [`remove_registered`]).
static REGISTERED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Removes every temporary copy this process has open; for a Ctrl-C/SIGTERM handler, which
/// then exits. Safe to call from any thread.
pub fn remove_registered() {
    let paths = match REGISTERED.lock() {
        Ok(mut g) => std::mem::take(&mut *g),
        Err(p) => std::mem::take(&mut *p.into_inner()),
    };
    for p in paths {
        let _ = std::fs::remove_file(&p);
    }
}

fn register(p: &Path) {
    if let Ok(mut g) = REGISTERED.lock() {
        g.push(p.to_path_buf());
    }
}

fn unregister(p: &Path) {
    if let Ok(mut g) = REGISTERED.lock() {
        g.retain(|x| x != p);
    }
}

/// Why COPY cannot be written (usage or I/O: exit 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// COPY names an input.
    #[error("{out} is the same file as the input {input}: the copy may never be one of the inputs")]
    SameAsInput {
        /// COPY as given.
        out: PathBuf,
        /// The input it is.
        input: PathBuf,
    },
    /// COPY exists and `--force` was not given.
    #[error("{0} exists; give --force to replace it")]
    Exists(PathBuf),
    /// A file operation failed.
    #[error("{path}: {source}")]
    Io {
        /// Which file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError::Io { path: path.to_path_buf(), source }
}

/// The identity of a file (device and inode on Unix; the canonical path elsewhere).
#[cfg(unix)]
fn identity(p: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(p).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn identity(p: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(p).ok()
}

/// Refuses COPY when it is (through any name, link or hard link) one of `inputs`; refuses an
/// existing COPY without `force`.
pub fn refuse_inputs(out: &Path, inputs: &[PathBuf], force: bool) -> Result<(), OutputError> {
    if let Some(id) = identity(out) {
        for i in inputs {
            if identity(i).as_ref() == Some(&id) {
                return Err(OutputError::SameAsInput { out: out.to_path_buf(), input: i.clone() });
            }
        }
    }
    if !force && std::fs::symlink_metadata(out).is_ok() {
        return Err(OutputError::Exists(out.to_path_buf()));
    }
    Ok(())
}

/// The temporary copy beside COPY: removed when dropped unless [`TempCopy::commit`] renamed it.
#[derive(Debug)]
pub struct TempCopy {
    path: PathBuf,
    out: PathBuf,
    file: Option<File>,
    page_size: u64,
}

impl TempCopy {
    /// Creates `.COPY.esehdr-tmp-<pid>-<n>` beside `out`, exclusively.
    pub fn create(out: &Path, page_size: u32) -> Result<Self, OutputError> {
        let dir = match out.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "copy".into());
        loop {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = dir.join(format!(".{name}.esehdr-tmp-{}-{n}", std::process::id()));
            // create_new: O_CREAT|O_EXCL, which fails on any existing name, a symlink included.
            match OpenOptions::new().read(true).write(true).create_new(true).open(&path) {
                Ok(file) => {
                    register(&path);
                    return Ok(Self {
                        path,
                        out: out.to_path_buf(),
                        file: Some(file),
                        page_size: u64::from(page_size),
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 1_000_000 => continue,
                Err(e) => return Err(OutputError::Io { path, source: e }),
            }
        }
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn file(&mut self) -> Result<&mut File, OutputError> {
        let path = self.path.clone();
        self.file.as_mut().ok_or_else(|| OutputError::Io { path, source: io::Error::other("already closed") })
    }

    /// Copies the database (opened read-only by the caller) into the temporary file.
    pub fn copy_from(&mut self, db: &mut File) -> Result<u64, OutputError> {
        let path = self.path.clone();
        let f = self.file()?;
        io::copy(db, f).map_err(io_at(&path))
    }

    /// Writes a page redo produced, stamped: flush type [`FLUSH_TYPE`], then the new-format
    /// checksum (`write_page_checksum`: flag 0x2000, XE/ECC checksum, large-page blocks).
    pub fn write_page(&mut self, pgno: u32, page: &mut [u8]) -> Result<(), OutputError> {
        let path = self.path.clone();
        let flags = page_flags(page).unwrap_or(0);
        let stamped = (flags & !FLUSH_TYPE_MASK) | (FLUSH_TYPE << 15);
        if let Some(f) = page.get_mut(FLAGS_OFFSET..FLAGS_OFFSET + 4) {
            f.copy_from_slice(&stamped.to_le_bytes());
        }
        if page.len() as u64 != self.page_size || !write_page_checksum(page, pgno) {
            return Err(OutputError::Io {
                path,
                source: io::Error::other(format!("page {pgno}: {} bytes is not the page size", page.len())),
            });
        }
        let at = (u64::from(pgno) + 1).saturating_mul(self.page_size);
        self.write_at(at, page)
    }

    /// Writes `bytes` at `offset`.
    pub fn write_at(&mut self, offset: u64, bytes: &[u8]) -> Result<(), OutputError> {
        let path = self.path.clone();
        let f = self.file()?;
        f.seek(SeekFrom::Start(offset)).map_err(io_at(&path))?;
        f.write_all(bytes).map_err(io_at(&path))
    }

    /// Reads `buf.len()` bytes at `offset` (short at the end of the file: the count read).
    pub fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<usize, OutputError> {
        let path = self.path.clone();
        let f = self.file()?;
        f.seek(SeekFrom::Start(offset)).map_err(io_at(&path))?;
        let mut got = 0;
        while got < buf.len() {
            match f.read(buf.get_mut(got..).unwrap_or_default()) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(OutputError::Io { path, source: e }),
            }
        }
        Ok(got)
    }

    /// The file's length.
    pub fn len(&mut self) -> Result<u64, OutputError> {
        let path = self.path.clone();
        let f = self.file()?;
        f.metadata().map(|m| m.len()).map_err(io_at(&path))
    }

    /// Whether the file is empty.
    pub fn is_empty(&mut self) -> Result<bool, OutputError> {
        self.len().map(|l| l == 0)
    }

    /// Sets the length (zero pages beyond the old end).
    pub fn set_len(&mut self, len: u64) -> Result<(), OutputError> {
        let path = self.path.clone();
        let f = self.file()?;
        f.set_len(len).map_err(io_at(&path))
    }

    /// `esehdr k` over the copy: every page checksum (docs/format-page.md §6.6), read in chunks.
    pub fn scan(&mut self) -> Result<ScanStats, OutputError> {
        let ps = self.page_size;
        let len = self.len()?;
        let total = len / ps.max(1);
        let chunk_pages: u64 = 256;
        let mut buf = vec![0u8; usize::try_from(chunk_pages * ps).unwrap_or(1 << 20)];
        let mut stats = ScanStats::default();
        let mut first = 0u64;
        while first < total {
            let n = chunk_pages.min(total - first);
            let want = usize::try_from(n * ps).unwrap_or(0);
            let slice = buf.get_mut(..want).unwrap_or_default();
            let got = self.read_at(first * ps, slice)?;
            stats.merge(scan_pages(
                buf.get(..got).unwrap_or_default(),
                usize::try_from(ps).unwrap_or(4096),
                first,
                total,
            ));
            first += n;
        }
        Ok(stats)
    }

    /// fsyncs the copy, renames it to COPY and fsyncs the folder. The temporary file is gone
    /// afterwards whether this succeeds or not.
    pub fn commit(mut self) -> Result<(), OutputError> {
        let path = self.path.clone();
        if let Some(f) = self.file.take() {
            f.sync_all().map_err(io_at(&path))?;
        }
        std::fs::rename(&self.path, &self.out).map_err(io_at(&self.out))?;
        unregister(&self.path);
        #[cfg(unix)]
        if let Some(dir) = self.out.parent().filter(|d| !d.as_os_str().is_empty()) {
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
        // Nothing left to remove: the rename moved it.
        self.path = PathBuf::new();
        Ok(())
    }
}

impl Drop for TempCopy {
    fn drop(&mut self) {
        if self.path.as_os_str().is_empty() {
            return;
        }
        self.file.take();
        let _ = std::fs::remove_file(&self.path);
        unregister(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("esehdr-output-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn dropped_temp_file_is_removed() {
        let d = scratch("drop");
        let out = d.join("X.dat");
        let t = TempCopy::create(&out, 4096).unwrap();
        let p = t.path().to_path_buf();
        assert!(p.exists());
        assert!(p.file_name().unwrap().to_string_lossy().starts_with(".X.dat.esehdr-tmp-"));
        drop(t);
        assert!(!p.exists());
        assert!(!out.exists());
        let _ = std::fs::remove_dir_all(&d);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_at_the_temporary_name_is_never_followed() {
        let d = scratch("link");
        let out = d.join("X.dat");
        let victim = d.join("victim");
        std::fs::write(&victim, b"keep").unwrap();
        let n = COUNTER.load(Ordering::Relaxed);
        for k in n..n + 4 {
            let name = d.join(format!(".X.dat.esehdr-tmp-{}-{k}", std::process::id()));
            std::os::unix::fs::symlink(&victim, name).unwrap();
        }
        let mut t = TempCopy::create(&out, 4096).unwrap();
        t.write_at(0, b"new").unwrap();
        drop(t);
        assert_eq!(std::fs::read(&victim).unwrap(), b"keep");
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn same_file_and_existing_copy_refused() {
        let d = scratch("same");
        let db = d.join("DB.dat");
        std::fs::write(&db, b"x").unwrap();
        assert!(matches!(refuse_inputs(&db, std::slice::from_ref(&db), true), Err(OutputError::SameAsInput { .. })));
        #[cfg(unix)]
        {
            let hard = d.join("hard.dat");
            std::fs::hard_link(&db, &hard).unwrap();
            assert!(matches!(
                refuse_inputs(&hard, std::slice::from_ref(&db), true),
                Err(OutputError::SameAsInput { .. })
            ));
        }
        let other = d.join("other.dat");
        std::fs::write(&other, b"y").unwrap();
        assert!(matches!(refuse_inputs(&other, std::slice::from_ref(&db), false), Err(OutputError::Exists(_))));
        assert!(refuse_inputs(&other, std::slice::from_ref(&db), true).is_ok());
        assert!(refuse_inputs(&d.join("new.dat"), &[db], false).is_ok());
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn written_pages_are_stamped_and_pass_the_scan() {
        let d = scratch("stamp");
        let out = d.join("X.dat");
        let mut t = TempCopy::create(&out, 4096).unwrap();
        let mut hdr = vec![0u8; 4096];
        crate::header::write_header_checksum(&mut hdr);
        t.write_at(0, &hdr).unwrap();
        t.write_at(4096, &hdr).unwrap();
        let mut page = vec![0u8; 4096];
        page[8] = 5; // dbtime 5
        page[FLAGS_OFFSET + 2] = 0x01; // flush type 2 (0x10000), replaced by 1
        t.write_page(1, &mut page).unwrap();
        let flags = page_flags(&page).unwrap();
        assert_eq!(flags & FLUSH_TYPE_MASK, 0x8000);
        assert_eq!(flags & 0x2000, 0x2000);
        let s = t.scan().unwrap();
        assert_eq!((s.pages_seen, s.bad_checksums), (3, 0));
        t.commit().unwrap();
        assert_eq!(std::fs::metadata(&out).unwrap().len(), 3 * 4096);
        let _ = std::fs::remove_dir_all(&d);
    }
}
