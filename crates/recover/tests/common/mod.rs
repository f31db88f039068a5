//! Helpers shared by the page-model tests: reading databases, walking the corpus, decoding
//! every node of a page into plain values.
#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};

use esehdr_recover::page::{LineFlags, PageView};

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `../shared/corpus` beside the repository, if present (required under CI).
pub fn corpus() -> Option<PathBuf> {
    let dir = repo().join("../shared/corpus");
    if dir.join("PROVENANCE.md").is_file() {
        return Some(dir);
    }
    assert!(std::env::var_os("CI").is_none(), "CI is set but {} is missing", dir.display());
    eprintln!("note: {} not found; corpus tests skipped", dir.display());
    None
}

/// A whole file, gunzipped when its name ends in `.gz`.
pub fn read(path: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    let f = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if path.extension().is_some_and(|e| e == "gz") {
        flate2::read::GzDecoder::new(f).read_to_end(&mut out).unwrap();
    } else {
        std::io::BufReader::new(f).read_to_end(&mut out).unwrap();
    }
    out
}

/// Every file under `dir` (sorted), the `header-only` folder left out.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                if !p.ends_with("header-only") {
                    stack.push(p);
                }
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A database of the corpus or testdata: its page size and bytes, or `None` for other files.
pub fn database(path: &Path) -> Option<(usize, Vec<u8>)> {
    let head = {
        let mut h = Vec::new();
        let f = std::fs::File::open(path).ok()?;
        if path.extension().is_some_and(|e| e == "gz") {
            flate2::read::GzDecoder::new(f).take(65536).read_to_end(&mut h).ok()?;
        } else {
            f.take(65536).read_to_end(&mut h).ok()?;
        }
        h
    };
    if esehdr_format::sniff(&head, head.len() as u64).kind != esehdr_format::FileKind::Database {
        return None;
    }
    let db = esehdr_format::read_database_header(&head).ok()?;
    let ps = db.page_size as usize;
    let bytes = read(path);
    (bytes.len() >= 3 * ps && bytes.len() % ps == 0).then_some((ps, bytes))
}

/// Page `pgno` of a database (file offset `(pgno + 1) × cbPage`).
pub fn page(bytes: &[u8], ps: usize, pgno: usize) -> &[u8] {
    &bytes[(pgno + 1) * ps..(pgno + 2) * ps]
}

/// Number of database pages in the file.
pub fn page_count(bytes: &[u8], ps: usize) -> usize {
    bytes.len() / ps - 2
}

/// A node as plain values: (flags, cbPrefix, full key, data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlainLine {
    pub flags: LineFlags,
    pub cb_prefix: usize,
    pub key: Vec<u8>,
    pub data: Vec<u8>,
}

/// Every line of a page as plain values.
pub fn plain_lines(v: &PageView<'_>) -> Vec<PlainLine> {
    v.lines()
        .map(|l| {
            let l = l.unwrap();
            PlainLine { flags: l.flags, cb_prefix: l.prefix.len(), key: l.key().to_vec(), data: l.data.to_vec() }
        })
        .collect()
}

/// The decoded-page criterion of testdata/derive-page-facts.py, computed with the page model.
pub fn counted(v: &PageView<'_>) -> bool {
    use esehdr_recover::page::derive;
    let b = v.bytes();
    if b.iter().all(|&x| x == 0) || v.flags().is_pre_init() {
        return false;
    }
    let n = v.itag_mic_free();
    if n >= v.geometry().data_len() / 4 || n < v.ctag_reserved() {
        return false;
    }
    if derive(v).cb_free != v.cb_free() as isize {
        return false;
    }
    v.tags().all(|t| t.is_ok_and(|t| v.tag_bytes(&t).is_ok())) && v.lines().all(|l| l.is_ok())
}
