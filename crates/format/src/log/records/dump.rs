//! eseutil's verbose record dump (`eseutil /ml <log> /v`): one line per record, the v8 segment
//! lines, the v7 NOP runs, the `ReplDiff` lines of a ReplaceD, the statistics block and the page
//! reference summary with its DBID table.
//!
//! [`record_text`] is `LrToSz` (the text after the LGPOS, one `match` arm per record family);
//! [`write_records`] is the record loop of `ErrLGDumpLog` over a [`RecordWalker`], writing to any
//! `Write`; [`write_statistics`] and [`write_page_references`] print what follows the records.
//!
//! **Empty log convention.** A v8 log whose valid data hold no record (FORMAT-LOGREC §8 item 3)
//! makes eseutil print one synthetic `NOP` and count it. esehdr counts what is in the file:
//! 0 records, no record line, and the note line [`EMPTY_LOG_NOTE`] where eseutil prints its NOP;
//! the statistics and the JSON say 0 as well.
//!
//! Differences from eseutil kept on purpose: UTF-16 names print as UTF-8 (eseutil converts them
//! to the ANSI code page); records eseutil cannot print (`LrToSzUnknownLr`: End, BeginDT,
//! PrepCommit, PrepRollback and the undecodable types) print their name only; a record that
//! cannot be read prints one `ERROR:` line and ends the dump.
//!
//! Sources: ../shared/FORMAT-LOGREC.md §4.1-§4.6 (templates, flags, `DATA`, `SIG`, `TIME`,
//! `ReplDiff`, statistics, page references), §3 (offsets), §1.3 (segments), §8 item 3.

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::bytes::Fields;
use crate::log::content::{ContentVerdict, SegmentHeader, SEGMENT_HEADER_SIZE, SEGMENT_SIZE};
use crate::log::dbms_param::DbmsParam;
use crate::log::header::LgFileHeader;
use crate::log::records::peek::{db_name_area, path, Peek};
use crate::log::records::summary::{dbid_table, RecordSummary, Summarizer};
use crate::log::records::types::{LrType, LRTYP_MAX};
use crate::log::records::walk::RecordWalker;
use crate::primitives::{Lgpos, LogTime, Signature};

/// The line printed where eseutil prints the synthetic NOP of a log without records.
pub const EMPTY_LOG_NOTE: &str =
    "      (no records in the valid data; eseutil prints one synthetic NOP here and counts it, esehdr counts 0)";

/// How much of a record's payload the dump shows (FORMAT-LOGREC §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Level {
    /// `/v1`: payloads as `<Data>`.
    Structure,
    /// `/v` (= `/v2`): the first 16 payload bytes in hex.
    #[default]
    Data,
}

/// What the templates need from the log header.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DumpContext {
    /// CommitCtx records have the new form (a flags byte after the procid): header update
    /// version >= (5, 2) or (4, >= 8) (`FLGVersionNewCommitCtx`, FORMAT-LOGREC §3.19).
    pub new_commit_ctx: bool,
}

impl DumpContext {
    /// From the log header.
    pub fn of(h: &LgFileHeader) -> Self {
        let (major, minor) = (h.version.update_major, h.version.update_minor);
        Self { new_commit_ctx: major > 5 || (major == 5 && minor >= 2) || (major == 4 && minor >= 8) }
    }
}

/// `>%08X,%04X,%04X`: the LGPOS prefix of a record line.
pub fn lgpos_prefix(p: Lgpos) -> String {
    format!(">{:08X},{:04X},{:04X}", p.generation as u32, p.isec, p.ib)
}

fn yes(b: bool, t: &'static str, f: &'static str) -> &'static str {
    if b {
        t
    } else {
        f
    }
}

/// `DATA` (`FullDataToSz`): up to 16 bytes as `XX ` at level Data, `<Data>` at level Structure.
fn data(out: &mut String, bytes: &[u8], level: Level) {
    match level {
        Level::Structure => out.push_str("<Data>"),
        Level::Data => {
            for b in bytes.iter().take(16) {
                let _ = write!(out, "{b:02X} ");
            }
        }
    }
}

/// `SIG` (`SPrintSign`).
fn sig(out: &mut String, s: &Signature) {
    let t = &s.created;
    let computer = if s.computer_raw[0] == 0 { "<None>".to_string() } else { s.computer() };
    let _ = write!(
        out,
        "Create time:{:02}/{:02}/{:04} {:02}:{:02}:{:02}.{:03} Rand:{} Computer:{computer}",
        t.month(),
        t.day(),
        t.year(),
        t.hours(),
        t.minutes(),
        t.seconds(),
        t.milliseconds(),
        s.random
    );
}

/// `TIME`: ` (%u/%u/%u %u:%02u:%02u.%3.3u)`.
fn time(out: &mut String, t: &LogTime) {
    let _ = write!(
        out,
        " ({}/{}/{} {}:{:02}:{:02}.{:03})",
        t.month(),
        t.day(),
        t.year(),
        t.hours(),
        t.minutes(),
        t.seconds(),
        t.milliseconds()
    );
}

/// The NUL-terminated 8-bit string at the start of `b`.
fn sz(b: &[u8]) -> String {
    crate::log::dbms_param::ansi_z(b)
}

/// `%*s` with width `w`: right-aligned.
fn padded(out: &mut String, s: &str, w: usize) {
    let _ = write!(out, "{s:>w$}");
}

/// The `LRPAGE_` / `LRNODE_` header fields (FORMAT-LOGREC §3.1).
struct Pg {
    d: u64,
    b: u64,
    t: u32,
    l: u8,
    p: u16,
    db: u8,
    pg: u32,
    il: u16,
    fl: u8,
    r: u32,
    o: u32,
}

