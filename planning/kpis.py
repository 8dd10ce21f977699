"""The joint KPIs of the data contract: one definition each, shared by pages, command and README."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KpiDefinition:
    name: str
    label: str
    formula: str
    unit: str  # "money", "count" or "ratio"
    better: str  # "higher", "lower" or "closer to 0"


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
