"""SQL comparing scenarios of one fiscal year."""
from __future__ import annotations

# `{dim}` is one of planning.budget.DIMENSIONS; `{names}` is a list of `?`.
BY_DIMENSION = """
SELECT l.{dim}, s.name, sum(l.amount)
FROM plan_lines l JOIN scenarios s ON s.id = l.scenario_id
WHERE s.fiscal_year = ? AND s.name IN ({names})
GROUP BY l.{dim}, s.name ORDER BY 1, 2
"""

# Lines whose amount differs most between a base scenario and another (a missing line is 0).
LINE_DIFFERENCES = """
WITH a AS (SELECT * FROM plan_lines WHERE scenario_id = ?),
     b AS (SELECT * FROM plan_lines WHERE scenario_id = ?)
SELECT coalesce(a.owner, b.owner), coalesce(a.category, b.category),
       coalesce(a.funnel_stage, b.funnel_stage), coalesce(a.channel, b.channel),
       coalesce(a.region, b.region), coalesce(a.month, b.month),
       coalesce(a.amount, 0), coalesce(b.amount, 0),
       coalesce(b.amount, 0) - coalesce(a.amount, 0) AS diff
FROM a FULL OUTER JOIN b USING (owner, category, funnel_stage, channel, region, month)
WHERE coalesce(a.amount, -1) IS DISTINCT FROM coalesce(b.amount, -1)
ORDER BY abs(coalesce(b.amount, 0) - coalesce(a.amount, 0)) DESC, 1, 2, 3, 4, 5, 6
LIMIT ?
"""

COUNT_DIFFERENT = """
SELECT count(*)
FROM (SELECT * FROM plan_lines WHERE scenario_id = ?) a
FULL OUTER JOIN (SELECT * FROM plan_lines WHERE scenario_id = ?) b
USING (owner, category, funnel_stage, channel, region, month)
WHERE coalesce(a.amount, -1) IS DISTINCT FROM coalesce(b.amount, -1)
"""
