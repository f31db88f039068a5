#!/usr/bin/env python3
"""Derive the expected log-header and checkpoint values of the shared corpus from the raw bytes.

Python 3 standard library only, deterministic, independent of the Rust code.  Walks every
file of the corpus, classifies it from its first bytes, decodes the header fields of every
transaction log and checkpoint file (offsets from docs/format-common.md §2-§3,
format-log.md §4, format-checkpoint.md §5, format-page.md §6) and
writes testdata/expected-logs.tsv (tab separated, one header line, rows sorted by path).

Usage:  python3 testdata/derive-expected-logs.py [--corpus DIR] [--check]
        --corpus DIR  corpus root (default: <this dir>/../../shared/corpus, i.e.
                      ../shared/corpus relative to the repository root)
        --check       do not write; recompute and compare with the existing
                      expected-logs.tsv, print the differences, exit 1 if any

Classification (first 4096 bytes; docs/format-common.md §0.1):
  * XOR-32 checksum (docs/format-page.md §6.1): 0x89ABCDEF XOR every little-endian u32 of a
    4096-byte block except word 0; valid when equal to the u32 at offset 0.
  * log:        le_filetype (u32 @667) is 3, or 0 (old format) with no database magic
                at @4 and le_ulMajor (@32) 7 or 8 and le_cbSec (@8) a power of two >= 512;
                and the checksum of bytes 0..4095 is valid.  A log of exactly 4096 bytes
                whose header promises more (csecLGFile*cbSec > 4096) is "header-only".
  * checkpoint: file size 8192 and one of the two 4096-byte copies has a valid checksum
                and le_filetype 4 (or 0 without database magic).  Values are decoded from
                the primary copy (offset 0) if it is valid, else from the shadow (4096);
                checksum_ok reports the primary copy only.
  * anything else (databases, flush maps, all-zero / 0xDA-pattern / leftover reserve
    logs, archives, PROVENANCE.md) has no row.

Value formats:
  * LOGTIME (8 bytes): sec, min, hour, day, month (1-12), year-1900, byte6 bit0 = UTC
    flag + bits1-7 ms low 7 bits, byte7 bits1-3 = ms bits 7-9; rendered
    YYYY-MM-DDTHH:MM:SS.mmm plus "Z" only when the UTC flag is set; "null" if all 8
    bytes are zero.
  * random numbers: 8 lower-case hex digits.
  * ANSI strings (szSystemPath, non-Unicode attach names) up to the first NUL, decoded
    as cp1252 (every byte in this corpus is ASCII anyway).
  * attach list (docs/format-log.md §4.3, 2048 bytes at log @671 / checkpoint @679): records
    u8 dbid, u8 flags, u16 cbNames, 60 more fixed bytes, cbNames bytes of names; dbid 0
    ends the list; the first name is UTF-16LE when flags & 0x20, else ANSI.  Records
    "<dbid>:<name>" joined with " | "; attached_db_random = signDb random (record +36)
    of each record joined with " | ".  A record that would run past the 2048 bytes is
    rendered "<dbid>:!overrun" and ends the walk (does not occur in the corpus).
  * empty cell = field does not exist for that kind.
"""
import argparse
import difflib
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CORPUS = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "corpus"))
OUT = os.path.join(HERE, "expected-logs.tsv")

COLUMNS = ["file", "kind", "file_size", "checksum_ok", "generation", "chk_isec", "chk_ib",
           "sig_random", "sig_created", "format_version", "sector_size", "header_sectors",
           "file_sectors", "size_matches", "created", "prev_created", "circular_logging",
           "lg_flags", "system_path", "attached", "attached_db_random"]

HDR = 4096
DB_MAGIC = 0x89ABCDEF
FT_LOG, FT_CHK = 3, 4

# log header (LGFILEHDR) offsets
L_GEN, L_CBSEC, L_CSECHDR, L_CSECFILE = 4, 8, 10, 12
L_CREATE, L_PREVGEN = 16, 24
L_MAJOR, L_MINOR, L_UPMAJOR, L_UPMINOR = 32, 36, 40, 648
L_SIGN, L_DBMS, L_FLAGS, L_ATTACH = 44, 72, 639, 671
# checkpoint offsets
C_LGPOS, C_SIGN, C_DBMS, C_ATTACH = 12, 20, 48, 679
FILETYPE = 667
DBMS_FLAGS = 522          # fDBMSPARAMFlags, relative to DBMS_PARAM
SYSPATH_LEN = 261
ATTACH_LEN = 2048


