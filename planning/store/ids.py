"""Surrogate ids for the big tables, never reused (see migration 0004_id_marks)."""
from __future__ import annotations

import duckdb

MARKED = ("plan_lines", "actuals")


def reserve(cur: duckdb.DuckDBPyConnection, table: str, count: int) -> int:
    """Reserve `count` new ids of a table in the caller's transaction; returns the base, so the
    new ids are base + 1 ... base + count."""
    if table not in MARKED:
        return cur.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]
    base = cur.execute("SELECT greatest(m.last, (SELECT coalesce(max(id), 0) FROM"
                       f" {table})) FROM id_marks m WHERE m.table_name = ?",
                       [table]).fetchone()[0]
    cur.execute("UPDATE id_marks SET last = ? WHERE table_name = ?", [base + count, table])
    return base
