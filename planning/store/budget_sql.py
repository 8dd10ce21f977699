"""SQL of the Budget page: every total is summed by DuckDB on DECIMAL(18,2)."""
from __future__ import annotations

# `{where}` is built by planning.budget from fixed column names and `?` placeholders only.
TOTALS = """
SELECT l.owner, sum(l.amount), count(*)
FROM plan_lines l WHERE {where}
GROUP BY l.owner
"""

BY_DIMENSION = """
SELECT l.{dim} AS value, l.owner, sum(l.amount) AS amount
FROM plan_lines l WHERE {where}
GROUP BY l.{dim}, l.owner ORDER BY value, l.owner
"""

MONTHLY = """
SELECT l.month, l.owner, sum(l.amount)
FROM plan_lines l WHERE {where}
GROUP BY l.month, l.owner ORDER BY l.month, l.owner
"""

LINES_PAGE = """
SELECT l.id, l.owner, l.category, l.funnel_stage, l.channel, l.region, l.month, l.amount,
       l.description, l.status, l.version, l.locked
FROM plan_lines l WHERE {where}
ORDER BY {order}, l.id
LIMIT ? OFFSET ?
"""

OPTIONS = """
SELECT DISTINCT l.{dim} FROM plan_lines l WHERE l.scenario_id = ? ORDER BY 1
"""

MONTH_RANGE = "SELECT min(l.month), max(l.month) FROM plan_lines l WHERE l.scenario_id = ?"

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

# Every scenario of a year with its lines and amount per owner, in one pass over the lines
# (owner is NULL for a scenario without lines).
SCENARIOS = """
SELECT s.name, s.locked, l.owner, count(l.id), coalesce(sum(l.amount), 0)
FROM scenarios s LEFT JOIN plan_lines l ON l.scenario_id = s.id
WHERE s.fiscal_year = ?
GROUP BY s.name, s.locked, l.owner ORDER BY s.name
"""
