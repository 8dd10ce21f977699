"""Imports into a PostgreSQL store: stage and check in DuckDB, then COPY the accepted rows in.

The importer stages and checks a file with DuckDB's CSV reader and SQL, as for the embedded store.
For a PostgreSQL store that runs in a DuckDB database in memory (`staging`), holding copies of the
stored rows the checks and the matching read (the scenarios, and the rows of the kind's table the
file may touch), taken inside the writer's turn so they cannot change before the import commits.
`write` then does in PostgreSQL what `planning.imports.merge` does in DuckDB: the new fiscal years
and scenarios, the changed rows (COPY into a temporary table, one UPDATE), and the new rows (COPY
straight into the table), all in the import's transaction. Rows travel as CSV, which both engines
write and read exactly (NULL as an empty cell, an empty text as "").
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb

from planning.store import ids
from planning.store.migrations import MIGRATIONS

CHUNK = 1 << 20
# Rows an import adds from which the table's planner statistics are taken again at its commit;
# autovacuum takes them after smaller changes, which mislead no plan before it does.
ANALYZE_AFTER = 1_000


def _quoted(names: list[str]) -> str:
    return ", ".join(f'"{n}"' for n in names)


@contextmanager
def _scratch() -> Iterator[str]:
    fd, path = tempfile.mkstemp(suffix=".csv", prefix="tandem-")
    os.close(fd)
    try:
        yield path
    finally:
        os.remove(path)


def _copy_out(out: Any, select: str, params: list, path: str) -> None:
    """The rows of a PostgreSQL query as CSV in `path` (COPY takes no parameters: a temporary
    table holds them first)."""
    out.execute("CREATE OR REPLACE TEMP TABLE staging_copy AS " + select, params)
    with open(path, "wb") as file, out.copy("COPY staging_copy TO STDOUT (FORMAT csv)") as copy:
        for chunk in copy:
            file.write(chunk)
    out.execute("DROP TABLE staging_copy")


def _copy_in(out: Any, statement: str, path: str) -> None:
    with open(path, "rb") as file, out.copy(statement) as copy:
        while chunk := file.read(CHUNK):
            copy.write(chunk)


@contextmanager
def staging(out: Any, mirrors: list[tuple[str, str, list]]) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB database in memory with Tandem's schema and copies of the stored rows the
    importer reads: each (table, select over the PostgreSQL store, params)."""
    conn = duckdb.connect(":memory:")
    try:
        conn.execute("SET enable_progress_bar = false")  # a million lines drew it on stderr
        for _name, sql in MIGRATIONS:
            conn.execute(sql)
        for table, select, params in mirrors:
            columns = conn.execute(
                "SELECT column_name, data_type FROM information_schema.columns"
                " WHERE table_name = ? ORDER BY ordinal_position", [table]).fetchall()
            conn.execute(f"DELETE FROM {table}")
            with _scratch() as path:
                _copy_out(out, select, params, path)
                if not os.path.getsize(path):
                    continue
                types = ", ".join(f"'{n}': '{t}'" for n, t in columns)
                conn.execute(f"INSERT INTO {table} SELECT * FROM read_csv(?, header = false,"
                             f" delim = ',', quote = '\"', escape = '\"',"
                             f" columns = {{{types}}}, allow_quoted_nulls = false)", [path])
        cur = conn.cursor()
        try:
            yield cur
        finally:
            cur.close()
    finally:
        conn.close()


