//! `check` on every whole database of the corpus: real engine databases are the check's own
//! oracle. A database must check sound unless `testdata/check-expected.tsv` lists it, with the
//! pages where the problems are, the rules they break and the section of `testdata/README.md`
//! that explains the damage; then exactly those pages and rules must be reported. Every
//! checksum failure must be a page `testdata/corpus-bad-pages.tsv` lists. The database list comes from `corpus/PROVENANCE.md` (through the parser of
//! the format crate's tests), not from a directory walk, so a database the collectors listed
//! cannot be skipped silently.

#[path = "../../format/tests/common/mod.rs"]
mod prov;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

use esehdr_recover::check::{check_database, CheckOptions, Rule, SlicePages};

fn read_all(path: &Path) -> Vec<u8> {
    let f = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    if path.extension().is_some_and(|e| e == "gz") {
        flate2::read::GzDecoder::new(f).read_to_end(&mut out).unwrap();
    } else {
        std::io::BufReader::new(f).read_to_end(&mut out).unwrap();
    }
    out
}

/// Page list `1-27,50-256` -> set.
fn pages(list: &str) -> BTreeSet<u32> {
    let mut out = BTreeSet::new();
    for part in list.split(',').filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => out.extend(a.parse::<u32>().unwrap()..=b.parse::<u32>().unwrap()),
            None => {
                out.insert(part.parse().unwrap());
            }
        }
    }
    out
}

/// What `testdata/check-expected.tsv` says each damaged database shows: the pages with
/// problems and the rules broken there.
fn expected() -> BTreeMap<String, (BTreeSet<u32>, BTreeSet<String>)> {
    let readme = std::fs::read_to_string(prov::testdata().join("README.md")).unwrap();
    prov::tsv(&prov::testdata().join("check-expected.tsv"))
        .into_iter()
        .map(|row| {
            let section = &row["readme_section"];
            assert!(
                section.starts_with("### ") && readme.lines().any(|l| l == section),
                "{row:?}: every entry names the testdata/README.md section that explains it"
            );
            let rules = row["rules"].split(',').map(str::to_string).collect();
            (row["file"].clone(), (pages(&row["pages"]), rules))
        })
        .collect()
}

/// `testdata/corpus-bad-pages.tsv`: the pages whose checksum fails (`esehdr k`, checked there
/// against an independent Python scan).
fn bad_checksum_pages() -> BTreeMap<String, BTreeSet<u32>> {
    prov::tsv(&prov::testdata().join("corpus-bad-pages.tsv"))
        .into_iter()
        .map(|row| (row["file"].clone(), pages(&row["bad_pages"])))
        .collect()
}

#[test]
fn every_corpus_database_checks_clean_or_as_explained() {
    let Some(corpus) = prov::corpus() else { return };
    let rows: Vec<_> = prov::provenance(&corpus)
        .into_iter()
        .filter(|r| r.kind() == prov::ProvKind::Database && !r.header_only())
        .collect();
    assert!(rows.len() >= 59, "PROVENANCE.md lists {} whole databases", rows.len());
    let want = expected();
    let bad = bad_checksum_pages();
    let verbose = std::env::var_os("CHECK_VERBOSE").is_some();
    let (mut pages_total, mut trees_total, mut clean) = (0u64, 0u64, 0usize);
    let mut wrong = Vec::new();
    for r in &rows {
        let bytes = read_all(&corpus.join(&r.file));
        let header = esehdr_format::read_database_header(&bytes).unwrap_or_else(|e| panic!("{}: {e}", r.file));
        let report = check_database(&SlicePages::new(&bytes, header.page_size as usize), CheckOptions::default())
            .unwrap_or_else(|e| panic!("{}: {e}", r.file));
        // Every database has at least its root, its catalog and their space trees.
        assert!(report.trees_checked >= 2 && report.pages_checked >= 2, "{}: {report:?}", r.file);
        pages_total += report.pages_checked;
        trees_total += report.trees_checked;
        let mut got_pages = BTreeSet::new();
        let mut got_rules = BTreeSet::new();
        for p in &report.problems {
            if verbose {
                println!("{}\t{p}", r.file);
            }
            got_pages.insert(p.pgno);
            got_rules.insert(p.rule.to_string());
            if p.rule == Rule::Checksum {
                assert!(
                    bad.get(&r.file).is_some_and(|b| b.contains(&p.pgno)),
                    "{}: page {} fails its checksum in check but not in corpus-bad-pages.tsv",
                    r.file,
                    p.pgno
                );
            }
        }
        if report.ok() {
            clean += 1;
        }
        let expect = want.get(&r.file).cloned().unwrap_or_default();
        if (got_pages.clone(), got_rules.clone()) != expect {
            wrong.push(format!(
                "{}:\n  reported on pages {got_pages:?} rules {got_rules:?}\n  expected pages {:?} rules {:?}",
                r.file, expect.0, expect.1
            ));
        }
    }
    println!("{} databases ({clean} sound), {pages_total} pages, {trees_total} trees checked", rows.len());
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(
        want.keys().all(|f| rows.iter().any(|r| &r.file == f)),
        "check-expected.tsv names a file PROVENANCE.md does not list"
    );
}
