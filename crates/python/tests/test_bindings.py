"""The Python binding against the CLI: every function's result equals, as parsed JSON, what
``esehdr ... --json`` prints for the same path, on every file of testdata/; errors carry the
CLI's message and exit code. Values are also checked against testdata/expected-db.tsv, which
testdata/derive-expected.py derives from the raw bytes (not from esehdr).

The CLI binary is $ESEHDR_CLI, else target/release/esehdr, else target/debug/esehdr.
"""

import csv
import json
import os
import shutil
import struct
import subprocess
import threading
from pathlib import Path

import pytest

import esehdr

ROOT = Path(__file__).resolve().parents[3]
TESTDATA = ROOT / "testdata"


def _cli() -> str:
    env = os.environ.get("ESEHDR_CLI")
    if env:
        return env
    for profile in ("release", "debug"):
        p = ROOT / "target" / profile / "esehdr"
        if p.exists():
            return str(p)
    pytest.exit("no esehdr binary: build it (cargo build --release -p esehdr) or set ESEHDR_CLI", 2)


CLI = _cli()


def run_cli(*args):
    """(exit code, parsed stdout JSON or None, stderr line without 'esehdr: ' or None)."""
    p = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    out = json.loads(p.stdout) if p.stdout.strip() else None
    lines = [line for line in p.stderr.splitlines() if line.strip()]
    err = lines[0].removeprefix("esehdr: ") if lines else None
    return p.returncode, out, err


def rel(p: Path) -> str:
    """Paths as given on the command line: relative to the checkout, as the JSON echoes them."""
    return str(p.relative_to(ROOT))


FILES = sorted(
    rel(p)
    for p in TESTDATA.rglob("*")
    if p.is_file() and p.parent.name in {"db", "corrupt"} | {d.name for d in (TESTDATA / "logs").iterdir()}
)
LOG_DIRS = sorted((TESTDATA / "logs").iterdir())


@pytest.fixture(autouse=True)
def _in_checkout(monkeypatch):
    monkeypatch.chdir(ROOT)


def drop_seconds(v):
    """`k` reports its own wall-clock time: the one value two runs cannot share."""
    if isinstance(v, dict):
        return {k: drop_seconds(x) for k, x in v.items() if k != "seconds"}
    if isinstance(v, list):
        return [drop_seconds(x) for x in v]
    return v


def check_same(call, cli_args, normalise=lambda v: v):
    """`call()` returns what the CLI prints (exit 0 or 1), or raises what it refuses (exit 2)."""
    code, out, err = run_cli(*cli_args)
    assert code in (0, 1, 2), (cli_args, code, err)
    if code == 2:
        with pytest.raises(esehdr.Error) as e:
            call()
        assert not isinstance(e.value, esehdr.NotSound)
        assert str(e.value) == err, cli_args
        assert e.value.status == 2
        assert normalise(e.value.report) == normalise(out), cli_args
        return code, out
    got = call()
    assert normalise(got) == normalise(out), cli_args
    # Same keys in the same order as the CLI's JSON (dicts keep insertion order).
    if isinstance(got, dict):
        assert list(got) == list(out)
    return code, out


@pytest.mark.parametrize("path", FILES)
def test_inspect_equals_cli(path):
    check_same(lambda: esehdr.inspect(path), ["--json", path])


@pytest.mark.parametrize("path", FILES)
def test_read_database_header_equals_cli(path):
    check_same(lambda: esehdr.read_database_header(path), ["mh", "--json", path])


@pytest.mark.parametrize("path", FILES)
def test_read_log_equals_cli(path):
    check_same(lambda: esehdr.read_log(path), ["ml", "--json", path])


@pytest.mark.parametrize("path", FILES)
def test_read_checkpoint_equals_cli(path):
    check_same(lambda: esehdr.read_checkpoint(path), ["mk", "--json", path])


