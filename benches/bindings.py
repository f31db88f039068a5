"""Per-call overhead of the Python binding over the Rust call, next to dissect.esedb.

Reads the header of every database of the corpus (../shared/corpus beside the checkout, or the
folder given) in a loop, three ways in the same run:
  rust     esehdr::api::file(Mode::Mh, ..) in a Rust loop (benches/examples/mh_loop.rs): the call
           the binding wraps (file read, parse, validate of both header copies)
  python   esehdr.read_database_header(path): the same call plus argument conversion, GIL
           release and the report turned into a dict (pythonize)
  dissect  dissect.esedb.EseDB(open(path, "rb")): opening the database, which reads its header
           (and, unlike esehdr, the catalog)
Run in a venv with the wheel installed (maturin develop --release) and `pip install dissect.esedb`:
    python benches/bindings.py [CORPUS] [--rounds N]
Prints a Markdown table for benches/README.md.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import esehdr

ROOT = Path(__file__).resolve().parents[1]


def databases(corpus: Path):
    found = []
    for p in sorted(corpus.rglob("*")):
        if p.is_file() and not p.name.endswith(".md"):
            try:
                if esehdr.inspect(p)["kind"] == "database":
                    found.append(p)
            except esehdr.Error:
                pass
    return found


def per_call(fn, files, rounds):
    for f in files:  # warm-up: page cache, imports
        fn(f)
    t = time.perf_counter()
    for _ in range(rounds):
        for f in files:
            fn(f)
    return (time.perf_counter() - t) / (rounds * len(files)) * 1e9


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--rounds", type=int, default=20)
    a = ap.parse_args()
    files = databases(Path(a.corpus))
    if not files:
        sys.exit(f"no database under {a.corpus}")
    valid = sum(1 for f in files if esehdr.read_database_header(f)["valid"])

    out = subprocess.run(
        ["cargo", "run", "-q", "--release", "-p", "esehdr-benches", "--example", "mh_loop", "--", str(a.rounds)]
        + [str(f) for f in files],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout
    rust = json.loads(out)

    py_ns = per_call(esehdr.read_database_header, files, a.rounds)

    dissect_ns, dissect_ok = None, 0
    try:
        from dissect.esedb import EseDB

        def open_dissect(f):
            with open(f, "rb") as fh:
                try:
                    EseDB(fh)
                    return True
                except Exception:  # noqa: BLE001 - dissect raises many kinds on damaged files
                    return False

        dissect_ok = sum(1 for f in files if open_dissect(f))
        dissect_ns = per_call(open_dissect, files, a.rounds)
    except ImportError:
        pass

    us = lambda ns: f"{ns / 1000:.1f} µs"  # noqa: E731
    print(f"{len(files)} databases ({valid} with a valid header), {a.rounds} rounds; "
          f"Python {platform.python_version()}, esehdr {esehdr.__version__}, {os.cpu_count()} cores")
    print()
    print("| way | per call | vs the Rust call |")
    print("|---|---:|---:|")
    print(f"| Rust `api::file(Mode::Mh, ..)` | {us(rust['call_ns'])} | 1.00× |")
    print(f"| Rust, plus the JSON string (the C library) | {us(rust['call_json_ns'])} | {rust['call_json_ns'] / rust['call_ns']:.2f}× |")
    print(f"| Python `esehdr.read_database_header` | {us(py_ns)} | {py_ns / rust['call_ns']:.2f}× |")
    if dissect_ns is not None:
        print(f"| Python `dissect.esedb.EseDB(f)` ({dissect_ok} of {len(files)} opened) | {us(dissect_ns)} | {dissect_ns / rust['call_ns']:.2f}× |")
    print()
    print(f"Python binding overhead per call: {us(py_ns - rust['call_ns'])}")


if __name__ == "__main__":
    main()
