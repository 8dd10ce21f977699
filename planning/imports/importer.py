"""The importer: stage a CSV as text in DuckDB, find every problem with SQL, then upsert.

One path for the app, the `tandem` command and the demo loader. A file with any problem writes
nothing; a good file is written in one transaction, upserted on the contract's key. Everything
that only reads (staging, checks, matching rows to stored ones) runs before that transaction,
under the store's write lock, so the store cannot change between the checks and the write: in
DuckDB, tables created inside a transaction made the write that reads them 2.5x slower
(measured on a million lines).
"""
from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import duckdb

from planning import access
from planning.errors import Refused
from planning.imports import cross_row, merge
from planning.imports.kinds import KINDS, Kind, cleaned, code_sql, convert, invalid, trimmed
from planning.imports.messages import explain
from planning.imports.problems import ImportProblem, ImportReport
from planning.imports.source import Source, read_source, spreadsheet_rows
from planning.model import BASELINE
from planning.people import Person
from planning.store import Store

MAX_ROWS = 2_000_000
EXTRA = "_cell_after_the_header"  # read after the header's columns: a row with one cell more
SHOWN_PROBLEMS = 1000


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
    the report says what an import would add and update.
    """
    kind = KINDS.get(kind_name)
    if kind is None:
        raise Refused(f"unknown kind {kind_name!r}; use one of {', '.join(KINDS)}")
    who = access.require(access.person(actor),
                         "import_targets" if kind.name == "targets" else "import")
    scenario = scenario.strip()
    if not 1 <= len(scenario) <= 60:
        raise Refused("a scenario name has 1 to 60 characters")
    if not isinstance(data, bytes):
        path = Path(data)
        file_name = file_name or path.name
        data = path.read_bytes()
    file_name = file_name or f"{kind.name}.csv"
    source, problems = read_source(kind, file_name, data)
    if source is None:
        return ImportReport(kind.name, file_name, _scenario_of(kind, scenario),
                            problems=tuple(problems), problem_count=len(problems))
    with tempfile.NamedTemporaryFile(suffix=".csv") as staged:
        staged.write(source.data)
        staged.flush()
        job = _Job(store, kind, source, staged.name, scenario, who)
        if not commit:
            with store.cursor() as cur:
                return job.run(cur, commit=False)
        with store.write_cursor() as cur:
            return job.run(cur, commit=True)


def _scenario_of(kind: Kind, scenario: str) -> str | None:
    return scenario if kind.name == "plan" else None


class _Job:
    def __init__(self, store: Store, kind: Kind, source: Source, path: str, scenario: str,
                 who: Person) -> None:
        self.store, self.kind, self.source, self.path = store, kind, source, path
        self.scenario = scenario
        self.who = who
        self.start_month = store.fiscal_year_start_month
        self.parallel = True

    def run(self, cur: duckdb.DuckDBPyConnection, *, commit: bool) -> ImportReport:
        rejected = self._stage(cur)
        rows = cur.execute("SELECT count(*) FROM typed").fetchone()[0]
        if rows + len(rejected) > MAX_ROWS:
            return self._refuse([ImportProblem(
                self.source.name, 0, "-", None,
                f"the file has {rows + len(rejected):,} rows, more than {MAX_ROWS:,}",
                "split it into smaller files")])
        if rows == 0 and not rejected:
            return self._refuse([ImportProblem(
                self.source.name, 2, "-", None, "the file has a header but no rows",
                "add at least one row under the header")])
        self._find_problems(cur)
        count = cur.execute("SELECT count(*) FROM problems").fetchone()[0]
        if count or rejected:
            return self._refuse(self._problems(cur, rejected), count + len(rejected))
        if self.kind.name == "plan":
            owners = {r[0] for r in cur.execute("SELECT DISTINCT owner FROM typed").fetchall()}
            access.require_owners(self.who, owners, "import")
        return merge.run(cur, self.kind, self.source.name, self.scenario, self.who.name,
                         self.start_month, rows, commit=commit)

    def _refuse(self, problems: list[ImportProblem], count: int | None = None) -> ImportReport:
        return ImportReport(self.kind.name, self.source.name,
                            _scenario_of(self.kind, self.scenario),
                            problems=tuple(problems[:SHOWN_PROBLEMS]),
                            problem_count=len(problems) if count is None else count)

    def _stage(self, cur: duckdb.DuckDBPyConnection) -> dict[int, ImportProblem]:
        """Read the file and type every cell in one pass, flagging rows with a problem.

        Rows DuckDB cannot split (a quote left open, more cells than the header and one more)
        are rejected by it and returned. `_shape` flags a row with fewer cells than the header,
        or with one more: DuckDB would quietly drop an empty last cell, so "…,12,500.00," would
        read as 12 and a description of 500.00. The text of the cells is staged again only if
        some row has a problem, to name it.
        """
        typed = ", ".join(f'{convert(c)} AS "{c.name}"' for c in self.kind.columns)
        bad = " OR ".join(f"({invalid(c)})" for c in self.kind.columns)
        last = self.source.columns[-1]
        shape = (f"CASE WHEN {EXTRA} IS NOT NULL THEN 'too_many_cells'"
                 f" WHEN \"{last}\" IS NULL THEN 'too_few_cells' END")
        for attempt in ("parallel", "serial"):
            for table in ("stg", "stg_rejects", "stg_scans", "problems", "typed_data", "keyed"):
                cur.execute(f"DROP TABLE IF EXISTS {table}")
            for view in ("typed", "keyed"):
                cur.execute(f"DROP VIEW IF EXISTS {view}")
            try:
                raw = f"SELECT *, {shape} AS _shape FROM ({self._read_csv()})"
                cur.execute(f"CREATE TEMP TABLE typed_data AS SELECT {typed}, _shape,"
                            f" (_shape IS NOT NULL OR {bad}) AS _bad"
                            f" FROM ({self._cleaned_rows(raw, '_shape, ')})", [self.path])
                break
            except duckdb.Error as exc:
                # Padding short rows is not done in parallel once a quoted cell spans lines.
                if attempt == "serial" or "quoted new lines" not in str(exc):
                    raise
                self.parallel = False
        # A table's rowid follows the file's row order: it names rows in error messages.
        cur.execute("CREATE TEMP VIEW typed AS SELECT rowid AS _row, * FROM typed_data")
        rejected: dict[int, ImportProblem] = {}
        for line, column, error_type, csv_line in cur.execute(
            "SELECT line, column_name, error_type, csv_line FROM stg_rejects ORDER BY line"
        ).fetchall():
            rejected.setdefault(int(line), _reject_problem(self.source, int(line), column,
                                                           str(error_type), csv_line))
        return rejected

    def _read_csv(self) -> str:
        """SQL reading the file (its path is the `?`) as text, in the header's columns and one
        more (EXTRA), short rows padded with NULL; an empty cell is '' (no cell reads as NULL)."""
        columns = ", ".join(f"'{name}': 'VARCHAR'" for name in (*self.source.columns, EXTRA))
        return ("SELECT * FROM read_csv(?, header = true, auto_detect = false,"
                f" columns = {{{columns}}}, delim = ',', quote = '\"', escape = '\"',"
                " strict_mode = true, null_padding = true, nullstr = chr(1),"
                f" parallel = {str(self.parallel).lower()}, store_rejects = true,"
                " rejects_table = 'stg_rejects', rejects_scan = 'stg_scans')")

    def _cleaned_rows(self, rows: str, keep: str = "") -> str:
        """SQL: every column of `rows` (a query of the file's text) trimmed and cleaned.

        `keep` names a column of `rows` to carry through (e.g. `_row, `).
        """
        present = set(self.source.columns)
        trim = ", ".join(f'{trimmed(c, c.name in present)} AS "{c.name}"'
                         for c in self.kind.columns)
        clean = ", ".join(f'{cleaned(c)} AS "{c.name}"' for c in self.kind.columns)
        return f"SELECT {keep}{clean} FROM (SELECT {keep}{trim} FROM ({rows}))"

    def _find_problems(self, cur: duckdb.DuckDBPyConnection) -> None:
        """Every problem as (_row, col, value, code, detail, other_row) in a `problems` table."""
        cur.execute("CREATE TEMP TABLE problems (_row BIGINT, col VARCHAR, value VARCHAR,"
                    " code VARCHAR, detail VARCHAR, other_row BIGINT)")
        if cur.execute("SELECT count(*) FROM typed_data WHERE _bad").fetchone()[0]:
            cur.execute(f"CREATE TEMP TABLE stg AS {self._read_csv()}", [self.path])
            # A row of the wrong shape is named once, with its cells; its cells are not judged.
            present = " + ".join(f'(stg."{c}" IS NOT NULL)::INT' for c in self.source.columns)
            text = ", ".join(f'stg."{c}"' for c in (*self.source.columns, EXTRA))
            cur.execute(
                "INSERT INTO problems SELECT t._row, '-', concat_ws(',', " + text + "), t._shape,"
                f" CASE t._shape WHEN 'too_few_cells' THEN ({present}) || ' cells but the header"
                f" has ' ELSE 'more cells than the header''s ' END || {len(self.source.columns)},"
                " NULL"
                " FROM stg JOIN typed t ON stg.rowid = t._row WHERE t._shape IS NOT NULL")
            bad_rows = self._cleaned_rows("SELECT rowid AS _row, * FROM stg WHERE rowid IN"
                                          " (SELECT _row FROM typed WHERE _bad AND _shape IS NULL)",
                                          "_row, ")
            cells = " UNION ALL ".join(
                f"SELECT _row, '{c.name}', value, code, NULL, NULL FROM (SELECT _row,"
                f" \"{c.name}\" AS value, {code_sql(c)} AS code FROM bad) WHERE code IS NOT NULL"
                for c in self.kind.columns
            )
            cur.execute(f"INSERT INTO problems WITH bad AS ({bad_rows}) {cells}")
        cross_row.check(cur, self.kind, self.scenario, self.start_month)

    def _problems(self, cur: duckdb.DuckDBPyConnection,
                  rejected: dict[int, ImportProblem]) -> list[ImportProblem]:
        found = cur.execute(
            "SELECT _row, col, value, code, detail, other_row FROM problems"
            " ORDER BY _row, col LIMIT ?", [SHOWN_PROBLEMS]
        ).fetchall()
        rows = spreadsheet_rows(self.source, set(rejected)) if found else []
        problems = list(rejected.values())
        for row, col, value, code, detail, other in found:
            column = self.kind.column(col) if col in self.kind.names else None
            if other is not None:
                detail = str(rows[other])
            message, fix = explain(code, column, value, detail)
            problems.append(ImportProblem(self.source.name, rows[row], col, value, message, fix))
        order = {name: i for i, name in enumerate(self.kind.names)}
        problems.sort(key=lambda p: (p.row, order.get(p.column, len(order))))
        return problems


def _reject_problem(source: Source, line: int, column: str | None, error_type: str,
                    csv_line: str | None) -> ImportProblem:
    expected = len(source.columns)
    if error_type == "TOO MANY COLUMNS":  # short rows are padded and flagged as _shape
        return ImportProblem(
            source.name, line, column or "-", csv_line,
            f"this row has {_cells(csv_line)} cells but the header has {expected}",
            "check for a missing or extra comma; put cells that contain a comma in double quotes")
    return ImportProblem(source.name, line, column or "-", csv_line,
                         f"this row cannot be read ({error_type.lower()})",
                         "check its quotes: a quoted cell must end with a closing double quote")


def _cells(csv_line: str | None) -> str:
    """How many cells DuckDB's copy of a rejected row holds (it may start with a line break)."""
    try:
        records = list(csv.reader(io.StringIO((csv_line or "").lstrip("\r\n"))))
    except csv.Error:
        return "a different number of"
    return str(len(records[0])) if records else "no"
