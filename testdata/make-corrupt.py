#!/usr/bin/env python3
"""Regenerate testdata/corrupt/ from testdata/db/srum-server2022-clean.dat (databases) and from
testdata/logs/ (logs and checkpoints: SRU00001.log and SRU.chk of logs/srum-server2022/, and
edb0007E.log of logs/catroot2-server2003/).

Python 3 standard library only; deterministic (fixed seed, no timestamps, no
environment input), so running it twice gives byte-identical files.

Usage:  python3 testdata/make-corrupt.py
        (paths are resolved relative to this file, so any working directory works)

The source is a clean-shutdown SRUM database from Windows Server 2022 with
4096-byte pages: primary header page = bytes [0, 4096), shadow = [4096, 8192),
both identical and carrying a valid legacy XOR checksum (docs/format-page.md §6.1).
Its sha256 is checked first so that a changed source cannot silently produce
different fixtures.

Every file is listed, with its one-sentence defect, in corrupt/MANIFEST.tsv,
which this script also rewrites. After writing, the script re-reads each file
and asserts the property it is meant to have (checksum valid/invalid, field
values, sizes).
"""
import hashlib
import os
import random
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
SRC_NAME = "srum-server2022-clean.dat"
SRC = os.path.join(HERE, "db", SRC_NAME)
SRC_SHA256 = "b36aafc14c3ae135a857a7b6c63e41c2845686721eb15ff50dfb3ca32c842675"
OUT = os.path.join(HERE, "corrupt")

PAGE = 4096
SEED = 0x89ABCDEF
FLIP_OFF = 0x200        # a byte inside the header struct (byte 4 of le_qwSortVersion @0x1FC)
RESERVED_OFF = 0x2F0    # inside the zero-filled tail after the 748-byte DBFILEHDR


def xor32(page):
    """Legacy XOR-32: seed XOR every little-endian u32 word except word 0."""
    acc = SEED
    for (w,) in struct.iter_unpack("<I", page[4:]):
        acc ^= w
    return acc


def get32(buf, off):
    return struct.unpack_from("<I", buf, off)[0]


def put32(buf, off, value):
    struct.pack_into("<I", buf, off, value & 0xFFFFFFFF)


def fix_checksum(buf, base):
    """Recompute and store the checksum of the PAGE-byte copy starting at base."""
    put32(buf, base, xor32(bytes(buf[base:base + PAGE])))


def copy_ok(buf, base):
    page = bytes(buf[base:base + PAGE])
    return len(page) == PAGE and xor32(page) == get32(page, 0)


