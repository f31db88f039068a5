//! `check` on every whole database of the corpus: real engine databases are the check's own
//! oracle. Every problem reported must be listed in `testdata/check-expected.tsv` as real
//! damage, with the section of `testdata/README.md` that explains it; every listed problem must
//! be reported. The database list comes from `corpus/PROVENANCE.md` (through the parser of
//! the format crate's tests), not from a directory walk, so a database the collectors listed
//! cannot be skipped silently.

#[path = "../../format/tests/common/mod.rs"]
mod prov;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use esehdr_recover::check::{check_database, CheckOptions, SlicePages};

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

/// (file, pgno, iline, rule) -> count, from the expected TSV.
fn expected() -> BTreeMap<(String, u32, String, String), usize> {
    let mut out = BTreeMap::new();
    for row in prov::tsv(&prov::testdata().join("check-expected.tsv")) {
        let key = (row["file"].clone(), row["pgno"].parse().unwrap(), row["iline"].clone(), row["rule"].clone());
        *out.entry(key).or_insert(0) += 1;
        assert!(!row["readme_section"].is_empty(), "{row:?}: every expected problem names its explanation");
    }
    out
}

#[test]
fn every_corpus_database_checks_clean_or_as_explained() {
    let Some(corpus) = prov::corpus() else { return };
    let rows: Vec<_> = prov::provenance(&corpus)
        .into_iter()
        .filter(|r| r.kind() == prov::ProvKind::Database && !r.header_only())
        .collect();
    assert!(rows.len() >= 59, "PROVENANCE.md lists {} whole databases", rows.len());
    let mut found: BTreeMap<(String, u32, String, String), usize> = BTreeMap::new();
    let (mut pages, mut trees) = (0u64, 0u64);
    let verbose = std::env::var_os("CHECK_VERBOSE").is_some();
    for r in &rows {
        let bytes = read_all(&corpus.join(&r.file));
        let header = esehdr_format::read_database_header(&bytes).unwrap_or_else(|e| panic!("{}: {e}", r.file));
        let report = check_database(&SlicePages::new(&bytes, header.page_size as usize), CheckOptions::default())
            .unwrap_or_else(|e| panic!("{}: {e}", r.file));
        assert!(report.trees_checked >= 2 && report.pages_checked >= 1, "{}: {report:?}", r.file);
        pages += report.pages_checked;
        trees += report.trees_checked;
        for p in &report.problems {
            if verbose {
                println!("{}\t{}\t{}\t{}\t{}", r.file, p.pgno, p.iline.map_or("-".into(), |i| i.to_string()), p.rule, p.message);
            }
            let iline = p.iline.map_or("-".into(), |i| i.to_string());
            *found.entry((r.file.clone(), p.pgno, iline, p.rule.to_string())).or_insert(0) += 1;
        }
    }
    println!("{} databases, {pages} pages, {trees} trees checked", rows.len());
    let want = expected();
    let unexplained: Vec<_> = found.iter().filter(|(k, n)| want.get(*k) != Some(n)).collect();
    let missing: Vec<_> = want.iter().filter(|(k, n)| found.get(*k) != Some(n)).collect();
    let show = |v: &[(&(String, u32, String, String), &usize)]| {
        v.iter().take(40).map(|((f, p, i, r), n)| format!("{f}\t{p}\t{i}\t{r}\t×{n}")).collect::<Vec<_>>().join("\n")
    };
    assert!(
        unexplained.is_empty() && missing.is_empty(),
        "reported but not explained ({}):\n{}\nexpected but not reported ({}):\n{}",
        unexplained.len(),
        show(&unexplained),
        missing.len(),
        show(&missing)
    );
}