impl Pg {
    fn of(r: Peek<'_>) -> Self {
        Self {
            p: r.u16(1),  // le_procid
            db: r.u8(3),  // dbid
            pg: r.u32(4), // le_pgno
            d: r.u64(8),  // le_dbtime (after)
            b: r.u64(16), // le_dbtimeBefore
            t: r.u32(24), // le_trxBegin0
            l: r.u8(28),  // level
            il: r.u16(29), // mle_iline
            fl: r.u8(31), // m_fLRPageFlags
            r: r.u32(32), // LRNODE_ le_rceid
            o: r.u32(40), // LRNODE_ le_objidFDP
        }
    }
    fn u(&self) -> &'static str {
        yes(self.fl & 0x04 != 0, "U", "NU")
    }
    fn v(&self) -> &'static str {
        yes(self.fl & 0x01 != 0, "V", "NV")
    }
    fn del(&self) -> &'static str {
        yes(self.fl & 0x02 != 0, "D", "ND")
    }
    fn sp(&self) -> &'static str {
        yes(self.fl & 0x08 != 0, "SP", "NSP")
    }
    fn sys(&self) -> &'static str {
        yes(self.fl & 0x20 != 0, "SYS", "USR")
    }
    fn ci(&self) -> &'static str {
        yes(self.fl & 0x10 != 0, "CI", "NCI")
    }
    /// ` d,b,t:l(p,[db:pg:il],`
    fn head(&self, out: &mut String) {
        let _ = write!(out, " {:x},{:x},{:x}:{}({:x},[{}:{}:{}],", self.d, self.b, self.t, self.l, self.p, self.db, self.pg, self.il);
    }
    /// ` d,b,t:l(p,[db:pg],`
    fn head2(&self, out: &mut String) {
        let _ = write!(out, " {:x},{:x},{:x}:{}({:x},[{}:{}],", self.d, self.b, self.t, self.l, self.p, self.db, self.pg);
    }
}

const SPLIT_OPERS: [&str; 4] = ["None", "Insert", "Replace", "FlagInsertAndReplaceData"];
const MERGE_TYPES: [&str; 8] =
    ["None", "EmptyPage", "FullRight", "PartialRight", "EmptyTree", "FullLeft", "PartialLeft", "PageMove"];

/// `dbtime` when `pgno` is set, else 0 (the sibling and parent fields of Split, Merge, PageMove).
fn if_page(pgno: u32, dbtime: u64) -> u64 {
    if pgno != 0 {
        dbtime
    } else {
        0
    }
}

