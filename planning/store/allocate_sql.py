"""Largest-remainder allocation in SQL, so moving money over a million lines stays exact and fast.

The lines to share over come from a source query with the columns (id, g, w): the line's id, its
group (an integer) and its weight (cents or units); their keys are in a table by id (`plan_lines`
unless told). Each group receives a
whole number of cents (negative takes money away). Within a group every line gets the floor of
its exact share, then the cents left over go to the largest remainders; equal remainders are
broken by the hash of the line key (then by id, should two keys of one scenario ever share a
64-bit hash), so the result does not depend on the order lines were stored in. A group whose
weights are all zero is shared evenly. A group's parts add up to its total exactly.

No line is sorted against all the others. A group with k cents left over needs only its k-th
largest remainder (the cut): every line above the cut gets a cent, and of the lines whose
remainder equals the cut's, those up to the cut in (tie, id) order. A histogram of the
remainders (`BUCKETS` buckets per group) finds the bucket the cut falls in; only that bucket's
lines are ranked, and only those tied with the cut are hashed. `allocate` leaves the outcome in
a small table, `alloc_plan`: one row per group with what it receives, the denominator of its
shares and the cut (its remainder, tie and id). From it, `part(...)` computes any line's part in
cents from the line's own weight, tie and id, so a change is applied by a plain UPDATE of the
lines of a filter, with no join against a table of a million parts (the tie is hashed only for
lines whose remainder equals the cut's).

Integer type: BIGINT when total x weight cannot overflow it, else HUGEINT (far slower).
"""
from __future__ import annotations

from collections.abc import Mapping

import duckdb

LINE_KEY = "owner, category, funnel_stage, channel, region, month"
TIE = f"hash({LINE_KEY})"
LINE_TIE = "hash(l.owner, l.category, l.funnel_stage, l.channel, l.region, l.month)"  # of `l`
BUCKETS = 4096
BIGINT_LIMIT = 2**62

# Per group: its lines, the sum and the largest of their weights.
_SUMS = "SELECT g, count(*), sum(w), max(w) FROM ({source}) AS i GROUP BY g"

# `sure`: the least weight whose share is a cent or more, so its part is surely not zero.
_PLAN_TABLE = """
CREATE OR REPLACE TEMP TABLE alloc_groups (
    g INTEGER, mag {t}, sgn INTEGER, even BOOLEAN, denom {t}, step {t}, sure {t})
"""

# A line's weight as the shares use it, its exact share times `denom`, and its remainder.
_SHARE = "(a.mag * CASE WHEN a.even THEN 1 ELSE CAST({w} AS {t}) END)"

# Per group with cents left over (k), the bucket holding the k-th largest remainder and the cut's
# position inside it: the buckets above it hold fewer than k lines, with it k or more.
_PICK = """
CREATE OR REPLACE TEMP TABLE alloc_pick AS
WITH hist AS (
    SELECT i.g, {rem} // a.step AS bucket, count(*) AS lines, sum({share} // a.denom) AS floors
    FROM ({source}) i JOIN alloc_groups a USING (g)
    GROUP BY i.g, bucket
), left_over AS (
    SELECT g, any_value(a.mag) - sum(floors) AS k FROM hist JOIN alloc_groups a USING (g)
    GROUP BY g
), upto AS (
    SELECT *, sum(lines) OVER (PARTITION BY g ORDER BY bucket DESC) AS upto FROM hist
)
SELECT g, bucket, CAST(k - (upto - lines) AS BIGINT) AS position
FROM upto JOIN left_over USING (g)
WHERE k > 0 AND upto >= k AND upto - lines < k
"""

# The lines of the cut's bucket (not hashed: most never need their tie).
_BUCKET = """
CREATE OR REPLACE TEMP TABLE alloc_bucket AS
SELECT i.g, i.id, {rem} AS rem FROM ({source}) i JOIN alloc_groups a USING (g)
JOIN alloc_pick p USING (g) WHERE {rem} // a.step = p.bucket
"""

# The cut's remainder, and the cut's place among the lines that share it (1 = the first).
_CUT_REM = """
CREATE OR REPLACE TEMP TABLE alloc_cut AS
WITH ranked AS (
    SELECT g, rem, row_number() OVER (PARTITION BY g ORDER BY rem DESC) AS rk FROM alloc_bucket
)
SELECT r.g, r.rem AS cut_rem,
       p.position - (SELECT count(*) FROM alloc_bucket b WHERE b.g = r.g AND b.rem > r.rem)
           AS place
FROM ranked r JOIN alloc_pick p USING (g) WHERE r.rk = p.position
"""

