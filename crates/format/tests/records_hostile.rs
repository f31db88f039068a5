//! The record writers (eseutil dump, JSON Lines, summary) on hostile record bytes: real v7 and
//! v8 logs whose data bytes are mutated while the walker keeps the original's end of valid data
//! (so the mutated records are read, not stopped by a checksum). Every run must end, without a
//! panic, with at most one error line, and the JSON Lines must stay valid JSON.

use esehdr_format::log::content::verify_log_content;
use esehdr_format::log::header::LgFileHeader;
use esehdr_format::log::records::dump::{write_page_references, write_records, write_statistics, Level};
use esehdr_format::log::records::jsonl::write_jsonl;
use esehdr_format::log::records::summary::summarize_with;

mod common;

/// xorshift64*: a fixed, reproducible sequence (the seed is printed on failure).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

fn hammer(rel: &str, rounds: u64) {
    let original = std::fs::read(common::testdata().join(rel)).unwrap();
    let header = LgFileHeader::decode(&original).unwrap();
    let verdict = verify_log_content(&original, &header);
    for seed in 1..=rounds {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let mut file = original.clone();
        // A few bytes anywhere in the data, sometimes a run of 0xFF (hostile lengths).
        for _ in 0..(1 + rng.next() % 8) {
            let at = 4096 + (rng.next() as usize) % (file.len() - 4096);
            let v = if rng.next() % 3 == 0 { 0xFF } else { rng.next() as u8 };
            let n = 1 + (rng.next() as usize) % 4;
            for b in file.iter_mut().skip(at).take(n) {
                *b = v;
            }
        }
        let mut text = Vec::new();
        let s = write_records(&mut text, &file, &header, &verdict, Level::Data).unwrap();
        write_statistics(&mut text, &s).unwrap();
        write_page_references(&mut text, &s, 4096, true).unwrap();
        let text = String::from_utf8_lossy(&text);
        assert!(text.matches(" ERROR: ").count() <= 1, "{rel} seed {seed}");
        let mut lines = Vec::new();
        let j = write_jsonl(&mut lines, &file, &header, &verdict).unwrap();
        for l in String::from_utf8(lines).unwrap().lines() {
            serde_json::from_str::<serde_json::Value>(l).unwrap_or_else(|e| panic!("{rel} seed {seed}: {e}: {l}"));
        }
        let sum = summarize_with(&file, &header, &verdict);
        assert_eq!((s.total, j.total), (sum.total, sum.total), "{rel} seed {seed}");
        assert_eq!(s.error.is_some(), text.contains(" ERROR: "), "{rel} seed {seed}");
    }
}

#[test]
fn mutated_v8_logs_end_cleanly() {
    hammer("logs/srum-server2022/SRU00001.log", 150);
}

#[test]
fn mutated_v7_logs_end_cleanly() {
    hammer("logs/catroot2-server2003/edb.log", 150);
}