def write(stage: duckdb.DuckDBPyConnection, out: Any, kind: Any, scenario: str, actor: str,
          keys: list[str], values: list[str], added: int, updated: int,
          stamped: dict[str, str] | None = None) -> None:
    """Write the rows `planning.imports.merge` matched in `stage` (table `keyed`) into the
    PostgreSQL store through `out`, in the caller's transaction. `stamped` (column -> SQL value)
    is set on every row written; a table without ids (`kind.numbered` false) is matched by key."""
    table = kind.table
    stamped = stamped or {}
    if added >= ANALYZE_AFTER:  # statistics taken again after the commit (PostgresStore.grown)
        out.store.grown(table)
    if kind.name == "plan":
        years = [r[0] for r in stage.execute("SELECT DISTINCT fiscal_year FROM typed").fetchall()]
        out.execute("INSERT INTO fiscal_years (fiscal_year)"
                    " SELECT unnest(CAST(? AS INTEGER[])) ON CONFLICT DO NOTHING", [years])
        out.execute("INSERT INTO scenarios (fiscal_year, name, created_by)"
                    " SELECT y, ?, ? FROM unnest(CAST(? AS INTEGER[])) AS u(y)"
                    " WHERE y NOT IN (SELECT fiscal_year FROM scenarios WHERE name = ?)",
                    [scenario, actor, years, scenario])
        ids_of = out.execute("SELECT fiscal_year, id FROM scenarios WHERE name = ?",
                             [scenario]).fetchall()
        stage.execute("CREATE OR REPLACE TEMP TABLE stored_scenario (fiscal_year INTEGER,"
                      " id INTEGER)")
        stage.executemany("INSERT INTO stored_scenario VALUES (?, ?)", ids_of)
    if updated:
        # The stored row's id, or its key in a table without ids.
        found = ["id"] if kind.numbered else keys
        ident = "existing_id" if kind.numbered else _quoted(keys)
        with _scratch() as path:
            stage.execute(f"COPY (SELECT {ident}, {_quoted(values)} FROM keyed WHERE changed)"
                          f" TO '{path}' (FORMAT csv, HEADER false)")
            out.execute(f"CREATE OR REPLACE TEMP TABLE import_changed AS SELECT"
                        f" {_quoted(found)}, {_quoted(values)} FROM {table} LIMIT 0")
            _copy_in(out, f"COPY import_changed ({_quoted(found)}, {_quoted(values)}) FROM STDIN"
                          " (FORMAT csv)", path)
        sets = ", ".join(f'"{v}" = t."{v}"' for v in values)
        sets += "".join(f', "{c}" = {v}' for c, v in stamped.items())
        params: list = []
        if kind.name == "plan":
            sets += (f", version = {table}.version + 1, status = 'draft', edited_by = ?,"
                     " updated_at = current_timestamp")
            params = [actor]
        match = " AND ".join(f'{table}."{c}" = t."{c}"' for c in found)
        out.execute(f"UPDATE {table} SET {sets} FROM import_changed t WHERE {match}", params)
        out.execute("DROP TABLE import_changed")
    if not added:
        return
    columns = keys + values
    selected = [f't."{c}"' for c in columns]
    if "import_id" in stamped:  # (a survey answer's time is the table's default)
        columns, selected = [*columns, "import_id"], [*selected, stamped["import_id"]]
    source, params = "keyed t", []
    if not kind.numbered:
        with _scratch() as path:
            stage.execute(f"COPY (SELECT {', '.join(selected)} FROM {source}"
                          f" WHERE t.existing_id IS NULL) TO '{path}' (FORMAT csv, HEADER false)")
            _copy_in(out, f"COPY {table} ({_quoted(columns)}) FROM STDIN (FORMAT csv)", path)
        return
    if kind.name == "plan":
        selected[0] = "s.id"
        columns, selected = [*columns, "edited_by"], [*selected, "?"]
        source += " JOIN stored_scenario s ON s.fiscal_year = t.fiscal_year"
        params = [actor]
    base = ids.reserve(out, table, stage.execute("SELECT count(*) FROM typed").fetchone()[0])
    with _scratch() as path:  # written straight from the query: no table of the new rows first
        stage.execute(f"COPY (SELECT {base} + t._row + 1, {', '.join(selected)} FROM {source}"
                      f" WHERE t.existing_id IS NULL) TO '{path}' (FORMAT csv, HEADER false)",
                      params)
        _copy_in(out, f"COPY {table} (id, {_quoted(columns)}) FROM STDIN (FORMAT csv)", path)
