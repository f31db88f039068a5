//! Redo of single records on hand-built pages (bytes before and after), and the records redo
//! refuses: each stops with the engine error, the record type, its LGPOS and the page, and a
//! rejected record leaves the page byte for byte unchanged.
//!
//! Sources: docs/log-records.md §3.1, §3.5, §3.15 (layouts), §5.4 (-514, CreateDB versions);
//! docs/page-internals.md §3.3, §4.2 (single-page redo), §1.6 (new pages).

use std::collections::BTreeMap;
use std::io;

use esehdr_format::Lgpos;
use esehdr_format::LrType;
use esehdr_recover::driver::{MacroRecord, Redo, Sink};
use esehdr_recover::page::{LineFlags, PageBuilder, PageFlags, PageView};
use esehdr_recover::redo::{ApplySink, PageSource};

const AT: Lgpos = Lgpos { generation: 7, isec: 3, ib: 0x40 };

struct Pages(BTreeMap<u32, Vec<u8>>);

impl PageSource for Pages {
    fn read_page(&self, pgno: u32, buf: &mut [u8]) -> io::Result<bool> {
        match self.0.get(&pgno) {
            Some(p) => {
                buf.copy_from_slice(p);
                Ok(true)
            }
            None => Ok(false),
        }
    }
    fn page_count(&self) -> u32 {
        self.0.keys().max().copied().unwrap_or(0)
    }
}

/// A leaf page 9 of object 5 at dbtime 0x100 with a 4-byte prefix "pref" and one line "prefAA".
fn leaf() -> Vec<u8> {
    let mut p = PageBuilder::new(4096)
        .unwrap()
        .pgno(9)
        .objid_fdp(5)
        .dbtime(0x100)
        .consumed(PageFlags(PageFlags::LEAF), b"pref")
        .unwrap();
    let mut m = esehdr_recover::page::PageMut::new(&mut p).unwrap();
    m.insert(0, &esehdr_recover::page::Node { flags: LineFlags::NONE, key: b"prefAA", cb_prefix: 4, data: b"d1" })
        .unwrap();
    m.set_dbtime_dirtied(0x100);
    p
}

/// The 44-byte `LRNODE_` head (docs/log-records.md §3.1).
fn node_head(lrtyp: u8, pgno: u32, iline: u16, flags: u8, objid: u32) -> Vec<u8> {
    let mut b = vec![0u8; 44];
    b[0] = lrtyp;
    b[1..3].copy_from_slice(&5u16.to_le_bytes());
    b[3] = 1;
    b[4..8].copy_from_slice(&pgno.to_le_bytes());
    b[8..16].copy_from_slice(&0x101u64.to_le_bytes());
    b[16..24].copy_from_slice(&0x100u64.to_le_bytes());
    b[29..31].copy_from_slice(&iline.to_le_bytes());
    b[31] = flags;
    b[36..40].copy_from_slice(&9u32.to_le_bytes());
    b[40..44].copy_from_slice(&objid.to_le_bytes());
    b
}

/// Insert (29): key prefix, suffix, data.
fn insert(iline: u16, flags: u8, objid: u32, prefix: &[u8], suffix: &[u8], data: &[u8]) -> Vec<u8> {
    let mut b = node_head(29, 9, iline, flags, objid);
    b.extend_from_slice(&(suffix.len() as u16).to_le_bytes());
    b.extend_from_slice(&(prefix.len() as u16).to_le_bytes());
    b.extend_from_slice(&(data.len() as u16).to_le_bytes());
    b.extend_from_slice(prefix);
    b.extend_from_slice(suffix);
    b.extend_from_slice(data);
    b
}

fn apply(
    base: &Pages,
    lrtyp: LrType,
    bytes: &[u8],
    pages: &[(u32, u64)],
) -> (Option<esehdr_recover::ReplayError>, BTreeMap<u32, Vec<u8>>) {
    let mut sink = ApplySink::new(4096, Some(base as &dyn PageSource));
    sink.redo(&Redo { lgpos: AT, lrtyp, bytes, macro_records: &[], pages }).unwrap();
    let stop = sink.take_stop();
    (stop, sink.into_outcome().pages)
}

