"""Write a checked file: match its rows to stored ones, count, then upsert on the contract's key.

Matching and counting read the store before the write transaction (the caller holds the write
lock); the transaction itself only writes.
"""
from __future__ import annotations

from decimal import Decimal

import duckdb

from planning import audit
from planning.imports.cross_row import fiscal_year_of
from planning.imports.kinds import Kind
from planning.imports.problems import SHOWN_CHANGES, ImportReport, RowChange
from planning.store import Store, copy_in, ids


def stored_columns(kind: Kind) -> tuple[list[str], list[str]]:
    """(key columns, value columns) as the kind's table holds them."""
    if kind.name == "plan":
        # The fiscal year of a plan line is its scenario's.
        return ["scenario_id", *kind.key], ["amount", "description"]
    return list(kind.key), [c for c in kind.names if c not in kind.key]


def stored_rows(kind: Kind, scenario: str) -> list[tuple[str, str, list]]:
    """The stored rows matching and the checks read, as (table, query, params): what a server
    store copies into the database a file is staged in (planning.store.copy_in)."""
    scenarios = ("scenarios", "SELECT * FROM scenarios", [])
    if kind.name == "plan":
        return [scenarios, ("plan_lines", "SELECT * FROM plan_lines WHERE scenario_id IN"
                            " (SELECT id FROM scenarios WHERE name = ?)", [scenario])]
    if kind.name == "forecast":  # a forecast's month must be after its year's last actuals
        return [scenarios, (kind.table, f"SELECT * FROM {kind.table}", []),
                ("actuals", "SELECT a.* FROM actuals a JOIN (SELECT max(id) AS id FROM actuals"
                 " GROUP BY month) AS m ON a.id = m.id", [])]  # one row per month is enough
    return [scenarios, (kind.table, f"SELECT * FROM {kind.table}", [])]


def _same(alias: str, keys: list[str]) -> str:
    """SQL: the row `alias` has the key of the staged row `t`."""
    return " AND ".join(f'{alias}."{k}" = t."{k}"' for k in keys)


def updates(kind: Kind, alias: str) -> str:
    """SQL: the stored row `alias` is the one the matched row `t` (of `keyed`) updates: by its
    id, or by the key for a table without ids (leads, survey answers)."""
    if kind.numbered:
        return f"{alias}.id = t.existing_id"
    return _same(alias, stored_columns(kind)[0])


def stamps(kind: Kind, import_id: int) -> dict[str, str]:
    """Columns a kind's table sets on every row an import adds or changes, as SQL values: the
    import that last wrote a lead; the time a survey answer was given (imported)."""
    if kind.name == "leads":
        return {"import_id": str(int(import_id))}
    if kind.name == "survey":
        return {"answered_at": "current_timestamp"}
    return {}


def years_sql(kind: Kind) -> tuple[str, bool]:
    """SQL for the fiscal years of the staged rows (`typed`), and whether it takes the first
    month of the year as its parameter. A lead is in the year it was created in and the year it
    became an MQL in; a survey answer in its quarter's."""
    if "fiscal_year" in kind.names:
        return "SELECT fiscal_year FROM typed", False
    if kind.name == "leads":
        return (f"SELECT {fiscal_year_of('created_at')} FROM typed UNION SELECT"
                f" {fiscal_year_of('mql_at')} FROM typed WHERE mql_at IS NOT NULL"), True
    if kind.name == "survey":
        return "SELECT CAST(left(period, 4) AS INTEGER) FROM typed", False
    return f"SELECT {fiscal_year_of('month')} FROM typed", True


def _differs(alias: str, values: list[str]) -> str:
    return " OR ".join(f'{alias}."{v}" IS DISTINCT FROM t."{v}"' for v in values)


