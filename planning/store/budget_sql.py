"""SQL of the Budget page: every total is summed by the store on exact DECIMAL(18,2) amounts."""
from __future__ import annotations

from planning.store.migrations import plan_totals_of

# A scenario's totals: (dim, value, owner, total, lines), every line once under each dimension
# (see migration 0017_plan_totals; a month is its first day as text).
TOTALS = """
SELECT t.dim, t.value, t.owner, t.total, t.lines FROM plan_totals t WHERE t.scenario_id = ?
"""

# The same of the lines a filter keeps, in one read of them (a scenario's million lines are read
# once for every breakdown, not once each). `{where}` is built by planning.budget from fixed
# column names and `?` placeholders only.
FILTERED_TOTALS = """
WITH f AS MATERIALIZED (
    SELECT l.scenario_id, l.owner, l.funnel_stage, l.category, l.channel, l.region, l.month,
           l.amount
    FROM plan_lines l WHERE {where}
)
SELECT dim, value, owner, total, lines FROM (""" + plan_totals_of("f") + ") AS t"

LINES_PAGE = """
SELECT l.id, l.owner, l.category, l.funnel_stage, l.channel, l.region, l.month, l.amount,
       l.description, l.status, l.version, l.locked
FROM plan_lines l WHERE {where}
ORDER BY {order}, l.id
LIMIT ? OFFSET ?
"""

SCENARIO_ID = "SELECT id FROM scenarios WHERE fiscal_year = ? AND name = ?"

POOL = "SELECT pool FROM fiscal_years WHERE fiscal_year = ?"

SET_POOL = """
INSERT INTO fiscal_years (fiscal_year, pool) VALUES (?, ?)
ON CONFLICT (fiscal_year) DO UPDATE SET pool = excluded.pool
"""

ADOPTED = "SELECT adopted_scenario FROM fiscal_years WHERE fiscal_year = ?"

FISCAL_YEARS = """
SELECT fiscal_year FROM fiscal_years
UNION SELECT fiscal_year FROM scenarios
ORDER BY 1 DESC
"""

# Every scenario of a year with its lines and amount per owner, from its totals by month
# (owner is NULL for a scenario without lines).
SCENARIOS = """
SELECT s.name, s.locked, t.owner, CAST(coalesce(sum(t.lines), 0) AS BIGINT),
       coalesce(sum(t.total), 0)
FROM scenarios s LEFT JOIN plan_totals t ON t.scenario_id = s.id AND t.dim = 'month'
WHERE s.fiscal_year = ?
GROUP BY s.name, s.locked, t.owner ORDER BY s.name
"""