#[test]
fn insert_versioned_and_compressed() {
    let before = leaf();
    let base = Pages(BTreeMap::from([(9, before.clone())]));
    let (stop, out) = apply(&base, LrType::INSERT, &insert(1, 0x01, 5, b"pref", b"BB", b"d2"), &[(9, 0x101)]);
    assert!(stop.is_none(), "{stop:?}");
    let after = &out[&9];
    let v = PageView::new(after).unwrap();
    assert_eq!(v.dbtime_dirtied(), 0x101);
    let l = v.line(1).unwrap();
    assert_eq!((l.flags, l.key().to_vec(), l.data), (LineFlags(0x5), b"prefBB".to_vec(), &b"d2"[..]));
    // The bytes: the new line at the old ibMicFree, [cbPrefix 4][cbSuffix 2]"BB""d2".
    let ib = PageView::new(&before).unwrap().ib_mic_free();
    assert_eq!(&after[40 + ib..40 + ib + 8], &[4, 0, 2, 0, b'B', b'B', b'd', b'2']);
    // Nothing else changed but the header fields an insert moves and the TAG array.
    assert_eq!(&after[40..40 + ib], &before[40..40 + ib]);
}

#[test]
fn a_record_of_another_object_is_refused_and_the_page_unchanged() {
    let before = leaf();
    let base = Pages(BTreeMap::from([(9, before.clone())]));
    let (stop, out) = apply(&base, LrType::INSERT, &insert(1, 0, 6, b"", b"prefBB", b"d2"), &[(9, 0x101)]);
    assert_eq!(out.get(&9), Some(&before), "a rejected record writes nothing");
    let e = stop.expect("refused");
    assert_eq!((e.code, e.lgpos, e.pgno), (-1206, Some(AT), Some(9)));
    assert!(e.message.starts_with("Insert at (0x7,3,40) on page 9"), "{}", e.message);
}

#[test]
fn an_insert_beyond_the_lines_is_inconsistent_and_leaves_the_page() {
    let before = leaf();
    let base = Pages(BTreeMap::from([(9, before.clone())]));
    let mut sink = ApplySink::new(4096, Some(&base as &dyn PageSource));
    let rec = insert(5, 0, 5, b"", b"zz", b"d2");
    sink.redo(&Redo { lgpos: AT, lrtyp: LrType::INSERT, bytes: &rec, macro_records: &[], pages: &[(9, 0x101)] })
        .unwrap();
    assert_eq!(sink.take_stop().map(|e| e.code), Some(-626));
    assert_eq!(sink.page(9), Some(&before[..]), "a rejected record writes nothing");
}

#[test]
fn a_replace_d_whose_after_image_has_the_wrong_length_is_log_corrupted() {
    let base = Pages(BTreeMap::from([(9, leaf())]));
    let mut b = node_head(34, 9, 0, 0, 5);
    // mle_cb 4 (a DIFFHDR, cbDataNew, 1 byte), cbOldData 2, cbNewData 5: the diff replaces byte 0 only.
    b.extend_from_slice(&4u16.to_le_bytes());
    b.extend_from_slice(&2u16.to_le_bytes());
    b.extend_from_slice(&5u16.to_le_bytes());
    b.extend_from_slice(&(0x2000u16).to_le_bytes()); // ib 0, SameLength
    b.extend_from_slice(&[1, b'X']);
    let (stop, _) = apply(&base, LrType::REPLACE_D, &b, &[(9, 0x101)]);
    assert_eq!(stop.map(|e| e.code), Some(-1852));
}

/// A page of object 5 at dbtime 0x100 with `flags` and the given (key, data, deleted) lines.
fn page(pgno: u32, flags: u32, prev: u32, next: u32, lines: &[(&[u8], &[u8], bool)]) -> Vec<u8> {
    let mut p =
        PageBuilder::new(4096).unwrap().pgno(pgno).objid_fdp(5).dbtime(0x100).consumed(PageFlags(flags), b"").unwrap();
    let mut m = esehdr_recover::page::PageMut::new(&mut p).unwrap();
    for (i, (k, d, del)) in lines.iter().enumerate() {
        m.insert(i, &esehdr_recover::page::Node { flags: LineFlags::NONE, key: k, cb_prefix: 0, data: d }).unwrap();
        if *del {
            m.set_line_flags(i, LineFlags::DELETED).unwrap();
        }
    }
    m.set_pgno_prev(prev);
    m.set_pgno_next(next);
    m.set_dbtime_dirtied(0x100);
    p
}

