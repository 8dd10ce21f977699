"""Compare 2-4 scenarios side by side: allocation, projected funnel, and the lines that differ."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from planning.budget import DIMENSIONS, totals_under
from planning.errors import Refused
from planning.money import ZERO
from planning.projection import Projection, project
from planning.scenarios import scenario_id
from planning.store import Store
from planning.store import compare_sql as sql

METRICS = ("spend", "leads", "mqls", "sqls", "opportunities", "wins", "pipeline", "revenue",
           "cac", "roi")


@dataclass(frozen=True)
class Delta:
    absolute: Decimal | None
    percent: Decimal | None  # None when the base is zero or missing


def delta(base: Decimal | None, other: Decimal | None) -> Delta:
    if base is None or other is None:
        return Delta(None, None)
    change = other - base
    return Delta(change, None if not base else (change / abs(base) * 100).quantize(Decimal("0.1")))


@dataclass(frozen=True)
class LineDifference:
    owner: str
    category: str
    funnel_stage: str
    channel: str
    region: str
    month: date
    base: Decimal
    other: Decimal
    difference: Decimal


@dataclass(frozen=True)
class Comparison:
    year: int
    names: list[str]
    allocation: dict[str, list[tuple[str, dict[str, Decimal]]]]  # dim -> (value, name -> amount)
    projections: dict[str, Projection]
    differences: dict[str, list[LineDifference]]  # other scenario -> lines vs the first
    different_lines: dict[str, int]
    start_month: int = 1  # the fiscal year's first month

    @property
    def base(self) -> str:
        return self.names[0]

    def totals(self) -> dict[str, dict[str, Decimal | None]]:
        """metric -> scenario -> projected value for the year."""
        return {m: {n: getattr(self.projections[n].total, m) for n in self.names}
                for m in METRICS}

    def by_period(self, metric: str, period: str = "quarter") -> dict[str, dict[str, Decimal]]:
        """Projected metric per fiscal quarter (Q1 starts at the fiscal year's first month)."""
        out: dict[str, dict[str, Decimal]] = {}
        for name in self.names:
            for month in sorted(self.projections[name].months):
                quarter = (month.month - self.start_month) % 12 // 3 + 1
                key = f"Q{quarter}" if period == "quarter" else f"{month:%Y-%m}"
                bucket = out.setdefault(key, {n: ZERO for n in self.names})
                bucket[name] += getattr(self.projections[name].months[month], metric)
        return out


def compare(store: Store, year: int, names: list[str], *, top: int = 25) -> Comparison:
    names = list(dict.fromkeys(n.strip() for n in names))
    if not 2 <= len(names) <= 4:
        raise Refused("compare 2 to 4 different scenarios")
    with store.cursor() as cur:
        ids = {n: scenario_id(cur, year, n) for n in names}
        allocation = {}
        marks = ", ".join("?" for _ in names)
        for dim in DIMENSIONS:
            value = "t.owner" if dim == "owner" else "t.value"
            rows = cur.execute(sql.BY_DIMENSION.format(value=value, names=marks),
                               [year, totals_under(dim), *names]).fetchall()
            table: dict[str, dict[str, Decimal]] = {}
            for value, name, amount in rows:
                table.setdefault(value, {n: ZERO for n in names})[name] = amount
            allocation[dim] = sorted(table.items())
        differences, counts = {}, {}
        for other in names[1:]:
            params = [ids[names[0]], ids[other]]
            differences[other] = [LineDifference(*r) for r in
                                  cur.execute(sql.LINE_DIFFERENCES, [*params, top]).fetchall()]
            counts[other] = cur.execute(sql.COUNT_DIFFERENT, params).fetchone()[0]
    projections = {n: project(store, year, n) for n in names}
    return Comparison(year, names, allocation, projections, differences, counts,
                      store.fiscal_year_start_month)
