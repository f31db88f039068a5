//! Every database in `testdata/db/` against the values in `testdata/expected-db.tsv`, which
//! `testdata/derive-expected.py` derived from the bytes independently of this crate (and which
//! `testdata/README.md` shows how to re-derive with a hex viewer).

mod common;

use esehdr_format::{read_database_header, CopyStatus, DbKind, DB_HEADER_READ_LEN};

#[test]
fn every_testdata_database_matches_its_expected_values() {
    let rows = common::tsv(&common::testdata().join("expected-db.tsv"));
    assert_eq!(rows.len(), 7, "expected-db.tsv should list the 7 sample databases");
    for row in rows {
        let name = &row["file"];
        let bytes = common::head(&common::testdata().join("db").join(name), DB_HEADER_READ_LEN);
        let db = read_database_header(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let h = db.header().unwrap_or_else(|| panic!("{name}: no valid header copy: {:?}", db.findings));
        let ctx = |field: &str| format!("{name}: {field}");

        assert_eq!(db.page_size.to_string(), row["page_size"], "{}", ctx("page_size"));
        assert_eq!(h.state.code().to_string(), row["state_code"], "{}", ctx("state"));
        assert_eq!(format!("{:08x}", h.db_signature.random), row["db_sig_random"], "{}", ctx("signDb random"));
        assert_eq!(iso(h.db_signature.created), row["db_sig_created"], "{}", ctx("signDb time"));
        assert_eq!(format!("{:08x}", h.log_signature.random), row["log_sig_random"], "{}", ctx("signLog random"));
        assert_eq!(iso(h.log_signature.created), row["log_sig_created"], "{}", ctx("signLog time"));
        let lc = h.last_consistent;
        assert_eq!(lc.lgpos.generation.to_string(), row["consistent_gen"], "{}", ctx("lgposConsistent gen"));
        assert_eq!(lc.lgpos.isec.to_string(), row["consistent_sec"], "{}", ctx("lgposConsistent isec"));
        assert_eq!(lc.lgpos.ib.to_string(), row["consistent_ib"], "{}", ctx("lgposConsistent ib"));
        assert_eq!(iso(lc.time), row["consistent_time"], "{}", ctx("logtimeConsistent"));
        assert_eq!(h.log_required.min.to_string(), row["log_required_min"], "{}", ctx("lGenMinRequired"));
        assert_eq!(h.log_required.max.to_string(), row["log_required_max"], "{}", ctx("lGenMaxRequired"));
        assert_eq!(format!("{:#x}", h.format_version.major), row["version_major"], "{}", ctx("ulVersion"));
        assert_eq!(h.format_version.update_major.to_string(), row["update_major"], "{}", ctx("update major"));
        assert_eq!(h.format_version.update_minor.to_string(), row["update_minor"], "{}", ctx("update minor"));

        // Every sample has two good, identical copies.
        assert_eq!(db.primary.status, CopyStatus::Valid, "{}", ctx("primary"));
        assert_eq!(db.shadow.status, CopyStatus::Valid, "{}", ctx("shadow"));
        assert!(db.identical, "{}", ctx("identical"));
        assert!(db.findings.is_empty(), "{}: {:?}", ctx("findings"), db.findings);
        assert_eq!(db.kind(), DbKind::Database, "{}", ctx("kind"));
    }
}

fn iso(t: esehdr_format::LogTime) -> String {
    t.iso8601().unwrap_or_else(|| "null".into())
}

#[test]
fn the_header_read_never_needs_more_than_two_32k_pages() {
    // A 16 KiB-page database parses from exactly its first 2 x 16 KiB, and gives the same
    // result from the first 64 KiB.
    let bytes = std::fs::read(common::testdata().join("db/qmgr-win11-dirty-16k.db")).unwrap();
    let a = read_database_header(&bytes[..32768]).unwrap();
    let b = read_database_header(&bytes[..DB_HEADER_READ_LEN]).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.page_size, 16384);
}
