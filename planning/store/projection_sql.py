"""SQL feeding the funnel projection: the firm's history and a scenario's planned spend."""
from __future__ import annotations

# Months with both outcomes and actuals: the history the default assumptions are drawn from.
HISTORY_MONTHS = """
SELECT DISTINCT o.month FROM outcomes o
WHERE o.month IN (SELECT month FROM actuals)
ORDER BY 1
"""

# Spend that buys leads (awareness and consideration) and the funnel, by channel, over months.
HISTORY_BY_CHANNEL = """
WITH spend AS (
    SELECT channel, sum(amount) AS top_spend FROM actuals
    WHERE funnel_stage IN ('awareness', 'consideration') AND month IN (SELECT unnest(?))
    GROUP BY channel
), funnel AS (
    SELECT channel, sum(leads) AS leads, sum(mqls) AS mqls, sum(sqls) AS sqls,
           sum(opportunities) AS opportunities, sum(wins) AS wins,
           sum(pipeline) AS pipeline, sum(revenue) AS revenue
    FROM outcomes WHERE month IN (SELECT unnest(?))
    GROUP BY channel
)
SELECT coalesce(f.channel, s.channel), coalesce(s.top_spend, 0), coalesce(f.leads, 0),
       coalesce(f.mqls, 0), coalesce(f.sqls, 0), coalesce(f.opportunities, 0),
       coalesce(f.wins, 0), coalesce(f.pipeline, 0), coalesce(f.revenue, 0)
FROM funnel f FULL OUTER JOIN spend s ON s.channel = f.channel
ORDER BY 1
"""

PLANNED_SPEND = """
SELECT month, channel,
       coalesce(sum(amount) FILTER (WHERE funnel_stage IN ('awareness', 'consideration')), 0),
       sum(amount)
FROM plan_lines WHERE scenario_id = ?
GROUP BY month, channel ORDER BY month, channel
"""

OVERRIDES = """
SELECT name, channel, value, set_by, reason, set_at FROM assumptions WHERE scenario_id = ?
"""

SET_OVERRIDE = """
INSERT INTO assumptions (scenario_id, name, channel, value, set_by, reason)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (scenario_id, name, channel) DO UPDATE SET
    value = excluded.value, set_by = excluded.set_by, reason = excluded.reason,
    set_at = now()::TIMESTAMP
"""

CLEAR_OVERRIDE = "DELETE FROM assumptions WHERE scenario_id = ? AND name = ? AND channel = ?"
