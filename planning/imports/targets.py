"""Write a checked targets file: proposals for a head or planner, in force for an executive or
the administrator (planning.agreements holds the rule).

Both departments are measured on the targets, so a head's file changes nothing in force until
the other head agrees; the report says so. The file is still all or nothing: every row is
proposed (or set) in the import's one transaction, with its audit entries, or none is. Counts
(added, updated, unchanged) compare the file with the targets in force.
"""
from __future__ import annotations

from decimal import Decimal

import duckdb

from planning import agreements, audit
from planning.imports.problems import SHOWN_CHANGES, ImportReport, RowChange
from planning.people import Person
from planning.store import Store

Row = tuple[int, str, str, Decimal]


def _compare(rows: list[Row], stored: dict[tuple[int, str, str], Decimal]
             ) -> tuple[int, int, tuple[RowChange, ...]]:
    """(added, updated, the changed rows in file order) against the targets in force."""
    added = sum((y, k, p) not in stored for y, k, p, _v in rows)
    changed = [(y, k, p, v) for y, k, p, v in rows if (y, k, p) in stored and stored[(y, k, p)]
               != v]
    changes = tuple(RowChange((("kpi", k), ("period", p)), (("target", stored[(y, k, p)], v),))
                    for y, k, p, v in changed[:SHOWN_CHANGES])
    return added, len(changed), changes


def run(cur: duckdb.DuckDBPyConnection, file_name: str, who: Person, rows: int, *,
        commit: bool, store: Store) -> ImportReport:
    """Match the staged rows (`typed`) to the targets in force (read where the file is staged),
    then propose or set them; `commit=False` only says what an import would do."""
    staged: list[Row] = cur.execute("SELECT fiscal_year, kpi, period, target FROM typed"
                                    " ORDER BY _row").fetchall()
    stored = {(y, k, p): v for y, k, p, v in cur.execute(
        "SELECT fiscal_year, kpi, period, target FROM targets").fetchall()}
    added, updated, changes = _compare(staged, stored)
    years = tuple(sorted({r[0] for r in staged}))
    if commit:
        with store.import_transaction(cur) as out:
            outcome = agreements.import_targets(out, who, staged, file_name)
            audit.record(out, who.name, "import", f"targets {file_name}", after={
                "scenario": None, "rows": rows, "added": added, "updated": updated,
                "control_total": None, "proposed": len(outcome.proposed) or None})
            out.execute(
                "INSERT INTO imports (kind, file_name, scenario, rows_in_file, rows_added,"
                " rows_updated, control_total, imported_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                ["targets", file_name, None, rows, added, updated, None, who.name])
    else:
        outcome = agreements.preview_import(store, who, staged)
    return ImportReport("targets", file_name, None, rows=rows, added=added, updated=updated,
                        unchanged=rows - added - updated, fiscal_years=years, committed=commit,
                        changes=changes, proposed=len(outcome.proposed),
                        note=outcome.message(done=commit))
