//! Hand-built pages: the bytes before and after each primitive, written out from the layout of
//! docs/page-internals.md §1-3 (not from the page model's output), and each rejected operation
//! leaving the page byte for byte unchanged. The structure check runs after every step.

use esehdr_recover::page::{check_structure, LineFlags, Node, PageBuilder, PageError, PageFlags, PageMut, PageView};

const LEAF: PageFlags = PageFlags(PageFlags::LEAF);

fn fresh(ps: usize, flags: PageFlags, ext: &[u8]) -> Vec<u8> {
    PageBuilder::new(ps).unwrap().pgno(7).objid_fdp(9).dbtime(100).consumed(flags, ext).unwrap()
}

fn checked(page: &[u8]) {
    let v = PageView::new(page).unwrap();
    let p = check_structure(&v);
    assert!(p.is_empty(), "{p:?}");
}

fn node<'a>(key: &'a [u8], data: &'a [u8]) -> Node<'a> {
    Node { flags: LineFlags::NONE, key, cb_prefix: 0, data }
}

fn u16_at(p: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([p[at], p[at + 1]])
}

/// (cb_, ib_) of TAG itag.
fn tag(p: &[u8], itag: usize) -> (u16, u16) {
    let at = p.len() - 4 * (itag + 1);
    (u16_at(p, at), u16_at(p, at + 2))
}

/// cbFree, ibMicFree, itagState.
fn totals(p: &[u8]) -> (u16, u16, u16) {
    (u16_at(p, 28), u16_at(p, 32), u16_at(p, 34))
}

