"""The Budget page's filters, in the sidebar; they apply to every number on the page."""
from __future__ import annotations

from datetime import date

import streamlit as st

from planning.budget import BudgetFilter
from planning.model import FUNNEL_STAGES


def _months(first: date, last: date) -> list[date]:
    months, current = [], first
    while current <= last:
        months.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


def budget_filter(options: dict[str, list[str]], first: date | None,
                  last: date | None) -> BudgetFilter:
    bar = st.sidebar
    bar.subheader("Filters")
    owners = bar.multiselect("Owner", options["owner"], key="f_owner", placeholder="All owners")
    stages = bar.multiselect("Funnel stage", [s for s in FUNNEL_STAGES
                                              if s in options["funnel_stage"]],
                             key="f_stage", placeholder="All stages")
    categories = bar.multiselect("Category", options["category"], key="f_category",
                                 placeholder="All categories")
    channels = bar.multiselect("Channel", options["channel"], key="f_channel",
                               placeholder="All channels")
    regions = bar.multiselect("Region", options["region"], key="f_region",
                              placeholder="All regions")
    month_from = month_to = None
    if first and last and first < last:
        months = _months(first, last)
        month_from, month_to = bar.select_slider(
            "Months", options=months, value=(months[0], months[-1]), key="f_months",
            format_func=lambda m: m.strftime("%b %Y"))
        if (month_from, month_to) == (months[0], months[-1]):
            month_from = month_to = None
    return BudgetFilter(tuple(owners), tuple(stages), tuple(categories), tuple(channels),
                        tuple(regions), month_from, month_to)
