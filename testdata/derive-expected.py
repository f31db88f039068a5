#!/usr/bin/env python3
"""Derive the expected database-header values of testdata/db/* from the raw bytes.

Python 3 standard library only. Reads every database listed in DBS, decodes the
header fields named below (offsets from docs/format-database.md §1), and

  * writes testdata/expected-db.tsv (tab separated, one header line);
  * prints, for each database, a Markdown "re-derive with a hex viewer" table
    (offset, raw bytes as stored, decoded value) - the tables in README.md are
    this output pasted verbatim.

Usage:  python3 testdata/derive-expected.py            (from the repository root
        or from testdata/; paths are resolved relative to this file)
        python3 testdata/derive-expected.py --check    (only compare with the
        existing expected-db.tsv, exit 1 on any difference)

Conventions:
  * LOGTIME (8 bytes): byte0 sec, 1 min, 2 hour, 3 day, 4 month (1-12),
    5 year-1900, byte6 bit0 = UTC flag, bits1-7 = ms low 7 bits, byte7 bits1-3 =
    ms bits 7-9.  Rendered YYYY-MM-DDTHH:MM:SS.mmm, with a trailing Z only when
    the UTC flag is set.  A LOGTIME whose 8 bytes are all zero is rendered "null".
  * page size: u32 @0xEC, 0 means 4096.
  * XOR checksum (docs/format-page.md §6.1): 0x89ABCDEF XOR every little-endian u32 of the
    first page (page-size bytes) except word 0.
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

DBS = [
    "srum-server2022-clean.dat",
    "ual-server2019-dirty.mdb",
    "basic-esent-clean.edb",
    "catdb-server2003-clean",
    "ntds-temp-2012r2-just-created-8k.edb",
    "qmgr-win11-dirty-16k.db",
    "large-32k-header-only.edb",
]

STATES = {0: "Illegal", 1: "Just Created", 2: "Dirty Shutdown", 3: "Clean Shutdown",
          4: "Being Converted", 5: "Force Detach", 6: "Incremental Reseed In Progress",
          7: "Dirty and Patched Shutdown", 8: "Revert In Progress"}

COLUMNS = ["file", "page_size", "state_code", "db_sig_random", "db_sig_created",
           "log_sig_random", "log_sig_created", "consistent_gen", "consistent_sec",
           "consistent_ib", "consistent_time", "log_required_min", "log_required_max",
           "version_major", "update_major", "update_minor"]


def u32(b, off):
    return struct.unpack_from("<I", b, off)[0]


def i32(b, off):
    return struct.unpack_from("<i", b, off)[0]


def u16(b, off):
    return struct.unpack_from("<H", b, off)[0]


def logtime(b, off):
    t = b[off:off + 8]
    if t == bytes(8):
        return "null"
    sec, mi, hr, day, mon, yr, b6, b7 = t
    ms = (b6 >> 1) | (((b7 >> 1) & 0x7) << 7)
    s = "%04d-%02d-%02dT%02d:%02d:%02d.%03d" % (yr + 1900, mon, day, hr, mi, sec, ms)
    return s + ("Z" if b6 & 1 else "")


def xor32(page):
    acc = 0x89ABCDEF
    for (w,) in struct.iter_unpack("<I", page[4:]):
        acc ^= w
    return acc


def raw(b, off, n):
    return " ".join("%02x" % x for x in b[off:off + n])


def derive(path):
    with open(path, "rb") as f:
        data = f.read()
    h = data
    ps_field = u32(h, 0xEC)
    page = 4096 if ps_field == 0 else ps_field
    primary = data[:page]
    shadow = data[page:2 * page]
    v = {
        "file": os.path.basename(path),
        "file_size": len(data),
        "magic": u32(h, 0x04),
        "page_size_field": ps_field,
        "page_size": page,
        "state_code": u32(h, 0x34),
        "db_sig_random": "%08x" % u32(h, 0x18),
        "db_sig_created": logtime(h, 0x1C),
        "db_sig_computer": h[0x24:0x34].split(b"\0")[0].decode("latin-1"),
        "log_sig_random": "%08x" % u32(h, 0x6C),
        "log_sig_created": logtime(h, 0x70),
        "log_sig_computer": h[0x78:0x88].split(b"\0")[0].decode("latin-1"),
        "consistent_ib": u16(h, 0x38),
        "consistent_sec": u16(h, 0x3A),
        "consistent_gen": i32(h, 0x3C),
        "consistent_time": logtime(h, 0x40),
        "log_required_min": i32(h, 0x128),
        "log_required_max": i32(h, 0x12C),
        "version_major": "0x%x" % u32(h, 0x08),
        "update_major": u32(h, 0xE8),
        "update_minor": u32(h, 0x284),
        "stored_checksum": u32(h, 0),
        "computed_checksum": xor32(primary),
        "filetype": u32(h, 0x29B),
        "os_version": "%d.%d.%d SP%d" % (u32(h, 0xD8), u32(h, 0xDC), u32(h, 0xE0), i32(h, 0xE4)),
        "shadow_complete": len(shadow) == page,
        "shadow_identical": shadow == primary,
        "shadow_checksum_ok": len(shadow) == page and xor32(shadow) == u32(shadow, 0),
        "tail_zero": primary[748:] == bytes(page - 748),
    }
    md = []
    row = md.append
    row("| field | offset | raw bytes (as stored) | decoded |")
    row("|---|---|---|---|")
    row("| page size (`le_cbPageSize`, u32) | 0xEC | `%s` | %d%s |" % (
        raw(h, 0xEC, 4), ps_field, "" if ps_field else " (0 = 4096)"))
    row("| state (`le_dbstate`, u32) | 0x34 | `%s` | %d (%s) |" % (
        raw(h, 0x34, 4), v["state_code"], STATES.get(v["state_code"], "Illegal")))
    row("| DB signature random (u32) | 0x18 | `%s` | 0x%s |" % (raw(h, 0x18, 4), v["db_sig_random"]))
    row("| DB signature creation LOGTIME | 0x1C | `%s` | %s |" % (raw(h, 0x1C, 8), v["db_sig_created"]))
    row("| log signature random (u32) | 0x6C | `%s` | 0x%s |" % (raw(h, 0x6C, 4), v["log_sig_random"]))
    row("| log signature creation LOGTIME | 0x70 | `%s` | %s |" % (raw(h, 0x70, 8), v["log_sig_created"]))
    row("| Last Consistent LGPOS (ib u16, isec u16, gen i32) | 0x38 | `%s` | gen %d, sec %d, ib %d = (0x%X,%X,%X) |" % (
        raw(h, 0x38, 8), v["consistent_gen"], v["consistent_sec"], v["consistent_ib"],
        v["consistent_gen"], v["consistent_sec"], v["consistent_ib"]))
    row("| Last Consistent time LOGTIME | 0x40 | `%s` | %s |" % (raw(h, 0x40, 8), v["consistent_time"]))
    row("| Log Required min (i32) | 0x128 | `%s` | %d |" % (raw(h, 0x128, 4), v["log_required_min"]))
    row("| Log Required max (i32) | 0x12C | `%s` | %d |" % (raw(h, 0x12C, 4), v["log_required_max"]))
    row("| format version (`le_ulVersion`, u32) | 0x08 | `%s` | %s |" % (raw(h, 0x08, 4), v["version_major"]))
    row("| update major (u32) | 0xE8 | `%s` | %d |" % (raw(h, 0xE8, 4), v["update_major"]))
    row("| update minor (u32) | 0x284 | `%s` | %d |" % (raw(h, 0x284, 4), v["update_minor"]))
    row("| stored checksum (u32) | 0x00 | `%s` | 0x%08x |" % (raw(h, 0, 4), v["stored_checksum"]))
    row("| computed XOR checksum over bytes 4..%d | - | - | 0x%08x (%s) |" % (
        page - 1, v["computed_checksum"],
        "matches" if v["computed_checksum"] == v["stored_checksum"] else "MISMATCH"))
    return v, "\n".join(md)


def tsv_lines(rows):
    out = ["\t".join(COLUMNS)]
    for v in rows:
        out.append("\t".join(str(v[c]) for c in COLUMNS))
    return "\n".join(out) + "\n"


def main():
    rows = []
    for name in DBS:
        v, md = derive(os.path.join(HERE, "db", name))
        rows.append(v)
        if "--check" not in sys.argv:
            print("### %s\n" % name)
            print(md)
            print("\nextra: file size %d, magic 0x%08x, filetype %d, OS %s, shadow complete=%s "
                  "identical=%s checksum_ok=%s, bytes 748..page-1 zero=%s, db computer=%r, log computer=%r\n" % (
                      v["file_size"], v["magic"], v["filetype"], v["os_version"], v["shadow_complete"],
                      v["shadow_identical"], v["shadow_checksum_ok"], v["tail_zero"],
                      v["db_sig_computer"], v["log_sig_computer"]))
    text = tsv_lines(rows)
    out = os.path.join(HERE, "expected-db.tsv")
    if "--check" in sys.argv:
        with open(out, "r", newline="") as f:
            if f.read() != text:
                print("expected-db.tsv differs from the bytes", file=sys.stderr)
                return 1
        print("expected-db.tsv matches")
        return 0
    with open(out, "w", newline="") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
