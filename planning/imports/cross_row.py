"""Checks that look at more than one cell: fiscal years, renewals, duplicate keys, locked lines.

Each adds rows to the `problems` table of the import's cursor, reading the `typed` table (whose
invalid cells are already NULL, so a cell is blamed once).
"""
from __future__ import annotations

import duckdb

from planning.imports.kinds import Kind


def fiscal_year_of(month_sql: str) -> str:
    """SQL for the fiscal year a DATE falls in; `?` is the store's first month of the year."""
    return f"(year({month_sql}) - CASE WHEN month({month_sql}) < ? THEN 1 ELSE 0 END)"


def _add(cur: duckdb.DuckDBPyConnection, select: str, params: list | None = None) -> None:
    cur.execute(f"INSERT INTO problems {select}", params or [])


def check(cur: duckdb.DuckDBPyConnection, kind: Kind, scenario: str, start_month: int) -> None:
    if kind.name == "plan":
        _add(cur, "SELECT _row, 'month', strftime(month, '%Y-%m'), 'month_outside',"
                  " CAST(fiscal_year AS VARCHAR), NULL FROM typed"
                  f" WHERE {fiscal_year_of('month')} <> fiscal_year", [start_month])
        _locked(cur, kind, scenario)
    if kind.name == "targets":
        period_year = ("CASE WHEN length(period) = 4 THEN CAST(period AS INTEGER)"
                       " WHEN period[6] = 'Q' THEN CAST(period[1:4] AS INTEGER)"
                       f" ELSE {fiscal_year_of('CAST(period || ' + repr('-01') + ' AS DATE)')} END")
        _add(cur, "SELECT _row, 'period', period, 'period_outside', CAST(fiscal_year AS VARCHAR),"
                  f" NULL FROM typed WHERE {period_year} <> fiscal_year", [start_month])
    if kind.name == "outcomes":
        _add(cur, "SELECT _row, 'renewals_won', CAST(renewals_won AS VARCHAR), 'renewals',"
                  " CAST(renewals_due AS VARCHAR), NULL FROM typed"
                  " WHERE renewals_won > renewals_due")
    _duplicates(cur, kind)


def _key_columns(kind: Kind) -> list[str]:
    # A plan file may hold several fiscal years: the key is per scenario, i.e. per year.
    return (["fiscal_year"] if kind.name == "plan" else []) + list(kind.key)


def _duplicates(cur: duckdb.DuckDBPyConnection, kind: Kind) -> None:
    keys = _key_columns(kind)
    quoted = ", ".join(f'"{k}"' for k in keys)
    shown = " || ' / ' || ".join(
        f"strftime(t.\"{k}\", '%Y-%m')" if k == "month" else f'CAST(t."{k}" AS VARCHAR)'
        for k in keys
    )
    _add(cur, f"""
        WITH firsts AS (
            SELECT {quoted}, min(_row) AS first_row FROM typed
            WHERE {' AND '.join(f'"{k}" IS NOT NULL' for k in keys)}
            GROUP BY ALL HAVING count(*) > 1
        )
        SELECT t._row, '{'/'.join(kind.key)}', {shown}, 'duplicate', NULL, f.first_row
        FROM typed t JOIN firsts f USING ({quoted})
        WHERE t._row <> f.first_row
    """)


def _locked(cur: duckdb.DuckDBPyConnection, kind: Kind, scenario: str) -> None:
    """A plan row may not touch a signed-off or locked line, nor any line of a locked scenario."""
    _add(cur, """
        SELECT t._row, 'fiscal_year', CAST(t.fiscal_year AS VARCHAR), 'scenario_locked',
               s.name || ' ' || s.fiscal_year, NULL
        FROM typed t JOIN scenarios s ON s.fiscal_year = t.fiscal_year AND s.name = ?
        WHERE s.locked
    """, [scenario])
    line_key = " AND ".join(f'l."{k}" = t."{k}"' for k in kind.key)
    _add(cur, f"""
        SELECT t._row, '{'/'.join(kind.key)}',
               t.owner || ' / ' || t.category || ' / ' || t.funnel_stage || ' / ' || t.channel
               || ' / ' || t.region || ' / ' || strftime(t.month, '%Y-%m'), 'signed_off', NULL, NULL
        FROM typed t
        JOIN scenarios s ON s.fiscal_year = t.fiscal_year AND s.name = ? AND NOT s.locked
        JOIN plan_lines l ON l.scenario_id = s.id AND {line_key}
        WHERE l.status = 'signed_off' OR l.locked
    """, [scenario])
