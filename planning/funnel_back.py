"""The funnel worked backwards: from the revenue target to the MQLs marketing must hand over.

For each month of the fiscal year:

    revenue   = the month's revenue target in force, else the annual target ÷ 12 (the KPI
                page's rule for a month without a target of its own: `kpi_values.target_for`)
    wins      = revenue ÷ average deal size
    opportunities = wins ÷ (opportunity → win)
    SQLs      = opportunities ÷ (SQL → opportunity)
    MQLs      = SQLs ÷ (MQL → SQL)

each rounded up to a whole count before the next step (a whole win needs whole
opportunities). The inputs, each with its source and its owner as the projection names them
(deal size and the bottom of the funnel: sales; MQL → SQL: joint):

1. an override of the assumption in the year's adopted scenario, when one is set: the owner's
   stated expectation for the year, which the projection uses too, so that "needed" and
   "projected" stand on the same inputs;
2. else the firm's history: the twelve months of outcomes up to the latest month that has
   any (no later than the fiscal year's end): revenue ÷ wins, wins ÷ opportunities, and so on;
3. else the scenario's default (every month of history with spend and outcomes).

Beside the months: marketing's MQL commitment (the monthly `mqls` targets in force, and any
proposed) and the MQLs the adopted scenario's spend is projected to produce
(`planning.projection`). `write_mql_targets` proposes the needed MQLs as the monthly `mqls`
targets (in force at once when an executive does it), each with its inputs as its basis.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal

from planning import access, agreements
from planning.errors import Refused
from planning.kpi_values import fiscal_months, target_for, targets
from planning.money import CENT, ratio
from planning.people import Person
from planning.projection import SPEC, assumptions, project
from planning.scenarios import adopted_scenario
from planning.store import Store
from planning.store import funnel_back_sql as sql

HISTORY_MONTHS = 12
# (assumption, the stage it gives, its history as (top, bottom) of the sums' names)
STEPS = (("deal_size", "wins", ("revenue", "wins")),
         ("opportunity_to_win", "opportunities", ("wins", "opportunities")),
         ("sql_to_opportunity", "sqls", ("opportunities", "sqls")),
         ("mql_to_sql", "mqls", ("sqls", "mqls")))
STAGE_LABEL = {"wins": "wins", "opportunities": "opportunities", "sqls": "SQLs", "mqls": "MQLs"}


@dataclass(frozen=True)
class Input:
    name: str
    label: str
    value: Decimal | None
    owner: str
    source: str


@dataclass(frozen=True)
class MonthNeed:
    month: date
    revenue: Decimal | None
    revenue_source: str
    wins: int | None
    opportunities: int | None
    sqls: int | None
    mqls: int | None
    committed: Decimal | None  # the month's mqls target in force
    proposed: Decimal | None  # an mqls target of the month waiting for agreement
    projected: Decimal | None  # MQLs the adopted scenario's spend is projected to produce

    @property
    def period(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def shortfall(self) -> int | None:
        """Needed MQLs beyond the commitment in force (negative: committed beyond the need)."""
        if self.mqls is None or self.committed is None:
            return None
        return self.mqls - int(self.committed.to_integral_value(rounding=ROUND_CEILING))


@dataclass(frozen=True)
class FunnelBack:
    fiscal_year: int
    scenario: str | None  # the adopted scenario, None when the year has no plan
    inputs: tuple[Input, ...]
    months: tuple[MonthNeed, ...]

    @property
    def input(self) -> dict[str, Input]:
        return {i.name: i for i in self.inputs}

    def total(self, stage: str) -> int | None:
        values = [getattr(m, stage) for m in self.months]
        return None if any(v is None for v in values) else sum(values)

    def basis(self, m: MonthNeed) -> str:
        """How a month's needed MQLs were worked out, inputs and sources included."""
        inputs = self.input
        steps = []
        for name, stage, _history in STEPS:
            given = inputs[name].value
            shown = f"{given:,.2f}" if SPEC[name].money else agreements.plain(given)
            steps.append(f"÷ {inputs[name].label} {shown} = {getattr(m, stage):,}"
                         f" {STAGE_LABEL[stage]}")
        sources = "; ".join(f"{i.label}: {i.source}, owned by {i.owner}" for i in self.inputs)
        return (f"Revenue target {m.revenue:,.2f} ({m.revenue_source}) " + "; ".join(steps)
                + f", each rounded up. Inputs: {sources}.")


