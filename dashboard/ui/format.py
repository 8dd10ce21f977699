"""Every number as people read it, one rule per kind, in text and in tables alike.

Text (tiles, captions, messages):
- money: `$1,234,567.00` (`format_money`); whole currency units where cents are noise
  (`cents=False`); compact for tiles, `$21.22M`, with the tile's target in the same style;
- counts: `3,264`; percentages: `95.0%`; changes of a rate: `+1.2 pts`; ratios: `1.52×`;
- months: `Jan 2026`; days: `2026-11-29`, as the date pickers show them; states in words.

Tables keep numbers as numbers (so a column sorts and copies as numbers) and format them with
`st.column_config`: `table()` takes rows of plain values and the kind of each numeric column.
Money becomes float only there, at the last step of drawing, as charts do.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal

import pandas as pd
import pyarrow as pa
import streamlit as st

from planning.money import CURRENCY_SYMBOLS, format_compact, format_money

__all__ = ["axis_format", "column", "count", "day", "format_compact", "format_money", "month",
           "percent", "points", "ratio", "share", "state", "table", "table_money_format",
           "tile_money"]

# A line's or a scenario's state as a person says it.
STATES = {"draft": "Draft", "submitted": "Submitted", "returned": "Returned",
          "signed_off": "Signed off", "locked": "Locked", "open": "Open"}
DATE_INPUT = "YYYY-MM-DD"  # st.date_input's format, the same as `day()` writes


def state(value: str | None) -> str:
    """`signed_off` → `Signed off`."""
    if not value:
        return ""
    return STATES.get(value, value.replace("_", " ").capitalize())


def count(value: int | Decimal | None) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def share(value: Decimal | float | None, places: int = 1) -> str:
    """A rate held as a fraction (0.953) as a percentage: `95.3%`."""
    return "n/a" if value is None else f"{Decimal(value) * 100:.{places}f}%"


def percent(part: Decimal | None, whole: Decimal | None) -> str:
    """`part` as a percentage of `whole`; n/a when there is no whole."""
    if part is None or not whole:
        return "n/a"
    return share(Decimal(part) / Decimal(whole))


def points(delta: Decimal | None) -> str:
    """The change of a rate, in percentage points: `+1.2 pts`."""
    return "n/a" if delta is None else f"{Decimal(delta) * 100:+.1f} pts"


def ratio(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{Decimal(value):.2f}×"


def tile_money(amount: Decimal | None, currency: str) -> str:
    """A tile's money: compact from a million (so it stays on one line), else whole units."""
    if amount is not None and abs(amount) >= 1_000_000:
        return format_compact(Decimal(amount), currency)
    return format_money(amount, currency, cents=False)


def month(value: date | datetime | None) -> str:
    return "" if value is None else f"{value:%b %Y}"


def day(value: date | datetime | None) -> str:
    return "" if value is None else f"{value:%Y-%m-%d}"


def axis_format(currency: str) -> str:
    """d3 format for a money axis; the axis title names other currencies."""
    return "$,.0f" if currency == "USD" else ",.0f"


NAMED = {"USD": "dollar", "EUR": "euro"}  # formatted by the browser: `-$1,200.00`


def table_money_format(currency: str, *, cents: bool = True) -> str:
    """st.column_config.NumberColumn format for money: the currency's sign and thousands
    separators (whole units when `cents` is false: the column's step of 1 drops the cents of
    a named format)."""
    if currency in NAMED:
        return NAMED[currency]
    symbol = CURRENCY_SYMBOLS.get(currency, f"{currency} ")
    return f"{symbol}%,.{2 if cents else 0}f"


# -- tables -------------------------------------------------------------------------------------
# kind -> NumberColumn format (money's depends on the currency)
FORMATS = {"count": "%,.0f", "id": "%d", "percent": "%.1f%%", "signed_percent": "%+.1f%%",
           "ratio": "%.2f×", "rate": "%.2f"}


