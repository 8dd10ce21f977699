"""Where the year lands: the latest estimate and the forecast of open months, on a firm worked by
hand.

Fiscal year 2026, January start, pool 5,000.00. The plan (baseline):
  sales     Events    awareness Field       EMEA 2026-01 1000.00, 02 1000.00, 03 1000.00
  marketing Programs  awareness Paid search EMEA 2026-01  500.00,             03  500.00
  joint     Tools     loyalty   Partners    APAC             02  300.00
Actuals: sales Events 01 1100.00 and 02 -50.00 (a credit note); marketing Programs 01 450.00;
marketing Travel consideration Field NA 02 75.25 (no plan line: unplanned). So the as-of month is
2026-02. Forecasts: sales Events 03 1200.00 (instead of the plan's 1000.00), joint Tools 04 250.00
(no plan line: new spend expected).

  owner      planned  actual to date  remaining  latest estimate  variance
  sales      3000.00  1050.00         1200.00    2250.00          -750.00
  marketing  1000.00   525.25          500.00    1025.25            25.25
  joint       300.00     0.00          250.00     250.00           -50.00
  all        4300.00  1575.25         1950.00    3525.25          -774.75   headroom 1474.75
"""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D

import pytest

from planning.cli import main
from planning.errors import Refused
from planning.forecast import ForecastLine, as_of_month, estimate, forecasts, set_forecast
from planning.people import People
from planning.store import Store
from planning.tandem import Tandem

PLAN = """fiscal_year,owner,category,funnel_stage,channel,region,month,amount
2026,sales,Events,awareness,Field,EMEA,2026-01,1000.00
2026,sales,Events,awareness,Field,EMEA,2026-02,1000.00
2026,sales,Events,awareness,Field,EMEA,2026-03,1000.00
2026,marketing,Programs,awareness,Paid search,EMEA,2026-01,500.00
2026,marketing,Programs,awareness,Paid search,EMEA,2026-03,500.00
2026,joint,Tools,loyalty,Partners,APAC,2026-02,300.00
"""
ACTUALS = """owner,category,funnel_stage,channel,region,month,amount,reference
sales,Events,awareness,Field,EMEA,2026-01,1100.00,INV-1
sales,Events,awareness,Field,EMEA,2026-02,-50.00,CN-1
marketing,Programs,awareness,Paid search,EMEA,2026-01,450.00,INV-2
marketing,Travel,consideration,Field,NA,2026-02,75.25,INV-3
"""
SALES_MARCH = ForecastLine("sales", "Events", "awareness", "Field", "EMEA", date(2026, 3, 1),
                           D("1200.00"))
JOINT_APRIL = ForecastLine("joint", "Tools", "loyalty", "Partners", "APAC", date(2026, 4, 1),
                           D("250.00"))


def landing(found, owner: str) -> tuple[D, ...]:
    row = found.total if owner == "all" else found.owners[owner]
    return (row.planned, row.actual_to_date, row.remaining, row.latest_estimate, row.variance)


@pytest.fixture
def firm(tmp_path) -> Tandem:
    t = Tandem(Store(tmp_path / "forecast.duckdb"))
    for kind, text in (("plan", PLAN), ("actuals", ACTUALS)):
        assert t.import_csv(kind, text.encode(), file_name=f"{kind}.csv").ok
    t.set_pool(2026, D("5000.00"))
    set_forecast(t.store, "administrator", 2026, [SALES_MARCH, JOINT_APRIL])
    yield t
    t.close()


def test_the_latest_estimate_by_owner(firm):
    found = estimate(firm.store, 2026)
    assert found.as_of == date(2026, 2, 1)
    assert found.scenario == "baseline"
    assert landing(found, "sales") == (D("3000.00"), D("1050.00"), D("1200.00"), D("2250.00"),
                                       D("-750.00"))
    assert landing(found, "marketing") == (D("1000.00"), D("525.25"), D("500.00"),
                                           D("1025.25"), D("25.25"))
    assert landing(found, "joint") == (D("300.00"), D("0.00"), D("250.00"), D("250.00"),
                                       D("-50.00"))
    assert landing(found, "all") == (D("4300.00"), D("1575.25"), D("1950.00"), D("3525.25"),
                                     D("-774.75"))
    assert (found.pool, found.headroom) == (D("5000.00"), D("1474.75"))


