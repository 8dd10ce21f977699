"""The hand-off's SQL: the fiscal year's MQLs counted by month, rep, state and band; the hours to
first touch at their percentiles; MQLs by channel and region with the spend beside them; and the
untouched MQLs past their deadline. The definitions are `planning.sla`'s.

Parameters, by number: $1 the first-touch window in microseconds, $2 the last `mql_at` whose
deadline has passed at the as-of time (as-of minus the window: comparing `mql_at` with one value
lets the scan skip row groups, where adding the window to every row would not), $3 the first
instant of the fiscal year, $4 the first instant after it (timestamps UTC, as stored). A month is
named by its calendar month number: within one fiscal year's twelve consecutive months each
number is one month (grouping by it is four times faster than truncating each timestamp).
Measured on a million leads: see `bench/sla.py`.
"""
from __future__ import annotations

from planning.store.dialect import DUCKDB, POSTGRES

QUANTILES = (0.5, 0.95)

# The year's MQLs: microseconds from MQL to first touch (NULL when untouched), and whether the
# deadline has passed.
_MQLS = """
SELECT rep, sql_at, CAST(EXTRACT(MONTH FROM mql_at) AS INTEGER) AS month, {us} AS us,
       mql_at <= $2 AS due
FROM leads WHERE mql_at >= $3 AND mql_at < $4
"""

# MQLs per month, rep, state (0 in time, 1 breach, 2 pending) and band of hours to first touch
# (0 to 3 by the edges $5 < $6 < $7 in microseconds, a touch on an edge in the band below it;
# 4 untouched), with how many were accepted. planning.sla adds these up by month, rep and year.
_COUNTS = """
SELECT month, rep,
       CASE WHEN us <= $1 THEN 0 WHEN due THEN 1 ELSE 2 END AS state,
       CASE WHEN us IS NULL THEN 4 WHEN us <= $5 THEN 0 WHEN us <= $6 THEN 1
            WHEN us <= $7 THEN 2 ELSE 3 END AS band,
       count(*), count(sql_at)
FROM ({mqls}) AS m
GROUP BY 1, 2, 3, 4
"""

# The percentiles of the microseconds to first touch of the MQLs touched: per month, per rep
# and for the year (`kind`). Parameters: $1, $2 the year's bounds.
_PERCENTILES = """
SELECT CASE WHEN grouping(month) = 0 THEN 'month' WHEN grouping(rep) = 0 THEN 'rep'
            ELSE 'year' END AS kind,
       month, rep, {quantiles}
FROM (SELECT CAST(EXTRACT(MONTH FROM mql_at) AS INTEGER) AS month, rep, {us} AS us
      FROM leads WHERE mql_at >= $1 AND mql_at < $2 AND first_touch_at IS NOT NULL) AS t
GROUP BY GROUPING SETS ((month), (rep), ())
"""


def _by_dialect(text: str) -> dict[str, str]:
    return {d.name: text.format(us=d.micros("mql_at", "first_touch_at"),
                                quantiles=d.quantiles("us", QUANTILES),
                                mqls=_MQLS.format(us=d.micros("mql_at", "first_touch_at")))
            for d in (DUCKDB, POSTGRES)}


COUNTS = _by_dialect(_COUNTS)
PERCENTILES = _by_dialect(_PERCENTILES)

# MQLs and accepted per channel and region, with the latest MQL of each. Parameters: the
# year's bounds.
PLACES = """
SELECT channel, region, count(*), count(sql_at), max(mql_at)
FROM leads WHERE mql_at >= ? AND mql_at < ? GROUP BY channel, region
"""

# Actual spend of every owner per channel and region over a span of months.
SPEND = """
SELECT channel, region, sum(amount) FROM actuals WHERE month BETWEEN ? AND ?
GROUP BY channel, region
"""

# The untouched MQLs past their deadline, oldest first. Parameters: $1 the last `mql_at` due,
# $2, $3 the year's bounds, $4 how many.
OVERDUE = """
SELECT lead_id, rep, channel, region, mql_at FROM leads
WHERE mql_at >= $2 AND mql_at < $3 AND mql_at <= $1 AND first_touch_at IS NULL
ORDER BY mql_at, lead_id
LIMIT $4
"""

# The latest hand-off of a fiscal year: how recent the leads imported are. Parameters: the
# year's start and the next year's (timestamps).
LATEST_MQL = "SELECT max(mql_at) FROM leads WHERE mql_at >= ? AND mql_at < ?"
