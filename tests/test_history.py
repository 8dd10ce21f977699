"""A line's history: every change with before and after, every sign-off and return, every
comment, read from the audit trail (planning.history)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from planning import audit
from planning.budget import BudgetFilter
from planning.demo import DEMO_PEOPLE
from planning.history import line_history
from planning.people import People
from planning.review import Review
from planning.scenarios import LineEdit
from planning.tandem import Tandem

D = Decimal
Y = 2026
HEADER = "fiscal_year,owner,category,funnel_stage,channel,region,month,amount,description\n"
PLAN = HEADER + (
    "2026,sales,Travel,purchase,Field sales,EMEA,2026-01,300.00,\n"
    "2026,marketing,Programs,awareness,Paid search,EMEA,2026-01,100.00,\n"
    "2026,joint,Tools,loyalty,Partners,EMEA,2026-01,50.00,\n")
CHANGED = HEADER + (
    "2026,sales,Travel,purchase,Field sales,EMEA,2026-01,300.00,\n"
    "2026,marketing,Programs,awareness,Paid search,EMEA,2026-01,120.00,Q1 push\n"
    "2026,joint,Tools,loyalty,Partners,EMEA,2026-01,50.00,\n")


@pytest.fixture
def t(tandem: Tandem) -> Tandem:
    assert tandem.import_csv("plan", PLAN.encode(), file_name="plan.csv", actor="Pat Planner").ok
    people = People(tandem.store)
    for name, role, department, password in DEMO_PEOPLE:
        people.add(name, role, password, department=department, actor="setup")
    return tandem


def ids(t: Tandem, scenario: str = "baseline") -> dict[str, int]:
    return dict(t.store.query("SELECT l.category, l.id FROM plan_lines l JOIN scenarios s"
                              " ON s.id = l.scenario_id WHERE s.name = ?", [scenario]))


def steps(events) -> list[tuple]:
    return [(e.actor, e.action, e.line_id, e.amount_before, e.amount_after, e.status_before,
             e.status_after) for e in events]


def test_an_import_that_changes_a_line_and_both_heads_sign_offs_are_in_its_history(t):
    """The issue's line 18: changed by an import, then signed off by both heads."""
    people = People(t.store)
    sofia, marco = people.get("Sofia Sales"), people.get("Marco Marketing")
    pat = people.get("Pat Planner")
    line = ids(t)["Programs"]
    assert t.import_csv("plan", CHANGED.encode(), file_name="march.csv", actor="Pat Planner").ok
    review = Review(t.store)
    review.submit(pat, Y, "baseline", BudgetFilter())
    review.sign(sofia, Y, "baseline", BudgetFilter(owners=("marketing",)))
    events = line_history(t.store, line)
    assert steps(events) == [
        ("Pat Planner", "import", line, None, D("100.00"), None, "draft"),
        ("Pat Planner", "import", line, D("100.00"), D("120.00"), "draft", "draft"),
        ("Pat Planner", "submit", line, D("120.00"), D("120.00"), "draft", "submitted"),
        ("Sofia Sales", "sign off", line, D("120.00"), D("120.00"), "submitted", "signed_off")]
    assert events[0].where == "baseline" and events[0].note == "from plan.csv"
    assert (events[1].where, events[1].note) == ("baseline", "from march.csv")
    assert (events[1].description_before, events[1].description_after) == (None, "Q1 push")
    assert events[1].changes() == ["amount 100.00 → 120.00", "description — → Q1 push"]
    assert events[3].changes() == ["status submitted → signed_off"]
    # A joint line: both heads' sign-offs, each with who signed.
    joint = ids(t)["Tools"]
    review.sign(marco, Y, "baseline", BudgetFilter(owners=("joint",)))
    review.sign(sofia, Y, "baseline", BudgetFilter(owners=("joint",)))
    assert [(e.actor, e.action, e.status_after) for e in line_history(t.store, joint)][-2:] == [
        ("Marco Marketing", "sign off", "submitted"), ("Sofia Sales", "sign off", "signed_off")]


