"""Files as spreadsheets write them: Excel workbooks, semicolon and tab CSVs, UTF-8 with a
byte-order mark and UTF-16. Each goes through the same checks as a comma CSV."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from planning.imports import import_csv, workbook
from planning.store import Store

NAMES = ["fiscal_year", "owner", "category", "funnel_stage", "channel", "region", "month",
         "amount", "description"]


def line(month: str, amount: str, description: str = "") -> list[str]:
    return ["2026", "sales", "Events", "awareness", "Field", "EMEA", month, amount, description]


def text(separator: str, *rows: list[str], end: str = "\n") -> str:
    return "".join(separator.join(r) + end for r in (NAMES, *rows))


def stored(store: Store) -> list[tuple]:
    return store.query("SELECT strftime(month, '%Y-%m'), amount, description FROM plan_lines"
                       " ORDER BY month")


def problems(report) -> list[str]:
    return [str(p) for p in report.problems]


# -- CSV: separators, decimal commas, encodings --------------------------------------------------

def test_a_semicolon_file_reads_a_decimal_comma(store):
    data = text(";", line("2026-01", "1234,50", "a, b"), line("2026-02", "7.5")).encode()
    report = import_csv(store, "plan", data, file_name="eu.csv")
    assert report.ok, problems(report)
    assert stored(store) == [("2026-01", Decimal("1234.50"), "a, b"),
                             ("2026-02", Decimal("7.50"), None)]


def test_a_semicolon_file_refuses_thousands_separators_with_the_accepted_form(store):
    data = text(";", line("2026-01", "1.234,50"), line("2026-02", "12,345"),
                line("2026-03", "1,00", "x;y")).encode()
    report = import_csv(store, "plan", data, file_name="eu.csv")
    assert problems(report) == [
        "eu.csv:2:amount: '1.234,50' is not a plain amount; write digits with ',' or '.' before"
        " the cents and no currency sign or thousands separator, e.g. 1234,50",
        "eu.csv:3:amount: '12,345' has too many decimal places; round it to cents: at most 2"
        " decimals, e.g. 1234,50",
        "eu.csv:4:-: this row has more cells than the header's 9; a cell holds a semicolon: put"
        " that cell in double quotes, and write amounts without thousands separators (12500.00,"
        " not 12,500.00)"]
    assert report.problems[0].value == "1.234,50"
    assert stored(store) == []


def test_a_comma_file_keeps_the_point_as_its_only_decimal_separator(store):
    data = text(",", line("2026-01", '"1234,50"')).encode()
    report = import_csv(store, "plan", data, file_name="p.csv")
    assert [p.message for p in report.problems] == ["'1234,50' is not a plain amount"]


def test_a_tab_separated_file_is_read(store):
    report = import_csv(store, "plan", text("\t", line("2026-01", "12.50", "a; b, c")).encode())
    assert report.ok, problems(report)
    assert stored(store) == [("2026-01", Decimal("12.50"), "a; b, c")]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16-le", "utf-16-be"])
def test_unicode_text_as_excel_saves_it_is_read(store, encoding):
    body = text("\t", line("2026-01", "12.50", "Café Zürich ünd 東京"), end="\r\n")
    mark = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}.get(encoding, b"")
    report = import_csv(store, "plan", mark + body.encode(encoding))
    assert report.ok, problems(report)
    assert stored(store) == [("2026-01", Decimal("12.50"), "Café Zürich ünd 東京")]


def test_utf16_without_its_mark_is_named_not_called_binary(store):
    report = import_csv(store, "plan", text(",", line("2026-01", "1.00")).encode("utf-16-le"))
    assert [p.message for p in report.problems] == [
        "the file looks like UTF-16 text without a byte-order mark, which cannot be told from"
        " binary data"]


def test_a_header_in_one_cell_says_how_to_separate_it(store):
    data = ("|".join(NAMES) + "\n" + "|".join(line("2026-01", "1.00")) + "\n").encode()
    report = import_csv(store, "plan", data)
    [unknown] = [p for p in report.problems if p.message.startswith("unknown column")]
    assert unknown.message.startswith("unknown column 'fiscal_year|owner")
    assert unknown.fix.endswith("separate the names with commas, semicolons or tabs")


# -- Excel workbooks -----------------------------------------------------------------------------

def book(rows: list[list], title: str = "plan", before: tuple[str, ...] = ()) -> bytes:
    wb = openpyxl.Workbook()
    first = wb.active
    for i, name in enumerate(before):
        sheet = first if i == 0 else wb.create_sheet(name)
        sheet.title = name
        sheet.append(["not", "this", "sheet"])
    sheet = wb.create_sheet(title) if before else first
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def cells(month, amount, description=None) -> list:
    return [2026, "sales", "Events", "awareness", "Field", "EMEA", month, amount, description]


def test_a_workbooks_typed_cells_are_read_as_the_contracts_values(store):
    data = book([NAMES,
                 cells(dt.date(2026, 3, 1), 1234.5, "two\nlines"),
                 cells("2026-04", 0.1 + 0.2),        # 0.30000000000000004 in the file
                 cells(dt.datetime(2026, 5, 31, 18, 0), 1000000, 42)],
                title="Plan", before=("Notes",))
    report = import_csv(store, "plan", data, file_name="plan.xlsx")
    assert report.ok, problems(report)
    assert report.file == "plan.xlsx[Plan]"
    assert stored(store) == [("2026-03", Decimal("1234.50"), "two\nlines"),
                             ("2026-04", Decimal("0.30"), None),
                             ("2026-05", Decimal("1000000.00"), "42")]


def test_a_workbooks_problems_name_the_sheet_and_its_row_numbers(store):
    data = book([NAMES, cells("2026-01", 12.345), [], cells("2026-13", -5),
                 cells("2026-02", 1.0) + ["extra"]], title="Budget 2026")
    report = import_csv(store, "plan", data, file_name="budget.xlsx")
    assert [(p.file, p.row, p.column, p.value) for p in report.problems] == [
        ("budget.xlsx[Budget 2026]", 2, "amount", "12.345"),
        ("budget.xlsx[Budget 2026]", 4, "month", "2026-13"),
        ("budget.xlsx[Budget 2026]", 4, "amount", "-5"),
        ("budget.xlsx[Budget 2026]", 5, "-", "2026,sales,Events,awareness,Field,EMEA,2026-02,1,"
                                            ",extra")]
    assert stored(store) == []


def test_a_workbook_made_by_a_spreadsheet_program_is_read(store):
    # Written by LibreOffice Calc 7 (soffice --headless --convert-to xlsx, from a CSV): a date
    # cell in the month column, whole numbers as numbers, an empty cell.
    data = (Path(__file__).parent / "data" / "plan-libreoffice.xlsx").read_bytes()
    report = import_csv(store, "plan", data, file_name="plan-libreoffice.xlsx")
    assert report.ok, problems(report)
    assert stored(store) == [("2026-01", Decimal("1200.00"), "Trade show"),
                             ("2026-02", Decimal("99.50"), None)]


@pytest.mark.parametrize("data, reason", [
    (b"PK\x03\x04 not really a zip", "this workbook is not a readable zip file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "this workbook cannot be read"),
])
def test_a_broken_workbook_is_refused_with_a_reason(store, data, reason):
    report = import_csv(store, "plan", data, file_name="broken.xlsx")
    [problem] = report.problems
    assert problem.message.startswith(reason) and "save it again" in problem.fix
    assert stored(store) == []


def test_a_workbook_unpacking_past_the_limit_is_refused_before_reading(store, monkeypatch):
    monkeypatch.setattr(workbook, "MAX_UNPACKED", 1000)
    report = import_csv(store, "plan", book([NAMES, cells("2026-01", 1)]), file_name="big.xlsx")
    [problem] = report.problems
    assert problem.message.startswith("this workbook unpacks to ")


# -- templates -----------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["plan", "actuals", "outcomes", "targets", "forecast"])
def test_a_templates_example_rows_change_nothing_of_the_demo_firm(demo, kind):
    # Importing a template as it is downloaded must not overwrite a real row.
    path = Path(__file__).parent.parent / "data" / "templates" / f"{kind}.csv"
    rows = len(path.read_text(encoding="utf-8").splitlines()) - 1
    report = import_csv(demo.store, kind, path, commit=False)
    assert report.ok, problems(report)
    assert (report.added, report.updated) == (rows, 0)
