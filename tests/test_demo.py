"""The demo firm is loaded through the importer and is big enough to look like a real plan."""
from __future__ import annotations

from decimal import Decimal

import pytest

from planning import audit
from planning.demo import DEMO_DIR, DEMO_FIRM, DEMO_POOL, DEMO_YEAR, load_demo
from planning.errors import TandemError
from planning.imports import import_csv
from planning.model import FUNNEL_STAGES, OWNERS
from planning.review import Review
from planning.store import Store
from planning.tandem import Tandem

KINDS = ("plan", "actuals", "outcomes", "targets")


def rows_in(kind: str) -> int:
    lines = (DEMO_DIR / f"{kind}.csv").read_text(encoding="utf-8").splitlines()
    return len([line for line in lines[1:] if line.strip()])


def test_the_demo_is_loaded_through_the_importer(demo):
    log = demo.store.query("SELECT kind, file_name, scenario, rows_in_file, rows_added,"
                           " rows_updated, imported_by FROM imports ORDER BY id")
    pat = "Pat Planner"
    assert log == [
        ("plan", "plan.csv", "baseline", rows_in("plan"), rows_in("plan"), 0, pat),
        ("actuals", "actuals.csv", None, rows_in("actuals"), rows_in("actuals"), 0, pat),
        ("outcomes", "outcomes.csv", None, rows_in("outcomes"), rows_in("outcomes"), 0, pat),
        ("targets", "targets.csv", None, rows_in("targets"), rows_in("targets"), 0, pat),
        ("plan", "plan-revision-march.csv", "baseline", 5, 0, 5, pat),  # the March revision
    ]
    assert demo.firm_name == DEMO_FIRM == "Northwind Analytics"
    assert demo.currency == "USD"
    assert not demo.is_empty()


def test_the_demo_plan_is_realistic(demo):
    store = demo.store
    lines = store.scalar("SELECT count(*) FROM plan_lines")
    assert 2000 <= lines <= 10000
    assert {r[0] for r in store.query("SELECT DISTINCT funnel_stage FROM plan_lines")} == set(
        FUNNEL_STAGES)
    assert len(FUNNEL_STAGES) == 6
    assert {r[0] for r in store.query("SELECT DISTINCT owner FROM plan_lines")} == set(OWNERS)
    assert demo.fiscal_years() == [DEMO_YEAR] == [2026]
    assert {s.name: s.adopted for s in demo.scenarios(2026)} == {
        "baseline": True, "Digital shift": False}


def test_the_demo_pool_is_larger_than_what_is_allocated(demo):
    summary = demo.budget(DEMO_YEAR).summary()
    assert summary.pool == DEMO_POOL == Decimal("6250000.00")
    assert summary.allocated == summary.allocated_all
    assert Decimal(0) < summary.allocated < summary.pool
    assert summary.unallocated == summary.pool - summary.allocated > 0
    assert summary.lines == demo.store.scalar(
        "SELECT count(*) FROM plan_lines WHERE scenario_id = 1") == rows_in("plan")
    assert all(summary.by_owner[o] > 0 for o in OWNERS)
    assert sum(summary.by_owner.values()) == summary.allocated


def test_the_demo_has_every_kind_of_data(demo):
    store = demo.store
    assert store.scalar("SELECT count(*) FROM actuals") == rows_in("actuals") > 0
    assert store.scalar("SELECT count(*) FROM outcomes") == rows_in("outcomes") > 0
    assert store.scalar("SELECT count(DISTINCT sourced_by) FROM outcomes") == 3
    kpis = {r[0] for r in store.query("SELECT kpi FROM targets")}
    assert {"revenue", "pipeline", "spend"} <= kpis
    assert store.scalar("SELECT count(*) FROM targets WHERE period = '2026'") >= 10


@pytest.mark.parametrize("kind", KINDS)
def test_each_demo_file_is_clean(kind):
    report = import_csv(Store(), kind, DEMO_DIR / f"{kind}.csv", commit=False)
    assert report.ok, [str(p) for p in report.problems[:5]]
    assert report.added == report.rows == rows_in(kind)


def test_loading_the_demo_twice_adds_nothing(demo, snapshot):
    before = snapshot(demo.store, logs=False)
    load_demo(demo)
    assert snapshot(demo.store, logs=False) == before
    assert demo.store.scalar("SELECT count(*) FROM imports") == 5


def test_a_refused_demo_file_stops_the_loader(tmp_path):
    for kind in KINDS:
        (tmp_path / f"{kind}.csv").write_bytes((DEMO_DIR / f"{kind}.csv").read_bytes())
    (tmp_path / "outcomes.csv").write_text("month,region\n2026-13,EMEA\n", encoding="utf-8")
    tandem = Tandem(Store())
    with pytest.raises(TandemError, match="the demo file outcomes.csv was refused"):
        load_demo(tandem, tmp_path)


def test_the_demo_review_is_part_way_and_was_made_through_the_rules(demo):
    """The adopted plan: most lines signed off, one returned with a thread, a few waiting for
    each head; Digital shift: the alternative, all draft, with trade show money moved."""
    review = Review(demo.store)
    status = {(owner, state): lines for owner, state, lines, _amount
              in review.status(DEMO_YEAR, "baseline")}
    assert status == {("sales", "signed_off"): 1001, ("sales", "submitted"): 6,
                      ("sales", "returned"): 1, ("marketing", "signed_off"): 1244,
                      ("marketing", "submitted"): 4, ("joint", "signed_off"): 1006,
                      ("joint", "submitted"): 2}
    assert review.waiting(DEMO_YEAR, "baseline", "marketing") == 8
    assert review.waiting(DEMO_YEAR, "baseline", "sales") == 6
    (thread,) = review.open_threads(DEMO_YEAR, "baseline")
    assert thread[6:8] == ("returned", 3)
    assert [a for _i, _l, a, _b, _at in review.comments(thread[0])] == [
        "Marco Marketing", "Sofia Sales", "Marco Marketing"]
    # Every step is in the trail, by the person who took it, and the trail holds.
    steps = [(e.actor, e.action) for e in reversed(audit.entries(demo.store, limit=100))
             if e.action not in ("add person", "set pool") and not e.entity.startswith("person")]
    assert steps[:5] == [("Pat Planner", "import")] * 5
    assert steps[5:8] == [("Sofia Sales", "scale"), ("Marco Marketing", "clone"),
                          ("Marco Marketing", "shift")]
    assert ("Marco Marketing", "return") in steps and ("Sofia Sales", "comment") in steps
    assert audit.verify(demo.store).intact
    shift = {s.name: s for s in demo.scenarios(DEMO_YEAR)}["Digital shift"]
    assert shift.lines == rows_in("plan") and not shift.locked
    assert {r[0] for r in demo.store.query(
        "SELECT DISTINCT status FROM plan_lines l JOIN scenarios s ON s.id = l.scenario_id"
        " WHERE s.name = 'Digital shift'")} == {"draft"}
