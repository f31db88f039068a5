//! Every database of `../shared/corpus` against `PROVENANCE.md`, whose "what it is" column was
//! written by the corpus collectors from their own reading of each header (an oracle that is
//! independent of this crate): page size, state, Last Consistent generation, Log Required,
//! format update and the log signature (random and creation time).

mod common;

use std::path::Path;

use esehdr_format::{read_database_header, sniff, FileKind, DB_HEADER_READ_LEN};

struct Row {
    file: String,
    what: String,
    sig: String,
}

fn provenance(corpus: &Path) -> Vec<Row> {
    let text = std::fs::read_to_string(corpus.join("PROVENANCE.md")).unwrap();
    text.lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cols: Vec<&str> = l.split('|').map(str::trim).collect();
            Row { file: cols[1].trim_matches('`').to_string(), what: cols[6].to_string(), sig: cols[7].to_string() }
        })
        .collect()
}

/// The number after `key` in `text` (`"update "` -> 110).
fn number_after(text: &str, key: &str) -> Option<i64> {
    let rest = &text[text.find(key)? + key.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[test]
fn every_corpus_database_matches_provenance() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let mut checked = 0;
    let mut header_only = 0;
    for row in provenance(&corpus) {
        if !row.what.contains("database, format") {
            continue;
        }
        let path = corpus.join(&row.file);
        let bytes = common::head(&path, DB_HEADER_READ_LEN);
        let db = read_database_header(&bytes).unwrap_or_else(|e| panic!("{}: {e}", row.file));
        let h = db.header().unwrap_or_else(|| panic!("{}: no valid copy: {:?}", row.file, db.findings));
        let w = &row.what;
        let ctx = |f: &str| format!("{}: {f} (provenance: {w})", row.file);

        assert_eq!(
            Some(i64::from(db.page_size)),
            number_after(w, "update ").and_then(|_| {
                let before = &w[..w.find("-byte pages")?];
                before.rsplit(' ').next()?.parse().ok()
            }),
            "{}",
            ctx("page size")
        );
        assert_eq!(Some(i64::from(h.state.code())), number_after(w, "dbstate "), "{}", ctx("state"));
        assert_eq!(Some(i64::from(h.format_version.update_major)), number_after(w, "update "), "{}", ctx("update"));
        assert_eq!(
            Some(i64::from(h.last_consistent.lgpos.generation)),
            number_after(w, "lgposConsistent gen "),
            "{}",
            ctx("Last Consistent generation")
        );
        assert_eq!(Some(i64::from(h.log_required.min)), number_after(w, "genMin/Max "), "{}", ctx("Log Required min"));
        let max = w.find("genMin/Max ").and_then(|i| number_after(&w[i + "genMin/Max ".len()..], "/"));
        assert_eq!(Some(i64::from(h.log_required.max)), max, "{}", ctx("Log Required max"));
        assert!(w.contains("hdr xor-checksum ok"), "{}", ctx("provenance says the checksum is bad"));
        assert!(db.primary.checksum_ok, "{}", ctx("primary checksum"));

        // Log signature: "142ffd4d@2022-02-05 22:17:47" (random @ creation time to the second).
        if let Some((random, time)) = row.sig.split_once('@') {
            let random = random.trim();
            assert_eq!(format!("{:08x}", h.log_signature.random), random, "{}", ctx("signLog random"));
            let t = h.log_signature.created;
            let ours = format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
                t.year(),
                t.month(),
                t.day(),
                t.hours(),
                t.minutes(),
                t.seconds()
            );
            assert_eq!(ours, time.split('/').next().unwrap().trim(), "{}", ctx("signLog time"));
        } else if row.sig == "null" {
            assert!(h.log_signature.is_zero(), "{}", ctx("signLog should be zero"));
        }

        assert_eq!(sniff(&bytes, bytes.len() as u64).kind, FileKind::Database, "{}", ctx("sniff"));
        checked += 1;
        if row.file.starts_with("header-only/") {
            header_only += 1;
        }
    }
    // 27 whole databases (three of them gzip-compressed) and 7 header-only ones.
    assert_eq!(header_only, 7, "header-only databases checked");
    assert!(checked >= 31, "only {checked} corpus databases checked");
    eprintln!("{checked} corpus databases checked ({header_only} header-only)");
}

#[test]
fn page_sizes_4_8_16_and_32k_all_occur_in_the_corpus() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let mut sizes = std::collections::BTreeSet::new();
    for row in provenance(&corpus) {
        if row.what.contains("database, format") {
            let bytes = common::head(&corpus.join(&row.file), DB_HEADER_READ_LEN);
            sizes.insert(read_database_header(&bytes).unwrap().page_size);
        }
    }
    assert_eq!(sizes.into_iter().collect::<Vec<_>>(), vec![4096, 8192, 16384, 32768]);
}
