"""Exports write the form the importer reads: round trips change nothing, byte for byte."""
from __future__ import annotations

from pathlib import Path

import pytest

from planning.exports import export_csv
from planning.imports import import_csv
from planning.store import Store

DATA = Path(__file__).parent / "data"
KINDS = ("plan", "actuals", "outcomes", "targets")
HEADERS = {
    "plan": "fiscal_year,owner,category,funnel_stage,channel,region,month,amount,description",
    "actuals": "owner,category,funnel_stage,channel,region,month,amount,description,reference",
    "outcomes": "month,region,channel,sourced_by,leads,mqls,sqls,opportunities,wins,pipeline,"
                "revenue,renewals_due,renewals_won",
    "targets": "fiscal_year,kpi,period,target",
}

# Unsorted, untidy input; the golden file holds what the export must be.
SMALL_PLAN = b"""fiscal_year,owner,category,funnel_stage,channel,region,month,amount,description
2026,Sales,Travel,Purchase,Field sales,EMEA,2026-02,800.1,"Visits, ""key"" accounts"
2026,marketing,Programs,awareness,Paid search,North America,2026-01,1234.5,"Search, always on"
2027,sales , Headcount,purchase,Field sales,EMEA,2027-01,5000,
2026,joint,Events,consideration,Events,EMEA,2026-03,2500.00,=Booth
2026,MARKETING,Programs,awareness,Paid search,EMEA,2026-02,99.99,
2026,marketing,Programs,awareness,Paid search,EMEA,2026-01,0,
"""


@pytest.fixture
def small_plan(store: Store) -> Store:
    report = import_csv(store, "plan", SMALL_PLAN, file_name="plan.csv")
    assert report.ok, [str(p) for p in report.problems]
    return store


@pytest.mark.parametrize("kind", KINDS)
def test_demo_export_import_export_is_byte_identical(demo, kind, tmp_path):
    first = export_csv(demo.store, kind)
    assert first.splitlines()[0] == HEADERS[kind]
    fresh = Store(tmp_path / "fresh.duckdb")
    report = import_csv(fresh, kind, first.encode("utf-8"), file_name=f"{kind}.csv")
    assert report.ok, [str(p) for p in report.problems[:5]]
    assert report.rows == report.added == len(first.splitlines()) - 1
    assert export_csv(fresh, kind) == first
    fresh.close()


@pytest.mark.parametrize("kind", KINDS)
def test_reimporting_a_demo_export_changes_nothing(demo, kind, snapshot):
    exported = export_csv(demo.store, kind)
    before = snapshot(demo.store, logs=False)
    report = import_csv(demo.store, kind, exported.encode("utf-8"))
    assert (report.added, report.updated) == (0, 0)
    assert report.unchanged == report.rows == len(exported.splitlines()) - 1
    assert snapshot(demo.store, logs=False) == before
    assert export_csv(demo.store, kind) == exported


def test_a_small_plan_export_matches_the_golden_file(small_plan):
    golden = (DATA / "plan_export.csv").read_text(encoding="utf-8")
    assert export_csv(small_plan, "plan") == golden


def test_the_golden_file_imports_back_to_the_same_store(small_plan, tmp_path):
    fresh = Store()
    report = import_csv(fresh, "plan", DATA / "plan_export.csv")
    assert report.ok and report.added == 6
    assert report.file == "plan_export.csv"
    query = ("SELECT s.fiscal_year, owner, category, funnel_stage, channel, region, month,"
             " amount, description FROM plan_lines l JOIN scenarios s ON s.id = l.scenario_id"
             " ORDER BY 1, 2, 3, 4, 5, 6, 7")
    assert fresh.query(query) == small_plan.query(query)
    assert fresh.scalar("SELECT description FROM plan_lines WHERE category = 'Events'") == "=Booth"


def test_exported_money_is_a_plain_number_and_months_are_yyyy_mm(small_plan):
    rows = export_csv(small_plan, "plan").splitlines()
    assert rows[4].split(",")[6:8] == ["2026-01", "1234.50"]
    assert rows[2].split(",")[6:8] == ["2026-01", "0.00"]
    assert "$" not in "".join(rows) and "1,234" not in "".join(rows)