#[allow(clippy::too_many_arguments)] // one argument per record field the test sets
/// A Merge2 (63) record of 96 bytes (docs/log-records.md §3.17), no separator, no pre-image.
fn merge2(
    pgno: u32,
    iline: u16,
    right: u32,
    left: u32,
    parent: u32,
    iline_merge: u16,
    flags: u8,
    mergetype: u8,
) -> Vec<u8> {
    let mut b = vec![0u8; 96];
    b[0] = 63;
    b[3] = 1;
    b[4..8].copy_from_slice(&pgno.to_le_bytes());
    b[8..16].copy_from_slice(&0x101u64.to_le_bytes());
    b[16..24].copy_from_slice(&0x100u64.to_le_bytes());
    b[29..31].copy_from_slice(&iline.to_le_bytes());
    b[32..36].copy_from_slice(&right.to_le_bytes());
    b[36..44].copy_from_slice(&0x100u64.to_le_bytes());
    b[44..48].copy_from_slice(&left.to_le_bytes());
    b[48..56].copy_from_slice(&u64::MAX.to_le_bytes());
    b[56..60].copy_from_slice(&parent.to_le_bytes());
    b[60..68].copy_from_slice(&0x100u64.to_le_bytes());
    b[68..72].copy_from_slice(&9u32.to_le_bytes());
    b[72..76].copy_from_slice(&5u32.to_le_bytes());
    b[82..84].copy_from_slice(&iline_merge.to_le_bytes());
    b[84] = flags;
    b[85] = mergetype;
    b
}

/// A full right merge of leaf 10 into leaf 11 (docs/page-internals.md §4.5): the lines that
/// are not flag-deleted move, in order, to the front of page 11; page 10 is emptied; the
/// siblings link past it; the parent loses its pointer to page 10.
#[test]
fn a_full_right_merge() {
    let leaf = PageFlags::LEAF;
    let base = Pages(BTreeMap::from([
        (
            3,
            page(
                3,
                PageFlags::PARENT_OF_LEAF,
                0,
                0,
                &[(b"k1", &10u32.to_le_bytes(), false), (b"", &11u32.to_le_bytes(), false)],
            ),
        ),
        (10, page(10, leaf, 0, 11, &[(b"a1", b"x", false), (b"a2", b"y", true), (b"a3", b"z", false)])),
        (11, page(11, leaf, 10, 0, &[(b"b1", b"w", false)])),
    ]));
    let m = vec![
        MacroRecord { lgpos: AT, lrtyp: LrType::MERGE2, bytes: merge2(3, 0, 0, 0, 0, 0, 0x02, 0) },
        MacroRecord { lgpos: AT, lrtyp: LrType::MERGE2, bytes: merge2(10, 0, 11, 0, 3, 0, 0x04, 2) },
    ];
    let mut sink = ApplySink::new(4096, Some(&base as &dyn PageSource));
    let pages = [(3, 0x101), (10, 0x101), (11, 0x101)];
    sink.redo(&Redo { lgpos: AT, lrtyp: LrType::MERGE2, bytes: &[], macro_records: &m, pages: &pages }).unwrap();
    assert!(sink.take_stop().is_none());
    let out = sink.into_outcome().pages;
    let lines = |pgno: u32| -> Vec<(Vec<u8>, Vec<u8>)> {
        PageView::new(&out[&pgno])
            .unwrap()
            .lines()
            .map(|l| l.map(|l| (l.key().to_vec(), l.data.to_vec())).unwrap())
            .collect()
    };
    let kd = |k: &[u8], d: &[u8]| (k.to_vec(), d.to_vec());
    assert_eq!(lines(11), vec![kd(b"a1", b"x"), kd(b"a3", b"z"), kd(b"b1", b"w")]);
    assert_eq!(lines(3), vec![kd(b"", &11u32.to_le_bytes())]);
    let v10 = PageView::new(&out[&10]).unwrap();
    assert_eq!((v10.line_count(), v10.flags().is_empty()), (0, true));
    let v11 = PageView::new(&out[&11]).unwrap();
    assert_eq!((v11.pgno_prev(), v11.pgno_next(), v11.dbtime_dirtied()), (0, 0, 0x101));
}

