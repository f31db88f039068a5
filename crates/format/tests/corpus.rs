//! Every database of `../shared/corpus` against `PROVENANCE.md`, whose "what it is" column was
//! written by the corpus collectors from their own reading of each header (an oracle that is
//! independent of this crate): page size, state, format update, Last Consistent position, Log
//! Required and the log signature (random and creation time). Both table layouts of
//! PROVENANCE.md are read (see `common::provenance`); the number of databases checked is the
//! number PROVENANCE.md lists, so a grown corpus is a data change, not a code change.

mod common;

use common::{number_after, number_before, ProvKind};
use esehdr_format::{read_database_header, sniff, FileKind, DB_HEADER_READ_LEN};

/// `lgposConsistent 9:6:54` (later tables: generation:sector:offset, decimal) or
/// `lgposConsistent gen 9` (older tables: the generation only).
fn consistent(what: &str) -> Option<(i64, Option<(i64, i64)>)> {
    if let Some(g) = number_after(what, "lgposConsistent gen ") {
        return Some((g, None));
    }
    let rest = &what[what.find("lgposConsistent ")? + "lgposConsistent ".len()..];
    let triple = rest.split([',', ' ']).next()?;
    let mut parts = triple.split(':').map(|p| p.parse::<i64>().ok());
    let (g, s, i) = (parts.next()??, parts.next()??, parts.next()??);
    Some((g, Some((s, i))))
}

/// `genMin/Max 0/0` (older tables) or `Log Required 9-12` (later tables).
fn log_required(what: &str) -> Option<(i64, i64)> {
    if let Some(min) = number_after(what, "genMin/Max ") {
        let i = what.find("genMin/Max ")?;
        return Some((min, number_after(&what[i + "genMin/Max ".len()..], "/")?));
    }
    let min = number_after(what, "Log Required ")?;
    let i = what.find("Log Required ")?;
    Some((min, number_after(&what[i + "Log Required ".len()..], "-")?))
}

#[test]
fn every_corpus_database_matches_provenance() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let rows: Vec<_> = common::provenance(&corpus).into_iter().filter(|r| r.kind() == ProvKind::Database).collect();
    let (mut checked, mut header_only, mut signatures) = (0, 0, 0);
    for row in &rows {
        let bytes = common::head(&corpus.join(&row.file), DB_HEADER_READ_LEN);
        let db = read_database_header(&bytes).unwrap_or_else(|e| panic!("{}: {e}", row.file));
        let h = db.header().unwrap_or_else(|| panic!("{}: no valid copy: {:?}", row.file, db.findings));
        let w = &row.what;
        let ctx = |f: &str| format!("{}: {f} (provenance: {w})", row.file);

        assert_eq!(Some(i64::from(db.page_size)), number_before(w, "-byte pages"), "{}", ctx("page size"));
        let state = number_after(w, "dbstate ").or_else(|| number_after(w, ", state "));
        assert_eq!(Some(i64::from(h.state.code())), state, "{}", ctx("state"));
        let update = number_after(w, "update ");
        assert_eq!(Some(i64::from(h.format_version.update_major)), update, "{}", ctx("update"));
        // The later tables give the minor too: "update 110.240".
        if let Some(minor) = update.and_then(|u| number_after(w, &format!("update {u}."))) {
            assert_eq!(i64::from(h.format_version.update_minor), minor, "{}", ctx("update minor"));
        }
        let (gen, position) = consistent(w).unwrap_or_else(|| panic!("{}", ctx("no lgposConsistent")));
        let lc = h.last_consistent.lgpos;
        assert_eq!(i64::from(lc.generation), gen, "{}", ctx("Last Consistent generation"));
        if let Some((isec, ib)) = position {
            assert_eq!((i64::from(lc.isec), i64::from(lc.ib)), (isec, ib), "{}", ctx("Last Consistent sector:offset"));
        }
        let required = (i64::from(h.log_required.min), i64::from(h.log_required.max));
        assert_eq!(Some(required), log_required(w), "{}", ctx("Log Required"));
        if w.contains("xor-checksum") {
            assert!(w.contains("hdr xor-checksum ok"), "{}", ctx("provenance says the checksum is bad"));
        }
        assert!(db.primary.checksum_ok, "{}", ctx("primary checksum"));

        match row.log_signature() {
            Some(Some((random, time))) => {
                assert_eq!(format!("{:08x}", h.log_signature.random), random, "{}", ctx("signLog random"));
                let t = h.log_signature.created;
                let ours = if time.contains('T') {
                    // Later tables: ISO 8601 with milliseconds and the UTC mark.
                    t.iso8601().unwrap_or_default()
                } else {
                    format!(
                        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
                        t.year(),
                        t.month(),
                        t.day(),
                        t.hours(),
                        t.minutes(),
                        t.seconds()
                    )
                };
                assert_eq!(ours, time, "{}", ctx("signLog time"));
                signatures += 1;
            }
            Some(None) => {
                assert!(h.log_signature.is_zero(), "{}", ctx("signLog should be zero"));
                signatures += 1;
            }
            // Only an older-table row with an empty sig column may leave it unstated.
            None => assert_eq!(row.sig_column.as_deref(), Some(""), "{}", ctx("log signature not understood")),
        }

        assert_eq!(sniff(&bytes, bytes.len() as u64).kind, FileKind::Database, "{}", ctx("sniff"));
        checked += 1;
        if row.header_only() {
            header_only += 1;
        }
    }
    assert!(!rows.is_empty(), "PROVENANCE.md lists no database");
    assert_eq!(checked, rows.len(), "databases checked");
    eprintln!("{checked} corpus databases checked ({header_only} header-only, {signatures} log signatures)");
}

#[test]
fn page_sizes_of_the_corpus_are_the_ones_provenance_states() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let (mut ours, mut stated) = (std::collections::BTreeSet::new(), std::collections::BTreeSet::new());
    for row in common::provenance(&corpus).into_iter().filter(|r| r.kind() == ProvKind::Database) {
        let bytes = common::head(&corpus.join(&row.file), DB_HEADER_READ_LEN);
        ours.insert(i64::from(read_database_header(&bytes).unwrap().page_size));
        stated.insert(number_before(&row.what, "-byte pages").unwrap());
    }
    assert_eq!(ours, stated);
    // Every page size ESE writes above 2 KiB occurs (the corpus has no 2 KiB-page database).
    assert!([4096, 8192, 16384, 32768].iter().all(|s| ours.contains(s)), "{ours:?}");
}
