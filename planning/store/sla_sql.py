"""The hand-off's SQL: one grouped pass over the fiscal year's MQLs, the spend beside them, and
the untouched MQLs past their deadline. The definitions are `planning.sla`'s.

Parameters, by number: $1 the first-touch window (an interval), $2 the as-of time, $3 the first
instant of the fiscal year, $4 the first instant after it (all timestamps UTC, as stored).
"""
from __future__ import annotations

from planning.store.dialect import DUCKDB, POSTGRES

# The year's MQLs, each with its month, whether it was touched in time, whether its deadline has
# passed, and the seconds from MQL to first touch (NULL when untouched).
_MQLS = """
SELECT rep, channel, region, first_touch_at, sql_at,
       CAST(date_trunc('month', mql_at) AS DATE) AS month,
       (first_touch_at IS NOT NULL AND first_touch_at <= mql_at + $1) AS in_time,
       (mql_at + $1 <= $2) AS due,
       CAST(EXTRACT(EPOCH FROM first_touch_at - mql_at) AS DOUBLE PRECISION) AS secs
FROM leads WHERE mql_at >= $3 AND mql_at < $4
"""

# One row per month, for the year, per rep (NULL: MQLs routed to nobody) and per channel and
# region; `kind` names the grouping. Band edges are $5, $6, $7 (seconds): a touch on an edge
# falls in the band below it.
_HANDLING = """
SELECT CASE WHEN grouping(month) = 0 THEN 'month' WHEN grouping(rep) = 0 THEN 'rep'
            WHEN grouping(channel) = 0 THEN 'place' ELSE 'year' END AS kind,
       month, rep, channel, region,
       count(*) AS mqls,
       count(*) FILTER (WHERE in_time) AS in_time,
       count(*) FILTER (WHERE NOT in_time AND due) AS breaches,
       count(sql_at) AS accepted,
       {p50} AS p50_secs,
       {p95} AS p95_secs,
       count(*) FILTER (WHERE secs <= $5) AS band_1,
       count(*) FILTER (WHERE secs > $5 AND secs <= $6) AS band_2,
       count(*) FILTER (WHERE secs > $6 AND secs <= $7) AS band_3,
       count(*) FILTER (WHERE secs > $7) AS band_4,
       count(*) FILTER (WHERE first_touch_at IS NULL AND due) AS overdue
FROM ({mqls}) AS m
GROUP BY GROUPING SETS ((month), (), (rep), (channel, region))
"""

HANDLING = {d.name: _HANDLING.format(p50=d.quantile("secs", 0.5), p95=d.quantile("secs", 0.95),
                                     mqls=_MQLS)
            for d in (DUCKDB, POSTGRES)}

# Actual spend of every owner per channel and region over a span of months ($1, $2).
SPEND = """
SELECT channel, region, sum(amount) FROM actuals WHERE month BETWEEN ? AND ?
GROUP BY channel, region
"""

# The untouched MQLs past their deadline, oldest first ($5: how many), with the seconds since
# the deadline.
OVERDUE = """
SELECT lead_id, rep, channel, region, mql_at,
       CAST(EXTRACT(EPOCH FROM $2 - (mql_at + $1)) AS DOUBLE PRECISION)
FROM leads
WHERE mql_at >= $3 AND mql_at < $4 AND first_touch_at IS NULL AND mql_at + $1 <= $2
ORDER BY mql_at, lead_id
LIMIT $5
"""

# Who changed the first-touch window: the audit entries that name it, newest first.
WINDOW_CHANGES = """
SELECT actor, action, recorded_at, after FROM audit_log
WHERE after LIKE '%first_touch_hours%' ORDER BY seq DESC LIMIT 50
"""