@pytest.mark.parametrize("path", [f for f in FILES if f.startswith(("testdata/db", "testdata/corrupt/pages-"))])
def test_scan_pages_equals_cli(path):
    check_same(lambda: esehdr.scan_pages(path), ["k", "--json", path], drop_seconds)


@pytest.mark.parametrize("path", [f for f in FILES if "logs" in f] + ["testdata/corrupt/zero-filled.edb"])
def test_scan_pages_of_other_kinds_equals_cli(path):
    check_same(lambda: esehdr.scan_pages(path), ["k", "--json", path], drop_seconds)


CORPUS = ROOT.parent / "shared" / "corpus"
CORPUS_FILES = sorted(str(p) for p in CORPUS.rglob("*") if p.is_file() and p.suffix != ".md") if CORPUS.is_dir() else []


@pytest.mark.skipif(not CORPUS_FILES, reason="no ../shared/corpus beside the checkout")
def test_inspect_equals_cli_on_the_corpus():
    """Every file of the shared corpus (~260 real databases, logs, checkpoints), when present."""
    for path in CORPUS_FILES:
        check_same(lambda: esehdr.inspect(path), ["--json", path])


def bases():
    for d in LOG_DIRS:
        names = {p.name[:3] for p in d.iterdir() if p.suffix.lower() in (".log", ".chk")}
        for b in sorted(names):
            if b.lower() != "res":
                yield rel(d / b)


@pytest.mark.parametrize("base", list(bases()))
def test_verify_log_stream_equals_cli(base):
    check_same(lambda: esehdr.verify_log_stream(base), ["ml", "--json", base])
    check_same(lambda: esehdr.verify_log_stream(base, headers_only=True), ["ml", "--json", "--headers-only", base])
    check_same(lambda: esehdr.verify_log_stream(base), ["k", "--json", base])


def test_verify_log_stream_range_equals_cli():
    base = "testdata/logs/srum-win10/SRU"
    code, out = check_same(lambda: esehdr.verify_log_stream(base, range=(4, 6)), ["ml", "--json", "--range", "4-6", base])
    assert [log["generation"] for log in out["logs"]] == [4, 5, 6]


@pytest.mark.parametrize("d", [rel(d) for d in LOG_DIRS] + ["testdata/db", "testdata"])
def test_plan_equals_cli(d):
    check_same(lambda: esehdr.plan(d), ["plan", "--json", d])
    check_same(lambda: esehdr.plan([d], headers_only=True), ["plan", "--json", "--headers-only", d])


def test_plan_options_equal_cli():
    logs = "testdata/logs/srum-win10"
    check_same(
        lambda: esehdr.plan(logs=logs, db="testdata/logs/srum-win10/SRUDB.dat", base="SRU"),
        ["plan", "--json", "--logs", logs, "--db", "testdata/logs/srum-win10/SRUDB.dat", "--base", "SRU"],
    )
    check_same(
        lambda: esehdr.plan(logs, restoring=["testdata/logs/srum-win10/SRUDB.dat"]),
        ["plan", "--json", logs, "--restoring", "testdata/logs/srum-win10/SRUDB.dat"],
    )


@pytest.mark.parametrize("expect", ["point-in-time", "roll-forward", "soft-recovery", "without-logs"])
@pytest.mark.parametrize("d", [rel(d) for d in LOG_DIRS])
def test_plan_expect_follows_the_exit_code(d, expect):
    code, out, _ = run_cli("plan", "--json", "--expect", expect, d)
    if code == 0:
        assert esehdr.plan(d, expect=expect) == out
    else:
        assert code == 1
        with pytest.raises(esehdr.RestoreNotPossible) as e:
            esehdr.plan(d, expect=expect)
        assert e.value.status == 1 and e.value.report == out