def build(src):
    head = src[:2 * PAGE]
    files = []  # (name, made_from, defect, bytes)

    def add(name, made_from, defect, data):
        files.append((name, made_from, defect, bytes(data)))

    # --- truncations ---------------------------------------------------------
    add("truncated-100.edb", SRC_NAME,
        "First 100 bytes only: the magic at offset 4 is present but the 748-byte header and both page copies are cut short.",
        src[:100])
    add("truncated-700.edb", SRC_NAME,
        "First 700 bytes only: magic present but shorter than the 748-byte DBFILEHDR.",
        src[:700])
    add("truncated-3000.edb", SRC_NAME,
        "First 3000 bytes only: the whole 748-byte header struct is there but the 4096-byte primary page is incomplete, so its checksum cannot be verified and there is no shadow.",
        src[:3000])
    add("truncated-6000.edb", SRC_NAME,
        "First 6000 bytes only: primary page whole and valid, shadow page incomplete (1904 of 4096 bytes).",
        src[:6000])

    # --- not a database at all ----------------------------------------------
    add("zero-filled.edb", "none",
        "8192 zero bytes: no magic, no valid checksum.",
        bytes(2 * PAGE))
    rng = random.Random(1234)
    # equals rng.randbytes(8192) on Python >= 3.9; spelled out so it also runs on older 3.x
    rnd = rng.getrandbits(8 * 2 * PAGE).to_bytes(2 * PAGE, "little")
    add("random-bytes.edb", "none",
        "8192 pseudo-random bytes from random.Random(1234) (getrandbits(65536) as little-endian bytes): no magic, no valid checksum.",
        rnd)
    add("tiny-3-bytes.edb", SRC_NAME,
        "First 3 bytes only: too short even for the checksum word and the magic.",
        src[:3])
    add("empty.edb", "none",
        "Empty file (0 bytes).",
        b"")

    # --- checksum damage ------------------------------------------------------
    b = bytearray(head)
    b[FLIP_OFF] ^= 0x01
    add("bad-primary-checksum.edb", SRC_NAME,
        "First 8192 bytes; primary byte 0x200 XOR 0x01 without fixing its checksum: primary checksum wrong, shadow intact and valid.",
        b)

    b = bytearray(head)
    b[FLIP_OFF] ^= 0x01
    b[PAGE + FLIP_OFF] ^= 0x01
    add("bad-both-checksums.edb", SRC_NAME,
        "First 8192 bytes; byte 0x200 XOR 0x01 in the primary and byte 4096+0x200 XOR 0x01 in the shadow, checksums not fixed: neither copy is valid.",
        b)

    b = bytearray(head)
    b[PAGE + FLIP_OFF] ^= 0x01
    add("bad-shadow-checksum.edb", SRC_NAME,
        "First 8192 bytes; only the shadow's byte 4096+0x200 XOR 0x01, checksum not fixed: primary valid, shadow checksum wrong.",
        b)

    # --- consistent checksums, inconsistent content ---------------------------
    b = bytearray(head)
    for base in (0, PAGE):
        put32(b, base + 0xEC, 8192)
        fix_checksum(b, base)
    add("wrong-page-size-field.edb", SRC_NAME,
        "First 8192 bytes; u32 @0xEC set to 8192 in both copies and each checksum recomputed over 4096 bytes: checksums right but the page-size field disagrees with the real 4096-byte page size.",
        b)

    b = bytearray(head)
    put32(b, PAGE + 0x10, get32(b, PAGE + 0x10) + 1)
    fix_checksum(b, PAGE)
    add("shadow-differs.edb", SRC_NAME,
        "First 8192 bytes; shadow dbtime (u32 @0x10) incremented by 1 and shadow checksum recomputed: both copies valid but not identical.",
        b)

    b = bytearray(head)
    for base in (0, PAGE):
        put32(b, base + RESERVED_OFF, 0)
        put32(b, base + RESERVED_OFF, xor32(bytes(b[base:base + PAGE])))
        put32(b, base, 0)
    add("zeroed-checksum.edb", SRC_NAME,
        "First 8192 bytes; the unused reserved u32 @0x2F0 (after the 748-byte header) set so the computed XOR checksum is 0, and 0 stored at offset 0, in both copies (kept identical): valid header whose checksum is zero.",
        b)

    b = bytearray(head)
    for base in (0, PAGE):
        put32(b, base + 0x34, 42)
        fix_checksum(b, base)
    add("unknown-state.edb", SRC_NAME,
        "First 8192 bytes; state u32 @0x34 set to 42 in both copies, checksums recomputed: valid header with an unknown database state.",
        b)

    b = bytearray(head)
    for base in (0, PAGE):
        put32(b, base + 0x08, 0x500)
        fix_checksum(b, base)
    add("old-version.edb", SRC_NAME,
        "First 8192 bytes; format version u32 @0x08 set to 0x500 in both copies, checksums recomputed: valid header of a pre-0x620 (ESE 0x500) format.",
        b)
    return files


LOG_SOURCES = {
    # name: (path under testdata/, sha256)
    "SRU00001.log": ("logs/srum-server2022/SRU00001.log",
                     "0c670a4c571b9fcb9a18f677327b680be04212dfc5097db7646c3fbcfc8c6f8c"),
    "SRU.chk": ("logs/srum-server2022/SRU.chk",
                "9b326f8875497f0a8418a8c5f5ff942da7db849c08ef34354f278537f986d17a"),
    "edb0007E.log": ("logs/catroot2-server2003/edb0007E.log",
                     "a2623c703577d62d9863e32f9be52f38dc86973be7c3c0cd05bba0a89d5b35db"),
}


