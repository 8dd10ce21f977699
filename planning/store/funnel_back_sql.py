"""SQL of the funnel worked backwards from revenue (planning.funnel_back)."""
from __future__ import annotations

# The latest month with outcomes, no later than the fiscal year's last month.
LAST_OUTCOME_MONTH = "SELECT max(month) FROM outcomes WHERE month <= ?"

# The funnel's sums over a span of months.
HISTORY = """
SELECT coalesce(sum(revenue), 0), coalesce(sum(wins), 0), coalesce(sum(opportunities), 0),
       coalesce(sum(sqls), 0), coalesce(sum(mqls), 0)
FROM outcomes WHERE month BETWEEN ? AND ?
"""