def _up(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_CEILING))


def _history(store: Store, months: list[date]) -> tuple[dict[str, Decimal], str] | None:
    """The funnel's sums over the twelve months of outcomes up to the latest one."""
    last = store.scalar(sql.LAST_OUTCOME_MONTH, [months[-1]])
    if last is None:
        return None
    first = date(last.year - (1 if last.month < HISTORY_MONTHS else 0),
                 (last.month - HISTORY_MONTHS) % 12 + 1, 1)
    sums = store.query(sql.HISTORY, [first, last])[0]
    names = ("revenue", "wins", "opportunities", "sqls", "mqls")
    span = f"history {first:%Y-%m} to {last:%Y-%m}"
    return dict(zip(names, (Decimal(s) for s in sums), strict=True)), span


def inputs(store: Store, year: int, scenario: str | None) -> tuple[Input, ...]:
    """The deal size and the three conversions, each with its source and owner."""
    found = {}
    if scenario is not None:
        found = {a.name: a for a in assumptions(store, year, scenario)[0] if not a.channel}
    history = _history(store, fiscal_months(store, year))
    result = []
    for name, _stage, (top, bottom) in STEPS:
        spec, given = SPEC[name], found.get(name)
        value, source = None, "no value: set it as an assumption of the adopted scenario"
        if given is not None and given.source.startswith("override") and given.value:
            value, source = given.value, f"scenario {scenario}, {given.source}"
        elif history and ratio(history[0][top], history[0][bottom]):
            value, source = ratio(history[0][top], history[0][bottom]), history[1]
        elif given is not None and given.value:
            value, source = given.value, f"scenario {scenario}'s default, {given.source}"
        if value is not None and spec.money:
            value = value.quantize(CENT)
        result.append(Input(name, spec.label, value, spec.owner, source))
    return tuple(result)


def funnel_back(store: Store, year: int) -> FunnelBack:
    """The counts each month needs to reach its revenue target, beside the MQLs committed,
    proposed and projected."""
    with store.cursor() as cur:
        scenario = adopted_scenario(cur, year)
    try:
        projected = project(store, year, scenario).months
    except Refused:  # the year has no plan (yet): nothing is projected
        scenario, projected = None, {}
    steps = inputs(store, year, scenario)
    found = targets(store, year)
    waiting = {s.key.period: s.proposal.value for s in agreements.targets_standing(store, year)
               if s.key.name == "mqls" and s.proposal is not None}
    months = []
    for m in fiscal_months(store, year):
        period = f"{m:%Y-%m}"
        revenue = target_for(store, year, "revenue", period, found, months=[m])
        source = ("monthly target" if ("revenue", period) in found else
                  "annual target ÷ 12" if revenue is not None else "no revenue target")
        counts: list[int | None] = []
        need = revenue
        for step in steps:
            need = _up(Decimal(need) / step.value) if need is not None and step.value else None
            counts.append(need)
        funnel = projected.get(m)
        months.append(MonthNeed(m, revenue, source, *counts, found.get(("mqls", period)),
                                waiting.get(period),
                                None if funnel is None else funnel.mqls.quantize(Decimal("0.1"))))
    return FunnelBack(year, scenario, steps, tuple(months))


def write_mql_targets(store: Store, actor: Person | str, year: int,
                      months: Sequence[date] | None = None) -> agreements.Outcome:
    """Propose the needed MQLs of each month (of `months`, default all) as the monthly `mqls`
    targets, with their inputs as the basis: in force once the other head agrees, at once when
    an executive or the administrator writes them."""
    who = access.require(access.person(actor), "derive_targets")
    found = funnel_back(store, year)
    changes = [agreements.Change(agreements.target(year, "mqls", m.period), Decimal(m.mqls),
                                 found.basis(m))
               for m in found.months if m.mqls is not None and (months is None or
                                                                 m.month in months)]
    if not changes:
        missing = [i.label for i in found.inputs if i.value is None]
        raise Refused("no month has a needed MQL count to write: "
                      + (f"{', '.join(missing)} has no value" if missing else
                         "the year has no revenue target"))
    return agreements.propose(store, who, changes)
