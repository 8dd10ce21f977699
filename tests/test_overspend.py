"""Lines over their plan beyond the thresholds, listed after an actuals import."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from planning.cli import main
from planning.imports import import_csv
from planning.overspend import overspent

PLAN = b"""fiscal_year,owner,category,funnel_stage,channel,region,month,amount
2026,marketing,Programs,awareness,Paid search,EMEA,2026-01,10000.00
2026,marketing,Programs,awareness,Paid search,EMEA,2026-02,10000.00
2026,sales,Travel,purchase,Field sales,EMEA,2026-01,100000.00
"""
# January's search: 2,000 over (20%, but not 5,000). February's: 900 over (9%: neither).
# Field travel: 6,000 over but only 6% of its plan. Events: unplanned spend of 7,000.
ACTUALS = b"""owner,category,funnel_stage,channel,region,month,amount,reference
marketing,Programs,awareness,Paid search,EMEA,2026-01,12000.00,A
marketing,Programs,awareness,Paid search,EMEA,2026-02,10900.00,C
sales,Travel,purchase,Field sales,EMEA,2026-01,106000.00,D
joint,Events,preference,Trade shows,EMEA,2026-02,7000.00,E
"""
MORE = b"""owner,category,funnel_stage,channel,region,month,amount,reference
marketing,Programs,awareness,Paid search,EMEA,2026-01,16000.00,A
"""


def test_only_lines_beyond_both_thresholds_are_overspent(store):
    assert import_csv(store, "plan", PLAN, file_name="plan.csv").ok
    assert import_csv(store, "actuals", ACTUALS, file_name="actuals.csv").ok
    assert [(o.owner, o.month, o.over) for o in overspent(store, 2026)] == [
        ("joint", date(2026, 2, 1), Decimal("7000.00"))]
    assert import_csv(store, "actuals", MORE, file_name="more.csv").ok  # 12,000 -> 16,000
    found = overspent(store, 2026)
    assert [(o.owner, o.category, o.month, o.planned, o.actual) for o in found] == [
        ("joint", "Events", date(2026, 2, 1), Decimal("0"), Decimal("7000.00")),
        ("marketing", "Programs", date(2026, 1, 1), Decimal("10000.00"), Decimal("16000.00"))]


def test_an_actuals_import_lists_the_lines_now_over_plan(tmp_path, capsys):
    db = str(tmp_path / "t.duckdb")
    (tmp_path / "plan.csv").write_bytes(PLAN)
    (tmp_path / "actuals.csv").write_bytes(ACTUALS)
    assert main(["--db", db, "init"]) == 0
    assert main(["--db", db, "import", "plan", str(tmp_path / "plan.csv")]) == 0
    capsys.readouterr()
    assert main(["--db", db, "import", "actuals", str(tmp_path / "actuals.csv")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1:] == [
        "1 line(s) of FY2026 went over plan by more than 10% and $5,000.00:",
        "  joint · Events · Trade shows · EMEA · 2026-02: spent $7,000.00 against $0.00"
        " planned ($7,000.00 over)"]
