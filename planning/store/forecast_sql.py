"""The latest estimate's SQL: one grouped pass over plan, actuals and forecasts of a fiscal year.

Parameters, in order: the adopted scenario's id, the year's first month, the as-of month (the last
closed month; the month before the year when none is closed), the year's last month, the fiscal
year (of the forecasts). Each plan line counts in `planned`; an actual of a closed month in
`actual`; an open month counts its forecast where one is set for the key, else the plan line's
amount, in `remaining`. A forecast with no plan line is new spend expected (and an actual with
none, unplanned spend): both count under their owner.
"""
from __future__ import annotations

_KEY = "owner, funnel_stage, channel, region, month"
_SAME_KEY = ("f.owner = p.owner AND f.category = p.category AND f.funnel_stage = p.funnel_stage"
             " AND f.channel = p.channel AND f.region = p.region AND f.month = p.month")

# The open months count the plan, then each forecast adds its difference from the plan line of
# its key (all of it for a key with no plan line): the same sums as "the forecast where set, else
# the plan", with the forecasts (few) joined to the plan instead of every plan line looking for
# a forecast (three times faster at a million lines).
_ROWS = f"""
SELECT {_KEY}, amount AS planned, CAST(0 AS DECIMAL(18,2)) AS actual,
       CASE WHEN month > $3 THEN amount ELSE 0 END AS remaining
FROM plan_lines WHERE scenario_id = $1 AND month BETWEEN $2 AND $4
UNION ALL
SELECT {_KEY}, 0, amount, 0 FROM actuals WHERE month BETWEEN $2 AND $3
UNION ALL
SELECT f.owner, f.funnel_stage, f.channel, f.region, f.month, 0, 0,
       f.amount - coalesce(p.amount, 0)
FROM forecasts f LEFT JOIN plan_lines p ON p.scenario_id = $1 AND {_SAME_KEY}
WHERE f.fiscal_year = $5 AND f.month > $3 AND f.month <= $4
"""

# One row per (owner, month) and per owner with one other dimension: the landing per owner and
# month (the chart), and by stage, channel and region. `dimension` names the grouping.
ESTIMATE = f"""
SELECT CASE WHEN grouping(month) = 0 THEN 'month'
            WHEN grouping(funnel_stage) = 0 THEN 'funnel_stage'
            WHEN grouping(channel) = 0 THEN 'channel' ELSE 'region' END AS dimension,
       owner,
       CAST(coalesce(CAST(month AS VARCHAR), funnel_stage, channel, region) AS VARCHAR) AS value,
       sum(planned), sum(actual), sum(remaining)
FROM ({_ROWS}) AS r
GROUP BY GROUPING SETS ((owner, month), (owner, funnel_stage), (owner, channel), (owner, region))
"""

LAST_ACTUAL_MONTH = "SELECT max(month) FROM actuals WHERE month BETWEEN ? AND ?"

FORECAST_KEY_COLUMNS = "owner, category, funnel_stage, channel, region, month"

# The open months' lines of the adopted plan with their forecast, and the forecasts that have no
# plan line; filtered by owner, ordered by key. Parameters: see `planning.forecast.open_lines`.
OPEN_LINES = """
SELECT p.owner, p.category, p.funnel_stage, p.channel, p.region, p.month, p.amount, f.amount
FROM plan_lines p
LEFT JOIN forecasts f ON f.fiscal_year = ? AND f.owner = p.owner AND f.category = p.category
     AND f.funnel_stage = p.funnel_stage AND f.channel = p.channel AND f.region = p.region
     AND f.month = p.month
WHERE p.scenario_id = ? AND p.month BETWEEN ? AND ? AND p.owner IN ({owners})
UNION ALL
SELECT f.owner, f.category, f.funnel_stage, f.channel, f.region, f.month, NULL, f.amount
FROM forecasts f
WHERE f.fiscal_year = ? AND f.month BETWEEN ? AND ? AND f.owner IN ({owners})
  AND NOT EXISTS (SELECT 1 FROM plan_lines p WHERE p.scenario_id = ? AND p.owner = f.owner
       AND p.category = f.category AND p.funnel_stage = f.funnel_stage
       AND p.channel = f.channel AND p.region = f.region AND p.month = f.month)
ORDER BY 1, 2, 3, 4, 5, 6
"""

# Closed-month spend against the plan of the same months, per (owner, channel, region) and per
# owner. Parameters: the adopted scenario's id, the year's first month, the as-of month.
CLOSED_VARIANCE = """
SELECT owner, channel, region, sum(planned), sum(actual)
FROM (SELECT owner, channel, region, amount AS planned, CAST(0 AS DECIMAL(18,2)) AS actual
      FROM plan_lines WHERE scenario_id = $1 AND month BETWEEN $2 AND $3
      UNION ALL
      SELECT owner, channel, region, 0, amount FROM actuals WHERE month BETWEEN $2 AND $3) AS r
GROUP BY GROUPING SETS ((owner, channel, region), (owner))
ORDER BY owner, channel NULLS FIRST, region NULLS FIRST
"""

# Per owner, what the closed months' plan lines did not spend: plan minus the actuals of the same
# key and month, where positive (spend beyond a line frees nothing, nor does spend with no line).
# Parameters: the adopted scenario's id, the year's first month, the as-of month.
FREED = """
SELECT p.owner, sum(greatest(p.amount - coalesce(a.amount, 0), 0))
FROM plan_lines p
LEFT JOIN (SELECT owner, category, funnel_stage, channel, region, month, sum(amount) AS amount
           FROM actuals WHERE month BETWEEN $2 AND $3
           GROUP BY owner, category, funnel_stage, channel, region, month) AS a
  ON a.owner = p.owner AND a.category = p.category AND a.funnel_stage = p.funnel_stage
     AND a.channel = p.channel AND a.region = p.region AND a.month = p.month
WHERE p.scenario_id = $1 AND p.month BETWEEN $2 AND $3
GROUP BY p.owner
"""

# Each line key and month of a fiscal year whose actuals passed its plan in the adopted
# scenario (or with no plan line at all). Parameters: the adopted scenario's id, the year's
# first month, its last month.
OVERSPENT = """
SELECT owner, category, funnel_stage, channel, region, month, sum(planned), sum(actual)
FROM (SELECT owner, category, funnel_stage, channel, region, month, amount AS planned,
             CAST(0 AS DECIMAL(18,2)) AS actual
      FROM plan_lines WHERE scenario_id = $1 AND month BETWEEN $2 AND $3
      UNION ALL
      SELECT owner, category, funnel_stage, channel, region, month, 0, amount
      FROM actuals WHERE month BETWEEN $2 AND $3) AS r
GROUP BY owner, category, funnel_stage, channel, region, month
HAVING sum(actual) > sum(planned)
ORDER BY sum(actual) - sum(planned) DESC, owner, category, funnel_stage, channel, region, month
"""
