"""Where the two departments stand with each other: the relationship survey.

Each respondent rates the 20 statements from 1 (strongly disagree) to 5 (strongly agree), once
per fiscal quarter. A respondent's score is the sum of their 20 ratings (20-100); one with fewer
than 20 ratings in a period is incomplete and left out of every figure. A department's score is
the mean of its complete respondents' scores, its stage read from the unrounded mean: under 40
**undefined**, under 60 **defined**, under 80 **aligned**, else **integrated**. `all` is sales
and marketing together; people of neither department (executives, planners for both) answer as
`neutral`, a group of its own that never counts in `all` or in the gap.

Answers are confidential. A group with fewer than MIN_RESPONDENTS complete respondents shows no
mean, neither its score nor its statements' means. `all` shows none either while one side with
answers is withheld: with both sides' counts, the mean of all and the other side's mean would
give the withheld side's mean away. Nothing here returns one person's answers but to that person.

Periods are fiscal quarters, `YYYY-Qn`: YYYY names the fiscal year by the calendar year of its
first month (the store's `fiscal_year_start_month`), Qn its n-th three months.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from planning import access, audit
from planning.errors import Refused
from planning.kpi_values import fiscal_months, months_of
from planning.people import Person
from planning.store import Store
from planning.store import alignment_sql as sql

STATEMENTS: tuple[str, ...] = (
    "Our sales results land close to the forecast we agreed.",
    "When results disappoint, neither side blames the other.",
    "Marketing meets key customers during the sales process.",
    "Sales helps draft the marketing plan.",
    "Sales finds marketing's material useful with customers.",
    "Sales gives marketing the feedback it asks for.",
    "We use the same words for leads, stages and results.",
    "The two heads talk regularly about what is coming, not only about problems.",
    "We define target segments and buying behaviour together.",
    "Our joint meetings spend little time on disputes.",
    "We plan launches and campaigns together, well ahead.",
    "We are measured on the same metrics.",
    "Marketing shapes the strategy for key accounts.",
    "We run one funnel, from first touch to renewal, that both sides built.",
    "Marketing analyses funnel data to make results more predictable.",
    "We rise or fall together.",
    "One executive is responsible for both revenue functions.",
    "People move between the two departments.",
    "We train and hold events together.",
    "Each side helps present the other's plans to the executives.",
)
ITEMS = range(1, len(STATEMENTS) + 1)
SCALE = range(1, 6)  # 1 strongly disagree ... 5 strongly agree
STAGES = ("undefined", "defined", "aligned", "integrated")
# The lowest score of each stage above the first (scores run from 20 to 100).
STAGE_FLOORS = ((80, "integrated"), (60, "aligned"), (40, "defined"))
MIN_RESPONDENTS = 3
SIDES = ("sales", "marketing")
GROUPS = ("sales", "marketing", "all", "neutral")
PERIOD = re.compile(r"^(\d{4})-Q([1-4])$")


def stage(score: Fraction | Decimal | float | None) -> str | None:
    """The stage a score (20-100, unrounded) points to; None for no score."""
    if score is None:
        return None
    return next((name for floor, name in STAGE_FLOORS if score >= floor), STAGES[0])


def rounded(value: Fraction | None, places: int) -> Decimal | None:
    """A mean as shown: to `places` decimals, halves away from zero (62.25 → 62.3)."""
    if value is None:
        return None
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


# -- fiscal quarters -----------------------------------------------------------------------------
def parse_period(text: str) -> tuple[int, int]:
    """(fiscal year, quarter) of `YYYY-Qn`; refuses anything else, saying the form."""
    found = PERIOD.match((text or "").strip())
    if not found:
        raise Refused(f"{text!r} is not a fiscal quarter; write it YYYY-Qn with n from 1 to 4,"
                      " e.g. 2026-Q2")
    return int(found[1]), int(found[2])


def quarter_of(day: date, start_month: int) -> str:
    """The fiscal quarter a day falls in, for a fiscal year starting in `start_month`."""
    year = day.year if day.month >= start_month else day.year - 1
    return f"{year}-Q{(day.month - start_month) % 12 // 3 + 1}"


def quarter_months(store: Store, period: str) -> list[date]:
    """The three months of a fiscal quarter, first of each month."""
    year, _ = parse_period(period)
    return months_of(fiscal_months(store, year), period, None)


def _today() -> date:
    return datetime.now(timezone.utc).date()


def current_quarter(store: Store) -> str:
    """The fiscal quarter today falls in: the only one open for answers."""
    return quarter_of(_today(), store.fiscal_year_start_month)


def next_quarter(period: str) -> str:
    year, quarter = parse_period(period)
    return f"{year}-Q{quarter + 1}" if quarter < 4 else f"{year + 1}-Q1"


# -- results ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Group:
    """A department's (or all's, or the neutral group's) result in one period."""
    department: str
    respondents: int  # complete ones
    incomplete: int = 0
    mean: Fraction | None = None  # None with no respondent, or withheld
    withheld: bool = False  # respondents there are, too few to show a mean

    @property
    def score(self) -> Decimal | None:
        """The mean score as shown: 1 decimal."""
        return rounded(self.mean, 1)

    @property
    def stage(self) -> str | None:
        """From the unrounded mean: 79.96 shows as 80.0 and is still aligned."""
        return stage(self.mean)


