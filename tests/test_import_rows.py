"""A big file's problems name the rows a spreadsheet shows, and its lines keep the file's order.

DuckDB 1.5's parallel CSV reader, padding short rows, hands its chunks over out of file order:
a file of 130,000 rows with a bad amount on row 100,000 was reported on row 7,810.
"""
from __future__ import annotations

from planning.imports import import_csv
from planning.store import Store

HEADER = "fiscal_year,owner,category,funnel_stage,channel,region,month,amount,description\n"
OWNERS = ("sales", "marketing", "joint")
ROWS = 130_000
BAD = (3, 50_000, 100_000, 129_999, ROWS + 1)  # spreadsheet rows (the header is row 1)


def _file(bad: tuple[int, ...] = ()) -> bytes:
    lines = [HEADER]
    for row in range(2, ROWS + 2):
        amount = "12.345" if row in bad else f"{row % 997}.50"
        lines.append(f"2026,{OWNERS[row % 3]},Row {row},awareness,Channel {row // 12},"
                     f"Region {row % 7},2026-{row % 12 + 1:02d},{amount},\n")
    return "".join(lines).encode()


def test_every_problem_names_its_own_row():
    report = import_csv(Store(":memory:"), "plan", _file(BAD), file_name="big.csv",
                        commit=False)
    assert [(p.row, p.column) for p in report.problems] == [(row, "amount") for row in BAD]


def test_lines_are_numbered_in_the_files_order(tmp_path):
    store = Store(tmp_path / "rows.duckdb")
    try:
        assert import_csv(store, "plan", _file(), file_name="big.csv").ok
        rows = store.query("SELECT id, category FROM plan_lines ORDER BY id")
        assert [category for _id, category in rows] == [f"Row {r}" for r in range(2, ROWS + 2)]
    finally:
        store.close()