def test_the_estimate_by_month_stage_channel_and_region(firm):
    found = estimate(firm.store, 2026)
    months = dict(found.rows("month"))
    assert list(months) == [date(2026, m, 1) for m in range(1, 13)]
    jan, feb, mar, apr = (months[date(2026, m, 1)] for m in (1, 2, 3, 4))
    assert (jan.planned, jan.actual_to_date, jan.remaining) == (D("1500.00"), D("1550.00"), 0)
    assert (feb.planned, feb.actual_to_date, feb.remaining) == (D("1300.00"), D("25.25"), 0)
    assert (mar.planned, mar.actual_to_date, mar.remaining) == (D("1500.00"), 0, D("1700.00"))
    assert (apr.planned, apr.remaining) == (0, D("250.00"))
    assert months[date(2026, 12, 1)].latest_estimate == 0
    stages = found.rows("funnel_stage")
    assert [s for s, _ in stages] == ["awareness", "consideration", "loyalty"]  # funnel order
    assert stages[1][1].actual_to_date == D("75.25")
    regions = dict(found.rows("region"))
    assert {r: v.latest_estimate for r, v in regions.items()} == {
        "APAC": D("250.00"), "EMEA": D("3200.00"), "NA": D("75.25")}
    channels = dict(found.rows("channel"))
    assert channels["Field"].latest_estimate == D("2325.25")
    # Every breakdown adds up to the same year.
    for dimension in ("month", "funnel_stage", "channel", "region"):
        assert sum((v.latest_estimate for _, v in found.rows(dimension)), D(0)) == D("3525.25")


def test_an_earlier_as_of_month_opens_the_months_after_it(firm):
    found = estimate(firm.store, 2026, date(2026, 1, 1))
    # February is open again: its credit note and unplanned actual no longer count, its plan does.
    assert landing(found, "sales") == (D("3000.00"), D("1100.00"), D("2200.00"), D("3300.00"),
                                       D("300.00"))
    assert landing(found, "marketing")[1:3] == (D("450.00"), D("500.00"))
    assert landing(found, "joint")[1:3] == (D("0.00"), D("550.00"))


def test_a_forecast_for_a_month_that_closed_since_no_longer_counts(firm):
    found = estimate(firm.store, 2026, date(2026, 3, 1))
    assert landing(found, "sales")[1:3] == (D("1050.00"), D("0.00"))  # March actual: none
    assert forecasts(firm.store, 2026) == [JOINT_APRIL, SALES_MARCH]  # kept, not counted


def test_nothing_closed_and_no_pool(tmp_path):
    t = Tandem(Store(tmp_path / "plan-only.duckdb"))
    try:
        assert t.import_csv("plan", PLAN.encode(), file_name="plan.csv").ok
        found = estimate(t.store, 2026)
        assert found.as_of is None
        assert landing(found, "all") == (D("4300.00"), D("0.00"), D("4300.00"), D("4300.00"),
                                         D("0.00"))
        assert found.pool is None and found.headroom is None
        empty = estimate(t.store, 2031)
        assert landing(empty, "all") == (0, 0, 0, 0, 0)
    finally:
        t.close()


def test_a_fiscal_year_starting_in_april(tmp_path):
    t = Tandem(Store(tmp_path / "april.duckdb"))
    try:
        t.configure(fiscal_year_start_month=4)
        plan = ("fiscal_year,owner,category,funnel_stage,channel,region,month,amount\n"
                "2026,sales,Events,awareness,Field,EMEA,2026-04,100.00\n"
                "2026,sales,Events,awareness,Field,EMEA,2027-02,500.00\n")
        actuals = ("owner,category,funnel_stage,channel,region,month,amount\n"
                   "sales,Events,awareness,Field,EMEA,2026-03,999.00\n"  # fiscal year 2025
                   "sales,Events,awareness,Field,EMEA,2026-05,80.00\n")
        assert t.import_csv("plan", plan.encode(), file_name="plan.csv").ok
        assert t.import_csv("actuals", actuals.encode(), file_name="actuals.csv").ok
        assert as_of_month(t.store, 2026) == date(2026, 5, 1)
        found = estimate(t.store, 2026)
        assert found.months[0] == date(2026, 4, 1) and found.months[-1] == date(2027, 3, 1)
        assert landing(found, "sales") == (D("600.00"), D("80.00"), D("500.00"), D("580.00"),
                                           D("-20.00"))
        set_forecast(t.store, "administrator", 2026, [ForecastLine(
            "sales", "Events", "awareness", "Field", "EMEA", date(2027, 2, 1), D("450.00"))])
        assert estimate(t.store, 2026).owners["sales"].remaining == D("450.00")
        with pytest.raises(Refused, match="2026-03 is not a month of fiscal year 2026"):
            estimate(t.store, 2026, date(2026, 3, 1))
    finally:
        t.close()


