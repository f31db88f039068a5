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

/// Opens `path` read-only. On Windows the file is opened with every share mode, so a database
/// or log held open by a running server can still be read and is not disturbed.
pub fn open_shared(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(windows)]
    {
        use std::os::windows::fs::OpenOptionsExt;
        // FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE
        options.share_mode(0x1 | 0x2 | 0x4);
    }
    options.open(path)
}

/// Reads at most `max` bytes from the start of `path` (fewer if the file is shorter).
pub fn read_head(path: &Path, max: usize) -> io::Result<Head> {
    let file = open_shared(path)?;
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Err(io::Error::other("is a directory"));
    }
    let file_len = meta.len();
    let want = usize::try_from(file_len).map_or(max, |len| len.min(max));
    let mut bytes = Vec::with_capacity(want);
    file.take(max as u64).read_to_end(&mut bytes)?;
    Ok(Head { bytes, file_len })
}

/// Reads up to `buf.len()` bytes from the start of `path` into `buf`; returns how many were read
/// and the file's size.
///
/// The size comes from seeking to the end rather than from `stat`: on a folder of 100,000 logs
/// the `statx` calls cost more than a quarter of the whole run. A directory fails at the read.
pub fn read_into(path: &Path, buf: &mut [u8]) -> io::Result<(usize, u64)> {
    read_file_into(open_shared(path)?, buf)
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
            let file = rustix::fs::openat(fd, name, OFlags::RDONLY | OFlags::CLOEXEC, Mode::empty())?;
            return read_file_into(File::from(file), buf);
        }
        read_into(&self.path.join(name), buf)
    }
}

fn read_file_into(mut file: File, buf: &mut [u8]) -> io::Result<(usize, u64)> {
    let got = fill(&mut file, buf)?;
    let len = file.seek(SeekFrom::End(0))?;
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