/// Runs a mutation that must be rejected and checks the page did not change.
fn rejected(page: &mut [u8], f: impl FnOnce(&mut PageMut<'_>) -> Result<(), PageError>) -> PageError {
    let before = page.to_vec();
    let e = f(&mut PageMut::new(page).unwrap()).unwrap_err();
    assert!(page == before.as_slice(), "rejected operation ({e}) changed the page");
    e
}

#[test]
fn pre_init_and_consume_small_and_large() {
    let p = PageBuilder::new(4096).unwrap().objid_fdp(9).dbtime(99).pre_init();
    let mut expect = vec![0u8; 4096];
    expect[8] = 99; // dbtimeDirtied
    expect[24] = 9; // objidFDP
    expect[28..30].copy_from_slice(&4056u16.to_le_bytes()); // cbFree = cbData
    expect[36..40].copy_from_slice(&0x20800u32.to_le_bytes()); // PreInit | NewRecordFormat
    assert!(p == expect);
    checked(&p);

    let p = PageBuilder::new(32768).unwrap().pgno(0x1234).pre_init();
    assert_eq!(&p[0..8], &0xDEADBEEFBAADF00Du64.to_le_bytes());
    assert_eq!(&p[40..48], b"ESE Supe");
    assert_eq!(&p[48..56], b"r ECCXOR");
    assert_eq!(&p[56..64], b"Checksum");
    assert_eq!(&p[64..68], &0x1234u32.to_le_bytes());
    assert_eq!(u16_at(&p, 28), 32688);

    // ConsumePreInitPage(Leaf): one zero-length TAG, cbFree − 4, flags without PreInit.
    let mut c = PageBuilder::new(4096).unwrap().pre_init();
    PageMut::new(&mut c).unwrap().consume_pre_init(LEAF).unwrap();
    assert_eq!(totals(&c), (4052, 0, 1));
    assert_eq!(tag(&c, 0), (0, 0));
    assert_eq!(u16_at(&c, 36), 0x802);
    checked(&c);
    // A second consume is refused.
    rejected(&mut c, |p| p.consume_pre_init(LEAF));
    // Reserved-tags format: itagState = (1 << 12) | 1.
    let mut c = PageBuilder::new(4096).unwrap().pre_init();
    PageMut::new(&mut c).unwrap().with_reserved_tags_format(true).consume_pre_init(LEAF).unwrap();
    assert_eq!(totals(&c).2, 0x1001);
}

#[test]
fn insert_places_lines_at_ib_mic_free_and_shifts_tags() {
    let mut p = fresh(4096, LEAF, b"");
    let mut m = PageMut::new(&mut p).unwrap();
    m.insert(0, &node(b"k1", b"AB")).unwrap();
    checked(m.bytes());
    // line: cbSuffix 2, "k1", "AB" at data offset 0 (page offset 40)
    assert_eq!(&p[40..46], &[2, 0, b'k', b'1', b'A', b'B']);
    assert_eq!(tag(&p, 1), (6, 0));
    assert_eq!(totals(&p), (4056 - 4 - 6 - 4, 6, 2));

    let mut m = PageMut::new(&mut p).unwrap();
    m.insert(0, &node(b"k0", b"C")).unwrap();
    checked(&p);
    assert_eq!(&p[46..51], &[2, 0, b'k', b'0', b'C']);
    assert_eq!(tag(&p, 1), (5, 6)); // new line 0
    assert_eq!(tag(&p, 2), (6, 0)); // old line 0 moved one slot down
    assert_eq!(totals(&p), (4056 - 4 - 6 - 4 - 5 - 4, 11, 3));
}

#[test]
fn insert_with_prefix_and_flags_small_page() {
    let mut p = fresh(4096, LEAF, b"abc");
    let mut m = PageMut::new(&mut p).unwrap();
    let n = Node { flags: LineFlags::VERSION, key: b"abcd", cb_prefix: 3, data: b"X" };
    m.insert(0, &n).unwrap();
    checked(&p);
    assert_eq!(&p[40..43], b"abc"); // external header at ib 0
    assert_eq!(&p[43..50], &[3, 0, 1, 0, b'd', b'X', 0][..7]);
    // TAG 1: cb 6, ib 3, flags Version|Compressed (5) in ib_ bits 13-15.
    assert_eq!(tag(&p, 1), (6, 3 | (5 << 13)));
    let l = PageView::new(&p).unwrap().line(0).unwrap();
    assert_eq!((l.key().to_vec(), l.data, l.flags), (b"abcd".to_vec(), &b"X"[..], LineFlags(5)));

    // A prefix that is not the page's, a cbPrefix longer than the key, no data, a bad iline:
    // all refused without a write.
    let bad = Node { flags: LineFlags::NONE, key: b"abXd", cb_prefix: 3, data: b"X" };
    rejected(&mut p, |m| m.insert(0, &bad));
    let bad = Node { flags: LineFlags::NONE, key: b"ab", cb_prefix: 3, data: b"X" };
    rejected(&mut p, |m| m.insert(0, &bad));
    rejected(&mut p, |m| m.insert(0, &node(b"x", b"")));
    let e = rejected(&mut p, |m| m.insert(2, &node(b"x", b"1")));
    assert!(matches!(e, PageError::Invalid { what: "iline", .. }), "{e}");
}

#[test]
fn large_pages_keep_flags_in_the_line() {
    let mut p = fresh(16384, LEAF, b"");
    let mut m = PageMut::new(&mut p).unwrap();
    m.insert(0, &Node { flags: LineFlags::VERSION.union(LineFlags::DELETED), key: b"k", cb_prefix: 0, data: b"D" })
        .unwrap();
    checked(&p);
    // line at page offset 80: cbSuffix 1 with flags 3 << 13 in its top bits.
    assert_eq!(&p[80..84], &[1, 0x60, b'k', b'D']);
    assert_eq!(tag(&p, 1), (4, 0));
    let mut m = PageMut::new(&mut p).unwrap();
    m.clear_line_flags(0, LineFlags::DELETED).unwrap();
    assert_eq!(&p[80..82], &[1, 0x20]);
    // Replacing the data keeps the flags in the rewritten line.
    PageMut::new(&mut p).unwrap().replace_data(0, b"EF").unwrap();
    checked(&p);
    assert_eq!(&p[80..85], &[1, 0x20, b'k', b'E', b'F']);
}

/// Three lines a (ib 0), b (ib 5), c (ib 10), each 5 bytes: [1,0,key,d,d].
fn three() -> Vec<u8> {
    let mut p = fresh(4096, LEAF, b"");
    let mut m = PageMut::new(&mut p).unwrap();
    for (i, k) in [b"a", b"b", b"c"].iter().enumerate() {
        m.insert(i, &node(*k, b"11")).unwrap();
    }
    assert_eq!(totals(&p), (4056 - 4 - 3 * 9, 15, 4));
    p
}

#[test]
fn replace_in_place_grow_when_last_and_move_otherwise() {
    // Shrink a middle line: in place, a 1-byte hole, ibMicFree unchanged.
    let mut p = three();
    PageMut::new(&mut p).unwrap().replace_data(1, b"2").unwrap();
    checked(&p);
    assert_eq!(&p[45..50], &[1, 0, b'b', b'2', b'1']); // stale last byte stays
    assert_eq!(tag(&p, 2), (4, 5));
    assert_eq!(totals(&p), (4056 - 4 - 27 + 1, 15, 4));

    // Grow the physically last line: in place, ibMicFree grows.
    let mut p = three();
    PageMut::new(&mut p).unwrap().replace_data(2, b"333").unwrap();
    checked(&p);
    assert_eq!(&p[50..56], &[1, 0, b'c', b'3', b'3', b'3']);
    assert_eq!(tag(&p, 3), (6, 10));
    assert_eq!(totals(&p), (4056 - 4 - 27 - 1, 16, 4));

    // Grow a line that is not last: moved to ibMicFree, old bytes left as a hole.
    let mut p = three();
    PageMut::new(&mut p).unwrap().replace_data(0, b"444").unwrap();
    checked(&p);
    assert_eq!(&p[40..45], &[1, 0, b'a', b'1', b'1']);
    assert_eq!(&p[55..61], &[1, 0, b'a', b'4', b'4', b'4']);
    assert_eq!(tag(&p, 1), (6, 15));
    assert_eq!(totals(&p), (4056 - 4 - 27 - 1, 21, 4));

    // Growing beyond cbFree − cbUncommittedFree is refused.
    let mut p = three();
    PageMut::new(&mut p).unwrap().set_cb_uncommitted_free(4000).unwrap();
    rejected(&mut p, |m| m.replace_data(0, &[7u8; 30]));
    rejected(&mut p, |m| m.replace_data(3, b"1"));
    rejected(&mut p, |m| m.replace_data(0, b""));
}

#[test]
fn delete_leaves_holes_unless_last_and_resets_an_empty_page() {
    let mut p = three();
    let before = p.clone();
    PageMut::new(&mut p).unwrap().delete(0).unwrap();
    checked(&p);
    assert_eq!(&p[40..55], &before[40..55]); // bytes stay; a hole at 0..5
    assert_eq!(tag(&p, 1), (5, 5)); // b moved down one slot
    assert_eq!(tag(&p, 2), (5, 10));
    assert_eq!(&p[4080..4084], &before[4080..4084]); // vacated slot keeps its stale TAG
    assert_eq!(totals(&p), (4056 - 4 - 18, 15, 3));

    PageMut::new(&mut p).unwrap().delete(1).unwrap(); // c, physically last
    checked(&p);
    assert_eq!(totals(&p), (4056 - 4 - 9, 10, 2));
    PageMut::new(&mut p).unwrap().delete(0).unwrap(); // b: page empty → ibMicFree 0
    checked(&p);
    assert_eq!(totals(&p), (4052, 0, 1));
    rejected(&mut p, |m| m.delete(0));
}

#[test]
fn insert_compacts_a_fragmented_page_in_ib_order() {
    // A 4 KiB page filled with 9-byte lines, then every second line deleted: plenty of cbFree
    // but no contiguous room, so the next insert compacts first (ReorganizeData_).
    let mut p = fresh(4096, LEAF, b"P");
    let data = [0x55u8; 5];
    let mut m = PageMut::new(&mut p).unwrap();
    let mut i = 0u16;
    loop {
        let key = i.to_be_bytes();
        if m.insert(i as usize, &node(&key, &data)).is_err() {
            break;
        }
        i += 1;
    }
    let full = i as usize; // 4056 − 1 (prefix) − 4 (TAG 0) = 4051 = 13·311 + 8
    assert_eq!(full, 311);
    for j in (0..full).step_by(2).rev() {
        m.delete(j).unwrap();
    }
    checked(&p);
    let v = PageView::new(&p).unwrap();
    assert_eq!(v.line_count(), 155);
    assert_eq!(v.cb_free(), 4051 - 155 * 13);
    // Only the physically last line (310) gave its bytes back: ibMicFree 1 + 9 × 310.
    assert_eq!(v.contiguous_free(), 4056 - (1 + 9 * 310) - 4 * 156);
    let lines_before: Vec<Vec<u8>> = v.lines().map(|l| l.unwrap().bytes.to_vec()).collect();

    // 704-byte line + TAG: more than the contiguous space, less than cbFree.
    let big = [0x66u8; 700];
    PageMut::new(&mut p).unwrap().insert(0, &node(b"\xff\xff", &big)).unwrap();
    checked(&p);
    let v = PageView::new(&p).unwrap();
    // External header first at ib 0, then the surviving lines in their old ib order (= line
    // order), 9 bytes each, then the new line at the end.
    assert_eq!(tag(&p, 0), (1, 0));
    assert_eq!(&p[40..41], b"P");
    for (k, l) in lines_before.iter().enumerate() {
        let t = tag(&p, k + 2);
        assert_eq!(t, (9, 1 + 9 * k as u16), "line {k}");
        let at = 40 + t.1 as usize;
        assert_eq!(&p[at..at + 9], l.as_slice());
    }
    assert_eq!(tag(&p, 1), (704, 1 + 9 * 155));
    assert_eq!(&p[40 + 1 + 9 * 155..][..4], &[2, 0, 0xff, 0xff]);
    assert_eq!(v.ib_mic_free(), 1 + 9 * 155 + 704);
    assert_eq!(v.cb_free(), 4051 - 155 * 13 - 708);
}

#[test]
fn compaction_orders_by_ib_with_zero_length_tags_in_tag_order() {
    // Lines a, b, c; grow a (moves to the end), then compact: b, c, a.
    let mut p = three();
    PageMut::new(&mut p).unwrap().replace_data(0, b"444").unwrap();
    PageMut::new(&mut p).unwrap().compact().unwrap();
    checked(&p);
    assert_eq!(&p[40..56], &[1, 0, b'b', b'1', b'1', 1, 0, b'c', b'1', b'1', 1, 0, b'a', b'4', b'4', b'4']);
    // TAG 0 (zero-length, ib 0) ties with b's old ib 5? No: it sorts first at ib 0.
    assert_eq!([tag(&p, 0), tag(&p, 1), tag(&p, 2), tag(&p, 3)], [(0, 0), (6, 10), (5, 0), (5, 5)]);
    assert_eq!(totals(&p).1, 16);
}

#[test]
fn flags_set_and_clear_small_page() {
    let mut p = three();
    PageMut::new(&mut p).unwrap().set_line_flags(1, LineFlags::DELETED).unwrap();
    assert_eq!(tag(&p, 2), (5, 5 | (2 << 13)));
    PageMut::new(&mut p).unwrap().set_line_flags(1, LineFlags::VERSION).unwrap();
    assert_eq!(tag(&p, 2), (5, 5 | (3 << 13)));
    PageMut::new(&mut p).unwrap().clear_line_flags(1, LineFlags::DELETED).unwrap();
    assert_eq!(tag(&p, 2), (5, 5 | (1 << 13)));
    checked(&p);
    rejected(&mut p, |m| m.set_line_flags(1, LineFlags::COMPRESSED));
    rejected(&mut p, |m| m.clear_line_flags(3, LineFlags::VERSION));
}

#[test]
fn delta_adds_in_place_with_wrapping() {
    let mut p = fresh(4096, LEAF, b"");
    let mut m = PageMut::new(&mut p).unwrap();
    let mut data = vec![0xAA];
    data.extend_from_slice(&i32::MAX.to_le_bytes());
    data.extend_from_slice(&(-5i64).to_le_bytes());
    m.insert(0, &node(b"k", &data)).unwrap();
    assert_eq!(m.delta_i32(0, 1, 1).unwrap(), i32::MAX);
    assert_eq!(m.delta_i64(0, 5, 7).unwrap(), -5);
    checked(&p);
    // line at 40: cbSuffix, 'k', 0xAA, i32, i64
    assert_eq!(&p[44..48], &i32::MIN.to_le_bytes());
    assert_eq!(&p[48..56], &2i64.to_le_bytes());
    rejected(&mut p, |m| m.delta_i32(0, 10, 1).map(drop));
    rejected(&mut p, |m| m.delta_i64(0, 6, 1).map(drop));
    rejected(&mut p, |m| m.delta_i32(1, 0, 1).map(drop));
}

#[test]
fn external_header_and_prefix_rules() {
    let mut p = fresh(4096, LEAF, b"");
    let mut m = PageMut::new(&mut p).unwrap();
    m.insert(0, &node(b"k", b"1")).unwrap();
    m.set_external_header(b"abcd").unwrap(); // grows, not last: moved to ibMicFree 4
    checked(&p);
    assert_eq!(tag(&p, 0), (4, 4));
    assert_eq!(&p[44..48], b"abcd");
    assert_eq!(totals(&p), (4056 - 8 - 4 - 4, 8, 2));
    // A compressed line then pins the prefix: shrinking the header below its cbPrefix is refused.
    PageMut::new(&mut p)
        .unwrap()
        .insert(1, &Node { flags: LineFlags::NONE, key: b"abcz", cb_prefix: 3, data: b"2" })
        .unwrap();
    rejected(&mut p, |m| m.set_external_header(b"ab"));
    PageMut::new(&mut p).unwrap().set_external_header(b"abc").unwrap(); // shrink in place
    checked(&p);
    assert_eq!(tag(&p, 0), (3, 4));
    // Root pages have no prefix: NDSetPrefix of a null key is a no-op, anything else refused.
    let mut r = fresh(4096, PageFlags(PageFlags::ROOT | PageFlags::LEAF), &[0u8; 16]);
    let before = r.clone();
    PageMut::new(&mut r).unwrap().set_prefix(b"").unwrap();
    assert!(r == before);
    rejected(&mut r, |m| m.set_prefix(b"x"));
    rejected(&mut r, |m| m.insert(0, &Node { flags: LineFlags::NONE, key: b"xyz1", cb_prefix: 3, data: b"1" }));
}

#[test]
fn prefix_reset_runs_in_the_engines_order() {
    // Prefix "abc"; lines: "abcd" (cbPrefix 3), "abx" (cbPrefix 0). New prefix "ab":
    // line 0 shrinks its cbPrefix to 2 (grows, moves), line 1 grows it to 2 (shrinks in place).
    let mut p = fresh(4096, LEAF, b"abc");
    let mut m = PageMut::new(&mut p).unwrap();
    m.insert(0, &Node { flags: LineFlags::NONE, key: b"abcd", cb_prefix: 3, data: b"1" }).unwrap();
    m.insert(1, &node(b"abx", b"2")).unwrap();
    // data area: "abc" | [3,0,1,0,d,1] | [3,0,a,b,x,2]  (ibMicFree 15)
    assert_eq!(&p[40..55], b"abc\x03\x00\x01\x00d1\x03\x00abx2");
    rejected(&mut p, |m| m.reset_prefix(b"ab", &[3, 2])); // 3 > new prefix
    rejected(&mut p, |m| m.reset_prefix(b"ab", &[2])); // wrong count
    rejected(&mut p, |m| m.reset_prefix(b"xy", &[2, 2])); // keys do not start with it
    PageMut::new(&mut p).unwrap().reset_prefix(b"ab", &[2, 2]).unwrap();
    checked(&p);
    // (1) header emptied in place (TAG 0 cb 0, ib 0); (2) line 1 -> [2,0,1,0,x,2] in place at
    // 9; (3) line 0 -> [2,0,2,0,c,d,1] (7 bytes, grows): not last, contiguous room -> at
    // ibMicFree 15; (4) header "ab" (grows from 0): not last -> at 22.
    assert_eq!(tag(&p, 2), (6, 9 | (4 << 13)));
    assert_eq!(&p[49..55], &[2, 0, 1, 0, b'x', b'2']);
    assert_eq!(tag(&p, 1), (7, 15 | (4 << 13)));
    assert_eq!(&p[55..62], &[2, 0, 2, 0, b'c', b'd', b'1']);
    assert_eq!(tag(&p, 0), (2, 22));
    assert_eq!(&p[62..64], b"ab");
    assert_eq!(totals(&p), (4056 - 12 - 2 - 7 - 6, 24, 3));
    let v = PageView::new(&p).unwrap();
    let keys: Vec<Vec<u8>> = v.lines().map(|l| l.unwrap().key().to_vec()).collect();
    assert_eq!(keys, [b"abcd".to_vec(), b"abx".to_vec()]);
}

#[test]
fn operations_on_a_pre_initialised_page_are_refused() {
    let mut p = PageBuilder::new(8192).unwrap().pre_init();
    rejected(&mut p, |m| m.insert(0, &node(b"k", b"1")));
    rejected(&mut p, |m| m.set_external_header(b"x"));
    rejected(&mut p, |m| m.compact());
    rejected(&mut p, |m| m.delete(0));
}

#[test]
fn overlapping_tags_make_compaction_refuse_before_any_write() {
    let mut p = three();
    // Corrupt: TAG 3 (line c) claims ib 7, overlapping line b (5..10).
    let at = 4096 - 4 * 4 + 2;
    p[at] = 7;
    let e = rejected(&mut p, |m| m.compact());
    assert!(matches!(e, PageError::Field { .. }), "{e}");
    // Growing line a (not last) to 4027 bytes fits cbFree but not the contiguous space: the
    // move would compact, so the overlap is found first.
    let e = rejected(&mut p, |m| m.replace_data(0, &[2u8; 4024]));
    assert!(matches!(e, PageError::Field { .. }), "{e}");
}

#[test]
fn header_writes_and_dbtime_stamp() {
    let mut p = three();
    let mut m = PageMut::new(&mut p).unwrap();
    m.set_flags(PageFlags(PageFlags::LEAF | PageFlags::SCRUBBED | PageFlags::NEW_RECORD_FORMAT)).unwrap();
    m.stamp_dbtime(0x1122);
    m.set_pgno_prev(3);
    m.set_pgno_next(4);
    assert_eq!(&p[8..24], &[0x22, 0x11, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0]);
    assert_eq!(u16_at(&p, 36), 0x802); // Scrubbed cleared by the dirty
    rejected(&mut p, |m| m.set_flags(PageFlags(PageFlags::LEAF | PageFlags::PARENT_OF_LEAF)));
    rejected(&mut p, |m| m.set_cb_uncommitted_free(5000));
}

/// Regression (found by the model test, seed 1796035107165746616): a zero-length external
/// header whose ib lies beyond ibMicFree — `Delete_` lowered ibMicFree under it — is a valid
/// engine state; operations that validate the TAG array must accept it.
#[test]
fn zero_length_external_header_beyond_ib_mic_free() {
    let mut p = fresh(4096, LEAF, b"");
    let mut m = PageMut::new(&mut p).unwrap();
    m.insert(0, &node(b"a", b"11")).unwrap();
    m.insert(1, &node(b"b", b"22")).unwrap();
    m.set_external_header(b"xy").unwrap(); // grows, not last: moved to ib 10
    m.set_external_header(b"").unwrap(); // shrinks in place, was last: ibMicFree 10
    m.delete(1).unwrap(); // b at 5..10 was last: ibMicFree 5
    assert_eq!(tag(&p, 0), (0, 10));
    assert_eq!(totals(&p).1, 5);
    checked(&p);
    let mut m = PageMut::new(&mut p).unwrap();
    m.reset_prefix(b"", &[0]).unwrap();
    m.replace_data(0, b"333333").unwrap();
    m.compact().unwrap();
    checked(&p);
    // a grew in place (it was last) to 9 bytes; compaction sorts TAG 0 (ib 10, cb 0) after it.
    assert_eq!(tag(&p, 0), (0, 9));
    assert_eq!(tag(&p, 1), (9, 0));
}