/// `LrToSz`: the text of one record after its LGPOS: a blank, the 9-character name, then the
/// template of its type (FORMAT-LOGREC §4.3). `rec` is the whole record, `lrtyp` first.
pub fn record_text(rec: &[u8], level: Level, ctx: &DumpContext) -> String {
    let r = Peek(rec);
    let t = LrType(r.u8(0));
    let mut o = String::with_capacity(160);
    o.push(' ');
    o.push_str(&t.padded_name());
    match t.0 {
        // --- node operations (§3.15) ---
        29 => {
            let g = Pg::of(r);
            let (cb_suffix, cb_prefix, cb_data) = (r.u16(44), r.u16(46), r.u16(48));
            g.head(&mut o);
            let _ = write!(
                o,
                "{}:{}:{}:{}:{}:{},{cb_prefix},{cb_suffix},{cb_data},rceid:{},objid:[{}:{}])",
                g.u(),
                g.v(),
                g.del(),
                g.sp(),
                g.sys(),
                g.ci(),
                g.r,
                g.db,
                g.o
            );
            let n = usize::from(cb_prefix) + usize::from(cb_suffix) + usize::from(cb_data);
            data(&mut o, r.bytes(50, n), level);
        }
        30 => {
            let g = Pg::of(r);
            g.head(&mut o);
            let _ = write!(
                o,
                "{}:{}:{}:{}:{}:{},rceid:{},objid:[{}:{}])",
                g.u(),
                g.v(),
                g.del(),
                g.sp(),
                g.sys(),
                g.ci(),
                g.r,
                g.db,
                g.o
            );
        }
        31 => {
            let g = Pg::of(r);
            let n = usize::from(r.u16(44)) + usize::from(r.u16(46)); // cbKey + cbData
            g.head(&mut o);
            let _ = write!(
                o,
                "{}:{}:{}:{}:{},{n:5},rceidInsert:{},rceidReplace:{},objid:[{}:{}])",
                g.u(),
                g.v(),
                g.sp(),
                g.sys(),
                g.ci(),
                g.r,
                r.u32(48),
                g.db,
                g.o
            );
            data(&mut o, r.bytes(52, n), level);
        }
        32 => {
            let g = Pg::of(r);
            g.head(&mut o);
            let _ = write!(
                o,
                "{}:{}:{}:{}:{}),rceid:{},objid:[{}:{}]",
                g.u(),
                g.v(),
                g.sp(),
                g.sys(),
                g.ci(),
                g.r,
                g.db,
                g.o
            );
        }
        35 => {
            let g = Pg::of(r);
            g.head(&mut o);
            let _ = write!(o, "{}:{}:{},objid:[{}:{}])", g.u(), g.sp(), g.sys(), g.db, g.o);
        }
        33 | 34 => {
            let g = Pg::of(r);
            let cb = r.u16(44) & 0x7FFF; // mle_cb, bit 15 = fDiff2
            g.head(&mut o);
            let _ = write!(
                o,
                "{}:{}:{}:{}:{},{cb:5},{:5},{:5},rceid:{},objid:[{}:{}])",
                g.u(),
                g.v(),
                g.sp(),
                g.sys(),
                g.ci(),
                r.u16(48), // cbNewData
                r.u16(46), // cbOldData
                g.r,
                g.db,
                g.o
            );
            if t.0 == 33 {
                data(&mut o, r.bytes(50, usize::from(cb)), level);
            }
        }
        37 | 93 => {
            let g = Pg::of(r);
            let (delta, offset) =
                if t.0 == 37 { (i64::from(r.i32(48)), r.u16(52)) } else { (r.i64(48), r.u16(56)) };
            g.head(&mut o);
            let _ = write!(
                o,
                "{}:{}:{}:{},{delta},offset:{offset},rceid:{},objid:[{}:{}])",
                g.u(),
                g.v(),
                g.sys(),
                g.ci(),
                g.r,
                g.db,
                g.o
            );
        }
        38 => {
            let g = Pg::of(r);
            let cb = r.u16(44);
            g.head2(&mut o);
            let _ = write!(o, "{}:{}:{},{cb:5})", g.u(), g.sp(), g.sys());
            data(&mut o, r.bytes(46, usize::from(cb)), level);
        }
        39 => {
            let g = Pg::of(r);
            // LRUNDO's own level @50 hides LRPAGE_.level: both positions print it.
            let lv = r.u8(50);
            let _ = write!(
                o,
                " {:x},{:x},{:x}:{lv}({:x},[{}:{}:{}],{}:{},{lv},{},rceid:{})",
                g.d,
                g.b,
                g.t,
                g.p,
                g.db,
                g.pg,
                g.il,
                g.u(),
                g.sys(),
                r.u16(48), // le_oper
                g.r
            );
        }
        36 => {
            let g = Pg::of(r);
            let (k, d, n) = (r.u16(44), r.u16(46), r.u16(54));
            let _ = write!(
                o,
                " {:x}:{}({:x},[{}:{}],{}:{},{k},{d},{n},rceid:{},objid:[{}:{}])",
                g.t,
                g.l,
                g.p,
                g.db,
                g.pg,
                g.u(),
                g.sys(),
                g.r,
                g.db,
                g.o
            );
            data(&mut o, r.bytes(56, usize::from(k) + usize::from(d) + usize::from(n)), level);
        }
        64 => {
            let g = Pg::of(r);
            let cb = r.u16(52);
            g.head2(&mut o);
            let _ = write!(
                o,
                "{}:{}:{},{},{},{cb:5})",
                g.u(),
                g.sp(),
                g.sys(),
                yes(r.u32(44) & 1 != 0, "unused page", "used page"),
                r.u32(48) as i32
            );
            data(&mut o, r.bytes(54, usize::from(cb)), level);
        }
        48 => {
            let g = Pg::of(r);
            let cb = r.u16(44);
            g.head2(&mut o);
            let _ = write!(o, "objid:[{}:{}],{}:{}:{},{cb})", g.db, g.o, g.u(), g.sp(), g.sys());
            data(&mut o, r.bytes(46, usize::from(cb)), level);
        }
        // --- FDP creation (§3.18) ---
        24 => {
            let g = Pg::of(r);
            let _ = write!(
                o,
                " {:x},{:x}:{}({:x},FDP:[{}:{}],OE:[{}:{}],AE:[{}:{}],FDPParent:[{}:{}],objid:[{}:{}],PageFlags:[0x{:x}],{},{}:{})",
                g.d,
                g.t,
                g.l,
                g.p,
                g.db,
                g.pg,
                g.db,
                r.u32(36),
                g.db,
                r.u32(40),
                g.db,
                r.u32(44),
                g.db,
                r.u32(32),
                r.u32(52),
                r.u32(48),
                g.u(),
                g.sys()
            );
        }
        25 => {
            let g = Pg::of(r);
            let _ = write!(
                o,
                " {:x},{:x}:{}({:x},[{}:{}],[{}:{}],[{}],PageFlags:[0x{:x}]{},{}:{})",
                g.d,
                g.t,
                g.l,
                g.p,
                g.db,
                g.pg,
                g.db,
                r.u32(36),
                r.u32(32),
                r.u32(44),
                r.u32(40),
                g.u(),
                g.sys()
            );
        }
        26 | 58 => {
            let g = Pg::of(r);
            let _ = write!(
                o,
                " {:x},{:x},{:x}:{}({:x},[{}:{}],[{}:{}],[{}],+{},[{}:{}],+{},{}:{})",
                g.d,
                g.b,
                g.t,
                g.l,
                g.p,
                g.db,
                g.pg,
                g.db,
                r.u32(44),
                r.u32(32),
                r.u32(52),
                g.db,
                r.u32(48),
                r.u32(56),
                g.u(),
                g.sys()
            );
        }
        // --- split and merge (§3.16, §3.17) ---
        27 | 62 => split(&mut o, r),
        28 | 63 => merge(&mut o, r, level),
        // --- other page-level records (§3.12-3.14) ---
        65 => {
            let g = Pg::of(r);
            let (dest, left, right, parent) = (r.u32(32), r.u32(36), r.u32(40), r.u32(44));
            let _ = write!(
                o,
                " {:x},{:x},{:x}:{}({:x},source:[{}:{}],destination:[{}:{}],right:{:x},[{}:{}],left:{:x},[{}:{}],parent:{:x},[{}:{}:{}],header:{},trailer:{},objid:[{}:{}],flags:{:x}, {})",
                g.d,
                g.b,
                g.t,
                g.l,
                g.p,
                g.db,
                g.pg,
                g.db,
                dest,
                if_page(right, r.u64(56)),
                g.db,
                right,
                if_page(left, r.u64(48)),
                g.db,
                left,
                r.u64(64),
                g.db,
                parent,
                r.i32(80) as u32,
                r.u32(88) as i32,
                r.u32(92) as i32,
                g.db,
                r.u32(76),
                r.u32(84),
                g.sys()
            );
        }
        96 => {
            let _ = write!(o, " {:x},({:x},objid:[{}:{}])", r.u64(1), r.u16(14), r.u8(9), r.u32(10));
        }
        95 => {
            let _ = write!(
                o,
                " {:x},({:x},page:[{}:{}],objid:[{}:{}])",
                r.u64(12),
                r.u16(1),
                r.u8(3),
                r.u32(4),
                r.u8(3),
                r.u32(8)
            );
        }
        66 => {
            let _ = write!(o, " {:x},[{}:{}]", r.u64(6), r.u8(1), r.u32(2) as i32);
        }
        70 => {
            let _ = write!(o, " {:x},{:x}[{}:{}]", r.u64(34), r.u64(26), r.u8(5), r.u32(6));
        }
        98 => {
            let f = r.u8(6);
            let _ = write!(
                o,
                " {:x},{:x}[{}:{}],source:{},{},{}",
                r.u64(15),
                r.u64(7),
                r.u8(1),
                r.u32(2),
                f & 3,
                yes(f & 0x80 != 0, "IVO", "VO"),
                yes(f & 0x40 != 0, "EP", "NEP")
            );
        }
        // --- transactions (§3.10) ---
        5 | 8 => {
            let b = r.u8(3);
            let from = b & 0x0F;
            let _ = write!(o, " ({:x},from:{from},to:{})", r.u16(1), u32::from(from) + u32::from(b >> 4));
            if t.0 == 8 {
                let _ = write!(o, " {:x}", r.u32(4));
            }
        }
        6 | 9 => {
            let _ = write!(o, " ({:x},to:{})", r.u16(1), r.u8(3));
            if t.0 == 9 {
                let _ = write!(o, " {:x}", r.u32(4));
            }
        }
        7 => {
            let _ = write!(o, " ({:x},{})", r.u16(1), r.u8(3));
        }
        10 => {
            let _ = write!(o, " ({:x},{:x})", r.u16(1), r.u32(3));
        }
        11..=13 => {
            let _ = write!(o, " ({:x}) {:x}", r.u16(1), r.u64(3));
        }
        57 => {
            let _ = write!(o, " ({:x})", r.u16(1));
        }
        22 | 61 => {
            let _ = write!(o, " ({:x}) {}", r.u16(1), sz(r.bytes(5, usize::from(r.u16(3)))));
        }
        // --- lifecycle (§3.2-3.4) ---
        50 => time(&mut o, &r.logtime(18)),
        51 => time(&mut o, &r.logtime(1)),
        1 | 49 => {
            if t.0 == 49 {
                time(&mut o, &r.logtime(568));
            }
            if let Ok(p) = DbmsParam::decode(&Fields::new(rec, 0), 1) {
                let _ = write!(
                    o,
                    "\n      Env SystemPath:{}\n      Env LogFilePath:{}\n{}\n",
                    p.system_path,
                    p.log_path,
                    p.eseutil_env("      ")
                );
            }
        }
        18 | 52 | 80 => {
            if t.0 != 18 {
                time(&mut o, &r.logtime(18));
            }
            let hard = yes(r.u8(17) != 0, "Hard", "Soft");
            let (from, undo) = (r.lgpos(9), r.lgpos(1));
            let _ = write!(
                o,
                "\n      Quit on {hard} Restore.\n      RedoFrom:({:X},{:X},{:X})\n      UndoRecordFrom:({:X},{:X},{:X})\n",
                from.generation as u32,
                from.isec,
                from.ib,
                undo.generation as u32,
                undo.isec,
                undo.ib
            );
        }
        // --- databases (§3.5-3.8, §3.19, §3.20) ---
        14 | 15 | 16 => database(&mut o, r),
        79 => {
            let _ = write!(o, " ({:x},{})", r.u16(1), r.u8(3));
        }
        72 => {
            let (attach, consistent) = (r.lgpos(6), r.lgpos(14));
            let _ = write!(
                o,
                " [{}:], consistent:({:X},{:X},{:X}) attach:({:X},{:X},{:X}) SigDb: ",
                r.u8(5),
                consistent.generation as u32,
                consistent.isec,
                consistent.ib,
                attach.generation as u32,
                attach.isec,
                attach.ib
            );
            sig(&mut o, &r.signature(22));
        }
        97 => {
            let _ = write!(o, " (dbid:{})", r.u8(1));
        }
        92 => {
            let _ = write!(o, " (dbid:{}, DB ver:{}.{}.{})", r.u8(1), r.u32(2), r.u32(6), r.u32(10));
        }
        68 => {
            let _ = write!(o, " [{}:{}]", r.u8(5), r.u32(6));
        }
        78 | 94 => {
            let _ = write!(o, " [{}:{}:{}]", r.u8(1), r.u32(2), r.i32(6));
        }
        99 => {
            let _ = write!(o, " {:x}[{}:{}:{}]", r.u64(10), r.u8(1), r.u32(2), r.i32(6));
        }
        81 => {
            let (db, start, cpg) = (r.u8(1), r.u32(2), r.i32(6));
            let _ = write!(o, " [{db}:{start}+{cpg}] (");
            page_list(&mut o, db, start, cpg);
            o.push(')');
        }
        100 | 101 => {
            let dbtime = if t.0 == 101 { r.u64(11) } else { u64::MAX };
            let (db, first, cpg, f) = (r.u8(1), r.u32(2), r.i32(6), r.u8(10));
            let _ = write!(
                o,
                " {dbtime:x} [{db}:{first}+{cpg}],[{}{}] (",
                yes(f & 1 != 0, "R", ""),
                yes(f & 2 != 0, "E", "")
            );
            page_list(&mut o, db, first, cpg);
            o.push(')');
        }
        67 => {
            o.push(' ');
            for i in 0..(r.u32(1) as usize / 4).min(rec.len() / 4) {
                let _ = write!(o, "[1:{}],", r.u32(5 + 4 * i));
            }
        }
        73 => {
            let (db, n) = (r.u8(5), r.u32(6) as usize);
            o.push(' ');
            for i in 0..n.min(rec.len() / 4) {
                let _ = write!(o, "[{db}:{}],", r.u32(10 + 4 * i));
            }
        }
        74 => {
            let _ = write!(
                o,
                " {:x}:([{}:{}] ({}))",
                r.u32(10),
                r.u8(5),
                r.u32(6),
                yes(r.u8(14) == 1, "T", "I")
            );
        }
        69 => {
            let cb = r.u32(1) as usize;
            if ctx.new_commit_ctx {
                let f = r.u8(7);
                let _ = write!(
                    o,
                    " ({:x}) [{}{}{}]",
                    r.u16(5),
                    yes(f & 1 != 0, "C", ""),
                    yes(f & 4 != 0, "R", ""),
                    yes(f & 2 != 0, "P", "")
                );
                // Customer data stays hidden; other contexts print in hex at any level.
                let lv = if f & 2 != 0 { Level::Structure } else { Level::Data };
                data(&mut o, r.bytes(8, cb.saturating_sub(3)), lv);
            } else {
                let _ = write!(o, " ({:x}) ", r.u16(5));
                data(&mut o, r.bytes(7, cb.saturating_sub(2)), level);
            }
        }
        71 | 75 | 82..=91 => {
            let _ = write!(o, " (lrtyp = {}, {} bytes)", t.0, r.u32(1) as i32);
        }
        // --- backup and restore (§3.9, §3.11) ---
        19 | 20 => {
            let cb = usize::from(r.u16(1));
            if cb != 0 {
                padded(&mut o, &sz(r.bytes(3, cb)), cb);
            }
        }
        46 => {
            const KINDS: [&str; 7] = [
                " FullBackup",
                " IncrementalBackup",
                " StartSnapshot",
                " StopSnapshot",
                " TruncateLogs",
                " OSSnapshot",
                " OSIncrementalSnapshot",
            ];
            o.push_str(KINDS.get(usize::from(r.u8(1))).copied().unwrap_or(""));
            let cb = usize::from(r.u16(3));
            if cb != 0 {
                o.push(' ');
                padded(&mut o, &sz(r.bytes(5, cb)), cb);
            }
        }
        60 => backup2(&mut o, r),
        45 | 59 => {
            let info = r.bytes(3, usize::from(r.u16(1)));
            let (a, b) = if t.0 == 45 {
                let mut it = info.split(|&c| c == 0);
                (sz(it.next().unwrap_or_default()), sz(it.next().unwrap_or_default()))
            } else {
                let first = path(info, true);
                let skip = (first.encode_utf16().count() + 1) * 2;
                (first, path(info.get(skip..).unwrap_or_default(), true))
            };
            let _ = write!(o, " ({a},{b})");
        }
        // --- framing records (§3.21) ---
        42 => {
            let (back, fwd, next, ck, short) = (r.u32(1), r.u32(5), r.u32(9), r.u32(13), r.u32(17));
            match r.u8(21) {
                0x9A => {
                    let _ = write!(o, " (0x{back:X},0x{fwd:X},0x{next:X} checksum [0x{ck:X},0x{short:X}])");
                }
                0xD1 => {
                    let _ = write!(o, " (0x{back:X},0x{fwd:X},0x{next:X} checksum [0x{ck:X}])");
                }
                u => {
                    let _ = write!(
                        o,
                        " CORRUPT (0x{back:X},0x{fwd:X},0x{next:X} checksum 0x{ck:X} short checksum 0x{short:X} use short checksum 0x{u:X})"
                    );
                }
            }
        }
        76 => {
            let _ = write!(
                o,
                " (Total {} bytes, current {} bytes, lrtyp {})",
                r.u32(1),
                r.u16(5),
                LrType(r.u8(7)).padded_name()
            );
        }
        77 => {
            let _ = write!(o, " ({} bytes)", r.u16(1));
        }
        3 => {
            let _ = write!(o, " ({:X},{:X} checksum {})", r.u16(7), r.u16(1), r.u32(3));
        }
        // NOP, JetOp, ShutDown, Term, RcvUndo print nothing; End, BeginDT, PrepCommit,
        // PrepRollback and the undecodable types are absent from LrToSz (name only).
        _ => {}
    }
    o
}

