"""Type stubs of esehdr's extension module (re-exported by the package ``esehdr``)."""

import os
from typing import Any, Callable, Dict, Iterator, Optional, Sequence, Tuple, Union

_Path = Union[str, "os.PathLike[str]"]
_Paths = Union[_Path, Sequence[_Path], None]
Report = Dict[str, Any]

__version__: str
JSON_CONTRACT_VERSION: int
"""The version of esehdr's JSON contract (docs/json.md) the reports follow."""

class Error(Exception):
    """Base class of esehdr's errors; ``str(e)`` is the CLI's message (without ``esehdr: ``)."""

    path: str
    """The path as given."""
    status: int
    """The CLI's exit code for the call: 2 (refused) or 1 (a definite no, under ``strict``)."""
    report: Optional[Report]
    """The JSON report the CLI prints for the call, or None when it prints none."""

class NotEseFile(Error):
    """Not an ESE file: zeros, random bytes, too short (exit code 2)."""

class WrongKind(Error):
    """An ESE file of another kind than the function reads (exit code 2)."""

class Unreadable(Error):
    """The file or folder cannot be read, or is not a regular file (exit code 2)."""

class UsageError(Error):
    """The arguments do not make sense, e.g. not a log base name (exit code 2)."""

class NotSound(Error):
    """A definite no (exit code 1), raised only with ``strict=True`` or ``plan(expect=...)``."""

class CorruptHeader(NotSound):
    """No valid header copy (database, checkpoint), or a log header with a bad checksum or size."""

class DamagedLog(NotSound):
    """A log whose header is sound but whose contents are damaged."""

class DirtyDatabase(NotSound):
    """A database not in Clean Shutdown, with ``fail_if_dirty=True``."""

class RestoreNotPossible(NotSound):
    """``plan(expect=...)``: that restore is not possible for every stream with a database."""

class RecoveryFailed(NotSound):
    """``recover(..., strict=True)``: recovery is not possible (``report["ok"]`` is False,
    ``report["error"]`` says why; nothing was written)."""

def inspect(path: _Path, *, fail_if_dirty: bool = False, strict: bool = False) -> Report:
    """The report of whatever the file is, as ``esehdr --json PATH`` prints it.

    A database gives the ``mh`` object, a log the ``ml`` object, a checkpoint the ``mk``
    object, anything else ``{file, kind, reason}`` (a reserve log, a flush map).
    Raises NotEseFile, Unreadable; with ``strict=True`` also CorruptHeader, DamagedLog,
    DirtyDatabase (with ``fail_if_dirty=True``).
    """

def read_database_header(path: _Path, *, fail_if_dirty: bool = False, strict: bool = False) -> Report:
    """A database header, as ``esehdr mh --json PATH`` prints it.

    The shadow copy is used when the primary is damaged; with no valid copy ``valid`` is False
    and the decodable fields are under ``unvalidated``. Raises WrongKind (a log, a checkpoint),
    NotEseFile, Unreadable; with ``strict=True`` also CorruptHeader and DirtyDatabase.
    """

def read_log(path: _Path, *, strict: bool = False) -> Report:
    """One log file, header and contents verified, as ``esehdr ml --json LOGFILE`` prints it.

    Raises WrongKind, NotEseFile, Unreadable; with ``strict=True`` also CorruptHeader and
    DamagedLog.
    """

def read_checkpoint(path: _Path, *, strict: bool = False) -> Report:
    """A checkpoint file, as ``esehdr mk --json CHECKPOINT`` prints it.

    Raises WrongKind, NotEseFile, Unreadable; with ``strict=True`` also CorruptHeader.
    """

def verify_log_stream(
    base: _Path, *, range: Optional[Tuple[int, int]] = None, headers_only: bool = False
) -> Report:
    """A whole log stream, as ``esehdr ml --json BASE`` prints it.

    ``base`` is a 3-character base name, optionally with a folder (``"/restore/logs/E00"``);
    ``range=(first, last)`` keeps those generations; ``headers_only`` reads headers only.
    ``ok`` and ``error`` give the verdict. Raises UsageError, Unreadable.
    """

