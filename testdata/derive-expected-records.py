#!/usr/bin/env python3
"""Walk the records of every whole log of the shared corpus and write testdata/expected-records.tsv.

Python 3 standard library only, deterministic, independent of the Rust code: an oracle for the
log-record walker and decoder of issue 10, written from /work/shared/FORMAT-LOGREC.md (cited "LR §x")
and /work/shared/FORMAT.md (cited "HDR §x", for the end of valid data).

Usage:  python3 testdata/derive-expected-records.py [--corpus DIR] [--check] [--quiet] [--strict]
        --corpus DIR  corpus root (default: ../shared/corpus relative to the repository root)
        --check       do not write; recompute and compare with the committed
                      expected-records.tsv, print a diff, exit 1 if it differs
        --quiet       no summary and no cross-check report on stderr
        --strict      exit 1 when a cross-check below does not agree

Cross-checks printed on stderr ("agrees:" / "DISAGREES:"): every figure LR §8 says was confirmed
against the corpus (40 whole logs, 35,599 records, items 1-3, 6, 8, 9), re-derived from the walk;
and the engine's own files: every checkpoint LGPOS (HDR §5) that falls in a walked log must be
the LGPOS of one of its records or its end of data (LR §1.2 rule 9, §1.3 rule 8), and every
database header's le_lgposAttach that falls in a walked log of its stream must be the LGPOS of a
CreateDB / AttachDB event of that log with the same signDb (LR §3.23).

Limits: torn-write repair (v7 shadow/patch logic beyond the shadow-sector checksum, v8 shadow
segment of a bad segment) is not modelled: such a log is reported as not verifying.  The v7
no-backward-range jump and the v8 torn-fragment exceptions are implemented from LR §1.2 rule 7 and
§1.3 rule 5 but no corpus log exercises them.

Which files (same sniffing as derive-expected-logs.py, HDR §0.1): le_filetype (u32 @667) 3, or 0
with le_ulMajor 7/8 and no database magic, and a valid XOR-32 header checksum.  A file of exactly
4096 bytes (the header-only stubs under header-only/) has no records and no row.  A log whose
content does not verify (HDR §7.1 LRCHECKSUM chain for v7, HDR §7.2 segment checksums for v8) has
no row either; it is named on stderr with the reason.

Per log the script
  1. finds the end of valid data (`Last Lgpos`): v7 = end of the forward range of the last
     LRCHECKSUM (LR §1.2 rule 8, HDR §7.1); v8 = (gen, last good segment + 1, 0) (LR §1.3 rule 7,
     HDR §7.2);
  2. walks the records (LR §1.2 v7 contiguous stream with NOP records and the no-backward-range
     jump; LR §1.3 v8 segments, zero fill, NOP2, fragments reassembled at the FragmentBegin LGPOS),
     sizing each by CbLGSizeOfRec (LR §2);
  3. asserts the accounting: record bytes + fill (zero fill, segment headers, fragment headers,
     bytes skipped by the v7 jump) == valid data bytes, and that the walk ends exactly at the end;
  4. counts records per type, page references as ErrLrToPageRef adds them (LR §4.6), and lists
     CreateDB / AttachDB / DetachDB events (LR §3.5-3.7).

Columns of expected-records.tsv (tab separated, one header line, rows sorted by path):
  file                corpus-relative path
  format              v7 (le_ulMajor 7, LRCHECKSUM framing) or v8 (4 KiB segments)
  end_generation, end_sector, end_offset
                      end of valid data as an LGPOS (decimal); eseutil's `Last Lgpos`
  last_lgpos          the same in eseutil's text form (0x{gen %x},{isec %X},{ib %X}) (HDR §10.3)
  data_bytes          bytes of valid data: file offset of the end - 4096
  record_bytes        sum of the sizes of the records returned (fragmented records at full size)
  fill_bytes          data_bytes - record_bytes (v8: segment headers, zero fill, fragment headers)
  records             number of records a reader returns (v7 NOPs included, LR §1.2 rule 5; v8 zero
                      fill never, LR §1.3 rule 4).  A v8 log with no valid segment has 0 here although
                      eseutil prints one synthetic NOP for it (LR §8 item 3).
  by_type             records per eseutil dump name without padding (LR §2 "Dump name"), sorted by
                      name: "Begin0=12,Commit0=12,...".  Types sharing a dump name are summed (Init
                      = lrtyp 1 + 49, Term = 2 + 50, RcvUndo = 17 + 51, RcvQuit = 18 + 52, Convert
                      = 26 + 58, Ignored = 75 + 82..91)
  by_lrtyp            the same per numeric lrtyp, ascending: "8=12,9=12,..."
  fill_detail         fill_bytes by kind, "kind=bytes" joined with ",": v8 segment_headers (40 per
                      valid segment), zero_fill (0x00 bytes from a NOP byte to the segment end),
                      fragment_headers (7 per FragmentBegin, 3 per Fragment), dropped (pieces of a
                      torn fragment chain, LR §1.3 rule 5); v7 skipped (bytes jumped over by the
                      no-backward-range rule, LR §1.2 rule 7).  Kinds with 0 bytes are left out.
  fragmented_records  v8 records reassembled from FragmentBegin + Fragment pieces
  page_references     "Number of database page references" (LR §4.6), duplicates included
  page_refs_by_dbid   references per dbid, ascending: "1=1234"
  pages_by_dbid       distinct (dbid, pgno) per dbid ("# Cache Pages" of the DBID table)
  dbtime_by_dbid      per dbid "min-max" (decimal) of the dbtimeAfter of the records that set a page's
                      dbtime (LR §3.22): le_dbtime @8 of the LRPAGE_ family (24-39, 48, 58, 62-65,
                      93), NewPage @12, RootPageMove @1 (dbid @9); dbtimeNil / dbtimeInvalid
                      (UndoInfo carries dbtimeNil) are left out.  ScanCheck, ShrinkDB3 and
                      ExtentFreed2 also carry a dbtime but are not counted (none is in the corpus).
  events              CreateDB / AttachDB / DetachDB records in log order, joined with " | "
                      (a character Windows paths cannot hold); each event is
                      kind;G,S,B;dbid;db_sig;log_sig;consistent;path
                      with kind create|attach|detach, G,S,B its LGPOS (decimal), db_sig / log_sig
                      the random part of signDb / signLog (8 lower-case hex digits; empty where the
                      record has none), consistent the AttachDB lgposConsistent as G,S,B (empty
                      otherwise) and path last (it may hold ';').  CreateDB: signDb of the new
                      database; AttachDB: signDb, signLog, lgposConsistent as logged.
  tx_open_at_end      transactions begun in this file and still open at its end, in log order,
                      joined with " ": procid:trxBegin0@G,S,B (decimal; the LGPOS of the Begin0).
                      A session's level follows LR §3.10: Begin0/Begin set it to levelBeginFrom
                      + clevelsToBegin (LR §8 item 2: low nibble = from), Commit to levelCommitTo,
                      Commit0 ends the transaction, Rollback lowers it by levelRollback and ends it
                      at 0; Init/Term/RcvQuit records end every session (LR §5.1).  Records of
                      sessions whose Begin0 is in an earlier file are ignored here.
"""
import argparse
import difflib
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CORPUS = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "corpus"))
OUT = os.path.join(HERE, "expected-records.tsv")

