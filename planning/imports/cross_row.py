"""Checks that look at more than one cell: fiscal years, renewals, a lead's times and rep, a
respondent's department, duplicate keys, locked lines, and totals the store can hold.

Each adds its problems through `add`, reading the `typed` table. Only rows whose every cell is
valid take part, so a cell is blamed once; a row with a bad cell is checked for these after its
cells are fixed.
"""
from __future__ import annotations

import duckdb

from planning.imports.kinds import MAX_AMOUNT, Kind
from planning.imports.problems import PER_KIND, VALUE_CHARS

GOOD = "NOT _bad"


def fiscal_year_of(month_sql: str) -> str:
    """SQL for the fiscal year a DATE falls in; `?` is the store's first month of the year."""
    return f"(year({month_sql}) - CASE WHEN month({month_sql}) < ? THEN 1 ELSE 0 END)"


def create_problem_tables(cur: duckdb.DuckDBPyConnection) -> None:
    cur.execute("CREATE TEMP TABLE problems (_row BIGINT, col VARCHAR, value VARCHAR,"
                " code VARCHAR, detail VARCHAR, other_row BIGINT, chars BIGINT)")
    cur.execute("CREATE TEMP TABLE problem_counts (col VARCHAR, code VARCHAR, n BIGINT,"
                " last_row BIGINT)")


def add(cur: duckdb.DuckDBPyConnection, select: str, params: list | None = None) -> None:
    """Count the problems `select` finds (rows of the `problems` table) and keep the first ones.

    A check may find a problem in each of two million rows: only PER_KIND of them, first by
    row, are kept (a bounded top-N, not a sort of all of them), each value cut to what a
    problem shows, with its length in `chars`.
    """
    params = params or []
    counts = cur.execute(f"SELECT col, code, count(*), max(_row) FROM ({select}) GROUP BY ALL",
                         params).fetchall()
    if not counts:
        return
    cur.executemany("INSERT INTO problem_counts VALUES (?, ?, ?, ?)", counts)
    cur.execute(f"INSERT INTO problems SELECT _row, col, left(value, {VALUE_CHARS + 1}), code,"
                f" detail, other_row, length(value) FROM ({select}) ORDER BY _row, col"
                f" LIMIT {PER_KIND}", params)


def _add(cur: duckdb.DuckDBPyConnection, select: str, params: list | None = None) -> None:
    """`add` for the checks below, whose SELECT names no columns."""
    add(cur, f"SELECT * FROM ({select}) AS p(_row, col, value, code, detail, other_row)",
        params)


def check(cur: duckdb.DuckDBPyConnection, kind: Kind, scenario: str, start_month: int) -> None:
    if kind.name in ("plan", "forecast"):
        _add(cur, "SELECT _row, 'month', strftime(month, '%Y-%m'), 'month_outside',"
                  " CAST(fiscal_year AS VARCHAR), NULL FROM typed"
                  f" WHERE {GOOD} AND {fiscal_year_of('month')} <> fiscal_year", [start_month])
    if kind.name == "plan":
        _locked(cur, kind, scenario)
    if kind.name == "forecast":
        _closed(cur, start_month)
    if kind.name == "targets":
        period_year = ("CASE WHEN length(period) = 4 THEN CAST(period AS INTEGER)"
                       " WHEN period[6] = 'Q' THEN CAST(period[1:4] AS INTEGER)"
                       f" ELSE {fiscal_year_of('CAST(period || ' + repr('-01') + ' AS DATE)')} END")
        _add(cur, "SELECT _row, 'period', period, 'period_outside', CAST(fiscal_year AS VARCHAR),"
                  f" NULL FROM typed WHERE {GOOD} AND {period_year} <> fiscal_year",
             [start_month])
    if kind.name == "outcomes":
        _add(cur, "SELECT _row, 'renewals_won', CAST(renewals_won AS VARCHAR), 'renewals',"
                  " CAST(renewals_due AS VARCHAR), NULL FROM typed"
                  f" WHERE {GOOD} AND renewals_won > renewals_due")
    if kind.name == "leads":
        _lead_times(cur)
    if kind.name == "survey":
        _one_department(cur)
    _duplicates(cur, kind)
    if kind.control:
        _total(cur, kind.control)


def _closed(cur: duckdb.DuckDBPyConnection, start_month: int) -> None:
    """A forecast is of an open month: after the last month of its fiscal year with actuals
    (planning.forecast's as-of month); a closed month counts its actuals instead."""
    _add(cur, "SELECT t._row, 'month', strftime(t.month, '%Y-%m'), 'month_closed',"
              " strftime(c.last, '%Y-%m'), NULL FROM typed t JOIN (SELECT"
              f" {fiscal_year_of('month')} AS fiscal_year, max(month) AS last FROM actuals"
              " GROUP BY 1) AS c ON c.fiscal_year = t.fiscal_year"
              f" WHERE {GOOD.replace('_bad', 't._bad')} AND t.month <= c.last", [start_month])


# A lead's times in the order the hand-off runs: (column, the column it may not be earlier than).
LEAD_ORDER = (("mql_at", "created_at"), ("first_touch_at", "mql_at"), ("sql_at", "mql_at"))


def _lead_times(cur: duckdb.DuckDBPyConnection) -> None:
    """The contract's order of a lead's times (a time left empty is not compared), and a rep
    for every lead sales has touched or accepted."""
    for column, before in LEAD_ORDER:
        _add(cur, f"SELECT _row, '{column}', strftime({column}, '%Y-%m-%d %H:%M:%S'), 'earlier',"
                  f" '{before} ' || strftime({before}, '%Y-%m-%d %H:%M:%S'), NULL FROM typed"
                  f" WHERE {GOOD} AND {column} < {before}")
    _add(cur, "SELECT _row, 'rep', NULL, 'rep_missing', CASE WHEN first_touch_at IS NOT NULL"
              " THEN 'first_touch_at' ELSE 'sql_at' END, NULL FROM typed"
              f" WHERE {GOOD} AND rep IS NULL AND (first_touch_at IS NOT NULL"
              " OR sql_at IS NOT NULL)")


