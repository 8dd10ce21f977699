"""Largest-remainder allocation in SQL, so moving money over a million lines stays exact and fast.

`allocate(int_type)` reads a temp table `alloc_in(id, g, w, tie)` (weights in cents or units,
`g` a group, `tie` a hash of the line's key) and `alloc_totals(g, cents)` (what each group
receives; negative takes money away), and creates `alloc_out(id, part)` in cents. Within a group
every line gets the floor of its exact share, then the cents left over go to the largest
remainders. Equal remainders are broken by the hash of the line key (then by id, should two keys
of one scenario ever share a 64-bit hash), so the result does not depend on the order lines were
stored in. A group whose weights are all zero is shared evenly. A group's parts add up to its
total exactly. `int_type` is BIGINT when total × weight cannot overflow it, else HUGEINT (3x
slower, measured).
"""
from __future__ import annotations

LINE_KEY = "owner, category, funnel_stage, channel, region, month"
TIE = f"hash({LINE_KEY})"

_ALLOCATE = """
CREATE OR REPLACE TEMP TABLE alloc_out AS
WITH agg AS (
    SELECT g, sum(w)::{t} AS total_w, count(*)::{t} AS n FROM alloc_in GROUP BY g
), shares AS (
    SELECT i.id, i.g, i.tie,
           CASE WHEN a.total_w = 0 THEN 1 ELSE i.w END::{t} AS ww,
           CASE WHEN a.total_w = 0 THEN a.n ELSE a.total_w END AS denom,
           abs(t.cents)::{t} AS mag, sign(t.cents) AS sgn
    FROM alloc_in i JOIN agg a USING (g) JOIN alloc_totals t USING (g)
), floors AS (
    SELECT *, (mag * ww) // denom AS base, (mag * ww) % denom AS rem FROM shares
), ranked AS (
    SELECT id, sgn, base,
           row_number() OVER (PARTITION BY g ORDER BY rem DESC, tie, id) AS rk,
           mag - sum(base) OVER (PARTITION BY g) AS left_over
    FROM floors
)
SELECT id, CAST(sgn * (base + CASE WHEN rk <= left_over THEN 1 ELSE 0 END) AS BIGINT) AS part
FROM ranked
"""

# The largest |total| and weight, to choose the integer type.
BOUNDS = """
SELECT coalesce((SELECT max(abs(cents)) FROM alloc_totals), 0),
       coalesce((SELECT max(w) FROM alloc_in), 0), (SELECT count(*) FROM alloc_in)
"""

BIGINT_LIMIT = 2**62


def allocate(total: int, weight: int, lines: int) -> str:
    """The allocation SQL for these bounds (the largest |total|, weight and line count)."""
    fits = total * max(weight, lines, 1) < BIGINT_LIMIT
    return _ALLOCATE.format(t="BIGINT" if fits else "HUGEINT")


# Lines that a change would take below zero: refused before anything is written.
WOULD_GO_NEGATIVE = """
SELECT count(*) FROM alloc_out o JOIN plan_lines l USING (id)
WHERE CAST(l.amount * 100 AS BIGINT) + o.part < 0
"""

APPLY = """
UPDATE plan_lines SET
    amount = CAST(plan_lines.amount + CAST(o.part AS DECIMAL(18, 0)) * 0.01 AS DECIMAL(18, 2)),
    version = plan_lines.version + 1,
    status = 'draft',
    edited_by = ?,
    updated_at = current_timestamp
FROM (SELECT id, sum(part) AS part FROM alloc_out GROUP BY id) o
WHERE plan_lines.id = o.id AND o.part <> 0
"""
