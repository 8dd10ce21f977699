"""One view of the KPI page, on the hand-worked data set of tests/test_kpis.py.

Year to date is January to May. In it, by hand (A = actuals, P = the baseline plan, O = outcomes):
  spend by owner:   marketing 1100-200 = 900 (planned 2000), sales 1900+2100+300 = 4300 (4000),
                    joint 400 (400)
  by channel:       Paid search 1100-200+400 = 1300 (planned 1000+1000+400 = 2400),
                    Field 1900+2100+300 = 4300 (4000)
  by region:        EMEA 1100-200+300 = 1200 (2000), NA 1900+2100+400 = 4400 (4400)
  by month:         Jan 3000 (3000), Feb 1900 (3000), Mar 300 (0), Apr 400 (400)
  outcomes by channel: Paid search O1+O4: 16 opportunities, 7 wins, 32000 revenue;
                       Field O2+O3+O5: 17, 4, 27000
  by region:        EMEA O1+O3: 15, 5, 26000; NA O2+O4+O5: 18, 6, 33000
  funnel by source: marketing O1+O4 160/65/30/16/7, sales O2+O5 70/28/14/12/3, joint O3 30/12/6/5/1
  unplanned:        A5 (sales Travel purchase Field EMEA, March, 300.00): no plan line has its key
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from planning.kpi_values import KpiFilter, monthly, scorecard
from planning.kpi_views import Efficiency, FunnelRow, TrendPoint, Variance, kpi_view
from planning.tandem import Tandem
from tests.test_kpis import FEB_VALUES, Q2_VALUES, YEAR, april, load  # noqa: F401


@pytest.fixture
def kt(tandem: Tandem) -> Tandem:
    load(tandem)
    return tandem


def m(n: int) -> date:
    return date(YEAR, n, 1)


def test_the_months_and_the_adopted_scenario(kt):
    view = kpi_view(kt.store, YEAR, "2026-YTD")
    assert view.months == [m(n) for n in range(1, 6)]
    assert view.adopted == "baseline"
    assert view.last_month_with_data == m(5)


def test_spend_against_plan_by_every_dimension(kt):
    v = kpi_view(kt.store, YEAR, "2026-YTD").variances
    assert v["owner"] == [Variance("joint", D("400.00"), D("400.00")),
                          Variance("marketing", D("900.00"), D("2000.00")),
                          Variance("sales", D("4300.00"), D("4000.00"))]
    assert v["funnel_stage"] == [Variance("awareness", D("900.00"), D("2000.00")),
                                 Variance("consideration", D("400.00"), D("400.00")),
                                 Variance("purchase", D("4300.00"), D("4000.00"))]
    assert v["channel"] == [Variance("Field", D("4300.00"), D("4000.00")),
                            Variance("Paid search", D("1300.00"), D("2400.00"))]
    assert v["region"] == [Variance("EMEA", D("1200.00"), D("2000.00")),
                           Variance("NA", D("4400.00"), D("4400.00"))]
    assert v["month"] == [Variance(m(1), D("3000.00"), D("3000.00")),
                          Variance(m(2), D("1900.00"), D("3000.00")),
                          Variance(m(3), D("300.00"), D("0")),
                          Variance(m(4), D("400.00"), D("400.00"))]
    marketing = v["owner"][1]
    assert (marketing.variance, marketing.share) == (D("-1100.00"), D("-0.550000"))
    assert v["month"][2].share is None  # nothing was planned in March: no percentage


def test_the_months_that_moved_most_skip_months_on_plan(kt):
    view = kpi_view(kt.store, YEAR, "2026-YTD")
    assert [(v.value, v.variance) for v in view.largest_variance_months()] == [
        (m(2), D("-1100.00")), (m(3), D("300.00"))]


def test_the_variance_totals_agree_with_the_tiles(kt):
    view = kpi_view(kt.store, YEAR, "2026-Q1", KpiFilter(channels=("Field",)))
    spend = view.card["spend"].actual
    for dim, rows in view.variances.items():
        assert sum(r.actual for r in rows) == spend, dim


def test_the_funnel_by_source_and_its_conversion_rates(kt):
    funnel = kpi_view(kt.store, YEAR, "2026-YTD").funnel
    assert funnel == [FunnelRow("sales", (70, 28, 14, 12, 3)),
                      FunnelRow("marketing", (160, 65, 30, 16, 7)),
                      FunnelRow("joint", (30, 12, 6, 5, 1))]
    assert funnel[1].conversions == {
        "Leads → MQLs": D("0.406250"), "MQLs → SQLs": D("0.461538"),  # 65/160, 30/65
        "SQLs → Opportunities": D("0.533333"), "Opportunities → Wins": D("0.437500")}


def test_a_funnel_stage_with_nobody_converts_at_n_a():
    assert FunnelRow("sales", (10, 0, 0, 0, 0)).conversions == {
        "Leads → MQLs": D("0.000000"), "MQLs → SQLs": None, "SQLs → Opportunities": None,
        "Opportunities → Wins": None}


def test_spend_per_stage_and_owner(kt):
    assert kpi_view(kt.store, YEAR, "2026-YTD").spend_by_stage == [
        ("awareness", "marketing", D("900.00")), ("consideration", "joint", D("400.00")),
        ("purchase", "sales", D("4300.00"))]


def test_efficiency_by_channel_and_region(kt):
    eff = kpi_view(kt.store, YEAR, "2026-YTD").efficiency
    assert eff["channel"] == [Efficiency("Field", D("4300.00"), 17, 4, D("27000.00")),
                              Efficiency("Paid search", D("1300.00"), 16, 7, D("32000.00"))]
    assert eff["region"] == [Efficiency("EMEA", D("1200.00"), 15, 5, D("26000.00")),
                             Efficiency("NA", D("4400.00"), 18, 6, D("33000.00"))]
    field, paid = eff["channel"]
    assert (field.cac, field.cost_per_opportunity, field.roi, field.revenue_per_spend) == (
        D("1075.00"), D("252.94"), D("5.279070"), D("6.279070"))  # 4300/4, 4300/17, 22700/4300
    assert (paid.cac, paid.cost_per_opportunity, paid.roi, paid.revenue_per_spend) == (
        D("185.71"), D("81.25"), D("23.615385"), D("24.615385"))  # 1300/7, 1300/16, 30700/1300


def test_efficiency_with_spend_and_no_outcomes_is_n_a_not_zero(kt):
    # March: 300.00 spent in Field / EMEA, no outcomes at all.
    [field] = kpi_view(kt.store, YEAR, "2026-03").efficiency["channel"]
    assert field == Efficiency("Field", D("300.00"), 0, 0, D("0"))
    assert (field.cac, field.cost_per_opportunity) == (None, None)
    assert (field.roi, field.revenue_per_spend) == (D("-1.000000"), D("0.000000"))
    # May: outcomes, no spend: no return on nothing.
    [may] = kpi_view(kt.store, YEAR, "2026-05").efficiency["region"]
    assert (may.value, may.spend, may.cac, may.roi) == ("NA", D("0"), D("0.00"), None)


def test_sourced_by_filters_outcomes_not_spend(kt):
    eff = kpi_view(kt.store, YEAR, "2026-YTD", KpiFilter(sourced_by=("marketing",))).efficiency
    assert eff["channel"] == [Efficiency("Field", D("4300.00"), 0, 0, D("0")),
                              Efficiency("Paid search", D("1300.00"), 16, 7, D("32000.00"))]


def test_unplanned_spend(kt):
    found = kpi_view(kt.store, YEAR, "2026-YTD").unplanned
    assert found.count == 1
    assert found.largest == [("sales", "Travel", "purchase", "Field", "EMEA", m(3), D("300.00"),
                              "INV-5")]
    assert kpi_view(kt.store, YEAR, "2026-YTD", KpiFilter(regions=("NA",))).unplanned.count == 0
    assert kpi_view(kt.store, YEAR, "2026-Q2").unplanned.count == 0


def test_unplanned_spend_lists_the_largest_first_credit_notes_by_size(kt):
    report = kt.import_csv("actuals", (
        b"owner,category,funnel_stage,channel,region,month,amount,description,reference\n"
        b"sales,Travel,purchase,Field,EMEA,2026-04,-500.00,credit,CN-9\n"
        b"sales,Travel,purchase,Field,NA,2026-04,300.00,tie with A5,INV-10\n"
        b"sales,Travel,purchase,Field,NA,2026-05,100.00,small,INV-11\n"), file_name="more.csv")
    assert report.ok, report.problems
    found = kpi_view(kt.store, YEAR, "2026-YTD", unplanned_limit=2).unplanned
    assert found.count == 4
    # -500 is the largest; of the two 300s, the one recorded first.
    assert [(r[6], r[7]) for r in found.largest] == [(D("-500.00"), "CN-9"),
                                                     (D("300.00"), "INV-5")]


def test_tiles_and_trend_agree_with_the_scorecard_and_monthly_values(kt):
    periods = ["2026-YTD", "2026", *(f"2026-Q{n}" for n in range(1, 5)),
               *(f"2026-{n:02d}" for n in range(1, 13))]
    filters = [KpiFilter(), KpiFilter(regions=("EMEA",)), KpiFilter(channels=("Field",)),
               KpiFilter(sourced_by=("marketing", "joint")),
               KpiFilter(regions=("NA",), channels=("Paid search",), sourced_by=("sales",))]
    for where in filters:
        year = monthly(kt.store, YEAR, where)
        for period in periods:
            view = kpi_view(kt.store, YEAR, period, where)
            assert view.card == {r.kpi: r for r in scorecard(kt.store, YEAR, period, where)}
            assert view.by_month == year


def test_the_period_before_in_the_same_year(kt):
    view = kpi_view(kt.store, YEAR, "2026-03")
    assert view.previous_period == "2026-02"
    assert view.previous == FEB_VALUES
    assert view.delta("revenue") == D("-18000.00")  # March 0 against February 18000
    assert view.delta("win_rate") is None  # no opportunities in March
    assert kpi_view(kt.store, YEAR, "2026-Q3").previous == Q2_VALUES


def test_no_change_against_a_period_without_data(kt):
    view = kpi_view(kt.store, YEAR, "2026-YTD")
    assert (view.previous_period, view.previous_months) == (
        "2025-YTD5", [date(2025, n, 1) for n in range(1, 6)])
    assert view.previous is None
    assert view.delta("revenue") is None


def test_the_period_before_in_last_year(kt):
    report = kt.import_csv("outcomes", (
        b"month,region,channel,sourced_by,leads,mqls,sqls,opportunities,wins,pipeline,revenue\n"
        b"2025-12,EMEA,Field,sales,1,1,1,1,1,100.00,700.00\n"), file_name="o2025.csv")
    assert report.ok, report.problems
    view = kpi_view(kt.store, YEAR, "2026-01")
    assert view.previous["revenue"] == D("700.00")
    assert view.delta("revenue") == D("35300.00")  # 36000 - 700
    # The previous year's data counts only in the span before.
    assert kpi_view(kt.store, YEAR, "2026-YTD").previous is None


def test_the_month_before_an_april_year_is_in_the_year_before(april):  # noqa: F811
    # FY2026 runs April 2026 to March 2027: the month before April 2026 is March 2026, of FY2025.
    view = kpi_view(april, YEAR, "2026-04")
    assert (view.previous_period, view.previous_months) == ("2026-03", [date(2026, 3, 1)])
    assert view.previous["revenue"] == D("300.00")
    assert view.delta("revenue") == D("200.00")  # 500 - 300


def test_revenue_trend_with_pacing(kt):
    points = kpi_view(kt.store, YEAR, "2026-Q1").trend("revenue")
    by = {(p.month, p.series): p.value for p in points}
    # Actuals run to May, the last month with data, whatever the period.
    assert [p.month for p in points if p.series == "Actual"] == [m(n) for n in range(1, 6)]
    assert [by[(m(n), "Actual")] for n in range(1, 6)] == [
        D("36000.00"), D("18000.00"), D("0"), D("0"), D("5000.00")]
    assert by[(m(5), "Cumulative actual")] == D("59000.00")
    # Targets: January to March are set; the other months phase the annual 60000 by twelve.
    assert [by[(m(n), "Target")] for n in (1, 2, 3, 4, 12)] == [
        D("40000.00"), D("15000.00"), D("5000.00"), D("5000.00"), D("5000.00")]
    assert by[(m(2), "Cumulative target (pacing)")] == D("55000.00")
    assert TrendPoint(m(6), "Actual", D("0")) not in points


def test_a_filtered_trend_of_a_sum_has_no_target(kt):
    points = kpi_view(kt.store, YEAR, "2026-YTD", KpiFilter(channels=("Field",))).trend("revenue")
    assert {p.series for p in points} == {"Actual", "Cumulative actual"}
    rates = kpi_view(kt.store, YEAR, "2026-YTD", KpiFilter(channels=("Field",))).trend("win_rate")
    assert "Target" in {p.series for p in rates}


def test_a_ratio_trend_has_no_running_total_and_skips_months_without_a_value(kt):
    points = kpi_view(kt.store, YEAR, "2026-YTD").trend("win_rate")
    assert {p.series for p in points} == {"Actual", "Target"}
    assert [(p.month, p.value) for p in points if p.series == "Actual"] == [
        (m(1), D("0.333333")), (m(2), D("0.363636")), (m(5), D("0.250000"))]
    assert all(p.value == D("0.25") for p in points if p.series == "Target")


def test_an_empty_store_has_a_view_of_nothing(store):
    view = kpi_view(store, YEAR, "2026-YTD")
    assert view.months == [] and view.last_month_with_data is None
    assert view.card["revenue"].actual == D("0") and view.card["win_rate"].actual is None
    assert (view.funnel, view.spend_by_stage, view.unplanned.count) == ([], [], 0)
    assert all(rows == [] for rows in view.variances.values())
    assert view.trend("revenue") == []
    assert view.previous is None