/// TrimDB / ExtentFreed page list: `[db:pgno] ` for pages 1 .. min(cpg, 32)-1 after the first.
fn page_list(o: &mut String, db: u8, first: u32, cpg: i32) {
    for i in 1..cpg.clamp(0, 32) {
        let _ = write!(o, "[{db}:{}] ", first.wrapping_add(i as u32));
    }
}

fn split(o: &mut String, r: Peek<'_>) {
    let g = Pg::of(r);
    let (new, right, parent) = (r.u32(32), r.u32(36), r.u32(48));
    if new == 0 {
        let _ = write!(
            o,
            " ParentOfSplitPage {:x},{:x},{:x}:{}({:x},parent:{:x},[{}:{}])",
            g.d,
            g.b,
            g.t,
            g.l,
            g.p,
            r.u64(52),
            g.db,
            g.pg
        );
        return;
    }
    let (kind, oper, iline_oper, iline_split) = (r.u8(68), r.u8(69), r.u16(70), r.u16(72));
    // le_clines - 1 as C computes it (an int), printed with %u.
    let last = (i32::from(r.u16(74)) - 1) as u32;
    let name = match kind {
        1 if oper == 1 && iline_split == iline_oper && u32::from(iline_split) == last => " SplitHotpoint",
        1 => " SplitRight",
        0 => " SplitVertical",
        2 => " Append",
        _ => " *UNKNOWN*",
    };
    let (flags, before) = if r.u8(0) == 62 { (r.u32(102), r.u32(106)) } else { (0, 0) };
    let _ = write!(
        o,
        "{name} {:x},{:x},{:x}:{}({:x},split:[{}:{}:{iline_split}],oper/last:[{iline_oper}/{last}],new:[{}:{new}],parent:{:x},[{}:{parent}],right:{:x},[{}:{right}], objid:[{}:{}], {}:{}:{}:{}, splitoper:{}, beforeImage:{}[{}{}])",
        g.d,
        g.b,
        g.t,
        g.l,
        g.p,
        g.db,
        g.pg,
        g.db,
        if_page(parent, r.u64(52)),
        g.db,
        if_page(right, r.u64(40)),
        g.db,
        g.db,
        r.u32(64),
        g.u(),
        g.sp(),
        g.sys(),
        g.ci(),
        SPLIT_OPERS.get(usize::from(oper)).copied().unwrap_or("*UNKNOWN*"),
        before as i32,
        yes(flags & 1 != 0, "D", ""),
        yes(flags & 2 != 0, "X", "")
    );
}

