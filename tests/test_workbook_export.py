"""A workbook export: each kind a sheet, typed cells, frozen header, and a round trip through the
importer that changes nothing."""
from __future__ import annotations

import io

import openpyxl
import pytest

from planning.cli import main
from planning.exports import export_csv
from planning.imports import import_csv
from planning.tandem import Tandem
from planning.workbook_export import export_workbook

PLAN = b"""fiscal_year,owner,category,funnel_stage,channel,region,month,amount,description
2026,marketing,Programs,awareness,Paid search,EMEA,2026-01,1234.5,"Search, always on"
2026,sales,Headcount,purchase,Field sales,EMEA,2026-02,5000,=Booth
2026,joint,Events,consideration,Events,EMEA,2026-03,0.10,
"""


def test_each_kind_is_a_typed_sheet_with_its_header_frozen(store):
    assert import_csv(store, "plan", PLAN, file_name="plan.csv").ok
    data = export_workbook(store, ["plan", "actuals"], year=2026, currency="EUR")
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["plan", "actuals"]
    sheet = book["plan"]
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("fiscal_year", "owner", "category", "funnel_stage", "channel", "region",
                       "month", "amount", "description")
    assert rows[1][0] == 2026 and rows[1][6] == "2026-03"  # a month stays text, never a date
    assert [r[7] for r in rows[1:]] == [0.1, 1234.5, 5000]  # money as numbers
    assert sheet["H2"].number_format == '#,##0.00 "EUR";-#,##0.00 "EUR"'
    assert rows[3][8] == "'=Booth"  # guarded as in the CSV export, so it imports back the same
    assert list(book["actuals"].iter_rows(values_only=True))[1:] == []


@pytest.mark.parametrize("kind", ["plan", "actuals", "outcomes", "targets", "leads", "survey"])
def test_the_demo_firms_workbook_imports_back_to_the_same_store(demo: Tandem, kind: str):
    before = export_csv(demo.store, kind)
    data = export_workbook(demo.store, [kind])
    report = demo.import_csv(kind, data, file_name=f"{kind}.xlsx")
    assert report.ok, [str(p) for p in report.problems[:5]]
    assert report.added == 0 and report.updated == 0
    assert export_csv(demo.store, kind) == before


def test_the_command_writes_a_workbook_when_the_file_ends_xlsx(tmp_path, capsys):
    db, plan, out = tmp_path / "t.duckdb", tmp_path / "plan.csv", tmp_path / "plan.xlsx"
    plan.write_bytes(PLAN)
    assert main(["--db", str(db), "init"]) == 0
    assert main(["--db", str(db), "import", "plan", str(plan)]) == 0
    assert main(["--db", str(db), "export", "plan", "--out", str(out)]) == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["plan"] and book["plan"].max_row == 4