def load_log_sources():
    out = {}
    for name, (rel, sha) in LOG_SOURCES.items():
        with open(os.path.join(HERE, rel), "rb") as f:
            data = f.read()
        digest = hashlib.sha256(data).hexdigest()
        if digest != sha:
            raise SystemExit("%s: sha256 %s, expected %s" % (rel, digest, sha))
        out[name] = data
    return out


def build_logs(srcs):
    """Damaged log headers and checkpoints (docs/format-log.md §4, docs/format-checkpoint.md §5)."""
    files = []

    def add(name, made_from, defect, data):
        files.append((name, made_from, defect, bytes(data)))

    log8, chk, log7 = srcs["SRU00001.log"], srcs["SRU.chk"], srcs["edb0007E.log"]

    b = bytearray(log8)
    b[0x100] ^= 0x01
    add("log-bad-header-checksum.log", "SRU00001.log",
        "Whole v8 log; byte 0x100 (inside szSystemPath) XOR 0x01, checksum not fixed: header checksum wrong (-501).", b)
    add("log-header-only.log", "SRU00001.log",
        "First 4096 bytes of a 65536-byte v8 log: the header is whole and valid but the file is shorter than le_csecLGFile x le_cbSec (-541).",
        log8[:4096])
    add("log-cut-in-attach-area.log", "SRU00001.log",
        "First 2000 bytes of a v8 log: cut inside the attach list, before the 2719 bytes of the fixed header part and rgbAttach.",
        log8[:2000])
    add("log-too-long.log", "SRU00001.log",
        "Whole v8 log with 4096 zero bytes appended: longer than le_csecLGFile x le_cbSec (-541).",
        log8 + bytes(4096))
    b = bytearray(log7[:4096])
    # second ATTACHINFO record: the first starts at 671 and is 64 + cbNames bytes long
    first_len = 64 + struct.unpack_from("<H", b, 671 + 2)[0]
    struct.pack_into("<H", b, 671 + first_len + 2, 0xFFF0)
    put32(b, 0, xor32(bytes(b[:4096])))
    add("log-attach-overflow.log", "edb0007E.log",
        "First 4096 bytes of a v7 log with the second ATTACHINFO's cbNames set to 0xFFF0 and the checksum fixed: the attach list runs past its 2048 bytes (and the file is header-only).",
        b)

    b = bytearray(chk)
    b[0x100] ^= 0x01
    add("chk-bad-primary.chk", "SRU.chk",
        "Checkpoint with byte 0x100 of the primary copy XOR 0x01, checksum not fixed: the shadow copy stands in.", b)
    b = bytearray(chk)
    b[0x100] ^= 0x01
    b[0x1100] ^= 0x01
    add("chk-bad-both.chk", "SRU.chk",
        "Checkpoint with byte 0x100 of both copies XOR 0x01: neither copy is valid (-533).", b)
    add("chk-truncated-4096.chk", "SRU.chk",
        "First 4096 bytes of a checkpoint: primary whole and valid, shadow missing.", chk[:4096])
    add("chk-zero-filled.chk", "none",
        "8192 zero bytes named as a checkpoint: no header at all.", bytes(8192))
    return files


PAGE_SRC = ("db/srum-server2022-clean.dat", "b36aafc14c3ae135a857a7b6c63e41c2845686721eb15ff50dfb3ca32c842675")
LEGACY_SRC = ("db/catdb-server2003-clean", "5a469f83e4ffc6a55a40936ad80d8b9fe7cbd8c67b95c4ea9ca889c16f878dab")


