"""Targets and the SLA's terms, set by both departments together (planning.agreements).

A head proposes, the other department's head agrees, and only then is a value in force; a
planner proposes for their department (both departments: both heads); an executive or the
administrator sets a value in force at once. Runs on either store (--store=postgres).
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from planning import agreements, audit
from planning.agreements import FIRST_TOUCH, target
from planning.errors import Refused
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
SAM = Person("Sam Seller", "planner", "sales")
VIC = Person("Vic Viewer", "viewer")
REVENUE = target(Y, "revenue", str(Y))
MQLS_JAN = target(Y, "mqls", "2026-01")
HEADER = "fiscal_year,kpi,period,target\n"


@pytest.fixture
def t(store: Store) -> Tandem:
    """An empty firm with its people and a revenue target the administrator set."""
    people = People(store)
    for p in (SOFIA, MARCO, ERIN, PAT, SAM, VIC):
        people.add(p.name, p.role, "password-2026", department=p.department, actor="setup")
    tandem = Tandem(store)
    report = tandem.import_csv("targets", (HEADER + "2026,revenue,2026,1000000\n").encode(),
                               file_name="set.csv", actor="ops")
    assert report.ok and report.proposed == 0
    return tandem


def in_force(t: Tandem) -> dict[tuple[str, str], Decimal]:
    return targets(t.store, Y)


def standing(t: Tandem, key: agreements.Key) -> agreements.Standing:
    found = [s for s in (*agreements.targets_standing(t.store, Y),
                         *agreements.sla_standing(t.store)) if s.key == key]
    assert len(found) == 1
    return found[0]


def last(t: Tandem) -> tuple[str, str, str, dict]:
    e = audit.entries(t.store, limit=1)[0]
    return e.actor, e.action, e.entity, json.loads(e.after)


def test_the_administrators_import_is_in_force_at_once_and_says_so(t):
    s = standing(t, REVENUE)
    assert s.in_force == D("1000000") and s.proposal is None
    assert s.record.how == "administrator" and s.record.decided_by == "ops"
    assert s.describe().startswith("set by the administrator ops on ")
    assert s.describe().endswith(", in force without agreement")
    # The import's note says so, and the minutes hold the decision.
    report = t.import_csv("targets", (HEADER + "2026,wins,2026,40\n").encode(),
                          file_name="more.csv", actor="ops", commit=False)
    assert report.note == ("1 target(s) would be in force, set by the administrator ops"
                           " without agreement (the firm's decision)")


def test_a_heads_proposal_waits_beside_the_target_in_force_until_the_other_head_agrees(t):
    outcome = agreements.propose_target(t.store, SOFIA, Y, "revenue", str(Y), "1200000.00",
                                        "two new reps")
    assert outcome.proposed == (REVENUE,) and outcome.waiting_for == ("marketing",)
    assert outcome.message() == ("1 target(s) now proposed: nothing in force changes until the"
                                 " marketing head agrees")
    assert in_force(t)[("revenue", "2026")] == D("1000000")  # nothing in force changed
    s = standing(t, REVENUE)
    assert (s.in_force, s.proposal.value, s.proposal.proposed_by, s.proposal.department,
            s.proposal.basis, s.proposal.waiting_for) == (
        D("1000000"), D("1200000"), "Sofia Sales", "sales", "two new reps", ("marketing",))
    assert last(t)[:3] == ("Sofia Sales", "propose targets", "targets FY2026")
    assert last(t)[3]["values"] == "Revenue 2026: 1200000"
    # The proposer's department never agrees to its own proposal.
    with pytest.raises(Refused) as refused:
        agreements.agree(t.store, SOFIA, [REVENUE])
    assert str(refused.value) == ("Sofia Sales (sales head) may not agree to the sales"
                                  " department's own proposal of Revenue 2026; the marketing"
                                  " head agrees")
    done = agreements.agree(t.store, MARCO, [REVENUE], seen={REVENUE: D("1200000")})
    assert done.in_force == (REVENUE,) and not done.proposed
    assert in_force(t)[("revenue", "2026")] == D("1200000")
    s = standing(t, REVENUE)
    assert s.proposal is None and s.record.how == "agreed"
    assert (s.record.proposed_by, s.record.department, s.record.decided_by, s.record.basis) == (
        "Sofia Sales", "sales", "Marco Marketing", "two new reps")
    today = datetime.now(timezone.utc).date()
    assert s.describe() == (f"proposed by Sofia Sales (sales) on {today:%Y-%m-%d}, agreed by"
                            f" Marco Marketing on {today:%Y-%m-%d}")
    assert last(t)[:2] == ("Marco Marketing", "agree targets")
    assert last(t)[3]["in_force"] == "yes"


def test_a_change_after_agreement_needs_both_again(t):
    agreements.propose_target(t.store, MARCO, Y, "mqls", "2026-01", "900")
    agreements.agree(t.store, SOFIA, [MQLS_JAN])
    assert in_force(t)[("mqls", "2026-01")] == D("900")
    # Marco changes his own agreed target: a proposal again, for the sales head.
    agreements.propose_target(t.store, MARCO, Y, "mqls", "2026-01", "800")
    s = standing(t, MQLS_JAN)
    assert (s.in_force, s.proposal.value, s.proposal.waiting_for) == (D("900"), D("800"),
                                                                      ("sales",))
    assert s.record.decided_by == "Sofia Sales"  # the agreed value stays in force, as agreed
    # The sales head's counter-proposal replaces it, and now waits for the marketing head.
    agreements.propose_target(t.store, SOFIA, Y, "mqls", "2026-01", "1000")
    s = standing(t, MQLS_JAN)
    assert (s.proposal.value, s.proposal.proposed_by, s.proposal.waiting_for) == (
        D("1000"), "Sofia Sales", ("marketing",))


def test_a_planner_proposes_for_their_department_and_for_both_needs_both_heads(t):
    agreements.propose_target(t.store, SAM, Y, "wins", str(Y), "40")
    wins = target(Y, "wins", str(Y))
    with pytest.raises(Refused, match="may not agree to the sales department's own proposal"):
        agreements.agree(t.store, SOFIA, [wins])
    agreements.agree(t.store, MARCO, [wins])
    assert in_force(t)[("wins", "2026")] == D("40")

    agreements.propose_target(t.store, PAT, Y, "win_rate", str(Y), "25%")
    rate = target(Y, "win_rate", str(Y))
    assert standing(t, rate).proposal.waiting_for == ("sales", "marketing")
    partial = agreements.agree(t.store, SOFIA, [rate])
    assert partial.proposed == (rate,) and partial.waiting_for == ("marketing",)
    assert ("win_rate", "2026") not in in_force(t)
    assert last(t)[3]["waiting_for"] == "marketing head" and last(t)[3]["in_force"] == "no"
    with pytest.raises(Refused, match="^the sales head has agreed to Win rate 2026 already$"):
        agreements.agree(t.store, SOFIA, [rate])
    agreements.agree(t.store, MARCO, [rate])
    assert in_force(t)[("win_rate", "2026")] == D("0.25")
    record = standing(t, rate).record
    assert (record.department, record.decided_by) == ("both", "Sofia Sales and Marco Marketing")


def test_the_executive_sets_in_force_at_once_and_replaces_a_waiting_proposal(t):
    agreements.propose_target(t.store, SOFIA, Y, "revenue", str(Y), "1200000")
    done = agreements.propose_target(t.store, ERIN, Y, "revenue", str(Y), "1100000")
    assert (done.in_force, done.superseded) == ((REVENUE,), 1)
    assert done.message() == ("1 target(s) now in force, set by the executive Erin Executive"
                              " without agreement (the firm's decision); 1 waiting proposal(s)"
                              " replaced")
    s = standing(t, REVENUE)
    assert (s.in_force, s.proposal) == (D("1100000"), None)
    assert s.describe().startswith("set by the executive Erin Executive on ")
    actor, action, entity, after = last(t)
    assert (actor, action, entity) == ("Erin Executive", "set targets", "targets FY2026")
    assert after["replaced_proposals"] == 1
    # A proposal an executive puts in force keeps its proposer, and says it was not agreed.
    agreements.propose_target(t.store, MARCO, Y, "mqls", "2026-01", "950")
    agreements.agree(t.store, ERIN, [MQLS_JAN])
    assert in_force(t)[("mqls", "2026-01")] == D("950")
    assert ", put in force by the executive Erin Executive on " in standing(t, MQLS_JAN).describe()
    assert standing(t, MQLS_JAN).describe().startswith("proposed by Marco Marketing (marketing)")


def test_who_may_withdraw_a_proposal(t, snapshot):
    agreements.propose_target(t.store, SAM, Y, "wins", str(Y), "40")
    wins = target(Y, "wins", str(Y))
    before = snapshot(t.store)
    with pytest.raises(Refused) as refused:
        agreements.withdraw(t.store, MARCO, [wins])
    assert str(refused.value) == ("Marco Marketing (marketing head) may not withdraw Sam"
                                  " Seller's proposal of Wins 2026; its proposer or their head"
                                  " withdraws it (propose another value instead)")
    with pytest.raises(Refused, match=r"^Vic Viewer \(viewer\) may not propose or set targets"):
        agreements.withdraw(t.store, VIC, [wins])
    assert snapshot(t.store) == before
    assert agreements.withdraw(t.store, SOFIA, [wins]) == 1  # the head of Sam's department
    assert wins not in {s.key for s in agreements.targets_standing(t.store, Y)}  # none is left
    assert last(t)[:3] == ("Sofia Sales", "withdraw targets", "targets FY2026")
    with pytest.raises(Refused, match="^no proposal of Wins 2026 waits: there is nothing to"):
        agreements.withdraw(t.store, SOFIA, [wins])


def test_a_proposal_changed_since_it_was_seen_is_not_agreed_unseen(t, snapshot):
    agreements.propose_target(t.store, SOFIA, Y, "revenue", str(Y), "1200000")
    agreements.propose_target(t.store, SOFIA, Y, "revenue", str(Y), "1500000")
    before = snapshot(t.store)
    with pytest.raises(Refused) as refused:
        agreements.agree(t.store, MARCO, [REVENUE], seen={REVENUE: D("1200000")})
    assert str(refused.value) == ("the proposal of Revenue 2026 changed since you looked: it is"
                                  " now 1500000, by Sofia Sales; look at it again")
    assert snapshot(t.store) == before


def test_a_proposal_that_changes_nothing_is_refused(t):
    with pytest.raises(Refused, match="^nothing to propose: Revenue 2026 is 1000000 already$"):
        agreements.propose_target(t.store, SOFIA, Y, "revenue", str(Y), "1000000.00")
    agreements.propose_target(t.store, SOFIA, Y, "revenue", str(Y), "2000000")
    with pytest.raises(Refused, match="^nothing to propose"):  # the same proposal again
        agreements.propose_target(t.store, SOFIA, Y, "revenue", str(Y), "2000000")


@pytest.mark.parametrize(("kpi", "period", "value", "message"), [
    ("revenue", "2027", "1", "'2027' is not a period of fiscal year 2026: write 2026, 2026-Q1 to"
                             " 2026-Q4, or a month from 2026-01 to 2026-12"),
    ("revenue", "2025-12", "1", "'2025-12' is not a period of fiscal year 2026"),
    ("ctr", "2026", "1", "unknown KPI 'ctr'"),
    ("win_rate", "2026", "25 %%", "'25 %%' is not a target"),
    ("revenue", "2026", "1,000", "'1,000' is not a target; write a number like 1250000.00, or a"
                                 " rate like 0.25 or 25%"),
    ("win_rate", "2026", "12.34567%", "'12.34567%' has too many digits"),
])
def test_a_bad_target_is_refused_naming_the_fix(t, kpi, period, value, message):
    with pytest.raises(Refused) as refused:
        agreements.propose_target(t.store, SOFIA, Y, kpi, period, value.replace("%%", "%"))
    assert str(refused.value).startswith(message.replace("%%", "%"))


def test_the_first_touch_window_is_agreed_like_a_target(t, snapshot):
    assert standing(t, FIRST_TOUCH).in_force == D("24")
    assert standing(t, FIRST_TOUCH).describe() == "in force before agreements were recorded"
    done = agreements.propose_sla(t.store, MARCO, 8, "reps cover every region now")
    assert done.waiting_for == ("sales",)
    assert t.store.setting("first_touch_hours") == "24"  # not in force yet
    with pytest.raises(Refused, match=r"^Pat Planner \(planner, both\) may not propose or set the"
                                      " service-level agreement's terms"):
        agreements.propose_sla(t.store, PAT, 12)
    for hours in (0, D("1.5"), 721):
        with pytest.raises(Refused, match="^First-touch window \\(hours\\) is a whole number"
                                          " from 1 to 720"):
            agreements.propose_sla(t.store, SOFIA, hours)
    before = snapshot(t.store)
    with pytest.raises(Refused, match="may not agree to the marketing department's own"):
        agreements.agree(t.store, MARCO, [FIRST_TOUCH])
    assert snapshot(t.store) == before
    agreements.agree(t.store, SOFIA, [FIRST_TOUCH])
    assert t.store.setting("first_touch_hours") == "8"
    s = standing(t, FIRST_TOUCH)
    assert (s.in_force, s.record.proposed_by, s.record.decided_by, s.record.basis) == (
        D("8"), "Marco Marketing", "Sofia Sales", "reps cover every region now")
    # The entry that put it in force names the setting, for whoever reads who set the window.
    actor, action, entity, after = last(t)
    assert (actor, action, entity, after["first_touch_hours"]) == (
        "Sofia Sales", "agree SLA", "service-level agreement", "8")
    agreements.propose_sla(t.store, ERIN, 12)
    assert t.store.setting("first_touch_hours") == "12"
    assert last(t)[1] == "set SLA"


def test_a_heads_targets_import_becomes_proposals_all_or_nothing(t, snapshot):
    text = HEADER + "2026,revenue,2026,1300000\n2026,mqls,2026-01,900\n2026,wins,2026,40\n"
    before = snapshot(t.store)
    checked = t.import_csv("targets", text.encode(), file_name="mine.csv", actor=MARCO,
                           commit=False)
    assert (checked.added, checked.updated, checked.unchanged, checked.proposed) == (2, 1, 0, 3)
    assert checked.note == ("3 target(s) would be proposed: nothing in force changes until the"
                            " sales head agrees")
    assert snapshot(t.store) == before  # a dry run writes nothing
    bad = t.import_csv("targets", (text + "2026,wins,2027,1\n").encode(), file_name="bad.csv",
                       actor=MARCO)
    assert not bad.ok and snapshot(t.store) == before  # one bad row: no proposal at all
    report = t.import_csv("targets", text.encode(), file_name="mine.csv", actor=MARCO)
    assert report.ok and report.proposed == 3 and [c.change("target") for c in report.changes] \
        == [(D("1000000"), D("1300000"))]
    assert in_force(t) == {("revenue", "2026"): D("1000000")}  # nothing in force changed
    waiting = {s.key: (s.proposal.value, s.proposal.basis) for s in
               agreements.targets_standing(t.store, Y) if s.proposal}
    assert waiting == {REVENUE: (D("1300000"), "imported from mine.csv"),
                       MQLS_JAN: (D("900"), "imported from mine.csv"),
                       target(Y, "wins", "2026"): (D("40"), "imported from mine.csv")}
    steps = [(e.actor, e.action, e.entity) for e in audit.entries(t.store, limit=2)]
    assert steps == [("Marco Marketing", "import", "targets mine.csv"),
                     ("Marco Marketing", "propose targets", "targets FY2026")]
    assert t.store.query("SELECT imported_by, rows_added, rows_updated FROM imports"
                         " ORDER BY id DESC LIMIT 1") == [("Marco Marketing", 2, 1)]
    agreements.agree(t.store, SOFIA, list(waiting))
    assert in_force(t) == {("revenue", "2026"): D("1300000"), ("mqls", "2026-01"): D("900"),
                           ("wins", "2026"): D("40")}


def test_an_executives_import_is_in_force_at_once(t):
    report = t.import_csv("targets", (HEADER + "2026,revenue,2026,1400000\n").encode(),
                          file_name="board.csv", actor=ERIN)
    assert report.ok and report.proposed == 0
    assert in_force(t)[("revenue", "2026")] == D("1400000")
    assert standing(t, REVENUE).describe().startswith("set by the executive Erin Executive on ")


def test_every_step_is_in_the_minutes_of_every_scenario(t):
    start = datetime.now(timezone.utc).replace(tzinfo=None)  # after the firm was set up
    agreements.propose_target(t.store, PAT, Y, "roi", str(Y), "3.5")
    agreements.agree(t.store, SOFIA, [target(Y, "roi", str(Y))])
    agreements.agree(t.store, MARCO, [target(Y, "roi", str(Y))])
    agreements.propose_sla(t.store, SOFIA, 12)
    agreements.withdraw(t.store, SOFIA, [FIRST_TOUCH])
    end = datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(minutes=5)
    lines = audit.minutes(t.store, start, end, scenario="baseline").splitlines()
    decisions = [line.split(" — ", 1)[1] for line in lines[2:-2]]
    assert decisions == [
        "**Pat Planner** propose targets (targets FY2026): values ROI 2026: 3.5, waiting_for"
        " sales and marketing heads",
        "**Sofia Sales** agree targets (targets FY2026): in_force no, proposed_by Pat Planner,"
        " values ROI 2026: 3.5, waiting_for marketing head",
        "**Marco Marketing** agree targets (targets FY2026): in_force yes, proposed_by Pat"
        " Planner, values ROI 2026: 3.5",
        "**Sofia Sales** propose SLA (service-level agreement): values First-touch window"
        " (hours): 12, waiting_for marketing head",
        "**Sofia Sales** withdraw SLA (service-level agreement): proposed_by Sofia Sales, values"
        " First-touch window (hours): 12",
    ]
    assert audit.verify(t.store).intact


def test_the_demo_targets_were_proposed_by_the_planner_and_agreed_by_both_heads(demo):
    from planning.demo import DEMO_DIR

    rows = len((DEMO_DIR / "targets.csv").read_text().splitlines()) - 1
    found = agreements.targets_standing(demo.store, Y)
    assert len(found) == rows and all(s.proposal is None for s in found)
    assert {(s.record.proposed_by, s.record.department, s.record.decided_by, s.record.how)
            for s in found} == {("Pat Planner", "both", "Marco Marketing and Sofia Sales",
                                 "agreed")}
    assert in_force(demo)[("revenue", "2026")] == D("27900000")
    assert agreements.waiting_for(demo.store, SOFIA, Y) == []
    steps = [(e.actor, e.action) for e in reversed(audit.entries(
        demo.store, entities=["targets FY2026"]))]
    assert steps == [("Pat Planner", "propose targets"), ("Marco Marketing", "agree targets"),
                     ("Sofia Sales", "agree targets")]
