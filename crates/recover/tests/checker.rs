//! The checker finds each rule broken: a sound hand-built page, damaged one field at a time
//! (offsets written out from the layout), reports exactly the rule of that damage.

use esehdr_recover::page::{
    check_page, check_structure, derive, LineFlags, Node, PageBuilder, PageFlags, PageMut, PageView, Rule,
};

/// A 4 KiB leaf page: lines "a" → 11, "b" → 22, "c" → 33 at ib 0, 5, 10 (TAG 0 empty).
fn sound() -> Vec<u8> {
    let mut p = PageBuilder::new(4096).unwrap().consumed(PageFlags(PageFlags::LEAF), b"").unwrap();
    let mut m = PageMut::new(&mut p).unwrap();
    for (i, k) in [b"a", b"b", b"c"].iter().enumerate() {
        m.insert(i, &Node { flags: LineFlags::NONE, key: *k, cb_prefix: 0, data: b"11" }).unwrap();
    }
    p
}

fn rules(p: &[u8]) -> Vec<Rule> {
    let mut r: Vec<Rule> = check_page(&PageView::new(p).unwrap()).into_iter().map(|p| p.rule).collect();
    r.dedup();
    r
}

fn put16(p: &mut [u8], at: usize, v: u16) {
    p[at..at + 2].copy_from_slice(&v.to_le_bytes());
}

#[test]
fn sound_page_has_no_finding_and_derives_its_header() {
    let p = sound();
    assert!(rules(&p).is_empty());
    let d = derive(&PageView::new(&p).unwrap());
    assert_eq!((d.sum_cb, d.cb_free, d.ib_mic_free_min, d.holes, d.lines), (15, 4056 - 15 - 16, 15, 0, 3));
}

/// One way to damage the page.
type Damage = Box<dyn Fn(&mut Vec<u8>)>;

#[test]
fn each_damage_reports_its_rule() {
    let tag = |itag: usize| 4096 - 4 * (itag + 1);
    let cases: Vec<(&str, Damage, Vec<Rule>)> = vec![
        ("cbFree one too many", Box::new(|p| put16(p, 28, 4026)), vec![Rule::SpaceSizeMismatch]),
        ("cbUncommittedFree above cbFree", Box::new(|p| put16(p, 30, 5000)), vec![Rule::CbUncommittedFreeTooLarge]),
        ("ibMicFree below the last line", Box::new(|p| put16(p, 32, 12)), vec![Rule::TagInFreeSpace]),
        ("ibMicFree into the TAG array", Box::new(|p| put16(p, 32, 4050)), vec![Rule::IbMicFreeTooLarge]),
        ("itagMicFree beyond the data area", Box::new(|p| put16(p, 34, 1014)), vec![Rule::ItagMicFreeTooLarge]),
        (
            "line c moved onto line b",
            Box::new(move |p| put16(p, tag(3) + 2, 7)),
            // ...and its bytes there ("b11" + line c's first byte) no longer decode.
            vec![Rule::TagsOverlap, Rule::TagcbSuffixTooLarge],
        ),
        (
            "line b of length 0",
            Box::new(move |p| {
                put16(p, tag(2), 0);
                put16(p, 28, 4025 + 5);
            }),
            vec![Rule::ZeroLengthIline, Rule::TagcbSuffixTooLarge],
        ),
        ("cbSuffix of line a past its end", Box::new(|p| p[40] = 9), vec![Rule::TagcbSuffixTooLarge]),
        ("line a without data", Box::new(|p| p[40] = 3), vec![Rule::TagCbDataZero]),
        ("line a's key null", Box::new(|p| p[40] = 0), vec![Rule::TagZeroLengthKey]),
        ("Leaf and ParentOfLeaf", Box::new(|p| p[36] = 0x06), vec![Rule::CorruptFlagsMixed]),
        (
            "no TAG, not empty nor pre-init",
            Box::new(|p| {
                put16(p, 34, 0);
                put16(p, 28, 4056);
                put16(p, 32, 0);
            }),
            vec![Rule::EmptyAndPreInitFlagsNotSet],
        ),
        ("pre-init with TAGs", Box::new(|p| p[38] = 0x02), vec![Rule::PreInitPageFlagSetWithInvalidFlags]),
        ("keys out of order", Box::new(|p| p[42] = b'z'), vec![Rule::LinesOutOfOrder]),
        (
            "internal page with 2-byte data",
            Box::new(|p| {
                p[36] = 0x04;
            }),
            vec![Rule::InternalNode],
        ),
    ];
    for (what, damage, expected) in cases {
        let mut p = sound();
        damage(&mut p);
        assert_eq!(rules(&p), expected, "{what}");
    }
}

#[test]
fn internal_pages_of_real_shape_pass() {
    // Parent of leaves: separators with 4-byte page numbers, the last one with a null key.
    let mut p = PageBuilder::new(8192).unwrap().consumed(PageFlags(PageFlags::PARENT_OF_LEAF), b"").unwrap();
    let mut m = PageMut::new(&mut p).unwrap();
    m.insert(0, &Node { flags: LineFlags::NONE, key: b"m", cb_prefix: 0, data: &7u32.to_le_bytes() }).unwrap();
    m.insert(1, &Node { flags: LineFlags::NONE, key: b"", cb_prefix: 0, data: &8u32.to_le_bytes() }).unwrap();
    assert!(check_page(&PageView::new(&p).unwrap()).is_empty());
    // Version flag on an internal node is reported.
    PageMut::new(&mut p).unwrap().set_line_flags(0, LineFlags::VERSION).unwrap();
    let found: Vec<Rule> = check_page(&PageView::new(&p).unwrap()).into_iter().map(|p| p.rule).collect();
    assert_eq!(found, [Rule::InternalNode]);
    // check_structure leaves content rules to check_page.
    assert!(check_structure(&PageView::new(&p).unwrap()).is_empty());
}