COLUMNS = ["file", "format", "end_generation", "end_sector", "end_offset", "last_lgpos",
           "data_bytes", "record_bytes", "fill_bytes", "records", "by_type", "by_lrtyp",
           "fill_detail", "fragmented_records", "page_references", "page_refs_by_dbid",
           "pages_by_dbid", "dbtime_by_dbid", "events", "tx_open_at_end"]

HDR = 4096
DB_MAGIC = 0x89ABCDEF
FILETYPE, FT_LOG = 667, 3
# LGFILEHDR offsets (HDR §4.2)
L_GEN, L_CBSEC, L_CSECHDR, L_CSECFILE = 4, 8, 10, 12
L_MAJOR, L_MINOR, L_UPMAJOR, L_UPMINOR = 32, 36, 40, 648


class NotVerified(Exception):
    """The log content does not verify (HDR §7): no row."""


class WalkError(Exception):
    """A record cannot be walked (LR §1): a defect of the corpus or of this script."""


# --------------------------------------------------------------------------------------------
# LR §0 conventions: little-endian, pack 1.
# --------------------------------------------------------------------------------------------
def u16(b, o):
    return struct.unpack_from("<H", b, o)[0]


def u32(b, o):
    return struct.unpack_from("<I", b, o)[0]


def i32(b, o):
    return struct.unpack_from("<i", b, o)[0]


def lgpos_at(b, o):
    """LR §0 LGPOS: @0 u16 ib, @2 u16 isec, @4 i32 lGeneration -> (gen, isec, ib)."""
    ib, isec, gen = struct.unpack_from("<HHi", b, o)
    return (gen, isec, ib)


def lgpos_dec(p):
    return "%d,%d,%d" % p


def xor32_ok(block):
    """HDR §6.1: 0x89ABCDEF XOR every u32 of the 4096-byte header except word 0."""
    acc = 0x89ABCDEF
    for (w,) in struct.iter_unpack("<I", block[4:HDR]):
        acc ^= w
    return acc == u32(block, 0)


def looks_like_log(h):
    """HDR §0.1, as derive-expected-logs.py."""
    if len(h) < HDR or not xor32_ok(h):
        return False
    ft = u32(h, FILETYPE)
    if ft == FT_LOG:
        return True
    if ft == 0:
        cbsec = u16(h, L_CBSEC)
        return (u32(h, 4) != DB_MAGIC and u32(h, L_MAJOR) in (7, 8)
                and cbsec >= 512 and cbsec & (cbsec - 1) == 0)
    return False


# --------------------------------------------------------------------------------------------
# LR §2: record types, dump names, fixed sizes (mplrtypn) and total sizes (CbLGSizeOfRec).
# SIZES[t] = (dump name, fixed size, function(record bytes) -> total size); a total of 0 means
# "cannot be sized" (types 40, 41, 43, 44, 47, 55, 56).  Offsets of the length fields: LR §3.
# --------------------------------------------------------------------------------------------
def _fixed(n):
    return lambda r: n


def _ignored(r):                      # LR §3.19: @1 u32 cb, 5-byte header
    return 5 + u32(r, 1)


def _createdb(r):                     # LR §3.5: 43 + cbPath (@40) + 4 if flags (@42) & 0x04
    return 43 + u16(r, 40) + (4 if r[42] & 0x04 else 0)


SIZES = {
    0: ("NOP", 1, _fixed(1)),
    1: ("Init", 568, _fixed(568)),
    2: ("Term", 18, _fixed(18)),
    3: ("MS", 9, _fixed(9)),
    4: ("End", 1, _fixed(1)),
    5: ("Begin", 4, _fixed(4)),
    6: ("Commit", 4, _fixed(4)),
    7: ("Rollback", 4, _fixed(4)),
    8: ("Begin0", 8, _fixed(8)),
    9: ("Commit0", 8, _fixed(8)),
    10: ("Refresh", 7, _fixed(7)),
    11: ("McroBegin", 11, _fixed(11)),
    12: ("McroComit", 11, _fixed(11)),
    13: ("McroAbort", 11, _fixed(11)),
    14: ("CreateDB", 43, _createdb),
    15: ("AttachDB", 75, lambda r: 75 + u16(r, 72)),              # LR §3.6 cbPath @72
    16: ("DetachDB", 7, lambda r: 7 + u16(r, 4)),                 # LR §3.7 cbPath @4
    17: ("RcvUndo", 1, _fixed(1)),
    18: ("RcvQuit", 18, _fixed(18)),
    19: ("FullBkUp", 3, lambda r: 3 + u16(r, 1)),                 # LR §3.9 cbPath @1
    20: ("IncBkUp", 3, lambda r: 3 + u16(r, 1)),
    21: ("JetOp", 4, _fixed(4)),
    22: ("Trace", 5, lambda r: 5 + u16(r, 3)),                    # LR §3.10 cb @3
    23: ("ShutDown", 1, _fixed(1)),
    24: ("Create M", 56, _fixed(56)),
    25: ("Create S", 48, _fixed(48)),
    26: ("Convert", 60, _fixed(60)),
    # LR §3.16: cbPrefixSplitOld @96, cbPrefixSplitNew @98, cbKeyParent @100 (+ Split2 @106)
    27: ("Split", 102, lambda r: 102 + u16(r, 100) + u16(r, 96) + u16(r, 98)),
    28: ("Merge", 88, lambda r: 88 + u16(r, 86)),                 # LR §3.17 cbKeyParentSep @86
    # LR §3.15 node operations
    29: ("Insert", 50, lambda r: 50 + u16(r, 44) + u16(r, 46) + u16(r, 48)),
    30: ("FInsert", 48, lambda r: 48 + u16(r, 44) + u16(r, 46)),
    31: ("FInsertRD", 52, lambda r: 52 + u16(r, 44) + u16(r, 46)),
    32: ("FDelete", 44, _fixed(44)),
    33: ("Replace", 50, lambda r: 50 + (u16(r, 44) & 0x7FFF)),
    34: ("ReplaceD", 50, lambda r: 50 + (u16(r, 44) & 0x7FFF)),
    35: ("Delete", 44, _fixed(44)),
    36: ("UndoInfo", 56, lambda r: 56 + u16(r, 44) + u16(r, 46) + u16(r, 54)),
    37: ("Delta", 54, lambda r: 54 + u16(r, 44) + u16(r, 46)),
    38: ("SetExtHdr", 46, lambda r: 46 + u16(r, 44)),
    39: ("Undo", 51, lambda r: 51 + u16(r, 44) + u16(r, 46)),
    40: ("*UNKNOWN*", 0, _fixed(0)),
    41: ("*UNKNOWN*", 0, _fixed(0)),
    42: ("Checksum", 22, _fixed(22)),
    43: ("*UNKNOWN*", 0, _fixed(0)),
    44: ("*UNKNOWN*", 0, _fixed(0)),
    45: ("ExtRest", 3, lambda r: 3 + u16(r, 1)),                  # LR §3.11 cbInfo @1
    46: ("Backup", 5, lambda r: 5 + u16(r, 3)),                   # LR §3.9 cbPath @3
    47: ("*UNKNOWN*", 0, _fixed(0)),
    48: ("EmptyTree", 46, lambda r: 46 + u16(r, 44)),             # LR §3.15 cbEmptyPageList @44
    49: ("Init", 576, _fixed(576)),
    50: ("Term", 26, _fixed(26)),
    51: ("RcvUndo", 9, _fixed(9)),
    52: ("RcvQuit", 26, _fixed(26)),
    53: ("BeginDT", 8, _fixed(8)),
    54: ("PreCommit", 7, lambda r: 7 + u32(r, 3)),                # LR §3.10 cbData @3
    55: ("PreRollbk", 3, _fixed(0)),                              # LR §2: no size rule
    56: ("*UNKNOWN*", 0, _fixed(0)),
    57: ("FWriteLog", 3, _fixed(3)),
    58: ("Convert", 68, _fixed(68)),
    59: ("ExtRest2", 3, lambda r: 3 + u16(r, 1)),
    60: ("Backup2", 35, lambda r: 35 + u16(r, 33)),               # LR §3.9 cbPath @33
    61: ("FRollLog", 5, lambda r: 5 + u16(r, 3)),
    62: ("Split2", 110, lambda r: 110 + u16(r, 100) + u16(r, 96) + u16(r, 98) + u32(r, 106)),
    63: ("Merge2", 96, lambda r: 96 + u16(r, 86) + u32(r, 92)),   # LR §3.17 cbPageBeforeImage @92
    64: ("Scrub", 54, lambda r: 54 + u16(r, 52)),                 # LR §3.15 cbData @52
    65: ("PageMove", 96, lambda r: 96 + u32(r, 88) + u32(r, 92)),  # LR §3.14 header/trailer
    66: ("PagePatch", 46, _fixed(46)),
    67: ("McroInfo", 5, _ignored),
    68: ("ExtendDB", 5, _ignored),
    69: ("CommitCtx", 5, _ignored),
    70: ("ScanCheck", 5, _ignored),
    71: ("NOP2", 5, _ignored),
    72: ("ReAttach", 5, _ignored),
    73: ("McroInfo2", 5, _ignored),
    74: ("FreeFDP", 5, _ignored),
    75: ("Ignored", 5, _ignored),
    76: ("FragBegin", 7, lambda r: 7 + u16(r, 5)),                # LR §3.21
    77: ("FragContd", 3, lambda r: 3 + u16(r, 1)),
    78: ("ShrinkDB", 10, _fixed(10)),
    79: ("CrDBFinsh", 4, _fixed(4)),
    80: ("RcvQKA", 26, _fixed(26)),
    81: ("TrimDB", 10, _fixed(10)),
    92: ("SetDbVer", 14, _fixed(14)),
    93: ("Delta64", 58, lambda r: 58 + u16(r, 44) + u16(r, 46)),
    94: ("ShrinkDB2", 10, _fixed(10)),
    95: ("NewPage", 20, _fixed(20)),
    96: ("PageMoveR", 16, _fixed(16)),
    97: ("SAttachDB", 2, _fixed(2)),
    98: ("ScanChk2", 27, _fixed(27)),
    99: ("ShrinkDB3", 18, _fixed(18)),
    100: ("ExtFreed", 11, _fixed(11)),
    101: ("ExtFreed2", 19, _fixed(19)),
}
for _t in range(82, 92):                                          # Ignored10 .. Ignored19
    SIZES[_t] = ("Ignored", 5, _ignored)
