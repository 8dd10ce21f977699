"""The funnel projection on a tiny firm whose history and plan are small enough to do by hand.

History (months with both actuals and outcomes: 2026-01 and 2026-02; 2026-03 has outcomes only and
2026-04 actuals only, so neither counts):

    top-of-funnel spend (awareness + consideration actuals): Paid search 3000 + 1000 = 4000,
    Webinars 2000 (the 5000 purchase-stage actual does not buy leads)
    outcomes: Paid search 50 + 30 leads, Webinars 20 leads: 100 leads, 40 MQLs, 20 SQLs,
    10 opportunities, 4 wins, pipeline 120000.00, revenue 40000.00

    cost per lead: firm-wide 6000 / 100 = 60, Paid search 4000 / 80 = 50, Webinars 2000 / 20 = 100
    rates: 40/100 = 0.4, 20/40 = 0.5, 10/20 = 0.5, 4/10 = 0.4
    deal size 40000 / 4 = 10000, pipeline per opportunity 120000 / 10 = 12000

Plan: July spends 5000 on Paid search (awareness), 3000 on Webinars (consideration) and 2000 on
Field sales (purchase); August 1200 on Trade shows (awareness, no history: the firm-wide CPL) and
800 on Field sales (purchase).

    July:   leads 5000/50 + 3000/100 = 130, MQLs 52, SQLs 26, opportunities 13, wins 5.2,
            pipeline 13 x 12000 = 156000, revenue 5.2 x 10000 = 52000, spend 10000,
            CAC 10000 / 5.2 = 1923.08, ROI (52000 - 10000) / 10000 = 4.2
    August: leads 1200/60 = 20, MQLs 8, SQLs 4, opportunities 2, wins 0.8, pipeline 24000,
            revenue 8000, spend 2000, CAC 2000 / 0.8 = 2500, ROI (8000 - 2000) / 2000 = 3
    Year:   leads 150, wins 6, pipeline 180000, revenue 60000, spend 12000, CAC 2000, ROI 4
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from planning import audit
from planning.budget import BudgetFilter
from planning.errors import Refused
from planning.projection import Assumption, Funnel
from planning.tandem import Tandem
from tests.conftest import sign_off_everything

D = Decimal
Y = 2026
HISTORY = "history 2026-01…2026-02"
ACTUALS = """owner,category,funnel_stage,channel,region,month,amount
marketing,Programs,awareness,Paid search,EMEA,2026-01,3000.00
marketing,Programs,consideration,Paid search,EMEA,2026-02,1000.00
marketing,Events,awareness,Webinars,EMEA,2026-01,2000.00
sales,Travel,purchase,Webinars,EMEA,2026-02,5000.00
marketing,Programs,awareness,Paid search,EMEA,2026-04,50000.00
"""
OUTCOMES = """month,region,channel,sourced_by,leads,mqls,sqls,opportunities,wins,pipeline,revenue
2026-01,EMEA,Paid search,marketing,50,20,10,5,2,60000.00,20000.00
2026-02,EMEA,Paid search,marketing,30,12,6,3,1,36000.00,10000.00
2026-01,EMEA,Webinars,marketing,20,8,4,2,1,24000.00,10000.00
2026-03,EMEA,Paid search,marketing,1000,1,1,1,1,1.00,1.00
"""
PLAN = """fiscal_year,owner,category,funnel_stage,channel,region,month,amount
2026,marketing,Programs,awareness,Paid search,EMEA,2026-07,5000.00
2026,marketing,Events,consideration,Webinars,EMEA,2026-07,3000.00
2026,sales,Travel,purchase,Field sales,EMEA,2026-07,2000.00
2026,marketing,Programs,awareness,Trade shows,EMEA,2026-08,1200.00
2026,sales,Headcount,purchase,Field sales,EMEA,2026-08,800.00
"""
JULY, AUGUST = date(2026, 7, 1), date(2026, 8, 1)


@pytest.fixture
def firm(tandem: Tandem) -> Tandem:
    for kind, text in (("actuals", ACTUALS), ("outcomes", OUTCOMES), ("plan", PLAN)):
        report = tandem.import_csv(kind, text.encode(), actor="importer")
        assert report.ok, report.problems
    return tandem


def values(projection) -> dict[tuple[str, str], Decimal | None]:
    return {(a.name, a.channel): a.value for a in projection.assumptions}


def funnel(f: Funnel) -> tuple:
    return (f.spend, f.leads, f.mqls, f.sqls, f.opportunities, f.wins, f.pipeline, f.revenue,
            f.cac, f.roi)


def test_default_assumptions_come_from_the_months_with_both_actuals_and_outcomes(firm):
    projection = firm.project(Y, "baseline")
    assert projection.history_months == [date(2026, 1, 1), date(2026, 2, 1)]
    assert projection.assumptions == [
        Assumption("cost_per_lead", "", D("60"), "marketing", HISTORY, D("60")),
        Assumption("cost_per_lead", "Paid search", D("50"), "marketing", HISTORY, D("50")),
        Assumption("cost_per_lead", "Webinars", D("100"), "marketing", HISTORY, D("100")),
        Assumption("lead_spend_share", "", D("1"), "marketing",
                   "default: the cost per lead already counts all top-of-funnel spend", D("1")),
        Assumption("lead_to_mql", "", D("0.4"), "marketing", HISTORY, D("0.4")),
        Assumption("mql_to_sql", "", D("0.5"), "joint", HISTORY, D("0.5")),
        Assumption("sql_to_opportunity", "", D("0.5"), "sales", HISTORY, D("0.5")),
        Assumption("opportunity_to_win", "", D("0.4"), "sales", HISTORY, D("0.4")),
        Assumption("deal_size", "", D("10000"), "sales", HISTORY, D("10000")),
        Assumption("pipeline_per_opportunity", "", D("12000"), "sales", HISTORY, D("12000")),
    ]
    assert [a.label for a in projection.assumptions[:3]] == [
        "Cost per lead", "Cost per lead · Paid search", "Cost per lead · Webinars"]
    for assumption in projection.assumptions:
        assert isinstance(assumption.value, Decimal)


def test_rates_are_ratios_rounded_to_six_places(tandem):
    outcomes = ("month,region,channel,sourced_by,leads,mqls,sqls,opportunities,wins,pipeline,"
                "revenue\n2026-01,EMEA,Webinars,marketing,3,1,1,3,2,100.00,10.00\n")
    actuals = ("owner,category,funnel_stage,channel,region,month,amount\n"
               "marketing,Events,awareness,Webinars,EMEA,2026-01,100.00\n")
    assert tandem.import_csv("outcomes", outcomes.encode()).ok
    assert tandem.import_csv("actuals", actuals.encode()).ok
    assert tandem.import_csv("plan", PLAN.encode()).ok
    found = values(tandem.project(Y, "baseline"))
    assert found[("cost_per_lead", "")] == D("33.333333")  # 100 / 3
    assert found[("lead_to_mql", "")] == D("0.333333")  # 1 / 3
    assert found[("sql_to_opportunity", "")] == D("3")  # 3 / 1: a ratio, not capped
    assert found[("opportunity_to_win", "")] == D("0.666667")  # 2 / 3, half-even
    assert found[("deal_size", "")] == D("5")
    assert found[("pipeline_per_opportunity", "")] == D("33.333333")


def test_projection_of_the_plan_by_hand(firm):
    projection = firm.project(Y, "baseline")
    assert projection.scenario == "baseline"
    assert list(projection.months) == [JULY, AUGUST]
    assert funnel(projection.months[JULY]) == (
        D("10000.00"), D("130"), D("52"), D("26"), D("13"), D("5.2"), D("156000.00"),
        D("52000.00"), D("1923.08"), D("4.2"))
    assert funnel(projection.months[AUGUST]) == (
        D("2000.00"), D("20"), D("8"), D("4"), D("2"), D("0.8"), D("24000.00"), D("8000.00"),
        D("2500.00"), D("3"))
    assert funnel(projection.total) == (
        D("12000.00"), D("150"), D("60"), D("30"), D("15"), D("6"), D("180000.00"),
        D("60000.00"), D("2000.00"), D("4"))
    total = projection.total
    assert total.cac == total.cac.quantize(D("0.01")) and str(total.cac) == "2000.00"
    assert str(total.roi) == "4.000000"
    assert str(projection.months[JULY].pipeline) == "156000.00"


def test_the_projection_follows_the_scenario(firm):
    ops = firm.scenario_ops
    ops.clone(Y, "baseline", "more search", "ann")
    # 2000.00 from Field sales (no leads) to Paid search in July: 40 more leads at a CPL of 50.
    ops.shift(Y, "more search", D("2000.00"), BudgetFilter(channels=("Field sales",)),
              BudgetFilter(channels=("Paid search",)), "ann")
    total = firm.project(Y, "more search").total
    assert funnel(total) == (D("12000.00"), D("190"), D("76"), D("38"), D("19"), D("7.6"),
                             D("228000.00"), D("76000.00"), D("1578.95"), D("5.333333"))
    assert firm.project(Y, "baseline").total.leads == D("150")


def test_an_override_is_applied_and_names_who_and_why(firm):
    firm.set_assumption(Y, "baseline", "cost_per_lead", D("40"), "ann",
                        "  agency deal for Q3  ", channel="Paid search")
    projection = firm.project(Y, "baseline")
    cpl = {(a.name, a.channel): a for a in projection.assumptions}[("cost_per_lead",
                                                                      "Paid search")]
    assert (cpl.value, cpl.default, cpl.owner) == (D("40"), D("50"), "marketing")
    assert re.fullmatch(r"override by ann on \d{4}-\d{2}-\d{2}: agency deal for Q3", cpl.source)
    # July: 5000 / 40 + 3000 / 100 = 155 leads; August unchanged: 20.
    assert projection.months[JULY].leads == D("155")
    assert projection.total.leads == D("175")
    assert projection.total.wins == D("7")  # 175 x 0.4 x 0.5 x 0.5 x 0.4
    assert projection.total.revenue == D("70000.00")
    entry = firm.store.query("SELECT actor, action, entity, after, reason FROM audit_log"
                             " ORDER BY seq DESC LIMIT 1")
    assert entry == [("ann", "set assumption", "scenario baseline",
                      '{"channel":"Paid search","name":"cost_per_lead","value":"40"}',
                      "agency deal for Q3")]


def test_a_second_override_replaces_the_first(firm):
    firm.set_assumption(Y, "baseline", "opportunity_to_win", D("0.5"), "ann", "first")
    firm.set_assumption(Y, "baseline", "opportunity_to_win", D("0.2"), "bob", "second")
    found = {(a.name, a.channel): a for a in firm.project(Y, "baseline").assumptions}
    win = found[("opportunity_to_win", "")]
    assert (win.value, win.default) == (D("0.2"), D("0.4"))
    assert win.source.startswith("override by bob on ") and win.source.endswith(": second")
    assert firm.project(Y, "baseline").total.wins == D("3")  # 15 opportunities x 0.2
    assert firm.store.query("SELECT count(*) FROM assumptions") == [(1,)]


def test_clearing_an_override_goes_back_to_the_default(firm):
    before = firm.project(Y, "baseline")
    firm.set_assumption(Y, "baseline", "deal_size", D("12500"), "bob", "bigger deals")
    assert firm.project(Y, "baseline").total.revenue == D("75000.00")  # 6 wins x 12500
    firm.clear_assumption(Y, "baseline", "deal_size", "bob")
    after = firm.project(Y, "baseline")
    assert after.assumptions == before.assumptions
    assert funnel(after.total) == funnel(before.total)
    assert after.total.revenue == D("60000.00")
    assert firm.store.query("SELECT action FROM audit_log ORDER BY seq DESC LIMIT 2") == [
        ("clear assumption",), ("set assumption",)]
    assert audit.verify(firm.store).intact


def test_an_override_belongs_to_one_scenario(firm):
    firm.scenario_ops.clone(Y, "baseline", "cheap leads", "ann")
    firm.set_assumption(Y, "cheap leads", "cost_per_lead", D("30"), "ann", "what if")
    # Every channel without a CPL of its own (Trade shows) now uses 30: 1200 / 30 = 40 leads.
    assert firm.project(Y, "cheap leads").months[AUGUST].leads == D("40")
    assert firm.project(Y, "baseline").months[AUGUST].leads == D("20")


@pytest.mark.parametrize(("name", "value", "reason", "channel", "message"), [
    ("lead_to_mql", D("0.5"), "", "", "say why the assumption is overridden"),
    ("lead_to_mql", D("0.5"), "   ", "", "say why the assumption is overridden"),
    ("leads_per_dollar", D("0.5"), "why", "", "unknown assumption 'leads_per_dollar'"),
    ("lead_to_mql", D("0.5"), "why", "Webinars", "lead_to_mql is one figure for all channels"),
    ("lead_to_mql", D("-0.1"), "why", "", "Lead → MQL cannot be negative"),
    ("cost_per_lead", D("0"), "why", "Webinars", "Cost per lead must be more than zero"),
])
def test_a_bad_override_is_refused_and_writes_nothing(firm, snapshot, name, value, reason,
                                                      channel, message):
    before = snapshot(firm.store)
    with pytest.raises(Refused, match=message):
        firm.set_assumption(Y, "baseline", name, value, "ann", reason, channel)
    assert snapshot(firm.store) == before


def test_an_override_on_a_locked_scenario_is_refused(firm, snapshot):
    sign_off_everything(firm.store, Y, "baseline")
    firm.scenario_ops.lock(Y, "baseline", "ann")
    before = snapshot(firm.store)
    with pytest.raises(Refused, match="^scenario 'baseline' is locked; nothing in it can change$"):
        firm.set_assumption(Y, "baseline", "deal_size", D("1"), "ann", "why")
    with pytest.raises(Refused, match="^scenario 'baseline' is locked"):
        firm.clear_assumption(Y, "baseline", "deal_size", "ann")
    assert snapshot(firm.store) == before


def test_an_override_of_an_unknown_scenario_is_refused(firm):
    with pytest.raises(Refused, match="there is no scenario 'dream' in fiscal year 2026"):
        firm.set_assumption(Y, "dream", "deal_size", D("1"), "ann", "why")
    with pytest.raises(Refused, match="there is no scenario 'dream' in fiscal year 2026"):
        firm.project(Y, "dream")


def test_without_history_the_projection_has_no_leads_and_no_cac(tandem):
    assert tandem.import_csv("plan", PLAN.encode()).ok
    projection = tandem.project(Y, "baseline")
    assert projection.history_months == []
    found = values(projection)
    assert found[("cost_per_lead", "")] is None
    assert found[("lead_to_mql", "")] is None and found[("deal_size", "")] is None
    assert {a.source for a in projection.assumptions if a.name != "lead_spend_share"} == {
        "no history"}
    total = projection.total
    assert (total.spend, total.leads, total.wins, total.revenue) == (
        D("12000.00"), D("0"), D("0"), D("0"))
    assert total.cac is None  # no wins: n/a, not 0
    assert total.roi == D("-1")  # (0 - 12000) / 12000
    assert projection.months[JULY].cac is None


def test_an_empty_scenario_projects_nothing(firm):
    firm.scenario_ops.clone(Y, "baseline", "empty", "ann")
    firm.scenario_ops.scale(Y, "empty", D("-100"), BudgetFilter(), "ann")
    total = firm.project(Y, "empty").total
    assert (total.spend, total.leads, total.wins) == (D("0"), D("0"), D("0"))
    assert total.cac is None and total.roi is None  # no spend: ROI has no value either
