"""SQL of the relationship survey and of the evidence beside it (planning.alignment,
planning.evidence). Plain statements that both stores run as they are."""
from __future__ import annotations

# Each respondent's answers per period and department: how many statements and their sum.
RESPONDENTS = """
SELECT period, respondent, department, count(*) AS items, sum(score) AS total
FROM survey_answers
GROUP BY period, respondent, department
"""
RESPONDENTS_OF = """
SELECT period, respondent, department, count(*) AS items, sum(score) AS total
FROM survey_answers WHERE period = ?
GROUP BY period, respondent, department
"""

# Per department and statement: the ratings of the respondents who answered all 20 of a period.
ITEMS = """
SELECT a.department, a.item, count(*) AS n, sum(a.score) AS total
FROM survey_answers a
JOIN (SELECT respondent, department FROM survey_answers WHERE period = ?
      GROUP BY respondent, department HAVING count(*) = 20) c
  ON c.respondent = a.respondent AND c.department = a.department
WHERE a.period = ?
GROUP BY a.department, a.item
"""

OWN = "SELECT item, score FROM survey_answers WHERE respondent = ? AND period = ? ORDER BY item"
FORGET_OWN = "DELETE FROM survey_answers WHERE respondent = ? AND period = ?"
ANSWER = """
INSERT INTO survey_answers (respondent, department, period, item, score, answered_at)
VALUES (?, ?, ?, ?, ?, ?)
"""

# The lines of a quarter (the adopted scenario's lines of its months): how many, their money, the
# joint money, how many are signed off, and how many were ever submitted and ever returned (by
# their history in the audit trail).
QUARTER_LINES = """
SELECT count(*),
       coalesce(sum(l.amount), 0),
       coalesce(sum(CASE WHEN l.owner = 'joint' THEN l.amount ELSE 0 END), 0),
       coalesce(sum(CASE WHEN l.status = 'signed_off' THEN 1 ELSE 0 END), 0),
       coalesce(sum(CASE WHEN h.submitted = 1 THEN 1 ELSE 0 END), 0),
       coalesce(sum(CASE WHEN h.returned = 1 THEN 1 ELSE 0 END), 0)
FROM plan_lines l
LEFT JOIN (SELECT line_id,
                  max(CASE WHEN status_after = 'submitted' THEN 1 ELSE 0 END) AS submitted,
                  max(CASE WHEN status_after = 'returned' THEN 1 ELSE 0 END) AS returned
           FROM audit_lines GROUP BY line_id) h ON h.line_id = l.id
WHERE l.scenario_id = ? AND l.month >= ? AND l.month <= ?
"""

# Each sign-off of a quarter's line (its current version) with the time that version was last
# submitted before it: the entry whose line row turned the line to submitted.
SIGN_OFF_TIMES = """
WITH submits AS (
    SELECT al.line_id, al.version, g.recorded_at AS submitted_at
    FROM audit_lines al JOIN audit_log g ON g.seq = al.seq
    WHERE al.status_after = 'submitted' AND al.status_before IS DISTINCT FROM 'submitted')
SELECT so.line_id, so.department, so.signed_at, max(s.submitted_at)
FROM sign_offs so
JOIN plan_lines l ON l.id = so.line_id AND l.version = so.version
JOIN submits s ON s.line_id = so.line_id AND s.version = so.version
     AND s.submitted_at <= so.signed_at
WHERE l.scenario_id = ? AND l.month >= ? AND l.month <= ?
GROUP BY so.line_id, so.department, so.signed_at
"""

# Variance explanations given for the closed months of a quarter, by their state.
EXPLANATIONS = """
SELECT status, count(*) FROM variance_explanations
WHERE fiscal_year = ? AND as_of >= ? AND as_of <= ?
GROUP BY status
"""

# The KPIs that carry a target for a quarter: the fiscal year's, the quarter's or a month's.
TARGETED_KPIS = """
SELECT DISTINCT kpi FROM targets WHERE fiscal_year = ? AND period IN (?, ?, ?, ?, ?)
ORDER BY kpi
"""
