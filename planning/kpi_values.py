"""The joint KPIs of a fiscal year, a period and filters, against their targets.

Periods are named as targets are: `YYYY` (the fiscal year), `YYYY-Qn` (fiscal quarter n),
`YYYY-MM` (a month), plus `YYYY-YTD` (the months up to the last one with actuals or outcomes)
and `YYYY-YTDn` (the first n months: the same span of another year).
Region and channel filters apply to outcomes, spend and plan; `sourced_by` to outcomes only
(spend is not sourced). Targets are the firm's: under a filter that keeps a part of what a sum
(revenue, wins, spend…) adds up, that sum has no target, while a rate keeps its own.
Where a period has no target of its own, counts and money take the sum of its monthly targets
when all are set, else the annual target phased evenly by month; ratios take the annual
target. Status, by default: green at or above 100% attainment, amber from
90%, red below; budget variance is green within ±5% and amber within ±10%. The thresholds are
settings of the store (`Thresholds`, `set_thresholds`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property

from planning import access, audit
from planning.errors import Refused
from planning.kpis import FORMULAS, KPI, KPIS, Totals, attainment
from planning.money import CENT, ZERO
from planning.people import Person
from planning.scenarios import adopted_scenario
from planning.store import Store
from planning.store import kpi_sql as sql


@dataclass(frozen=True)
class Thresholds:
    """Attainment from which a KPI is green / amber, and budget variance within which it is."""

    green: Decimal = Decimal("1.00")
    amber: Decimal = Decimal("0.90")
    variance_green: Decimal = Decimal("0.05")
    variance_amber: Decimal = Decimal("0.10")

    def describe(self) -> str:
        return (f"on track at {self.green * 100:.0f}% of target or better, watch from"
                f" {self.amber * 100:.0f}%, off track below (budget variance: within"
                f" ±{self.variance_green * 100:.0f}% / ±{self.variance_amber * 100:.0f}%)")


DEFAULT_THRESHOLDS = Thresholds()
SETTING = "kpi_thresholds"  # four decimals, comma-separated, in Thresholds' field order


def thresholds(store: Store) -> Thresholds:
    found = store.scalar("SELECT value FROM settings WHERE key = ?", [SETTING])
    return Thresholds(*(Decimal(v) for v in found.split(","))) if found else DEFAULT_THRESHOLDS


def set_thresholds(store: Store, actor: Person | str, new: Thresholds) -> None:
    """Change the status thresholds (an executive, or the server's administrator)."""
    who = access.require(access.person(actor), "configure")
    values = (new.green, new.amber, new.variance_green, new.variance_amber)
    if any(not Decimal(v).is_finite() or v < 0 for v in values):
        raise Refused("thresholds are numbers of 0 or more")
    if new.amber > new.green or new.variance_green > new.variance_amber:
        raise Refused("amber starts below green: green ≥ amber, and the green variance band"
                      " is the narrower one")
    before = thresholds(store)

    def work(cur) -> None:
        cur.execute("INSERT INTO settings VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET"
                    " value = excluded.value", [SETTING, ",".join(str(v) for v in values)])
        audit.record(cur, who.name, "set thresholds", "KPI status",
                     before={"thresholds": before.describe()},
                     after={"thresholds": new.describe()})

    store.write(work)


@dataclass(frozen=True)
class KpiFilter:
    regions: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    sourced_by: tuple[str, ...] = ()

    def where(self, *, outcomes: bool) -> tuple[str, list]:
        clauses, params = [], []
        fields = [("region", self.regions), ("channel", self.channels)]
        if outcomes:
            fields.append(("sourced_by", self.sourced_by))
        for column, values in fields:
            if values:
                clauses.append(f"AND x.{column} IN ({', '.join('?' for _ in values)})")
                params.extend(values)
        return " ".join(clauses), params

    def narrows(self, kpi: str) -> bool:
        """Whether the filter keeps only a part of what a KPI sums (spend is not sourced)."""
        if KPI[kpi].formula.startswith("sum of actuals"):
            return bool(self.regions or self.channels)
        return bool(self.regions or self.channels or self.sourced_by)

    def target_applies(self, kpi: str) -> bool:
        """Targets are the firm's (they have no region, channel or source): a rate's target
        holds for any part of the firm, a sum's only for the whole of it."""
        return not (KPI[kpi].additive and self.narrows(kpi))


@dataclass(frozen=True)
class KpiResult:
    kpi: str
    period: str
    actual: Decimal | int | None
    target: Decimal | None
    attainment: Decimal | None
    status: str | None  # "green", "amber", "red", or None without a target


def fiscal_months(store: Store, year: int) -> list[date]:
    start = store.fiscal_year_start_month
    return [date(year + (start - 1 + i) // 12, (start - 1 + i) % 12 + 1, 1) for i in range(12)]


def period_months(store: Store, year: int, period: str) -> list[date]:
    months = fiscal_months(store, year)
    return months_of(months, period,
                     last_month_with_data(store, months) if period.endswith("-YTD") else None)


def last_month_with_data(store: Store, months: list[date]) -> date | None:
    """The last of the months with outcomes or actual spend (plan lines are no data)."""
    return store.scalar(sql.LAST_MONTH_WITH_DATA, span(months))


def months_of(year_months: list[date], period: str, last: date | None) -> list[date]:
    """The months of a period among a fiscal year's; `last` ends the year to date."""
    suffix = period[5:] if len(period) > 4 else ""
    if not suffix:
        return year_months
    if suffix == "YTD":
        return [m for m in year_months if last is not None and m <= last]
    if suffix.startswith("YTD"):
        return year_months[: int(suffix[3:])]
    if suffix.startswith("Q"):
        n = int(suffix[1:])
        return year_months[3 * (n - 1): 3 * n]
    month = date(int(period[:4]), int(suffix), 1)
    return [month] if month in year_months else []


def previous_period(store: Store, year: int, period: str) -> tuple[int, str]:
    """The period before, with its fiscal year: the quarter or month before, or the same span
    of last year. (A month's name is its calendar month, which need not be its fiscal year.)"""
    suffix = period[5:] if len(period) > 4 else ""
    if not suffix:
        return year - 1, f"{year - 1}"
    if suffix.startswith("YTD"):
        return year - 1, f"{year - 1}-YTD{len(period_months(store, year, period))}"
    if suffix.startswith("Q"):
        n = int(suffix[1:])
        return (year, f"{year}-Q{n - 1}") if n > 1 else (year - 1, f"{year - 1}-Q4")
    months = fiscal_months(store, year)
    i = months.index(date(int(period[:4]), int(suffix), 1))
    if i:
        return year, f"{months[i - 1]:%Y-%m}"
    return year - 1, f"{fiscal_months(store, year - 1)[-1]:%Y-%m}"


def span(months: list[date]) -> list[date | None]:
    """The first and last of a period's consecutive months (none for no month: no rows)."""
    return [months[0], months[-1]] if months else [None, None]


@dataclass(frozen=True)
class Sums:
    """Grouped sums over a span of months: outcomes per (month, sourced_by), actual and
    planned spend per (month, owner, funnel stage). Every total of the KPI page adds these."""

    outcomes: list[tuple]
    spend: list[tuple]
    planned: list[tuple]
    scenario: str  # the adopted scenario the plan was read from

    @cached_property
    def by_month(self) -> dict[date, Totals]:
        found: dict[date, Totals] = {}
        for month, source, leads, mqls, sqls, opps, wins, pipeline, revenue, due, won in (
                self.outcomes):
            found[month] = found.get(month, EMPTY) + Totals(
                int(leads), int(mqls), int(sqls), int(opps), int(wins), pipeline, revenue,
                revenue if source == "marketing" else ZERO, int(due), int(won))
        for month, _owner, _stage, amount in self.spend:
            found[month] = found.get(month, EMPTY) + Totals(spend=amount)
        for month, _owner, _stage, amount in self.planned:
            found[month] = found.get(month, EMPTY) + Totals(planned=amount)
        return found

    def total(self, months: list[date] | None = None) -> Totals:
        """The sums of the given months (of every month summed when none are given)."""
        return sum((self.by_month[m] for m in (self.by_month if months is None else months)
                    if m in self.by_month), EMPTY)

    @property
    def months_with_data(self) -> set[date]:
        """Months with outcomes or actual spend (a plan line alone is no data)."""
        return {r[0] for r in self.outcomes} | {r[0] for r in self.spend}


EMPTY = Totals()


def sums(store: Store, year: int, months: list[date], where: KpiFilter) -> Sums:
    o_where, o_params = where.where(outcomes=True)
    s_where, s_params = where.where(outcomes=False)
    first_last = span(months)
    with store.cursor() as cur:
        scenario = adopted_scenario(cur, year)
        return Sums(
            cur.execute(sql.OUTCOMES.format(where=o_where), [*first_last, *o_params]).fetchall(),
            cur.execute(sql.SPEND.format(where=s_where), [*first_last, *s_params]).fetchall(),
            cur.execute(sql.PLANNED.format(where=s_where),
                        [year, scenario, *first_last, *s_params]).fetchall(),
            scenario)


def totals(store: Store, year: int, months: list[date], where: KpiFilter) -> Totals:
    """The sums of a set of months."""
    return sums(store, year, months, where).total()


def values(t: Totals) -> dict[str, Decimal | int | None]:
    return {name: formula(t) for name, formula in FORMULAS.items()}


def targets(store: Store, year: int) -> dict[tuple[str, str], Decimal]:
    return {(k, p): v for k, p, v in store.query(sql.TARGETS, [year])}


def target_for(store: Store, year: int, kpi: str, period: str,
               found: dict[tuple[str, str], Decimal], *, phase: bool = True,
               months: list[date] | None = None) -> Decimal | None:
    """The target set for the period, or (with `phase`) one derived as the module says.

    `months` are the period's months when the caller has them already."""
    if (kpi, period) in found:
        return found[(kpi, period)]
    if not phase:
        return None
    annual = found.get((kpi, str(year)))
    if not KPI[kpi].additive:
        return annual
    months = period_months(store, year, period) if months is None else months
    monthly = [found.get((kpi, f"{m:%Y-%m}")) for m in months]
    if months and all(v is not None for v in monthly):
        return sum(monthly, Decimal(0))
    if annual is None:
        return None
    return (annual * len(months) / 12).quantize(CENT)


def status(kpi: str, actual: Decimal | int | None, target: Decimal | None,
           reached: Decimal | None, limits: Thresholds = DEFAULT_THRESHOLDS) -> str | None:
    if KPI[kpi].better == "closer to 0":
        if actual is None or target is None:
            return None
        off = abs(Decimal(actual) - target)
        return ("green" if off <= limits.variance_green else
                "amber" if off <= limits.variance_amber else "red")
    if reached is None:
        return None
    return "green" if reached >= limits.green else "amber" if reached >= limits.amber else "red"


def scorecard(store: Store, year: int, period: str, where: KpiFilter | None = None,
              *, phase: bool = True) -> list[KpiResult]:
    """Every KPI for one period: actual, target, attainment and status."""
    months = period_months(store, year, period)
    where = where or KpiFilter()
    return grade(store, year, period, months, sums(store, year, months, where).total(),
                 where=where, phase=phase)


def grade(store: Store, year: int, period: str, months: list[date], actual_totals: Totals, *,
          where: KpiFilter, phase: bool = True,
          found: dict[tuple[str, str], Decimal] | None = None,
          limits: Thresholds | None = None) -> list[KpiResult]:
    """Every KPI of the totals of a period against the targets that apply to the filter
    (targets and thresholds are read unless given)."""
    actual = values(actual_totals)
    found = targets(store, year) if found is None else found
    limits = thresholds(store) if limits is None else limits
    rows = []
    for kpi in KPIS:
        target = (target_for(store, year, kpi.name, period, found, phase=phase, months=months)
                  if where.target_applies(kpi.name) else None)
        reached = attainment(kpi.name, actual[kpi.name], target)
        rows.append(KpiResult(kpi.name, period, actual[kpi.name], target, reached,
                              status(kpi.name, actual[kpi.name], target, reached, limits)))
    return rows


def year_rows(store: Store, year: int) -> list[KpiResult]:
    """The fiscal year's rows of `tandem kpis`: each KPI over the whole year against the
    annual target as set (the shared rewards are paid on these)."""
    return scorecard(store, year, str(year), phase=False)


def contract_rows(store: Store, year: int) -> list[KpiResult]:
    """What `tandem kpis` prints: each KPI for the year, plus one row per quarter or month
    target that is set (targets as set, never phased)."""
    rows = year_rows(store, year)
    periods = sorted({p for (_k, p) in targets(store, year) if len(p) > 4})
    order = {k.name: i for i, k in enumerate(KPIS)}
    found = targets(store, year)
    for period in periods:
        card = {r.kpi: r for r in scorecard(store, year, period, phase=False)}
        rows += [card[k] for k in sorted((k for (k, p) in found if p == period),
                                         key=order.__getitem__)]
    return rows


def monthly(store: Store, year: int, where: KpiFilter | None = None
            ) -> dict[date, dict[str, Decimal | int | None]]:
    """Every KPI per month of the fiscal year (the trend charts), in three grouped queries."""
    months = fiscal_months(store, year)
    found = sums(store, year, months, where or KpiFilter()).by_month
    return {m: values(found.get(m, EMPTY)) for m in months}
