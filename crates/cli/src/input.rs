//! Opening user files: read-only, shared, and never more than the header region.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
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
