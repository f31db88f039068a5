//! Checksums of ESE headers and pages.
//!
//! Sources: docs/format-page.md §6.1 (legacy XOR-32).

use byteorder::{ByteOrder, LittleEndian};

/// Seed of the legacy checksum (`ulDAEMagic`).
pub const XOR32_SEED: u32 = 0x89AB_CDEF;

/// The legacy XOR-32 checksum ("old format") of a header copy or an old-format page.
///
/// Seed 0x89ABCDEF, XORed with every little-endian u32 word of `buf` except word 0 (where the
/// checksum itself is stored). A trailing partial word, which no caller has, is ignored.
/// Used by database headers (over the whole page), log headers and checkpoint copies
/// (over 4096 bytes).
#[doc(alias = "ChecksumOldFormat")]
pub fn xor32_legacy(buf: &[u8]) -> u32 {
    // XOR 64 bits at a time (the compiler vectorises this), then fold the two halves.
    let mut lanes = buf.chunks_exact(8);
    let acc64 = lanes.by_ref().map(LittleEndian::read_u64).fold(0u64, |acc, w| acc ^ w);
    let mut acc = (acc64 as u32) ^ ((acc64 >> 32) as u32);
    if let Some(word) = lanes.remainder().get(0..4) {
        acc ^= LittleEndian::read_u32(word);
    }
    // Word 0 is the stored checksum and is not part of the sum: XOR it back out.
    if let Some(word0) = buf.get(0..4) {
        acc ^= LittleEndian::read_u32(word0);
    }
    XOR32_SEED ^ acc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slow(buf: &[u8]) -> u32 {
        let mut acc = XOR32_SEED;
        for w in buf.chunks_exact(4).skip(1) {
            acc ^= LittleEndian::read_u32(w);
        }
        acc
    }

    /// docs/format-page.md §6.7 test vector 2.
    #[test]
    fn known_vector_2() {
        let mut buf = vec![0u8; 8192];
        for (i, b) in buf.iter_mut().enumerate().take(4096) {
            *b = (i % 256) as u8;
        }
        buf[0..4].copy_from_slice(&0x8912_3456u32.to_le_bytes());
        buf[4..8].copy_from_slice(&0x1234_5678u32.to_le_bytes());
        assert_eq!(xor32_legacy(&buf), 0x9F9B_9F93);
    }

    #[test]
    fn empty_and_tiny_buffers_do_not_panic() {
        assert_eq!(xor32_legacy(&[]), XOR32_SEED);
        assert_eq!(xor32_legacy(&[1, 2, 3]), XOR32_SEED);
        assert_eq!(xor32_legacy(&[1, 0, 0, 0, 2, 0, 0, 0]), XOR32_SEED ^ 2);
    }

    proptest::proptest! {
        #[test]
        fn fast_equals_slow(words in proptest::collection::vec(proptest::num::u32::ANY, 0..300)) {
            let buf: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
            proptest::prop_assert_eq!(xor32_legacy(&buf), slow(&buf));
        }
    }
}
