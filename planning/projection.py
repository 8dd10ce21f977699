"""Project the shared funnel from a scenario's spend and a handful of assumptions.

The model, kept simple on purpose (the README shows it):

    leads         = Σ over channels of  top-of-funnel spend × lead_spend_share / cost_per_lead
    MQLs          = leads × lead_to_mql             (marketing owns the top of the funnel)
    SQLs          = MQLs × mql_to_sql               (joint)
    opportunities = SQLs × sql_to_opportunity       (sales owns the bottom)
    wins          = opportunities × opportunity_to_win
    pipeline      = opportunities × pipeline_per_opportunity
    revenue       = wins × deal_size
    CAC = spend / wins,  ROI = (revenue - spend) / spend,  spend = every line of the month

Top-of-funnel spend is the plan's awareness and consideration lines. Defaults come from the
firm's own history: the months that have both actuals and outcomes.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from planning import access, audit
from planning.errors import Refused
from planning.money import CENT, ZERO, ratio
from planning.people import Person
from planning.scenarios import scenario_id
from planning.store import Store
from planning.store import projection_sql as sql


@dataclass(frozen=True)
class AssumptionSpec:
    name: str
    label: str
    owner: str
    per_channel: bool = False
    money: bool = False


SPECS: tuple[AssumptionSpec, ...] = (
    AssumptionSpec("cost_per_lead", "Cost per lead", "marketing", per_channel=True, money=True),
    AssumptionSpec("lead_spend_share", "Share of top-of-funnel spend that produces leads",
                   "marketing"),
    AssumptionSpec("lead_to_mql", "Lead → MQL", "marketing"),
    AssumptionSpec("mql_to_sql", "MQL → SQL", "joint"),
    AssumptionSpec("sql_to_opportunity", "SQL → opportunity", "sales"),
    AssumptionSpec("opportunity_to_win", "Opportunity → win", "sales"),
    AssumptionSpec("deal_size", "Average deal size", "sales", money=True),
    AssumptionSpec("pipeline_per_opportunity", "Pipeline per opportunity", "sales", money=True),
)
SPEC = {s.name: s for s in SPECS}
ALL_CHANNELS = ""  # the channel of an assumption that is not per channel, or the firm-wide CPL


@dataclass(frozen=True)
class Assumption:
    name: str
    channel: str
    value: Decimal | None
    owner: str
    source: str
    default: Decimal | None = None

    @property
    def label(self) -> str:
        return SPEC[self.name].label + (f" · {self.channel}" if self.channel else "")


@dataclass(frozen=True)
class Funnel:
    """Projected (or summed) figures of a month or a year; counts are expected values."""

    spend: Decimal = ZERO
    leads: Decimal = ZERO
    mqls: Decimal = ZERO
    sqls: Decimal = ZERO
    opportunities: Decimal = ZERO
    wins: Decimal = ZERO
    pipeline: Decimal = ZERO
    revenue: Decimal = ZERO

    def __add__(self, other: Funnel) -> Funnel:
        return Funnel(*(a + b for a, b in zip(self._values(), other._values(), strict=True)))

    def _values(self) -> tuple[Decimal, ...]:
        return (self.spend, self.leads, self.mqls, self.sqls, self.opportunities, self.wins,
                self.pipeline, self.revenue)

    @property
    def cac(self) -> Decimal | None:
        return None if not self.wins else (self.spend / self.wins).quantize(CENT)

    @property
    def roi(self) -> Decimal | None:
        return ratio(self.revenue - self.spend, self.spend)


@dataclass(frozen=True)
class Projection:
    scenario: str
    months: dict[date, Funnel]
    assumptions: list[Assumption]
    history_months: list[date] = field(default_factory=list)

    @property
    def total(self) -> Funnel:
        total = Funnel()
        for funnel in self.months.values():
            total = total + funnel
        return total


def history_defaults(store: Store) -> tuple[list[Assumption], list[date]]:
    """Default assumptions from the months that have both actuals and outcomes."""
    months = [r[0] for r in store.query(sql.HISTORY_MONTHS)]
    rows = store.query(sql.HISTORY_BY_CHANNEL, [months, months]) if months else []
    span = f"history {months[0]:%Y-%m}…{months[-1]:%Y-%m}" if months else "no history"
    totals = [sum((Decimal(r[i]) for r in rows), Decimal(0)) for i in range(1, 9)]
    spend, leads, mqls, sqls, opps, wins, pipeline, revenue = totals
    found = [Assumption("cost_per_lead", ALL_CHANNELS, ratio(spend, leads), "marketing", span)]
    found += [Assumption("cost_per_lead", r[0], ratio(r[1], r[2]), "marketing", span)
              for r in rows if r[2] and r[1]]
    found += [
        Assumption("lead_spend_share", "", Decimal(1), "marketing",
                   "default: the cost per lead already counts all top-of-funnel spend"),
        Assumption("lead_to_mql", "", ratio(mqls, leads), "marketing", span),
        Assumption("mql_to_sql", "", ratio(sqls, mqls), "joint", span),
        Assumption("sql_to_opportunity", "", ratio(opps, sqls), "sales", span),
        Assumption("opportunity_to_win", "", ratio(wins, opps), "sales", span),
        Assumption("deal_size", "", ratio(revenue, wins), "sales", span),
        Assumption("pipeline_per_opportunity", "", ratio(pipeline, opps), "sales", span),
    ]
    return [replace(a, default=a.value) for a in found], months


def assumptions(store: Store, year: int, scenario: str) -> tuple[list[Assumption], list[date]]:
    """The scenario's assumptions: history defaults, with its overrides applied on top."""
    defaults, months = history_defaults(store)
    with store.cursor() as cur:
        sid = scenario_id(cur, year, scenario)
        overrides = cur.execute(sql.OVERRIDES, [sid]).fetchall()
    by_key = {(a.name, a.channel): a for a in defaults}
    for name, channel, value, set_by, reason, set_at in overrides:
        base = by_key.get((name, channel))
        by_key[(name, channel)] = Assumption(
            name, channel, value, SPEC[name].owner,
            f"override by {set_by} on {set_at:%Y-%m-%d}: {reason}",
            base.default if base else None)
    return list(by_key.values()), months