@dataclass(frozen=True)
class Item:
    """One statement's mean rating per side (None: no complete respondent, or withheld)."""
    item: int
    sales_mean: Fraction | None
    marketing_mean: Fraction | None

    @property
    def statement(self) -> str:
        return STATEMENTS[self.item - 1]

    @property
    def sales(self) -> Decimal | None:
        return rounded(self.sales_mean, 2)

    @property
    def marketing(self) -> Decimal | None:
        return rounded(self.marketing_mean, 2)

    @property
    def gap(self) -> Decimal | None:
        """Sales minus marketing, from the unrounded means; above 0 sales rates it higher."""
        if self.sales_mean is None or self.marketing_mean is None:
            return None
        return rounded(self.sales_mean - self.marketing_mean, 2)


@dataclass(frozen=True)
class Survey:
    period: str
    groups: dict[str, Group]  # sales, marketing, all, neutral
    items: list[Item] = field(default_factory=list)

    @property
    def withheld(self) -> list[Group]:
        """The groups with answers but too few respondents to show a mean."""
        return [g for g in self.groups.values() if g.withheld]

    def gaps(self) -> list[Item]:
        """The statements both sides rated, the largest disagreement first."""
        rated = [i for i in self.items if i.gap is not None]
        return sorted(rated, key=lambda i: (-abs(i.sales_mean - i.marketing_mean), i.item))


def _groups(rows: list[tuple]) -> dict[str, Group]:
    """The groups of one period from (respondent, department, items, total) rows."""
    complete: dict[str, list[int]] = {g: [] for g in GROUPS}
    incomplete = dict.fromkeys(GROUPS, 0)
    for _respondent, department, items, total in rows:
        if int(items) == len(STATEMENTS):
            complete[department].append(int(total))
        else:
            incomplete[department] += 1
    complete["all"] = complete["sales"] + complete["marketing"]
    incomplete["all"] = incomplete["sales"] + incomplete["marketing"]
    groups = {}
    for name in ("sales", "marketing", "neutral", "all"):
        scores = complete[name]
        withheld = 0 < len(scores) < MIN_RESPONDENTS
        if name == "all":
            withheld = withheld or any(groups[s].withheld for s in SIDES)
        mean = Fraction(sum(scores), len(scores)) if scores and not withheld else None
        groups[name] = Group(name, len(scores), incomplete[name], mean, withheld)
    return {g: groups[g] for g in GROUPS}


def results(store: Store, period: str) -> Survey:
    """The survey of one fiscal quarter: each group's score and stage and each statement's
    means, within the confidentiality rule. Kept per store revision."""
    parse_period(period)
    return store.reads.get(("survey", period), lambda: _results(store, period))