def _match(cur: duckdb.DuckDBPyConnection, kind: Kind, scenario: str) -> tuple[int, int]:
    """Build `keyed`: each row with the id of the stored row it updates; (added, updated)."""
    keys, values = stored_columns(kind)
    if kind.name == "plan":
        source = ("SELECT t.*, s.id AS scenario_id FROM typed t LEFT JOIN scenarios s"
                  " ON s.fiscal_year = t.fiscal_year AND s.name = ?")
        params = [scenario]
        in_scope = ("SELECT count(*) FROM plan_lines WHERE scenario_id IN (SELECT id FROM"
                    " scenarios WHERE name = ? AND fiscal_year IN (SELECT fiscal_year FROM typed))")
    else:
        source, params = "SELECT * FROM typed", []
        in_scope = f"SELECT count(*) FROM {kind.table}"
    if not cur.execute(in_scope, params).fetchone()[0]:
        # Nothing stored yet where this file goes: every row is new, no join needed.
        cur.execute("CREATE TEMP VIEW keyed AS SELECT *, NULL::BIGINT AS existing_id,"
                    " false AS changed FROM typed")
        return cur.execute("SELECT count(*) FROM typed").fetchone()[0], 0
    # A table without ids: a matched row's `existing_id` is 0, its key finds it (`updates`).
    found = "l.id" if kind.numbered else f'CASE WHEN l."{keys[0]}" IS NOT NULL THEN 0 END'
    cur.execute(
        f"CREATE TEMP TABLE keyed AS SELECT t.*, {found} AS existing_id,"
        f" ({found} IS NOT NULL AND ({_differs('l', values)})) AS changed"
        f" FROM ({source}) t LEFT JOIN {kind.table} l ON {_same('l', keys)}", params)
    return cur.execute("SELECT count(*) FILTER (WHERE existing_id IS NULL),"
                       " count(*) FILTER (WHERE changed) FROM keyed").fetchone()


def run(cur: duckdb.DuckDBPyConnection, kind: Kind, file_name: str, scenario: str, actor: str,
        start_month: int, rows: int, *, commit: bool, store: Store) -> ImportReport:
    added, updated = _match(cur, kind, scenario)
    control = None
    if kind.control:
        control = cur.execute(f'SELECT sum("{kind.control}") FROM typed').fetchone()[0]
        control = control if control is not None else Decimal("0.00")
    year_sql, per_month = years_sql(kind)
    params = [start_month] * year_sql.count("?") if per_month else []
    years = tuple(r[0] for r in cur.execute(
        f"SELECT DISTINCT * FROM ({year_sql}) ORDER BY 1", params).fetchall())
    plan_scenario = scenario if kind.name == "plan" else None
    changes = _changes(cur, kind) if updated else ()
    if commit:
        # A file of a row group or more would commit through a WAL that a crash can tear: an
        # import into DuckDB commits by checkpoint (planning.store.connection.CHECKPOINT_ON_COMMIT).
        with store.import_transaction(cur) as out:
            lines = kind.name == "plan"
            if lines and updated:
                _note_changed(cur, out)
            mark = audit.id_mark(out) if lines else 0
            # The import's number first: the rows it writes may name it (planning.store).
            import_id = out.execute("SELECT nextval('import_ids')").fetchone()[0]
            stamped = stamps(kind, import_id)
            if out is cur:  # the store is the staging database itself
                _write(cur, kind, scenario, actor, added, updated, stamped)
            else:  # a server store: the accepted rows are copied in (planning.store.copy_in)
                copy_in.write(cur, out, kind, scenario, actor, *stored_columns(kind), added,
                              updated, stamped)
            # The lines this import created are the ids it handed out (planning.history).
            made = {"first_line": mark + 1, "last_line": audit.id_mark(out)} \
                if lines and added else {}
            seq = audit.record(out, actor, "import", f"{kind.name} {file_name}", after={
                "scenario": plan_scenario, "rows": rows, "added": added, "updated": updated,
                "control_total": audit.money(control), **made})
            if lines and updated:
                audit.record_lines(out, seq)
            out.execute(
                "INSERT INTO imports (id, kind, file_name, scenario, rows_in_file, rows_added,"
                " rows_updated, control_total, imported_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [import_id, kind.name, file_name, plan_scenario, rows, added, updated, control,
                 actor])
    return ImportReport(kind.name, file_name, plan_scenario, rows=rows, added=added,
                        updated=updated, unchanged=rows - added - updated, control_total=control,
                        fiscal_years=years, committed=commit, changes=changes)


