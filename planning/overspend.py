"""Lines that went over their plan: a line key's actuals of a month beyond its amount in the
adopted scenario by more than the variance thresholds (a share of the plan and an amount, the
ones `planning.variance` asks an explanation beyond). Shown after an actuals import and on the
KPI page, so an overspend is seen the day its actuals arrive, not at the month's review."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from planning.forecast import adopted_id
from planning.kpi_values import fiscal_months
from planning.store import Store
from planning.store import forecast_sql as sql
from planning.variance import beyond, thresholds


@dataclass(frozen=True)
class Overspend:
    owner: str
    category: str
    funnel_stage: str
    channel: str
    region: str
    month: date
    planned: Decimal
    actual: Decimal

    @property
    def over(self) -> Decimal:
        return self.actual - self.planned

    def describe(self, money) -> str:
        """One line for a summary: `money` formats an amount in the store's currency."""
        return (f"{self.owner} · {self.category} · {self.channel} · {self.region} ·"
                f" {self.month:%Y-%m}: spent {money(self.actual)} against"
                f" {money(self.planned)} planned ({money(self.over)} over)")


def overspent(store: Store, year: int) -> tuple[Overspend, ...]:
    """Every line and month of the fiscal year over its plan beyond both thresholds, the
    largest overspend first (kept per store revision: the KPI page asks on every rerun)."""
    return store.reads.get(("overspent", year), lambda: _overspent(store, year))


def _overspent(store: Store, year: int) -> tuple[Overspend, ...]:
    months = fiscal_months(store, year)
    share, amount = thresholds(store)
    with store.cursor() as cur:  # a year with no plan yet: all of its spend is unplanned
        rows = cur.execute(sql.OVERSPENT, [adopted_id(cur, year), months[0], months[-1]]
                           ).fetchall()
    lines = [Overspend(*r[:6], Decimal(r[6]), Decimal(r[7])) for r in rows]
    return tuple(line for line in lines if beyond(line.over, line.planned, share, amount))


SHOWN = 10  # lines a summary lists; the rest are counted


def import_summary(store: Store, years: tuple[int, ...], money) -> list[str]:
    """What an actuals import's summary adds: per fiscal year it touched, the lines now over
    their plan beyond the thresholds (the largest first, the first ten), or nothing."""
    share, amount = thresholds(store)
    said: list[str] = []
    for year in years:
        lines = overspent(store, year)
        if not lines:
            continue
        said.append(f"{len(lines)} line(s) of FY{year} went over plan by more than"
                    f" {share:.0%} and {money(amount)}:")
        said += [f"  {line.describe(money)}" for line in lines[:SHOWN]]
        if len(lines) > SHOWN:
            said.append(f"  and {len(lines) - SHOWN} more (see Where we land)")
    return said