# The lines whose remainder is the cut's, and the cut's place among them: usually one or two.
_TIED = """
SELECT c.g, c.place, b.id FROM alloc_bucket b JOIN alloc_cut c USING (g) WHERE b.rem = c.cut_rem
"""
# Their ties: one by one with few (each reads one row group), else in one pass.
POINT_LOOKUPS = 64
_TIE_OF_ONE = "SELECT {tie} FROM {table} l WHERE l.id = ?"
_TIES_OF_ALL = """
SELECT l.id, {tie} FROM {table} l
WHERE l.id IN (SELECT b.id FROM alloc_bucket b JOIN alloc_cut c USING (g) WHERE b.rem = c.cut_rem)
"""

_PLAN = """
CREATE OR REPLACE TEMP TABLE alloc_plan AS
SELECT a.*, c.cut_rem, t.cut_tie, t.cut_id
FROM alloc_groups a LEFT JOIN alloc_cut c USING (g) LEFT JOIN alloc_cut_tie t USING (g)
"""


def _cut_ties(cur: duckdb.DuckDBPyConnection, table: str) -> None:
    """Fill `alloc_cut_tie(g, cut_tie, cut_id)`: per group, the line at the cut's place among
    those tied with the cut, in (tie, id) order."""
    tied = cur.execute(_TIED).fetchall()
    if len(tied) <= POINT_LOOKUPS:
        one = _TIE_OF_ONE.format(tie=LINE_TIE, table=table)
        ties = {line: cur.execute(one, [line]).fetchone()[0] for _g, _place, line in tied}
    else:
        ties = dict(cur.execute(_TIES_OF_ALL.format(tie=LINE_TIE, table=table)).fetchall())
    by_group: dict[int, list[tuple[int, int]]] = {}
    places = {}
    for g, place, line in tied:
        by_group.setdefault(g, []).append((ties[line], line))
        places[g] = place
    cur.execute("CREATE OR REPLACE TEMP TABLE alloc_cut_tie (g INTEGER, cut_tie UBIGINT,"
                " cut_id BIGINT)")
    rows = [[g, *sorted(lines)[places[g] - 1]] for g, lines in by_group.items()]
    if rows:
        cur.executemany("INSERT INTO alloc_cut_tie VALUES (?, ?, ?)", rows)


def int_type(total: int, weight: int, lines: int) -> str:
    """BIGINT when the largest |total| x the largest weight (or line count) fits, else HUGEINT."""
    return "BIGINT" if total * max(weight, lines, 1) < BIGINT_LIMIT else "HUGEINT"


