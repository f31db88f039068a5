"""Read Microsoft ESE ("JET Blue") database, log and checkpoint headers.

esehdr answers what ``eseutil /mh``, ``/ml``, ``/mk`` and ``/k`` answer, and plans restores, on
any operating system, from a Rust library. Every function returns the JSON report of the
``esehdr`` command-line tool for the same path as a ``dict`` -- same keys, same values (LOGTIMEs
as the same ISO 8601 strings, numbers as ``int``) -- following esehdr JSON contract version 1
(``JSON_CONTRACT_VERSION``; the keys are documented in docs/json.md).

    >>> import esehdr
    >>> h = esehdr.read_database_header("testdata/db/srum-server2022-clean.dat")
    >>> h["state"], h["log_required"]["min"], h["log_required"]["max"]
    ('clean_shutdown', 0, 0)

A file the CLI refuses (exit code 2: not ESE, another kind, unreadable) raises an ``Error``
subclass whose message is the CLI's. A definite "no" (exit code 1: a header that does not
validate, damaged log contents) returns the report (``valid``/``findings`` say so) and raises
``NotSound`` subclasses only with ``strict=True``.

``log_records(path)`` iterates lazily over the records of a log, each the JSON Lines object of
``esehdr ml FILE --records --json``; ``dry_run(db, logs=...)`` says what soft recovery would do
(``esehdr recover --dry-run --json``); ``recover(db, logs=..., out=...)`` recovers into a copy
(``esehdr recover --out COPY --json``), leaving the database and the logs untouched.
"""

from ._esehdr import (
    JSON_CONTRACT_VERSION,
    CorruptHeader,
    DamagedLog,
    DirtyDatabase,
    Error,
    NotEseFile,
    NotSound,
    RecoveryFailed,
    RestoreNotPossible,
    Unreadable,
    UsageError,
    WrongKind,
    __version__,
    LogRecords,
    dry_run,
    inspect,
    log_records,
    plan,
    read_checkpoint,
    read_database_header,
    read_log,
    recover,
    scan_pages,
    verify_log_stream,
)

__all__ = [
    "JSON_CONTRACT_VERSION",
    "CorruptHeader",
    "DamagedLog",
    "DirtyDatabase",
    "Error",
    "NotEseFile",
    "NotSound",
    "RecoveryFailed",
    "RestoreNotPossible",
    "Unreadable",
    "UsageError",
    "WrongKind",
    "LogRecords",
    "__version__",
    "dry_run",
    "inspect",
    "log_records",
    "plan",
    "read_checkpoint",
    "read_database_header",
    "read_log",
    "recover",
    "scan_pages",
    "verify_log_stream",
]