def set_assumption(store: Store, year: int, scenario: str, name: str, value: Decimal,
                   actor: Person | str, reason: str, channel: str = ALL_CHANNELS) -> None:
    """Override one assumption for a scenario; the reason is kept and audited.

    Marketing owns the top of the funnel, sales the bottom, MQL → SQL is joint: only that side
    may override an assumption.
    """
    who = access.require(access.person(actor), "set_assumption")
    if name not in SPEC:
        raise Refused(f"unknown assumption {name!r}; use one of {', '.join(SPEC)}")
    access.require_owners(who, [SPEC[name].owner], f"override {SPEC[name].label}, owned by")
    if channel and not SPEC[name].per_channel:
        raise Refused(f"{name} is one figure for all channels")
    value = Decimal(value)
    if value < 0 or (name == "cost_per_lead" and value == 0):
        raise Refused(f"{SPEC[name].label} must be more than zero" if name == "cost_per_lead"
                      else f"{SPEC[name].label} cannot be negative")
    if not reason.strip():
        raise Refused("say why the assumption is overridden: the reason is shown to both heads")

    def work(cur) -> None:
        sid = scenario_id(cur, year, scenario, writable=True)
        cur.execute(sql.SET_OVERRIDE, [sid, name, channel, value, who.name, reason.strip()])
        audit.record(cur, who.name, "set assumption", f"scenario {scenario}",
                     after={"name": name, "channel": channel, "value": str(value)},
                     reason=reason.strip())

    store.write(work)


def clear_assumption(store: Store, year: int, scenario: str, name: str, actor: Person | str,
                     channel: str = ALL_CHANNELS) -> None:
    who = access.require(access.person(actor), "set_assumption")
    if name not in SPEC:
        raise Refused(f"unknown assumption {name!r}; use one of {', '.join(SPEC)}")
    access.require_owners(who, [SPEC[name].owner], f"override {SPEC[name].label}, owned by")

    def work(cur) -> None:
        sid = scenario_id(cur, year, scenario, writable=True)
        cur.execute(sql.CLEAR_OVERRIDE, [sid, name, channel])
        audit.record(cur, who.name, "clear assumption", f"scenario {scenario}",
                     after={"name": name, "channel": channel})

    store.write(work)


def project(store: Store, year: int, scenario: str) -> Projection:
    found, months = assumptions(store, year, scenario)
    value = {(a.name, a.channel): a.value for a in found}
    with store.cursor() as cur:
        sid = scenario_id(cur, year, scenario)
        planned = cur.execute(sql.PLANNED_SPEND, [sid]).fetchall()
    share = value.get(("lead_spend_share", "")) or ZERO
    rates = [value.get((n, "")) or ZERO for n in
             ("lead_to_mql", "mql_to_sql", "sql_to_opportunity", "opportunity_to_win")]
    deal = value.get(("deal_size", "")) or ZERO
    per_opp = value.get(("pipeline_per_opportunity", "")) or ZERO
    firm_cpl = value.get(("cost_per_lead", ""))
    leads_by_month: dict[date, Decimal] = defaultdict(Decimal)
    spend_by_month: dict[date, Decimal] = defaultdict(Decimal)
    for month, channel, top, spend in planned:
        cpl = value.get(("cost_per_lead", channel)) or firm_cpl
        leads_by_month[month] += top * share / cpl if cpl else ZERO
        spend_by_month[month] += spend
    result = {}
    for month in sorted(spend_by_month):
        leads = leads_by_month[month]
        mqls = leads * rates[0]
        sqls = mqls * rates[1]
        opps = sqls * rates[2]
        wins = opps * rates[3]
        result[month] = Funnel(spend_by_month[month], leads, mqls, sqls, opps, wins,
                               (opps * per_opp).quantize(CENT), (wins * deal).quantize(CENT))
    return Projection(scenario, result, found, months)