def allocate(cur: duckdb.DuckDBPyConnection, source: str, params: list,
             totals: Mapping[int, int],
             sums: Mapping[int, tuple[int, int, int]] | None = None,
             table: str = "plan_lines") -> str:
    """Share `totals` (group -> cents) over the lines of `source`: fill `alloc_plan`.

    `source` is a query with the columns (id, g, w) and `params` its parameters; `table` holds
    the lines' keys (for the tie) by id. `sums`
    (group -> lines, sum and largest of the weights) spares a pass when the caller knows them.
    A group without lines receives nothing. Returns the integer type to give `part`.
    """
    if sums is None:
        sums = {g: (lines, int(weights or 0), int(heaviest or 0)) for g, lines, weights, heaviest
                in cur.execute(_SUMS.format(source=source), params).fetchall()}
    groups, largest = [], (0, 0, 0)
    for g, (lines, weights, heaviest) in sums.items():
        if not lines:
            continue
        cents = int(totals.get(g, 0))
        even = not weights
        denom = lines if even else weights
        sure = -(-denom // abs(cents)) if cents else None
        groups.append((g, abs(cents), (cents > 0) - (cents < 0), even, denom,
                       denom // BUCKETS + 1, sure))
        largest = tuple(max(a, b) for a, b in zip(largest, (abs(cents), heaviest, lines),
                                                  strict=True))
    t = int_type(*largest)
    cur.execute(_PLAN_TABLE.format(t=t))
    if groups:
        cur.executemany("INSERT INTO alloc_groups VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [list(row) for row in groups])
    share = _SHARE.format(w="i.w", t=t)
    rem = f"({share} % a.denom)"
    cur.execute(_PICK.format(source=source, rem=rem, share=share), params)
    cur.execute(_BUCKET.format(source=source, rem=rem), params)
    cur.execute(_CUT_REM)
    _cut_ties(cur, table)
    cur.execute(_PLAN)
    return t


def part(t: str, weight: str, tie: str, line_id: str) -> str:
    """SQL of a line's part in cents, given `alloc_plan a` joined on the line's group.

    `weight`, `tie` and `line_id` are the line's as SQL expressions; `t` the integer type
    `allocate` returned. With no cents left over the cut is NULL and no line gets one.
    """
    share = _SHARE.format(w=weight, t=t)
    rem = f"({share} % a.denom)"
    return (f"(a.sgn * (({share} // a.denom) + CASE WHEN {rem} > a.cut_rem THEN 1"
            f" WHEN {rem} < a.cut_rem THEN 0 WHEN {tie} < a.cut_tie"
            f" OR ({tie} = a.cut_tie AND {line_id} <= a.cut_id) THEN 1 ELSE 0 END))")


def changes(t: str, weight: str, tie: str, line_id: str) -> str:
    """SQL that is true when a line's part is not zero (the weight test first: it is cheap)."""
    return (f"(CASE WHEN a.even THEN 1 ELSE CAST({weight} AS {t}) END >= a.sure"
            f" OR {part(t, weight, tie, line_id)} <> 0)")


def parts(cur: duckdb.DuckDBPyConnection, source: str, params: list,
          totals: Mapping[int, int], table: str = "plan_lines") -> None:
    """Allocate, then put every line's part in cents into `alloc_out(id, part)`."""
    t = allocate(cur, source, params, totals, table=table)
    cur.execute("CREATE OR REPLACE TEMP TABLE alloc_out AS SELECT i.id,"
                f" CAST({part(t, 'i.w', LINE_TIE, 'i.id')} AS BIGINT) AS part"
                f" FROM ({source}) i JOIN alloc_plan a USING (g) JOIN {table} l ON l.id = i.id",
                params)


# The operations apply a plan to the lines of one filter (`where`, over `plan_lines l`) whose
# group and weight are SQL expressions of the line: the ones of the source it was made from.
# {part} and {changes} come from `part` and `changes`. A line whose part is zero is not touched:
# it keeps its version and sign-offs.
_CHANGED = "FROM alloc_plan a WHERE a.g = {group} AND {where} AND {changes}"
# What the change does to each of those lines, kept under its audit entry (`?`, its number) for
# the line's history: read before the change, in the same pass over the lines as APPLY makes
# (noting the lines and joining them back afterwards took five times as long at a million lines).
RECORD_LINES = """
INSERT INTO audit_lines (seq, line_id, version, amount_before, amount_after, status_before,
                         status_after, locked_before, locked_after)
SELECT ?, l.id, l.version + 1, l.amount,
       CAST(l.amount + CAST({part} AS DECIMAL(18, 0)) * 0.01 AS DECIMAL(18, 2)),
       l.status, 'draft', l.locked, l.locked
FROM plan_lines AS l, alloc_plan a WHERE a.g = {group} AND {where} AND {changes}
"""

# A changed line is a draft again, last edited by the person changing it. Most lines already are
# (a draft, by that person), and rewriting a text column of a million lines costs several times
# the amount's update, so these two columns are written only on the lines where they change;
# both run before APPLY, while the parts still follow from the amounts.
TO_DRAFT = "UPDATE plan_lines AS l SET status = 'draft' " + _CHANGED + " AND l.status <> 'draft'"
TO_EDITOR = ("UPDATE plan_lines AS l SET edited_by = ? " + _CHANGED
             + " AND l.edited_by IS DISTINCT FROM ?")

# The new version's sign-offs are none: the version bump is what voids the old ones.
APPLY = """
UPDATE plan_lines AS l SET
    amount = CAST(l.amount + CAST({part} AS DECIMAL(18, 0)) * 0.01 AS DECIMAL(18, 2)),
    version = l.version + 1,
    updated_at = current_timestamp
""" + _CHANGED

# Lines that a change would take below zero: refused before anything is written.
WOULD_GO_NEGATIVE = """
SELECT count(*) FROM plan_lines AS l JOIN alloc_plan a ON a.g = {group}
WHERE {where} AND a.sgn < 0 AND CAST(l.amount * 100 AS BIGINT) + {part} < 0
"""