def test_a_closed_month_cannot_be_forecast_and_nothing_is_written(firm):
    before = forecasts(firm.store, 2026)
    closed = ForecastLine("sales", "Events", "awareness", "Field", "EMEA", date(2026, 2, 1),
                          D("10.00"))
    fine = ForecastLine("sales", "Events", "awareness", "Field", "EMEA", date(2026, 5, 1),
                        D("10.00"))
    with pytest.raises(Refused, match="2026-02 is closed \\(actuals run to 2026-02\\)"):
        set_forecast(firm.store, "administrator", 2026, [fine, closed])
    with pytest.raises(Refused, match="not in fiscal year 2026"):
        set_forecast(firm.store, "administrator", 2026, [
            ForecastLine("sales", "Events", "awareness", "Field", "EMEA", date(2027, 1, 1),
                         D("1.00"))])
    for amount in (D("-1.00"), D("1.005")):
        with pytest.raises(Refused, match="an amount of 0 or more with at most 2 decimals"):
            set_forecast(firm.store, "administrator", 2026, [
                ForecastLine("sales", "Events", "awareness", "Field", "EMEA",
                             date(2026, 6, 1), amount)])
    assert forecasts(firm.store, 2026) == before


def test_a_forecast_never_changes_the_plan_and_is_audited(firm):
    lines = "SELECT id, amount, version, status FROM plan_lines ORDER BY id"
    plan = firm.store.query(lines)
    assert set_forecast(firm.store, "administrator", 2026,
                        [ForecastLine(*SALES_MARCH.key, D("900.00"))]) == 1
    assert firm.store.query(lines) == plan
    entry = firm.store.query("SELECT actor, action, entity, before, after FROM audit_log"
                             " ORDER BY seq DESC LIMIT 1")[0]
    assert entry[:3] == ("administrator", "set forecast",
                         "forecast 2026 sales Events awareness Field EMEA 2026-03")
    assert (json.loads(entry[3]), json.loads(entry[4])) == ({"amount": "1200.00"},
                                                            {"amount": "900.00"})
    # The same amount again changes nothing and records nothing.
    seq = firm.store.scalar("SELECT max(seq) FROM audit_log")
    assert set_forecast(firm.store, "administrator", 2026,
                        [ForecastLine(*SALES_MARCH.key, D("900.00"))]) == 0
    assert firm.store.scalar("SELECT max(seq) FROM audit_log") == seq


def test_a_head_forecasts_their_side_only(firm):
    people = People(firm.store)
    sofia = people.add("Sofia Sales", "sales_head", None)
    viewer = people.add("Vic Viewer", "viewer", None)
    set_forecast(firm.store, sofia, 2026, [SALES_MARCH])
    with pytest.raises(Refused, match="may not forecast marketing lines"):
        set_forecast(firm.store, sofia, 2026, [ForecastLine(
            "marketing", "Programs", "awareness", "Paid search", "EMEA", date(2026, 3, 1),
            D("1.00"))])
    with pytest.raises(Refused, match="may not forecast the open months"):
        set_forecast(firm.store, viewer, 2026, [SALES_MARCH])


