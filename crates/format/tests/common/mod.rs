//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};

/// The repository's `testdata/`.
pub fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

/// `../shared/corpus` beside the repository, if present. Under CI it must be there: a corpus
/// test that silently checks nothing would be a test that cannot fail.
pub fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if dir.join("PROVENANCE.md").is_file() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set but {} is missing: the corpus tests would check nothing",
        dir.display()
    );
    eprintln!("note: {} not found; corpus tests skipped", dir.display());
    None
}

/// The first `max` bytes of a file, gunzipped first when its name ends in `.gz`.
pub fn head(path: &Path, max: usize) -> Vec<u8> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    if path.extension().is_some_and(|e| e == "gz") {
        flate2::read::GzDecoder::new(file).take(max as u64).read_to_end(&mut out).unwrap();
    } else {
        file.take(max as u64).read_to_end(&mut out).unwrap();
    }
    out
}

/// Reads a tab-separated file with a header line into rows of (column -> value).
pub fn tsv(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<String> = lines.next().unwrap().split('\t').map(str::to_string).collect();
    lines.map(|l| header.iter().cloned().zip(l.split('\t').map(str::to_string)).collect()).collect()
}
