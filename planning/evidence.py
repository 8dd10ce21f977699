"""The evidence beside the survey: what the store shows of how the two departments work together.

Each indicator is measured over one fiscal quarter and says which of the survey's four stages it
points to. What belongs to a quarter: the adopted scenario's plan lines of its three months (the
joint share, sign-offs, returns and open threads), the variance explanations given for its
closed months, and the KPI targets that apply to it (the fiscal year's, the quarter's or one of
its months'). An indicator with nothing to measure has no value and points to no stage.

The data's stage is the median of the stages the indicators point to; with an even number of
them, the lower of the two middle ones (the data has to show a stage to claim it).
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from planning.alignment import STAGES, parse_period, quarter_months
from planning.forecast import adopted_id
from planning.money import format_money
from planning.review import Review
from planning.scenarios import adopted_scenario
from planning.sla import sla
from planning.store import Store
from planning.store import alignment_sql as sql


@dataclass(frozen=True)
class Threshold:
    """Where an indicator's stages begin: `floors` are the least value of defined, aligned
    and integrated when higher is better, the most value of each when lower is better."""
    label: str
    unit: str  # share (a fraction), days, count
    better: str  # higher, lower
    floors: tuple[Decimal, Decimal, Decimal]
    means: str

    def stage(self, value: Decimal | None) -> str | None:
        if value is None:
            return None
        passed = sum(1 for floor in self.floors
                     if (value >= floor if self.better == "higher" else value <= floor))
        return STAGES[passed]


D = Decimal
# The one table of thresholds (the README shows it): indicator -> where each stage begins.
THRESHOLDS: dict[str, Threshold] = {
    "joint_share": Threshold(
        "Joint budget", "share", "higher", (D("0.05"), D("0.15"), D("0.30")),
        "share of the quarter's planned money on joint lines"),
    "signed_off_share": Threshold(
        "Lines signed off by the other head", "share", "higher",
        (D("0.25"), D("0.50"), D("0.90")),
        "share of the quarter's lines signed off (a sales line by the marketing head, a"
        " marketing line by the sales head, a joint line by both)"),
    "days_to_sign_off": Threshold(
        "Days from submit to sign-off", "days", "lower", (D("10"), D("5"), D("2")),
        "median days from a line's submit to the other head's sign-off of that version"),
    "returned_share": Threshold(
        "Lines returned", "share", "lower", (D("0.25"), D("0.10"), D("0.03")),
        "share of the quarter's submitted lines that were returned at least once"),
    "open_thread_share": Threshold(
        "Open comment threads", "share", "lower", (D("0.05"), D("0.02"), D("0.005")),
        "share of the quarter's lines with a comment thread and not signed off"),
    "accepted_share": Threshold(
        "Variance explanations accepted", "share", "higher", (D("0.25"), D("0.50"), D("0.80")),
        "share of the explanations of the quarter's closed months that the other head"
        " accepted"),
    "sla_in_time": Threshold(
        "MQLs touched in time", "share", "higher", (D("0.50"), D("0.75"), D("0.90")),
        "share of the quarter's MQLs that sales touched within the agreed window (of those"
        " judged: in time or breached, as `tandem sla` counts them)"),
    "mql_attainment": Threshold(
        "MQL target attained", "share", "higher", (D("0.70"), D("0.90"), D("1.00")),
        "MQLs of the quarter's closed months that have an `mqls` target, against those"
        " targets"),
    "shared_kpis": Threshold(
        "KPIs with a shared target", "count", "higher", (D("1"), D("3"), D("6")),
        "KPIs with a target for the quarter (the year's, the quarter's or a month's): every"
        " target is both departments'"),
}


@dataclass(frozen=True)
class Indicator:
    key: str
    value: Decimal | None  # a share as a fraction, days, or a count; None: nothing to measure
    detail: str  # what it was measured on, in words

    @property
    def threshold(self) -> Threshold:
        return THRESHOLDS[self.key]

    @property
    def label(self) -> str:
        return self.threshold.label

    @property
    def stage(self) -> str | None:
        return self.threshold.stage(self.value)


@dataclass(frozen=True)
class Evidence:
    period: str
    scenario: str | None  # the adopted scenario whose lines were read (None: no plan yet)
    indicators: list[Indicator]

    @property
    def stage(self) -> str | None:
        """The median of the indicators' stages (the lower middle one of an even number)."""
        ranks = sorted(STAGES.index(i.stage) for i in self.indicators if i.stage is not None)
        return STAGES[statistics.median_low(ranks)] if ranks else None

    def get(self, key: str) -> Indicator:
        return next(i for i in self.indicators if i.key == key)

    def against(self, stage: str | None) -> tuple[list[Indicator], list[Indicator]]:
        """The indicators pointing above and below a stage (the survey's): where perception
        and evidence part, the conversation to have."""
        if stage is None:
            return [], []
        rank = STAGES.index(stage)
        measured = [i for i in self.indicators if i.stage is not None]
        return ([i for i in measured if STAGES.index(i.stage) > rank],
                [i for i in measured if STAGES.index(i.stage) < rank])