def test_the_command_prints_the_contract_json(firm, capsys):
    path = firm.store.path
    firm.close()
    assert main(["--db", path, "forecast", "--year", "2026", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["owner"] for r in rows] == ["sales", "marketing", "joint", "all"]
    assert rows[0] == {"owner": "sales", "planned": 3000.0, "actual_to_date": 1050.0,
                       "remaining": 1200.0, "latest_estimate": 2250.0, "variance": -750.0,
                       "as_of": "2026-02"}
    assert rows[3]["pool"] == 5000.0 and rows[3]["headroom"] == 1474.75
    assert "pool" not in rows[0]
    assert main(["--db", path, "forecast", "--year", "2026", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ("owner,as_of,planned,actual_to_date,remaining,latest_estimate,variance,"
                        "pool,headroom")
    assert lines[4] == "all,2026-02,4300.00,1575.25,1950.00,3525.25,-774.75,5000.00,1474.75"
    assert main(["--db", path, "forecast", "--year", "2026", "--as-of", "2026-01"]) == 0
    table = capsys.readouterr().out
    assert "closed to 2026-01" in table and "$3,300.00" in table
    with pytest.raises(SystemExit) as stop:
        main(["--db", path, "forecast", "--year", "2026", "--as-of", "2027-01"])
    assert stop.value.code == 2
    assert "not a month of fiscal year 2026" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:
        main(["--db", path, "forecast", "--year", "2026", "--as-of", "March"])
    assert stop.value.code == 2


def test_scale_a_filter_exactly_to_the_cent(firm):
    from planning.forecast import ForecastFilter, open_lines, scale_forecast

    # Open months from March: sales Events March (forecast 1200.00), marketing Programs March
    # (plan 500.00), joint Tools April (forecast 250.00).
    assert scale_forecast(firm.store, "administrator", 2026, D("10"),
                          ForecastFilter(owners=("sales", "marketing"))) == 2
    counted = {ln.line.owner: ln.line.amount for ln in open_lines(firm.store, 2026)}
    assert counted == {"sales": D("1320.00"), "marketing": D("550.00"), "joint": D("250.00")}
    entry = firm.store.query("SELECT action, entity, before, after FROM audit_log"
                             " ORDER BY seq DESC LIMIT 1")[0]
    assert entry[:2] == ("set forecast", "forecast 2026")
    assert json.loads(entry[3]) == {"operation": "scale 10% of sales, marketing",
                                    "lines": 2, "total": "1870.00"}
    assert json.loads(entry[2]) == {"total": "1700.00"}
    # A third of a cent each way: the total is exact, the cents go by largest remainder.
    scale_forecast(firm.store, "administrator", 2026, D("-33.333"), ForecastFilter())
    amounts = [ln.line.amount for ln in open_lines(firm.store, 2026)]
    assert sum(amounts) == (D("2120.00") * (1 + D("-33.333") / 100)).quantize(D("0.01"))


def test_shift_moves_forecast_and_keeps_the_total(firm):
    from planning.forecast import ForecastFilter, open_lines, shift_forecast

    before = estimate(firm.store, 2026).total.remaining
    shift_forecast(firm.store, "administrator", 2026, D("100.00"),
                   ForecastFilter(owners=("sales",)), ForecastFilter(owners=("joint",)))
    counted = {ln.line.owner: ln.line.amount for ln in open_lines(firm.store, 2026)}
    assert counted["sales"] == D("1100.00") and counted["joint"] == D("350.00")
    assert estimate(firm.store, 2026).total.remaining == before
    with pytest.raises(Refused, match="overlap"):
        shift_forecast(firm.store, "administrator", 2026, D("1.00"), ForecastFilter(),
                       ForecastFilter(owners=("joint",)))
    with pytest.raises(Refused, match="hold 350.00 of forecast"):
        shift_forecast(firm.store, "administrator", 2026, D("400.00"),
                       ForecastFilter(owners=("joint",)), ForecastFilter(owners=("sales",)))
    with pytest.raises(Refused, match="no open-month line matches"):
        shift_forecast(firm.store, "administrator", 2026, D("1.00"),
                       ForecastFilter(regions=("Mars",)), ForecastFilter(owners=("sales",)))


FORECAST_FILE = """fiscal_year,owner,category,funnel_stage,channel,region,month,amount,description
2026,marketing,Programs,awareness,Paid search,EMEA,2026-03,450.00,cheaper clicks
2026,sales,Travel,purchase,Field,NA,2026-05,80.00,
"""


def test_a_forecast_file_imports_through_the_same_checks(firm):
    report = firm.import_csv("forecast", FORECAST_FILE.encode(), file_name="forecast.csv")
    assert report.ok and (report.added, report.control_total) == (2, D("530.00"))
    found = estimate(firm.store, 2026)
    # Marketing's March plan of 500.00 is now expected at 450.00; sales Travel is new spend.
    assert found.owners["marketing"].remaining == D("450.00")
    assert found.owners["sales"].remaining == D("1280.00")
    again = firm.import_csv("forecast", FORECAST_FILE.encode(), file_name="forecast.csv")
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    exported = firm.export_csv("forecast", year=2026)
    assert "2026,marketing,Programs,awareness,Paid search,EMEA,2026-03,450.00,cheaper clicks" \
        in exported
    assert firm.import_csv("forecast", exported.encode(), file_name="back.csv").unchanged == 4


def test_a_forecast_file_for_a_closed_month_is_refused_whole(firm):
    before = forecasts(firm.store, 2026)
    bad = FORECAST_FILE + "2026,sales,Events,awareness,Field,EMEA,2026-02,5.00,\n"
    report = firm.import_csv("forecast", bad.encode(), file_name="late.csv")
    assert not report.ok
    assert [(p.row, p.column) for p in report.problems] == [(4, "month")]
    assert "month 2026-02 is closed: its fiscal year's actuals run to 2026-02" in \
        report.problems[0].message
    assert forecasts(firm.store, 2026) == before


def test_a_forecast_file_is_the_heads_and_planners_of_its_side(firm):
    people = People(firm.store)
    marco = people.add("Marco Marketing", "marketing_head", None)
    erin = people.add("Erin Executive", "executive", None)
    with pytest.raises(Refused, match="may not import sales lines"):
        firm.import_csv("forecast", FORECAST_FILE.encode(), file_name="f.csv", actor=marco)
    with pytest.raises(Refused, match="may not forecast the open months"):
        firm.import_csv("forecast", FORECAST_FILE.encode(), file_name="f.csv", actor=erin)
