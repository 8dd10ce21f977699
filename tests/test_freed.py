"""Freed money: the closed months' underspend, released to the pool by an executive or both heads.

Fiscal year 2026, January start; actuals run to 2026-02.
  sales     Events   Field EMEA: plan 01 1000.00, 02 1000.00; actual 01 600.00, 02 1200.00
            -> frees 400.00 (January); February's overspend frees nothing
  marketing Programs Paid search EMEA: plan 01 500.00; actual 01 -50.00 (a credit note)
            -> frees 550.00
  joint     Tools Partners APAC: plan 02 300.00, no actual -> frees 300.00
  an actual with no plan line (sales Travel) frees nothing.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from planning.errors import Refused
from planning.freed import freed, release
from planning.people import People
from planning.store import Store
from planning.tandem import Tandem

PLAN = """fiscal_year,owner,category,funnel_stage,channel,region,month,amount
2026,sales,Events,awareness,Field,EMEA,2026-01,1000.00
2026,sales,Events,awareness,Field,EMEA,2026-02,1000.00
2026,sales,Events,awareness,Field,EMEA,2026-03,1000.00
2026,marketing,Programs,awareness,Paid search,EMEA,2026-01,500.00
2026,joint,Tools,loyalty,Partners,APAC,2026-02,300.00
"""
ACTUALS = """owner,category,funnel_stage,channel,region,month,amount
sales,Events,awareness,Field,EMEA,2026-01,600.00
sales,Events,awareness,Field,EMEA,2026-02,1200.00
marketing,Programs,awareness,Paid search,EMEA,2026-01,-50.00
sales,Travel,purchase,Field,EMEA,2026-02,75.00
"""


@pytest.fixture
def firm(tmp_path):
    t = Tandem(Store(tmp_path / "freed.duckdb"))
    for kind, text in (("plan", PLAN), ("actuals", ACTUALS)):
        assert t.import_csv(kind, text.encode(), file_name=f"{kind}.csv").ok
    people = People(t.store)
    for name, role in (("Sofia Sales", "sales_head"), ("Marco Marketing", "marketing_head"),
                       ("Erin Executive", "executive"), ("Pat Planner", "planner")):
        people.add(name, role, None, department="both" if role == "planner" else None)
    yield t, {p.name.split()[0].lower(): p for p in people.list()}
    t.close()


def test_what_the_closed_months_freed(firm):
    t, _ = firm
    state = freed(t.store, 2026)
    assert state.as_of == date(2026, 2, 1)
    assert state.freed == {"sales": D("400.00"), "marketing": D("550.00"), "joint": D("300.00")}
    assert state.total_to_release == D("1250.00") and state.total_released == 0
    # As of January, February is open: its lines free nothing yet.
    assert freed(t.store, 2026, date(2026, 1, 1)).freed["joint"] == 0


def test_joint_money_needs_both_heads_before_an_executive_release(firm):
    t, who = firm
    waiting = "needs both heads' approval; waiting for the sales and marketing head"
    with pytest.raises(Refused, match=waiting):
        release(t.store, who["erin"], 2026)
    after = release(t.store, who["sofia"], 2026)  # an approval, not yet a release
    assert after.approvals == {"sales": "Sofia Sales"} and not after.released_now
    with pytest.raises(Refused, match="approved this release for sales already"):
        release(t.store, who["sofia"], 2026)
    after = release(t.store, who["marco"], 2026)  # the second head: released
    assert after.released_now
    assert after.released == {"sales": D("400.00"), "marketing": D("550.00"),
                              "joint": D("300.00")}
    assert after.total_to_release == 0
    with pytest.raises(Refused, match="released already"):
        release(t.store, who["erin"], 2026)
    actions = [r[0] for r in t.store.query(
        "SELECT action FROM audit_log WHERE entity = 'freed money 2026 to 2026-02'"
        " ORDER BY seq")]
    assert actions == ["approve release", "approve release", "release freed money"]


def test_an_executive_releases_alone_when_no_joint_money_was_freed(firm):
    t, who = firm
    t.import_csv("actuals", b"owner,category,funnel_stage,channel,region,month,amount\n"
                 b"joint,Tools,loyalty,Partners,APAC,2026-02,300.00\n", file_name="j.csv")
    state = release(t.store, who["erin"], 2026)
    assert state.released == {"sales": D("400.00"), "marketing": D("550.00"), "joint": 0}


def test_a_later_month_releases_only_what_was_freed_since(firm):
    t, who = firm
    release(t.store, who["sofia"], 2026, date(2026, 1, 1))
    first = release(t.store, who["marco"], 2026, date(2026, 1, 1))
    assert first.released == {"sales": D("400.00"), "marketing": D("550.00"), "joint": 0}
    second = freed(t.store, 2026)  # to February: joint's line closed since
    assert second.to_release == {"sales": 0, "marketing": 0, "joint": D("300.00")}


def test_who_may_release(firm):
    t, who = firm
    with pytest.raises(Refused, match="may not release unspent money"):
        release(t.store, who["pat"], 2026)
    with pytest.raises(Refused, match="no month is closed yet"):
        release(t.store, who["erin"], 2025)
    assert t.store.scalar("SELECT count(*) FROM freed_releases") == 0
