//! `esehdr check`: hand-damaged copies of a real engine database (each defect found with its
//! rule, the walk never hanging), and the CLI's exit codes, text and JSON contract.
//!
//! The base is `testdata/db/srum-server2022-clean.dat`, a Clean Shutdown SRUM database of
//! 4 KiB pages written by the engine (it checks sound, as the corpus test requires). Its
//! catalog (pgno 4) is an internal root whose two children are the leaves 13 and 14 (read by
//! hand with the layout of docs/page-internals.md §1-§2). Each damaged page gets a fresh
//! checksum, so only the structural rule can fire.

use std::path::{Path, PathBuf};
use std::process::Command;

use esehdr_format::page::write_page_checksum;
use esehdr_recover::check::{check_database, CheckOptions, CheckReport, Rule, SlicePages};
use esehdr_recover::page::PageView;

const PS: usize = 4096;

fn base() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/db/srum-server2022-clean.dat")).unwrap()
}

fn page_mut(db: &mut [u8], pgno: usize) -> &mut [u8] {
    &mut db[(pgno + 1) * PS..(pgno + 2) * PS]
}

fn restamp(db: &mut [u8], pgno: usize) {
    assert!(write_page_checksum(page_mut(db, pgno), pgno as u32));
}

fn check(db: &[u8]) -> CheckReport {
    check_database(&SlicePages::new(db, PS), CheckOptions::default()).unwrap()
}

/// Page offset of the 4-byte child pgno of internal line `iline`.
fn child_at(db: &mut [u8], pgno: usize, iline: usize) -> usize {
    let p = page_mut(db, pgno);
    let v = PageView::new(p).unwrap();
    let l = v.line(iline).unwrap();
    assert_eq!(l.data.len(), 4);
    40 + l.tag.end() - 4
}

fn set_u32(db: &mut [u8], pgno: usize, at: usize, value: u32) {
    page_mut(db, pgno)[at..at + 4].copy_from_slice(&value.to_le_bytes());
    restamp(db, pgno);
}

fn rules_at(r: &CheckReport, pgno: u32) -> Vec<Rule> {
    r.problems.iter().filter(|p| p.pgno == pgno).map(|p| p.rule).collect()
}

#[test]
fn the_base_database_is_sound_and_shaped_as_the_tests_assume() {
    let mut db = base();
    let r = check(&db);
    assert!(r.ok(), "{:?}", r.problems);
    // The catalog root's children, by hand: 13 then 14.
    let (a, b) = (child_at(&mut db, 4, 0), child_at(&mut db, 4, 1));
    let p = page_mut(&mut db, 4);
    assert_eq!(u32::from_le_bytes(p[a..a + 4].try_into().unwrap()), 13);
    assert_eq!(u32::from_le_bytes(p[b..b + 4].try_into().unwrap()), 14);
}

#[test]
fn swapped_keys_are_out_of_order() {
    let mut db = base();
    // Swap TAG 2 and TAG 3 of leaf 13 (lines 1 and 2): their keys now decrease.
    let p = page_mut(&mut db, 13);
    let (t2, t3) = (PS - 4 * 3, PS - 4 * 4);
    let a: [u8; 4] = p[t2..t2 + 4].try_into().unwrap();
    let b: [u8; 4] = p[t3..t3 + 4].try_into().unwrap();
    p[t2..t2 + 4].copy_from_slice(&b);
    p[t3..t3 + 4].copy_from_slice(&a);
    restamp(&mut db, 13);
    let r = check(&db);
    assert!(
        r.problems.iter().any(|p| p.pgno == 13 && p.iline == Some(2) && p.rule.to_string() == "LinesOutOfOrder"),
        "{:?}",
        r.problems
    );
}

#[test]
fn a_broken_sibling_link_is_found_from_both_sides() {
    let mut db = base();
    set_u32(&mut db, 14, 16, 0); // pgnoPrev of leaf 14: should be 13
    let r = check(&db);
    assert_eq!(rules_at(&r, 14), vec![Rule::SiblingLink], "{:?}", r.problems);
    let mut db = base();
    set_u32(&mut db, 13, 20, 7); // pgnoNext of leaf 13: should be 14
    let r = check(&db);
    assert_eq!(rules_at(&r, 13), vec![Rule::SiblingLink], "{:?}", r.problems);
}

#[test]
fn two_parents_pointing_at_one_page() {
    let mut db = base();
    let at = child_at(&mut db, 4, 1);
    set_u32(&mut db, 4, at, 13); // both catalog children are now page 13
    let r = check(&db);
    assert!(rules_at(&r, 13).contains(&Rule::PageReachedTwice), "{:?}", r.problems);
}

