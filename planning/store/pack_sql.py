"""SQL of the weekly meeting pack: the comments written in a period, and when a pack was made."""
from __future__ import annotations

# Comments on a fiscal year's plan lines written in [since, until), oldest first.
LINE_COMMENTS = """
SELECT c.created_at, c.author, c.body, l.owner, l.category, l.channel, l.region, l.month,
       s.name, l.id
FROM comments c
JOIN plan_lines l ON l.id = c.line_id
JOIN scenarios s ON s.id = l.scenario_id
WHERE s.fiscal_year = ? AND c.created_at >= ? AND c.created_at < ?
ORDER BY c.created_at, c.id
"""

# Comments on a fiscal year's variance explanations written in [since, until), oldest first.
VARIANCE_COMMENTS = """
SELECT written_at, author, text, owner, channel, region, as_of
FROM variance_comments
WHERE fiscal_year = ? AND written_at >= ? AND written_at < ?
ORDER BY written_at, owner, channel, region, seq
"""

# The last pack made (an audit entry each): the meeting before this one.
LAST_PACK = "SELECT max(recorded_at) FROM audit_log WHERE action = ?"
