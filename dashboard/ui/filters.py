"""Line filters: the Budget page's (at the top of the page) and the scenario operations' (in a
form)."""
from __future__ import annotations

from datetime import date

import streamlit as st

from planning.budget import BudgetFilter
from planning.model import FUNNEL_STAGES

FIELDS = (("owner", "Owner", "owners"), ("funnel_stage", "Funnel stage", "stages"),
          ("category", "Category", "categories"), ("channel", "Channel", "channels"),
          ("region", "Region", "regions"))
ALL = {"owners": "All owners", "stages": "All stages", "categories": "All categories",
       "channels": "All channels", "regions": "All regions"}


def months_between(first: date, last: date) -> list[date]:
    months, current = [], first
    while current <= last:
        months.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


def line_filter(where, options: dict[str, list[str]], first: date | None, last: date | None,
                prefix: str, *, columns: int = 1) -> BudgetFilter:
    """Pickers for every dimension and the months, drawn in `where` (sidebar, form, column)."""
    cells = where.columns(columns) if columns > 1 else [where] * len(FIELDS)
    chosen = {}
    for i, (dim, label, field) in enumerate(FIELDS):
        values = options[dim]
        if dim == "funnel_stage":
            values = [s for s in FUNNEL_STAGES if s in values]
        chosen[field] = tuple(cells[i % len(cells)].multiselect(
            label, values, key=f"{prefix}_{dim}", placeholder=ALL[field]))
    month_from = month_to = None
    if first and last and first < last:
        months = months_between(first, last)
        month_from, month_to = where.select_slider(
            "Months", options=months, value=(months[0], months[-1]), key=f"{prefix}_months",
            format_func=lambda m: m.strftime("%b %Y"))
        if (month_from, month_to) == (months[0], months[-1]):
            month_from = month_to = None
    return BudgetFilter(**chosen, month_from=month_from, month_to=month_to)


def budget_filter(options: dict[str, list[str]], first: date | None,
                  last: date | None) -> BudgetFilter:
    """The Budget page's filters, in the container being drawn (three to a row; one on a
    phone, where columns stack)."""
    return line_filter(st, options, first, last, "f", columns=3)
