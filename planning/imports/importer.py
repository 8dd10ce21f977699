"""The importer: stage a CSV as text in DuckDB, find every problem with SQL, then upsert.

One path for the app, the `tandem` command and the demo loader. A file with any problem writes
nothing; a good file is written in one transaction, upserted on the contract's key. Everything
that only reads (staging, checks, matching rows to stored ones) runs before that transaction,
under the store's write lock, so the store cannot change between the checks and the write: in
DuckDB, tables created inside a transaction made the write that reads them 2.5x slower
(measured on a million lines).
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb

from planning import access
from planning.errors import Refused
from planning.imports import cross_row, merge, targets
from planning.imports.kinds import (
    KINDS,
    Kind,
    cleaned,
    code_name_sql,
    code_number_sql,
    convert,
    invalid,
    trimmed,
)
from planning.imports.messages import explain
from planning.imports.problems import (
    PER_KIND,
    SHOWN_PROBLEMS,
    VALUE_CHARS,
    ImportProblem,
    ImportReport,
    ProblemList,
    clip,
)
from planning.imports.source import Layout, Source, layout, line_ends, read_source, with_data
from planning.model import BASELINE
from planning.people import Person
from planning.store import Store

MAX_ROWS = 2_000_000
DUCKDB_LINE = 2_000_000  # DuckDB's default longest line: a longer one makes it read serially
EXTRA = "_cell_after_the_header"  # read after the header's columns: a row with one cell more
__all__ = ["MAX_ROWS", "SHOWN_PROBLEMS", "import_csv"]


def import_csv(
    store: Store,
    kind_name: str,
    data: bytes | str | Path,
    *,
    file_name: str | None = None,
    scenario: str = BASELINE,
    actor: Person | str = "system",
    commit: bool = True,
) -> ImportReport:
    """Check a CSV file of one kind and, when `commit` and it has no problem, write it.

    `data` is the file's bytes (an upload) or its path. With `commit=False` nothing is written and
    the report says what an import would add and update. Whatever the bytes, the answer is a
    report: a file the importer cannot read is a problem of the file, never an exception.
    """
    kind = KINDS.get(kind_name)
    if kind is None:
        raise Refused(f"unknown kind {kind_name!r}; use one of {', '.join(KINDS)}")
    who = access.require(access.person(actor), IMPORT_ACTION.get(kind.name, "import"))
    scenario = scenario.strip()
    if not 1 <= len(scenario) <= 60:
        raise Refused("a scenario name has 1 to 60 characters")
    if not isinstance(data, bytes):
        path = Path(data)
        file_name = file_name or path.name
        data = path.read_bytes()
    file_name = file_name or f"{kind.name}.csv"
    source, found = read_source(kind, file_name, data)
    del data  # the source holds the bytes from here on; do not keep two copies
    if source is None:
        return _report(kind, file_name, scenario, found)
    with tempfile.NamedTemporaryFile(suffix=".csv") as staged:
        staged.write(source.data)
        staged.flush()
        job = _Job(store, kind, source, staged.name, scenario, who)
        with store.staging(write=commit, mirror=merge.stored_rows(kind, scenario)) as cur:
            return job.run(cur, commit=commit)


# The action a kind's import needs, when it is not "import" (planning.access).
IMPORT_ACTION = {"targets": "import_targets", "forecast": "forecast"}


def _scenario_of(kind: Kind, scenario: str) -> str | None:
    return scenario if kind.name == "plan" else None


def _report(kind: Kind, file_name: str, scenario: str, found: ProblemList) -> ImportReport:
    order = {name: i for i, name in enumerate(kind.names)}
    problems, count, omitted = found.finish(order)
    return ImportReport(kind.name, file_name, _scenario_of(kind, scenario), problems=problems,
                        problem_count=count, omitted=omitted)


class _Job:
    def __init__(self, store: Store, kind: Kind, source: Source, path: str, scenario: str,
                 who: Person) -> None:
        self.store, self.kind, self.source, self.path = store, kind, source, path
        self.scenario = scenario
        self.who = who
        self.start_month = store.fiscal_year_start_month
        self.max_line_size = DUCKDB_LINE

    def run(self, cur: duckdb.DuckDBPyConnection, *, commit: bool) -> ImportReport:
        found = ProblemList()
        name = self.source.name
        lines = self.source.lines
        # Counted before reading: staging a file of ten million short lines would take
        # gigabytes. A row spans two lines at most on average (a cell with a line break).
        if lines > 2 * MAX_ROWS:
            return self._too_many(found, lines)
        if self.source.data.count(b'"') % 2:
            # An odd number of quotes: one may be left open (or a cell holds one, 12" screen).
            # An open one is named from the file alone: DuckDB would take seconds to skip what
            # follows it, to no use.
            self._layout(-1, found)
            if found.count_of("quotes"):
                return self._refuse(found)
            found = ProblemList()
        while True:
            try:
                self._stage(cur)
            except duckdb.Error as exc:
                # Not expected for any file (the fuzzer found none); still the file's problem.
                found.add(ImportProblem(name, 1, "-", None, "the file cannot be read as CSV ("
                                        + str(exc).splitlines()[0] + ")",
                                        "export the sheet again as 'CSV UTF-8 (comma"
                                        " delimited)'"))
                return self._refuse(found)
            rows = cur.execute("SELECT count(*) FROM typed_data").fetchone()[0]
            if rows > MAX_ROWS:
                return self._too_many(found, lines)
            places = self._layout(rows, found)
            if (places is None or len(places.rows) == rows or found
                    or self.max_line_size > DUCKDB_LINE):
                break
            # DuckDB skipped a row Python reads whole: longer than DuckDB's default line (2 MB).
            # Read again taking any length (in one thread: DuckDB splits no longer lines).
            self.max_line_size = len(self.source.data) + 2
        if places is not None and len(places.rows) != rows:
            # Rows DuckDB skipped: named above; the others cannot be placed, so stop here.
            if not found:
                found.add(ImportProblem(name, 1, "-", None,
                                        "the rows of this file cannot be told apart",
                                        "check its quotes and line breaks: save it again as"
                                        " 'CSV UTF-8 (comma delimited)'"))
            return self._refuse(found)
        if rows == 0 and not found:
            found.add(ImportProblem(name, 2, "-", None, "the file has a header but no rows",
                                    "add at least one row under the header"))
            return self._refuse(found)
        self._find_problems(cur)
        self._collect(cur, found, places)
        if found:
            return self._refuse(found)
        if self.kind.name in ("plan", "forecast"):
            owners = {r[0] for r in cur.execute("SELECT DISTINCT owner FROM typed").fetchall()}
            access.require_owners(self.who, owners, "import")
        if self.kind.name == "targets":  # proposals until both heads agree (planning.agreements)
            return targets.run(cur, name, self.who, rows, commit=commit, store=self.store)
        return merge.run(cur, self.kind, name, self.scenario, self.who.name,
                         self.start_month, rows, commit=commit, store=self.store)

    def _too_many(self, found: ProblemList, lines: int) -> ImportReport:
        found.add(ImportProblem(self.source.name, 0, "-", None, f"the file has more than"
                                f" {MAX_ROWS:,} rows ({lines:,} lines)",
                                "split it into smaller files"))
        return self._refuse(found)

    def _refuse(self, found: ProblemList) -> ImportReport:
        return _report(self.kind, self.source.name, self.scenario, found)

    def _layout(self, rows: int, found: ProblemList) -> Layout | None:
        """Where the rows read are in the file: None when each line is one row (row = line).

        DuckDB skips blank lines and rows it cannot read, and a quoted cell may span lines; only
        then is the file read again, in Python (linear), to place rows and name unreadable ones.
        Counting the lines is a pass at memory speed; nothing else is added for a plain file.
        """
        data, end = self.source.data, len(self.source.data)
        while end and data[end - 1] in b"\r\n":
            end -= 1
        # Line feeds but those ending the file: the header's and one per row.
        if self.source.lines - data.count(b"\n", end) == rows:
            return None
        places = layout(self.source, PER_KIND)
        name, expected = self.source.name, len(self.source.columns)
        separator = self.source.separator_name
        for row, cells, reason in places.unreadable:
            if cells is not None:
                problem = ImportProblem(
                    name, row, "-", None, f"this row has {cells:,} cells but the header has"
                    f" {expected}", f"check for a missing or extra {separator}; put cells that"
                    f" contain a {separator} in double quotes")
                found.add(problem, "cells")
            else:
                problem = ImportProblem(
                    name, row, "-", None, f"this row cannot be read ({reason})",
                    "check its quotes: a quoted cell must end with a closing double quote,"
                    f" followed by a {separator} or the end of the line")
                found.add(problem, "quotes")
        missing = places.unreadable_count - len(places.unreadable)
        if missing > 0:
            last = places.unreadable[-1][0]
            found.add_counted("cells", [], missing, last)
        return places

    def _stage(self, cur: duckdb.DuckDBPyConnection) -> None:
        """Read the file and type every cell in one pass, flagging rows with a problem.

        DuckDB skips rows it cannot split (a quote left open, more cells than the header and one
        more); `_layout` finds them. Skipping is linear: keeping DuckDB's own record of each
        (`store_rejects`) costs a copy of the row per extra cell, quadratic in the row's length.
        `_shape` flags a row with fewer cells than the header, or with one more: DuckDB would
        quietly drop an empty last cell, so "…,12,500.00," would read as 12 and a description of
        500.00. A bad row keeps what naming its problems needs, not its text: each cell's problem
        code as a number (`_code_<column>`, see kinds.CODES) and, for a short row, how many cells
        it has; a refused file's cells are never written anywhere, so a bad row's typed cells
        are NULL: two million bad rows of text were 250 MB staged twice, and a cast that fails
        costs twenty times one that succeeds (0.9 s for two million amounts). Nothing reads a
        bad row's typed cells: the checks across rows take good rows only.
        """
        controls = self.source.controls > 0
        bad = " OR ".join(f"({invalid(c, controls)})" for c in self.kind.columns)
        typed = ", ".join(f'CASE WHEN NOT _bad THEN {convert(c)} END AS "{c.name}"'
                          for c in self.kind.columns)
        codes = ", ".join(f'CASE WHEN _bad AND _shape IS NULL THEN {code_number_sql(c)} END'
                          f' AS "_code_{c.name}"' for c in self.kind.columns)
        last = self.source.columns[-1]
        present = " + ".join(f'("{c}" IS NOT NULL)::INT' for c in self.source.columns)
        shape = (f"CASE WHEN {EXTRA} IS NOT NULL THEN 'too_many_cells'"
                 f" WHEN \"{last}\" IS NULL THEN 'too_few_cells' END AS _shape,"
                 f" CASE WHEN \"{last}\" IS NULL THEN {present} END AS _cells,"
                 f" hash({', '.join((*self.source.columns, EXTRA))}) AS _hash")
        while True:
            for table in ("problems", "problem_counts", "listed_text", "typed_data", "keyed"):
                cur.execute(f"DROP TABLE IF EXISTS {table}")
            for view in ("typed", "keyed"):
                cur.execute(f"DROP VIEW IF EXISTS {view}")
            try:
                raw = f"SELECT *, {shape} FROM ({self._read_csv()})"
                flagged = (f"SELECT *, (_shape IS NOT NULL OR {bad}) AS _bad"
                           f" FROM ({self._cleaned_rows(raw, '_shape, _cells, _hash, ')})")
                cur.execute(f"CREATE TEMP TABLE typed_data AS SELECT {typed}, _shape, _cells,"
                            f" _bad, CASE WHEN _bad THEN _hash END AS _hash, {codes}"
                            f" FROM ({flagged})", [self.path])
                break
            except duckdb.Error as exc:
                if "invalid state" in str(exc) and self._mixed_line_ends():
                    pass  # a lone CR after CRLF lines: read again with LF line ends
                else:
                    raise
        # A table's rowid follows the file's row order: it names rows in error messages.
        cur.execute("CREATE TEMP VIEW typed AS SELECT rowid AS _row, * FROM typed_data")

    def _mixed_line_ends(self) -> bool:
        """Turn every line end into LF (a lone CR among CRLF ones); False if nothing changed."""
        data = line_ends(self.source.data, mixed=True)
        if data == self.source.data:
            return False
        self.source = with_data(self.source, data)
        Path(self.path).write_bytes(data)
        return True

    def _read_csv(self) -> str:
        """SQL reading the file (its path is the `?`) as text, in the header's columns and one
        more (EXTRA), short rows padded with NULL; an empty cell is '' (no cell reads as NULL).
        A line longer than `max_line_size` is skipped: `run` reads the file again taking any
        length, so that a cell too long for its column is named by the checks, not dropped."""
        columns = ", ".join(f"'{name}': 'VARCHAR'" for name in (*self.source.columns, EXTRA))
        return ("SELECT * FROM read_csv(?, header = true, auto_detect = false,"
                f" columns = {{{columns}}}, delim = chr({ord(self.source.separator)}),"
                " quote = '\"', escape = '\"',"
                " strict_mode = true, null_padding = true, nullstr = chr(1),"
                f" max_line_size = {self.max_line_size},"
                # One thread: DuckDB 1.5's parallel reader, padding short rows, hands chunks
                # over out of file order, so a table's rowid (the row an error names) was wrong
                # past the first ~8,000 rows.
                " parallel = false, ignore_errors = true)")

    def _cleaned_rows(self, rows: str, keep: str = "", *, as_read: bool = True) -> str:
        """SQL: every column of `rows` (a query of the file's text) trimmed and cleaned.

        `keep` names a column of `rows` to carry through (e.g. `_row, `). `as_read=False` keeps
        a decimal comma as written: the text a problem shows.
        """
        present = set(self.source.columns)
        # A CR can only be in a cell of a file that has one (most files have none).
        has_cr = b"\r" in self.source.data
        trim = ", ".join(f'{trimmed(c, c.name in present, has_cr)} AS "{c.name}"'
                         for c in self.kind.columns)
        comma = as_read and self.source.separator == ";"
        clean = ", ".join(f'{cleaned(c, comma)} AS "{c.name}"' for c in self.kind.columns)
        return f"SELECT {keep}{clean} FROM (SELECT {keep}{trim} FROM ({rows}))"

    def _find_problems(self, cur: duckdb.DuckDBPyConnection) -> None:
        """Every problem counted in `problem_counts`; the first of each kind in `problems`, as
        (_row, col, value, code, detail, other_row). Both stay small whatever the file."""
        cross_row.create_problem_tables(cur)
        if cur.execute("SELECT count(*) FROM typed_data WHERE _bad").fetchone()[0]:
            # A row of the wrong shape is named once, with its cells; its cells are not judged.
            cross_row.add(
                cur, "SELECT _row, '-' AS col, NULL AS value, _shape AS code, CASE _shape WHEN"
                " 'too_few_cells' THEN _cells || ' cells but the header has ' ELSE 'more cells"
                f" than the header''s ' END || {len(self.source.columns)} AS detail,"
                " NULL::BIGINT AS other_row FROM typed WHERE _shape IS NOT NULL")
            for c in self.kind.columns:
                code = f'"_code_{c.name}"'
                cross_row.add(cur, f"SELECT _row, '{c.name}' AS col, NULL AS value,"
                                   f" {code_name_sql(code)} AS code, NULL AS detail, NULL::BIGINT"
                                   f" AS other_row FROM typed WHERE {code} IS NOT NULL")
            self._problem_values(cur)
        cross_row.check(cur, self.kind, self.scenario, self.start_month)

    def _problem_values(self, cur: duckdb.DuckDBPyConnection) -> None:
        """The text of the cells (of the whole row, for a row of the wrong shape) that problems
        show, cut to what a problem shows. Staging kept each bad row's hash (`_hash`); the file
        is read once more and only rows with a wanted hash are kept: rows with the same hash hold
        the same text, so the text is found without numbering the rows read. The wanted rows
        are those a report can list (the first SHOWN_PROBLEMS rows, and each kind's first), so
        their hashes go into the query as constants: DuckDB then streams the file past them
        (joined to a table of hashes, or read beside `typed` in a positional join, it held the
        whole file: +450 MB for two million rows)."""
        hashes = [h for (h,) in cur.execute(
            "SELECT DISTINCT _hash FROM typed WHERE _row IN (SELECT _row FROM (SELECT DISTINCT"
            f" _row FROM problems ORDER BY _row LIMIT {SHOWN_PROBLEMS}) UNION SELECT min(_row)"
            " FROM problems GROUP BY col, code)").fetchall()]
        columns = (*self.source.columns, EXTRA)
        wanted = ", ".join(f"{int(h)}::UBIGINT" for h in hashes)
        rows = (f"SELECT * FROM (SELECT *, hash({', '.join(columns)}) AS _hash"
                f" FROM ({self._read_csv()})) WHERE _hash IN ({wanted})")
        line = (f"concat_ws(chr({ord(self.source.separator)}), "
                + ", ".join(f'"{c}"' for c in columns) + ")")
        cleaned_rows = self._cleaned_rows(f"SELECT *, {line} AS _line FROM ({rows})",
                                          "_hash, _line, ", as_read=False)
        cells = ", ".join(f'any_value(left("{c.name}", {VALUE_CHARS + 1})) AS "{c.name}",'
                          f' any_value(length("{c.name}")) AS "{c.name}_chars"'
                          for c in self.kind.columns)
        cur.execute(f"CREATE TEMP TABLE listed_text AS SELECT t._row, v.* FROM typed t JOIN"
                    f" (SELECT _hash, any_value(left(_line, {VALUE_CHARS + 1})) AS _line,"
                    f" any_value(length(_line)) AS _line_chars, {cells} FROM ({cleaned_rows})"
                    " GROUP BY _hash) v ON v._hash = t._hash"
                    " WHERE t._row IN (SELECT _row FROM problems)", [self.path])
        cur.execute("UPDATE problems SET value = v._line, chars = v._line_chars FROM listed_text v"
                    " WHERE problems._row = v._row AND problems.col = '-'")
        for c in self.kind.columns:
            cur.execute(f'UPDATE problems SET value = v."{c.name}", chars = v."{c.name}_chars"'
                        f" FROM listed_text v WHERE problems._row = v._row"
                        f" AND problems.col = '{c.name}'")

    def _collect(self, cur: duckdb.DuckDBPyConnection, found: ProblemList,
                 places: Layout | None) -> None:
        """Name the problems found by SQL, at their spreadsheet rows, in `found`."""
        counts = cur.execute("SELECT col, code, sum(n), max(last_row) FROM problem_counts"
                             " GROUP BY ALL").fetchall()
        if not counts:
            return
        if places is None:
            places = Layout([], [], 0)

        def row_of(r: int) -> int:
            return int(places.rows[r]) if len(places.rows) else r + 2

        listed: dict[tuple[str, str], list[ImportProblem]] = {}
        for row, col, value, code, detail, other, chars in cur.execute(
            "SELECT _row, col, value, code, detail, other_row, chars FROM problems"
            " ORDER BY _row, col"
        ).fetchall():
            column = self.kind.column(col) if col in self.kind.names else None
            if other is not None:
                detail = str(row_of(other))
            message, fix = explain(code, column, value, detail, chars,
                                   separator=self.source.separator)
            listed.setdefault((col, code), []).append(ImportProblem(
                self.source.name, row_of(row), col, clip(value, length=chars), message, fix))
        for col, code, n, last in counts:
            found.add_counted((col, code), listed.get((col, code), []), int(n), row_of(last))
