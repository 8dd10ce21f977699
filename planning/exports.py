"""Write the CSV form the importer reads, safe to open in a spreadsheet."""
from __future__ import annotations

from planning.imports.cross_row import fiscal_year_of
from planning.imports.kinds import KINDS, SURVEY_DEPARTMENTS
from planning.model import BASELINE
from planning.store import Store

# A cell a spreadsheet would run as a formula gets a leading apostrophe (OWASP CSV injection);
# the importer strips it again, so an export still imports to the same store. A cell that starts
# with apostrophes before such a character gets one more, so taking one off gives it back.
_GUARDED = "CASE WHEN {matches} THEN '''' || {c} ELSE {c} END"
_FORMULA = "'^''*[=+\\-@\\t\\r]'"
# A line break in a cell is written LF: a CR would not survive a reader that translates newlines
# (a spreadsheet, Python's text mode), so the round trip would change the cell.
_LINE_BREAKS = "replace(replace({c}, chr(13) || chr(10), chr(10)), chr(13), chr(10))"


def _cell(store: Store, kind_name: str, name: str, column_type: str) -> str:
    c = f'x."{name}"'
    if column_type == "month":
        return f"strftime({c}, '%Y-%m')"
    if column_type == "timestamp":  # UTC, to the second: the first form the importer reads
        return f"strftime({c}, '%Y-%m-%d %H:%M:%S')"
    if column_type == "text":
        text = _LINE_BREAKS.format(c=c)
        return _GUARDED.format(c=text, matches=store.dialect.matches(text, _FORMULA))
    if column_type == "target":
        # 0.250000 -> 0.25; 27900000.000000 -> 27900000
        return f"rtrim(rtrim(CAST({c} AS VARCHAR), '0'), '.')"
    return f"CAST({c} AS VARCHAR)"


def export_sql(store: Store, kind_name: str, scenario: str, year: int | None) -> tuple[str, list]:
    kind = KINDS[kind_name]
    cells = ", ".join(f'{_cell(store, kind_name, c.name, c.type)} AS "{c.name}"'
                      for c in kind.columns)
    order = ", ".join(f'x."{k}"' for k in kind.key)
    if kind_name == "plan":
        source = ("(SELECT l.*, s.fiscal_year FROM plan_lines l JOIN scenarios s"
                  " ON s.id = l.scenario_id WHERE s.name = ?)")
        params: list = [scenario]
        where, order = "x.fiscal_year = ?", "x.fiscal_year, " + order
    elif "fiscal_year" in kind.names:
        source, params, where = kind.table, [], "x.fiscal_year = ?"
    elif kind_name == "leads":  # created in the year, or an MQL in it
        source, params = kind.table, [store.fiscal_year_start_month] * 2
        where = (f"({fiscal_year_of('CAST(x.created_at AS DATE)')} = ? OR"
                 f" coalesce({fiscal_year_of('CAST(x.mql_at AS DATE)')} = ?, false))")
    elif kind_name == "survey":
        # Answers given in the app by people of neither department stay out: a file holds the
        # two departments' answers only.
        source = ("(SELECT * FROM survey_answers WHERE department IN"
                  f" ({', '.join(repr(d) for d in SURVEY_DEPARTMENTS)}))")
        params, where = [], "CAST(left(x.period, 4) AS INTEGER) = ?"
    else:
        source, params = kind.table, [store.fiscal_year_start_month]
        where = f"{fiscal_year_of('x.month')} = ?"
    if year is None:
        where = "true"
        params = params[:1] if kind_name == "plan" else []
    elif kind_name == "leads":
        params = [params[0], year, params[1], year]
    else:
        params.append(year)
    return f"SELECT {cells} FROM {source} AS x WHERE {where} ORDER BY {order}", params


def export_csv(store: Store, kind_name: str, *, scenario: str = BASELINE,
               year: int | None = None) -> str:
    """The rows of one kind as CSV text, in the contract's column order, sorted by key."""
    sql, params = export_sql(store, kind_name, scenario, year)
    return store.csv_text(sql, params)
