"""The joint KPIs of the data contract: one definition each, shared by pages, command and README."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from decimal import Decimal

from planning.money import CENT, ZERO, ratio


@dataclass(frozen=True)
class KpiDefinition:
    name: str
    label: str
    formula: str
    unit: str  # "money", "count" or "ratio"
    better: str  # "higher", "lower" or "closer to 0"

    @property
    def in_sentence(self) -> str:
        """The label inside a sentence: `revenue`, `win rate`, but `CAC` and `MQLs`."""
        return self.label if self.label[:2].isupper() else self.label[0].lower() + self.label[1:]

    @property
    def additive(self) -> bool:
        """A sum over months (its targets add up across periods), not a ratio."""
        return self.formula.startswith("sum of")


KPIS: tuple[KpiDefinition, ...] = (
    KpiDefinition("revenue", "Revenue", "sum of outcomes.revenue", "money", "higher"),
    KpiDefinition("pipeline", "Pipeline", "sum of outcomes.pipeline", "money", "higher"),
    KpiDefinition("leads", "Leads", "sum of outcomes.leads", "count", "higher"),
    KpiDefinition("mqls", "MQLs", "sum of outcomes.mqls", "count", "higher"),
    KpiDefinition("sqls", "SQLs", "sum of outcomes.sqls", "count", "higher"),
    KpiDefinition("opportunities", "Opportunities", "sum of outcomes.opportunities", "count",
                  "higher"),
    KpiDefinition("wins", "Wins", "sum of outcomes.wins", "count", "higher"),
    KpiDefinition("win_rate", "Win rate", "wins / opportunities", "ratio", "higher"),
    KpiDefinition("lead_to_win", "Lead to win", "wins / leads", "ratio", "higher"),
    KpiDefinition("spend", "Spend", "sum of actuals.amount", "money", "lower"),
    KpiDefinition("budget_variance", "Budget variance",
                  "(spend - planned) / planned, planned = the adopted scenario's lines",
                  "ratio", "closer to 0"),
    KpiDefinition("cac", "CAC", "spend / wins", "money", "lower"),
    KpiDefinition("roi", "ROI", "(revenue - spend) / spend", "ratio", "higher"),
    KpiDefinition("marketing_sourced_share", "Marketing-sourced share",
                  "revenue with sourced_by = marketing / revenue", "ratio", "higher"),
    KpiDefinition("retention_rate", "Retention rate", "renewals_won / renewals_due", "ratio",
                  "higher"),
)

KPI_NAMES: tuple[str, ...] = tuple(k.name for k in KPIS)


@dataclass(frozen=True)
class Totals:
    """The sums every KPI is computed from, over one set of months and filters."""

    leads: int = 0
    mqls: int = 0
    sqls: int = 0
    opportunities: int = 0
    wins: int = 0
    pipeline: Decimal = ZERO
    revenue: Decimal = ZERO
    marketing_revenue: Decimal = ZERO
    renewals_due: int = 0
    renewals_won: int = 0
    spend: Decimal = ZERO
    planned: Decimal = ZERO

    def __add__(self, other: Totals) -> Totals:
        return Totals(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))


# One formula per KPI, as the data contract defines it.
FORMULAS: dict[str, Callable[[Totals], Decimal | int | None]] = {
    "revenue": lambda t: t.revenue,
    "pipeline": lambda t: t.pipeline,
    "leads": lambda t: t.leads,
    "mqls": lambda t: t.mqls,
    "sqls": lambda t: t.sqls,
    "opportunities": lambda t: t.opportunities,
    "wins": lambda t: t.wins,
    "win_rate": lambda t: ratio(t.wins, t.opportunities),
    "lead_to_win": lambda t: ratio(t.wins, t.leads),
    "spend": lambda t: t.spend,
    "budget_variance": lambda t: ratio(t.spend - t.planned, t.planned),
    "cac": lambda t: None if not t.wins else (t.spend / t.wins).quantize(CENT),
    "roi": lambda t: ratio(t.revenue - t.spend, t.spend),
    "marketing_sourced_share": lambda t: ratio(t.marketing_revenue, t.revenue),
    "retention_rate": lambda t: ratio(t.renewals_won, t.renewals_due),
}
KPI = {k.name: k for k in KPIS}
assert set(FORMULAS) == set(KPI_NAMES)


def attainment(kpi: str, actual: Decimal | int | None,
               target: Decimal | None) -> Decimal | None:
    """actual / target for 'higher' KPIs, target / actual for 'lower' ones; none otherwise."""
    if actual is None or target is None:
        return None
    better = KPI[kpi].better
    if better == "higher":
        return ratio(actual, target)
    if better == "lower":
        return ratio(target, actual)
    return None  # budget variance: judged by its distance from the target, not a ratio
