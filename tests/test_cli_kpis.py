"""`tandem kpis --year Y [--format table|csv|json]`, as the data contract's table promises.

The small data set (fiscal year 2026, January start):
  plan      marketing Programs Paid search EMEA: 2026-01 1000.00, 2026-02 1000.00 (planned 2000)
  actuals   the same key: 2026-01 1200.00, 2026-02 -100.00 (a credit note): spend 1100
  outcomes  2026-01 EMEA Paid search marketing: leads 40, mqls 20, sqls 10, opportunities 8,
            wins 2, pipeline 20000, revenue 9000, renewals 3 of 4
  targets   the year: revenue 10000, win_rate 20%, spend 1000, budget_variance 0;
            2026-02: revenue 500, win_rate 20%; 2026-Q1: revenue 9000
"""
from __future__ import annotations

import csv
import io
import json
from decimal import Decimal as D
from pathlib import Path

import pytest

from planning.cli import main
from planning.demo import DEMO_DIR, load_demo
from planning.kpis import KPI_NAMES
from planning.store import Store
from planning.tandem import Tandem

KEYS = ["kpi", "period", "actual", "target", "attainment"]

PLAN = """fiscal_year,owner,category,funnel_stage,channel,region,month,amount
2026,marketing,Programs,awareness,Paid search,EMEA,2026-01,1000.00
2026,marketing,Programs,awareness,Paid search,EMEA,2026-02,1000.00
"""
ACTUALS = """owner,category,funnel_stage,channel,region,month,amount,reference
marketing,Programs,awareness,Paid search,EMEA,2026-01,1200.00,INV-1
marketing,Programs,awareness,Paid search,EMEA,2026-02,-100.00,CN-1
"""
OUTCOMES = """month,region,channel,sourced_by,leads,mqls,sqls,opportunities,wins,pipeline,\
revenue,renewals_due,renewals_won
2026-01,EMEA,Paid search,marketing,40,20,10,8,2,20000.00,9000.00,4,3
"""
TARGETS = """fiscal_year,kpi,period,target
2026,revenue,2026,10000.00
2026,win_rate,2026,20%
2026,spend,2026,1000.00
2026,budget_variance,2026,0
2026,revenue,2026-02,500.00
2026,win_rate,2026-02,20%
2026,revenue,2026-Q1,9000
"""

# (kpi, period, actual, target, attainment), worked out by hand; None is JSON null.
EXPECTED = [
    ("revenue", "2026", 9000, 10000, 0.9),  # 9000/10000
    ("pipeline", "2026", 20000, None, None),
    ("leads", "2026", 40, None, None),
    ("mqls", "2026", 20, None, None),
    ("sqls", "2026", 10, None, None),
    ("opportunities", "2026", 8, None, None),
    ("wins", "2026", 2, None, None),
    ("win_rate", "2026", 0.25, 0.2, 1.25),  # 2/8; 0.25/0.20
    ("lead_to_win", "2026", 0.05, None, None),  # 2/40
    ("spend", "2026", 1100, 1000, 0.909091),  # 1200-100; 1000/1100 = 0.90909...
    ("budget_variance", "2026", -0.45, 0, None),  # (1100-2000)/2000; no attainment
    ("cac", "2026", 550, None, None),  # 1100/2
    ("roi", "2026", 7.181818, None, None),  # (9000-1100)/1100 = 7.181818...
    ("marketing_sourced_share", "2026", 1, None, None),  # 9000/9000
    ("retention_rate", "2026", 0.75, None, None),  # 3/4
    # Set targets of a month or quarter: months sort before quarters.
    ("revenue", "2026-02", 0, 500, 0),  # no outcomes in February
    ("win_rate", "2026-02", None, 0.2, None),  # 0 wins / 0 opportunities: no value
    ("revenue", "2026-Q1", 9000, 9000, 1),
]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "kpis.duckdb"
    t = Tandem(Store(path))
    try:
        for kind, text in (("plan", PLAN), ("actuals", ACTUALS), ("outcomes", OUTCOMES),
                           ("targets", TARGETS)):
            report = t.import_csv(kind, text.encode(), file_name=f"{kind}.csv")
            assert report.ok, report.problems
    finally:
        t.close()
    return path


def run(capsys, db: Path, *args: str) -> str:
    assert main(["--db", str(db), "kpis", "--year", "2026", *args]) == 0
    out = capsys.readouterr()
    assert out.err == ""
    return out.out


def as_json(capsys, db: Path) -> list[dict]:
    return json.loads(run(capsys, db, "--format", "json"))


def test_json_is_an_array_of_objects_with_the_contract_keys(db, capsys):
    rows = as_json(capsys, db)
    assert isinstance(rows, list)
    assert all(isinstance(r, dict) and list(r) == KEYS for r in rows)
    assert [r["kpi"] for r in rows[:15]] == list(KPI_NAMES)
    assert len(rows) == len(EXPECTED)


def test_json_numbers_are_numbers_and_null_has_no_value(db, capsys):
    for row in as_json(capsys, db):
        assert isinstance(row["kpi"], str) and isinstance(row["period"], str)
        for key in ("actual", "target", "attainment"):
            value = row[key]
            assert value is None or (isinstance(value, (int, float))
                                     and not isinstance(value, bool)), (row, key)
    # Counts come out as JSON integers.
    text = run(capsys, db, "--format", "json")
    assert '"actual": 40,' in text and '"actual": "' not in text


def test_json_figures(db, capsys):
    rows = as_json(capsys, db)
    assert [tuple(r[k] for k in KEYS) for r in rows] == EXPECTED


