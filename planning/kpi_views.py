"""One view of the KPI page (a fiscal year, a period, filters): everything it shows, read in a
few grouped scans.

The fiscal year's sums per month (planning.kpi_values.Sums) give the trend, the tiles, the
previous period when it lies in the same year, the funnel and spend by owner, stage and month;
one GROUPING SETS scan per table gives channel and region; one anti-join gives unplanned spend.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import pairwise

from planning.kpi_values import (
    EMPTY,
    KpiFilter,
    KpiResult,
    Sums,
    Thresholds,
    fiscal_months,
    grade,
    last_month_with_data,
    months_of,
    period_months,
    previous_period,
    span,
    sums,
    target_for,
    targets,
    thresholds,
    values,
)
from planning.kpis import KPI, KPIS
from planning.model import OWNERS
from planning.money import CENT, ratio
from planning.store import Store
from planning.store import kpi_sql as sql

SPEND_DIMENSIONS = ("owner", "funnel_stage", "channel", "region", "month")
OUTCOME_FUNNEL = ("Leads", "MQLs", "SQLs", "Opportunities", "Wins")
SOURCES = OWNERS  # sourced_by takes the owners' names, in the same order


@dataclass(frozen=True)
class Variance:
    value: str | date
    actual: Decimal
    planned: Decimal

    @property
    def variance(self) -> Decimal:
        return self.actual - self.planned

    @property
    def share(self) -> Decimal | None:
        """(actual - planned) / planned, or none when nothing was planned."""
        return ratio(self.variance, self.planned)


@dataclass(frozen=True)
class Efficiency:
    value: str
    spend: Decimal
    opportunities: int
    wins: int
    revenue: Decimal

    @property
    def cac(self) -> Decimal | None:
        return None if not self.wins else (self.spend / self.wins).quantize(CENT)

    @property
    def cost_per_opportunity(self) -> Decimal | None:
        return None if not self.opportunities else (self.spend / self.opportunities
                                                    ).quantize(CENT)

    @property
    def roi(self) -> Decimal | None:
        return ratio(self.revenue - self.spend, self.spend)

    @property
    def revenue_per_spend(self) -> Decimal | None:
        return ratio(self.revenue, self.spend)


@dataclass(frozen=True)
class FunnelRow:
    sourced_by: str
    counts: tuple[int, int, int, int, int]  # in the order of OUTCOME_FUNNEL

    @property
    def conversions(self) -> dict[str, Decimal | None]:
        """Each stage over the one before: "Leads → MQLs", …, "Opportunities → Wins"."""
        return {f"{a} → {b}": ratio(m, n) for (a, b), (n, m) in
                zip(pairwise(OUTCOME_FUNNEL), pairwise(self.counts), strict=True)}


@dataclass(frozen=True)
class TrendPoint:
    month: date
    series: str  # "Actual", "Target", "Cumulative actual", "Cumulative target (pacing)"
    value: Decimal | int


@dataclass(frozen=True)
class Unplanned:
    count: int
    largest: list[tuple]  # owner, category, stage, channel, region, month, amount, reference


@dataclass(frozen=True)
class KpiView:
    year: int
    period: str
    months: list[date]  # of the period
    adopted: str
    limits: Thresholds
    card: dict[str, KpiResult]
    previous_period: str
    previous_months: list[date]
    previous: dict[str, Decimal | int | None] | None  # none: no data in the period before
    funnel: list[FunnelRow]
    spend_by_stage: list[tuple[str, str, Decimal]]  # (funnel stage, owner, actual spend)
    variances: dict[str, list[Variance]]  # by each of SPEND_DIMENSIONS
    unplanned: Unplanned
    efficiency: dict[str, list[Efficiency]]  # by channel and by region
    # The fiscal year month by month, for the trend.
    year_months: list[date] = field(repr=False)
    by_month: dict[date, dict[str, Decimal | int | None]] = field(repr=False)
    monthly_targets: dict[str, list[Decimal | None]] = field(repr=False)
    last_month_with_data: date | None = None

    def delta(self, kpi: str) -> Decimal | None:
        """This period's value less the previous period's, when both have one."""
        now = self.card[kpi].actual
        before = None if self.previous is None else self.previous[kpi]
        return None if now is None or before is None else Decimal(now) - Decimal(before)

    def trend(self, kpi: str) -> list[TrendPoint]:
        """Monthly actual and target; for sums also their running totals, the target's being
        the pacing line (where the year to date should be to reach the annual target)."""
        points, running, running_target = [], Decimal(0), Decimal(0)
        last = self.last_month_with_data or date.min
        additive = KPI[kpi].additive
        for month, goal in zip(self.year_months, self.monthly_targets[kpi], strict=True):
            value = self.by_month[month][kpi]
            if month <= last and value is not None:
                points.append(TrendPoint(month, "Actual", value))
                running += Decimal(value)
                if additive:
                    points.append(TrendPoint(month, "Cumulative actual", running))
            if goal is not None:
                points.append(TrendPoint(month, "Target", goal))
                if additive:
                    running_target += goal
                    points.append(TrendPoint(month, "Cumulative target (pacing)",
                                             running_target))
        return points

    def largest_variance_months(self, n: int = 3) -> list[Variance]:
        moved = [v for v in self.variances["month"] if v.variance]
        return sorted(moved, key=lambda v: (-abs(v.variance), v.value))[:n]


def options(store: Store) -> dict[str, list[str]]:
    """The regions, channels and sources a KPI view can be filtered on."""
    return store.reads.get(("kpi options",), lambda: _options(store))


def _options(store: Store) -> dict[str, list[str]]:
    found = {dim: [r[0] for r in store.query(sql.OPTIONS.format(dim=dim))]
             for dim in ("region", "channel")}
    found["sourced_by"] = list(SOURCES)
    return found


def kpi_view(store: Store, year: int, period: str, where: KpiFilter | None = None,
             *, unplanned_limit: int = 200) -> KpiView:
    """Everything the KPI page shows for one period and filter (kept per store revision)."""
    return store.reads.get(("kpi view", year, period, where, unplanned_limit),
                           lambda: _kpi_view(store, year, period, where, unplanned_limit))


def _kpi_view(store: Store, year: int, period: str, where: KpiFilter | None,
              unplanned_limit: int) -> KpiView:
    where = where or KpiFilter()
    year_months = fiscal_months(store, year)
    found = targets(store, year)
    limits = thresholds(store)
    year_sums = sums(store, year, year_months, where)
    last = last_month_with_data(store, year_months)
    months = months_of(year_months, period, last)
    in_period = set(months)
    card = grade(store, year, period, months, year_sums.total(months), where=where,
                 found=found, limits=limits)
    before_year, before = previous_period(store, year, period)
    if before_year == year:
        before_months, before_sums = months_of(year_months, before, last), year_sums
    else:
        before_months = period_months(store, before_year, before)
        before_sums = sums(store, before_year, before_months, where)
    scenario = year_sums.scenario
    place = _by_place(store, year, scenario, months, where)
    return KpiView(
        year=year, period=period, months=months, adopted=scenario, limits=limits,
        card={r.kpi: r for r in card},
        previous_period=before,
        previous_months=before_months,
        previous=(values(before_sums.total(before_months))
                  if before_sums.months_with_data & set(before_months) else None),
        funnel=_funnel(year_sums, in_period),
        spend_by_stage=_spend_by_stage(year_sums, in_period),
        variances=_variances(year_sums, in_period, place),
        unplanned=_unplanned(store, year, scenario, months, where, unplanned_limit),
        efficiency=_efficiency(place),
        year_months=year_months,
        by_month={m: values(year_sums.by_month.get(m, EMPTY)) for m in year_months},
        monthly_targets={k.name: [target_for(store, year, k.name, f"{m:%Y-%m}", found,
                                             months=[m]) if where.target_applies(k.name)
                                  else None for m in year_months] for k in KPIS},
        last_month_with_data=last,
    )


def _funnel(year_sums: Sums, months: set[date]) -> list[FunnelRow]:
    counts: dict[str, list[int]] = {}
    for month, source, *row in year_sums.outcomes:
        if month in months:
            found = counts.setdefault(source, [0] * 5)
            for i in range(5):
                found[i] += int(row[i])
    return [FunnelRow(s, tuple(counts[s])) for s in SOURCES if s in counts]


def _spend_by_stage(year_sums: Sums, months: set[date]) -> list[tuple[str, str, Decimal]]:
    found: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for month, owner, stage, amount in year_sums.spend:
        if month in months:
            found[(stage, owner)] += amount
    return [(stage, owner, amount) for (stage, owner), amount in sorted(found.items())]


@dataclass(frozen=True)
class _ByPlace:
    """Per channel and per region over the period: rows of (dimension, value, sums...)."""

    spend: list[tuple]
    planned: list[tuple]
    outcomes: list[tuple]  # opportunities, wins, revenue


def _by_place(store: Store, year: int, scenario: str, months: list[date],
              where: KpiFilter) -> _ByPlace:
    s_where, s_params = where.where(outcomes=False)
    o_where, o_params = where.where(outcomes=True)
    first_last = span(months)
    with store.cursor() as cur:
        return _ByPlace(
            cur.execute(sql.SPEND_BY_PLACE.format(where=s_where),
                        [*first_last, *s_params]).fetchall(),
            cur.execute(sql.PLANNED_BY_PLACE.format(where=s_where),
                        [year, scenario, *first_last, *s_params]).fetchall(),
            cur.execute(sql.OUTCOMES_BY_PLACE.format(where=o_where),
                        [*first_last, *o_params]).fetchall())


def _variances(year_sums: Sums, months: set[date], place: _ByPlace
               ) -> dict[str, list[Variance]]:
    """Actual against planned spend by each of SPEND_DIMENSIONS, over the period."""
    found: dict[str, dict] = {dim: defaultdict(lambda: [Decimal(0), Decimal(0)])
                              for dim in SPEND_DIMENSIONS}
    for side, rows in ((0, year_sums.spend), (1, year_sums.planned)):
        for month, owner, stage, amount in rows:
            if month in months:
                for dim, value in (("month", month), ("owner", owner), ("funnel_stage", stage)):
                    found[dim][value][side] += amount
    for side, rows in ((0, place.spend), (1, place.planned)):
        for dim, value, amount in rows:
            found[dim][value][side] += amount
    return {dim: [Variance(value, actual, planned)
                  for value, (actual, planned) in sorted(found[dim].items())]
            for dim in SPEND_DIMENSIONS}


def _unplanned(store: Store, year: int, scenario: str, months: list[date], where: KpiFilter,
               limit: int) -> Unplanned:
    clause, params = where.where(outcomes=False)
    first_last = span(months)
    rows = store.query(sql.UNPLANNED_BY_DIALECT[store.dialect.name].format(where=clause),
                       [year, scenario, *first_last, *params, *first_last, *params, limit])
    return Unplanned(rows[0][-1] if rows else 0, [r[:-1] for r in rows])


def _efficiency(place: _ByPlace) -> dict[str, list[Efficiency]]:
    """Spend against opportunities, wins and revenue by channel and by region."""
    found: dict[str, dict] = {"channel": {}, "region": {}}
    for dim, value, amount in place.spend:
        found[dim][value] = [amount, 0, 0, Decimal(0)]
    for dim, value, opps, wins, revenue in place.outcomes:
        found[dim].setdefault(value, [Decimal(0), 0, 0, Decimal(0)])[1:] = [
            int(opps), int(wins), revenue]
    return {dim: [Efficiency(value, *row) for value, row in sorted(found[dim].items())]
            for dim in found}