#[test]
fn a_page_move_macro_is_refused_with_its_type_lgpos_and_page() {
    let base = Pages(BTreeMap::from([(9, leaf())]));
    let mut sink = ApplySink::new(4096, Some(&base as &dyn PageSource));
    let m = vec![MacroRecord { lgpos: AT, lrtyp: LrType::PAGE_MOVE, bytes: vec![65; 96] }];
    sink.redo(&Redo { lgpos: AT, lrtyp: LrType::PAGE_MOVE, bytes: &[], macro_records: &m, pages: &[(9, 0x101)] })
        .unwrap();
    let e = sink.take_stop().expect("refused");
    assert_eq!((e.code, e.name, e.pgno), (-1001, "JET_errFeatureNotAvailable", Some(9)));
    assert!(e.message.contains("PageMove") && e.message.contains("(0x7,3,40)"), "{}", e.message);
}

/// CreateDB (14) with VersionInfo `v` (docs/log-records.md §3.5).
fn create_db(v: Option<(u16, u16)>) -> Vec<u8> {
    let mut b = vec![0u8; 43];
    b[0] = 14;
    b[3] = 1;
    let path: Vec<u8> = "C:\\x.edb\0".encode_utf16().flat_map(u16::to_le_bytes).collect();
    b[40..42].copy_from_slice(&(path.len() as u16).to_le_bytes());
    b[42] = 0x08;
    if let Some((a, c)) = v {
        b[42] |= 0x04;
        b.extend_from_slice(&a.to_le_bytes());
        b.extend_from_slice(&c.to_le_bytes());
    }
    b.extend_from_slice(&path);
    b
}

#[test]
fn create_db_versions() {
    let mut sink = ApplySink::new(4096, None);
    sink.create_database(AT, &create_db(Some((2, 0)))).unwrap();
    assert!(sink.take_stop().is_none());
    let out = sink.into_outcome();
    let c = out.create.unwrap();
    assert_eq!((c.lgpos, c.path.as_str(), c.version, c.page_size), (AT, "C:\\x.edb", (2, 0), 4096));

    let mut sink = ApplySink::new(4096, None);
    sink.create_database(AT, &create_db(Some((1, 0)))).unwrap();
    assert_eq!(sink.take_stop().map(|e| e.code), Some(-1001), "the implicit creation is not reproduced");
    let mut sink = ApplySink::new(4096, None);
    sink.create_database(AT, &create_db(None)).unwrap();
    assert_eq!(sink.take_stop().map(|e| e.code), Some(-1225));
}

#[test]
fn shrink_db_is_refused_and_extend_db_sets_the_logged_size() {
    let mut sink = ApplySink::new(4096, None);
    // ExtendDB (68): @1 cb 5, @5 dbid, @6 pgnoLast.
    let mut ext = vec![68, 5, 0, 0, 0, 1];
    ext.extend_from_slice(&46u32.to_le_bytes());
    let r = esehdr_format::Record::decode_bytes(&ext, AT, 0).unwrap();
    sink.database_record(AT, &r).unwrap();
    assert!(sink.take_stop().is_none());
    // ShrinkDB (78): @1 dbid, @2 pgnoLast, @6 cpgShrunk.
    let mut shr = vec![78, 1];
    shr.extend_from_slice(&40u32.to_le_bytes());
    shr.extend_from_slice(&6i32.to_le_bytes());
    let r = esehdr_format::Record::decode_bytes(&shr, AT, 0).unwrap();
    sink.database_record(AT, &r).unwrap();
    assert_eq!(sink.take_stop().map(|e| e.code), Some(-1001));
    assert_eq!(sink.into_outcome().pgno_last, 46);
}
