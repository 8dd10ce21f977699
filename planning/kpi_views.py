"""The breakdowns of the KPI page: the funnel by source, spend against plan, efficiency."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from planning.kpi_values import KpiFilter
from planning.money import CENT, ratio
from planning.store import Store
from planning.store import kpi_sql as sql

SPEND_DIMENSIONS = ("owner", "funnel_stage", "channel", "region", "month")


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


def _adopted(store: Store, year: int) -> str:
    return store.scalar("SELECT adopted_scenario FROM fiscal_years WHERE fiscal_year = ?",
                        [year]) or "baseline"


def options(store: Store) -> dict[str, list[str]]:
    found = {dim: [r[0] for r in store.query(sql.OPTIONS.format(dim=dim))]
             for dim in ("region", "channel")}
    found["sourced_by"] = ["marketing", "sales", "joint"]
    return found


def funnel_by_source(store: Store, months: list[date], where: KpiFilter) -> list[tuple]:
    """(sourced_by, leads, MQLs, SQLs, opportunities, wins)."""
    clause, params = where.where(outcomes=True)
    return store.query(sql.FUNNEL_BY_SOURCE.format(where=clause), [months, *params])


def spend_by_stage(store: Store, months: list[date], where: KpiFilter) -> list[tuple]:
    """(funnel stage, owner, actual spend)."""
    clause, params = where.where(outcomes=False)
    return store.query(sql.SPEND_BY_STAGE.format(where=clause), [months, *params])


def spend_vs_plan(store: Store, year: int, months: list[date], where: KpiFilter,
                  dim: str) -> list[Variance]:
    if dim not in SPEND_DIMENSIONS:
        raise ValueError(f"cannot compare spend by {dim!r}")
    clause, params = where.where(outcomes=False)
    rows = store.query(sql.SPEND_VS_PLAN.format(dim=dim, where=clause),
                       [months, *params, year, _adopted(store, year), months, *params])
    return [Variance(*r) for r in rows]


def unplanned(store: Store, year: int, months: list[date], where: KpiFilter,
              limit: int = 200) -> tuple[int, list[tuple]]:
    """Actual spend whose key matches no line of the adopted scenario: (how many, the
    `limit` largest)."""
    clause, params = where.where(outcomes=False)
    rows = store.query(sql.UNPLANNED.format(where=clause.replace("x.", "a.")),
                       [year, _adopted(store, year), months, *params, limit])
    return (rows[0][-1] if rows else 0), [r[:-1] for r in rows]


def efficiency(store: Store, months: list[date], where: KpiFilter, dim: str) -> list[Efficiency]:
    if dim not in ("channel", "region"):
        raise ValueError(f"cannot measure efficiency by {dim!r}")
    s_where, s_params = where.where(outcomes=False)
    o_where, o_params = where.where(outcomes=True)
    rows = store.query(sql.EFFICIENCY.format(dim=dim, s_where=s_where, o_where=o_where),
                       [months, *s_params, months, *o_params])
    return [Efficiency(r[0], r[1], int(r[2]), int(r[3]), r[4]) for r in rows]