def _share(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    return None if not whole else Decimal(part) / Decimal(whole)


def _days(seconds: float) -> Decimal:
    return (Decimal(str(seconds)) / 86400).quantize(Decimal("0.01"))


def evidence(store: Store, period: str) -> Evidence:
    """Every indicator of one fiscal quarter, with the stage each points to. Kept per store
    revision (the review's history is read whole)."""
    parse_period(period)
    return store.reads.get(("evidence", period), lambda: _evidence(store, period))


def _evidence(store: Store, period: str) -> Evidence:
    year, _quarter = parse_period(period)
    months = quarter_months(store, period)
    first, last = months[0], months[-1]
    with store.cursor() as cur:
        scenario = adopted_scenario(cur, year)
        sid = adopted_id(cur, year, scenario)
        if sid == -1:  # no plan for the year yet
            scenario = None
        lines, money, joint, signed, submitted, returned = (
            cur.execute(sql.QUARTER_LINES, [sid, first, last]).fetchone())
        waits = cur.execute(sql.SIGN_OFF_TIMES, [sid, first, last]).fetchall()
        said = dict(cur.execute(sql.EXPLANATIONS, [year, first, last]).fetchall())
        kpis = [r[0] for r in cur.execute(
                sql.TARGETED_KPIS,
            [year, str(year), period, *(f"{m:%Y-%m}" for m in months)]).fetchall()]
    lines, signed, submitted, returned = int(lines), int(signed), int(submitted), int(returned)
    threads = 0
    if scenario:
        threads = sum(1 for row in Review(store).open_threads(year, scenario)
                      if first <= _day(row[5]) <= last)
    seconds = [(signed_at - submitted_at).total_seconds()
               for _line, _dept, signed_at, submitted_at in waits]
    explained = sum(int(n) for n in said.values())
    accepted = int(said.get("accepted", 0))
    hand_off = [m for m in sla(store, year).months if first <= m.month <= last]
    in_time = sum(m.in_time for m in hand_off)
    judged = in_time + sum(m.breaches for m in hand_off)
    targeted = [m for m in hand_off if m.stage == "closed" and m.mql_target]
    mqls, mql_target = sum(m.mqls for m in targeted), sum(m.mql_target for m in targeted)
    quarter_lines = f"{lines:,} lines of {period}" + (f" ({scenario})" if scenario else "")
    return Evidence(period, scenario, [
        Indicator("joint_share", _share(joint, money),
                  f"{format_money(joint, store.currency)} of"
                  f" {format_money(money, store.currency)}"
                  f" planned on {quarter_lines}"),
        Indicator("signed_off_share", _share(signed, lines),
                  f"{signed:,} of {quarter_lines} signed off"),
        Indicator("days_to_sign_off", _days(statistics.median(seconds)) if seconds else None,
                  f"median of {len(seconds):,} sign-offs"),
        Indicator("returned_share", _share(returned, submitted),
                  f"{returned:,} of {submitted:,} submitted lines returned at least once"),
        Indicator("open_thread_share", _share(threads, lines),
                  f"{threads:,} open thread(s) on {quarter_lines}"),
        Indicator("accepted_share", _share(accepted, explained),
                  f"{accepted:,} of {explained:,} explanation(s) accepted"),
        Indicator("sla_in_time", _share(in_time, judged),
                  f"{in_time:,} of {judged:,} MQLs judged were touched in time"),
        Indicator("mql_attainment", _share(mqls, mql_target),
                  f"{mqls:,} MQLs against a target of {mql_target:,.0f} in {len(targeted)}"
                  " closed month(s)"),
        # A quarter of a year with neither a plan nor a target has nothing to show yet.
        Indicator("shared_kpis", Decimal(len(kpis)) if kpis or lines else None,
                  ", ".join(kpis) if kpis else "no target set for the quarter"),
    ])


def _day(value) -> date:
    return value if type(value) is date else date.fromisoformat(str(value)[:10])
