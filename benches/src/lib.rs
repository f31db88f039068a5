//! Helpers for the criterion benches in `benches/`: the generator of large log folders.
//!
//! `make_log_folder` builds a folder of `n` logs from a real log header (the one of
//! `testdata/logs/srum-win10/SRU00004.log`): generation rewritten, creation times chained
//! (`tmPrevGen` of each = `tmCreate` of the one before), header checksum recomputed, and each
//! file extended to its full size as a sparse file, so 100,000 logs of 64 KiB cost 400 MB of
//! headers on disk, not 6.4 GB.
#![forbid(unsafe_code)]

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use esehdr_format::checksum::xor32_legacy;

/// The real header the generated logs are made from.
pub fn template_header() -> io::Result<Vec<u8>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/logs/srum-win10/SRU00004.log");
    let mut bytes = std::fs::read(path)?;
    bytes.truncate(4096);
    Ok(bytes)
}

/// A `LOGTIME` `seconds` after 2022-01-01 00:00:00 UTC (within January: up to 2,678,399 s).
fn logtime(seconds: u32) -> [u8; 8] {
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    [(rest % 60) as u8, (rest / 60 % 60) as u8, (rest / 3600) as u8, (days + 1).min(31) as u8, 1, 122, 0x01, 0]
}

/// Writes `<dir>/SRU%05X.log` for generations 1..n-1 and `<dir>/SRU.log` for generation n
/// (`n` at most 2,678,399), replacing what is there. Returns the folder.
pub fn make_log_folder(dir: &Path, n: u32) -> io::Result<PathBuf> {
    let template = template_header()?;
    let file_len = 16 * 4096u64; // le_csecLGFile x le_cbSec of the template
    std::fs::create_dir_all(dir)?;
    for g in 1..=n {
        let mut h = template.clone();
        h[4..8].copy_from_slice(&(g as i32).to_le_bytes()); // le_lGeneration
        h[16..24].copy_from_slice(&logtime(g)); // tmCreate
        h[24..32].copy_from_slice(&logtime(g - 1)); // tmPrevGen
        h[0x28D..0x295].copy_from_slice(&0u64.to_le_bytes()); // checksumPrevLogAllSegments: no contents
        let c = xor32_legacy(&h);
        h[0..4].copy_from_slice(&c.to_le_bytes());
        let name = if g == n { "SRU.log".to_string() } else { format!("SRU{g:05X}.log") };
        let mut f = File::create(dir.join(name))?;
        f.write_all(&h)?;
        f.set_len(file_len)?; // sparse: the rest reads as zeros
    }
    Ok(dir.to_path_buf())
}
