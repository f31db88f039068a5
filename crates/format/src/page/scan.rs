//! Scanning every page of a database, like `esefile /s` and `eseutil /k`.
//!
//! Sources: docs/format-page.md §6.6 (the scan: header and trailer pages, physical page index
//! `k`, displayed number `k - 1`, uninitialized pages, highest dbtime) and [`crate::page`] for
//! the per-page verdicts. Pure logic over bytes: the caller maps or reads the file and may split
//! it into ranges scanned in parallel, then [`ScanStats::merge`]s the results.

use byteorder::{ByteOrder, LittleEndian};
use serde::Serialize;

use crate::page::{page_dbtime, verify_header_page, verify_page, PageVerdict};

/// How a page is bad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BadKind {
    /// The checksum does not match and cannot be corrected.
    BadChecksum,
    /// The page is intact but was written for another page number.
    WrongPageNumber,
    /// A single-bit error the ECC corrects (a warning, not damage).
    Correctable,
}

/// One page that is not good.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BadPage {
    /// The page number as eseutil prints it: physical index - 1 (the two header pages are -1 and 0).
    pub page: i64,
    /// What is wrong.
    pub kind: BadKind,
    /// Details: checksums, the page number found, the bit.
    pub detail: String,
}

/// A bit the ECC corrects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Corrected {
    /// Page number (physical index - 1).
    pub page: i64,
    /// Bit offset inside the page.
    pub bit: u32,
}

/// The highest `dbtimeDirtied` seen and its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct HighestDbtime {
    /// The dbtime.
    pub dbtime: u64,
    /// The page holding it.
    pub page: i64,
}

/// Counters of a scan (the statistics block of `eseutil /k`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ScanStats {
    /// Pages looked at, header pages included.
    pub pages_seen: u64,
    /// Pages whose checksum fails (wrong page numbers not included).
    pub bad_checksums: u64,
    /// Single-bit errors the ECC corrects.
    pub correctable: u64,
    /// All-zero pages.
    pub uninitialized: u64,
    /// Intact pages written for another page number.
    pub wrong_page_numbers: u64,
    /// The highest dbtime of a good page.
    pub highest_dbtime: Option<HighestDbtime>,
    /// Every page that is not good, ascending.
    pub bad_pages: Vec<BadPage>,
    /// Every corrected bit, ascending.
    pub corrected: Vec<Corrected>,
}

impl ScanStats {
    /// Whether the database passes (`bad == 0 && wrongPgno == 0 && seen > 0`).
    pub fn ok(&self) -> bool {
        self.bad_checksums == 0 && self.wrong_page_numbers == 0 && self.pages_seen > 0
    }

    /// Adds the results of a later range of pages.
    pub fn merge(&mut self, other: ScanStats) {
        self.pages_seen += other.pages_seen;
        self.bad_checksums += other.bad_checksums;
        self.correctable += other.correctable;
        self.uninitialized += other.uninitialized;
        self.wrong_page_numbers += other.wrong_page_numbers;
        self.highest_dbtime = match (self.highest_dbtime, other.highest_dbtime) {
            (Some(a), Some(b)) => Some(if b.dbtime > a.dbtime { b } else { a }),
            (a, b) => a.or(b),
        };
        self.bad_pages.extend(other.bad_pages);
        self.corrected.extend(other.corrected);
    }
}

fn hex(b: &crate::page::BlockChecksums) -> String {
    let parts: Vec<String> = b.as_slice().iter().map(|v| format!("{v:#018x}")).collect();
    parts.join("/")
}

/// Whether the last page of a file is the backup trailer (`PATCHHDR`): u32 at 4, 8, 12 and 24 all
/// zero (docs/format-page.md §6.6). It is checksummed like a header.
fn is_trailer(page: &[u8]) -> bool {
    [4usize, 8, 12, 24].iter().all(|&o| page.get(o..o + 4).is_some_and(|w| LittleEndian::read_u32(w) == 0))
}

