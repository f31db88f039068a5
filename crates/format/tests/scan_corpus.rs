//! Every whole database of `../shared/corpus` scanned page by page, like `eseutil /k` (the
//! gzip-compressed ones decompressed here): the page count is the file size over the page size,
//! and the bad pages are exactly the ones `testdata/corpus-bad-pages.tsv` lists, each explained
//! in `testdata/README.md` ("Pages that fail their checksum in the corpus"). Where PROVENANCE.md
//! states the collectors' own page scan ("page scan: 0 bad checksum(s), 86 uninitialized of
//! 192"), the counts must agree with it. Which databases are scanned comes from PROVENANCE.md,
//! so a grown corpus is a data change, not a code change.

mod common;

use std::collections::BTreeMap;

use common::{number_after, number_before, ProvKind};
use esehdr_format::page::scan::{scan_pages, ScanStats};
use esehdr_format::read_database_header;

/// `1-27,50-256` -> every page number in those ranges.
fn ranges(text: &str) -> Vec<i64> {
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (a, b) = part.split_once('-').unwrap_or((part, part));
        let (a, b): (i64, i64) = (a.parse().unwrap(), b.parse().unwrap());
        assert!(a <= b, "range {part}");
        out.extend(a..=b);
    }
    out
}

/// The collectors' scan, when the row states one: (bad checksums, uninitialized, pages).
fn stated_scan(what: &str) -> Option<(u64, u64, u64)> {
    let i = what.find("page scan: ")?;
    let scan = &what[i..];
    let bad = number_after(scan, "page scan: ")?;
    let uninit = number_before(scan, " uninitialized")?;
    let of = number_after(scan, "uninitialized of ")?;
    Some((bad as u64, uninit as u64, of as u64))
}

fn scan(bytes: &[u8]) -> (usize, u64, ScanStats) {
    let db = read_database_header(bytes).unwrap();
    let ps = db.page_size as usize;
    let total = (bytes.len() / ps) as u64;
    (ps, total, scan_pages(&bytes[..total as usize * ps], ps, 0, total))
}

#[test]
fn every_whole_corpus_database_scans() {
    let Some(corpus) = common::corpus() else { return };
    let explained: BTreeMap<String, (Vec<i64>, String)> = common::tsv(&common::testdata().join("corpus-bad-pages.tsv"))
        .into_iter()
        .map(|r| (r["file"].clone(), (ranges(&r["bad_pages"]), r["readme_section"].clone())))
        .collect();
    let rows: Vec<_> = common::provenance(&corpus)
        .into_iter()
        .filter(|r| r.kind() == ProvKind::Database && !r.header_only())
        .collect();
    // Two workers: the 24 MiB dirty Windows.edb.gz is decompressed and scanned while the other
    // worker goes through the small files.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<(usize, String, Result<(), String>)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(row) = rows.get(i) else { break };
                        let outcome = check_one(&corpus, row, explained.get(&row.file).map(|(p, _)| p.as_slice()));
                        mine.push((i, row.file.clone(), outcome));
                    }
                    mine
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap()).collect()
    });
    results.sort_by_key(|(i, _, _)| *i);
    let failures: Vec<String> =
        results.iter().filter_map(|(_, f, r)| r.as_ref().err().map(|e| format!("{f}: {e}"))).collect();
    assert!(
        failures.is_empty(),
        "{} of {} databases disagree:\n{}",
        failures.len(),
        results.len(),
        failures.join("\n")
    );
    assert_eq!(results.len(), rows.len(), "whole databases scanned");
    for file in explained.keys() {
        assert!(
            rows.iter().any(|r| &r.file == file),
            "corpus-bad-pages.tsv lists {file}, which PROVENANCE.md does not"
        );
    }
    let readme = std::fs::read_to_string(common::testdata().join("README.md")).unwrap();
    for (file, (pages, section)) in &explained {
        assert!(
            readme.lines().any(|l| l.starts_with(section.as_str())),
            "{file}: testdata/README.md has no section {section:?} explaining its {} bad pages",
            pages.len()
        );
    }
    eprintln!("{} whole corpus databases scanned, {} with explained bad pages", results.len(), explained.len());
}

/// Scans one database; `Err` says every way it disagrees with the expectations.
fn check_one(corpus: &std::path::Path, row: &common::ProvRow, explained: Option<&[i64]>) -> Result<(), String> {
    let rel = &row.file;
    let bytes = common::head(&corpus.join(rel), usize::MAX);
    let (ps, total, stats) = scan(&bytes);
    eprintln!(
        "{rel}: {} pages of {ps}, bad {}, wrong pgno {}, correctable {}, uninit {}, highest {:?}",
        stats.pages_seen,
        stats.bad_checksums,
        stats.wrong_page_numbers,
        stats.correctable,
        stats.uninitialized,
        stats.highest_dbtime
    );
    let mut problems = Vec::new();
    // The older tables give a .gz file's stored size, the later ones the raw size.
    let stored = std::fs::metadata(corpus.join(rel)).map(|m| m.len()).unwrap_or_default();
    if bytes.len() as u64 != row.size && stored != row.size {
        problems.push(format!("{} bytes ({stored} stored), PROVENANCE.md says {}", bytes.len(), row.size));
    }
    if bytes.len() % ps != 0 {
        problems.push(format!("{} bytes is not whole pages of {ps}", bytes.len()));
    }
    if stats.pages_seen != total {
        problems.push(format!("{} pages seen of {total}", stats.pages_seen));
    }
    let bad: Vec<i64> = stats.bad_pages.iter().map(|b| b.page).collect();
    let expected = explained.unwrap_or_default();
    if bad != expected {
        let first: Vec<String> =
            stats.bad_pages.iter().take(5).map(|b| format!("{} {:?}: {}", b.page, b.kind, b.detail)).collect();
        problems.push(format!(
            "bad pages {} (first: {}), expected {} (testdata/corpus-bad-pages.tsv)",
            bad.len(),
            first.join("; "),
            expected.len()
        ));
    }
    if stats.bad_checksums != bad.len() as u64 || (stats.correctable, stats.wrong_page_numbers) != (0, 0) {
        problems.push(format!(
            "bad checksums {}, correctable {}, wrong page numbers {}",
            stats.bad_checksums, stats.correctable, stats.wrong_page_numbers
        ));
    }
    if let Some((s_bad, s_uninit, s_pages)) = stated_scan(&row.what) {
        let ours = (stats.bad_checksums, stats.uninitialized, stats.pages_seen);
        if ours != (s_bad, s_uninit, s_pages) {
            problems.push(format!(
                "(bad, uninitialized, pages) = {ours:?}, PROVENANCE.md's scan says {:?}",
                (s_bad, s_uninit, s_pages)
            ));
        }
    }
    if bad.is_empty() && !(stats.ok() && stats.highest_dbtime.is_some_and(|h| h.dbtime > 0)) {
        problems.push("no bad page, yet not ok or no highest dbtime".into());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}
