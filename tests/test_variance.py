"""Variance explanations: which groups owe one, who explains, who accepts or questions.

Fiscal year 2026, January start; actuals run to 2026-01 (the as-of month).
  sales     Events   awareness Field       EMEA: plan 10,000.00, actual 16,000.00 (+6,000, 60%)
  marketing Programs awareness Paid search EMEA: plan 100,000.00, actual 94,000.00 (-6,000, 6%)
  joint     Tools    loyalty   Partners    APAC: no plan, actual 5,500.00 (unplanned)
Thresholds 10% and 5,000: sales EMEA Field and its total owe an explanation, and so do joint
Partners APAC and its total; marketing is within 10% and owes none.
"""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from planning.errors import Refused
from planning.people import People
from planning.store import Store
from planning.tandem import Tandem
from planning.variance import decide, explain, set_thresholds, thresholds, variances

PLAN = """fiscal_year,owner,category,funnel_stage,channel,region,month,amount
2026,sales,Events,awareness,Field,EMEA,2026-01,10000.00
2026,marketing,Programs,awareness,Paid search,EMEA,2026-01,100000.00
2026,marketing,Programs,awareness,Paid search,EMEA,2026-02,100000.00
"""
ACTUALS = """owner,category,funnel_stage,channel,region,month,amount
sales,Events,awareness,Field,EMEA,2026-01,16000.00
marketing,Programs,awareness,Paid search,EMEA,2026-01,94000.00
joint,Tools,loyalty,Partners,APAC,2026-01,5500.00
"""


@pytest.fixture
def firm(tmp_path):
    t = Tandem(Store(tmp_path / "variance.duckdb"))
    for kind, text in (("plan", PLAN), ("actuals", ACTUALS)):
        assert t.import_csv(kind, text.encode(), file_name=f"{kind}.csv").ok
    people = People(t.store)
    for name, role, department in (("Sofia Sales", "sales_head", None),
                                   ("Marco Marketing", "marketing_head", None),
                                   ("Pat Planner", "planner", "sales"),
                                   ("Erin Executive", "executive", None)):
        people.add(name, role, None, department=department)
    yield t, {p.name.split()[0].lower(): p for p in people.list()}
    t.close()


def owing(found) -> list[str]:
    return [g.describe() for g in found.groups if g.needs_explaining]


def test_which_groups_owe_an_explanation(firm):
    t, _ = firm
    found = variances(t.store, 2026)
    assert (found.as_of.isoformat(), found.share, found.amount) == ("2026-01-01", D("0.10"),
                                                                    D("5000.00"))
    assert owing(found) == ["joint in total", "joint Partners APAC", "sales in total",
                            "sales Field EMEA"]
    sales = next(g for g in found.groups if g.describe() == "sales Field EMEA")
    assert (sales.planned, sales.actual, sales.variance) == (D("10000.00"), D("16000.00"),
                                                             D("6000.00"))
    marketing = next(g for g in found.groups if g.describe() == "marketing in total")
    assert marketing.variance == D("-6000.00")  # February is open: its plan does not count
    assert marketing.state == "within thresholds"
    assert [g.state for g in found.needing("to explain")] == ["to explain"] * 4


def test_an_executive_sets_the_thresholds_audited(firm):
    t, who = firm
    set_thresholds(t.store, who["erin"], D("0.05"), D("1000.00"))
    assert thresholds(t.store) == (D("0.05"), D("1000.00"))
    assert "marketing in total" in owing(variances(t.store, 2026))
    entry = t.store.query("SELECT actor, action FROM audit_log ORDER BY seq DESC LIMIT 1")[0]
    assert entry == ("Erin Executive", "set variance thresholds")
    for person in (who["sofia"], who["pat"]):
        with pytest.raises(Refused, match="may not"):
            set_thresholds(t.store, person, D("0.5"), D("1.00"))
    with pytest.raises(Refused, match="a variance threshold is"):
        set_thresholds(t.store, who["erin"], D("0.1"), D("-1"))


