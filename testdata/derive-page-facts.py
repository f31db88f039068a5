#!/usr/bin/env python3
"""Derives testdata/expected-pages.tsv: facts about every page of some databases, read with
struct straight from the page layout (docs/page-internals.md §1.1-1.3 and §2.1-2.2), as an oracle
for the page model of crates/recover that shares no code with it.

A page is counted as decoded when it is not all zero, not pre-initialised (fFlags 0x20000),
its TAG array fits the data area, the space invariant holds
(sum of cb over all TAGs + cbFree + 4 * itagMicFree == cbPage - header), every TAG lies in the
data area before the TAG array, and every node line decodes. For those pages the script counts
lines and flags, sums key and data lengths, and hashes (FNV-1a 64) every line's full key
(prefix || suffix), its 2-byte little-endian length and its flag byte, pages in file order.

Usage: derive-page-facts.py > testdata/expected-pages.tsv   (run from the repository root; the
corpus files are read from ../shared/corpus when it is present).
"""
import gzip
import os
import struct
import sys

FILES = [
    "testdata/db/srum-server2022-clean.dat",
    "testdata/db/basic-esent-clean.edb",
    "testdata/db/ntds-temp-2012r2-just-created-8k.edb",
    "testdata/db/qmgr-win11-dirty-16k.db",
    "testdata/db/catdb-server2003-clean",
    "../shared/corpus/strozfriedberg-ese_parser/lib/testdata/decompress_test.edb",
    "../shared/corpus/AndrewRathbun-DFIRArtifactMuseum/Windows/WindowsSearchDB/Win10/RathbunVM/RathbunVM_W10WindowsSearchDB/Clean/Windows.edb",
    "../shared/corpus/AndrewRathbun-DFIRArtifactMuseum/Windows/SRUM/Server2022/APTSimulatorVM/APTSimulatorVM_SRUM_Clean_Server2022_1DayLater/SRU/SRUDB.dat",
]

FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3


def fnv(h, data):
    for b in data:
        h = ((h ^ b) * FNV_PRIME) & 0xFFFFFFFFFFFFFFFF
    return h


def page_lines(page, ps):
    """The (flags, key, data) of every line, or None when the page is not counted."""
    small = ps <= 8192
    hdr = 40 if small else 80
    mask = 0x1FFF if small else 0x7FFF
    cb_data = ps - hdr
    cb_free, _unc, _ib_mic_free, itag_state = struct.unpack_from("<HHHH", page, 28)
    (flags,) = struct.unpack_from("<I", page, 36)
    if not any(page) or flags & 0x20000:
        return None
    ntags = itag_state & 0x0FFF
    ctag = max(1, (itag_state >> 12) & 0x7)
    if ntags >= cb_data // 4 or ntags < ctag:
        return None
    tags = []
    for itag in range(ntags):
        cb_, ib_ = struct.unpack_from("<HH", page, ps - 4 * (itag + 1))
        tags.append((cb_ & mask, ib_ & mask, ib_ >> 13))
    if sum(cb for cb, _, _ in tags) + cb_free + 4 * ntags != cb_data:
        return None
    limit = cb_data - 4 * ntags
    if any(ib + cb > limit for cb, ib, _ in tags):
        return None
    cb0, ib0, _ = tags[0]
    ext = page[hdr + ib0:hdr + ib0 + cb0]
    root, space = flags & 0x1, flags & 0x20
    source = ext if not root else (ext[16:] if space else None)
    out = []
    for cb, ib, small_flags in tags[ctag:]:
        line = page[hdr + ib:hdr + ib + cb]
        if small:
            lflags = small_flags
        else:
            lflags = (struct.unpack_from("<H", line, 0)[0] >> 13) if cb >= 2 else 0
        p = 0
        cb_prefix = 0
        if lflags & 0x4:
            if len(line) < 2:
                return None
            cb_prefix = struct.unpack_from("<H", line, 0)[0] & 0x1FFF
            p = 2
        if len(line) < p + 2:
            return None
        cb_suffix = struct.unpack_from("<H", line, p)[0] & 0x1FFF
        p += 2
        if p + cb_suffix > len(line):
            return None
        suffix = line[p:p + cb_suffix]
        data = line[p + cb_suffix:]
        if source is None:
            prefix = b""
        else:
            if cb_prefix > len(source):
                return None
            prefix = source[:cb_prefix]
        out.append((lflags, prefix + suffix, data))
    return out


def facts(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    (ps,) = struct.unpack_from("<I", raw, 236)
    pages = len(raw) // ps - 2
    decoded = pre_init = lines = compressed = version = deleted = key_bytes = data_bytes = 0
    h = FNV_OFFSET
    for pgno in range(1, pages + 1):
        page = raw[(pgno + 1) * ps:(pgno + 2) * ps]
        (flags,) = struct.unpack_from("<I", page, 36)
        if any(page) and flags & 0x20000:
            pre_init += 1
        got = page_lines(page, ps)
        if got is None:
            continue
        decoded += 1
        for lflags, key, data in got:
            lines += 1
            compressed += bool(lflags & 4)
            version += bool(lflags & 1)
            deleted += bool(lflags & 2)
            key_bytes += len(key)
            data_bytes += len(data)
            h = fnv(h, key + struct.pack("<H", len(key)) + bytes([lflags]))
    return [ps, pages, decoded, pre_init, lines, compressed, version, deleted, key_bytes, data_bytes, f"{h:016x}"]


def main():
    cols = ["file", "page_size", "pages", "decoded", "pre_init", "lines", "compressed", "version",
            "deleted", "key_bytes", "data_bytes", "key_fnv"]
    print("\t".join(cols))
    for path in FILES:
        if not os.path.exists(path):
            print(f"missing: {path}", file=sys.stderr)
            continue
        name = path.replace("../shared/corpus/", "corpus:")
        print("\t".join([name] + [str(v) for v in facts(path)]))


if __name__ == "__main__":
    main()
