"""The relationship survey: scores, stages, the confidentiality rule, answering in the app.

Hand-worked figures of the quarter 2026-Q1 used below (`_quarter`):
sales     s1 all 3s = 60, s2 all 4s = 80, s3 items 1-10 at 5 and 11-20 at 2 = 70: mean 70 (aligned)
marketing m1 all 2s = 40, m2 all 3s = 60, m3 all 2s but item 1 at 5 = 43: mean 143/3 = 47.67
          (defined); m4 rated 19 statements: incomplete, left out
all       (60 + 80 + 70 + 40 + 60 + 43) / 6 = 353/6 = 58.83 (defined)
neutral   two complete respondents: withheld
item 1    sales (3+4+5)/3 = 4.00, marketing (2+3+5)/3 = 3.33, gap 2/3 = 0.67
item 2    sales 4.00, marketing (2+3+2)/3 = 2.33, gap 5/3 = 1.67 (items 2-10 alike)
item 11   sales (3+4+2)/3 = 3.00, marketing 2.33, gap 0.67 (items 11-20 alike)
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from planning import alignment
from planning.alignment import (
    Group,
    answer,
    current_quarter,
    department_of,
    own_answers,
    quarter_months,
    quarter_of,
    results,
    stage,
    trend,
)
from planning.errors import Refused
from planning.people import Person

D = Decimal
SOFIA = Person("Sofia Sales", "sales_head")
MARCO = Person("Marco Marketing", "marketing_head")
ERIN = Person("Erin Executive", "executive")
PAT = Person("Pat Planner", "planner", "both")
SAM = Person("Sam Seller", "planner", "sales")
VIC = Person("Vic Viewer", "viewer")


def ratings(*scores: int) -> dict[int, int]:
    """20 ratings: one score for all, or a score per statement."""
    return dict(zip(range(1, 21), scores * 20 if len(scores) == 1 else scores, strict=False))


def insert(store, respondent: str, department: str, period: str, scores: dict[int, int]) -> None:
    """Answers as an imported survey holds them (an anonymous code per respondent)."""
    store.write(lambda cur: cur.executemany(
        "INSERT INTO survey_answers (respondent, department, period, item, score)"
        " VALUES (?, ?, ?, ?, ?)", [[respondent, department, period, i, s]
                                    for i, s in scores.items()]))


def _quarter(store, period: str = "2026-Q1") -> None:
    insert(store, "s1", "sales", period, ratings(3))
    insert(store, "s2", "sales", period, ratings(4))
    insert(store, "s3", "sales", period, ratings(*[5] * 10, *[2] * 10))
    insert(store, "m1", "marketing", period, ratings(2))
    insert(store, "m2", "marketing", period, ratings(3))
    insert(store, "m3", "marketing", period, ratings(5, *[2] * 19))
    insert(store, "m4", "marketing", period, {i: 5 for i in range(1, 20)})
    insert(store, "n1", "neutral", period, ratings(5))
    insert(store, "n2", "neutral", period, ratings(1))


def test_the_contract_names_twenty_statements_once():
    assert len(alignment.STATEMENTS) == 20 and len(set(alignment.STATEMENTS)) == 20
    assert alignment.STATEMENTS[2] == "Marketing meets key customers during the sales process."
    assert alignment.STATEMENTS[19] == ("Each side helps present the other's plans to the"
                                        " executives.")


def test_stages_come_from_the_unrounded_mean():
    assert [stage(s) for s in (20, 39, 40, 59, 60, 79, 80, 100)] == [
        "undefined", "undefined", "defined", "defined", "aligned", "aligned", "integrated",
        "integrated"]
    assert stage(None) is None
    just_under = Group("all", 25, mean=Fraction(1999, 25))  # 79.96
    assert (just_under.score, just_under.stage) == (D("80.0"), "aligned")
    assert stage(Fraction(3999, 100)) == "undefined"
    # Halves round away from zero: 62.25 is shown as 62.3.
    assert Group("sales", 4, mean=Fraction(249, 4)).score == D("62.3")


def test_a_quarter_of_answers(new_store):
    store = new_store()
    _quarter(store)
    found = results(store, "2026-Q1")
    sales, marketing, both, neutral = (found.groups[g] for g in
                                       ("sales", "marketing", "all", "neutral"))
    assert (sales.respondents, sales.score, sales.stage) == (3, D("70.0"), "aligned")
    assert (marketing.respondents, marketing.incomplete) == (3, 1)
    assert (marketing.score, marketing.stage) == (D("47.7"), "defined")
    assert (both.respondents, both.score, both.stage) == (6, D("58.8"), "defined")
    assert (neutral.respondents, neutral.withheld, neutral.score) == (2, True, None)
    items = {i.item: i for i in found.items}
    assert (items[1].sales, items[1].marketing, items[1].gap) == (D("4.00"), D("3.33"), D("0.67"))
    assert (items[2].sales, items[2].marketing, items[2].gap) == (D("4.00"), D("2.33"), D("1.67"))
    assert (items[11].sales, items[11].marketing, items[11].gap) == (
        D("3.00"), D("2.33"), D("0.67"))
    # The largest disagreement first (ties by statement), with its text.
    assert [i.item for i in found.gaps()][:10] == [2, 3, 4, 5, 6, 7, 8, 9, 10, 1]
    assert found.gaps()[0].statement == "When results disappoint, neither side blames the other."
    # Another quarter is another survey.
    assert results(store, "2026-Q2").groups["all"].respondents == 0


def test_a_department_with_fewer_than_three_shows_no_mean(new_store):
    """Two sales respondents: neither their score nor their statements' means are shown, and
    neither is the mean of all, which with marketing's would give sales' away."""
    store = new_store()
    insert(store, "s1", "sales", "2026-Q2", ratings(3))
    insert(store, "s2", "sales", "2026-Q2", ratings(5))
    for code, score in (("m1", 2), ("m2", 3), ("m3", 4)):
        insert(store, code, "marketing", "2026-Q2", ratings(score))
    found = results(store, "2026-Q2")
    sales, marketing, both = (found.groups[g] for g in ("sales", "marketing", "all"))
    assert (sales.respondents, sales.withheld, sales.mean, sales.score, sales.stage) == (
        2, True, None, None, None)
    assert (marketing.score, marketing.stage) == (D("60.0"), "aligned")
    assert (both.respondents, both.withheld, both.score) == (5, True, None)
    assert all(i.sales is None and i.gap is None for i in found.items)
    assert {i.marketing for i in found.items} == {D("3.00")}
    assert found.gaps() == [] and [g.department for g in found.withheld] == ["sales", "all"]
    # One side with no answers at all withholds nothing: all is marketing alone.
    store2 = new_store()
    for code, score in (("m1", 2), ("m2", 3), ("m3", 4)):
        insert(store2, code, "marketing", "2026-Q2", ratings(score))
    alone = results(store2, "2026-Q2").groups["all"]
    assert (alone.respondents, alone.withheld, alone.score) == (3, False, D("60.0"))


def test_the_trend_by_quarter(new_store):
    store = new_store()
    _quarter(store, "2025-Q4")
    for code, score in (("s1", 4), ("s2", 4), ("s3", 5), ("m1", 3), ("m2", 3), ("m3", 4)):
        insert(store, code, "sales" if code[0] == "s" else "marketing", "2026-Q1",
               ratings(score))
    found = trend(store)
    assert [s.period for s in found] == ["2025-Q4", "2026-Q1"]
    assert [s.groups["all"].score for s in found] == [D("58.8"), D("76.7")]  # 460/6 = 76.67
    assert [s.groups["sales"].stage for s in found] == ["aligned", "integrated"]  # 86.67
    assert found[0].groups["neutral"].withheld and found[1].groups["neutral"].respondents == 0


def test_fiscal_quarters_follow_the_first_month_of_the_year(new_store):
    assert quarter_of(date(2026, 3, 31), 1) == "2026-Q1"
    assert quarter_of(date(2026, 12, 1), 1) == "2026-Q4"
    assert quarter_of(date(2026, 3, 31), 4) == "2025-Q4"  # FY2025 runs April 2025 - March 2026
    assert quarter_of(date(2026, 4, 1), 4) == "2026-Q1"
    assert quarter_of(date(2027, 1, 15), 4) == "2026-Q4"
    store = new_store()
    store.set_setting("fiscal_year_start_month", "4")
    assert quarter_months(store, "2026-Q4") == [date(2027, 1, 1), date(2027, 2, 1),
                                                date(2027, 3, 1)]
    with pytest.raises(Refused, match="'2026-Q5' is not a fiscal quarter; write it YYYY-Qn"):
        results(store, "2026-Q5")


def test_who_answers_for_which_side():
    assert [department_of(p) for p in (SOFIA, MARCO, ERIN, PAT, SAM)] == [
        "sales", "marketing", "neutral", "neutral", "sales"]


@pytest.fixture
def today(monkeypatch):
    """Set the day the store takes for today (the current quarter follows it)."""

    def set_day(day: date) -> None:
        monkeypatch.setattr(alignment, "_today", lambda: day)

    return set_day


def test_a_head_answers_and_changes_the_answers_until_the_quarter_ends(new_store, today):
    store = new_store()
    today(date(2026, 5, 10))
    assert current_quarter(store) == "2026-Q2"
    answer(store, SOFIA, "2026-Q2", ratings(4))
    assert store.query("SELECT DISTINCT respondent, department, period FROM survey_answers") == [
        ("Sofia Sales", "sales", "2026-Q2")]
    assert own_answers(store, SOFIA, "2026-Q2") == ratings(4)
    assert own_answers(store, MARCO, "2026-Q2") == {}  # nobody else's answers
    today(date(2026, 6, 30))  # the quarter's last day: still open
    answer(store, SOFIA, "2026-Q2", ratings(*[5] * 10, *[1] * 10))
    assert store.scalar("SELECT count(*) FROM survey_answers") == 20
    assert store.scalar("SELECT sum(score) FROM survey_answers") == 60
    # The trail says who answered which quarter, never the ratings.
    entries = store.query("SELECT actor, action, entity, before, after FROM audit_log"
                          " WHERE entity LIKE 'survey%' ORDER BY seq")
    assert [e[:3] for e in entries] == [("Sofia Sales", "answer survey", "survey 2026-Q2"),
                                        ("Sofia Sales", "change survey answers", "survey 2026-Q2")]
    assert {e[4] for e in entries} == {'{"department":"sales","statements":20}'}
    assert {e[3] for e in entries} == {None}
    today(date(2026, 7, 1))  # the quarter has ended
    with pytest.raises(Refused, match="the survey of 2026-Q2 is closed: answers are taken for"
                                      " the current quarter, 2026-Q3, until it ends"):
        answer(store, SOFIA, "2026-Q2", ratings(3))
    assert store.scalar("SELECT sum(score) FROM survey_answers") == 60


def test_executives_and_planners_for_both_answer_as_neutral(new_store, today):
    store = new_store()
    today(date(2026, 2, 1))
    answer(store, ERIN, "2026-Q1", ratings(4))
    answer(store, PAT, "2026-Q1", ratings(4))
    answer(store, SAM, "2026-Q1", ratings(4))
    assert store.query("SELECT respondent, department FROM survey_answers WHERE item = 1"
                       " ORDER BY respondent") == [("Erin Executive", "neutral"),
                                                   ("Pat Planner", "neutral"),
                                                   ("Sam Seller", "sales")]


@pytest.mark.parametrize("who, period, given, message", [
    (VIC, "2026-Q2", ratings(3), "Vic Viewer (viewer) may not answer the relationship survey;"
                                 " that is for: executive, marketing head, planner, sales head"),
    ("ops", "2026-Q2", ratings(3), "ops (administrator) may not answer the relationship survey"),
    (SOFIA, "2026-Q3", ratings(3), "the survey of 2026-Q3 is not open yet"),
    (SOFIA, "2026-Q1", ratings(3), "the survey of 2026-Q1 is closed"),
    (SOFIA, "2026-Q2", {i: 3 for i in range(1, 20)},
     "rate every statement: 1 of 20 have no rating yet (statement 20)"),
    (SOFIA, "2026-Q2", {**ratings(3), 21: 3}, "there are statements 1 to 20 only, not 21"),
    (SOFIA, "2026-Q2", {**ratings(3), 7: 6},
     "statement 7 is rated 6; rate it from 1 (strongly disagree) to 5 (strongly agree)"),
    (SOFIA, "2026-2", ratings(3), "'2026-2' is not a fiscal quarter"),
])
def test_refused_answers_write_nothing(new_store, today, snapshot, who, period, given, message):
    store = new_store()
    today(date(2026, 5, 10))
    before = snapshot(store)
    with pytest.raises(Refused) as refused:
        answer(store, who, period, given)
    assert str(refused.value).startswith(message), str(refused.value)
    assert snapshot(store) == before
