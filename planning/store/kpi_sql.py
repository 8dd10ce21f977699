"""SQL summing outcomes, actuals and the adopted plan over a span of months and filters.

A span is the first and the last month of a period (`x.month BETWEEN ? AND ?`): periods are
runs of consecutive months, and a range lets DuckDB skip row groups by their min/max, where a
list would be a join. `{where}` is built by planning.kpi_values from fixed column names and `?`
placeholders only.
"""
from __future__ import annotations

# Per month and source: what the trend, the scorecard and the funnel are computed from.
OUTCOMES = """
SELECT x.month, x.sourced_by, sum(leads), sum(mqls), sum(sqls), sum(opportunities), sum(wins),
       sum(pipeline), sum(revenue), sum(renewals_due), sum(renewals_won)
FROM outcomes x WHERE x.month BETWEEN ? AND ? {where} GROUP BY x.month, x.sourced_by
"""

# Per month, owner and funnel stage.
SPEND = """
SELECT x.month, x.owner, x.funnel_stage, sum(x.amount)
FROM actuals x WHERE x.month BETWEEN ? AND ? {where}
GROUP BY x.month, x.owner, x.funnel_stage
"""

_ADOPTED_LINES = """plan_lines x JOIN scenarios s ON s.id = x.scenario_id
WHERE s.fiscal_year = ? AND s.name = ? AND x.month BETWEEN ? AND ? {where}"""

PLANNED = f"SELECT x.month, x.owner, x.funnel_stage, sum(x.amount) FROM {_ADOPTED_LINES}" \
          " GROUP BY x.month, x.owner, x.funnel_stage"

TARGETS = "SELECT kpi, period, target FROM targets WHERE fiscal_year = ?"

LAST_MONTH_WITH_DATA = """
SELECT greatest((SELECT max(month) FROM outcomes WHERE month BETWEEN $1 AND $2),
                (SELECT max(month) FROM actuals WHERE month BETWEEN $1 AND $2))
"""

# Per channel and per region (one scan each): efficiency and spend against plan.
_BY_CHANNEL_AND_REGION = """
SELECT CASE WHEN grouping(x.channel) = 0 THEN 'channel' ELSE 'region' END,
       coalesce(x.channel, x.region), {sums}
FROM {source} GROUP BY GROUPING SETS ((x.channel), (x.region))
"""
OUTCOMES_BY_PLACE = _BY_CHANNEL_AND_REGION.format(
    sums="sum(opportunities), sum(wins), sum(revenue)",
    source="outcomes x WHERE x.month BETWEEN ? AND ? {where}")
SPEND_BY_PLACE = _BY_CHANNEL_AND_REGION.format(
    sums="sum(x.amount)", source="actuals x WHERE x.month BETWEEN ? AND ? {where}")
PLANNED_BY_PLACE = _BY_CHANNEL_AND_REGION.format(sums="sum(x.amount)", source=_ADOPTED_LINES)

# Actual spend whose key matches no line of the adopted scenario: how many, and the largest
# (by size, then id). The anti-join carries only id and amount, and one aggregate both counts
# and picks (a window over the anti-join was measured 30% slower); the rows are read by id.
UNPLANNED = f"""
WITH planned AS (
    SELECT x.owner, x.category, x.funnel_stage, x.channel, x.region, x.month
    FROM {_ADOPTED_LINES}
), extra AS (
    SELECT x.id, x.amount FROM actuals x
    ANTI JOIN planned USING (owner, category, funnel_stage, channel, region, month)
    WHERE x.month BETWEEN ? AND ? {{where}}
), found AS (
    SELECT count(*) AS n, max_by(id, (abs(amount), -id), ?) AS ids FROM extra
), picked AS (SELECT unnest(ids) AS id FROM found)
SELECT a.owner, a.category, a.funnel_stage, a.channel, a.region, a.month, a.amount,
       a.reference, (SELECT n FROM found)
FROM picked JOIN actuals a USING (id) ORDER BY abs(a.amount) DESC, a.id
"""

# The same in standard SQL, for PostgreSQL (no ANTI JOIN, no max_by of the top n).
UNPLANNED_STANDARD = f"""
WITH planned AS (
    SELECT x.owner, x.category, x.funnel_stage, x.channel, x.region, x.month
    FROM {_ADOPTED_LINES}
), extra AS (
    SELECT x.id, x.amount FROM actuals x
    WHERE NOT EXISTS (SELECT 1 FROM planned p WHERE p.owner = x.owner
                      AND p.category = x.category AND p.funnel_stage = x.funnel_stage
                      AND p.channel = x.channel AND p.region = x.region AND p.month = x.month)
      AND x.month BETWEEN ? AND ? {{where}}
), picked AS (SELECT id FROM extra ORDER BY abs(amount) DESC, id LIMIT ?)
SELECT a.owner, a.category, a.funnel_stage, a.channel, a.region, a.month, a.amount,
       a.reference, (SELECT count(*) FROM extra)
FROM picked JOIN actuals a USING (id) ORDER BY abs(a.amount) DESC, a.id
"""
UNPLANNED_BY_DIALECT = {"duckdb": UNPLANNED, "postgres": UNPLANNED_STANDARD}

OPTIONS = """
SELECT DISTINCT {dim} FROM (SELECT {dim} FROM outcomes UNION SELECT {dim} FROM actuals) AS u
ORDER BY 1
"""
