#!/usr/bin/env python3
"""Independent oracle for the sequence checks between two v8 logs (docs/format-log.md §7.2, §7.3).

    python3 testdata/check-log-chain.py PREVIOUS.log NEXT.log

Prints the previous log's generation, tmCreate and accumulated segment checksum (XOR of the stored
u64 checksum of every segment from isec 1 to csecLGFile-2 whose le_lgposSegment is (gen, isec, 0)),
and the next log's generation, tmPrevGen and checksumPrevLogAllSegments, then whether the next log
continues the previous one. Standard library only; reads the bytes straight from the files (segment
checksums are not verified here: use it on logs whose contents `esehdr ml` finds sound).
"""
import struct
import sys

SEG = 4096


def header(b):
    return {
        "generation": struct.unpack_from("<i", b, 4)[0],        # le_lGeneration
        "tmCreate": b[16:24],                                   # tmCreate
        "tmPrevGen": b[24:32],                                  # tmPrevGen
        "signLog": b[44:72],                                    # signLog
        "checksumPrevLogAllSegments": struct.unpack_from("<Q", b, 0x28D)[0],
    }


def accumulated(b, gen):
    acc = 0
    nseg = len(b) // SEG
    for isec in range(1, nseg - 1):
        seg = b[isec * SEG:(isec + 1) * SEG]
        ib, sec, g = struct.unpack_from("<HHi", seg, 8)         # le_lgposSegment
        if (g, sec, ib) == (gen, isec, 0):
            acc ^= struct.unpack_from("<Q", seg, 0)[0]           # stored checksum
    return acc


def main():
    prev, nxt = (open(p, "rb").read() for p in sys.argv[1:3])
    h, c = header(prev), header(nxt)
    acc = accumulated(prev, h["generation"])
    print(f"previous: generation {h['generation']}, tmCreate {h['tmCreate'].hex()}, accumulated 0x{acc:016x}")
    print(f"next: generation {c['generation']}, tmPrevGen {c['tmPrevGen'].hex()}, "
          f"checksumPrevLogAllSegments 0x{c['checksumPrevLogAllSegments']:016x}")
    ok_time = c["tmPrevGen"] == h["tmCreate"]
    ok_sig = c["signLog"] == h["signLog"]
    ok_sum = c["checksumPrevLogAllSegments"] in (0, acc)
    print(f"tmPrevGen matches: {ok_time}; signLog matches: {ok_sig}; accumulated checksum matches: {ok_sum}")
    print("continues: yes" if ok_time and ok_sig and ok_sum else "continues: no")


if __name__ == "__main__":
    main()
