"""SQL comparing scenarios of one fiscal year."""
from __future__ import annotations

# Each scenario's allocation under one dimension, from its kept totals (migration
# 0017_plan_totals): the `?` after the year is the dimension the totals are read under
# (planning.budget.totals_under), `{value}` `t.value`, or `t.owner` for the owner; `{names}` is
# a list of `?`.
BY_DIMENSION = """
SELECT {value}, s.name, sum(t.total)
FROM plan_totals t JOIN scenarios s ON s.id = t.scenario_id
WHERE s.fiscal_year = ? AND t.dim = ? AND s.name IN ({names})
GROUP BY {value}, s.name ORDER BY 1, 2
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