/// Scans pages `first..first + pages.len() / page_size` of a database whose file holds
/// `total_pages` pages (physical indexes; 0 and 1 are the header copies). `pages` holds whole
/// pages; a trailing partial page is ignored (the caller counts it).
pub fn scan_pages(pages: &[u8], page_size: usize, first: u64, total_pages: u64) -> ScanStats {
    let mut s = ScanStats::default();
    if page_size == 0 {
        return s;
    }
    for (i, page) in pages.chunks_exact(page_size).enumerate() {
        let k = first + i as u64;
        let number = k as i64 - 1;
        s.pages_seen += 1;
        let header = k < 2;
        let trailer = k + 1 == total_pages && !header && is_trailer(page);
        let mut good = false;
        if header || trailer {
            if verify_header_page(page) {
                good = true;
            } else if crate::page::checksum::is_all_zero(page) {
                s.uninitialized += 1;
            } else {
                s.bad_checksums += 1;
                let stored = page.get(0..4).map_or(0, LittleEndian::read_u32);
                s.bad_pages.push(BadPage {
                    page: number,
                    kind: BadKind::BadChecksum,
                    detail: format!(
                        "{}: stored {stored:#010x}, computed {:#010x}",
                        if header { "header page" } else { "trailer page" },
                        crate::checksum::xor32_legacy(page)
                    ),
                });
            }
        } else {
            let pgno = u32::try_from(number).unwrap_or(u32::MAX);
            match verify_page(page, pgno) {
                PageVerdict::Ok => good = true,
                PageVerdict::Uninitialized => s.uninitialized += 1,
                PageVerdict::Correctable { block, bit } => {
                    good = true;
                    s.correctable += 1;
                    s.corrected.push(Corrected { page: number, bit });
                    s.bad_pages.push(BadPage {
                        page: number,
                        kind: BadKind::Correctable,
                        detail: format!(
                            "single-bit error at bit {bit} (byte {:#x}, block {block}); the ECC corrects it",
                            bit / 8
                        ),
                    });
                }
                // A "wrong page number" is only believable when the number found is a page of
                // this file; otherwise the XOR half just differs (several bits changed in a way
                // the ECC half does not see) and the page is simply bad.
                PageVerdict::WrongPageNumber { found } if found.is_some_and(|f| u64::from(f) + 1 < total_pages) => {
                    s.wrong_page_numbers += 1;
                    s.bad_pages.push(BadPage {
                        page: number,
                        kind: BadKind::WrongPageNumber,
                        detail: match found {
                            Some(f) => format!("intact, but written as page {f}"),
                            None => "intact, but written for another page number".into(),
                        },
                    });
                }
                PageVerdict::WrongPageNumber { .. } => {
                    s.bad_checksums += 1;
                    let detail = crate::page::page_checksum(page, pgno)
                        .map(|c| format!("stored {}, computed {}", hex(&c.stored), hex(&c.expected)))
                        .unwrap_or_else(|| "checksum failed".into());
                    s.bad_pages.push(BadPage { page: number, kind: BadKind::BadChecksum, detail });
                }
                PageVerdict::BadChecksum { expected, stored } => {
                    s.bad_checksums += 1;
                    s.bad_pages.push(BadPage {
                        page: number,
                        kind: BadKind::BadChecksum,
                        detail: format!("stored {}, computed {}", hex(&stored), hex(&expected)),
                    });
                }
                other => {
                    s.bad_checksums += 1;
                    s.bad_pages.push(BadPage {
                        page: number,
                        kind: BadKind::BadChecksum,
                        detail: format!("{other:?}"),
                    });
                }
            }
        }
        if good && !header {
            if let Some(dbtime) = page_dbtime(page) {
                if s.highest_dbtime.is_none_or(|h| dbtime > h.dbtime) {
                    s.highest_dbtime = Some(HighestDbtime { dbtime, page: number });
                }
            }
        }
    }
    s
}
