"""The shared rewards: the payout curve, the plan an executive sets, and the factor.

The small data set (fiscal year 2026, January start):
  actuals   2026-01 1200.00, 2026-02 -100.00 (a credit note): spend 1100
  outcomes  2026-01: leads 40, mqls 20, sqls 10, opportunities 8, wins 2, pipeline 20000,
            revenue 9000
  targets   the year: revenue 10000, pipeline 10000, win_rate 20%, cac 600, leads 100,
            budget_variance 0; 2026-Q1: revenue 9000 (a quarter's target: not the year's row)
Attainment of the year (the `tandem kpis` rows): revenue 9000/10000 = 0.9, pipeline 2.0,
win_rate 0.25/0.20 = 1.25, cac (lower is better) 600/550 = 1.090909, leads 40/100 = 0.4.
"""
from __future__ import annotations

import json
from decimal import Decimal as D

import pytest

from planning import access
from planning.errors import Refused
from planning.kpi_values import year_rows
from planning.people import People, Person
from planning.rewards import Curve, KpiPayout, factor, plan, set_plan, what_if
from planning.tandem import Tandem

Y = 2026
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
2026,pipeline,2026,10000.00
2026,win_rate,2026,20%
2026,cac,2026,600.00
2026,leads,2026,100
2026,budget_variance,2026,0
2026,revenue,2026-Q1,9000
"""
WEIGHTS = {"revenue": D(40), "win_rate": D(20), "pipeline": D(10), "cac": D(20), "leads": D(10)}
ERIN = Person("Erin Executive", "executive")


@pytest.fixture
def t(tandem: Tandem) -> Tandem:
    for kind, text in (("actuals", ACTUALS), ("outcomes", OUTCOMES), ("targets", TARGETS)):
        report = tandem.import_csv(kind, text.encode(), file_name=f"{kind}.csv")
        assert report.ok, report.problems
    return tandem


# -- the curve, by hand --------------------------------------------------------------------------
@pytest.mark.parametrize(("attainment", "payout"), [
    (None, D("0")),  # no value: nothing
    (D("0"), D("0")),
    (D("0.79"), D("0")),  # below the threshold
    (D("0.799999"), D("0")),
    (D("0.8"), D("0.5")),  # at the threshold: the floor
    (D("0.9"), D("0.75")),  # 0.5 + 0.5 × (0.9 - 0.8) / (1 - 0.8)
    (D("0.95"), D("0.875")),  # 0.5 + 0.5 × 0.15 / 0.2
    (D("0.999999"), D("1.0000")),  # 0.5 + 0.5 × 0.199999 / 0.2 = 0.9999975, to 4 places
    (D("1"), D("1")),  # at target: 1
    (D("1.2"), D("1.2")),  # above it: the attainment
    (D("1.5"), D("1.5")),  # at the cap
    (D("2.0"), D("1.5")),  # above the cap: the cap
])
def test_the_default_curve(attainment, payout):
    assert Curve().payout(attainment) == payout
    assert Curve().payout(attainment).as_tuple().exponent == -4


def test_a_curve_of_its_own_and_rounding_to_four_places_half_up():
    curve = Curve(D("0.7"), D("0.4"), D("1.2"))
    assert curve.payout(D("0.6999")) == 0
    assert curve.payout(D("0.7")) == D("0.4")
    assert curve.payout(D("0.8")) == D("0.6")  # 0.4 + 0.6 × 0.1 / 0.3
    assert curve.payout(D("1.3")) == D("1.2")
    # 0.5 + 0.5 × (0.8 - 0.7) / 0.3 = 0.666666...
    assert Curve(D("0.7"), D("0.5")).payout(D("0.8")) == D("0.6667")
    assert Curve().payout(D("1.00005")) == D("1.0001")  # half up, not to even
    assert Curve().payout(D("1.00015")) == D("1.0002")
    # A floor of 0 starts the climb from nothing; a floor of 1 pays in full from the threshold.
    assert Curve(D("0.8"), D("0")).payout(D("0.9")) == D("0.5")
    assert Curve(D("0.8"), D("1")).payout(D("0.85")) == D("1")


def test_the_curve_points_to_draw():
    assert Curve().points() == [(0, 0), (D("0.8"), 0), (D("0.8"), D("0.5")), (1, 1),
                                (D("1.5"), D("1.5")), (D("1.7"), D("1.5"))]
    assert Curve().points(D("2.4"))[-1] == (D("2.4"), D("1.5"))


# -- the plan ----------------------------------------------------------------------------------
def test_setting_a_plan_keeps_it_and_audits_it(t):
    assert plan(t.store, Y) is None
    made = set_plan(t.store, ERIN, Y, WEIGHTS)
    assert list(made.weights) == ["revenue", "pipeline", "leads", "win_rate", "cac"]  # KPI order
    assert made.weights == WEIGHTS and made.curve == Curve(D("0.8"), D("0.5"), D("1.5"))
    assert made.set_by == ERIN.name and made.set_at is not None
    entry = t.store.query("SELECT actor, action, entity, before, after FROM audit_log"
                          " ORDER BY seq DESC LIMIT 1")[0]
    assert entry[:4] == (ERIN.name, "set rewards", "rewards 2026", None)
    assert json.loads(entry[4]) == {
        "weights": {"revenue": "40", "pipeline": "10", "leads": "10", "win_rate": "20",
                    "cac": "20"}, "threshold": "0.8", "floor": "0.5", "cap": "1.5"}
    # The curve alone changes; the weights stay. Then the weights alone; the curve stays.
    set_plan(t.store, ERIN, Y, threshold=D("0.75"), cap=D("2"))
    assert plan(t.store, Y).curve == Curve(D("0.75"), D("0.5"), D("2"))
    assert plan(t.store, Y).weights == WEIGHTS
    set_plan(t.store, ERIN, Y, {"Revenue ": D("50"), "win_rate": D("50")})
    assert plan(t.store, Y).weights == {"revenue": D(50), "win_rate": D(50)}
    assert plan(t.store, Y).curve == Curve(D("0.75"), D("0.5"), D("2"))
    before = json.loads(t.store.scalar("SELECT before FROM audit_log ORDER BY seq DESC LIMIT 1"))
    assert before["threshold"] == "0.7500" and before["cap"] == "2.0000"
    assert t.store.scalar("SELECT count(*) FROM audit_log WHERE action = 'set rewards'") == 3


@pytest.mark.parametrize(("weights", "curve", "message"), [
    ({"revenue": D(40), "pipeline": D(40)}, {}, "the weights add up to 80, not 100"),
    ({"revenue": D(60), "pipeline": D(50)}, {}, "the weights add up to 110, not 100"),
    ({"revenue": D(100), "pipeline": D(0)}, {}, "the weight of pipeline must be above 0, not 0"),
    ({"revenue": D(110), "pipeline": D(-10)}, {},
     "the weight of pipeline must be above 0, not -10"),
    ({"revenue": D("99.995"), "pipeline": D("0.005")}, {},
     "the weight of revenue has at most 2 decimals, not 99.995"),
    ({"revenue": D(50), "happiness": D(50)}, {}, "'happiness' is not a KPI (choose from revenue,"),
    ({"revenue": D(50), "budget_variance": D(50)}, {},
     "budget_variance has no attainment (it is judged by its distance from its target)"),
    ({}, {}, "give the KPIs the rewards are paid on with their weights in percent"),
    (WEIGHTS, {"threshold": D("1")}, "the threshold is the attainment from which a KPI pays,"
                                     " above 0 and below 1 (0.8 is 80% of target), not 1"),
    (WEIGHTS, {"threshold": D("0")}, "the threshold is the attainment"),
    (WEIGHTS, {"floor": D("1.1")}, "the floor is what a KPI pays at the threshold, from 0 to 1"),
    (WEIGHTS, {"floor": D("-0.1")}, "the floor is what a KPI pays at the threshold"),
    (WEIGHTS, {"cap": D("0.99")}, "the cap is the most a KPI pays, 1 or more (1.5 is 150%),"
                                  " not 0.99"),
    (WEIGHTS, {"threshold": D("0.12345")}, "the threshold is a number with at most 4 decimals"),
])
def test_bad_plans_are_refused_and_nothing_is_written(t, snapshot, weights, curve, message):
    before = snapshot(t.store)
    with pytest.raises(Refused) as refused:
        set_plan(t.store, ERIN, Y, weights, **curve)
    assert message in str(refused.value)
    assert snapshot(t.store) == before


def test_every_problem_is_named_at_once(t):
    with pytest.raises(Refused) as refused:
        set_plan(t.store, ERIN, Y, {"revenue": D(40), "nps": D(10)}, floor=D(2), cap=D(0))
    assert str(refused.value).split("; ") == [
        "'nps' is not a KPI (choose from revenue, pipeline, leads, mqls, sqls, opportunities,"
        " wins, win_rate, lead_to_win, spend, cac, roi, marketing_sourced_share,"
        " retention_rate)",
        "the weights add up to 50, not 100",
        "the floor is what a KPI pays at the threshold, from 0 to 1 (0.5 pays half), not 2",
        "the cap is the most a KPI pays, 1 or more (1.5 is 150%), not 0"]


def test_a_new_plan_needs_its_weights(t):
    with pytest.raises(Refused, match="fiscal year 2026 has no rewards plan yet: give its"
                                      " weights, e.g. revenue=40"):
        set_plan(t.store, ERIN, Y, threshold=D("0.7"))


def test_only_an_executive_sets_the_rewards(t, snapshot):
    people = People(t.store)
    people.add("Sofia Sales", "sales_head", "password-2026", actor="setup")
    before = snapshot(t.store)
    with pytest.raises(Refused) as refused:
        set_plan(t.store, people.get("Sofia Sales"), Y, WEIGHTS)
    assert str(refused.value) == ("Sofia Sales (sales head) may not set the shared rewards; that"
                                  " is for: administrator, executive")
    assert snapshot(t.store) == before
    assert access.ROLES_FOR["set_rewards"] == {"executive", "administrator"}


# -- the factor ----------------------------------------------------------------------------------
def test_the_factor_by_hand(t):
    set_plan(t.store, ERIN, Y, WEIGHTS)
    found = factor(t.store, Y)
    assert [(k.kpi, k.weight, k.attainment, k.payout) for k in found.kpis] == [
        ("revenue", D(40), D("0.9"), D("0.75")),  # 0.5 + 0.5 × 0.1 / 0.2
        ("pipeline", D(10), D("2"), D("1.5")),  # capped
        ("leads", D(10), D("0.4"), D("0")),  # below the threshold
        ("win_rate", D(20), D("1.25"), D("1.25")),
        ("cac", D(20), D("1.090909"), D("1.0909")),  # 600 / 550, lower is better
    ]
    # 0.4 × 0.75 + 0.1 × 1.5 + 0.1 × 0 + 0.2 × 1.25 + 0.2 × 1.0909 = 0.91818 → 0.9182
    assert found.payout == D("0.9182")
    assert found.kpis[0].contribution == D("0.3")
    # One definition: the attainment is the year's row of `tandem kpis` (not the quarter's).
    rows = {r.kpi: r for r in year_rows(t.store, Y)}
    assert all(k.attainment == rows[k.kpi].attainment for k in found.kpis)


def test_what_if(t):
    set_plan(t.store, ERIN, Y, WEIGHTS)
    found = factor(t.store, Y)
    # "If revenue reaches 100% of target": 0.4 × 1 instead of 0.4 × 0.75.
    assert found.what_if("revenue", D("1")) == D("1.0182")
    assert what_if(t.store, Y, "revenue", D("1")) == D("1.0182")
    assert found.what_if("revenue", D("0.79")) == D("0.6182")  # below the threshold: 0
    assert found.what_if("revenue", None) == D("0.6182")
    assert found.what_if("leads", D("0.8")) == D("0.9682")  # + 0.1 × the floor
    assert found.what_if("pipeline", D("5")) == D("0.9182")  # capped already
    assert found.what_if("win_rate", D("1.25")) == found.payout
    with pytest.raises(Refused, match="roi is not one of the KPIs the rewards of 2026 are paid"
                                      " on"):
        found.what_if("roi", D("1"))


def test_a_kpi_without_a_target_pays_nothing(t):
    set_plan(t.store, ERIN, Y, {"revenue": D(50), "retention_rate": D(50)})
    found = factor(t.store, Y)
    assert found.kpis[1] == KpiPayout("retention_rate", D(50), None, D("0"), D("0.75"), None)
    assert found.payout == D("0.3750")  # 0.5 × 0.75


def test_no_plan_no_factor(t):
    with pytest.raises(Refused, match="no rewards plan is set for fiscal year 2026; an executive"
                                      " sets one"):
        factor(t.store, Y)


def test_each_year_has_its_own_plan(t):
    set_plan(t.store, ERIN, Y, WEIGHTS)
    set_plan(t.store, ERIN, 2027, {"revenue": D(100)}, floor=D("0.25"))
    assert plan(t.store, Y).weights == WEIGHTS
    assert plan(t.store, 2027).weights == {"revenue": D(100)}
    assert plan(t.store, 2027).curve.floor == D("0.25")
    assert factor(t.store, 2027).payout == D("0")  # no outcome in 2027


def test_the_demo_firm_is_paid_on_four_kpis(demo):
    """The demo's executive set FY2026's plan: revenue 40, pipeline 20, win_rate 20, cac 20 on
    the default curve. Part way through the year, revenue (76.1% of its annual target) and
    pipeline (76.2%) are below the threshold and pay nothing; win rate 1.005544 pays 1.0055;
    CAC 0.966597 pays 0.5 + 0.5 × 0.166597 / 0.2 = 0.9164925 → 0.9165. The factor:
    0.2 × 1.0055 + 0.2 × 0.9165 = 0.3844; with revenue at target it would be 0.7844."""
    found = plan(demo.store, Y)
    assert (found.weights, found.curve, found.set_by) == (
        {"revenue": D(40), "pipeline": D(20), "win_rate": D(20), "cac": D(20)}, Curve(),
        "Erin Executive")
    paid = factor(demo.store, Y)
    assert [(k.kpi, k.attainment, k.payout) for k in paid.kpis] == [
        ("revenue", D("0.760572"), D("0")), ("pipeline", D("0.761795"), D("0")),
        ("win_rate", D("1.005544"), D("1.0055")), ("cac", D("0.966597"), D("0.9165"))]
    assert paid.payout == D("0.3844")
    assert paid.what_if("revenue", D("1")) == D("0.7844")