#[test]
fn a_cycle_ends_without_hanging() {
    let mut db = base();
    let at = child_at(&mut db, 4, 0);
    set_u32(&mut db, 4, at, 4); // the catalog root is its own first child
    let r = check(&db);
    assert!(rules_at(&r, 4).contains(&Rule::PageReachedTwice), "{:?}", r.problems);
}

#[test]
fn a_page_of_another_tree_and_a_child_beyond_the_file() {
    let mut db = base();
    set_u32(&mut db, 14, 24, 99); // objidFDP of leaf 14: the catalog is objid 2
    let r = check(&db);
    assert!(rules_at(&r, 14).contains(&Rule::ObjidMismatch), "{:?}", r.problems);
    let mut db = base();
    let at = child_at(&mut db, 4, 1);
    set_u32(&mut db, 4, at, 100_000);
    let r = check(&db);
    assert!(rules_at(&r, 4).contains(&Rule::ChildPgno), "{:?}", r.problems);
}

#[test]
fn a_leaf_flag_cleared_below_a_parent_of_leaf() {
    let mut db = base();
    let flags = u32::from_le_bytes(page_mut(&mut db, 13)[36..40].try_into().unwrap());
    set_u32(&mut db, 13, 36, flags & !0x2);
    let r = check(&db);
    assert!(rules_at(&r, 13).contains(&Rule::LevelFlags), "{:?}", r.problems);
}

#[test]
fn arbitrary_bytes_never_panic_or_hang() {
    // Every page of the catalog overwritten with a pattern: many findings, no panic.
    let mut db = base();
    for pgno in [4usize, 13, 14] {
        for (i, b) in page_mut(&mut db, pgno).iter_mut().enumerate().skip(16) {
            *b = (i * 31 % 251) as u8;
        }
    }
    let r = check(&db);
    assert!(!r.ok());
}

fn esehdr() -> Command {
    Command::new(env!("CARGO_BIN_EXE_esehdr"))
}

