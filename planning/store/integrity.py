"""States no committed transaction can produce: what the schema does not enforce (migrations.py).

The big tables carry no key or foreign key, and the small ones no foreign key, so a write that
half-landed (a crash replayed only part of a transaction) shows up only here. Each rule below
names a fact every write path keeps:

- plan lines and actuals: ids and contract keys are unique, and no id is above its id mark
  (`planning.store.ids.reserve` raises the mark in the transaction that hands out the ids);
- a plan line belongs to a scenario that exists, and its month lies in that scenario's fiscal
  year (the importer refuses other months; scenario operations copy or update lines in place);
- sign-offs, comments and assumptions belong to lines or scenarios that exist (deleting a
  scenario deletes them in the same transaction); a sign-off is of a version the line has had,
  by the other department than the line's owner (four eyes);
- a locked scenario has only signed-off lines (it locks only then, and nothing changes it after);
- an adopted scenario other than the default `baseline` exists (adopt, rename and delete keep it);
- a row whose id comes from a sequence is not above the sequence's last value;
- the id marks and the store revision each have their rows.
"""
from __future__ import annotations

from planning.store.connection import Store
from planning.store.migrations import plan_totals_of

LINE_KEY = "owner, category, funnel_stage, channel, region, month"

# The fiscal year a month belongs to, given the store's first month of the year.
_FISCAL_YEAR = ("(year(l.month) - CASE WHEN month(l.month) < (SELECT CAST(value AS INTEGER)"
                " FROM settings WHERE key = 'fiscal_year_start_month') THEN 1 ELSE 0 END)")


def _above_mark(table: str) -> str:
    return (f"SELECT id FROM {table} WHERE id > (SELECT last FROM id_marks"
            f" WHERE table_name = '{table}')")


CHECKS = {
    "plan line ids repeat": "SELECT id FROM plan_lines GROUP BY id HAVING count(*) > 1",
    "actual ids repeat": "SELECT id FROM actuals GROUP BY id HAVING count(*) > 1",
    "plan lines repeat a key in a scenario":
        f"SELECT scenario_id, {LINE_KEY} FROM plan_lines GROUP BY scenario_id, {LINE_KEY}"
        " HAVING count(*) > 1",
    "actuals repeat a key": f"SELECT {LINE_KEY} FROM actuals GROUP BY {LINE_KEY}"
                           " HAVING count(*) > 1",
    "plan lines above the id mark": _above_mark("plan_lines"),
    "actuals above the id mark": _above_mark("actuals"),
    "id marks missing":
        "SELECT t FROM (VALUES ('plan_lines'), ('actuals')) v(t)"
        " WHERE t NOT IN (SELECT table_name FROM id_marks)",
    "plan lines of a scenario that does not exist":
        "SELECT l.id FROM plan_lines l"
        " WHERE NOT EXISTS (SELECT 1 FROM scenarios s WHERE s.id = l.scenario_id)",
    "plan lines outside their scenario's fiscal year":
        f"SELECT l.id FROM plan_lines l JOIN scenarios s ON s.id = l.scenario_id"
        f" WHERE {_FISCAL_YEAR} <> s.fiscal_year",
    "sign-offs of lines that do not exist":
        "SELECT o.line_id FROM sign_offs o"
        " WHERE NOT EXISTS (SELECT 1 FROM plan_lines l WHERE l.id = o.line_id)",
    "sign-offs of a version the line never had":
        "SELECT o.line_id FROM sign_offs o JOIN plan_lines l ON l.id = o.line_id"
        " WHERE o.version > l.version",
    "sign-offs by the line owner's own department":
        "SELECT o.line_id FROM sign_offs o JOIN plan_lines l ON l.id = o.line_id"
        " WHERE o.department = l.owner",
    "comments on lines that do not exist":
        "SELECT c.id FROM comments c"
        " WHERE NOT EXISTS (SELECT 1 FROM plan_lines l WHERE l.id = c.line_id)",
    "assumptions of a scenario that does not exist":
        "SELECT a.name FROM assumptions a"
        " WHERE NOT EXISTS (SELECT 1 FROM scenarios s WHERE s.id = a.scenario_id)",
    "locked scenarios with lines not signed off":
        "SELECT l.id FROM plan_lines l JOIN scenarios s ON s.id = l.scenario_id"
        " WHERE s.locked AND l.status <> 'signed_off'",
    "adopted scenarios that do not exist":
        "SELECT f.fiscal_year FROM fiscal_years f WHERE f.adopted_scenario <> 'baseline'"
        " AND NOT EXISTS (SELECT 1 FROM scenarios s WHERE s.fiscal_year = f.fiscal_year"
        " AND s.name = f.adopted_scenario)",
}

# (table, sequence) pairs: a committed row's id was given by the sequence in its transaction.
SEQUENCED = (("scenarios", "scenario_ids"), ("imports", "import_ids"), ("people", "person_ids"),
             ("comments", "comment_ids"), ("access_tokens", "token_ids"))


# The scenario totals the store keeps (migration 0017_plan_totals) against the lines' own, the
# lines summed once: rows kept that the lines do not give, and rows they give that are not kept.
PLAN_TOTALS_DIFFER = (
    "WITH kept AS (SELECT scenario_id, dim, value, owner, total, lines FROM plan_totals),"
    f" summed AS ({plan_totals_of('plan_lines')})"
    " SELECT * FROM (SELECT * FROM kept EXCEPT SELECT * FROM summed) AS only_kept"
    " UNION ALL SELECT * FROM (SELECT * FROM summed EXCEPT SELECT * FROM kept) AS only_summed")


def _optional_checks(store: Store) -> dict[str, str]:
    """Rules on tables and sequences that a store may not have yet (older schema)."""
    tables = {r[0] for r in store.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = ?"
        " AND table_type = 'BASE TABLE'",
        [store.dialect.schema])}
    sequences = {name: last or 0 for name, last in store.query(store.dialect.sequences)}
    found = {}
    for table, sequence in SEQUENCED:
        if table in tables and sequence in sequences:
            found[f"{table} ids above their sequence"] = (
                f"SELECT id FROM {table} WHERE id > {int(sequences[sequence])}")
    if "plan_totals" in tables:  # a table kept by triggers (PostgreSQL), not a view (DuckDB)
        found["plan totals that differ from the lines"] = PLAN_TOTALS_DIFFER
    if "store_revision" in tables:
        found["store revision rows (one expected)"] = (
            "SELECT 1 FROM (SELECT count(*) AS n FROM store_revision) AS r WHERE n <> 1")
    return found


def violations(store: Store) -> list[str]:
    """One line per broken rule with how many times it is broken; empty when all hold."""
    found = []
    for rule, sql in {**CHECKS, **_optional_checks(store)}.items():
        count = store.scalar(f"SELECT count(*) FROM ({sql}) AS broken")
        if count:
            found.append(f"{rule}: {count}")
    return found