def _one_department(cur: duckdb.DuckDBPyConnection) -> None:
    """A respondent answers a quarter for one department: every row of theirs in the file says
    the same one as their first, and answers stored for items the file leaves as they are say
    it too (else the scores would count them on both sides)."""
    _add(cur, f"""
        WITH firsts AS (
            SELECT respondent, period, arg_min(department, _row) AS department,
                   min(_row) AS first_row
            FROM typed WHERE {GOOD} GROUP BY ALL
        )
        SELECT t._row, 'department', t.department, 'two_departments', NULL, f.first_row
        FROM typed t JOIN firsts f USING (respondent, period)
        WHERE {GOOD.replace('_bad', 't._bad')} AND t.department <> f.department
    """)
    _add(cur, f"""
        SELECT t._row, 'department', t.department, 'department_stored',
               s.respondent || ' answered ' || s.period || ' as ' || s.department || ' in '
               || s.items || ' item(s) this file leaves as they are', NULL
        FROM typed t JOIN (
            SELECT a.respondent, a.period, a.department, count(*) AS items
            FROM survey_answers a
            WHERE NOT EXISTS (SELECT 1 FROM typed f WHERE f.respondent = a.respondent
                              AND f.period = a.period AND f.item = a.item)
            GROUP BY ALL
        ) AS s ON s.respondent = t.respondent AND s.period = t.period
        WHERE {GOOD.replace('_bad', 't._bad')} AND s.department <> t.department
    """)


def key_columns(kind: Kind) -> list[str]:
    # A plan file may hold several fiscal years: the key is per scenario, i.e. per year.
    return (["fiscal_year"] if kind.name == "plan" else []) + list(kind.key)


def _duplicates(cur: duckdb.DuckDBPyConnection, kind: Kind) -> None:
    keys = key_columns(kind)
    quoted = ", ".join(f'"{k}"' for k in keys)
    # Distinct hashes mean distinct keys: the exact search runs only when some hashes repeat.
    rows, hashes = cur.execute(f"SELECT count(*), count(DISTINCT hash({quoted})) FROM typed"
                               f" WHERE {GOOD}").fetchone()
    if rows == hashes:
        return
    shown = " || ' / ' || ".join(
        f"strftime(t.\"{k}\", '%Y-%m')" if k == "month" else f'CAST(t."{k}" AS VARCHAR)'
        for k in keys
    )
    _add(cur, f"""
        WITH firsts AS (
            SELECT {quoted}, min(_row) AS first_row FROM typed WHERE {GOOD}
            GROUP BY ALL HAVING count(*) > 1
        )
        SELECT t._row, '{'/'.join(kind.key)}', {shown}, 'duplicate', NULL, f.first_row
        FROM typed t JOIN firsts f USING ({quoted})
        WHERE {GOOD} AND t._row <> f.first_row
    """)


def _locked(cur: duckdb.DuckDBPyConnection, kind: Kind, scenario: str) -> None:
    """A plan row may not change a signed-off or locked line, nor any line of a locked scenario.
    A row equal to such a line changes nothing and passes (an export imports back)."""
    _add(cur, f"""
        SELECT t._row, 'fiscal_year', CAST(t.fiscal_year AS VARCHAR), 'scenario_locked',
               s.name || ' ' || s.fiscal_year, NULL
        FROM typed t JOIN scenarios s ON s.fiscal_year = t.fiscal_year AND s.name = ?
        WHERE {GOOD} AND s.locked
    """, [scenario])
    frozen = """
        SELECT l.*, s.fiscal_year FROM plan_lines l JOIN scenarios s ON s.id = l.scenario_id
        WHERE s.name = ? AND NOT s.locked AND (l.status = 'signed_off' OR l.locked)
    """
    if not cur.execute(f"SELECT count(*) FROM ({frozen})", [scenario]).fetchone()[0]:
        return
    line_key = " AND ".join(f'l."{k}" = t."{k}"' for k in ["fiscal_year", *kind.key])
    _add(cur, f"""
        SELECT t._row, '{'/'.join(kind.key)}',
               t.owner || ' / ' || t.category || ' / ' || t.funnel_stage || ' / ' || t.channel
               || ' / ' || t.region || ' / ' || strftime(t.month, '%Y-%m'), 'signed_off', NULL, NULL
        FROM typed t JOIN ({frozen}) l ON {line_key}
        WHERE {GOOD} AND (l.amount IS DISTINCT FROM t.amount
                          OR l.description IS DISTINCT FROM t.description)
    """, [scenario])


def _total(cur: duckdb.DuckDBPyConnection, column: str) -> None:
    """The control total is stored as DECIMAL(18,2): a file whose amounts add up to more is
    refused naming the row where the running total first goes past what the store holds."""
    total = cur.execute(f'SELECT sum("{column}") FROM typed WHERE {GOOD}').fetchone()[0]
    if total is None or abs(total) <= MAX_AMOUNT:
        return
    add(cur, f"""
        SELECT _row, '{column}' AS col, CAST("{column}" AS VARCHAR) AS value, 'total' AS code,
               CAST(running AS VARCHAR) AS detail, NULL::BIGINT AS other_row
        FROM (SELECT _row, "{column}", sum("{column}") OVER (ORDER BY _row) AS running
              FROM typed WHERE {GOOD})
        WHERE abs(running) > {MAX_AMOUNT}
        ORDER BY _row LIMIT 1
    """)
