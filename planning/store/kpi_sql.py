"""SQL summing outcomes, actuals and the adopted plan over a set of months and filters.

`{where}` is built by planning.kpi_values from fixed column names and `?` placeholders only.
"""
from __future__ import annotations

OUTCOMES = """
SELECT {group} sum(leads), sum(mqls), sum(sqls), sum(opportunities), sum(wins),
       sum(pipeline), sum(revenue), sum(revenue) FILTER (WHERE sourced_by = 'marketing'),
       sum(renewals_due), sum(renewals_won)
FROM outcomes x WHERE x.month IN (SELECT unnest(?)) {where}
{group_by}
"""

SPEND = """
SELECT {group} sum(amount) FROM actuals x WHERE x.month IN (SELECT unnest(?)) {where} {group_by}
"""

PLANNED = """
SELECT {group} sum(x.amount)
FROM plan_lines x JOIN scenarios s ON s.id = x.scenario_id
WHERE s.fiscal_year = ? AND s.name = ? AND x.month IN (SELECT unnest(?)) {where} {group_by}
"""

TARGETS = "SELECT kpi, period, target FROM targets WHERE fiscal_year = ?"

LAST_MONTH_WITH_DATA = """
SELECT max(month) FROM (SELECT month FROM outcomes UNION ALL SELECT month FROM actuals)
WHERE month IN (SELECT unnest(?))
"""

# Actual spend whose key matches no line of the adopted scenario: how many, and the largest.
UNPLANNED = """
WITH planned AS (
    SELECT l.owner, l.category, l.funnel_stage, l.channel, l.region, l.month
    FROM plan_lines l JOIN scenarios s ON s.id = l.scenario_id
    WHERE s.fiscal_year = ? AND s.name = ?
), extra AS (
    SELECT a.* FROM actuals a
    ANTI JOIN planned USING (owner, category, funnel_stage, channel, region, month)
    WHERE a.month IN (SELECT unnest(?)) {where}
)
SELECT owner, category, funnel_stage, channel, region, month, amount, reference,
       count(*) OVER () AS n
FROM extra ORDER BY abs(amount) DESC LIMIT ?
"""

FUNNEL_BY_SOURCE = """
SELECT sourced_by, sum(leads), sum(mqls), sum(sqls), sum(opportunities), sum(wins)
FROM outcomes x WHERE x.month IN (SELECT unnest(?)) {where}
GROUP BY sourced_by ORDER BY sourced_by
"""

SPEND_BY_STAGE = """
SELECT funnel_stage, owner, sum(amount) FROM actuals x
WHERE x.month IN (SELECT unnest(?)) {where} GROUP BY ALL
"""

# `{dim}` is one of owner, funnel_stage, channel, region, month (fixed names).
SPEND_VS_PLAN = """
WITH a AS (SELECT x.{dim} AS v, sum(x.amount) AS actual FROM actuals x
           WHERE x.month IN (SELECT unnest(?)) {where} GROUP BY 1),
     p AS (SELECT x.{dim} AS v, sum(x.amount) AS planned
           FROM plan_lines x JOIN scenarios s ON s.id = x.scenario_id
           WHERE s.fiscal_year = ? AND s.name = ? AND x.month IN (SELECT unnest(?)) {where}
           GROUP BY 1)
SELECT coalesce(a.v, p.v), coalesce(a.actual, 0), coalesce(p.planned, 0)
FROM a FULL OUTER JOIN p ON a.v = p.v ORDER BY 1
"""

# `{dim}` is channel or region.
EFFICIENCY = """
WITH s AS (SELECT x.{dim} AS v, sum(x.amount) AS spend FROM actuals x
           WHERE x.month IN (SELECT unnest(?)) {s_where} GROUP BY 1),
     o AS (SELECT x.{dim} AS v, sum(opportunities) AS opps, sum(wins) AS wins,
                  sum(revenue) AS revenue
           FROM outcomes x WHERE x.month IN (SELECT unnest(?)) {o_where} GROUP BY 1)
SELECT coalesce(s.v, o.v), coalesce(s.spend, 0), coalesce(o.opps, 0), coalesce(o.wins, 0),
       coalesce(o.revenue, 0)
FROM s FULL OUTER JOIN o ON s.v = o.v ORDER BY 1
"""

OPTIONS = """
SELECT DISTINCT {dim} FROM (SELECT {dim} FROM outcomes UNION SELECT {dim} FROM actuals) ORDER BY 1
"""
