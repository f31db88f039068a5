#!/usr/bin/env python3
"""Every table and row of an ESE database as read by dissect.esedb, an independent reader.

    python3 testdata/dissect-dump.py DATABASE > rows.json

Prints one JSON document: {table name: [row, ...]}, each row {column name: value} with values
rendered by repr() (bytes, ints, strings and datetimes compare exactly that way), tables and
columns in catalog order. dissect.esedb also returns rows whose leaf line is flagged deleted; the
tests compare two databases with it, never a database with esehdr's own reading. Used by the
re-creation tests in crates/recover/tests (`ESEHDR_DISSECT_PYTHON` names a Python that has
dissect.esedb; .ci/run makes one in target/ci-venv).
"""
import json
import sys

from dissect.esedb import EseDB


def dump(path):
    with open(path, "rb") as f:
        db = EseDB(f)
        out = {}
        for table in db.tables():
            rows = []
            for record in table.records():
                row = {}
                for column in table.columns:
                    try:
                        value = record.get(column.name)
                    except Exception as e:  # a value dissect cannot decode is part of the answer
                        value = f"<{type(e).__name__}>"
                    row[column.name] = repr(value)
                rows.append(row)
            out[table.name] = rows
        return out


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    json.dump(dump(sys.argv[1]), sys.stdout, indent=1, sort_keys=False)
    sys.stdout.write("\n")