fn merge(o: &mut String, r: Peek<'_>, level: Level) {
    let g = Pg::of(r);
    let (right, left, parent) = (r.u32(32), r.u32(44), r.u32(56));
    let mf = r.u8(84); // m_fLRMergeFlags
    let (flags, before) = if r.u8(0) == 63 { (r.u32(88), r.u32(92)) } else { (0, 0) };
    let _ = write!(
        o,
        " {:x},{:x},{:x}:{}({:x},merge:[{}:{}:{}],right:{:x},[{}:{right}],left:{:x},[{}:{left}],parent:{:x},[{}:{parent}],{}:{}:{}:{}:{}:{}:{},size:{},maxsize:{},uncfree:{},beforeImage:{}[{}{}])",
        g.d,
        g.b,
        g.t,
        g.l,
        g.p,
        g.db,
        g.pg,
        r.u16(82),
        if_page(right, r.u64(36)),
        g.db,
        if_page(left, r.u64(48)),
        g.db,
        if_page(parent, r.u64(60)),
        g.db,
        g.u(),
        g.sp(),
        g.sys(),
        yes(mf & 1 != 0, "KC", "NKC"),
        yes(mf & 4 != 0, "EP", "NEP"),
        yes(mf & 2 != 0, "D", "ND"),
        MERGE_TYPES.get(usize::from(r.u8(85))).copied().unwrap_or("*UNKNOWN*"),
        r.i16(76),
        r.i16(78),
        r.i16(80),
        before as i32,
        yes(flags & 1 != 0, "D", ""),
        yes(flags & 2 != 0, "X", "")
    );
    let key_at = if r.u8(0) == 63 { 96 } else { 88 };
    data(o, r.bytes(key_at, usize::from(r.u16(86))), level);
}

