"""Write a checked file: count what it adds and changes, then upsert on the contract's key."""
from __future__ import annotations

from decimal import Decimal

import duckdb

from planning import audit
from planning.imports.cross_row import fiscal_year_of
from planning.imports.kinds import Kind
from planning.imports.problems import ImportReport


def stored_columns(kind: Kind) -> tuple[list[str], list[str]]:
    """(key columns, value columns) as the kind's table holds them."""
    if kind.name == "plan":
        # The fiscal year of a plan line is its scenario's.
        return ["scenario_id", *kind.key], ["amount", "description"]
    values = [c for c in kind.names if c not in kind.key]
    return list(kind.key), values


def write(cur: duckdb.DuckDBPyConnection, kind: Kind, file_name: str, scenario: str, actor: str,
          start_month: int, rows: int, *, commit: bool) -> ImportReport:
    if kind.name == "plan" and commit:
        _ensure_scenarios(cur, scenario, actor)
    _keyed(cur, kind, scenario)
    keys, values = stored_columns(kind)
    added, updated = cur.execute(
        f"SELECT count(*) FILTER (WHERE l.id IS NULL),"
        f" count(*) FILTER (WHERE l.id IS NOT NULL AND ({_differs('l', values)}))"
        f" FROM keyed t LEFT JOIN {kind.table} l ON {_same('l', keys)}"
    ).fetchone()
    control = None
    if kind.control:
        control = cur.execute(f'SELECT sum("{kind.control}") FROM keyed').fetchone()[0]
        control = control if control is not None else Decimal("0.00")
    year_sql = "fiscal_year" if "fiscal_year" in kind.names else fiscal_year_of("month")
    params = [] if "fiscal_year" in kind.names else [start_month]
    years = tuple(r[0] for r in cur.execute(
        f"SELECT DISTINCT {year_sql} FROM keyed ORDER BY 1", params).fetchall())
    if commit:
        _upsert(cur, kind, keys, values)
        if kind.name == "plan":
            cur.execute("INSERT INTO fiscal_years (fiscal_year) SELECT DISTINCT fiscal_year"
                        " FROM keyed ON CONFLICT DO NOTHING")
        audit.record(cur, actor, "import", f"{kind.name} {file_name}", after={
            "scenario": scenario if kind.name == "plan" else None, "rows": rows, "added": added,
            "updated": updated, "control_total": audit.money(control)})
        cur.execute(
            "INSERT INTO imports (kind, file_name, scenario, rows_in_file, rows_added,"
            " rows_updated, control_total, imported_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [kind.name, file_name, scenario if kind.name == "plan" else None, rows, added, updated,
             control, actor],
        )
    return ImportReport(kind.name, file_name, scenario if kind.name == "plan" else None, rows=rows,
                        added=added, updated=updated, unchanged=rows - added - updated,
                        control_total=control, fiscal_years=years, committed=commit)


def _ensure_scenarios(cur: duckdb.DuckDBPyConnection, scenario: str, actor: str) -> None:
    cur.execute("INSERT INTO fiscal_years (fiscal_year) SELECT DISTINCT fiscal_year FROM typed"
                " ON CONFLICT DO NOTHING")
    cur.execute(
        "INSERT INTO scenarios (fiscal_year, name, created_by)"
        " SELECT DISTINCT fiscal_year, ?, ? FROM typed"
        " WHERE fiscal_year NOT IN (SELECT fiscal_year FROM scenarios WHERE name = ?)",
        [scenario, actor, scenario],
    )


def _keyed(cur: duckdb.DuckDBPyConnection, kind: Kind, scenario: str) -> None:
    if kind.name == "plan":
        cur.execute(
            "CREATE OR REPLACE TEMP TABLE keyed AS SELECT t.*, s.id AS scenario_id FROM typed t"
            " LEFT JOIN scenarios s ON s.fiscal_year = t.fiscal_year AND s.name = ?", [scenario])
    else:
        cur.execute("CREATE OR REPLACE TEMP TABLE keyed AS SELECT * FROM typed")


def _upsert(cur: duckdb.DuckDBPyConnection, kind: Kind, keys: list[str],
            values: list[str]) -> None:
    table = kind.table
    sets = ", ".join(f'"{v}" = t."{v}"' for v in values)
    if kind.name == "plan":
        sets += f", version = {table}.version + 1, updated_at = current_timestamp"
    cur.execute(f"UPDATE {table} SET {sets} FROM keyed t"
                f" WHERE {_same(table, keys)} AND ({_differs(table, values)})")
    columns = keys + values
    cur.execute(
        f"INSERT INTO {table} (id, {', '.join(f'{chr(34)}{c}{chr(34)}' for c in columns)})"
        f" SELECT (SELECT coalesce(max(id), 0) FROM {table}) + t._row + 1,"
        f" {', '.join(f't.{chr(34)}{c}{chr(34)}' for c in columns)}"
        f" FROM keyed t WHERE NOT EXISTS (SELECT 1 FROM {table} l WHERE {_same('l', keys)})"
    )


def _same(alias: str, keys: list[str]) -> str:
    """SQL: the row `alias` has the key of the staged row `t`."""
    return " AND ".join(f'{alias}."{k}" = t."{k}"' for k in keys)


def _differs(alias: str, values: list[str]) -> str:
    return " OR ".join(f'{alias}."{v}" IS DISTINCT FROM t."{v}"' for v in values)
