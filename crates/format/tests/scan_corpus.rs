//! Every whole database of `../shared/corpus` scanned page by page, like `eseutil /k` (the
//! gzip-compressed ones decompressed here): the page count is the file size over the page size,
//! and the bad pages are exactly the ones `testdata/README.md` explains.

mod common;

use esehdr_format::page::scan::scan_pages;
use esehdr_format::read_database_header;

#[test]
fn every_whole_corpus_database_scans() {
    let Some(corpus) = common::corpus() else { return };
    let text = std::fs::read_to_string(corpus.join("PROVENANCE.md")).unwrap();
    let mut scanned = 0;
    for line in text
        .lines()
        .filter(|l| l.starts_with("| `") && l.contains("database, format") && !l.starts_with("| `header-only/"))
    {
        let rel = line.split('`').nth(1).unwrap();
        let bytes = common::head(&corpus.join(rel), usize::MAX);
        let db = read_database_header(&bytes).unwrap();
        let ps = db.page_size as usize;
        let total = (bytes.len() / ps) as u64;
        let stats = scan_pages(&bytes[..total as usize * ps], ps, 0, total);
        eprintln!(
            "{rel}: {} pages of {ps}, bad {}, wrong pgno {}, correctable {}, uninit {}, highest {:?}",
            stats.pages_seen,
            stats.bad_checksums,
            stats.wrong_page_numbers,
            stats.correctable,
            stats.uninitialized,
            stats.highest_dbtime
        );
        for b in stats.bad_pages.iter().take(5) {
            eprintln!("    page {} {:?}: {}", b.page, b.kind, b.detail);
        }
        assert_eq!(stats.pages_seen, total, "{rel}");
        assert_eq!(bytes.len() % ps, 0, "{rel}: whole pages");
        // Three real files hold pages that fail every checksum; testdata/README.md ("Pages that
        // fail their checksum in the corpus") explains each. Every other one verifies.
        let (bad, first_bad) = match rel {
            "AndrewRathbun-DFIRArtifactMuseum/Windows/NTDS/Win2012R2/StolenSzechuan/temp.edb" => (234, Some(1)),
            "fox-it-dissect.esedb/tests/_data/SRUDB.dat" => (16, Some(143)),
            "fox-it-dissect.target/6e8bf9d53637/tests/data/WebCacheV01.dat.gz" => (36, Some(74)),
            _ => (0, None),
        };
        assert_eq!(stats.bad_checksums, bad, "{rel}: bad checksums");
        assert_eq!(stats.bad_pages.first().map(|b| b.page), first_bad, "{rel}: first bad page");
        assert_eq!((stats.correctable, stats.wrong_page_numbers), (0, 0), "{rel}");
        if bad == 0 {
            assert!(stats.ok(), "{rel}");
            assert!(stats.highest_dbtime.is_some_and(|h| h.dbtime > 0), "{rel}: a highest dbtime");
        }
        scanned += 1;
    }
    assert_eq!(scanned, 27);
}
