//! Opening user files: read-only, shared, and never more than the header region.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

/// The first bytes of a file and its full size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// Up to the requested number of bytes from offset 0.
    pub bytes: Vec<u8>,
    /// The file's size in bytes.
    pub file_len: u64,
}

/// Why a path is not read: it is not a regular file (nor a block device holding a database
/// image). Opening a FIFO for reading blocks until a writer comes, a character device such as
/// `/dev/zero` never ends (or, like `/dev/null`, looks like an empty file), and a directory has no
/// bytes to read: each gets one line saying what it is, at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotAFile {
    /// What the path is: "a FIFO (named pipe)", "a character device", ...
    pub what: &'static str,
    /// Whether it is a directory (a folder where a file is expected).
    pub directory: bool,
}

impl std::fmt::Display for NotAFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.directory {
            write!(
                f,
                "is a directory, not a file; give the files in it, DIR/BASE for a log stream \
                 ('esehdr ml DIR/E00'), or 'esehdr plan DIR' for a restore"
            )
        } else {
            write!(
                f,
                "is {}, not a file; esehdr reads regular files (and block devices holding a database image) only",
                self.what
            )
        }
    }
}

impl std::error::Error for NotAFile {}

impl NotAFile {
    /// What `file_type` is, when esehdr does not read that kind of object; `None` for a regular
    /// file or a block device.
    pub fn of(file_type: std::fs::FileType) -> Option<NotAFile> {
        if file_type.is_file() {
            return None;
        }
        if file_type.is_dir() {
            return Some(NotAFile { what: "a directory", directory: true });
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if file_type.is_block_device() {
                return None;
            }
            let what = if file_type.is_fifo() {
                "a FIFO (named pipe)"
            } else if file_type.is_char_device() {
                "a character device"
            } else if file_type.is_socket() {
                "a socket"
            } else {
                "not a regular file"
            };
            return Some(NotAFile { what, directory: false });
        }
        #[allow(unreachable_code)]
        Some(NotAFile { what: "not a regular file", directory: false })
    }

    /// The `io::Error` carrying this refusal (kind `IsADirectory` or `InvalidInput`).
    pub fn into_io(self) -> io::Error {
        let kind = if self.directory { io::ErrorKind::IsADirectory } else { io::ErrorKind::InvalidInput };
        io::Error::new(kind, self)
    }

    /// The refusal inside `e`, if `e` is one.
    pub fn within(e: &io::Error) -> Option<NotAFile> {
        e.get_ref().and_then(|inner| inner.downcast_ref::<NotAFile>()).copied()
    }
}

/// Fails with a [`NotAFile`] error when `path` (symbolic links followed) is not a regular file
/// or a block device. Looks at the metadata only: nothing is opened, so a FIFO cannot block and a
/// device is not touched. A path that does not exist passes (opening it reports that).
pub fn check_path(path: &Path) -> io::Result<()> {
    match std::fs::metadata(path) {
        Ok(meta) => match NotAFile::of(meta.file_type()) {
            Some(refused) => Err(refused.into_io()),
            None => Ok(()),
        },
        Err(_) => Ok(()),
    }
}

/// Opens `path` read-only. On Windows the file is opened with every share mode, so a database
/// or log held open by a running server can still be read and is not disturbed.
///
/// Anything but a regular file or a block device is refused with a [`NotAFile`] error, first
/// from its metadata before opening, then (on Unix, where the path may have been replaced by a
/// FIFO in between) from the opened file itself: the open uses `O_NONBLOCK`, so even then it
/// returns at once instead of waiting for a writer. `O_NONBLOCK` is cleared again before the
/// file is read.
pub fn open_shared(path: &Path) -> io::Result<File> {
    check_path(path)?;
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
    }
    #[cfg(windows)]
    {
        use std::os::windows::fs::OpenOptionsExt;
        // FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE
        options.share_mode(0x1 | 0x2 | 0x4);
    }
    let file = options.open(path)?;
    if let Some(refused) = NotAFile::of(file.metadata()?.file_type()) {
        return Err(refused.into_io());
    }
    blocking(&file)?;
    Ok(file)
}