def test_the_owner_explains_and_the_other_head_accepts(firm):
    t, who = firm
    explain(t.store, who["pat"], 2026, "sales", "Field", "EMEA", "timing",
            "Q2 event paid early")
    group = next(g for g in variances(t.store, 2026).groups if g.describe() == "sales Field EMEA")
    assert group.state == "awaiting acceptance"
    assert (group.explanation.explained_by, group.explanation.variance) == ("Pat Planner",
                                                                            D("6000.00"))
    with pytest.raises(Refused, match="may not accept their own department's explanation"):
        decide(t.store, who["sofia"], 2026, "sales", "Field", "EMEA", accept=True)
    with pytest.raises(Refused, match="may not accept or question"):
        decide(t.store, who["erin"], 2026, "sales", "Field", "EMEA", accept=True)
    decide(t.store, who["marco"], 2026, "sales", "Field", "EMEA", accept=True)
    group = next(g for g in variances(t.store, 2026).groups if g.describe() == "sales Field EMEA")
    assert group.state == "accepted" and group.explanation.decided_by == "Marco Marketing"
    with pytest.raises(Refused, match="explained and accepted already"):
        explain(t.store, who["sofia"], 2026, "sales", "Field", "EMEA", "price", "again")
    actions = [r[0] for r in t.store.query(
        "SELECT action FROM audit_log WHERE entity LIKE 'variance 2026 to 2026-01 %' ORDER BY seq")]
    assert actions == ["explain variance", "accept explanation"]


def test_a_question_opens_a_thread_and_the_owner_explains_again(firm):
    t, who = firm
    explain(t.store, who["sofia"], 2026, "sales", "", "", "volume", "More events than planned")
    with pytest.raises(Refused, match="a question needs a comment"):
        decide(t.store, who["marco"], 2026, "sales", "", "", accept=False)
    decide(t.store, who["marco"], 2026, "sales", "", "", accept=False,
           comment="Which events? None were in the plan.")
    group = next(g for g in variances(t.store, 2026).groups if g.describe() == "sales in total")
    assert group.state == "questioned"
    assert [c.text for c in group.explanation.thread] == ["Which events? None were in the plan."]
    explain(t.store, who["sofia"], 2026, "sales", "", "", "scope", "Two partner events added")
    group = next(g for g in variances(t.store, 2026).groups if g.describe() == "sales in total")
    assert (group.state, group.explanation.category) == ("awaiting acceptance", "scope")
    assert len(group.explanation.thread) == 1  # the thread stays


def test_a_joint_variance_is_decided_by_the_head_who_did_not_explain_it(firm):
    t, who = firm
    explain(t.store, who["marco"], 2026, "joint", "Partners", "APAC", "error",
            "Booked to joint by mistake")
    with pytest.raises(Refused, match="four eyes"):
        decide(t.store, who["marco"], 2026, "joint", "Partners", "APAC", accept=True)
    decide(t.store, who["sofia"], 2026, "joint", "Partners", "APAC", accept=True)


def test_only_the_owning_side_explains(firm):
    t, who = firm
    with pytest.raises(Refused, match="may not explain the variance of sales lines"):
        explain(t.store, who["marco"], 2026, "sales", "Field", "EMEA", "timing", "not mine")
    with pytest.raises(Refused, match="category is one of"):
        explain(t.store, who["sofia"], 2026, "sales", "Field", "EMEA", "weather", "rain")
    with pytest.raises(Refused, match="1 to 500 characters"):
        explain(t.store, who["sofia"], 2026, "sales", "Field", "EMEA", "timing", "  ")
    with pytest.raises(Refused, match="no explanation to decide on yet"):
        decide(t.store, who["marco"], 2026, "sales", "Field", "EMEA", accept=True)
    with pytest.raises(Refused, match="no closed-month spend or plan"):
        explain(t.store, who["sofia"], 2026, "sales", "Field", "LATAM", "timing", "none")
    assert t.store.scalar("SELECT count(*) FROM variance_explanations") == 0


def test_the_minutes_carry_explanations_and_decisions(firm):
    from datetime import datetime, timedelta

    from planning.audit import minutes

    t, who = firm
    explain(t.store, who["sofia"], 2026, "sales", "Field", "EMEA", "timing", "Q2 event paid early")
    decide(t.store, who["marco"], 2026, "sales", "Field", "EMEA", accept=False,
           comment="Which event?")
    now = datetime.now()
    text = minutes(t.store, now - timedelta(days=1), now + timedelta(days=1), scenario="baseline")
    assert "**Sofia Sales** explain variance (variance 2026 to 2026-01 sales Field EMEA)" in text
    assert "category timing, text Q2 event paid early" in text
    assert "**Marco Marketing** question explanation" in text and "comment Which event?" in text