# Exit code 1 under strict=True: the class says why, the message is the CLI's stderr line.
STRICT = [
    ("mh", esehdr.read_database_header, "testdata/corrupt/bad-both-checksums.edb", esehdr.CorruptHeader),
    ("mh", esehdr.read_database_header, "testdata/corrupt/truncated-3000.edb", esehdr.CorruptHeader),
    ("ml", esehdr.read_log, "testdata/corrupt/log-bad-header-checksum.log", esehdr.CorruptHeader),
    ("ml", esehdr.read_log, "testdata/corrupt/log-too-long.log", esehdr.CorruptHeader),
    ("mk", esehdr.read_checkpoint, "testdata/corrupt/chk-bad-both.chk", esehdr.CorruptHeader),
    ("", esehdr.inspect, "testdata/corrupt/log-cut-in-attach-area.log", esehdr.CorruptHeader),
]


@pytest.mark.parametrize("mode,fn,path,cls", STRICT)
def test_strict_raises_the_cli_message(mode, fn, path, cls):
    code, out, err = run_cli(*([mode] if mode else []), "--json", path)
    assert code == 1 and err
    assert fn(path)["file"] == path  # not strict: the report
    with pytest.raises(cls) as e:
        fn(path, strict=True)
    assert str(e.value) == err
    assert e.value.status == 1 and e.value.report == out and e.value.path == path


def test_fail_if_dirty():
    path = "testdata/db/qmgr-win11-dirty-16k.db"
    code, out, err = run_cli("mh", "--json", "--fail-if-dirty", path)
    assert code == 1
    assert esehdr.read_database_header(path, fail_if_dirty=True) == out
    with pytest.raises(esehdr.DirtyDatabase) as e:
        esehdr.read_database_header(path, fail_if_dirty=True, strict=True)
    assert str(e.value) == err == f"{path}: state is Dirty Shutdown (--fail-if-dirty)"
    assert esehdr.read_database_header(path, strict=True)["state"] == "dirty_shutdown"


# Exit code 2: always raised, the class after what the CLI found.
REFUSED = [
    (esehdr.read_database_header, "testdata/corrupt/zero-filled.edb", esehdr.NotEseFile),
    (esehdr.read_database_header, "testdata/corrupt/random-bytes.edb", esehdr.NotEseFile),
    (esehdr.inspect, "testdata/corrupt/tiny-3-bytes.edb", esehdr.NotEseFile),
    (esehdr.read_database_header, "testdata/logs/srum-win10/SRU00003.log", esehdr.WrongKind),
    (esehdr.read_log, "testdata/db/srum-server2022-clean.dat", esehdr.WrongKind),
    (esehdr.read_checkpoint, "testdata/logs/srum-win10/SRU.log", esehdr.WrongKind),
    (esehdr.read_database_header, "testdata/no-such-file.edb", esehdr.Unreadable),
    (esehdr.read_log, "testdata/db", esehdr.Unreadable),
    (esehdr.scan_pages, "testdata/corrupt/zero-filled.edb", esehdr.NotEseFile),
    (esehdr.plan, "testdata/no-such-folder", esehdr.Unreadable),
]


@pytest.mark.parametrize("fn,path,cls", REFUSED)
def test_refused_files_raise(fn, path, cls):
    with pytest.raises(cls) as e:
        fn(path)
    assert e.value.status == 2 and e.value.path == path and str(e.value).startswith(path + ": ")


def test_not_a_base_name_is_a_usage_error():
    with pytest.raises(esehdr.UsageError):
        esehdr.verify_log_stream("testdata/logs/srum-win10/SRU00003.log")
    with pytest.raises(ValueError):
        esehdr.verify_log_stream("testdata/logs/srum-win10/SRU", range=(6, 4))
    with pytest.raises(ValueError):
        esehdr.plan("testdata", expect="tomorrow")


def null(v):
    return None if v in ("", "null") else v