def scan_pages(
    path: _Path,
    *,
    progress: Optional[Callable[[int, int], Any]] = None,
    no_mmap: bool = False,
) -> Report:
    """Every page checksum of a database, as ``esehdr k --json PATH`` prints it.

    ``progress(pages_done, pages_total)`` is called about ten times a second and once at the
    end; an exception it raises is raised when the scan ends. A log, base name or checkpoint
    gets its ``ml``, ``ml BASE`` or ``mk`` report. Raises NotEseFile, Unreadable.
    """

def plan(
    dirs: _Paths = None,
    *,
    logs: _Paths = None,
    system: _Paths = None,
    db: _Paths = None,
    base: Optional[str] = None,
    restoring: _Paths = None,
    expect: Optional[str] = None,
    headers_only: bool = False,
) -> Report:
    """The restore plan, as ``esehdr plan --json`` prints it (keywords as the CLI's options).

    ``expect`` is ``"point-in-time"``, ``"roll-forward"``, ``"soft-recovery"`` or
    ``"without-logs"``: RestoreNotPossible is raised (its ``report`` is the plan) when that
    restore is not possible for every stream with a database. Raises Unreadable.
    """

class LogRecords(Iterator[Report]):
    """The lazy iterator ``log_records`` returns: one dict per record of a log."""

    def __iter__(self) -> "LogRecords": ...
    def __next__(self) -> Report: ...

def log_records(path: _Path, *, range: Optional[Tuple[int, int]] = None) -> LogRecords:
    """The records of one log file, lazily, each the JSON Lines object of
    ``esehdr ml FILE --records --json`` (``lgpos``, ``type``, ``name``, ``size``, then the fields
    of its type; payloads as lowercase hex).

    The file is read and its content checked at the call (without the GIL); each step decodes
    one record. A record that cannot be read ends the iteration as it ends the CLI's output:
    the last item is ``{"lgpos": ..., "error": "..."}`` (nothing is raised; the CLI exits 0).
    Raises Unreadable, NotEseFile, WrongKind, or CorruptHeader (a log header that does not
    decode or whose checksum is wrong), as the CLI's exit code 2.

    A base name (``"/restore/logs/E00"``, as ``esehdr ml BASE --records --json``) walks every
    log of the stream in generation order (``range=(first, last)``: those generations), each
    read when reached; a log that cannot be read raises when reached (``next()`` afterwards
    goes on with the next log, as the CLI goes on after printing its line).
    """

def dry_run(
    db: Optional[_Path] = None,
    *,
    logs: _Path,
    system: Optional[_Path] = None,
    base: Optional[str] = None,
    until: Optional[str] = None,
) -> Report:
    """What soft recovery would do, read-only, as
    ``esehdr recover --dry-run [DB] --logs LOGS [--system SYSTEM] [--base BASE] [--until LGPOS] --json``
    prints it.

    ``db=None``: the database the logs create. ``until`` (eseutil's notation, ``"0x1,5,1A0"``)
    predicts ``recover(..., until=...)``. ``verdict`` is ``"would_succeed"`` or
    ``"would_fail"`` (with ``error``); a would-fail verdict (exit code 1) is returned, not
    raised. Raises UsageError (the inputs do not make a recovery set, ``until`` is not a log
    position) or Unreadable (exit code 2).
    """

def recover(
    db: Optional[_Path] = None,
    *,
    logs: _Path,
    out: _Path,
    system: Optional[_Path] = None,
    base: Optional[str] = None,
    until: Optional[str] = None,
    force: bool = False,
    strict: bool = False,
) -> Report:
    """Soft recovery on a copy, as ``esehdr recover [DB] --logs LOGS --out OUT [--system SYSTEM]
    [--base BASE] [--until LGPOS] [--force] --json`` prints it.

    The logs are replayed into a copy of ``db`` (``None``: the database the logs create),
    verified, and renamed to ``out`` only when recovery and verification succeeded; ``db`` and
    the logs are never written. ``until`` (eseutil's notation, ``"0x1,5,1A0"``) stops before
    that record; ``force=True`` replaces an existing ``out``. The report holds ``ok``,
    ``error``, the ``header`` written, the ``verify`` counts and ``seconds`` (wall time).
    Recovery not possible (exit code 1: ``ok`` False, nothing written) is returned, and raised
    as RecoveryFailed only with ``strict=True``. Raises UsageError (no recovery set, ``out`` is
    an input or exists without ``force``, a bad ``until``) or Unreadable (exit code 2). Runs
    without the GIL; installs no signal handler.
    """