fn database(o: &mut String, r: Peek<'_>) {
    let (area, unicode) = db_name_area(r).unwrap_or_default();
    let _ = write!(o, " ({:x},{},{})", r.u16(1), path(area, unicode), r.u8(3));
    match r.u8(0) {
        14 => {
            let flags = r.u8(42);
            let (v, u) = if flags & 0x04 != 0 { (r.u16(43), r.u16(45)) } else { (0, 0) };
            let _ = write!(o, " Version: 0x{v:x},0x{u:x} cpgMax: {} Sig: ", r.u32(8));
            sig(o, &r.signature(12));
            let _ = write!(o, " sparse: {}", u8::from(flags & 0x10 != 0));
        }
        15 => {
            let c = r.lgpos(8);
            let _ = write!(
                o,
                " cpgMax: {} consistent:({:X},{:X},{:X})   SigDb: ",
                r.u32(4),
                c.generation as u32,
                c.isec,
                c.ib
            );
            sig(o, &r.signature(16));
            o.push_str("   SigLog: ");
            sig(o, &r.signature(44));
            let _ = write!(o, " sparse: {}", u8::from(r.u8(74) & 0x10 != 0));
        }
        _ => {}
    }
}

fn backup2(o: &mut String, r: Peek<'_>) {
    let phase = match r.u8(1) {
        1 => "Begin",
        2 => "PrepLogs",
        3 => "Truncate",
        4 => "Update",
        5 => "Torpedos Away!",
        6 => "Stop",
        _ => "*Unknown*",
    };
    let kind = match r.u32(2) {
        0 => "External",
        1 => "OSSnapshot",
        3 => "Surrogate",
        _ => "*Unknown*",
    };
    let scope = match r.u8(6) {
        1 => "Full",
        2 => "Incremental",
        5 => "Copy",
        6 => "Differential",
        _ => "*Unknown*",
    };
    let (mark, t) = (r.lgpos(8), r.logtime(16));
    let _ = write!(
        o,
        " {phase}( {kind}:{scope}, dbid={}, phaseDetails[({:X},{:X},{:X}),({}/{}/{} {}:{:02}:{:02}.{:03}),({},{})] )",
        r.u8(7),
        mark.generation as u32,
        mark.isec,
        mark.ib,
        t.month(),
        t.day(),
        t.year(),
        t.hours(),
        t.minutes(),
        t.seconds(),
        t.milliseconds(),
        r.u32(24) as i32,
        r.u32(28) as i32
    );
    let cb = usize::from(r.u16(33));
    if cb != 0 {
        o.push(' ');
        padded(o, &sz(r.bytes(35, cb)), cb);
    }
}