def u8(b, off):
    return b[off]


def u16(b, off):
    return struct.unpack_from("<H", b, off)[0]


def u32(b, off):
    return struct.unpack_from("<I", b, off)[0]


def i32(b, off):
    return struct.unpack_from("<i", b, off)[0]


def xor_ok(block):
    """docs/format-page.md §6.1 over one 4096-byte block."""
    if len(block) < HDR:
        return False
    acc = 0x89ABCDEF
    for (w,) in struct.iter_unpack("<I", block[4:HDR]):
        acc ^= w
    return acc == u32(block, 0)


def logtime(b, off):
    t = b[off:off + 8]
    if t == bytes(8):
        return "null"
    sec, mi, hr, day, mon, yr, b6, b7 = t
    ms = (b6 >> 1) | (((b7 >> 1) & 0x7) << 7)
    s = "%04d-%02d-%02dT%02d:%02d:%02d.%03d" % (yr + 1900, mon, day, hr, mi, sec, ms)
    return s + ("Z" if b6 & 1 else "")


def ansi(raw):
    return raw.split(b"\0", 1)[0].decode("cp1252", errors="replace")


def utf16_first(raw):
    n = len(raw) - len(raw) % 2
    for i in range(0, n, 2):
        if raw[i] == 0 and raw[i + 1] == 0:
            n = i
            break
    return raw[:n].decode("utf-16-le", errors="replace")


def attach_list(area):
    names, randoms = [], []
    p = 0
    while p < ATTACH_LEN and area[p] != 0:
        dbid = area[p]
        if p + 64 > ATTACH_LEN:
            names.append("%d:!overrun" % dbid)
            break
        flags = area[p + 1]
        cb = u16(area, p + 2)
        if p + 64 + cb > ATTACH_LEN:
            names.append("%d:!overrun" % dbid)
            randoms.append("%08x" % u32(area, p + 36))
            break
        raw = area[p + 64:p + 64 + cb]
        name = utf16_first(raw) if flags & 0x20 else ansi(raw)
        names.append("%d:%s" % (dbid, name))
        randoms.append("%08x" % u32(area, p + 36))
        p += 64 + cb
    return " | ".join(names), " | ".join(randoms)


def is_pow2(n):
    return n > 0 and n & (n - 1) == 0


def looks_like_log(h):
    if len(h) < HDR or not xor_ok(h):
        return False
    ft = u32(h, FILETYPE)
    if ft == FT_LOG:
        return True
    if ft == 0:  # old format: no filetype; apply the docs/format-common.md §0.1 practical test
        return (u32(h, 4) != DB_MAGIC and u32(h, L_MAJOR) in (7, 8)
                and u16(h, L_CBSEC) >= 512 and is_pow2(u16(h, L_CBSEC)))
    return False


def chk_copy_ok(c):
    if not xor_ok(c):
        return False
    ft = u32(c, FILETYPE)
    return ft == FT_CHK or (ft == 0 and u32(c, 4) != DB_MAGIC)


def decode_log(h, size):
    cbsec, csech, csecf = u16(h, L_CBSEC), u16(h, L_CSECHDR), u16(h, L_CSECFILE)
    att, att_rand = attach_list(h[L_ATTACH:L_ATTACH + ATTACH_LEN])
    return {
        "kind": "log",
        "file_size": str(size),
        "checksum_ok": "1" if xor_ok(h) else "0",
        "generation": str(i32(h, L_GEN)),
        "chk_isec": "",
        "chk_ib": "",
        "sig_random": "%08x" % u32(h, L_SIGN),
        "sig_created": logtime(h, L_SIGN + 4),
        "format_version": "%d.%d.%d.%d" % (u32(h, L_MAJOR), u32(h, L_MINOR),
                                           u32(h, L_UPMAJOR), u32(h, L_UPMINOR)),
        "sector_size": str(cbsec),
        "header_sectors": str(csech),
        "file_sectors": str(csecf),
        "size_matches": "1" if size == csecf * cbsec else "0",
        "created": logtime(h, L_CREATE),
        "prev_created": logtime(h, L_PREVGEN),
        "circular_logging": "1" if h[L_DBMS + DBMS_FLAGS] & 0x01 else "0",
        "lg_flags": str(u8(h, L_FLAGS)),
        "system_path": ansi(h[L_DBMS:L_DBMS + SYSPATH_LEN]),
        "attached": att,
        "attached_db_random": att_rand,
    }