def _results(store: Store, period: str) -> Survey:
    with store.cursor() as cur:
        rows = cur.execute(sql.RESPONDENTS_OF, [period]).fetchall()
        item_rows = cur.execute(sql.ITEMS, [period, period]).fetchall()
    groups = _groups([r[1:] for r in rows])
    means: dict[tuple[str, int], Fraction] = {
        (department, int(item)): Fraction(int(total), int(n))
        for department, item, n, total in item_rows}

    def mean(side: str, item: int) -> Fraction | None:
        return None if groups[side].withheld else means.get((side, item))

    return Survey(period, groups, [Item(i, mean("sales", i), mean("marketing", i)) for i in ITEMS])


def trend(store: Store) -> list[Survey]:
    """Every quarter with answers, oldest first: the groups' scores (the statements' means are
    left out; ask `results` for a quarter's). Kept per store revision."""
    return store.reads.get(("survey trend",), lambda: _trend(store))


def _trend(store: Store) -> list[Survey]:
    by_period: dict[str, list[tuple]] = {}
    for period, *row in store.query(sql.RESPONDENTS):
        by_period.setdefault(period, []).append(tuple(row))
    return [Survey(p, _groups(rows)) for p, rows in sorted(by_period.items())]


def periods(store: Store) -> list[str]:
    """The quarters with answers and the current one, newest first."""
    found = {s.period for s in trend(store)} | {current_quarter(store)}
    return sorted(found, reverse=True)


# -- answering in the app -----------------------------------------------------------------------
def department_of(person: Person) -> str:
    """The group a person answers for: a head for their department, a planner for theirs;
    a planner for both departments and an executive answer as neutral."""
    if person.head_of:
        return person.head_of
    if person.role == "planner" and person.department in SIDES:
        return person.department
    return "neutral"


def _checked(ratings: Mapping[int, int]) -> dict[int, int]:
    missing = [i for i in ITEMS if ratings.get(i) is None]
    if missing:
        raise Refused(f"rate every statement: {len(missing)} of {len(STATEMENTS)} have no"
                      f" rating yet (statement {', '.join(map(str, missing[:5]))}"
                      f"{'…' if len(missing) > 5 else ''})")
    unknown = sorted(set(ratings) - set(ITEMS), key=str)
    if unknown:
        raise Refused(f"there are statements 1 to {len(STATEMENTS)} only, not {unknown[0]}")
    bad = [i for i in ITEMS if ratings[i] not in SCALE or isinstance(ratings[i], bool)]
    if bad:
        raise Refused(f"statement {bad[0]} is rated {ratings[bad[0]]!r}; rate it from 1"
                      " (strongly disagree) to 5 (strongly agree)")
    return {i: int(ratings[i]) for i in ITEMS}


def answer(store: Store, person: Person | str, period: str, ratings: Mapping[int, int]) -> None:
    """Keep the person's ratings of the 20 statements for the current fiscal quarter, replacing
    their earlier answers of it (a quarter's answers can be changed until it ends). Audited
    without the ratings: the trail says who answered when, never what."""
    who = access.require(access.person(person), "answer_survey")
    parse_period(period)
    now = current_quarter(store)
    if period != now:
        raise Refused(f"the survey of {period} is {'closed' if period < now else 'not open yet'}:"
                      f" answers are taken for the current quarter, {now}, until it ends")
    ratings = _checked(ratings)
    department = department_of(who)
    at = datetime.now(timezone.utc).replace(tzinfo=None)

    def work(cur) -> None:
        had = cur.execute(sql.OWN, [who.name, period]).fetchall()
        cur.execute(sql.FORGET_OWN, [who.name, period])
        cur.executemany(sql.ANSWER, [[who.name, department, period, i, ratings[i], at]
                                     for i in ITEMS])
        audit.record(cur, who.name, "change survey answers" if had else "answer survey",
                     f"survey {period}", after={"department": department,
                                                "statements": len(STATEMENTS)})

    store.write(work)


def own_answers(store: Store, person: Person, period: str) -> dict[int, int]:
    """The person's own ratings of a quarter (empty when they have not answered): for their
    own form only, never for anyone else's eyes."""
    return {int(item): int(score) for item, score in store.query(sql.OWN, [person.name, period])}