/// The `ReplDiff` lines that follow a ReplaceD record (`LGDumpDiff`, FORMAT-LOGREC §4.4 and the
/// diff list of §3.15), each without its newline. A diff entry that runs past the record ends
/// the list with one `CORRUPT` line.
pub fn diff_lines(rec: &[u8], level: Level) -> Vec<String> {
    let r = Peek(rec);
    let g = Pg::of(r);
    let mle_cb = r.u16(44);
    let two_headers = mle_cb & 0x8000 != 0; // fDiff2: DIFFHDR2
    let diff = r.bytes(50, usize::from(mle_cb & 0x7FFF));
    let mut lines = Vec::new();
    let mut p = 0usize;
    while p < diff.len() {
        let d = Peek(diff);
        let need = |n: usize| p.checked_add(n).is_some_and(|e| e <= diff.len());
        let hdr = if two_headers { 3 } else { 2 };
        if !need(hdr) {
            lines.push(corrupt_diff(p, diff.len()));
            break;
        }
        let (ib, insert, same, two) = if two_headers {
            let f = d.u8(p + 2);
            (d.u16(p), f & 0x40 != 0, f & 0x20 != 0, f & 0x80 != 0)
        } else {
            let h = d.u16(p);
            (h & 0x1FFF, h & 0x4000 != 0, h & 0x2000 != 0, h & 0x8000 != 0)
        };
        let mut q = p + hdr;
        let len_size = if two { 2 } else { 1 };
        let read_len = |at: usize| if two { usize::from(d.u16(at)) } else { usize::from(d.u8(at)) };
        if !need(hdr + len_size) {
            lines.push(corrupt_diff(p, diff.len()));
            break;
        }
        let cb_new = read_len(q);
        q += len_size;
        let cb_old = if !insert && !same {
            if q + len_size > diff.len() {
                lines.push(corrupt_diff(p, diff.len()));
                break;
            }
            let v = read_len(q);
            q += len_size;
            Some(v)
        } else {
            None
        };
        if q + cb_new > diff.len() {
            lines.push(corrupt_diff(p, diff.len()));
            break;
        }
        let new = d.bytes(q, cb_new);
        let mut l = format!(
            "{:20}ReplDiff  {:x},{:x},{:x}:{}({:x},[{}:{}:{}],objid:[{}:{}],[ Offs:{ib} {}",
            "",
            g.d,
            g.b,
            g.t,
            g.l,
            g.p,
            g.db,
            g.pg,
            g.il,
            g.db,
            g.o,
            if two { "2B " } else { "1B " }
        );
        match cb_old {
            _ if insert => {
                let _ = write!(l, "InsertWithValue ({cb_new}): ");
            }
            None => {
                let _ = write!(l, "ReplaceWithSameLength ({cb_new}): ");
            }
            Some(old) => {
                let _ = write!(l, "ReplaceWithNewValue ({old}=>{cb_new}): ");
            }
        }
        data(&mut l, new, level);
        l.push_str("])");
        lines.push(l);
        p = q + cb_new;
    }
    lines
}

fn corrupt_diff(at: usize, len: usize) -> String {
    format!("{:20}ReplDiff  CORRUPT (the diff entry at byte {at} runs past the {len} bytes of the diff list)", "")
}

/// The v8 segment line eseutil prints when its reader enters segment `isec` (FORMAT-LOGREC §4.2).
fn segment_line(file: &[u8], isec: usize) -> Option<String> {
    let start = isec.checked_mul(SEGMENT_SIZE)?;
    let h = SegmentHeader::read(file.get(start..start.checked_add(SEGMENT_HEADER_SIZE)?)?)?;
    Some(format!(
        "Segment Checksum: 0x{:016x}, LGPOS ({:08X},{:04X},{:04X}), logtimeStart {}",
        h.checksum,
        h.lgpos.generation as u32,
        h.lgpos.isec,
        h.lgpos.ib,
        h.start_time.eseutil()
    ))
}

/// The segment holding the last byte of the (possibly fragmented) record that starts at file
/// offset `offset` and is `size` bytes long: follows the `FragmentBegin` / `Fragment` piece
/// sizes (FORMAT-LOGREC §1.3 rule 5) for a fragmented record.
fn last_segment(file: &[u8], offset: usize, size: usize, fragmented: bool) -> usize {
    let first = offset / SEGMENT_SIZE;
    if !fragmented {
        return first;
    }
    let f = Peek(file);
    let mut got = usize::from(f.u16(offset + 5)); // le_cbFragmentSize of the FragmentBegin
    let mut seg = first;
    // Each further segment holds one Fragment right after its LGSEGHDR.
    while got < size {
        seg += 1;
        let at = seg * SEGMENT_SIZE + SEGMENT_HEADER_SIZE;
        let piece = usize::from(f.u16(at + 1));
        if piece == 0 || at >= file.len() {
            break;
        }
        got += piece;
    }
    seg
}

