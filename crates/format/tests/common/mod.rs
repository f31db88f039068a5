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

/// One file row of `PROVENANCE.md`, whichever of its table layouts it comes from. The corpus
/// collectors wrote these rows from their own reading of each header, so they are an oracle
/// independent of this crate.
///
/// The tables before "Added 2026-11-30" have the columns `file (in corpus) | path in repository |
/// commit | size | sha256 | what it is | sig`; the later ones `file (in corpus) | source repo |
/// commit | original path | licence | size | sha256 | what it is` (the log signature inside
/// "what it is", as `log sig <random>@<ISO time>`). Columns are found by their header, so a new
/// table layout with the same column names needs no code change.
#[derive(Debug, Clone)]
pub struct ProvRow {
    /// Corpus-relative path.
    pub file: String,
    /// The size in bytes of the (raw, uncompressed) file, as stated.
    pub size: u64,
    /// The "what it is" text.
    pub what: String,
    /// The `sig` column of the older tables (`142ffd4d@2022-02-05 22:17:47`, `null`, or empty).
    pub sig_column: Option<String>,
}

/// What a provenance row says the file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProvKind {
    Database,
    Log,
    Checkpoint,
    Other,
}

impl ProvRow {
    /// Database, log, checkpoint or something else (flush map, reserve log, ...).
    pub fn kind(&self) -> ProvKind {
        if self.what.contains("database, format") {
            ProvKind::Database
        } else if self.what.contains("log gen ") {
            ProvKind::Log
        } else if self.what.contains("checkpoint at ") {
            ProvKind::Checkpoint
        } else {
            ProvKind::Other
        }
    }

    /// Whether only the header region of the original was kept (`header-only/`).
    pub fn header_only(&self) -> bool {
        self.file.starts_with("header-only/")
    }

    /// The log signature the row states: `Some(None)` for a null signature, `Some(Some((random,
    /// time)))` otherwise (time as written: `2022-02-05 22:17:47` in the older tables, ISO 8601
    /// with milliseconds in the later ones); `None` when the row does not say.
    pub fn log_signature(&self) -> Option<Option<(String, String)>> {
        let text = match &self.sig_column {
            Some(s) if !s.is_empty() => s.clone(),
            _ => {
                let rest = &self.what[self.what.find("log sig ")? + "log sig ".len()..];
                rest.split(',').next()?.trim().to_string()
            }
        };
        if text == "null" {
            return Some(None);
        }
        let (random, time) = text.split_once('@')?;
        // The older tables may add "/COMPUTER" after the time.
        let time = time.split('/').next()?.trim();
        Some(Some((random.trim().to_string(), time.to_string())))
    }
}

/// Every file row of `corpus/PROVENANCE.md`.
pub fn provenance(corpus: &Path) -> Vec<ProvRow> {
    let text = std::fs::read_to_string(corpus.join("PROVENANCE.md")).unwrap();
    let cells = |line: &str| -> Vec<String> {
        let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
        inner.split('|').map(|c| c.trim().to_string()).collect()
    };
    let mut header: Vec<String> = Vec::new();
    let mut rows = Vec::new();
    for line in text.lines() {
        if line.starts_with("| file (in corpus)") {
            header = cells(line);
            continue;
        }
        if !line.starts_with("| `") {
            continue;
        }
        let c = cells(line);
        let col = |name: &str| header.iter().position(|h| h == name).and_then(|i| c.get(i)).cloned();
        let file = col("file (in corpus)").unwrap_or_else(|| panic!("no file column: {line}"));
        let size = col("size").unwrap_or_else(|| panic!("no size column: {line}"));
        let size_digits: String = size.chars().take_while(char::is_ascii_digit).collect();
        rows.push(ProvRow {
            file: file.trim_matches('`').to_string(),
            size: size_digits.parse().unwrap_or_else(|_| panic!("size {size:?}: {line}")),
            what: col("what it is").unwrap_or_else(|| panic!("no 'what it is' column: {line}")),
            sig_column: col("sig"),
        });
    }
    assert!(!rows.is_empty(), "PROVENANCE.md has no file rows");
    rows
}

/// The number right after `key` in `text` (`"update "` -> 110); `None` when `key` is absent.
pub fn number_after(text: &str, key: &str) -> Option<i64> {
    let rest = &text[text.find(key)? + key.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The number right before `key` in `text` (`"-byte pages"` -> 4096).
pub fn number_before(text: &str, key: &str) -> Option<i64> {
    let before = &text[..text.find(key)?];
    let digits: String =
        before.chars().rev().take_while(char::is_ascii_digit).collect::<Vec<_>>().into_iter().rev().collect();
    digits.parse().ok()
}