def _changes(cur: duckdb.DuckDBPyConnection, kind: Kind) -> tuple[RowChange, ...]:
    """The stored rows the file changes, with each changed value before and after: the
    biggest change of the kind's money column first (then in file order), SHOWN_CHANGES of
    them. Read from the staged rows and the stored ones they matched (`keyed`)."""
    keys = [k for k in kind.key if k != "fiscal_year"]
    _, values = stored_columns(kind)
    order = f'abs(t."{kind.control}" - l."{kind.control}") DESC, ' if kind.control else ""
    rows = cur.execute(
        f"SELECT {', '.join(f't.{chr(34)}{k}{chr(34)}' for k in keys)},"
        f" {', '.join(f'l.{chr(34)}{v}{chr(34)}, t.{chr(34)}{v}{chr(34)}' for v in values)}"
        f" FROM keyed t JOIN {kind.table} l ON {updates(kind, 'l')} WHERE t.changed"
        f" ORDER BY {order}t._row LIMIT ?", [SHOWN_CHANGES]).fetchall()
    found = []
    for row in rows:
        pairs = row[len(keys):]
        found.append(RowChange(
            tuple(zip(keys, row[:len(keys)], strict=True)),
            tuple((v, pairs[2 * i], pairs[2 * i + 1]) for i, v in enumerate(values)
                  if pairs[2 * i] != pairs[2 * i + 1])))
    return tuple(found)


def _note_changed(cur: duckdb.DuckDBPyConnection, out: duckdb.DuckDBPyConnection) -> None:
    """Note the stored lines the file changes as they are before it (planning.audit)."""
    changed = "SELECT existing_id FROM keyed WHERE changed"
    if out is cur:
        audit.note_lines(cur, f"FROM plan_lines l WHERE l.id IN ({changed})", [])
    else:
        audit.note_line_ids(out, [r[0] for r in cur.execute(changed).fetchall()])


def _write(cur: duckdb.DuckDBPyConnection, kind: Kind, scenario: str, actor: str,
           added: int, updated: int, stamped: dict[str, str]) -> None:
    keys, values = stored_columns(kind)
    table = kind.table
    if kind.name == "plan":
        cur.execute("INSERT INTO fiscal_years (fiscal_year) SELECT DISTINCT fiscal_year FROM typed"
                    " ON CONFLICT DO NOTHING")
        cur.execute(
            "INSERT INTO scenarios (fiscal_year, name, created_by)"
            " SELECT DISTINCT fiscal_year, ?, ? FROM typed"
            " WHERE fiscal_year NOT IN (SELECT fiscal_year FROM scenarios WHERE name = ?)",
            [scenario, actor, scenario])
    if updated:
        sets = ", ".join(f'"{v}" = t."{v}"' for v in values)
        params = []
        if kind.name == "plan":
            # A changed line is a new version and a draft again: its sign-offs no longer count.
            sets += (f", version = {table}.version + 1, status = 'draft', edited_by = ?,"
                     " updated_at = current_timestamp")
            params = [actor]
        sets += "".join(f', "{c}" = {v}' for c, v in stamped.items())
        cur.execute(f"UPDATE {table} SET {sets} FROM keyed t"
                    f" WHERE {updates(kind, table)} AND t.changed", params)
    columns = keys + values
    selected = [f't."{c}"' for c in columns]
    if "import_id" in stamped:  # (a survey answer's time is the table's default)
        columns, selected = [*columns, "import_id"], [*selected, stamped["import_id"]]
    source, params = "keyed t", []
    if kind.name == "plan":
        # Scenarios created just above have no id in `keyed` yet.
        selected[0] = "s.id"
        columns, selected = [*columns, "edited_by"], [*selected, "?"]
        source += " JOIN scenarios s ON s.fiscal_year = t.fiscal_year AND s.name = ?"
        params = [actor, scenario]
    if not added:
        return
    if not kind.numbered:
        cur.execute(f"INSERT INTO {table} ({', '.join(f'{chr(34)}{c}{chr(34)}' for c in columns)})"
                    f" SELECT {', '.join(selected)} FROM {source} WHERE t.existing_id IS NULL",
                    params)
        return
    # Rows are numbered by their place in the file (_row), so ids up to the file's row count.
    base = ids.reserve(cur, table, cur.execute("SELECT count(*) FROM typed").fetchone()[0])
    cur.execute(
        f"INSERT INTO {table} (id, {', '.join(f'{chr(34)}{c}{chr(34)}' for c in columns)})"
        f" SELECT {base} + t._row + 1, {', '.join(selected)}"
        f" FROM {source} WHERE t.existing_id IS NULL", params)