def decode_chk(data, size):
    primary, shadow = data[:HDR], data[HDR:2 * HDR]
    c = primary if chk_copy_ok(primary) else shadow
    att, att_rand = attach_list(c[C_ATTACH:C_ATTACH + ATTACH_LEN])
    return {
        "kind": "checkpoint",
        "file_size": str(size),
        "checksum_ok": "1" if xor_ok(primary) else "0",
        "generation": str(i32(c, C_LGPOS + 4)),
        "chk_isec": str(u16(c, C_LGPOS + 2)),
        "chk_ib": str(u16(c, C_LGPOS)),
        "sig_random": "%08x" % u32(c, C_SIGN),
        "sig_created": logtime(c, C_SIGN + 4),
        "format_version": "",
        "sector_size": "",
        "header_sectors": "",
        "file_sectors": "",
        "size_matches": "",
        "created": "",
        "prev_created": "",
        "circular_logging": "1" if c[C_DBMS + DBMS_FLAGS] & 0x01 else "0",
        "lg_flags": "",
        "system_path": ansi(c[C_DBMS:C_DBMS + SYSPATH_LEN]),
        "attached": att,
        "attached_db_random": att_rand,
    }


def classify(path):
    """Return (row-dict or None, category string)."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        data = f.read(2 * HDR)
    if looks_like_log(data[:HDR]):
        row = decode_log(data[:HDR], size)
        cat = "log"
        if size == HDR and int(row["file_sectors"]) * int(row["sector_size"]) > HDR:
            cat = "log (header-only)"
        return row, cat
    if size == 2 * HDR and (chk_copy_ok(data[:HDR]) or chk_copy_ok(data[HDR:])):
        return decode_chk(data, size), "checkpoint"
    # not a row: say why (for the summary only)
    head = data[:HDR]
    if len(head) >= 8 and u32(head, 4) == DB_MAGIC:
        return None, "skipped: database"
    if len(head) >= 671 and xor_ok(head) and u32(head, FILETYPE) == 7:
        return None, "skipped: flush map"
    if head and set(head) == {0}:
        return None, "skipped: all-zero (reserve/tmp log)"
    if head and head.count(0xDA) * 10 >= len(head) * 9:
        return None, "skipped: 0xDA fill pattern (reserve log)"
    low = os.path.basename(path).lower()
    if low.endswith((".jrs", ".log", ".jtx")):
        return None, "skipped: no header (leftover bytes)"
    return None, "skipped: other"


def derive(corpus):
    rows, cats = [], {}
    for dirpath, dirnames, filenames in os.walk(corpus):
        dirnames.sort()
        for name in filenames:
            path = os.path.join(dirpath, name)
            if not os.path.isfile(path):
                continue
            rel = os.path.relpath(path, corpus).replace(os.sep, "/")
            row, cat = classify(path)
            cats.setdefault(cat, []).append(rel)
            if row is not None:
                row["file"] = rel
                for k in COLUMNS:
                    if "\t" in row[k] or "\n" in row[k]:
                        raise SystemExit("%s: field %s holds a tab/newline" % (rel, k))
                rows.append(row)
    rows.sort(key=lambda r: r["file"])
    lines = ["\t".join(COLUMNS)] + ["\t".join(r[c] for c in COLUMNS) for r in rows]
    return "\n".join(lines) + "\n", cats


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    if not os.path.isdir(args.corpus):
        raise SystemExit("corpus directory not found: %s" % args.corpus)
    text, cats = derive(args.corpus)
    for cat in sorted(cats):
        print("%-40s %d" % (cat, len(cats[cat])), file=sys.stderr)
    if args.check:
        try:
            with open(OUT, encoding="utf-8", newline="") as f:
                old = f.read()
        except FileNotFoundError:
            old = ""
        if old != text:
            sys.stdout.writelines(difflib.unified_diff(
                old.splitlines(True), text.splitlines(True),
                "expected-logs.tsv (on disk)", "expected-logs.tsv (recomputed)"))
            print("expected-logs.tsv differs from the bytes", file=sys.stderr)
            return 1
        print("expected-logs.tsv matches", file=sys.stderr)
        return 0
    with open(OUT, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    print("wrote %s (%d rows)" % (OUT, text.count("\n") - 1), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