LRTYP_MAX = 102
assert sorted(SIZES) == list(range(LRTYP_MAX))                    # LR §2: exactly 102 entries

T_NOP, T_CHECKSUM, T_FRAGBEGIN, T_FRAGMENT = 0, 42, 76, 77
T_UNDOINFO, T_RCVUNDO, T_RCVUNDO2 = 36, 17, 51


def record_size(buf, p, limit, where):
    """LR §2 / §1.2 rule 8 three-stage read: type byte, fixed part, whole record, each within
    `limit` (the end of valid data, or of the segment).  Returns the total size."""
    t = buf[p]
    if t >= LRTYP_MAX:
        raise WalkError("%s: lrtyp %d >= 102" % (where, t))
    name, fixed, size = SIZES[t]
    if fixed == 0 or p + fixed > limit:
        raise WalkError("%s: lrtyp %d (%s) fixed part %d does not fit (%d bytes left)"
                        % (where, t, name, fixed, limit - p))
    n = size(buf[p:p + fixed])
    if n == 0 or p + n > limit:
        raise WalkError("%s: lrtyp %d (%s) size %d does not fit (%d bytes left)"
                        % (where, t, name, n, limit - p))
    return n


# --------------------------------------------------------------------------------------------
# v7: HDR §7.1 LRCHECKSUM chain -> end of valid data; LR §1.2 record walk.
# --------------------------------------------------------------------------------------------
def bytes_xor(buf, lo, hi, seed):
    """HDR §7.1 UlChecksumBytes: the range read as little-endian u32 words counted from its
    start, the last partial word zero-padded, XORed together with the seed."""
    n = hi - lo
    whole = n - n % 4
    acc = seed
    for (w,) in struct.iter_unpack("<I", buf[lo:lo + whole]):
        acc ^= w
    tail = buf[lo + whole:hi]
    if tail:
        acc ^= int.from_bytes(tail + bytes(4 - len(tail)), "little")
    return acc