def test_values_match_the_independent_oracle():
    """testdata/expected-db.tsv comes from derive-expected.py reading the raw header bytes."""
    with open(TESTDATA / "expected-db.tsv", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    assert len(rows) >= 7
    for row in rows:
        h = esehdr.read_database_header(TESTDATA / "db" / row["file"])
        assert h["page_size"] == int(row["page_size"]), row["file"]
        assert h["state_code"] == int(row["state_code"]), row["file"]
        assert h["db_signature"]["random"] == int(row["db_sig_random"], 16), row["file"]
        assert h["db_signature"]["created"] == null(row["db_sig_created"]), row["file"]
        assert h["log_signature"]["random"] == int(row["log_sig_random"], 16), row["file"]
        assert h["last_consistent"]["generation"] == int(row["consistent_gen"]), row["file"]
        assert h["last_consistent"]["time"] == null(row["consistent_time"]), row["file"]
        assert h["log_required"]["min"] == int(row["log_required_min"]), row["file"]
        assert h["log_required"]["max"] == int(row["log_required_max"]), row["file"]
        assert isinstance(h["dbtime"], int) and isinstance(h["valid"], bool)


def test_scan_pages_progress():
    path = "testdata/db/srum-server2022-clean.dat"
    calls = []
    report = esehdr.scan_pages(path, progress=lambda done, total: calls.append((done, total)))
    assert calls, "progress is called at least once, at the end"
    assert calls[-1] == (report["pages_seen"], report["pages_seen"])
    assert all(d <= t for d, t in calls) and [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_scan_pages_progress_exception_is_raised():
    def boom(done, total):
        raise KeyError("stop")

    with pytest.raises(KeyError):
        esehdr.scan_pages("testdata/db/srum-server2022-clean.dat", progress=boom)


def test_calls_run_in_threads():
    """Calls release the GIL: several threads get the same answers as one."""
    path = "testdata/logs/srum-win10/SRU"
    want = esehdr.verify_log_stream(path)
    got = []
    threads = [threading.Thread(target=lambda: got.append(esehdr.verify_log_stream(path))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == [want] * 4


def test_pathlike_and_module_facts():
    p = TESTDATA / "db" / "srum-server2022-clean.dat"
    assert esehdr.read_database_header(p)["file"] == str(p)
    assert esehdr.JSON_CONTRACT_VERSION == 1
    assert esehdr.__version__.count(".") == 2
    assert issubclass(esehdr.CorruptHeader, esehdr.NotSound) and issubclass(esehdr.NotSound, esehdr.Error)
    assert esehdr.Error.__module__ == "esehdr"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_at_once_as_by_the_cli(tmp_path):
    fifo = tmp_path / "E00.log"
    os.mkfifo(fifo)
    for fn, args in [(esehdr.inspect, ["--json"]), (esehdr.plan, ["plan", "--json"])]:
        code, out, err = run_cli(*args, fifo)
        assert code == 2
        with pytest.raises(esehdr.Unreadable) as e:
            fn(fifo)
        assert str(e.value) == err and e.value.report == out


def run_cli_lines(*args):
    """(exit code, the JSON Lines of stdout parsed, stderr line without 'esehdr: ' or None)."""
    p = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    lines = [json.loads(line) for line in p.stdout.splitlines()]
    err = [line for line in p.stderr.splitlines() if line.strip()]
    return p.returncode, lines, err[0].removeprefix("esehdr: ") if err else None


LOG_FILES = sorted(f for f in FILES if f.lower().endswith(".log"))


@pytest.mark.parametrize("path", LOG_FILES + ["testdata/corrupt/zero-filled.edb", "testdata/db/srum-server2022-clean.dat"])
def test_log_records_equal_cli(path):
    code, want, err = run_cli_lines("ml", "--records", "--json", path)
    if code == 2:
        with pytest.raises(esehdr.Error) as e:
            esehdr.log_records(path)
        assert str(e.value) == err and e.value.status == 2 and e.value.report is None
        return
    assert code == 0, (path, err)
    it = esehdr.log_records(path)
    assert iter(it) is it
    got = list(it)
    assert got == want, path
    assert [list(r) for r in got] == [list(r) for r in want], "keys in the CLI's order"
    assert next(it, None) is None, "an ended iterator stays ended"


@pytest.mark.parametrize("base", list(bases()))
def test_log_records_of_a_stream_equal_cli(base):
    code, want, err = run_cli_lines("ml", "--records", "--json", base)
    assert code == 0, err
    got = list(esehdr.log_records(base))
    assert got == want and len(got) > 0, base
    assert [list(r) for r in got] == [list(r) for r in want]


def test_log_records_of_a_stream_range_equal_cli():
    base = "testdata/logs/srum-win10/SRU"
    code, want, _ = run_cli_lines("ml", "--records", "--json", "--range", "4-6", base)
    got = list(esehdr.log_records(base, range=(4, 6)))
    assert code == 0 and got == want
    assert {r["lgpos"]["generation"] for r in got} == {4, 5, 6}
    with pytest.raises(ValueError):
        esehdr.log_records(base, range=(6, 4))
    with pytest.raises(esehdr.Unreadable):
        esehdr.log_records("testdata/no-such-folder/E00")


def test_log_records_are_lazy_and_real():
    """The first record of a generation-1 log is its first record, read from the bytes; a
    partial walk needs no more than that."""
    path = "testdata/logs/srum-win10/SRU00003.log"
    it = esehdr.log_records(path)
    first = next(it)
    assert first["lgpos"]["generation"] == 3
    assert set(first) >= {"lgpos", "type", "name", "size"}
    want = run_cli_lines("ml", "--records", "--json", path)[1]
    assert len(want) > 100 and first == want[0]
    assert list(it) == want[1:]


def test_log_records_refusals():
    for path, cls in [
        ("testdata/corrupt/zero-filled.edb", esehdr.NotEseFile),
        ("testdata/db/srum-server2022-clean.dat", esehdr.WrongKind),
        ("testdata/corrupt/log-bad-header-checksum.log", esehdr.CorruptHeader),
        ("testdata/no-such-file.log", esehdr.Unreadable),
    ]:
        code, out, err = run_cli_lines("ml", "--records", "--json", path)
        assert code == 2 and out == [], path
        with pytest.raises(cls) as e:
            esehdr.log_records(path)
        assert str(e.value) == err and e.value.path == path


BELKASOFT = CORPUS / "AndrewRathbun-DFIRArtifactMuseum/Windows/SRUM/Win10/BelkasoftCTF_InsiderThreat/Dirty"
BELK = ["SRU.chk", "SRU.log", "SRU0004E.log", "SRU0004F.log", "SRU00050.log", "SRU00051.log", "SRUDB.dat"]


def check_dry_run(args, **kw):
    code, out, err = run_cli("recover", "--dry-run", "--json", *args)
    if code == 2:
        with pytest.raises(esehdr.Error) as e:
            esehdr.dry_run(**kw)
        assert str(e.value) == err and e.value.status == 2 and e.value.report is None
        return code, None
    got = esehdr.dry_run(**kw)
    assert got == out
    assert list(got) == list(out)
    return code, out


@pytest.mark.skipif(not BELKASOFT.is_dir(), reason="no ../shared/corpus beside the checkout")
def test_dry_run_equals_cli_on_belkasoft(tmp_path):
    db = BELKASOFT / "SRUDB.dat"
    code, out = check_dry_run([db, "--logs", BELKASOFT], db=db, logs=BELKASOFT)
    assert code == 0 and out["verdict"] == "would_succeed" and out["base_name"] == "SRU"
    code, out = check_dry_run(
        [db, "--logs", BELKASOFT, "--system", BELKASOFT, "--base", "SRU"], db=str(db), logs=BELKASOFT, system=BELKASOFT, base="SRU"
    )
    assert code == 0
    # Without its required log: would fail with -543 (exit code 1), returned, not raised.
    for f in BELK:
        if f != "SRU00051.log":
            (tmp_path / f).write_bytes((BELKASOFT / f).read_bytes())
    code, out = check_dry_run([tmp_path / "SRUDB.dat", "--logs", tmp_path], db=tmp_path / "SRUDB.dat", logs=tmp_path)
    assert code == 1 and out["verdict"] == "would_fail" and out["error"]["code"] == -543


@pytest.mark.parametrize("d", [rel(d) for d in LOG_DIRS])
def test_dry_run_equals_cli_on_testdata(d):
    check_dry_run(["--logs", d], logs=d)
    dbs = sorted(p for p in (ROOT / d).iterdir() if p.suffix.lower() in (".dat", ".edb"))
    for db in dbs:
        check_dry_run([rel(db), "--logs", d], db=rel(db), logs=d)


def test_dry_run_until_equals_cli(tmp_path):
    # Generation 1 of the Server 2022 stream alone, cut inside trx 0x24 (Begin0 at (1,B,0)).
    (tmp_path / "SRU.log").write_bytes((ROOT / "testdata/logs/srum-server2022/SRU00001.log").read_bytes())
    code, out = check_dry_run(["--logs", tmp_path, "--until", "0x1,B,133"], logs=tmp_path, until="0x1,B,133")
    assert code == 0 and out["end"] == {"generation": 1, "sector": 11, "offset": 0x133}
    assert out["rollback"] == {"transactions": 1, "records": 3}
    with pytest.raises(esehdr.UsageError) as e:
        esehdr.dry_run(logs=tmp_path, until="1,B")
    assert "--until" in str(e.value)


def test_dry_run_refusals():
    # Without a database the dry run starts where recover does, at the lowest log: the logs of
    # this sample create the database (its checkpoint is past the CreateDB).
    code, out = check_dry_run(["--logs", "testdata/logs/srum-server2022"], logs="testdata/logs/srum-server2022")
    assert code == 0 and out["create"] is True and out["verdict"] == "would_succeed"
    code, _, err = run_cli("recover", "--dry-run", "--json", "--logs", "testdata/no-such-folder")
    assert code == 2
    with pytest.raises(esehdr.Unreadable) as e:
        esehdr.dry_run(logs="testdata/no-such-folder")
    assert str(e.value) == err


def without(report, *keys):
    """A recovery report without its wall time and its output path (two copies, two runs)."""
    return {k: v for k, v in report.items() if k not in keys}


def state_code(path):
    """`le_dbstate`, u32 at 0x34 of the database header (docs/format-database.md, as
    testdata/derive-expected.py reads it), read with struct: 3 is JET_dbstateCleanShutdown."""
    return struct.unpack_from("<I", Path(path).read_bytes(), 0x34)[0]


def check_recover(tmp_path, cli_args, **kw):
    """recover(**kw) into tmp_path/py.dat, the CLI into tmp_path/cli.dat: the same report but for
    `seconds` and `output`, keys in the same order."""
    py_out, cli_out = tmp_path / "py.dat", tmp_path / "cli.dat"
    code, out, err = run_cli("recover", "--json", *cli_args, "--out", cli_out)
    assert code in (0, 1), (code, err)
    got = esehdr.recover(**kw, out=py_out)
    assert list(got) == list(out)
    assert without(got, "seconds", "output") == without(out, "seconds", "output")
    assert got["output"] == str(py_out) and out["output"] == str(cli_out)
    assert isinstance(got["seconds"], float) and got["seconds"] >= 0
    assert py_out.exists() == got["ok"] and cli_out.exists() == out["ok"]
    return code, got


def test_recover_equals_cli_without_the_database(tmp_path):
    logs = "testdata/logs/srum-server2022"
    code, got = check_recover(tmp_path, ["--logs", logs], logs=logs)
    assert code == 0 and got["ok"] and got["error"] is None and got["created"]
    assert got["header"]["state"] == "clean_shutdown" and got["verify"]["bad_checksums"] == 0
    assert state_code(tmp_path / "py.dat") == 3
    # COPY exists: refused without force (the CLI's line, exit code 2), replaced with force.
    code, out, err = run_cli("recover", "--json", "--logs", logs, "--out", tmp_path / "py.dat")
    assert code == 2 and out is None and err.endswith("exists; give --force to replace it")
    with pytest.raises(esehdr.UsageError) as e:
        esehdr.recover(logs=logs, out=tmp_path / "py.dat")
    assert str(e.value) == err and e.value.status == 2 and e.value.report is None
    assert esehdr.recover(logs=logs, out=tmp_path / "py.dat", force=True)["ok"]
    # COPY may never be an input.
    with pytest.raises(esehdr.UsageError):
        esehdr.recover(logs=logs, out=Path(logs) / "SRU00001.log", force=True)
    assert (Path(logs) / "SRU00001.log").read_bytes()[:4] != b"\0\0\0\0"


def test_recover_until_and_refusals(tmp_path):
    logs = "testdata/logs/srum-server2022"
    with pytest.raises(esehdr.UsageError) as e:
        esehdr.recover(logs=logs, out=tmp_path / "x.dat", until="not a position")
    assert "--until" in str(e.value) and not (tmp_path / "x.dat").exists()
    code, got = check_recover(tmp_path, ["--logs", logs, "--until", "0x2,1,0"], logs=logs, until="0x2,1,0")
    end = got["end"]
    assert (end["generation"], end["sector"], end["offset"]) <= (2, 1, 0)
    with pytest.raises(esehdr.Unreadable):
        esehdr.recover(logs="testdata/no-such-folder", out=tmp_path / "y.dat")


WIN11_DIRTY = CORPUS / "AndrewRathbun-DFIRArtifactMuseum/Windows/SRUM/Win11/RathbunVM/Dirty"


@pytest.mark.skipif(not WIN11_DIRTY.is_dir(), reason="no ../shared/corpus beside the checkout")
def test_recover_win11_dirty_srum_gives_a_clean_copy(tmp_path):
    src = tmp_path / "set"
    shutil.copytree(WIN11_DIRTY, src)
    before = (src / "SRUDB.dat").read_bytes()
    assert state_code(src / "SRUDB.dat") == 2  # JET_dbstateDirtyShutdown
    code, got = check_recover(tmp_path, [src / "SRUDB.dat", "--logs", src], db=src / "SRUDB.dat", logs=src)
    assert code == 0 and got["ok"] and got["header"]["state"] == "clean_shutdown"
    assert got["header"]["log_required"] == {"min": 0, "max": 0}
    assert state_code(tmp_path / "py.dat") == 3 and state_code(tmp_path / "cli.dat") == 3
    assert (src / "SRUDB.dat").read_bytes() == before  # the input is never written


@pytest.mark.skipif(not BELKASOFT.is_dir(), reason="no ../shared/corpus beside the checkout")
def test_recover_not_possible_is_returned_or_raised_with_strict(tmp_path):
    src = tmp_path / "set"
    src.mkdir()
    for f in BELK:
        if f != "SRU00051.log":
            shutil.copy(BELKASOFT / f, src / f)
    code, got = check_recover(tmp_path, [src / "SRUDB.dat", "--logs", src], db=src / "SRUDB.dat", logs=src)
    assert code == 1 and not got["ok"] and got["error"]["code"] == -543 and got["header"] is None
    with pytest.raises(esehdr.RecoveryFailed) as e:
        esehdr.recover(src / "SRUDB.dat", logs=src, out=tmp_path / "strict.dat", strict=True)
    assert isinstance(e.value, esehdr.NotSound) and e.value.status == 1
    assert "JET_errRequiredLogFilesMissing" in str(e.value)
    assert e.value.report["error"]["code"] == -543 and not (tmp_path / "strict.dat").exists()
