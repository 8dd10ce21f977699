"""Largest-remainder allocation in SQL, so moving money over a million lines stays exact and fast.

`ALLOCATE` reads a temp table `alloc_in(id, g, w, <line key>)` (weights in cents or units, `g` a
group) and `alloc_totals(g, cents)` (what each group receives; negative takes money away), and
creates `alloc_out(id, part)` in cents. Within a group every line gets the floor of its exact
share, then the cents left over go to the largest remainders, ties broken by the line's key
(unique in a scenario), so the result does not depend on the order lines were stored in. A group
whose weights are all zero is shared evenly. Parts of a group add up to its total exactly.
"""
from __future__ import annotations

LINE_KEY = "owner, category, funnel_stage, channel, region, month"

ALLOCATE = f"""
CREATE OR REPLACE TEMP TABLE alloc_out AS
WITH agg AS (
    SELECT g, sum(w)::HUGEINT AS total_w, count(*)::HUGEINT AS n FROM alloc_in GROUP BY g
), shares AS (
    SELECT i.id, i.g, {LINE_KEY},
           CASE WHEN a.total_w = 0 THEN 1 ELSE i.w END::HUGEINT AS ww,
           CASE WHEN a.total_w = 0 THEN a.n ELSE a.total_w END AS denom,
           abs(t.cents)::HUGEINT AS mag, sign(t.cents) AS sgn
    FROM alloc_in i JOIN agg a USING (g) JOIN alloc_totals t USING (g)
), floors AS (
    SELECT *, (mag * ww) // denom AS base, (mag * ww) % denom AS rem FROM shares
), ranked AS (
    SELECT id, sgn, base,
           row_number() OVER (PARTITION BY g ORDER BY rem DESC, {LINE_KEY}) AS rk,
           mag - sum(base) OVER (PARTITION BY g) AS left_over
    FROM floors
)
SELECT id, CAST(sgn * (base + CASE WHEN rk <= left_over THEN 1 ELSE 0 END) AS BIGINT) AS part
FROM ranked
"""

# Lines that a change would take below zero: refused before anything is written.
WOULD_GO_NEGATIVE = """
SELECT count(*) FROM alloc_out o JOIN plan_lines l USING (id)
WHERE CAST(l.amount * 100 AS BIGINT) + o.part < 0
"""

APPLY = """
UPDATE plan_lines SET
    amount = CAST(plan_lines.amount + CAST(o.part AS DECIMAL(18, 0)) * 0.01 AS DECIMAL(18, 2)),
    version = plan_lines.version + 1,
    updated_at = current_timestamp
FROM (SELECT id, sum(part) AS part FROM alloc_out GROUP BY id) o
WHERE plan_lines.id = o.id AND o.part <> 0
"""
