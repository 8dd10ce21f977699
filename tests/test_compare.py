"""Comparing scenarios: the baseline against a clone after a shift, on a hand-written plan."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from planning.budget import BudgetFilter
from planning.compare import METRICS, Delta, LineDifference, compare, delta
from planning.errors import Refused
from planning.tandem import Tandem

D = Decimal
Y = 2026
HEADER = "fiscal_year,owner,category,funnel_stage,channel,region,month,amount,description"
PLAN = HEADER + """
2026,marketing,Programs,awareness,Paid search,EMEA,2026-01,100.00,
2026,marketing,Programs,awareness,Paid search,EMEA,2026-02,200.00,
2026,marketing,Events,consideration,Trade shows,EMEA,2026-03,0.01,
2026,sales,Travel,purchase,Field sales,EMEA,2026-01,300.00,
2026,sales,Headcount,purchase,Field sales,North America,2026-02,600.00,
2026,joint,Tools,loyalty,Partners,EMEA,2026-10,50.00,
"""
TOTAL = D("1250.01")


@pytest.fixture
def shifted(tandem: Tandem) -> Tandem:
    """`alt` is the baseline with 90.00 moved from marketing to Field sales, pro rata.

    From 100.00, 200.00, 0.01: 9000 cents x 10000/30001 = 2999.9, x 20000/30001 = 5999.8,
    x 1/30001 = 0.3 -> 3000, 6000, 0. To 300.00 and 600.00: 3000 and 6000 exactly.
    """
    assert tandem.import_csv("plan", PLAN.encode()).ok
    tandem.scenario_ops.clone(Y, "baseline", "alt", "ann")
    tandem.scenario_ops.shift(Y, "alt", D("90.00"), BudgetFilter(owners=("marketing",)),
                              BudgetFilter(channels=("Field sales",)), "ann")
    return tandem


def test_spend_is_unchanged_by_a_shift(shifted):
    result = shifted.compare(Y, ["baseline", "alt"])
    assert result.names == ["baseline", "alt"] and result.base == "baseline"
    spend = result.totals()["spend"]
    assert spend == {"baseline": TOTAL, "alt": TOTAL}
    assert delta(spend["baseline"], spend["alt"]) == Delta(D("0.00"), D("0.0"))
    assert set(result.totals()) == set(METRICS)


def test_allocation_by_channel_and_owner_shows_the_shifted_amount(shifted):
    result = shifted.compare(Y, ["baseline", "alt"])
    assert result.allocation["channel"] == [
        ("Field sales", {"baseline": D("900.00"), "alt": D("990.00")}),
        ("Paid search", {"baseline": D("300.00"), "alt": D("210.00")}),
        ("Partners", {"baseline": D("50.00"), "alt": D("50.00")}),
        ("Trade shows", {"baseline": D("0.01"), "alt": D("0.01")}),
    ]
    assert result.allocation["owner"] == [
        ("joint", {"baseline": D("50.00"), "alt": D("50.00")}),
        ("marketing", {"baseline": D("300.01"), "alt": D("210.01")}),
        ("sales", {"baseline": D("900.00"), "alt": D("990.00")}),
    ]
    assert result.allocation["region"] == [
        ("EMEA", {"baseline": D("650.01"), "alt": D("590.01")}),
        ("North America", {"baseline": D("600.00"), "alt": D("660.00")}),
    ]
    assert set(result.allocation) == {"owner", "funnel_stage", "category", "channel", "region"}


def test_differences_list_the_changed_lines_largest_first(shifted):
    result = shifted.compare(Y, ["baseline", "alt"])
    assert result.differences["alt"] == [
        LineDifference("marketing", "Programs", "awareness", "Paid search", "EMEA",
                       date(2026, 2, 1), D("200.00"), D("140.00"), D("-60.00")),
        LineDifference("sales", "Headcount", "purchase", "Field sales", "North America",
                       date(2026, 2, 1), D("600.00"), D("660.00"), D("60.00")),
        LineDifference("marketing", "Programs", "awareness", "Paid search", "EMEA",
                       date(2026, 1, 1), D("100.00"), D("70.00"), D("-30.00")),
        LineDifference("sales", "Travel", "purchase", "Field sales", "EMEA",
                       date(2026, 1, 1), D("300.00"), D("330.00"), D("30.00")),
    ]
    assert result.different_lines == {"alt": 4}


def test_a_line_of_only_one_scenario_differs_from_zero(shifted):
    extra = HEADER + "\n2026,joint,Tools,advocacy,Partners,APAC,2026-12,75.50,\n"
    assert shifted.import_csv("plan", extra.encode(), scenario="alt").ok
    result = shifted.compare(Y, ["baseline", "alt"])
    assert result.differences["alt"][0] == LineDifference(
        "joint", "Tools", "advocacy", "Partners", "APAC", date(2026, 12, 1), D("0"), D("75.50"),
        D("75.50"))
    assert result.different_lines == {"alt": 5}
    assert result.totals()["spend"] == {"baseline": TOTAL, "alt": D("1325.51")}


def test_top_limits_the_listed_lines_not_the_count(shifted):
    result = compare(shifted.store, Y, ["baseline", "alt"], top=2)
    assert [d.difference for d in result.differences["alt"]] == [D("-60.00"), D("60.00")]
    assert result.different_lines == {"alt": 4}


def test_identical_scenarios_have_no_difference(shifted):
    shifted.scenario_ops.clone(Y, "baseline", "same", "ann")
    result = shifted.compare(Y, ["baseline", "same", "alt"])
    assert result.names == ["baseline", "same", "alt"]
    assert result.differences["same"] == []
    assert result.different_lines == {"same": 0, "alt": 4}
    totals = result.totals()
    assert totals["spend"] == {"baseline": TOTAL, "same": TOTAL, "alt": TOTAL}
    # Without history nothing is projected: no leads and no CAC (n/a) in every scenario.
    assert totals["leads"] == {"baseline": D("0"), "same": D("0"), "alt": D("0")}
    assert totals["cac"] == {"baseline": None, "same": None, "alt": None}
    assert delta(totals["cac"]["baseline"], totals["cac"]["alt"]) == Delta(None, None)


def test_by_period_sums_the_months_of_each_quarter(shifted):
    by_month = shifted.compare(Y, ["baseline", "alt"]).by_period("spend", "month")
    assert by_month == {
        "2026-01": {"baseline": D("400.00"), "alt": D("400.00")},
        "2026-02": {"baseline": D("800.00"), "alt": D("800.00")},
        "2026-03": {"baseline": D("0.01"), "alt": D("0.01")},
        "2026-10": {"baseline": D("50.00"), "alt": D("50.00")},
    }


def test_by_period_puts_each_month_in_its_fiscal_quarter(shifted):
    quarters = shifted.compare(Y, ["baseline", "alt"]).by_period("spend")
    assert quarters == {"Q1": {"baseline": D("1200.01"), "alt": D("1200.01")},
                        "Q4": {"baseline": D("50.00"), "alt": D("50.00")}}


@pytest.mark.parametrize("names", [
    ["baseline"],
    ["baseline", "baseline"],
    [" baseline", "baseline "],
    ["baseline", "alt", "b", "c", "d"],
])
def test_one_or_five_scenarios_are_refused(shifted, names):
    for name in ("b", "c", "d"):
        shifted.scenario_ops.clone(Y, "baseline", name, "ann")
    with pytest.raises(Refused, match="^compare 2 to 4 different scenarios$"):
        shifted.compare(Y, names)


def test_four_scenarios_are_accepted_and_unknown_ones_refused(shifted):
    for name in ("b", "c"):
        shifted.scenario_ops.clone(Y, "baseline", name, "ann")
    assert shifted.compare(Y, ["alt", "baseline", "b", "c"]).different_lines == {
        "baseline": 4, "b": 4, "c": 4}
    with pytest.raises(Refused, match="there is no scenario 'zz' in fiscal year 2026"):
        shifted.compare(Y, ["baseline", "zz"])


@pytest.mark.parametrize(("base", "other", "expected"), [
    (D("0"), D("5.00"), Delta(D("5.00"), None)),
    (D("0.00"), D("0.00"), Delta(D("0.00"), None)),
    (D("200.00"), D("150.00"), Delta(D("-50.00"), D("-25.0"))),
    (D("3"), D("4"), Delta(D("1"), D("33.3"))),
    (D("-200"), D("-100"), Delta(D("100"), D("50.0"))),
    (None, D("1"), Delta(None, None)),
    (D("1"), None, Delta(None, None)),
])
def test_delta(base, other, expected):
    assert delta(base, other) == expected
