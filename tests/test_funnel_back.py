"""The funnel worked backwards from revenue, by hand (planning.funnel_back); either store.

The firm below: outcomes in 2024-09 (outside the twelve months), 2025-03 and 2025-09; the
twelve months to the latest one (2024-10 to 2025-09) hold revenue 600,000, 15 wins, 60
opportunities, 100 SQLs and 250 MQLs:
  deal size 600,000 / 15 = 40,000.00; opportunity → win 15/60 = 0.25; SQL → opportunity
  60/100 = 0.6; MQL → SQL 100/250 = 0.4.
Revenue targets: 12,000,000 for 2026, 1,860,000 for January, 2,000,000 for February; the
other months take 12,000,000 ÷ 12 = 1,000,000.
  January: 1,860,000 / 40,000 = 46.5 → 47 wins; 47 / 0.25 = 188 opportunities;
           188 / 0.6 = 313.3 → 314 SQLs; 314 / 0.4 = 785 MQLs.
  February: 50 wins; 200 opportunities; 333.3 → 334 SQLs; 835 MQLs.
  Each other month: 25 wins; 100 opportunities; 166.7 → 167 SQLs; 417.5 → 418 MQLs.
  The year: 785 + 835 + 10 × 418 = 5,800 MQLs.
The plan: 10,000.00 of paid search awareness in January 2026. The projection's history (months
with spend and outcomes: 2025-03) costs 12,000 / 300 leads = 40.00 a lead, and turns 125 of 300
leads into MQLs (0.416667): January projects 250 leads × 0.416667 = 104.16675 → 104.2 MQLs.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from planning import agreements, audit
from planning.agreements import target
from planning.errors import Refused
from planning.funnel_back import funnel_back, write_mql_targets
from planning.kpi_values import targets
from planning.people import People, Person
from planning.store import Store
from planning.tandem import Tandem

D = Decimal
Y = 2026
SOFIA = Person("Sofia Sales", "sales_head")
MARCO = Person("Marco Marketing", "marketing_head")
ERIN = Person("Erin Executive", "executive")
PAT = Person("Pat Planner", "planner", "both")
OUTCOMES = """month,region,channel,sourced_by,leads,mqls,sqls,opportunities,wins,pipeline,revenue
2024-09,EMEA,Paid search,marketing,1000,100,100,100,1,0,1000000
2025-03,EMEA,Paid search,marketing,300,125,50,30,7,0,300000
2025-09,EMEA,Events,marketing,400,125,50,30,8,0,300000
"""
ACTUALS = """owner,category,funnel_stage,channel,region,month,amount
marketing,Programs,awareness,Paid search,EMEA,2025-03,12000.00
"""
PLAN = """fiscal_year,owner,category,funnel_stage,channel,region,month,amount
2026,marketing,Programs,awareness,Paid search,EMEA,2026-01,10000.00
"""
TARGETS = """fiscal_year,kpi,period,target
2026,revenue,2026,12000000
2026,revenue,2026-01,1860000
2026,revenue,2026-02,2000000
2026,mqls,2026-01,700
"""
NEEDED = [785, 835] + [418] * 10


@pytest.fixture
def t(store: Store) -> Tandem:
    people = People(store)
    for p in (SOFIA, MARCO, ERIN, PAT):
        people.add(p.name, p.role, "password-2026", department=p.department, actor="setup")
    tandem = Tandem(store)
    for kind, text in (("outcomes", OUTCOMES), ("actuals", ACTUALS), ("plan", PLAN),
                       ("targets", TARGETS)):
        assert tandem.import_csv(kind, text.encode(), file_name=f"{kind}.csv", actor="ops").ok
    return tandem


def test_the_inputs_come_from_the_last_twelve_months_with_their_owners(t):
    found = funnel_back(t.store, Y)
    assert found.scenario == "baseline"
    assert [(i.name, i.value, i.owner, i.source) for i in found.inputs] == [
        ("deal_size", D("40000.00"), "sales", "history 2024-10 to 2025-09"),
        ("opportunity_to_win", D("0.25"), "sales", "history 2024-10 to 2025-09"),
        ("sql_to_opportunity", D("0.6"), "sales", "history 2024-10 to 2025-09"),
        ("mql_to_sql", D("0.4"), "joint", "history 2024-10 to 2025-09")]


def test_each_month_needs_its_counts_rounded_up_beside_the_commitment_and_projection(t):
    agreements.propose_target(t.store, MARCO, Y, "mqls", "2026-02", "800")
    found = funnel_back(t.store, Y)
    jan, feb, mar = found.months[:3]
    assert (jan.revenue, jan.revenue_source, jan.wins, jan.opportunities, jan.sqls, jan.mqls) == (
        D("1860000"), "monthly target", 47, 188, 314, 785)
    assert (feb.wins, feb.opportunities, feb.sqls, feb.mqls) == (50, 200, 334, 835)
    assert (mar.revenue, mar.revenue_source, mar.wins, mar.opportunities, mar.sqls,
            mar.mqls) == (D("1000000.00"), "annual target ÷ 12", 25, 100, 167, 418)
    assert [m.mqls for m in found.months] == NEEDED
    assert found.total("mqls") == 5800 and found.total("wins") == 47 + 50 + 10 * 25
    # Marketing's commitment: January's target in force, February's proposal waiting.
    assert (jan.committed, jan.proposed, jan.shortfall) == (D("700"), None, 85)
    assert (feb.committed, feb.proposed, feb.shortfall) == (None, D("800"), None)
    # What the adopted plan's spend is projected to produce (only January has spend).
    assert jan.projected == D("104.2") and feb.projected is None


def test_an_owners_override_in_the_adopted_scenario_is_the_input(t):
    t.set_assumption(Y, "baseline", "mql_to_sql", D("0.5"), MARCO, "sales accepts more now")
    found = funnel_back(t.store, Y)
    given = found.input["mql_to_sql"]
    assert given.value == D("0.5") and given.owner == "joint"
    assert given.source.startswith("scenario baseline, override by Marco Marketing on ")
    assert given.source.endswith(": sales accepts more now")
    assert found.months[0].mqls == 628  # 314 SQLs / 0.5


def test_a_head_writes_the_needed_mqls_as_proposals_with_their_basis(t):
    before = targets(t.store, Y)
    done = write_mql_targets(t.store, MARCO, Y)
    assert len(done.proposed) == 12 and done.waiting_for == ("sales",)
    assert targets(t.store, Y) == before  # nothing in force changes until the sales head agrees
    waiting = {s.key.period: s.proposal for s in agreements.targets_standing(t.store, Y)
               if s.proposal is not None}
    assert [int(waiting[f"2026-{n:02d}"].value) for n in range(1, 13)] == NEEDED
    assert waiting["2026-01"].basis == (
        "Revenue target 1,860,000.00 (monthly target) ÷ Average deal size 40,000.00 = 47 wins;"
        " ÷ Opportunity → win 0.25 = 188 opportunities; ÷ SQL → opportunity 0.6 = 314 SQLs;"
        " ÷ MQL → SQL 0.4 = 785 MQLs, each rounded up. Inputs: Average deal size: history"
        " 2024-10 to 2025-09, owned by sales; Opportunity → win: history 2024-10 to 2025-09,"
        " owned by sales; SQL → opportunity: history 2024-10 to 2025-09, owned by sales;"
        " MQL → SQL: history 2024-10 to 2025-09, owned by joint.")
    entry = audit.entries(t.store, limit=1)[0]
    assert (entry.actor, entry.action, entry.entity) == ("Marco Marketing", "propose targets",
                                                         "targets FY2026")
    # The funnel now shows them as proposed; once the sales head agrees, they are the SLA's.
    assert funnel_back(t.store, Y).months[0].proposed == D("785")
    agreements.agree(t.store, SOFIA, [target(Y, "mqls", f"2026-{n:02d}") for n in range(1, 13)])
    after = targets(t.store, Y)
    assert [after[("mqls", f"2026-{n:02d}")] for n in range(1, 13)] == NEEDED
    record = next(s.record for s in agreements.targets_standing(t.store, Y)
                  if s.key == target(Y, "mqls", "2026-01"))
    assert record.basis.startswith("Revenue target 1,860,000.00 (monthly target)")
    assert funnel_back(t.store, Y).months[0].shortfall == 0
    # Written again, nothing changes: every month is in force as derived.
    with pytest.raises(Refused, match="^nothing to propose: MQLs 2026-01 is 785 already"):
        write_mql_targets(t.store, MARCO, Y)


def test_the_executive_writes_them_in_force_at_once_and_a_planner_may_not(t, snapshot):
    before = snapshot(t.store)
    with pytest.raises(Refused) as refused:
        write_mql_targets(t.store, PAT, Y)
    assert str(refused.value) == ("Pat Planner (planner, both) may not write the MQL targets the"
                                  " revenue target needs; that is for: administrator, executive,"
                                  " marketing head, sales head")
    assert snapshot(t.store) == before
    done = write_mql_targets(t.store, ERIN, Y, months=[date(2026, 1, 1), date(2026, 2, 1)])
    assert (len(done.in_force), done.proposed) == (2, ())
    found = targets(t.store, Y)
    assert (found[("mqls", "2026-01")], found[("mqls", "2026-02")]) == (D("785"), D("835"))
    assert ("mqls", "2026-03") not in found


def test_without_history_or_a_plan_the_counts_have_no_value(store):
    t = Tandem(store)
    assert t.import_csv("targets", b"fiscal_year,kpi,period,target\n2027,revenue,2027,1200\n",
                        file_name="t.csv", actor="ops").ok
    found = funnel_back(store, 2027)
    assert found.scenario is None and {i.value for i in found.inputs} == {None}
    assert found.input["deal_size"].source == ("no value: set it as an assumption of the adopted"
                                               " scenario")
    assert {(m.revenue, m.wins, m.mqls, m.projected) for m in found.months} == {
        (D("100.00"), None, None, None)}
    with pytest.raises(Refused, match="^no month has a needed MQL count to write: Average deal"
                                      " size, Opportunity → win, SQL → opportunity, MQL → SQL"
                                      " has no value$"):
        write_mql_targets(store, "ops", 2027)
