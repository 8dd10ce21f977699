"""SQL of the targets and SLA terms both departments agree on (planning.agreements)."""
from __future__ import annotations

PROPOSAL_COLUMNS = ("topic, fiscal_year, name, period, value, proposed_by, department,"
                    " proposed_at, basis, sales_agreed_by, sales_agreed_at, marketing_agreed_by,"
                    " marketing_agreed_at")
RECORD_COLUMNS = ("topic, fiscal_year, name, period, value, proposed_by, department, proposed_at,"
                  " basis, decided_by, decided_at, how")

PROPOSALS_OF_YEAR = f"""
SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE topic = ? AND fiscal_year = ?
"""

PROPOSAL = f"""
SELECT {PROPOSAL_COLUMNS} FROM proposals
WHERE topic = ? AND fiscal_year = ? AND name = ? AND period = ?
"""

RECORDS_OF_YEAR = f"""
SELECT {RECORD_COLUMNS} FROM agreements WHERE topic = ? AND fiscal_year = ?
"""

RECORD = f"""
SELECT {RECORD_COLUMNS} FROM agreements
WHERE topic = ? AND fiscal_year = ? AND name = ? AND period = ?
"""

# A new proposal of a key replaces the one waiting (and the agreements it had so far).
PUT_PROPOSAL = f"""
INSERT INTO proposals ({PROPOSAL_COLUMNS})
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL)
ON CONFLICT (topic, fiscal_year, name, period) DO UPDATE SET
    value = excluded.value, proposed_by = excluded.proposed_by,
    department = excluded.department, proposed_at = excluded.proposed_at,
    basis = excluded.basis, sales_agreed_by = NULL, sales_agreed_at = NULL,
    marketing_agreed_by = NULL, marketing_agreed_at = NULL
"""

AGREE_SALES = """
UPDATE proposals SET sales_agreed_by = ?, sales_agreed_at = ?
WHERE topic = ? AND fiscal_year = ? AND name = ? AND period = ?
"""

AGREE_MARKETING = """
UPDATE proposals SET marketing_agreed_by = ?, marketing_agreed_at = ?
WHERE topic = ? AND fiscal_year = ? AND name = ? AND period = ?
"""

DROP_PROPOSAL = """
DELETE FROM proposals WHERE topic = ? AND fiscal_year = ? AND name = ? AND period = ?
"""

PUT_RECORD = f"""
INSERT INTO agreements ({RECORD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (topic, fiscal_year, name, period) DO UPDATE SET
    value = excluded.value, proposed_by = excluded.proposed_by,
    department = excluded.department, proposed_at = excluded.proposed_at,
    basis = excluded.basis, decided_by = excluded.decided_by,
    decided_at = excluded.decided_at, how = excluded.how
"""

TARGETS_OF_YEAR = "SELECT kpi, period, target FROM targets WHERE fiscal_year = ?"

TARGET = "SELECT target FROM targets WHERE fiscal_year = ? AND kpi = ? AND period = ?"

# Targets keep a surrogate id (the importer's upsert matches on the key, as this does).
PUT_TARGET = """
INSERT INTO targets (id, fiscal_year, kpi, period, target)
SELECT coalesce(max(id), 0) + 1, ?, ?, ?, ? FROM targets
ON CONFLICT (fiscal_year, kpi, period) DO UPDATE SET target = excluded.target
"""

SETTING = "SELECT value FROM settings WHERE key = ?"

PUT_SETTING = """
INSERT INTO settings VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value
"""
