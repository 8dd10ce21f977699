"""Scenarios: try allocations of the shared pool, exactly, and adopt the one both heads back."""
from __future__ import annotations

import streamlit as st

from dashboard.ui import scenario_forms as forms
from dashboard.ui.context import fiscal_year, show_notice, tandem
from dashboard.ui.format import format_money

t = tandem()
year = fiscal_year()
currency = t.currency
st.title("Scenarios" + (f" · FY{year}" if year else ""))
if year is None:
    st.info("No plan yet. Load one on the **Import & export** page.")
    st.stop()
st.caption("Clone the plan, move money between channels, owners and months, lock what is agreed,"
           " and compare the projected funnel. Every change is exact to the cent and recorded.")
show_notice()

scenarios = t.scenarios(year)
pool = t.pool(year)
adopted = t.adopted_scenario(year)
st.dataframe(
    [{"Scenario": s.name, "Status": ("adopted · " if s.adopted else "") + s.status,
      "Lines": s.lines, "Allocated": format_money(s.allocated, currency),
      "Unallocated": format_money(pool - s.allocated if pool is not None else None, currency),
      "Sales": format_money(s.by_owner["sales"], currency),
      "Marketing": format_money(s.by_owner["marketing"], currency),
      "Joint": format_money(s.by_owner["joint"], currency)} for s in scenarios],
    hide_index=True, width="stretch", key="scenario_table")
st.caption(f"Pool of FY{year}: {format_money(pool, currency)}.")

names = [s.name for s in scenarios]
if st.session_state.get("working") not in names:
    st.session_state["working"] = adopted if adopted in names else names[0]
name = st.selectbox("Working scenario", names, key="working",
                    format_func=lambda n: f"{n} (adopted)" if n == adopted else n)
current = next(s for s in scenarios if s.name == name)
budget = t.budget(year, name)

tabs = st.tabs(["Manage", "Scale", "Shift", "Split", "Lock lines", "Edit lines",
                "Funnel assumptions"])
with tabs[0]:
    forms.manage(t, year, name, names, adopted)
if current.locked:
    for tab in tabs[1:6]:
        tab.info(f"{name} is locked: its lines cannot change. Clone it to try something else.")
else:
    with tabs[1]:
        forms.scale(t, budget)
    with tabs[2]:
        forms.shift(t, budget)
    with tabs[3]:
        forms.split(t, budget)
    with tabs[4]:
        forms.lock_lines(t, budget)
    with tabs[5]:
        forms.edit_lines(t, budget)
with tabs[6]:
    forms.assumptions(t, year, name)