def used_pages(db, page):
    """Physical indexes k >= 2 of pages that are not all zero (docs/format-page.md §6.6: page k is pgno k-1)."""
    return [k for k in range(2, len(db) // page) if any(db[k * page:(k + 1) * page])]


def build_pages():
    """Whole-database copies with one page defect each, for `esehdr k` (docs/format-page.md §6.2-§6.6)."""
    files = []

    def add(name, made_from, defect, data):
        files.append((name, made_from, defect, bytes(data)))

    def load(rel, sha):
        with open(os.path.join(HERE, rel), "rb") as f:
            data = f.read()
        if hashlib.sha256(data).hexdigest() != sha:
            raise SystemExit("%s: unexpected sha256" % rel)
        return data

    db = load(*PAGE_SRC)
    used = used_pages(db, PAGE)
    k1, k2, k3, k4 = used[2], used[3], used[4], used[5]

    b = bytearray(db)
    b[k1 * PAGE + 100] ^= 0x10
    add("pages-flipped-bit.dat", SRC_NAME,
        "Whole database; one bit flipped (byte 100, bit 4) in page %d (physical page %d): a single-bit error the ECC corrects (bit 804)." % (k1 - 1, k1), b)

    b = bytearray(db)
    for i in range(200, 205):
        b[k2 * PAGE + i] ^= 0xFF
    add("pages-changed-bytes.dat", SRC_NAME,
        "Whole database; bytes 200..204 of page %d inverted: a bad checksum at the right page number." % (k2 - 1), b)

    b = bytearray(db)
    b[k4 * PAGE:(k4 + 1) * PAGE] = db[k3 * PAGE:(k3 + 1) * PAGE]
    add("pages-page-copied.dat", SRC_NAME,
        "Whole database; page %d overwritten with a copy of page %d: an intact page at the wrong page number." % (k4 - 1, k3 - 1), b)

    b = bytearray(db)
    b[k2 * PAGE:(k2 + 1) * PAGE] = bytes(PAGE)
    add("pages-zeroed-page.dat", SRC_NAME,
        "Whole database; page %d zero-filled: an uninitialized page, not damage." % (k2 - 1), b)

    b = bytearray(db)
    b[FLIP_OFF] ^= 0x01
    add("pages-bad-primary-header.dat", SRC_NAME,
        "Whole database; byte 0x200 of the primary header copy flipped: header page -1 fails its checksum.", b)

    b = bytearray(db)
    b[PAGE + FLIP_OFF] ^= 0x01
    add("pages-bad-shadow-header.dat", SRC_NAME,
        "Whole database; byte 0x200 of the shadow header copy flipped: header page 0 fails its checksum.", b)

    legacy = load(*LEGACY_SRC)
    lk = used_pages(legacy, PAGE)[1]
    b = bytearray(legacy)
    b[lk * PAGE + 300] ^= 0x01
    add("pages-legacy-changed-byte.db", "catdb-server2003-clean",
        "Whole Windows Server 2003 database (old XOR page checksums); one bit flipped in page %d: a bad checksum (the old format cannot correct)." % (lk - 1), b)
    return files


def verify_logs(files, srcs):
    d = {name: data for name, _, _, data in files}
    log8, chk = srcs["SRU00001.log"], srcs["SRU.chk"]
    hdr_ok = lambda buf, base=0: len(buf) >= base + 4096 and xor32(buf[base:base + 4096]) == get32(buf, base)
    assert hdr_ok(log8) and hdr_ok(chk) and hdr_ok(chk, 4096)
    assert not hdr_ok(d["log-bad-header-checksum.log"]) and len(d["log-bad-header-checksum.log"]) == len(log8)
    assert hdr_ok(d["log-header-only.log"]) and len(d["log-header-only.log"]) == 4096
    assert len(d["log-cut-in-attach-area.log"]) == 2000
    assert hdr_ok(d["log-too-long.log"]) and len(d["log-too-long.log"]) == len(log8) + 4096
    assert hdr_ok(d["log-attach-overflow.log"])
    assert not hdr_ok(d["chk-bad-primary.chk"]) and hdr_ok(d["chk-bad-primary.chk"], 4096)
    assert not hdr_ok(d["chk-bad-both.chk"]) and not hdr_ok(d["chk-bad-both.chk"], 4096)
    assert hdr_ok(d["chk-truncated-4096.chk"]) and len(d["chk-truncated-4096.chk"]) == 4096
    assert d["chk-zero-filled.chk"] == bytes(8192)


def verify(files, src):
    d = {name: data for name, _, _, data in files}
    magic = struct.pack("<I", 0x89ABCDEF)
    head = src[:2 * PAGE]

    def ok(buf, base):
        return copy_ok(bytearray(buf), base)

    for n in (100, 700, 3000, 6000):
        assert d["truncated-%d.edb" % n] == src[:n]
    assert d["truncated-100.edb"][4:8] == magic and d["truncated-700.edb"][4:8] == magic
    assert ok(d["truncated-6000.edb"], 0) and len(d["truncated-6000.edb"]) < 2 * PAGE
    assert d["zero-filled.edb"] == bytes(8192)
    assert len(d["random-bytes.edb"]) == 8192 and d["random-bytes.edb"][4:8] != magic
    assert not ok(d["random-bytes.edb"], 0) and not ok(d["random-bytes.edb"], PAGE)
    assert len(d["tiny-3-bytes.edb"]) == 3 and d["empty.edb"] == b""

    x = d["bad-primary-checksum.edb"]
    assert not ok(x, 0) and ok(x, PAGE) and x[PAGE:] == head[PAGE:]
    x = d["bad-both-checksums.edb"]
    assert not ok(x, 0) and not ok(x, PAGE)
    x = d["bad-shadow-checksum.edb"]
    assert ok(x, 0) and not ok(x, PAGE) and x[:PAGE] == head[:PAGE]

    x = d["wrong-page-size-field.edb"]
    assert ok(x, 0) and ok(x, PAGE) and x[:PAGE] == x[PAGE:]
    assert get32(x, 0xEC) == 8192 and get32(x, PAGE + 0xEC) == 8192
    # read as an 8192-byte page (the size the field claims), the checksum does not hold
    assert xor32(x[:8192]) != get32(x, 0)

    x = d["shadow-differs.edb"]
    assert ok(x, 0) and ok(x, PAGE) and x[:PAGE] != x[PAGE:] and x[:PAGE] == head[:PAGE]
    assert get32(x, PAGE + 0x10) == get32(x, 0x10) + 1

    x = d["zeroed-checksum.edb"]
    assert get32(x, 0) == 0 and xor32(x[:PAGE]) == 0 and ok(x, 0) and ok(x, PAGE)
    assert x[:PAGE] == x[PAGE:] and get32(x, RESERVED_OFF) != 0
    assert x[4:RESERVED_OFF] == head[4:RESERVED_OFF] and x[RESERVED_OFF + 4:PAGE] == head[RESERVED_OFF + 4:PAGE]

    x = d["unknown-state.edb"]
    assert ok(x, 0) and ok(x, PAGE) and get32(x, 0x34) == 42 and get32(x, PAGE + 0x34) == 42
    x = d["old-version.edb"]
    assert ok(x, 0) and ok(x, PAGE) and get32(x, 0x08) == 0x500 and get32(x, PAGE + 0x08) == 0x500


def main():
    with open(SRC, "rb") as f:
        src = f.read()
    digest = hashlib.sha256(src).hexdigest()
    if digest != SRC_SHA256:
        raise SystemExit("%s: sha256 %s, expected %s" % (SRC, digest, SRC_SHA256))
    if len(src) < 2 * PAGE or get32(src, 0xEC) != PAGE or not copy_ok(bytearray(src), 0) or src[:PAGE] != src[PAGE:2 * PAGE]:
        raise SystemExit("%s: not the expected clean 4 KiB-page source" % SRC)

    files = build(src)
    verify(files, src)
    log_srcs = load_log_sources()
    log_files = build_logs(log_srcs)
    verify_logs(log_files, log_srcs)
    files += log_files
    files += build_pages()

    os.makedirs(OUT, exist_ok=True)
    names = set()
    for name, _, _, data in files:
        names.add(name)
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    with open(os.path.join(OUT, "MANIFEST.tsv"), "w", newline="") as f:
        f.write("file\tmade_from\tdefect\n")
        for name, made_from, defect, _ in files:
            f.write("%s\t%s\t%s\n" % (name, made_from, defect))
    names.add("MANIFEST.tsv")
    for extra in sorted(set(os.listdir(OUT)) - names):
        print("note: %s is in corrupt/ but not made by this script" % extra)
    for name, _, _, data in files:
        print("%-28s %6d  %s" % (name, len(data), hashlib.sha256(data).hexdigest()))


if __name__ == "__main__":
    main()
