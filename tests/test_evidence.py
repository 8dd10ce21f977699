"""The evidence beside the survey, worked by hand on a small plan.

FY2026 baseline, Q1 (Jan-Mar): 1 sales Field sales Jan 600, 2 sales Events Feb 200,
3 marketing Paid search Jan 500, 4 marketing Content Mar 400, 5 joint Partners Feb 300;
Q2: 6 sales Field sales Apr 1,000. Every Q1 line is submitted; the marketing head signs line 1
off after 1 day and returns line 2 with a comment; the sales head signs line 3 off after 3 days;
line 4 waits; line 5 (joint) is signed by the sales head after 6 days and the marketing head
after 12.
- joint share 300 / 2,000 = 0.15: aligned (from 0.15)
- signed off 3 of 5 (lines 1, 3, 5) = 0.60: aligned (0.50 to under 0.90)
- days to sign-off: median of 1, 3, 6, 12 = 4.5: aligned (2 to 5 days)
- returned 1 of 5 submitted = 0.20: defined (over 0.10, up to 0.25)
- open threads: line 2 (returned, with a comment), 1 of 5 = 0.20: undefined (over 0.05)
- explanations of Q1's months: 2 accepted of 3 = 0.67: aligned (0.50 to under 0.80)
- the hand-off (a first-touch window of 24 h): January's MQLs touched after 2 h and 48 h,
  February's after 1 h, March's never: 2 in time of 4 judged = 0.50: defined (0.50 to under
  0.75); an April MQL is Q2's
- MQL targets of 2 in January and 2 in February: 3 MQLs against 4 = 0.75: defined (0.70 to
  under 0.90); March has no target and does not count
- KPIs with a target for Q1: revenue (the year's), pipeline (Q1's), wins and mqls (months') = 4:
  aligned (3 to 5); cac (Q2's) and leads (FY2025's) do not count
- the data's stage: the median of undefined, defined three times and aligned five times =
  aligned.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from planning.budget import BudgetFilter
from planning.evidence import THRESHOLDS, Evidence, Indicator, evidence
from planning.people import Person
from planning.review import Review
from planning.tandem import Tandem

D = Decimal
SOFIA = Person("Sofia Sales", "sales_head")
MARCO = Person("Marco Marketing", "marketing_head")
PLAN = """fiscal_year,owner,category,funnel_stage,channel,region,month,amount,description
2026,sales,Headcount,purchase,Field sales,EMEA,2026-01,600.00,
2026,sales,Events,purchase,Events,EMEA,2026-02,200.00,
2026,marketing,Media,awareness,Paid search,EMEA,2026-01,500.00,
2026,marketing,Content,consideration,Content,EMEA,2026-03,400.00,
2026,joint,Partners,preference,Partners,EMEA,2026-02,300.00,
2026,sales,Headcount,purchase,Field sales,EMEA,2026-04,1000.00,
"""
TARGETS = """fiscal_year,kpi,period,target
2026,revenue,2026,1000000
2026,pipeline,2026-Q1,300000
2026,wins,2026-02,10
2026,mqls,2026-01,2
2026,mqls,2026-02,2
2026,cac,2026-Q2,5000
2025,leads,2025,100
"""


def _only(channel: str, month: int) -> BudgetFilter:
    return BudgetFilter(channels=(channel,), month_from=date(2026, month, 1),
                        month_to=date(2026, month, 1))


def _sign_later(store, channel: str, department: str, days: int) -> None:
    store.write(lambda cur: cur.execute(
        f"UPDATE sign_offs SET signed_at = signed_at + INTERVAL '{days} days' WHERE department"
        " = ? AND line_id IN (SELECT id FROM plan_lines WHERE channel = ?)",
        [department, channel]))


@pytest.fixture
def store(new_store):
    store = new_store()
    t = Tandem(store)
    assert t.import_csv("plan", PLAN.encode(), file_name="plan.csv", actor="setup").ok
    assert t.import_csv("targets", TARGETS.encode(), file_name="targets.csv", actor="setup").ok
    review = Review(store)
    q1 = BudgetFilter(month_from=date(2026, 1, 1), month_to=date(2026, 3, 1))
    review.submit(SOFIA, 2026, "baseline", BudgetFilter(owners=("sales",), month_from=q1.month_from,
                                                        month_to=q1.month_to))
    review.submit(MARCO, 2026, "baseline", BudgetFilter(owners=("marketing", "joint"),
                                                        month_from=q1.month_from,
                                                        month_to=q1.month_to))
    review.sign(MARCO, 2026, "baseline", _only("Field sales", 1))
    review.return_lines(MARCO, 2026, "baseline", _only("Events", 2), "too high for a fair")
    review.sign(SOFIA, 2026, "baseline", _only("Paid search", 1))
    review.sign(SOFIA, 2026, "baseline", _only("Partners", 2))
    review.sign(MARCO, 2026, "baseline", _only("Partners", 2))
    for channel, department, days in (("Field sales", "marketing", 1), ("Paid search", "sales", 3),
                                      ("Partners", "sales", 6), ("Partners", "marketing", 12)):
        _sign_later(store, channel, department, days)
    rows = [(date(2026, 1, 1), "sales", "accepted"), (date(2026, 2, 1), "marketing", "accepted"),
            (date(2026, 3, 1), "joint", "questioned"), (date(2026, 4, 1), "sales", "explained")]
    store.write(lambda cur: cur.executemany(
        "INSERT INTO variance_explanations (fiscal_year, as_of, owner, channel, region,"
        " variance, category, text, explained_by, status) VALUES"
        " (2026, ?, ?, '', '', 100.00, 'timing', 'paid early', 'someone', ?)", rows))
    leads = [("L1", "2026-01-05 10:00:00", "2026-01-05 12:00:00"),
             ("L2", "2026-01-10 10:00:00", "2026-01-12 10:00:00"),
             ("L3", "2026-02-01 09:00:00", "2026-02-01 10:00:00"),
             ("L4", "2026-03-01 09:00:00", None),
             ("L5", "2026-04-02 09:00:00", "2026-04-02 09:30:00")]
    store.write(lambda cur: cur.executemany(
        "INSERT INTO leads (lead_id, created_at, region, channel, sourced_by, mql_at, rep,"
        " first_touch_at) VALUES (?, CAST(? AS TIMESTAMP), 'EMEA', 'Paid search', 'marketing',"
        " CAST(? AS TIMESTAMP), 'Rita Rep', CAST(? AS TIMESTAMP))",
        [[lead, mql, mql, touch] for lead, mql, touch in leads]))
    return store


def test_the_indicators_of_a_quarter(store):
    found = evidence(store, "2026-Q1")
    values = {i.key: (i.value, i.stage) for i in found.indicators}
    assert values == {
        "joint_share": (D("0.15"), "aligned"),
        "signed_off_share": (D("0.6"), "aligned"),
        "days_to_sign_off": (D("4.50"), "aligned"),
        "returned_share": (D("0.2"), "defined"),
        "open_thread_share": (D("0.2"), "undefined"),
        "accepted_share": (D(2) / D(3), "aligned"),
        "sla_in_time": (D("0.5"), "defined"),
        "mql_attainment": (D("0.75"), "defined"),
        "shared_kpis": (D(4), "aligned"),
    }
    assert found.scenario == "baseline" and found.stage == "aligned"
    assert found.get("shared_kpis").detail == "mqls, pipeline, revenue, wins"
    assert found.get("joint_share").detail == ("$300.00 of $2,000.00 planned on 5 lines of 2026-Q1"
                                               " (baseline)")
    assert found.get("days_to_sign_off").detail == "median of 4 sign-offs"


def test_the_next_quarter_has_its_own_lines(store):
    found = evidence(store, "2026-Q2")
    values = {i.key: (i.value, i.stage) for i in found.indicators}
    assert values["joint_share"] == (D(0), "undefined")  # 0 of 1,000 joint
    assert values["signed_off_share"] == (D(0), "undefined")
    assert values["days_to_sign_off"] == (None, None)  # no sign-off to time
    assert values["returned_share"] == (None, None)  # nothing submitted
    assert values["open_thread_share"] == (D(0), "integrated")
    assert values["accepted_share"] == (D(0), "undefined")  # 0 of 1 accepted
    assert values["sla_in_time"] == (D(1), "integrated")  # April's MQL, touched in time
    assert values["mql_attainment"] == (None, None)  # no MQL target in Q2
    assert values["shared_kpis"] == (D(2), "defined")  # revenue (the year's), cac (Q2's)


def test_a_quarter_without_a_plan_or_a_target_points_nowhere(store):
    found = evidence(store, "2027-Q1")
    assert found.scenario is None and found.stage is None
    assert all(i.value is None and i.stage is None for i in found.indicators)


@pytest.mark.parametrize("key, value, expected", [
    ("joint_share", "0.0499", "undefined"), ("joint_share", "0.05", "defined"),
    ("joint_share", "0.30", "integrated"), ("days_to_sign_off", "10.01", "undefined"),
    ("days_to_sign_off", "10", "defined"), ("days_to_sign_off", "2", "integrated"),
    ("shared_kpis", "0", "undefined"), ("shared_kpis", "6", "integrated"),
])
def test_thresholds_include_their_floor(key, value, expected):
    assert THRESHOLDS[key].stage(D(value)) == expected


def test_the_data_stage_is_the_lower_middle_of_an_even_number():
    two = Evidence("2026-Q1", None, [Indicator("joint_share", D("0.01"), ""),
                                     Indicator("signed_off_share", D("0.95"), "")])
    assert [i.stage for i in two.indicators] == ["undefined", "integrated"]
    assert two.stage == "undefined"
    three = Evidence("2026-Q1", None, [*two.indicators, Indicator("shared_kpis", D(4), ""),
                                       Indicator("accepted_share", None, "")])
    assert three.stage == "aligned"  # undefined, aligned, integrated; no value is no vote


def test_the_demo_firms_quarters(new_store):
    found = evidence(new_store("demo"), "2026-Q2")
    assert found.get("returned_share").value == D(1) / D(816)  # the one line the demo returns
    assert found.get("signed_off_share").value == D(815) / D(816)


def test_where_the_data_parts_from_the_survey(store):
    found = evidence(store, "2026-Q1")
    above, below = found.against("defined")  # the survey says defined
    assert [i.key for i in above] == ["joint_share", "signed_off_share", "days_to_sign_off",
                                      "accepted_share", "shared_kpis"]
    assert [i.key for i in below] == ["open_thread_share"]
    assert found.against(None) == ([], [])
