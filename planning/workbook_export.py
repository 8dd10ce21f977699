"""Exports as an Excel workbook: each kind a sheet, in the columns and order its CSV export has.

The cells are the CSV export's own (the same SQL: text guarded against formulas the same way, so
a workbook imports back to the same store), typed as a spreadsheet wants them: money as numbers
in the store's currency format, counts as whole numbers, a target as a number; months, times and
text as text (a month typed as a date would show a day the plan does not have). The header row
is frozen and the columns are sized to their contents. Written with XlsxWriter, whose
constant-memory mode keeps a sheet of a million rows out of memory.
"""
from __future__ import annotations

import io
from collections.abc import Iterable
from decimal import Decimal

import xlsxwriter

from planning.exports import export_sql
from planning.imports.kinds import KINDS
from planning.model import BASELINE
from planning.store import Store

NUMBERS = {"money", "signed_money", "count", "target", "year", "integer"}
MAX_WIDTH = 40
BATCH = 50_000


def export_workbook(store: Store, kinds: Iterable[str], *, scenario: str = BASELINE,
                    year: int | None = None, currency: str = "USD") -> bytes:
    """One workbook of the kinds' rows (the `plan` sheet from `scenario`), a sheet per kind."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": True,
                                     "strings_to_formulas": False, "strings_to_urls": False,
                                     "strings_to_numbers": False})
    header = book.add_format({"bold": True, "bottom": 1})
    money = book.add_format({"num_format": f'#,##0.00 "{currency}";-#,##0.00 "{currency}"'})
    whole = book.add_format({"num_format": "0"})
    for kind_name in kinds:
        kind = KINDS[kind_name]
        sheet = book.add_worksheet(kind.name)
        sheet.freeze_panes(1, 0)
        widths = [len(c.name) for c in kind.columns]
        for i, column in enumerate(kind.columns):
            sheet.write_string(0, i, column.name, header)
        sql, params = export_sql(store, kind.name, scenario, year)
        formats = [money if c.type in ("money", "signed_money") else
                   whole if c.type in ("count", "year", "integer") else None for c in kind.columns]
        numeric = [c.type in NUMBERS for c in kind.columns]
        row_number = 0
        with store.cursor() as cur:
            cur.execute(sql, params)
            while rows := cur.fetchmany(BATCH):
                for row in rows:
                    row_number += 1
                    for i, value in enumerate(row):
                        if value is None or value == "":
                            continue
                        if numeric[i]:
                            number = Decimal(value)
                            # Whole numbers stay integers: an amount's cents are in its format.
                            sheet.write_number(row_number, i, int(number) if number ==
                                               number.to_integral() else float(number),
                                               formats[i])
                        else:
                            sheet.write_string(row_number, i, value)
                        widths[i] = max(widths[i], len(value))
        for i, width in enumerate(widths):
            sheet.set_column(i, i, min(width + 2, MAX_WIDTH))
        sheet.autofilter(0, 0, max(row_number, 1), len(kind.columns) - 1)
    book.close()
    return out.getvalue()