def column(kind: str, label: str | None = None, currency: str = "USD", *,
           help: str | None = None, width=None):
    """The column_config of one kind of column: money, money_whole, count, id (a line
    number), percent (a fraction shown ×100), signed_percent, ratio, rate, month, day, when,
    text."""
    if kind in ("money", "money_whole"):
        return st.column_config.NumberColumn(
            label, format=table_money_format(currency, cents=kind == "money"), help=help,
            width=width, step=0.01 if kind == "money" else 1)
    if kind in FORMATS:
        return st.column_config.NumberColumn(label, format=FORMATS[kind], help=help, width=width)
    if kind == "month":
        return st.column_config.DateColumn(label, format="MMM YYYY", help=help, width=width)
    if kind == "day":
        return st.column_config.DateColumn(label, format="YYYY-MM-DD", help=help, width=width)
    if kind == "when":
        return st.column_config.DatetimeColumn(label, format="YYYY-MM-DD HH:mm", help=help,
                                               width=width)
    if kind == "text":
        return st.column_config.TextColumn(label, help=help, width=width)
    raise ValueError(f"unknown column kind {kind!r}")


def _cell(kind: str, value):
    if value is None:
        return None
    if kind in ("money", "money_whole", "rate", "ratio"):
        return float(value)
    if kind in ("percent", "signed_percent"):  # fractions are shown as percentages
        return float(Decimal(value) * 100)
    if kind == "id":  # a line number names a line: no thousands separator
        return int(value)
    if kind == "count":  # whole counts stay whole; expected values keep their fraction
        return int(value) if value == int(value) else float(value)
    return value


NUMBER_KINDS = ("money", "money_whole", "rate", "ratio", "percent", "signed_percent")


def frame(rows: Iterable[Mapping], kinds: Mapping[str, str]) -> pa.Table:
    """Rows of plain values as an Arrow table whose numeric columns hold numbers (None stays
    empty). Arrow is what Streamlit sends: built column by column here, a table costs a
    fraction of a pandas frame converted on every rerun."""
    rows = list(rows)
    names = list(dict.fromkeys(name for row in rows for name in row))
    return pa.table({name: _arrow_column(kinds.get(name, "text"),
                                         [_cell(kinds.get(name, "text"), row.get(name))
                                          for row in rows])
                     for name in names})


def _arrow_column(kind: str, cells: list) -> pa.Array:
    if kind in NUMBER_KINDS:
        return pa.array(cells, type=pa.float64())
    if kind == "id":
        return pa.array(cells, type=pa.int64())
    if kind == "count":
        whole = all(c is None or isinstance(c, int) for c in cells)
        return pa.array(cells, type=pa.int64() if whole else pa.float64())
    if kind in ("month", "day", "when"):
        return pa.Array.from_pandas(pd.to_datetime(pd.Series(cells, dtype=object)))
    try:
        return pa.array(cells)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        # Mixed kinds of value in one column: shown as text, as Streamlit would show them.
        return pa.array([None if c is None else str(c) for c in cells], type=pa.string())


def table(where, rows: Iterable[Mapping], *, key: str, kinds: Mapping[str, str],
          currency: str = "USD", labels: Mapping[str, str] | None = None,
          widths: Mapping[str, object] | None = None, **options):
    """Draw `rows` (dicts) in `where` as a table: each column named in `kinds` formatted by its
    kind (`labels` renames a column's header, e.g. to name the currency)."""
    labels, widths = labels or {}, widths or {}
    config = {name: column(kind, labels.get(name), currency, width=widths.get(name))
              for name, kind in kinds.items()}
    for name, width in widths.items():
        config.setdefault(name, st.column_config.Column(width=width))
    options.setdefault("hide_index", True)
    options.setdefault("width", "stretch")
    return where.dataframe(frame(rows, kinds), column_config=config, key=key, **options)
