"""Scenarios: try allocations of the shared pool, exactly, and adopt the one both heads back."""
from __future__ import annotations

import streamlit as st

from dashboard.ui import lazy
from dashboard.ui import scenario_forms as forms
from dashboard.ui.context import actor, fiscal_year, show_notice, tandem
from dashboard.ui.format import format_money, state, table
from planning import access

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
table(st, [{"Scenario": s.name, "Status": ("Adopted · " if s.adopted else "")
            + state("locked" if s.locked else "open"),
            "Lines": s.lines, "Allocated": s.allocated,
            "Unallocated": pool - s.allocated if pool is not None else None,
            "Sales": s.by_owner["sales"], "Marketing": s.by_owner["marketing"],
            "Joint": s.by_owner["joint"]} for s in scenarios],
      key="scenario_table", currency=currency,
      kinds={"Lines": "count", "Allocated": "money", "Unallocated": "money", "Sales": "money",
             "Marketing": "money", "Joint": "money"})
st.caption(f"Pool of FY{year}: {format_money(pool, currency)}.")

names = [s.name for s in scenarios]
if "working_next" in st.session_state:  # the scenario an operation made, renamed or deleted
    st.session_state["working"] = st.session_state.pop("working_next")
if st.session_state.get("working") not in names:
    st.session_state["working"] = adopted if adopted in names else names[0]
name = st.selectbox("Working scenario", names, key="working",
                    format_func=lambda n: f"{n} (adopted)" if n == adopted else n)
current = next(s for s in scenarios if s.name == name)
now = forms.scenario_state(t, year, current)
budget = t.budget(year, name)

# Only the operations this person may do to this scenario now get a tab; the reason for the
# others is said once. The open tab is kept across the rerun an operation makes.
LINE_TABS = {"Scale": forms.scale, "Shift": forms.shift, "Split": forms.split,
             "Lock lines": forms.lock_lines, "Edit lines": forms.edit_lines}
cannot_change = access.scenario_refusal(actor(), "change_lines", now)
labels = ["Manage", *([] if cannot_change else LINE_TABS), "Funnel assumptions"]
if cannot_change:
    st.caption(f"Scale, shift, split, lock lines and edit lines are not offered: {cannot_change}.")
# Only the open tab is built: the others' forms and tables cost the server as much as the
# rest of the page together.
for tab, label in zip(lazy.tabs(labels, key="scenario_tab"), labels, strict=True):
    if not tab.open:
        continue
    with tab:
        if label == "Manage":
            forms.manage(t, year, name, now)
        elif label in LINE_TABS:
            LINE_TABS[label](t, budget)
        else:
            forms.assumptions(t, year, name, now)