/// Clears `O_NONBLOCK` on a file this module opened with it, once it is known to be a regular
/// file or a block device. `F_SETFL` changes only the status flags (`O_APPEND`, `O_NONBLOCK`,
/// `O_ASYNC`, `O_DIRECT`, `O_NOATIME`), and the files here are opened with none of them but
/// `O_NONBLOCK`, so setting them to none clears exactly that one, without an `F_GETFL` first.
fn blocking(file: &File) -> io::Result<()> {
    #[cfg(unix)]
    rustix::fs::fcntl_setfl(file, rustix::fs::OFlags::empty())?;
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

/// The size of an opened file, and whether it is a block device. A block device's metadata
/// says 0 bytes, so its size comes from seeking to its end.
pub fn size(file: &File) -> io::Result<(u64, bool)> {
    size_from(file, &file.metadata()?)
}

fn size_from(file: &File, meta: &std::fs::Metadata) -> io::Result<(u64, bool)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if meta.file_type().is_block_device() {
            let mut f = file;
            let len = f.seek(SeekFrom::End(0))?;
            f.seek(SeekFrom::Start(0))?;
            return Ok((len, true));
        }
    }
    Ok((meta.len(), false))
}

/// Reads at most `max` bytes from the start of `path` (fewer if the file is shorter).
pub fn read_head(path: &Path, max: usize) -> io::Result<Head> {
    let file = open_shared(path)?;
    let (file_len, _) = size(&file)?;
    let want = usize::try_from(file_len).map_or(max, |len| len.min(max));
    let mut bytes = Vec::with_capacity(want);
    file.take(max as u64).read_to_end(&mut bytes)?;
    Ok(Head { bytes, file_len })
}

/// Reads up to `buf.len()` bytes from the start of `path` into `buf`; returns how many were read
/// and the file's size.
///
/// The size comes from the opened file's metadata (from its end for a block device, whose
/// metadata says 0). Anything but a regular file or a block device is refused (see
/// [`open_shared`]).
pub fn read_into(path: &Path, buf: &mut [u8]) -> io::Result<(usize, u64)> {
    let file = open_shared(path)?;
    let (len, _) = size(&file)?;
    read_file_into(file, buf, len)
}

/// A folder opened once, so that its files are opened by name relative to it (`openat` on Unix:
/// one path component to look up per file instead of the whole path).
#[derive(Debug)]
pub struct Folder {
    path: std::path::PathBuf,
    #[cfg(unix)]
    fd: Option<rustix::fd::OwnedFd>,
}

impl Folder {
    /// Opens `path` (read-only) for [`Folder::read_into`].
    pub fn open(path: &Path) -> Folder {
        #[cfg(unix)]
        {
            use rustix::fs::{Mode, OFlags};
            let fd = rustix::fs::open(path, OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty()).ok();
            Folder { path: path.to_path_buf(), fd }
        }
        #[cfg(not(unix))]
        {
            Folder { path: path.to_path_buf() }
        }
    }

    /// Like [`read_into`] for the file `name` of this folder.
    pub fn read_into(&self, name: &str, buf: &mut [u8]) -> io::Result<(usize, u64)> {
        #[cfg(unix)]
        if let Some(fd) = &self.fd {
            use rustix::fs::{Mode, OFlags};
            // No `stat` before opening here (it would cost a path lookup per log, on folders of
            // 100,000 logs): `O_NONBLOCK` makes the open of a FIFO return at once, and the
            // opened file's type is checked before anything is read.
            let flags = OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NONBLOCK;
            let file = File::from(rustix::fs::openat(fd, name, flags, Mode::empty())?);
            let meta = file.metadata()?;
            if let Some(refused) = NotAFile::of(meta.file_type()) {
                return Err(refused.into_io());
            }
            blocking(&file)?;
            let (len, _) = size_from(&file, &meta)?;
            return read_file_into(file, buf, len);
        }
        read_into(&self.path.join(name), buf)
    }
}

fn read_file_into(mut file: File, buf: &mut [u8], len: u64) -> io::Result<(usize, u64)> {
    let got = fill(&mut file, buf)?;
    Ok((got, len))
}

/// Reads until `buf` is full or the file ends; returns how many bytes were read.
pub fn fill(file: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match file.read(buf.get_mut(got..).unwrap_or_default()) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}