fn tmp(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("esehdr-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn cli_exit_codes_text_and_json() {
    let good = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/db/srum-server2022-clean.dat");
    let o = esehdr().args(["check", "--nologo"]).arg(&good).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.lines().last().unwrap().ends_with("trees checked: sound"), "{text}");

    let mut db = base();
    set_u32(&mut db, 14, 16, 0);
    let bad = tmp("broken-sibling.dat", &db);
    let o = esehdr().args(["check", "--json"]).arg(&bad).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["file", "ok", "pages_checked", "problems", "trees_checked"]);
    let mut pkeys: Vec<&str> = v["problems"][0].as_object().unwrap().keys().map(String::as_str).collect();
    pkeys.sort_unstable();
    assert_eq!(pkeys, ["iline", "message", "pgno", "rule"]);
    assert_eq!(v["ok"], false);
    let p = &v["problems"][0];
    assert_eq!((p["pgno"].as_u64(), p["rule"].as_str()), (Some(14), Some("SiblingLink")));
    assert!(p["iline"].is_null() && p["message"].as_str().unwrap().contains("pgnoPrev should be 13"));
    let o = esehdr().args(["check", "--nologo"]).arg(&bad).output().unwrap();
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("  page 14: SiblingLink: pgnoPrev should be 13"), "{text}");

    let not_db = tmp("not-a-database.txt", b"hello");
    let o = esehdr().args(["check", "--nologo"]).arg(&not_db).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let o = esehdr().args(["check", "/nonexistent/x.edb"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
}

/// A 4 KiB internal page by hand (docs/page-internals.md §1-§2): an empty external header
/// (TAG 0, cb 0) and one node with a null key pointing at `child`.
fn internal_page(pgno: u32, objid: u32, child: u32) -> Vec<u8> {
    let mut p = vec![0u8; PS];
    p[8..16].copy_from_slice(&1u64.to_le_bytes()); // dbtimeDirtied
    p[24..28].copy_from_slice(&objid.to_le_bytes()); // objidFDP
    let node = [0u8, 0, child as u8, (child >> 8) as u8, (child >> 16) as u8, (child >> 24) as u8];
    p[40..46].copy_from_slice(&node); // the node at ib 0: cbSuffix 0, data = child pgno
    p[28..30].copy_from_slice(&((4056 - 6 - 8) as u16).to_le_bytes()); // cbFree
    p[32..34].copy_from_slice(&6u16.to_le_bytes()); // ibMicFree
    p[34..36].copy_from_slice(&2u16.to_le_bytes()); // itagState: 2 TAGs
    p[36..40].copy_from_slice(&0x800u32.to_le_bytes()); // internal, NewRecordFormat
    p[PS - 8..PS - 4].copy_from_slice(&[6, 0, 0, 0]); // TAG 1: cb 6, ib 0
                                                      // TAG 0 (the last 4 bytes): cb 0, ib 0.
    assert!(write_page_checksum(&mut p, pgno));
    p
}

#[test]
fn a_chain_deeper_than_the_limit_stops_there() {
    let mut db = base();
    let first = (db.len() / PS - 1) as u32; // the next page number after the file's last
    let n = 40u32;
    for i in 0..n {
        let pgno = first + i;
        let child = if i + 1 == n { 14 } else { pgno + 1 };
        db.extend_from_slice(&internal_page(pgno, 2, child));
    }
    let at = child_at(&mut db, 4, 1);
    set_u32(&mut db, 4, at, first); // catalog root → 40 internal pages → leaf 14
    let r = check(&db);
    let deep: Vec<_> = r.problems.iter().filter(|p| p.rule == Rule::TooDeep).collect();
    assert_eq!(deep.len(), 1, "{:?}", r.problems);
    assert!(deep[0].message.contains("at most 32 levels"), "{}", deep[0].message);
}

/// Random damage, seeded (set `CHECK_SEED` to replay one): bytes overwritten in random pages of
/// the base database, checksums restamped or not. The check must end, without a panic, on each.
#[test]
fn random_damage_never_panics_or_hangs() {
    let seed: u64 = std::env::var("CHECK_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed_c0de);
    println!("seed {seed}");
    let mut x = seed;
    let mut next = move || {
        // xorshift64*
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    let clean = base();
    let pages = clean.len() / PS - 2;
    for round in 0..300 {
        let mut db = clean.clone();
        for _ in 0..1 + next() % 8 {
            let pgno = 1 + (next() as usize % pages);
            let at = next() as usize % PS;
            let len = 1 + next() as usize % 8;
            for i in at..(at + len).min(PS) {
                page_mut(&mut db, pgno)[i] = next() as u8;
            }
            if next() % 2 == 0 {
                restamp(&mut db, pgno);
            }
        }
        let r = check(&db);
        assert!(r.pages_checked <= pages as u64, "round {round}: {} pages checked of {pages}", r.pages_checked);
    }
}

#[test]
fn pages_in_use_listed_as_free_or_not_owned() {
    // The catalog's space trees (read by hand): OwnExt page 5 = {BE 23 → 20} (pages 4-23),
    // AvailExt page 6 = {BE 23 → 5} (pages 19-23 free). The count is the i32 at line 1's
    // byte 6 (cbSuffix 2, key 4), page offset 40 + 16 + 6.
    let mut db = base();
    assert_eq!(page_mut(&mut db, 6)[62..66], 5i32.to_le_bytes());
    set_u32(&mut db, 6, 62, 11); // AvailExt now says 13-23 are free: leaves 13 and 14 are in use
    let r = check(&db);
    let space: Vec<u32> = r.problems.iter().filter(|p| p.rule == Rule::SpaceOwnership).map(|p| p.pgno).collect();
    assert_eq!(space, [13, 14], "{:?}", r.problems);

    let mut db = base();
    assert_eq!(page_mut(&mut db, 5)[62..66], 20i32.to_le_bytes());
    set_u32(&mut db, 5, 62, 15); // OwnExt now 9-23: the root 4 and the space roots 5, 6 are not owned
    let r = check(&db);
    let space: Vec<u32> = r.problems.iter().filter(|p| p.rule == Rule::SpaceOwnership).map(|p| p.pgno).collect();
    assert_eq!(space, [4, 5, 6], "{:?}", r.problems);
}

/// The `check` fuzz target's body on every committed artifact (none yet: the directory may be
/// absent) and on real pages cut at odd places, on the stable toolchain.
#[test]
fn fuzz_body_on_artifacts_and_cut_pages() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/artifacts/check");
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries {
            let p = e.unwrap().path();
            esehdr_recover::check::fuzz(&std::fs::read(&p).unwrap());
        }
    }
    let db = base();
    for cut in [0usize, 1, 100, PS - 1, PS, 3 * PS + 17, 20 * PS] {
        let mut input = vec![0u8]; // 4 KiB pages
        input.extend_from_slice(&db[2 * PS..(2 * PS + cut).min(db.len())]);
        esehdr_recover::check::fuzz(&input);
    }
}
