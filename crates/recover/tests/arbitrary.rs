//! Damaged pages: a sound page with random bytes overwritten (header fields, TAGs, lines), then
//! random operations. No input may panic; an operation that fails leaves the page byte for
//! byte unchanged; decoding and checking never panic either.

use proptest::prelude::*;

use esehdr_recover::page::{check_page, LineFlags, Node, PageBuilder, PageFlags, PageMut, PageView};

fn base(ps: usize, lines: usize) -> Vec<u8> {
    let mut p = PageBuilder::new(ps).unwrap().consumed(PageFlags(PageFlags::LEAF), b"abc").unwrap();
    let mut m = PageMut::new(&mut p).unwrap();
    for i in 0..lines {
        let key = [b'a', b'b', b'c', i as u8];
        m.insert(i, &Node { flags: LineFlags(i as u8 & 3), key: &key, cb_prefix: 3, data: &[i as u8; 9] }).unwrap();
    }
    p
}

/// Where damage goes: header bytes 24-40, the last 64 bytes (TAGs), the first 64 data bytes.
fn damage() -> impl Strategy<Value = Vec<(u8, usize, u8)>> {
    prop::collection::vec((0u8..3, 0usize..64, any::<u8>()), 1..6)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]
    #[test]
    fn damaged_pages_never_panic(
        ps in prop::sample::select(vec![4096usize, 16384]),
        lines in 0usize..12,
        hits in damage(),
        ops in prop::collection::vec((0u8..11, 0usize..16, prop::collection::vec(any::<u8>(), 0..40)), 1..12),
    ) {
        let mut page = base(ps, lines);
        let hdr = if ps <= 8192 { 40 } else { 80 };
        for (region, at, byte) in hits {
            let i = match region {
                0 => 24 + at % 16,
                1 => ps - 1 - at,
                _ => hdr + at,
            };
            page[i] = byte;
        }
        let v = PageView::new(&page).unwrap();
        let _ = check_page(&v);
        let _ = v.lines().count();
        for (op, at, bytes) in ops {
            let before = page.clone();
            let mut m = PageMut::new(&mut page).unwrap();
            let key: Vec<u8> = b"abc".iter().chain(&bytes).copied().take(8).collect();
            let r = match op {
                0 => m.insert(at, &Node { flags: LineFlags::NONE, key: &key, cb_prefix: 3, data: &bytes }),
                1 => m.replace_data(at, &bytes),
                2 => m.delete(at),
                3 => m.set_line_flags(at, LineFlags(bytes.first().copied().unwrap_or(1) & 3)),
                4 => m.delta_i32(at, bytes.len() % 8, 1).map(drop),
                5 => m.set_external_header(&bytes),
                6 => m.compact(),
                7 => m.bulk_delete(at),
                8 => m.empty_page(),
                9 => {
                    let n = m.view().line_count();
                    m.reset_prefix(b"ab", &vec![0; n])
                }
                _ => m.delta_i64(at, bytes.len() % 8, -1).map(drop),
            };
            if r.is_err() {
                prop_assert!(page == before, "op {op} failed ({r:?}) but changed the page");
            }
            let v = PageView::new(&page).unwrap();
            let _ = check_page(&v);
        }
    }
}