def test_a_return_with_its_comment_and_the_thread_that_follows(t):
    people = People(t.store)
    review = Review(t.store)
    line = ids(t)["Travel"]
    review.submit(people.get("Sofia Sales"), Y, "baseline", BudgetFilter())
    review.return_lines(people.get("Marco Marketing"), Y, "baseline",
                        BudgetFilter(owners=("sales",)), "Travel is up 40% on last year")
    review.comment(people.get("Sofia Sales"), line, "Two new reps start in January")
    events = line_history(t.store, line)
    assert [(e.actor, e.action, e.status_after, e.note) for e in events[-2:]] == [
        ("Marco Marketing", "return", "returned", "Travel is up 40% on last year"),
        ("Sofia Sales", "comment", None, "Two new reps start in January")]


def test_edits_and_scenario_operations_show_each_lines_before_and_after(t):
    people = People(t.store)
    sofia = people.get("Sofia Sales")
    line = ids(t)["Travel"]
    ops = t.scenario_ops
    ops.scale(Y, "baseline", D("10"), BudgetFilter(owners=("sales",)), sofia)
    ops.edit_lines(Y, "baseline", [LineEdit(line, 2, D("333.33"), "Field trips")], sofia)
    ops.shift(Y, "baseline", D("33.33"), BudgetFilter(owners=("sales",)),
              BudgetFilter(owners=("joint",)), sofia)
    ops.lock_lines(Y, "baseline", BudgetFilter(owners=("sales",)), sofia)
    events = line_history(t.store, line)
    assert [(e.action, e.amount_before, e.amount_after) for e in events] == [
        ("import", None, D("300.00")), ("scale", D("300.00"), D("330.00")),
        ("edit line", D("330.00"), D("333.33")), ("shift", D("333.33"), D("300.00")),
        ("lock lines", D("300.00"), D("300.00"))]
    assert events[2].description_after == "Field trips"
    assert events[4].changes() == ["locked"]
    assert all(e.actor == "Sofia Sales" for e in events[1:])
    # A line an operation left alone has nothing of it.
    assert [e.action for e in line_history(t.store, ids(t)["Programs"])] == ["import"]


def test_a_copy_starts_with_the_history_of_the_line_it_copies(t):
    people = People(t.store)
    sofia = people.get("Sofia Sales")
    ops = t.scenario_ops
    source = ids(t)["Travel"]
    ops.scale(Y, "baseline", D("10"), BudgetFilter(owners=("sales",)), sofia)
    ops.clone(Y, "baseline", "Digital shift", "Erin Executive")
    ops.scale(Y, "baseline", D("10"), BudgetFilter(owners=("sales",)), sofia)  # not the copy's
    copy = ids(t, "Digital shift")["Travel"]
    ops.scale(Y, "Digital shift", D("-50"), BudgetFilter(owners=("sales",)), sofia)
    events = line_history(t.store, copy)
    assert [(e.action, e.line_id, e.where, e.amount_before, e.amount_after) for e in events] == [
        ("import", source, "baseline", None, D("300.00")),
        ("scale", source, "baseline", D("300.00"), D("330.00")),
        ("clone", copy, "Digital shift", None, D("330.00")),
        ("scale", copy, "Digital shift", D("330.00"), D("165.00"))]
    assert events[2].note == f"copied from line {source} of baseline"
    assert events[2].actor == "Erin Executive"


def test_the_line_rows_are_written_with_their_entry_and_the_trail_stays_intact(t):
    people = People(t.store)
    Review(t.store).submit(people.get("Sofia Sales"), Y, "baseline", BudgetFilter())
    seq = t.store.scalar("SELECT max(seq) FROM audit_log")
    assert t.store.query("SELECT count(*), min(seq), max(seq) FROM audit_lines") == [(2, seq, seq)]
    assert audit.verify(t.store).intact
    assert line_history(t.store, 10**9) == []
