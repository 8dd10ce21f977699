"""The joint KPIs on a small data set whose every figure is worked out by hand below.

Fiscal year 2026 starts in January (the default). The data set (imported through the importer):

plan, scenario baseline                         actuals
  P1 marketing Programs  Paid search EMEA 01  1000.00   A1 same key as P1, 01    1100.00
  P2 marketing Programs  Paid search EMEA 02  1000.00   A2 same key as P2, 02    -200.00 (credit)
  P3 sales     Events    Field       NA   01  2000.00   A3 same key as P3, 01    1900.00
  P4 sales     Events    Field       NA   02  2000.00   A4 same key as P4, 02    2100.00
  P5 joint     Tools     Paid search NA   04   400.00   A5 sales Travel Field EMEA 03  300.00
  P6 joint     Tools     Paid search NA   07   600.00      (unplanned key)
                                                        A6 same key as P5, 04     400.00
  planned: 01 3000, 02 3000, 04 400, 07 600 = 7000      spend: 01 3000, 02 1900, 03 300,
                                                               04 400 = 5600

outcomes (month region channel sourced_by: leads mqls sqls opps wins pipeline revenue due won)
  O1 01 EMEA Paid search marketing: 100 40 20 10 4  50000 20000  5 4
  O2 01 NA   Field       sales:      50 20 10  8 2  40000 16000  0 0
  O3 02 EMEA Field       joint:      30 12  6  5 1  10000  6000  2 1
  O4 02 NA   Paid search marketing:  60 25 10  6 3  30000 12000  3 3
  O5 05 NA   Field       sales:      20  8  4  4 1   8000  5000  0 0
March has spend but no outcomes and no plan; May has outcomes but no spend and no plan;
the last month with data is May, so 2026-YTD is January to May.

Ratios are rounded to 6 places and CAC to the cent, half to even.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from planning.budget import BudgetFilter
from planning.kpi_values import (
    KpiFilter,
    KpiResult,
    contract_rows,
    monthly,
    period_months,
    previous_period,
    scorecard,
    status,
    target_for,
    targets,
    totals,
    values,
)
from planning.kpis import KPI_NAMES, KPIS, Totals, attainment
from planning.store import Store
from planning.tandem import Tandem

YEAR = 2026
ADMIN = "administrator"

PLAN = """fiscal_year,owner,category,funnel_stage,channel,region,month,amount,description
2026,marketing,Programs,awareness,Paid search,EMEA,2026-01,1000.00,P1
2026,marketing,Programs,awareness,Paid search,EMEA,2026-02,1000.00,P2
2026,sales,Events,purchase,Field,NA,2026-01,2000.00,P3
2026,sales,Events,purchase,Field,NA,2026-02,2000.00,P4
2026,joint,Tools,consideration,Paid search,NA,2026-04,400.00,P5
2026,joint,Tools,consideration,Paid search,NA,2026-07,600.00,P6
"""

ACTUALS = """owner,category,funnel_stage,channel,region,month,amount,description,reference
marketing,Programs,awareness,Paid search,EMEA,2026-01,1100.00,A1,INV-1
marketing,Programs,awareness,Paid search,EMEA,2026-02,-200.00,A2 credit note,CN-1
sales,Events,purchase,Field,NA,2026-01,1900.00,A3,INV-3
sales,Events,purchase,Field,NA,2026-02,2100.00,A4,INV-4
sales,Travel,purchase,Field,EMEA,2026-03,300.00,A5 unplanned,INV-5
joint,Tools,consideration,Paid search,NA,2026-04,400.00,A6,INV-6
"""

OUTCOMES = """month,region,channel,sourced_by,leads,mqls,sqls,opportunities,wins,pipeline,\
revenue,renewals_due,renewals_won
2026-01,EMEA,Paid search,marketing,100,40,20,10,4,50000.00,20000.00,5,4
2026-01,NA,Field,sales,50,20,10,8,2,40000.00,16000.00,0,0
2026-02,EMEA,Field,joint,30,12,6,5,1,10000.00,6000.00,2,1
2026-02,NA,Paid search,marketing,60,25,10,6,3,30000.00,12000.00,3,3
2026-05,NA,Field,sales,20,8,4,4,1,8000.00,5000.00,0,0
"""

# sqls has no target at all; Q1 has its own revenue, cac and retention targets; revenue has
# targets for January to March only (so not for every month of Q2 or of YTD); pipeline has
# targets for every month of Q2 and none for Q2 itself.
TARGETS = """fiscal_year,kpi,period,target
2026,revenue,2026,60000.00
2026,pipeline,2026,120000.00
2026,leads,2026,260
2026,mqls,2026,117
2026,opportunities,2026,31
2026,wins,2026,12
2026,win_rate,2026,25%
2026,lead_to_win,2026,0.05
2026,spend,2026,5040.00
2026,budget_variance,2026,0
2026,cac,2026,600.00
2026,roi,2026,10
2026,marketing_sourced_share,2026,50%
2026,retention_rate,2026,90%
2026,revenue,2026-Q1,50000.00
2026,cac,2026-Q1,500.00
2026,retention_rate,2026-Q1,80%
2026,revenue,2026-01,40000.00
2026,revenue,2026-02,15000.00
2026,revenue,2026-03,5000.00
2026,pipeline,2026-04,1000.00
2026,pipeline,2026-05,2000.00
2026,pipeline,2026-06,3000.00
"""


def load(t: Tandem) -> None:
    for kind, text in (("plan", PLAN), ("actuals", ACTUALS), ("outcomes", OUTCOMES),
                       ("targets", TARGETS)):
        report = t.import_csv(kind, text.encode(), file_name=f"{kind}.csv")
        assert report.ok, report.problems


@pytest.fixture
def kt(tandem: Tandem) -> Tandem:
    load(tandem)
    return tandem


def kpis(store: Store, period: str, where: KpiFilter | None = None) -> dict:
    return values(totals(store, YEAR, period_months(store, YEAR, period), where or KpiFilter()))


def card(store: Store, period: str, where: KpiFilter | None = None, *,
         phase: bool = True) -> dict[str, KpiResult]:
    return {r.kpi: r for r in scorecard(store, YEAR, period, where, phase=phase)}


# -- the expected figures, by hand ---------------------------------------------------------------

# Year (all five outcome rows, all six actuals, all six plan lines):
#   leads 100+50+30+60+20 = 260, mqls 40+20+12+25+8 = 105, sqls 20+10+6+10+4 = 50,
#   opportunities 10+8+5+6+4 = 33, wins 4+2+1+3+1 = 11,
#   pipeline 50000+40000+10000+30000+8000 = 138000, revenue 20000+16000+6000+12000+5000 = 59000,
#   marketing revenue (O1, O4) 20000+12000 = 32000, renewals 4+0+1+3+0 = 8 of 5+0+2+3+0 = 10,
#   spend 1100-200+1900+2100+300+400 = 5600, planned 1000+1000+2000+2000+400+600 = 7000.
YEAR_VALUES = {
    "revenue": D("59000.00"), "pipeline": D("138000.00"), "leads": 260, "mqls": 105,
    "sqls": 50, "opportunities": 33, "wins": 11,
    "win_rate": D("0.333333"),  # 11/33
    "lead_to_win": D("0.042308"),  # 11/260 = 0.0423076...
    "spend": D("5600.00"),
    "budget_variance": D("-0.200000"),  # (5600-7000)/7000
    "cac": D("509.09"),  # 5600/11 = 509.0909...
    "roi": D("9.535714"),  # (59000-5600)/5600 = 53400/5600 = 9.5357142...
    "marketing_sourced_share": D("0.542373"),  # 32000/59000 = 0.5423728...
    "retention_rate": D("0.800000"),  # 8/10
}

# 2026-YTD = January to May (May is the last month with outcomes or actuals): the same outcomes
# and spend as the year, but the plan stops at April: planned 3000+3000+400 = 6400.
YTD_VALUES = YEAR_VALUES | {"budget_variance": D("-0.125000")}  # (5600-6400)/6400

# Q1 = January to March: O1-O4; spend 3000+1900+300 = 5200; planned 3000+3000 = 6000.
#   leads 240, mqls 97, sqls 46, opportunities 29, wins 10, pipeline 130000, revenue 54000,
#   marketing revenue 32000, renewals 8 of 10.
Q1_VALUES = {
    "revenue": D("54000.00"), "pipeline": D("130000.00"), "leads": 240, "mqls": 97,
    "sqls": 46, "opportunities": 29, "wins": 10,
    "win_rate": D("0.344828"),  # 10/29 = 0.3448275...
    "lead_to_win": D("0.041667"),  # 10/240 = 0.0416666...
    "spend": D("5200.00"),
    "budget_variance": D("-0.133333"),  # -800/6000
    "cac": D("520.00"),  # 5200/10
    "roi": D("9.384615"),  # 48800/5200 = 9.3846153...
    "marketing_sourced_share": D("0.592593"),  # 32000/54000 = 0.5925925...
    "retention_rate": D("0.800000"),
}

# Q2 = April to June: O5 only; spend A6 400; planned P5 400.
Q2_VALUES = {
    "revenue": D("5000.00"), "pipeline": D("8000.00"), "leads": 20, "mqls": 8, "sqls": 4,
    "opportunities": 4, "wins": 1, "win_rate": D("0.250000"), "lead_to_win": D("0.050000"),
    "spend": D("400.00"), "budget_variance": D("0.000000"), "cac": D("400.00"),
    "roi": D("11.500000"),  # (5000-400)/400
    "marketing_sourced_share": D("0.000000"),  # 0/5000: a zero numerator is a value
    "retention_rate": None,  # no renewals due
}

# January: O1+O2; spend A1+A3 = 3000; planned P1+P3 = 3000.
JAN_VALUES = {
    "revenue": D("36000.00"), "pipeline": D("90000.00"), "leads": 150, "mqls": 60, "sqls": 30,
    "opportunities": 18, "wins": 6, "win_rate": D("0.333333"), "lead_to_win": D("0.040000"),
    "spend": D("3000.00"), "budget_variance": D("0.000000"), "cac": D("500.00"),
    "roi": D("11.000000"),  # 33000/3000
    "marketing_sourced_share": D("0.555556"),  # 20000/36000
    "retention_rate": D("0.800000"),  # 4/5
}

# February: O3+O4; spend -200+2100 = 1900 (the credit note reduces it); planned 3000.
FEB_VALUES = {
    "revenue": D("18000.00"), "pipeline": D("40000.00"), "leads": 90, "mqls": 37, "sqls": 16,
    "opportunities": 11, "wins": 4,
    "win_rate": D("0.363636"),  # 4/11
    "lead_to_win": D("0.044444"),  # 4/90
    "spend": D("1900.00"),
    "budget_variance": D("-0.366667"),  # -1100/3000
    "cac": D("475.00"),  # 1900/4
    "roi": D("8.473684"),  # 16100/1900 = 8.4736842...
    "marketing_sourced_share": D("0.666667"),  # 12000/18000
    "retention_rate": D("0.800000"),  # 4/5
}

# March: no outcomes, spend 300 (A5, unplanned), no plan.
MAR_VALUES = {
    "revenue": D("0"), "pipeline": D("0"), "leads": 0, "mqls": 0, "sqls": 0,
    "opportunities": 0, "wins": 0, "win_rate": None, "lead_to_win": None,
    "spend": D("300.00"), "budget_variance": None, "cac": None,
    "roi": D("-1.000000"),  # (0-300)/300
    "marketing_sourced_share": None, "retention_rate": None,
}

# May: O5 only, no spend, no plan.
MAY_VALUES = {
    "revenue": D("5000.00"), "pipeline": D("8000.00"), "leads": 20, "mqls": 8, "sqls": 4,
    "opportunities": 4, "wins": 1, "win_rate": D("0.250000"), "lead_to_win": D("0.050000"),
    "spend": D("0"), "budget_variance": None,
    "cac": D("0.00"),  # 0/1: spend is nought, wins are not
    "roi": None,  # no spend
    "marketing_sourced_share": D("0.000000"), "retention_rate": None,
}

# July: no outcomes, no spend, planned 600 (P6).
JUL_VALUES = {
    "revenue": D("0"), "pipeline": D("0"), "leads": 0, "mqls": 0, "sqls": 0,
    "opportunities": 0, "wins": 0, "win_rate": None, "lead_to_win": None, "spend": D("0"),
    "budget_variance": D("-1.000000"),  # (0-600)/600
    "cac": None, "roi": None, "marketing_sourced_share": None, "retention_rate": None,
}

COUNTS = ("leads", "mqls", "sqls", "opportunities", "wins")


def assert_values(got: dict, expected: dict) -> None:
    assert list(got) == list(KPI_NAMES)
    assert got == expected
    for name in COUNTS:
        assert type(got[name]) is int, name
    for name, value in got.items():
        if name not in COUNTS and value is not None:
            assert isinstance(value, D), name


# -- import -------------------------------------------------------------------------------------

def test_the_data_set_imports_whole(kt):
    store = kt.store
    assert store.scalar("SELECT count(*) FROM plan_lines") == 6
    assert store.scalar("SELECT sum(amount) FROM actuals") == D("5600.00")
    assert store.scalar("SELECT min(amount) FROM actuals") == D("-200.00")
    assert store.scalar("SELECT count(*) FROM outcomes") == 5
    assert store.scalar("SELECT count(*) FROM targets") == 23
    # '25%' is stored as the rate 0.25.
    assert targets(store, YEAR)[("win_rate", "2026")] == D("0.25")
    assert targets(store, YEAR)[("marketing_sourced_share", "2026")] == D("0.5")


def test_kpi_table_order_is_the_data_contract_order():
    assert KPI_NAMES == (
        "revenue", "pipeline", "leads", "mqls", "sqls", "opportunities", "wins", "win_rate",
        "lead_to_win", "spend", "budget_variance", "cac", "roi", "marketing_sourced_share",
        "retention_rate")
    assert {k.name for k in KPIS if k.better == "lower"} == {"spend", "cac"}
    assert [k.name for k in KPIS if k.better == "closer to 0"] == ["budget_variance"]


# -- actual values ------------------------------------------------------------------------------

@pytest.mark.parametrize(("period", "expected"), [
    ("2026", YEAR_VALUES),
    ("2026-YTD", YTD_VALUES),
    ("2026-Q1", Q1_VALUES),
    ("2026-Q2", Q2_VALUES),
    ("2026-01", JAN_VALUES),
    ("2026-02", FEB_VALUES),
    ("2026-03", MAR_VALUES),
    ("2026-05", MAY_VALUES),
    ("2026-07", JUL_VALUES),
])
def test_every_kpi_of_a_period(kt, period, expected):
    assert_values(kpis(kt.store, period), expected)


def test_period_months_with_a_january_year(kt):
    store = kt.store
    assert period_months(store, YEAR, "2026") == [date(2026, m, 1) for m in range(1, 13)]
    assert period_months(store, YEAR, "2026-Q1") == [date(2026, m, 1) for m in (1, 2, 3)]
    assert period_months(store, YEAR, "2026-Q4") == [date(2026, m, 1) for m in (10, 11, 12)]
    assert period_months(store, YEAR, "2026-07") == [date(2026, 7, 1)]
    # YTD runs to the last month with outcomes or actuals (May), not to the last plan line (July).
    assert period_months(store, YEAR, "2026-YTD") == [date(2026, m, 1) for m in range(1, 6)]
    # A month of another fiscal year is no month of this one.
    assert period_months(store, YEAR, "2025-12") == []


def test_ytd_of_an_empty_year_is_no_months(store):
    assert period_months(store, YEAR, "2026-YTD") == []
    assert_values(kpis(store, "2026-YTD"), {
        "revenue": D("0"), "pipeline": D("0"), "leads": 0, "mqls": 0, "sqls": 0,
        "opportunities": 0, "wins": 0, "win_rate": None, "lead_to_win": None,
        "spend": D("0"), "budget_variance": None, "cac": None, "roi": None,
        "marketing_sourced_share": None, "retention_rate": None})


def test_previous_period_with_a_january_year(kt):
    store = kt.store
    assert previous_period(store, YEAR, "2026") == (2025, "2025")
    assert previous_period(store, YEAR, "2026-YTD") == (2025, "2025-YTD5")  # January to May
    assert previous_period(store, YEAR, "2026-Q1") == (2025, "2025-Q4")
    assert previous_period(store, YEAR, "2026-Q3") == (2026, "2026-Q2")
    assert previous_period(store, YEAR, "2026-01") == (2025, "2025-12")
    assert previous_period(store, YEAR, "2026-03") == (2026, "2026-02")


def test_previous_ytd_is_the_same_span_of_last_year(kt):
    store = kt.store
    # FY2025 has outcomes in January and December (so its data runs to December).
    report = kt.import_csv("outcomes", (
        b"month,region,channel,sourced_by,leads,mqls,sqls,opportunities,wins,pipeline,revenue\n"
        b"2025-01,EMEA,Field,sales,1,1,1,1,1,100.00,100.00\n"
        b"2025-12,EMEA,Field,sales,1,1,1,1,1,100.00,100.00\n"), file_name="o2025.csv")
    assert report.ok, report.problems
    before_year, before = previous_period(store, YEAR, "2026-YTD")
    assert (before_year, before) == (2025, "2025-YTD5")
    # 2026-YTD is January-May 2026; the span before it is January-May 2025.
    assert period_months(store, YEAR - 1, before) == [date(2025, m, 1) for m in range(1, 6)]


def test_monthly_gives_every_kpi_per_month(kt):
    months = monthly(kt.store, YEAR)
    assert list(months) == [date(2026, m, 1) for m in range(1, 13)]
    assert months[date(2026, 1, 1)] == JAN_VALUES
    assert months[date(2026, 2, 1)] == FEB_VALUES
    assert months[date(2026, 3, 1)] == MAR_VALUES
    assert months[date(2026, 5, 1)] == MAY_VALUES
    assert months[date(2026, 7, 1)] == JUL_VALUES
    assert sum(m["revenue"] for m in months.values()) == D("59000.00")
    assert sum(m["spend"] for m in months.values()) == D("5600.00")


# -- filters ------------------------------------------------------------------------------------

# EMEA: O1+O3; spend A1+A2+A5 = 1100-200+300 = 1200; planned P1+P2 = 2000.
EMEA_VALUES = {
    "revenue": D("26000.00"), "pipeline": D("60000.00"), "leads": 130, "mqls": 52, "sqls": 26,
    "opportunities": 15, "wins": 5, "win_rate": D("0.333333"),  # 5/15
    "lead_to_win": D("0.038462"),  # 5/130 = 0.0384615...
    "spend": D("1200.00"), "budget_variance": D("-0.400000"),  # -800/2000
    "cac": D("240.00"),  # 1200/5
    "roi": D("20.666667"),  # 24800/1200 = 20.666...
    "marketing_sourced_share": D("0.769231"),  # 20000/26000 = 0.7692307...
    "retention_rate": D("0.714286"),  # 5/7 = 0.7142857...
}

# Field: O2+O3+O5 (wins 2+1+1 = 4); spend A3+A4+A5 = 1900+2100+300 = 4300; planned P3+P4 = 4000.
FIELD_VALUES = {
    "revenue": D("27000.00"), "pipeline": D("58000.00"), "leads": 100, "mqls": 40, "sqls": 20,
    "opportunities": 17, "wins": 4, "win_rate": D("0.235294"),  # 4/17 = 0.2352941...
    "lead_to_win": D("0.040000"),  # 4/100
    "spend": D("4300.00"), "budget_variance": D("0.075000"),  # 300/4000
    "cac": D("1075.00"),  # 4300/4
    "roi": D("5.279070"),  # 22700/4300 = 5.2790697...
    "marketing_sourced_share": D("0.000000"),  # no marketing-sourced revenue in Field
    "retention_rate": D("0.500000"),  # 1/2
}

# sourced_by marketing: O1+O4. Spend and plan are not sourced: still 5600 and 7000.
MARKETING_VALUES = {
    "revenue": D("32000.00"), "pipeline": D("80000.00"), "leads": 160, "mqls": 65, "sqls": 30,
    "opportunities": 16, "wins": 7, "win_rate": D("0.437500"),  # 7/16
    "lead_to_win": D("0.043750"),  # 7/160
    "spend": D("5600.00"), "budget_variance": D("-0.200000"),
    "cac": D("800.00"),  # 5600/7
    "roi": D("4.714286"),  # 26400/5600 = 4.7142857...
    "marketing_sourced_share": D("1.000000"),
    "retention_rate": D("0.875000"),  # 7/8
}

# sourced_by sales or joint: O2+O3+O5 (the Field outcomes), but the whole spend 5600 / plan 7000.
SALES_JOINT_VALUES = FIELD_VALUES | {
    "spend": D("5600.00"), "budget_variance": D("-0.200000"),
    "cac": D("1400.00"),  # 5600/4
    "roi": D("3.821429"),  # (27000-5600)/5600 = 21400/5600 = 3.8214285...
}

# NA and Paid search in Q2: no outcomes (O4 is February, O5 is Field); spend A6 400, plan P5 400.
NA_SEARCH_Q2 = JUL_VALUES | {"spend": D("400.00"), "budget_variance": D("0.000000"),
                             "roi": D("-1.000000")}


@pytest.mark.parametrize(("period", "where", "expected"), [
    ("2026", KpiFilter(regions=("EMEA",)), EMEA_VALUES),
    ("2026", KpiFilter(channels=("Field",)), FIELD_VALUES),
    ("2026", KpiFilter(sourced_by=("marketing",)), MARKETING_VALUES),
    ("2026", KpiFilter(sourced_by=("sales", "joint")), SALES_JOINT_VALUES),
    ("2026-Q2", KpiFilter(regions=("NA",), channels=("Paid search",)), NA_SEARCH_Q2),
    ("2026", KpiFilter(regions=("EMEA", "NA"), channels=("Field", "Paid search"),
                       sourced_by=("marketing", "sales", "joint")), YEAR_VALUES),
])
def test_filters(kt, period, where, expected):
    assert_values(kpis(kt.store, period, where), expected)


def test_sourced_by_changes_neither_spend_nor_plan(kt):
    store = kt.store
    for period in ("2026", "2026-Q1", "2026-01", "2026-02", "2026-YTD"):
        months = period_months(store, YEAR, period)
        whole = totals(store, YEAR, months, KpiFilter())
        emea = totals(store, YEAR, months, KpiFilter(regions=("EMEA",)))
        for sourced_by in (("marketing",), ("sales",), ("joint",), ("sales", "joint"),
                           ("nobody",)):
            some = totals(store, YEAR, months, KpiFilter(sourced_by=sourced_by))
            assert (some.spend, some.planned) == (whole.spend, whole.planned), period
            # With a region too: the region's spend and plan, whoever sourced the outcomes.
            both = totals(store, YEAR, months,
                          KpiFilter(regions=("EMEA",), sourced_by=sourced_by))
            assert (both.spend, both.planned) == (emea.spend, emea.planned), period
    # Year: 5600 / 7000 overall, 1200 / 2000 in EMEA.
    year = period_months(store, YEAR, "2026")
    assert totals(store, YEAR, year, KpiFilter(sourced_by=("joint",))).spend == D("5600.00")
    assert totals(store, YEAR, year, KpiFilter(regions=("EMEA",), sourced_by=("joint",))
                  ).planned == D("2000.00")


def test_totals_of_a_filter(kt):
    # EMEA in the year, as the sums the formulas read.
    assert totals(kt.store, YEAR, period_months(kt.store, YEAR, "2026"),
                  KpiFilter(regions=("EMEA",))) == Totals(
        leads=130, mqls=52, sqls=26, opportunities=15, wins=5, pipeline=D("60000.00"),
        revenue=D("26000.00"), marketing_revenue=D("20000.00"), renewals_due=7,
        renewals_won=5, spend=D("1200.00"), planned=D("2000.00"))


def test_negative_actuals_reduce_spend(kt):
    store = kt.store
    # Paid search in February: only the credit note A2 (-200) against P2 (1000).
    feb_search = kpis(store, "2026-02", KpiFilter(channels=("Paid search",)))
    assert feb_search["spend"] == D("-200.00")
    assert feb_search["budget_variance"] == D("-1.200000")  # (-200-1000)/1000
    # Marketing's Paid search EMEA over the year: 1100 - 200 = 900 against a plan of 2000.
    emea_search = kpis(store, "2026", KpiFilter(regions=("EMEA",), channels=("Paid search",)))
    assert emea_search["spend"] == D("900.00")
    assert emea_search["budget_variance"] == D("-0.550000")  # -1100/2000
    assert emea_search["cac"] == D("225.00")  # 900 / 4 wins (O1)


def test_zero_denominators_have_no_value(kt):
    march = kpis(kt.store, "2026-03")  # no outcomes, no plan, some spend
    for name in ("win_rate", "lead_to_win", "cac", "marketing_sourced_share", "retention_rate",
                 "budget_variance"):
        assert march[name] is None, name
    assert march["roi"] == D("-1.000000")
    may = kpis(kt.store, "2026-05")  # outcomes, no spend, no plan
    assert may["roi"] is None
    assert may["budget_variance"] is None
    assert may["cac"] == D("0.00")
    # A filter matching nothing: every ratio is n/a, never 0 or infinity.
    none = kpis(kt.store, "2026", KpiFilter(regions=("Nowhere",)))
    assert [k for k, v in none.items() if v is None] == [
        "win_rate", "lead_to_win", "budget_variance", "cac", "roi", "marketing_sourced_share",
        "retention_rate"]


# -- the adopted scenario -----------------------------------------------------------------------

def test_budget_variance_uses_the_adopted_scenario(kt):
    store = kt.store
    ops = kt.scenario_ops
    ops.clone(YEAR, "baseline", "stretch", ADMIN)
    # +10% of 7000 = 700, spread pro rata: every line grows by exactly a tenth.
    result = ops.scale(YEAR, "stretch", D("10"), BudgetFilter(), ADMIN)
    assert (result.total_before, result.total_after) == (D("7000.00"), D("7700.00"))
    # Not adopted yet: still the baseline's plan.
    assert kpis(store, "2026")["budget_variance"] == D("-0.200000")
    assert kt.adopted_scenario(YEAR) == "baseline"

    ops.adopt(YEAR, "stretch", ADMIN)
    assert kt.adopted_scenario(YEAR) == "stretch"
    year = totals(store, YEAR, period_months(store, YEAR, "2026"), KpiFilter())
    assert year.planned == D("7700.00")
    assert kpis(store, "2026")["budget_variance"] == D("-0.272727")  # -2100/7700 = -0.2727...
    # January: planned 3300, spend 3000: -300/3300 = -0.090909...
    assert kpis(store, "2026-01")["budget_variance"] == D("-0.090909")
    # EMEA: planned 2200, spend 1200: -1000/2200 = -0.454545...
    assert kpis(store, "2026", KpiFilter(regions=("EMEA",)))["budget_variance"] == D("-0.454545")
    # Nothing else moves.
    assert kpis(store, "2026") == YEAR_VALUES | {"budget_variance": D("-0.272727")}
    # The scorecard reads it too: |-0.272727 - 0| > 0.10 is red.
    assert card(store, "2026")["budget_variance"].actual == D("-0.272727")

    ops.adopt(YEAR, "baseline", ADMIN)
    assert kpis(store, "2026")["budget_variance"] == D("-0.200000")


# -- targets ------------------------------------------------------------------------------------

def test_a_period_takes_its_own_target(kt):
    store = kt.store
    found = targets(store, YEAR)
    assert target_for(store, YEAR, "revenue", "2026", found) == D("60000.00")
    # Q1 has one of its own (50000), though its months add up to 40000+15000+5000 = 60000.
    assert target_for(store, YEAR, "revenue", "2026-Q1", found) == D("50000.00")
    assert target_for(store, YEAR, "revenue", "2026-01", found) == D("40000.00")
    assert target_for(store, YEAR, "cac", "2026-Q1", found) == D("500.00")
    assert target_for(store, YEAR, "retention_rate", "2026-Q1", found) == D("0.80")
    assert target_for(store, YEAR, "pipeline", "2026-05", found) == D("2000.00")


def test_phasing_sums_the_months_when_all_are_set(kt):
    store = kt.store
    found = targets(store, YEAR)
    # Q2 pipeline: 1000 + 2000 + 3000, not 120000 x 3/12 = 30000.
    assert target_for(store, YEAR, "pipeline", "2026-Q2", found) == D("6000.00")
    # Without Q1's own revenue target: 40000 + 15000 + 5000.
    without_q1 = {k: v for k, v in found.items() if k != ("revenue", "2026-Q1")}
    assert target_for(store, YEAR, "revenue", "2026-Q1", without_q1) == D("60000.00")


def test_phasing_spreads_the_annual_target_evenly_otherwise(kt):
    store = kt.store
    found = targets(store, YEAR)
    # Q2 revenue: April-June have no targets: 60000 x 3/12.
    assert target_for(store, YEAR, "revenue", "2026-Q2", found) == D("15000.00")
    # YTD (5 months) revenue: January-March are set but April and May are not: 60000 x 5/12.
    assert target_for(store, YEAR, "revenue", "2026-YTD", found) == D("25000.00")
    # A month without a target of its own: 60000 / 12.
    assert target_for(store, YEAR, "revenue", "2026-04", found) == D("5000.00")
    # Q1 pipeline: 120000 x 3/12; YTD pipeline: only April and May of five months are set.
    assert target_for(store, YEAR, "pipeline", "2026-Q1", found) == D("30000.00")
    assert target_for(store, YEAR, "pipeline", "2026-YTD", found) == D("50000.00")
    # Rounded to the cent: opportunities 31 x 1/12 = 2.5833..., x 3/12 = 7.75,
    # x 5/12 = 12.91666...; mqls 117 / 12 = 9.75; spend 5040 x 3/12 = 1260.
    assert target_for(store, YEAR, "opportunities", "2026-01", found) == D("2.58")
    assert target_for(store, YEAR, "opportunities", "2026-Q3", found) == D("7.75")
    assert target_for(store, YEAR, "opportunities", "2026-YTD", found) == D("12.92")
    assert target_for(store, YEAR, "mqls", "2026-12", found) == D("9.75")
    assert target_for(store, YEAR, "spend", "2026-Q1", found) == D("1260.00")
    for value in (target_for(store, YEAR, "opportunities", "2026-01", found),
                  target_for(store, YEAR, "revenue", "2026-YTD", found)):
        assert value.as_tuple().exponent == -2
    # No target at all: none phased.
    assert target_for(store, YEAR, "sqls", "2026-Q1", found) is None
    assert target_for(store, YEAR, "sqls", "2026", found) is None


def test_ratios_and_cac_keep_the_annual_target(kt):
    store = kt.store
    found = targets(store, YEAR)
    for period in ("2026-Q2", "2026-03", "2026-YTD"):
        assert target_for(store, YEAR, "win_rate", period, found) == D("0.25")
        assert target_for(store, YEAR, "lead_to_win", period, found) == D("0.05")
        assert target_for(store, YEAR, "cac", period, found) == D("600.00")
        assert target_for(store, YEAR, "roi", period, found) == D("10")
        assert target_for(store, YEAR, "budget_variance", period, found) == D("0")
        assert target_for(store, YEAR, "marketing_sourced_share", period, found) == D("0.5")
        assert target_for(store, YEAR, "retention_rate", period, found) == D("0.9")
    # ... unless the period has its own.
    assert target_for(store, YEAR, "cac", "2026-Q1", found) == D("500.00")
    assert target_for(store, YEAR, "retention_rate", "2026-Q1", found) == D("0.8")
    # A month of Q1 does not inherit Q1's target: the annual one.
    assert target_for(store, YEAR, "cac", "2026-01", found) == D("600.00")


def test_without_phasing_only_the_periods_own_target(kt):
    store = kt.store
    found = targets(store, YEAR)
    assert target_for(store, YEAR, "revenue", "2026-Q1", found, phase=False) == D("50000.00")
    assert target_for(store, YEAR, "pipeline", "2026-Q2", found, phase=False) is None
    assert target_for(store, YEAR, "win_rate", "2026-Q1", found, phase=False) is None
    assert target_for(store, YEAR, "revenue", "2026-04", found, phase=False) is None


# (actual, target, attainment, status) for the year: attainment = actual / target, or
# target / actual for spend and cac; statuses green >= 1.00 > amber >= 0.90 > red.
YEAR_CARD = {
    "revenue": (D("59000.00"), D("60000.00"), D("0.983333"), "amber"),  # 59000/60000
    "pipeline": (D("138000.00"), D("120000.00"), D("1.150000"), "green"),
    "leads": (260, D("260"), D("1.000000"), "green"),  # exactly 1.00
    "mqls": (105, D("117"), D("0.897436"), "red"),  # 105/117 = 0.8974358...: under 0.90
    "sqls": (50, None, None, None),  # no target
    "opportunities": (33, D("31"), D("1.064516"), "green"),  # 33/31 = 1.0645161...
    "wins": (11, D("12"), D("0.916667"), "amber"),  # 11/12
    "win_rate": (D("0.333333"), D("0.25"), D("1.333332"), "green"),  # 0.333333/0.25
    "lead_to_win": (D("0.042308"), D("0.05"), D("0.846160"), "red"),  # 0.042308/0.05
    "spend": (D("5600.00"), D("5040.00"), D("0.900000"), "amber"),  # 5040/5600: exactly 0.90
    "budget_variance": (D("-0.200000"), D("0"), None, "red"),  # 0.20 off the target
    "cac": (D("509.09"), D("600.00"), D("1.178574"), "green"),  # 600/509.09 = 1.17857353...
    "roi": (D("9.535714"), D("10"), D("0.953571"), "amber"),  # 0.9535714
    "marketing_sourced_share": (D("0.542373"), D("0.5"), D("1.084746"), "green"),
    "retention_rate": (D("0.800000"), D("0.9"), D("0.888889"), "red"),  # 0.8/0.9
}

# Q1, phased: revenue, cac and retention have their own targets; counts and money take the
# annual target x 3/12 (no Q1 months set, except revenue's, which Q1's own target overrides);
# ratios take the annual target.
Q1_CARD = {
    "revenue": (D("54000.00"), D("50000.00"), D("1.080000"), "green"),
    "pipeline": (D("130000.00"), D("30000.00"), D("4.333333"), "green"),  # 130000/30000
    "leads": (240, D("65.00"), D("3.692308"), "green"),  # 240/65 = 3.6923076...
    "mqls": (97, D("29.25"), D("3.316239"), "green"),  # 97/29.25 = 3.3162393...
    "sqls": (46, None, None, None),
    "opportunities": (29, D("7.75"), D("3.741935"), "green"),  # 29/7.75 = 3.7419354...
    "wins": (10, D("3.00"), D("3.333333"), "green"),
    "win_rate": (D("0.344828"), D("0.25"), D("1.379312"), "green"),
    "lead_to_win": (D("0.041667"), D("0.05"), D("0.833340"), "red"),
    "spend": (D("5200.00"), D("1260.00"), D("0.242308"), "red"),  # 1260/5200 = 0.2423076...
    "budget_variance": (D("-0.133333"), D("0"), None, "red"),  # 0.133 off: beyond 0.10
    "cac": (D("520.00"), D("500.00"), D("0.961538"), "amber"),  # 500/520 = 0.9615384...
    "roi": (D("9.384615"), D("10"), D("0.938462"), "amber"),  # 0.9384615 half-even -> ...62
    "marketing_sourced_share": (D("0.592593"), D("0.5"), D("1.185186"), "green"),
    "retention_rate": (D("0.800000"), D("0.8"), D("1.000000"), "green"),  # exactly 1.00
}


@pytest.mark.parametrize(("period", "expected"), [("2026", YEAR_CARD), ("2026-Q1", Q1_CARD)])
def test_scorecard(kt, period, expected):
    rows = scorecard(kt.store, YEAR, period)
    assert [r.kpi for r in rows] == list(KPI_NAMES)
    assert all(r.period == period for r in rows)
    assert {r.kpi: (r.actual, r.target, r.attainment, r.status) for r in rows} == expected


def test_scorecard_of_a_month_and_ytd(kt):
    jan = card(kt.store, "2026-01")
    # Revenue 36000 against January's own 40000: exactly 0.90, amber.
    assert (jan["revenue"].target, jan["revenue"].attainment, jan["revenue"].status) == (
        D("40000.00"), D("0.900000"), "amber")
    # Spend 3000 against 5040/12 = 420: 420/3000 = 0.14, red.
    assert (jan["spend"].target, jan["spend"].attainment, jan["spend"].status) == (
        D("420.00"), D("0.140000"), "red")
    # Budget variance 0 against 0: green.
    assert (jan["budget_variance"].actual, jan["budget_variance"].status) == (D("0"), "green")
    # Opportunities 18 against 2.58: 6.976744...
    assert jan["opportunities"].attainment == D("6.976744")

    march = card(kt.store, "2026-03")
    # No outcomes: revenue 0 against 5000 is 0% (a value), win rate is n/a against 0.25.
    assert (march["revenue"].attainment, march["revenue"].status) == (D("0"), "red")
    assert (march["win_rate"].actual, march["win_rate"].target) == (None, D("0.25"))
    assert (march["win_rate"].attainment, march["win_rate"].status) == (None, None)
    assert (march["budget_variance"].attainment, march["budget_variance"].status) == (None, None)
    assert (march["cac"].actual, march["cac"].attainment, march["cac"].status) == (
        None, None, None)

    may = card(kt.store, "2026-05")
    # cac 0.00 against 600: target / 0 has no value.
    assert (may["cac"].actual, may["cac"].attainment, may["cac"].status) == (
        D("0.00"), None, None)
    assert (may["pipeline"].target, may["pipeline"].attainment) == (D("2000.00"), D("4.000000"))

    ytd = card(kt.store, "2026-YTD")
    # Revenue 59000 against 25000 (60000 x 5/12): 2.36; spend 5600 against 2100: 0.375.
    assert (ytd["revenue"].target, ytd["revenue"].attainment) == (D("25000.00"), D("2.360000"))
    assert (ytd["spend"].target, ytd["spend"].attainment) == (D("2100.00"), D("0.375000"))
    assert (ytd["budget_variance"].actual, ytd["budget_variance"].status) == (
        D("-0.125000"), "red")


def test_a_filter_keeps_the_targets_of_rates_not_of_sums(kt):
    # Targets are the firm's: EMEA's revenue of 26000 is no 43% of the firm's 60000.
    emea = card(kt.store, "2026", KpiFilter(regions=("EMEA",)))
    assert emea["revenue"].actual == D("26000.00")
    assert (emea["revenue"].target, emea["revenue"].attainment, emea["revenue"].status) == (
        None, None, None)
    assert (emea["spend"].target, emea["spend"].status) == (None, None)
    # A rate is comparable in any part of the firm: EMEA wins 5 of 15 opportunities.
    assert (emea["win_rate"].actual, emea["win_rate"].target) == (D("0.333333"), D("0.25"))
    assert emea["win_rate"].attainment == D("1.333332")  # 0.333333 / 0.25, as shown
    assert emea["cac"].target == D("600.00")


def test_a_source_filter_keeps_the_spend_target(kt):
    # Spend is not sourced: filtering outcomes by source leaves all of it, and its target.
    marketing = card(kt.store, "2026", KpiFilter(sourced_by=("marketing",)))
    assert (marketing["spend"].actual, marketing["spend"].target) == (D("5600.00"),
                                                                      D("5040.00"))
    assert (marketing["revenue"].actual, marketing["revenue"].target) == (D("32000.00"), None)


def test_attainment_higher_lower_and_variance():
    assert attainment("revenue", D("90"), D("100")) == D("0.900000")
    assert attainment("win_rate", D("0.3"), D("0.25")) == D("1.200000")
    assert attainment("spend", D("90"), D("100")) == D("1.111111")  # 100/90: under budget
    assert attainment("spend", D("125"), D("100")) == D("0.800000")
    assert attainment("cac", D("500.00"), D("400.00")) == D("0.800000")
    assert attainment("budget_variance", D("0.02"), D("0")) is None
    assert attainment("revenue", None, D("100")) is None
    assert attainment("revenue", D("1"), None) is None
    assert attainment("revenue", D("1"), D("0")) is None  # zero target
    assert attainment("spend", D("0"), D("100")) is None  # no spend


@pytest.mark.parametrize(("reached", "expected"), [
    (D("1.000001"), "green"), (D("1.00"), "green"), (D("0.999999"), "amber"),
    (D("0.900000"), "amber"), (D("0.899999"), "red"), (D("0"), "red"), (None, None),
])
def test_status_thresholds(reached, expected):
    assert status("revenue", D("1"), D("1"), reached) == expected
    assert status("cac", D("1"), D("1"), reached) == expected


@pytest.mark.parametrize(("actual", "target", "expected"), [
    (D("0"), D("0"), "green"), (D("0.05"), D("0"), "green"), (D("-0.05"), D("0"), "green"),
    (D("0.050001"), D("0"), "amber"), (D("-0.050001"), D("0"), "amber"),
    (D("0.10"), D("0"), "amber"), (D("-0.10"), D("0"), "amber"),
    (D("0.100001"), D("0"), "red"), (D("-0.100001"), D("0"), "red"),
    (D("0.12"), D("0.05"), "amber"),  # 0.07 off a target of 0.05
    (D("-0.02"), D("0.05"), "amber"),
    (D("0.10"), D("0.05"), "green"),
    (None, D("0"), None), (D("0.01"), None, None),
])
def test_budget_variance_status(actual, target, expected):
    assert status("budget_variance", actual, target, None) == expected


# -- a fiscal year starting in April ------------------------------------------------------------

APRIL_OUTCOMES = """month,region,channel,sourced_by,leads,mqls,sqls,opportunities,wins,pipeline,\
revenue
2026-03,EMEA,Field,sales,5,2,1,1,1,900.00,300.00
2026-04,EMEA,Field,sales,10,5,3,2,1,1000.00,500.00
2027-01,EMEA,Field,sales,20,8,4,3,2,2000.00,700.00
"""
APRIL_PLAN = """fiscal_year,owner,category,funnel_stage,channel,region,month,amount
2026,sales,Events,purchase,Field,EMEA,2026-04,100.00
2026,sales,Events,purchase,Field,EMEA,2027-03,300.00
"""
APRIL_TARGETS = """fiscal_year,kpi,period,target
2026,revenue,2026,1200.00
2026,revenue,2026-Q4,600.00
2026,revenue,2027-01,800.00
"""


@pytest.fixture
def april(store: Store) -> Store:
    store.set_setting("fiscal_year_start_month", "4")
    t = Tandem(store)
    for kind, text in (("outcomes", APRIL_OUTCOMES), ("plan", APRIL_PLAN),
                       ("targets", APRIL_TARGETS)):
        report = t.import_csv(kind, text.encode(), file_name=f"{kind}.csv")
        assert report.ok, report.problems
    return store


def test_april_year_period_months(april):
    assert april.fiscal_year_start_month == 4
    assert period_months(april, YEAR, "2026") == (
        [date(2026, m, 1) for m in range(4, 13)] + [date(2027, m, 1) for m in (1, 2, 3)])
    assert period_months(april, YEAR, "2026-Q1") == [date(2026, m, 1) for m in (4, 5, 6)]
    assert period_months(april, YEAR, "2026-Q4") == [date(2027, m, 1) for m in (1, 2, 3)]
    assert period_months(april, YEAR, "2027-01") == [date(2027, 1, 1)]
    assert period_months(april, YEAR, "2026-03") == []  # March 2026 is in FY2025
    # YTD: April 2026 to January 2027 (the last outcome; the plan line of March 2027 is no data).
    assert period_months(april, YEAR, "2026-YTD") == (
        [date(2026, m, 1) for m in range(4, 13)] + [date(2027, 1, 1)])


def test_april_year_previous_period(april):
    assert previous_period(april, YEAR, "2026-Q1") == (2025, "2025-Q4")
    assert previous_period(april, YEAR, "2026-Q2") == (2026, "2026-Q1")
    assert previous_period(april, YEAR, "2026-04") == (2025, "2026-03")  # the last month of FY2025
    assert previous_period(april, YEAR, "2027-01") == (2026, "2026-12")
    span = len(period_months(april, YEAR, "2026-YTD"))
    assert previous_period(april, YEAR, "2026-YTD") == (2025, f"2025-YTD{span}")
    assert period_months(april, YEAR - 1, f"2025-YTD{span}")[0] == date(2025, 4, 1)
    assert previous_period(april, YEAR, "2026") == (2025, "2025")
    assert period_months(april, YEAR - 1, "2025-Q4") == [date(2026, m, 1) for m in (1, 2, 3)]


def test_april_year_kpis_and_targets(april):
    # FY2026 = April 2026 - March 2027: revenue 500 + 700 (March 2026's 300 is FY2025).
    assert values(totals(april, YEAR, period_months(april, YEAR, "2026"), KpiFilter()))[
        "revenue"] == D("1200.00")
    rows = {r.kpi: r for r in scorecard(april, YEAR, "2026-Q4")}
    assert (rows["revenue"].actual, rows["revenue"].target) == (D("700.00"), D("600.00"))
    assert rows["revenue"].attainment == D("1.166667")  # 700/600
    # Budget variance of Q4: no spend against 300 planned in March 2027.
    assert rows["budget_variance"].actual == D("-1.000000")
    q1 = {r.kpi: r for r in scorecard(april, YEAR, "2026-Q1")}
    # Q1 (April-June) revenue 500 against 1200 x 3/12 = 300; wins 1, leads 10.
    assert (q1["revenue"].actual, q1["revenue"].target) == (D("500.00"), D("300.00"))
    assert q1["lead_to_win"].actual == D("0.100000")
    ytd = {r.kpi: r for r in scorecard(april, YEAR, "2026-YTD")}
    # YTD is 10 months: 1200 x 10/12 = 1000; revenue 1200; planned 100 (April only).
    assert (ytd["revenue"].actual, ytd["revenue"].target) == (D("1200.00"), D("1000.00"))
    assert ytd["budget_variance"].actual == D("-1.000000")  # (0-100)/100
    # Contract rows: periods sort as text, so FY2026's Q4 comes before its January 2027.
    assert [(r.kpi, r.period, r.actual, r.target) for r in contract_rows(april, YEAR)
            if r.period != "2026"] == [("revenue", "2026-Q4", D("700.00"), D("600.00")),
                                       ("revenue", "2027-01", D("700.00"), D("800.00"))]


# -- what `tandem kpis` prints ------------------------------------------------------------------

def test_contract_rows(kt):
    rows = contract_rows(kt.store, YEAR)
    year = [(r.kpi, r.period, r.actual, r.target, r.attainment) for r in rows[:15]]
    assert year == [(k, "2026", *YEAR_CARD[k][:3]) for k in KPI_NAMES]
    # Then one row per quarter or month target set, periods in order (months sort before
    # quarters), KPIs in the table's order; never a phased target.
    assert [(r.kpi, r.period, r.actual, r.target, r.attainment) for r in rows[15:]] == [
        ("revenue", "2026-01", D("36000.00"), D("40000.00"), D("0.900000")),
        ("revenue", "2026-02", D("18000.00"), D("15000.00"), D("1.200000")),
        ("revenue", "2026-03", D("0"), D("5000.00"), D("0")),
        ("pipeline", "2026-04", D("0"), D("1000.00"), D("0")),
        ("pipeline", "2026-05", D("8000.00"), D("2000.00"), D("4.000000")),
        ("pipeline", "2026-06", D("0"), D("3000.00"), D("0")),
        ("revenue", "2026-Q1", D("54000.00"), D("50000.00"), D("1.080000")),
        ("cac", "2026-Q1", D("520.00"), D("500.00"), D("0.961538")),
        ("retention_rate", "2026-Q1", D("0.800000"), D("0.8"), D("1.000000")),
    ]
    assert len(rows) == 24


def test_contract_rows_without_targets(kt, tmp_path):
    # An empty store: one row per KPI, no targets.
    empty = Store(tmp_path / "empty.duckdb")
    try:
        rows = contract_rows(empty, YEAR)
    finally:
        empty.close()
    assert [(r.kpi, r.period, r.target, r.attainment) for r in rows] == [
        (k, "2026", None, None) for k in KPI_NAMES]
    # Another year of the loaded store: nothing at all happened.
    assert [r.actual for r in contract_rows(kt.store, 2027)] == [
        D("0"), D("0"), 0, 0, 0, 0, 0, None, None, D("0"), None, None, None, None, None]