def test_export_filters_a_plan_by_fiscal_year(small_plan):
    golden = (DATA / "plan_export.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    assert export_csv(small_plan, "plan", year=2026) == "".join(golden[:6])
    assert export_csv(small_plan, "plan", year=2027) == golden[0] + golden[6]
    assert export_csv(small_plan, "plan", year=2030) == golden[0]


def test_export_of_another_scenario(small_plan):
    assert import_csv(small_plan, "plan", b"fiscal_year,owner,category,funnel_stage,channel,"
                      b"region,month,amount\n2026,joint,Tools,advocacy,Partners,APAC,2026-07,"
                      b"12\n", scenario="stretch").ok
    assert export_csv(small_plan, "plan", scenario="stretch") == (
        HEADERS["plan"] + "\n2026,joint,Tools,advocacy,Partners,APAC,2026-07,12.00,\n")
    assert export_csv(small_plan, "plan", scenario="nothing") == HEADERS["plan"] + "\n"
    assert "Tools" not in export_csv(small_plan, "plan")


def test_an_empty_store_exports_headers_only(store):
    for kind in KINDS:
        assert export_csv(store, kind) == HEADERS[kind] + "\n"


ACTUALS = b"""owner,category,funnel_stage,channel,region,month,amount,reference
sales,Travel,purchase,Field,EMEA,2027-02,-10,CN-1
sales,Travel,purchase,Field,EMEA,2026-04,20.5,
sales,Travel,purchase,Field,EMEA,2026-03,30,
sales,Travel,purchase,Field,EMEA,2027-04,40,
"""
OUTCOMES = b"""month,region,channel,sourced_by,leads,mqls,sqls,opportunities,wins,pipeline,revenue
2027-03,EMEA,Web,sales,1,1,1,1,1,10,5
2026-03,EMEA,Web,sales,2,2,2,2,2,20,6
2026-04,EMEA,Web,marketing,3,3,3,3,0,30,0
"""


def test_export_filters_actuals_and_outcomes_by_fiscal_year_starting_in_april(store):
    store.set_setting("fiscal_year_start_month", "4")
    assert import_csv(store, "actuals", ACTUALS).ok
    assert import_csv(store, "outcomes", OUTCOMES).ok
    assert export_csv(store, "actuals", year=2026) == HEADERS["actuals"] + "\n" + (
        "sales,Travel,purchase,Field,EMEA,2026-04,20.50,,\n"
        "sales,Travel,purchase,Field,EMEA,2027-02,-10.00,,CN-1\n")
    assert export_csv(store, "actuals", year=2025) == HEADERS["actuals"] + "\n" + (
        "sales,Travel,purchase,Field,EMEA,2026-03,30.00,,\n")
    assert export_csv(store, "outcomes", year=2026) == HEADERS["outcomes"] + "\n" + (
        "2026-04,EMEA,Web,marketing,3,3,3,3,0,30.00,0.00,0,0\n"
        "2027-03,EMEA,Web,sales,1,1,1,1,1,10.00,5.00,0,0\n")
    assert len(export_csv(store, "actuals").splitlines()) == 5


def test_export_filters_targets_by_fiscal_year_and_writes_rates_plainly(store):
    data = (b"fiscal_year,kpi,period,target\n2027,revenue,2027,1000000.00\n"
            b"2026,win_rate,2026-Q2,25%\n2026,revenue,2026,27900000\n2026,cac,2026-03,1500.5\n")
    assert import_csv(store, "targets", data).ok
    assert export_csv(store, "targets", year=2026) == (
        "fiscal_year,kpi,period,target\n"
        "2026,cac,2026-03,1500.5\n"
        "2026,revenue,2026,27900000\n"
        "2026,win_rate,2026-Q2,0.25\n")
    assert export_csv(store, "targets", year=2027) == (
        "fiscal_year,kpi,period,target\n2027,revenue,2027,1000000\n")