def test_a_figure_by_hand(db, capsys):
    """ROI = (revenue - spend) / spend = (9000 - (1200 - 100)) / (1200 - 100), to 6 places."""
    revenue = D("9000.00")
    spend = D("1200.00") + D("-100.00")
    roi = ((revenue - spend) / spend).quantize(D("0.000001"))
    assert roi == D("7.181818")
    row = next(r for r in as_json(capsys, db) if r["kpi"] == "roi")
    assert D(str(row["actual"])) == roi
    # Budget variance against the two plan lines of 1000.00 each.
    planned = D("1000.00") * 2
    row = next(r for r in as_json(capsys, db) if r["kpi"] == "budget_variance")
    assert D(str(row["actual"])) == (spend - planned) / planned == D("-0.45")


def test_csv_has_the_same_figures(db, capsys):
    expected = as_json(capsys, db)
    table = list(csv.reader(io.StringIO(run(capsys, db, "--format", "csv"))))
    assert table[0] == KEYS
    assert len(table) == len(expected) + 1
    for cells, row in zip(table[1:], expected, strict=True):
        assert cells[:2] == [row["kpi"], row["period"]]
        for cell, key in zip(cells[2:], KEYS[2:], strict=True):
            if row[key] is None:
                assert cell == "", (cells, key)
            else:
                assert D(cell) == D(str(row[key])), (cells, key)
    assert table[1] == ["revenue", "2026", "9000", "10000", "0.9"]
    assert table[17] == ["win_rate", "2026-02", "", "0.2", ""]


def test_table_has_the_same_figures(db, capsys):
    expected = as_json(capsys, db)
    lines = run(capsys, db).splitlines()  # table is the default format
    assert run(capsys, db, "--format", "table").splitlines() == lines
    assert lines[0].split() == [*KEYS, "ytd_target", "ytd_attainment"]
    assert len(lines) == len(expected) + 2
    for line, row in zip(lines[1:-1], expected, strict=True):
        kpi, period, actual, target, reached = line.split()[:5]
        assert (kpi, period) == (row["kpi"], row["period"])
        for shown, key in ((actual, "actual"), (target, "target")):
            if row[key] is None:
                assert shown == "n/a"
            else:
                assert D(shown) == D(str(row[key]))
        if row["attainment"] is None:
            assert reached == "n/a"
        else:
            assert reached == f"{D(str(row['attainment'])) * 100:.1f}%"
    assert lines[10].split()[:5] == ["spend", "2026", "1100", "1000", "90.9%"]


def test_table_shows_the_year_to_date_beside_the_year(db, capsys):
    """The page grades the year to date, the contract's rows the whole year: the table shows
    both, labelled, so 'revenue at 90%' on one and 'at 540%' on the other are never confused."""
    lines = run(capsys, db).splitlines()
    # Data (outcomes, actual spend) reaches 2026-02: two months of a year's 10,000 is 1,666.67.
    assert lines[1].split() == ["revenue", "2026", "9000", "10000", "90.0%", "1666.67", "540.0%"]
    assert lines[8].split() == ["win_rate", "2026", "0.25", "0.2", "125.0%", "0.2", "125.0%"]
    assert lines[4].split() == ["mqls", "2026", "20", "n/a", "n/a", "n/a", "n/a"]
    assert lines[16].split() == ["revenue", "2026-02", "0", "500", "0.0%"]  # a set target alone
    assert lines[-1].startswith("ytd: 2026-01 to 2026-02, the months with data;")


def test_a_year_without_data_has_no_year_to_date(db, capsys):
    assert main(["--db", str(db), "kpis", "--year", "2030"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["revenue", "2030", "0", "n/a", "n/a"]
    assert not lines[-1].startswith("ytd")


def test_missing_year_is_a_usage_error(db, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--db", str(db), "kpis", "--format", "json"])
    assert stop.value.code == 2
    assert "--year" in capsys.readouterr().err


def test_an_unknown_format_is_a_usage_error(db, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--db", str(db), "kpis", "--year", "2026", "--format", "xml"])
    assert stop.value.code == 2
    capsys.readouterr()


def test_a_year_without_data(db, capsys):
    assert main(["--db", str(db), "kpis", "--year", "2030", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["kpi"] for r in rows] == list(KPI_NAMES)
    assert all(r["period"] == "2030" and r["target"] is None and r["attainment"] is None
               for r in rows)
    assert [r["actual"] for r in rows] == [0, 0, 0, 0, 0, 0, 0, None, None, 0, None, None,
                                           None, None, None]


def test_demo_revenue_is_the_sum_of_the_demo_outcomes(tmp_path, capsys):
    path = tmp_path / "demo.duckdb"
    t = Tandem(Store(path))
    try:
        load_demo(t)
    finally:
        t.close()
    with (DEMO_DIR / "outcomes.csv").open(encoding="utf-8-sig", newline="") as f:
        outcomes = list(csv.DictReader(f))
    assert all(r["month"].startswith("2026-") for r in outcomes)  # all inside FY2026
    revenue = sum((D(r["revenue"]) for r in outcomes), D(0))
    assert revenue > 0
    rows = json.loads(run(capsys, path, "--format", "json"))
    year = next(r for r in rows if (r["kpi"], r["period"]) == ("revenue", "2026"))
    assert D(str(year["actual"])) == revenue
    table = list(csv.reader(io.StringIO(run(capsys, path, "--format", "csv"))))
    assert D(next(c for c in table if c[:2] == ["revenue", "2026"])[2]) == revenue