/// Walks the records of `file` and writes eseutil's record lines (FORMAT-LOGREC §4.2): the v8
/// segment lines, one line per record, the v7 NOP runs with their `NOPEnd` line, the `ReplDiff`
/// lines, and for a record that cannot be read one `ERROR:` line, after which the walk ends.
/// Returns the summary of the records read.
pub fn write_records(
    w: &mut dyn Write,
    file: &[u8],
    header: &LgFileHeader,
    verdict: &ContentVerdict,
    level: Level,
) -> io::Result<RecordSummary> {
    let ctx = DumpContext::of(header);
    let mut walker = RecordWalker::with_verdict(file, header, verdict);
    let segmented = walker.is_segmented();
    let mut sum = Summarizer::new(header.attached.iter().map(|a| (a.dbid, a.path.as_str())));
    let mut next_segment = 1usize;
    let mut nops = 0u64;
    let segments_to = |w: &mut dyn Write, upto: usize, next: &mut usize| -> io::Result<()> {
        while segmented && *next <= upto {
            if let Some(l) = segment_line(file, *next) {
                writeln!(w, "{l}")?;
            }
            *next += 1;
        }
        Ok(())
    };
    while let Some(item) = walker.next_record() {
        let rec = match item {
            Ok(rec) => rec,
            Err(e) => {
                let at = usize::try_from(e.offset).unwrap_or(usize::MAX);
                segments_to(w, at / SEGMENT_SIZE, &mut next_segment)?;
                writeln!(w, "{} ERROR: {e}", lgpos_prefix(e.lgpos))?;
                break;
            }
        };
        let offset = usize::try_from(rec.offset).unwrap_or(usize::MAX);
        segments_to(w, last_segment(file, offset, rec.size(), rec.fragmented), &mut next_segment)?;
        sum.add(&rec);
        if rec.lrtyp == LrType::NOP {
            nops += 1;
            if nops > 1 {
                continue;
            }
        } else {
            if nops > 1 {
                writeln!(w, ">{:17}NOPEnd    (Total NOPs: {nops})", "")?;
            }
            nops = 0;
        }
        writeln!(w, "{}{}", lgpos_prefix(rec.lgpos), record_text(rec.bytes, level, &ctx))?;
        if rec.lrtyp == LrType::REPLACE_D {
            for l in diff_lines(rec.bytes, level) {
                writeln!(w, "{l}")?;
            }
        }
    }
    let stop = walker.stop().cloned();
    if let Some(stop) = &stop {
        if stop.error.is_none() {
            let cb = if segmented { SEGMENT_SIZE } else { usize::from(header.sector_size).max(512) };
            let end = usize::from(stop.data_end.isec) * cb + usize::from(stop.data_end.ib);
            if let Some(last) = end.checked_sub(1) {
                if last >= SEGMENT_SIZE {
                    segments_to(w, last / SEGMENT_SIZE, &mut next_segment)?;
                }
            }
        }
    }
    let summary = sum.finish(stop.as_ref());
    if summary.total == 0 && summary.error.is_none() {
        writeln!(w, "{EMPTY_LOG_NOTE}")?;
    }
    Ok(summary)
}

/// The statistics block after the records (FORMAT-LOGREC §4.5): `clrTotal`, `cbTotal` and one
/// row per type with records (types 1, 2, 17 and 18 are never shown, as in eseutil).
pub fn write_statistics(w: &mut dyn Write, s: &RecordSummary) -> io::Result<()> {
    writeln!(w)?;
    writeln!(w, "clrTotal    =  {}", s.total)?;
    writeln!(w, "cbTotal     =  {}", s.bytes)?;
    writeln!(w)?;
    writeln!(w, "{}", "=".repeat(54))?;
    writeln!(w, "Op         # Records     Avg. Size      clr / cb Pct  ")?;
    writeln!(w, "{}", "-".repeat(54))?;
    for (t, &(count, bytes)) in s.per_type.iter().enumerate().take(usize::from(LRTYP_MAX)) {
        if count == 0 || matches!(t, 1 | 2 | 17 | 18) {
            continue;
        }
        let lt = LrType(t as u8);
        let pct_count = count as f64 / s.total.max(1) as f64 * 100.0;
        let pct_bytes = bytes as f64 / s.bytes.max(1) as f64 * 100.0;
        write!(
            w,
            "{}  {count:7}       {:7}      {pct_count:5.1}% /{pct_bytes:5.1}%",
            lt.padded_name(),
            bytes / count
        )?;
        if lt.name() == "*UNKNOWN*" {
            write!(w, " (type {t})")?;
        }
        writeln!(w)?;
    }
    writeln!(w, "{}", "=".repeat(54))
}

/// `Number of database page references:  N` and, with `table`, eseutil's DBID table with its
/// I/O-coalescing model for pages of `page_size` bytes (FORMAT-LOGREC §4.6).
pub fn write_page_references(w: &mut dyn Write, s: &RecordSummary, page_size: u64, table: bool) -> io::Result<()> {
    writeln!(w)?;
    writeln!(w, "Number of database page references:  {}", s.page_references)?;
    if !table {
        return Ok(());
    }
    let (rows, total) = dbid_table(s, page_size);
    writeln!(w)?;
    writeln!(w, "{}", "=".repeat(102))?;
    writeln!(w, "DBID   # Page Refs  # Cache Pages  # IOs  # Pages IO  # Reads  # Pages Read  # Writes  # Pages Written")?;
    writeln!(w, "{}", "-".repeat(102))?;
    let row = |w: &mut dyn Write, id: &str, r: &crate::log::records::summary::IoRow| {
        writeln!(
            w,
            "{id:>5}  {:11}  {:13}  {:5}  {:10}  {:7}  {:12}  {:8}  {:15}",
            r.page_refs,
            r.cache_pages,
            r.reads + r.writes,
            r.pages_read + r.pages_written,
            r.reads,
            r.pages_read,
            r.writes,
            r.pages_written
        )
    };
    for (dbid, r) in &rows {
        row(w, &dbid.to_string(), r)?;
    }
    row(w, "Total", &total)?;
    writeln!(w, "{}", "=".repeat(102))
}

/// The page size the DBID table uses: `le_cbPageSize` of the log header, 0 meaning 4096.
pub fn page_size(h: &LgFileHeader) -> u64 {
    match h.page_size_field {
        0 => 4096,
        n => u64::from(n),
    }
}