def v7_checksum_chain(buf, gen, cbsec):
    """HDR §7.1 "Walking a file": follow cbNext from file offset 4096, check every LRCHECKSUM
    (FValidLRCKRecord rules 1-6 and the range checksum).  Returns (list of (P, cbBackwards),
    end offset).  Raises NotVerified on any failure (torn-write repair is not modelled)."""
    chain = []
    p = HDR
    size = len(buf)
    while True:
        where = "LRCHECKSUM at file offset 0x%X" % p
        if p + 22 > size:
            raise NotVerified(where + ": past the end of the file")
        t = buf[p]
        cb_back, cb_fwd, cb_next, ck, short_ck = struct.unpack_from("<5I", buf, p + 1)
        use_short = buf[p + 21]
        ib = p % cbsec
        sec_start = p - ib
        if t != T_CHECKSUM or cb_back > cbsec - 22:                            # rule 1
            raise NotVerified(where + ": not a valid LRCHECKSUM (lrtyp %d)" % t)
        if cb_back not in (0, ib):                                             # rule 3
            raise NotVerified(where + ": cbBackwards %d is neither 0 nor ib %d" % (cb_back, ib))
        range_end = p + 22 + cb_fwd
        if range_end > size:                                                   # rule 4
            raise NotVerified(where + ": forward range past the end of the file")
        multi = ib + 22 + cb_fwd > cbsec                                       # rule 5
        if use_short == 0x9A:                                                  # rule 2
            if not multi or range_end % cbsec != 0:
                raise NotVerified(where + ": short checksum on a single-sector flush")
            c = bytes_xor(buf, p - cb_back, p, 0xDEADC0DE)
            c = bytes_xor(buf, p + 22, sec_start + cbsec, c)
            c ^= cb_back ^ cb_fwd ^ cb_next ^ use_short ^ (gen & 0xFFFFFFFF)
            if c != short_ck:
                raise NotVerified(where + ": short checksum 0x%08X, computed 0x%08X" % (short_ck, c))
        elif use_short == 0xD1:
            if short_ck != 0 or multi:
                raise NotVerified(where + ": multi-sector flush without short checksum")
        else:
            raise NotVerified(where + ": bUseShortChecksum 0x%02X" % use_short)
        if cb_next != 0:                                                       # rule 6
            nxt = p + 22 + cb_next
            if (range_end % cbsec != 0 or range_end - sec_start < cbsec
                    or nxt // cbsec != range_end // cbsec):
                raise NotVerified(where + ": cbNext %d does not point into the sector after "
                                          "the range" % cb_next)
        c = bytes_xor(buf, p - cb_back, p, 0xFEEDBEAF)                         # range checksum
        c = bytes_xor(buf, p + 22, range_end, c)
        c ^= cb_back ^ cb_fwd ^ cb_next ^ use_short ^ (gen & 0xFFFFFFFF)
        if c != ck and c ^ 0x5AD05EC7 != ck:
            raise NotVerified(where + ": range checksum 0x%08X, computed 0x%08X" % (ck, c))
        chain.append((p, cb_back))
        if cb_next == 0:
            return chain, range_end
        p = p + 22 + cb_next


def walk_v7(buf, gen, cbsec, chain, end):
    """LR §1.2 walking algorithm.  Returns the records as (LGPOS, lrtyp, bytes) (rule 9: the
    LGPOS is the record's own position), the fill accounting (bytes skipped by the rule-7 jump;
    NOPs are records in v7, rule 5) and stats."""
    acc = {"skipped": 0}
    stats = {"fragmented": 0, "nonzero_fill": 0}
    records = []
    no_backward = {p: cb == 0 and p % cbsec != 0 for p, cb in chain}
    next_of = dict(zip([p for p, _ in chain], [p for p, _ in chain[1:]] + [None]))
    cur_range_end = None        # end of the forward range of the current LRCHECKSUM
    next_ck = chain[0][0]       # the LRCHECKSUM the walk must meet next
    pos = HDR
    while pos < end:
        where = "v7 record at (0x%x,%X,%X)" % (gen, pos // cbsec, pos % cbsec)
        # rule 7: past the current range, the bytes before an LRCHECKSUM without backward range
        # (cbBackwards 0 while not at a sector start) are untrusted: resume at that LRCHECKSUM.
        jump = (cur_range_end is not None and next_ck is not None and pos != next_ck
                and no_backward[next_ck])
        if jump and pos >= cur_range_end:
            acc["skipped"] += next_ck - pos
            pos = next_ck
            continue
        n = record_size(buf, pos, end, where)
        if jump and pos + n > cur_range_end:        # the straddling record is dropped
            acc["skipped"] += next_ck - pos
            pos = next_ck
            continue
        if next_ck is not None and pos < next_ck < pos + n:
            raise WalkError(where + ": record of %d bytes overlaps the LRCHECKSUM at 0x%X"
                            % (n, next_ck))
        t = buf[pos]
        if pos == next_ck:
            if t != T_CHECKSUM:
                raise WalkError(where + ": expected the LRCHECKSUM of the chain")
            cur_range_end = pos + 22 + u32(buf, pos + 5)        # @5 cbForwards
            next_ck = next_of[pos]
        records.append(((gen, pos // cbsec, pos % cbsec), t, buf[pos:pos + n]))
        pos += n
    if pos != end:
        raise WalkError("v7 walk ended at file offset 0x%X, not at the end 0x%X" % (pos, end))
    if next_ck is not None:
        raise WalkError("v7 walk never reached the LRCHECKSUM at 0x%X" % next_ck)
    return records, acc, stats


# --------------------------------------------------------------------------------------------
# v8: HDR §7.2 segment checksums -> end of valid data; LR §1.3 record walk.
# --------------------------------------------------------------------------------------------
SEG = 4096
SEGHDR = 40
SEG_WORDS = struct.Struct("<%dI" % (SEG // 4))


def xe_checksum(block, pgno):
    """HDR §6.2 new-format (ECC) checksum of a 4096-byte block, header block (words 0-1 count
    as zero), pgno folded into the low half."""
    words = SEG_WORDS.unpack(block)
    col = p = q = 0
    for i in range(2, len(words)):
        w = words[i]
        col ^= w
        if w.bit_count() & 1:
            p ^= i
            q ^= ~i & 0xFFFFFFFF
    r = s = 0
    for c in range(32):
        if col >> c & 1:
            r ^= c
            s ^= ~c & 0xFFFFFFFF
    m = len(words) - 1
    ecc = ((q & m) << 21) | ((s & 31) << 16) | ((p & m) << 5) | (r & 31)
    return (ecc << 32) | ((col ^ pgno) & 0xFFFFFFFF)


def v8_last_segment(buf, gen, csec_file, version):
    """HDR §7.2 verification loop over isec = 1 .. csecLGFile-2.  Returns the last good
    segment (0 when none).  Raises NotVerified for a bad segment (torn-write repair from the
    shadow is not modelled) or a good segment after an empty one."""
    last_good = 0
    empty_seen = False
    zero_filled = version >= (8, 4000, 2)
    for isec in range(1, csec_file - 1):
        seg = buf[isec * SEG:(isec + 1) * SEG]
        if len(seg) < SEG:
            raise NotVerified("segment %d past the end of the file" % isec)
        stored = struct.unpack_from("<Q", seg, 0)[0]
        if xe_checksum(seg, isec) == stored:                                   # step 1
            lg = lgpos_at(seg, 8)
            key, want = (lg[0], lg[1], lg[2]), (gen, isec, 0)
            if key == want:
                if empty_seen:
                    raise NotVerified("good segment %d after an empty one" % isec)
                last_good = isec
            elif key < want:
                empty_seen = True                                              # stale
            else:
                raise NotVerified("segment %d: le_lgposSegment %r > %r" % (isec, key, want))
        elif xe_checksum(seg, isec - 1) == stored:                             # step 2 shadow
            empty_seen = True
        elif zero_filled and not any(seg):                                     # step 3
            empty_seen = True
        else:                                                                  # step 4
            raise NotVerified("segment %d fails its checksum" % isec)
    return last_good


def walk_v8(buf, gen, last_seg):
    """LR §1.3 walking algorithm (pseudo-code after rule 8).  Returns the records as
    (LGPOS, lrtyp, bytes) and the fill accounting."""
    acc = {"segment_headers": 0, "zero_fill": 0, "fragment_headers": 0, "dropped": 0}
    stats = {"fragmented": 0, "nonzero_fill": 0}
    records = []
    pos = (gen, 1, 0)       # rule 8: LGPOS = the byte right after the previous record
    frag = None             # [lgpos, total, pieces, bytes so far]
    for isec in range(1, last_seg + 1):
        base = isec * SEG
        seg_end = base + SEG
        acc["segment_headers"] += SEGHDR
        p = base + SEGHDR
        first = True
        while p < seg_end:
            where = "v8 record at (0x%x,%X,%X)" % (gen, isec, p - base)
            t = buf[p]
            if t == T_NOP:                              # rule 4: zero fill to the segment end
                fill = buf[p:seg_end]
                acc["zero_fill"] += len(fill)
                if any(fill):
                    stats["nonzero_fill"] += 1
                p = seg_end
                break
            if t == T_FRAGBEGIN:                        # rule 5
                if seg_end - p < 7:
                    raise WalkError(where + ": FragmentBegin header does not fit")
                total, piece = u32(buf, p + 1), u16(buf, p + 5)
                if frag is not None:
                    if not (first and piece > 0 and buf[p + 7] == T_UNDOINFO):
                        raise WalkError(where + ": FragmentBegin while reassembling")
                    pos = drop_torn_fragment(frag, acc, gen, isec)
                    frag = None
                if piece >= total or p + 7 + piece > seg_end:
                    raise WalkError(where + ": FragmentBegin piece %d of %d" % (piece, total))
                frag = [pos, total, bytearray(buf[p + 7:p + 7 + piece]), 7]
                acc["fragment_headers"] += 7
                p += 7 + piece
                first = False
                continue
            if t == T_FRAGMENT:
                if frag is None:
                    raise WalkError(where + ": Fragment without FragmentBegin")
                if seg_end - p < 3:
                    raise WalkError(where + ": Fragment header does not fit")
                piece = u16(buf, p + 1)
                if p + 3 + piece > seg_end or len(frag[2]) + piece > frag[1]:
                    raise WalkError(where + ": Fragment piece %d too long" % piece)
                frag[2] += buf[p + 3:p + 3 + piece]
                frag[3] += 3
                acc["fragment_headers"] += 3
                p += 3 + piece
                first = False
                if len(frag[2]) == frag[1]:
                    rec = bytes(frag[2])
                    n = record_size(rec, 0, len(rec), where + " (reassembled)")
                    if n != frag[1]:
                        raise WalkError(where + ": reassembled size %d != total %d" % (n, frag[1]))
                    records.append((frag[0], rec[0], rec))
                    stats["fragmented"] += 1
                    frag = None
                    pos = lgpos_v8(gen, p)
                continue
            if frag is not None:                        # torn fragment chain
                if first and t in (T_RCVUNDO, T_RCVUNDO2, T_UNDOINFO):
                    pos = drop_torn_fragment(frag, acc, gen, isec)
                    frag = None
                else:
                    raise WalkError(where + ": record while reassembling a fragment")
            n = record_size(buf, p, seg_end, where)     # rule 3: never crosses the segment
            records.append((pos, t, buf[p:p + n]))
            p += n
            pos = lgpos_v8(gen, p)
            first = False
    if frag is not None:
        raise WalkError("v8 walk ended inside a fragmented record")
    return records, acc, stats


def drop_torn_fragment(frag, acc, gen, isec):
    """LR §1.3 rule 5: a chain cut by a crash is dropped; its pieces and headers become
    "dropped" fill.  The record that follows starts segment isec; it gets (gen, isec, 0) as any
    first record of a segment after a record that did not run on (rule 8; INFERENCE, no corpus
    log has a torn chain)."""
    acc["fragment_headers"] -= frag[3]
    acc["dropped"] += frag[3] + len(frag[2])
    return (gen, isec, 0)


def lgpos_v8(gen, off):
    return (gen, off // SEG, off % SEG)


# --------------------------------------------------------------------------------------------
# LR §4.6: ErrLrToPageRef, one (dbid, pgno) per reference.
# --------------------------------------------------------------------------------------------
NODE_ONE_REF = {29, 30, 31, 32, 33, 34, 35, 37, 93, 38, 39, 64}


def page_refs(t, r):
    """LR §4.6 table; offsets from LR §3.14-3.18.  "(each if != 0)" rows drop pgno 0."""
    if t in NODE_ONE_REF:               # LRPAGE_ dbid @3, pgno @4 (LR §3.1)
        return [(r[3], u32(r, 4))]
    if t in (27, 62):                   # Split: pgno, pgnoNew @32, pgnoParent @48, pgnoRight @36
        return [(r[3], g) for g in (u32(r, 4), u32(r, 32), u32(r, 48), u32(r, 36)) if g]
    if t in (28, 63):                   # Merge: pgno, pgnoRight @32, pgnoLeft @44, pgnoParent @56
        return [(r[3], g) for g in (u32(r, 4), u32(r, 32), u32(r, 44), u32(r, 56)) if g]
    if t in (24, 26, 58):               # CreateMEFDP / ConvertFDP: pgno, pgnoOE @36, pgnoAE @40
        return [(r[3], u32(r, 4)), (r[3], u32(r, 36)), (r[3], u32(r, 40))]
    if t == 25:                         # CreateSEFDP: pgno
        return [(r[3], u32(r, 4))]
    if t == 48:                         # EmptyTree: EMPTYPAGE (16 bytes) from @46, pgno at +8
        cb = u16(r, 44)
        return [(r[3], u32(r, 46 + 16 * i + 8)) for i in range(cb // 16)]
    if t == 65:                         # PageMove: source, dest @32, parent @44, left @36, right @40
        pgnos = (u32(r, 4), u32(r, 32), u32(r, 44), u32(r, 36), u32(r, 40))
        return [(r[3], g) for g in pgnos if g]
    if t == 70:                         # ScanCheck: dbid @5, pgno @6 (LR §3.13)
        return [(r[5], u32(r, 6))]
    if t == 98:                         # ScanCheck2: dbid @1, pgno @2
        return [(r[1], u32(r, 2))]
    if t == 95:                         # NewPage: dbid @3, pgno @4 (LR §3.14)
        return [(r[3], u32(r, 4))]
    if t in (100, 101):                 # ExtentFreed: dbid @1, first @2, cpg @6
        first, cpg = u32(r, 2), i32(r, 6)
        return [(r[1], first + i) for i in range(max(cpg, 0))]
    return []


# LR §3.22: where a record says which dbtime a page gets.
LRPAGE_FAMILY = set(range(24, 40)) | {48, 58, 62, 63, 64, 65, 93}
DBTIME_INVALID = 0xFFFFFFFFFFFFFFFE         # dbtimeNil is 0xFF..FF, both left out (LR §0)


def dbtime_after(t, r):
    """(dbid, dbtimeAfter) or None."""
    if t in LRPAGE_FAMILY:
        dbid, dbtime = r[3], struct.unpack_from("<Q", r, 8)[0]
    elif t == 95:                                       # NewPage: dbid @3, dbtimeAfter @12
        dbid, dbtime = r[3], struct.unpack_from("<Q", r, 12)[0]
    elif t == 96:                                       # RootPageMove: dbtimeAfter @1, dbid @9
        dbid, dbtime = r[9], struct.unpack_from("<Q", r, 1)[0]
    else:
        return None
    return None if dbtime >= DBTIME_INVALID else (dbid, dbtime)


# --------------------------------------------------------------------------------------------
# LR §3.5-3.7: CreateDB / AttachDB / DetachDB.
# --------------------------------------------------------------------------------------------
def name_area(raw, unicode):
    """First NUL-terminated name: UTF-16LE or 8-bit (cp1252, LR §7 item 3)."""
    if unicode:
        n = len(raw) - len(raw) % 2
        for i in range(0, n, 2):
            if raw[i] == 0 and raw[i + 1] == 0:
                n = i
                break
        return bytes(raw[:n]).decode("utf-16-le", errors="replace")
    return bytes(raw).split(b"\0", 1)[0].decode("cp1252", errors="replace")


def db_event(lgpos, t, r):
    if t == 14:                                         # CreateDB (LR §3.5)
        flags = r[42]
        start = 47 if flags & 0x04 else 43
        path = name_area(r[start:start + u16(r, 40)], flags & 0x08)
        return ["create", lgpos_dec(lgpos), str(r[3]), "%08x" % u32(r, 12), "", "", path]
    if t == 15:                                         # AttachDB (LR §3.6)
        path = name_area(r[75:75 + u16(r, 72)], r[74] & 0x08)
        return ["attach", lgpos_dec(lgpos), str(r[3]), "%08x" % u32(r, 16), "%08x" % u32(r, 44),
                lgpos_dec(lgpos_at(r, 8)), path]
    if t == 16:                                         # DetachDB (LR §3.7)
        path = name_area(r[7:7 + u16(r, 4)], r[6] & 0x10)
        return ["detach", lgpos_dec(lgpos), str(r[3]), "", "", "", path]
    return None


# --------------------------------------------------------------------------------------------
# LR §3.10: transactions per session (procid @1 of every LRTRX_ record).
# --------------------------------------------------------------------------------------------
T_BEGIN, T_COMMIT, T_ROLLBACK, T_BEGIN0, T_COMMIT0 = 5, 6, 7, 8, 9
T_END_ALL_SESSIONS = {1, 49, 2, 50, 18, 52, 80}    # Init*, Term*, RecoveryQuit* (LR §5.1)


def open_transactions(records):
    """Sessions opened by a Begin0 of this file and not ended in it, ordered by that Begin0."""
    sessions = {}                                   # procid -> [level, trxBegin0, lgpos]
    for lgpos, t, r in records:
        if t in T_END_ALL_SESSIONS:
            sessions = {}
            continue
        if t not in (T_BEGIN, T_COMMIT, T_ROLLBACK, T_BEGIN0, T_COMMIT0):
            continue
        pid = u16(r, 1)
        if t == T_BEGIN0:                           # @3 from (low nibble) + count (high), @4 trx
            sessions[pid] = [(r[3] & 0x0F) + (r[3] >> 4), u32(r, 4), lgpos]
        elif pid not in sessions:
            continue                                # begun in an earlier file
        elif t == T_BEGIN:
            sessions[pid][0] = (r[3] & 0x0F) + (r[3] >> 4)
        elif t == T_COMMIT:                         # @3 levelCommitTo
            sessions[pid][0] = r[3]
        elif t == T_COMMIT0:
            del sessions[pid]
        else:                                       # Rollback: @3 levelRollback
            sessions[pid][0] -= r[3]
            if sessions[pid][0] <= 0:
                del sessions[pid]
    return sorted(sessions.items(), key=lambda kv: kv[1][2])


# --------------------------------------------------------------------------------------------
# One log -> one row.
# --------------------------------------------------------------------------------------------
def derive_log(buf):
    h = buf[:HDR]
    gen, cbsec = i32(h, L_GEN), u16(h, L_CBSEC)
    major = u32(h, L_MAJOR)
    version = (major, u32(h, L_MINOR), u32(h, L_UPMAJOR), u32(h, L_UPMINOR))
    if major <= 7:                                      # LR §1.1 FIsOldLrckLogFormat
        fmt = "v7"
        chain, end_off = v7_checksum_chain(buf, gen, cbsec)
        records, acc, stats = walk_v7(buf, gen, cbsec, chain, end_off)
        end = (gen, end_off // cbsec, end_off % cbsec)
    else:
        fmt = "v8"
        cbsec = SEG
        last_seg = v8_last_segment(buf, gen, u16(h, L_CSECFILE), version)
        records, acc, stats = walk_v8(buf, gen, last_seg)
        end_off = (last_seg + 1) * SEG
        end = (gen, last_seg + 1, 0)
    data_bytes = end_off - HDR
    record_bytes = sum(len(r) for _, _, r in records)
    fill = data_bytes - record_bytes
    # Accounting (issue 10 "sizes + fill = data"): every byte of valid data is a record byte
    # or one of the fill kinds the walker counted.
    counted = sum(acc.values())
    if fill != counted:
        raise WalkError("accounting: data %d - records %d = %d, fill counted %d (%r)"
                        % (data_bytes, record_bytes, fill, counted, acc))
    # LGPOS strictly increase and stay below the end (LR §0: compared as (gen, isec, ib)).
    for (a, _, _), (b, _, _) in zip(records, records[1:] + [(end, None, None)]):
        if not a < b:
            raise WalkError("LGPOS %s is not below the next %s" % (a, b))
    by_name, by_t = {}, {}
    refs, distinct, events, dbtimes = {}, {}, [], {}
    for lgpos, t, r in records:
        name = SIZES[t][0]
        by_name[name] = by_name.get(name, 0) + 1
        by_t[t] = by_t.get(t, 0) + 1
        for dbid, pgno in page_refs(t, r):
            refs[dbid] = refs.get(dbid, 0) + 1
            distinct.setdefault(dbid, set()).add(pgno)
        dt = dbtime_after(t, r)
        if dt is not None:
            lo, hi = dbtimes.get(dt[0], (dt[1], dt[1]))
            dbtimes[dt[0]] = (min(lo, dt[1]), max(hi, dt[1]))
        ev = db_event(lgpos, t, r)
        if ev is not None:
            events.append(";".join(ev))
    row = {
        "sig_log": "%08x" % u32(h, 44),                 # not a column: for database_report
        "format": fmt,
        "end_generation": str(end[0]),
        "end_sector": str(end[1]),
        "end_offset": str(end[2]),
        "last_lgpos": "(0x%x,%X,%X)" % end,
        "data_bytes": str(data_bytes),
        "record_bytes": str(record_bytes),
        "fill_bytes": str(fill),
        "records": str(len(records)),
        "by_type": ",".join("%s=%d" % kv for kv in sorted(by_name.items())),
        "by_lrtyp": ",".join("%d=%d" % kv for kv in sorted(by_t.items())),
        "fill_detail": ",".join("%s=%d" % kv for kv in acc.items() if kv[1]),
        "fragmented_records": str(stats["fragmented"]),
        "page_references": str(sum(refs.values())),
        "page_refs_by_dbid": ",".join("%d=%d" % kv for kv in sorted(refs.items())),
        "pages_by_dbid": ",".join("%d=%d" % (k, len(v)) for k, v in sorted(distinct.items())),
        "dbtime_by_dbid": ",".join("%d=%d-%d" % (k, lo, hi)
                                   for k, (lo, hi) in sorted(dbtimes.items())),
        "events": " | ".join(events),
        "tx_open_at_end": " ".join("%d:%d@%s" % (pid, trx, lgpos_dec(lg))
                                   for pid, (_, trx, lg) in open_transactions(records)),
    }
    return row, records, stats


def derive(corpus):
    rows, skipped, details = [], [], {}
    for dirpath, dirnames, filenames in os.walk(corpus):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            if not os.path.isfile(path):
                continue
            rel = os.path.relpath(path, corpus).replace(os.sep, "/")
            with open(path, "rb") as f:
                head = f.read(HDR)
                if not looks_like_log(head):
                    continue
                if os.path.getsize(path) <= HDR:
                    skipped.append((rel, "header only"))
                    continue
                buf = head + f.read()
            try:
                row, records, stats = derive_log(buf)
            except NotVerified as e:
                skipped.append((rel, "content does not verify: %s" % e))
                continue
            except WalkError as e:      # verified content that cannot be walked: say so and stop
                raise SystemExit("%s: %s" % (rel, e))
            row["file"] = rel
            for k in COLUMNS:
                if "\t" in row[k] or "\n" in row[k]:
                    raise SystemExit("%s: field %s holds a tab/newline" % (rel, k))
            rows.append(row)
            details[rel] = (row, records, stats)
            if stats["nonzero_fill"]:
                print("note %s: %d zero-fill runs hold non-zero bytes" % (rel, stats["nonzero_fill"]),
                      file=sys.stderr)
    rows.sort(key=lambda r: r["file"])
    lines = ["\t".join(COLUMNS)] + ["\t".join(r[c] for c in COLUMNS) for r in rows]
    return "\n".join(lines) + "\n", skipped, details


# --------------------------------------------------------------------------------------------
# LR §8: the figures FORMAT-LOGREC states were confirmed against the corpus, re-derived here.
# --------------------------------------------------------------------------------------------
# Logs added to the corpus after LR §8 was written (it counted 40 whole logs).
ADDED_AFTER_LR8 = ("AndrewRathbun-DFIRArtifactMuseum/Windows/SRUM/Win10/RathbunVM/Dirty/",
                   "AndrewRathbun-DFIRArtifactMuseum/Windows/SRUM/Win11/Clean/",
                   "AndrewRathbun-DFIRArtifactMuseum/Windows/SRUM/Win11/Dirty/",
                   "wildryry-math/")
CATROOT2 = "itdaniher-08673BEB64A2AFC69D33B9FB03ECD0833856E6D4/WINDOWS/system32/CatRoot2/"
SRUM = "AndrewRathbun-DFIRArtifactMuseum/Windows/SRUM/"
S2022 = SRUM + "Server2022/APTSimulatorVM/APTSimulatorVM_SRUM_Clean_Server2022"


def lr8_report(details):
    """Yield (agrees, text) for every LR §8 statement this script can re-derive."""
    def recs(rel):
        return details[rel][1] if rel in details else []

    def fmt(p):
        return "(%X,%X,%X)" % p

    old = [rel for rel in details if not rel.startswith(ADDED_AFTER_LR8)]
    n_old = sum(len(recs(rel)) for rel in old)
    yield (len(old) == 40 and n_old == 35599,
           "LR §8 heading: 40 whole logs, 35,599 records -> %d logs, %d records (whole corpus now: "
           "%d logs, %d records)" % (len(old), n_old, len(details),
                                     sum(len(recs(rel)) for rel in details)))
    # item 1: Term2 at (5C,2,0) carries the Init2 LGPOS (5B,E,0)
    rel = SRUM + "Win11/RathbunVM/Dirty/SRU.log"
    hit = [lgpos_at(r, 1) for lg, t, r in recs(rel) if t == 50 and lg == (0x5C, 2, 0)]
    yield (hit == [(0x5B, 0xE, 0)],
           "item 1: Term2 at (5C,2,0) of %s carries %s (LR: (5B,E,0))"
           % (rel, ", ".join(fmt(h) for h in hit) or "no such record"))
    # item 2: a CatRoot2 Begin0 with byte 0x20, then Commit to 1 and Begin from 1 to 2
    seen = None
    for rel in sorted(r for r in details if r.startswith(CATROOT2)):
        state = {}
        for lg, t, r in recs(rel):
            if t == T_BEGIN0 and r[3] == 0x20:
                state[u16(r, 1)] = 1
            elif t == T_COMMIT and state.get(u16(r, 1)) == 1 and r[3] == 1:
                state[u16(r, 1)] = 2
            elif (t == T_BEGIN and state.get(u16(r, 1)) == 2 and r[3] & 0x0F == 1
                  and (r[3] & 0x0F) + (r[3] >> 4) == 2):
                seen = seen or (rel, lg)
    yield (seen is not None,
           "item 2: Begin0 0x20 (from 0, 2 levels) -> Commit to 1 -> Begin from 1 to 2: %s"
           % ("first at %s %s" % (seen[0].rsplit("/", 1)[1], fmt(seen[1])) if seen else "not found"))
    # item 3: the Belkasoft SRU.log (generation 0x52) holds no record
    rel = SRUM + "Win10/BelkasoftCTF_InsiderThreat/Dirty/SRU.log"
    row = details[rel][0] if rel in details else None
    yield (row is not None and row["records"] == "0" and row["last_lgpos"] == "(0x52,1,0)",
           "item 3: Belkasoft SRU.log: %s records, Last Lgpos %s (eseutil adds one synthetic NOP)"
           % (row and row["records"], row and row["last_lgpos"]))
    # item 6: in v8 the first record after a Term2 sits at ib 0x42
    ibs = {}
    for rel, (row, rs, _) in details.items():
        if row["format"] != "v8":
            continue
        for (lg0, t0, _r0), (lg1, t1, _r1) in zip(rs, rs[1:]):
            if t0 == 50 and lg0[2] == 0:
                ibs.setdefault(lg1[2], []).append((SIZES[t1][0], rel))
    yield (set(ibs) == {0x42},
           "item 6: records right after a Term2 at a segment start: ib %s (%s)"
           % (",".join("0x%X" % k for k in sorted(ibs)),
              ", ".join("%s x%d" % (n, sum(1 for x in v if x[0] == n))
                        for v in ibs.values() for n in sorted({x[0] for x in v}))))
    # item 8: full v7 generations end at (gen,FF,0); edb0007E: 599 trailing NOPs after the last
    # Begin at (7E,FD,1A5); NOP runs of 8-19 inside a generation pad before an LRCHECKSUM
    ends = sorted(details[rel][0]["last_lgpos"] for rel in details
                  if rel.startswith(CATROOT2) and details[rel][0]["data_bytes"] == "126464")
    yield (len(ends) == 5 and all(e.endswith(",FF,0)") for e in ends),
           "item 8: full CatRoot2 generations end at %s" % " ".join(ends))
    runs = {}                                       # rel -> [(start lgpos, length, next type)]
    for rel in sorted(r for r in details if r.startswith(CATROOT2)):
        cur, rs = None, recs(rel)
        for lg, t, _r in rs:
            if t == T_NOP:
                cur = cur or [lg, 0]
                cur[1] += 1
            elif cur:
                runs.setdefault(rel, []).append((cur[0], cur[1], t))
                cur = None
        if cur:
            runs.setdefault(rel, []).append((cur[0], cur[1], None))
    rel = CATROOT2 + "edb0007E.log"
    tail = runs.get(rel, [])[-1:]
    last_real = [(lg, t) for lg, t, _r in recs(rel) if t != T_NOP][-1:]
    yield (tail and tail[0][1] == 599 and tail[0][2] is None
           and last_real == [((0x7E, 0xFD, 0x1A5), T_BEGIN)],
           "item 8: edb0007E.log ends with a run of %s NOPs from %s after %s at %s"
           % (tail and tail[0][1], tail and fmt(tail[0][0]),
              last_real and SIZES[last_real[0][1]][0], last_real and fmt(last_real[0][0])))
    inner = [(lg, n, nt) for v in runs.values() for (lg, n, nt) in v if nt is not None]
    lens = sorted({n for _, n, _ in inner}) or [0]
    # LR §1.2 rule 4 / §7 item 1: padding so that an LRCHECKSUM (22 bytes) starts a sector
    yield (bool(inner) and all(nt == T_CHECKSUM and (lg[2] + n) % 512 == 0 and n < 22
                               for lg, n, nt in inner),
           "item 8 / LR §1.2 rule 4: all %d NOP runs inside CatRoot2 generations end on a "
           "sector boundary, are shorter than 22 bytes and are followed by %s"
           % (len(inner), ",".join(sorted({SIZES[nt][0] for _, _, nt in inner}))))
    yield (min(lens) >= 8 and max(lens) <= 19,
           "item 8: those NOP runs are %d to %d long (LR: 8 to 19)" % (min(lens), max(lens)))
    tails = [(rel.rsplit("/", 1)[1], v[-1][1]) for rel, v in sorted(runs.items())
             if v[-1][2] is None]
    yield (True, "item 8 (extra): trailing NOP runs: %s"
           % ", ".join("%s %d" % x for x in tails))
    # item 9: Server 2022 generation 1 creates its database; seven Split2
    rel = S2022 + "/SRU/SRU00001.log"
    names = {}
    for _lg, t, _r in recs(rel):
        names[SIZES[t][0]] = names.get(SIZES[t][0], 0) + 1
    want = ["CreateDB", "CrDBFinsh", "Create M", "Create S", "NewPage", "Insert", "Replace",
            "Delete", "FDelete", "SetExtHdr", "Convert", "ExtendDB", "SetDbVer", "Split2"]
    missing = [w for w in want if w not in names]
    yield (not missing and names.get("Split2") == 7,
           "item 9: Server 2022 SRU00001.log: %s present%s; Split2 %d, McroBegin %d, McroComit %d"
           % (", ".join(w for w in want if w in names),
              (", missing " + ", ".join(missing)) if missing else "", names.get("Split2", 0),
              names.get("McroBegin", 0), names.get("McroComit", 0)))
    rel = S2022 + "/SRU/SRU.log"
    last = [(lg, t) for lg, t, _r in recs(rel) if t not in (T_NOP, 71)][-1:]
    yield (last == [((2, 2, 0), 50)],
           "item 9: first snapshot SRU.log ends with %s at %s (LR: a Term at (2,2,0))"
           % (last and SIZES[last[0][1]][0], last and fmt(last[0][0])))
    rel = S2022 + "_1DayLater/SRU/SRUtmp.log"
    row = details[rel][0] if rel in details else None
    yield (row is not None and row["last_lgpos"] == "(0x2,F,0)",
           "item 9: second snapshot SRUtmp.log (generation 2) sound to %s (LR: (2,F,0))"
           % (row and row["last_lgpos"]))
    n27 = sum(1 for rel in details if rel.startswith(CATROOT2) for _lg, t, _r in recs(rel) if t == 27)
    yield (n27 == 4, "item 9: old-style Split (type 27) records in CatRoot2: %d (LR: four)" % n27)
    # heading: no byte unaccounted for (asserted per log in derive_log)
    yield (True, "heading: record bytes + fill = valid data asserted for all %d logs" % len(details))


def checkpoint_report(corpus, details):
    """The engine's own files as a check of the LGPOS convention (LR §1.2 rule 9, §1.3 rule 8):
    a checkpoint (le_filetype 4, LGPOS @12, HDR §5) of a folder whose log of that generation was
    walked must point at the LGPOS of a record of that log or at its end of data."""
    by_gen = {}
    for rel, (row, rs, _) in details.items():
        by_gen[(os.path.dirname(rel), int(row["end_generation"]))] = (
            rel, {lg for lg, _, _ in rs},
            (int(row["end_generation"]), int(row["end_sector"]), int(row["end_offset"])))
    checked, bad = 0, []
    for dirpath, dirnames, filenames in os.walk(corpus):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            if os.path.getsize(path) != 2 * HDR:
                continue
            with open(path, "rb") as f:
                c = f.read(HDR)
            if not xor32_ok(c) or u32(c, FILETYPE) != 4:
                continue
            lg = lgpos_at(c, 12)
            key = (os.path.relpath(dirpath, corpus).replace(os.sep, "/"), lg[0])
            if key[0] == ".":
                key = ("", lg[0])
            if key not in by_gen:
                continue
            rel, positions, end = by_gen[key]
            checked += 1
            if lg not in positions and lg != end:
                bad.append("%s (%X,%X,%X)" % (rel, lg[0], lg[1], lg[2]))
    yield (checked > 0 and not bad,
           "checkpoints: %d of the corpus point into a walked log; %s"
           % (checked, "each at a record LGPOS or the end of data" if not bad
              else "not at a record boundary: " + ", ".join(bad)))


def database_report(corpus, details):
    """The engine's own files again: a database header's le_lgposAttach (@80, HDR §1.2) is the
    LGPOS of the CreateDB / AttachDB record that attached it (LR §3.23).  For every database of
    the corpus whose log stream (signLog random @108 = the log header's @44) has the log of that
    generation walked here, that log must hold a create/attach event at exactly that LGPOS with
    the same signDb random (@24)."""
    logs = {}                                       # (signLog random, generation) -> [rel]
    for rel, (row, _rs, _) in details.items():
        logs.setdefault((row["sig_log"], int(row["end_generation"])), []).append(rel)
    checked, bad = 0, []
    for dirpath, dirnames, filenames in os.walk(corpus):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            with open(path, "rb") as f:
                h = f.read(HDR)
            if len(h) < HDR or u32(h, 4) != DB_MAGIC:
                continue
            attach = lgpos_at(h, 80)
            cands = logs.get(("%08x" % u32(h, 108), attach[0]), [])
            if attach == (0, 0, 0) or not cands:
                continue
            checked += 1
            want = (lgpos_dec(attach), "%08x" % u32(h, 24))
            found = any((e.split(";")[1], e.split(";")[3]) == want
                        for rel in cands for e in details[rel][0]["events"].split(" | ") if e)
            if not found:
                bad.append("%s (%s)" % (os.path.relpath(path, corpus), want[0]))
    yield (checked > 0 and not bad,
           "databases: %d headers' lgposAttach fall in a walked log; %s"
           % (checked, "each is the LGPOS of a create/attach event with the same signDb"
              if not bad else "no matching event: " + ", ".join(bad)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--strict", action="store_true",
                    help="exit 1 when an LR §8 statement is not reproduced")
    args = ap.parse_args()
    if not os.path.isdir(args.corpus):
        raise SystemExit("corpus directory not found: %s" % args.corpus)
    text, skipped, details = derive(args.corpus)
    if not args.quiet:
        for rel, why in skipped:
            if why != "header only":
                print("skipped %s: %s" % (rel, why), file=sys.stderr)
        print("%d whole logs walked, %d header-only skipped, %d not verifying skipped"
              % (len(details), sum(1 for _, w in skipped if w == "header only"),
                 sum(1 for _, w in skipped if w != "header only")), file=sys.stderr)
    disagreements = 0
    checks = (list(lr8_report(details)) + list(checkpoint_report(args.corpus, details))
              + list(database_report(args.corpus, details)))
    for agrees, text_line in checks:
        disagreements += not agrees
        if not args.quiet:
            print("%s %s" % ("agrees:   " if agrees else "DISAGREES:", text_line), file=sys.stderr)
    if args.strict and disagreements:
        print("%d LR §8 statements not reproduced" % disagreements, file=sys.stderr)
        return 1
    if args.check:
        try:
            with open(OUT, encoding="utf-8", newline="") as f:
                old = f.read()
        except FileNotFoundError:
            old = ""
        if old != text:
            sys.stdout.writelines(difflib.unified_diff(
                old.splitlines(True), text.splitlines(True),
                "expected-records.tsv (on disk)", "expected-records.tsv (recomputed)"))
            print("expected-records.tsv differs from the bytes", file=sys.stderr)
            return 1
        print("expected-records.tsv matches", file=sys.stderr)
        return 0
    with open(OUT, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    print("wrote %s (%d rows)" % (OUT, text.count("\n") - 1), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
