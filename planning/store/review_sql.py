"""SQL of the cross-review: line states, sign-offs per line version, comments."""
from __future__ import annotations

# Sign-offs that count are those of the line's current version.
SIGNED_BY = """
SELECT so.line_id, list(so.department ORDER BY so.department)
FROM sign_offs so JOIN plan_lines l ON l.id = so.line_id AND l.version = so.version
WHERE l.scenario_id = ?
GROUP BY so.line_id
"""

# Lines waiting for a department's sign-off: submitted, owned by the other department (or
# joint and not yet signed by this one), and not last edited by the reviewer.
QUEUE = """
SELECT l.id, l.owner, l.category, l.funnel_stage, l.channel, l.region, l.month, l.amount,
       l.version, l.edited_by
FROM plan_lines l
WHERE l.scenario_id = ? AND l.status = 'submitted'
  AND (l.owner = ? OR l.owner = 'joint')
  AND NOT EXISTS (SELECT 1 FROM sign_offs so WHERE so.line_id = l.id
                  AND so.version = l.version AND so.department = ?)
  AND l.edited_by IS DISTINCT FROM ?
ORDER BY l.amount DESC, l.id
LIMIT ?
"""

STATUS_COUNTS = """
SELECT l.owner, l.status, count(*), sum(l.amount)
FROM plan_lines l WHERE l.scenario_id = ?
GROUP BY l.owner, l.status ORDER BY 1, 2
"""

COMMENTS = """
SELECT c.id, c.line_id, c.author, c.body, c.created_at
FROM comments c WHERE c.line_id = ? ORDER BY c.created_at, c.id
"""

OPEN_THREADS = """
SELECT c.line_id, l.owner, l.category, l.channel, l.region, l.month, l.status,
       count(*) AS n, max(c.created_at) AS last,
       (array_agg(c.body ORDER BY c.created_at DESC, c.id DESC))[1] AS latest,
       (array_agg(c.author ORDER BY c.created_at DESC, c.id DESC))[1] AS by
FROM comments c JOIN plan_lines l ON l.id = c.line_id
WHERE l.scenario_id = ? AND l.status <> 'signed_off'
GROUP BY c.line_id, l.owner, l.category, l.channel, l.region, l.month, l.status
ORDER BY last DESC
"""

WAITING = """
SELECT count(*) FROM plan_lines l
WHERE l.scenario_id = ? AND l.status = 'submitted' AND (l.owner = ? OR l.owner = 'joint')
  AND NOT EXISTS (SELECT 1 FROM sign_offs so WHERE so.line_id = l.id
                  AND so.version = l.version AND so.department = ?)
"""
