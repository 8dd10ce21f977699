"""Hand-off: did marketing deliver, and did sales follow up? The SLA, month by month and by rep."""
from __future__ import annotations

import streamlit as st

from dashboard.ui import sla as view
from dashboard.ui.agreements import sla_terms_section
from dashboard.ui.context import actor, fiscal_year, tandem
from dashboard.ui.funnel_back import funnel_back_section
from planning.sla import fiscal_year_at, latest_mql, now, sla

t = tandem()
# With no plan yet the sidebar offers no year: the fiscal year running now.
year = fiscal_year() or fiscal_year_at(t.store, now())
st.title(f"Hand-off · FY{year}")
top = st.columns([1, 3], vertical_alignment="bottom")
with top[0]:
    as_of = view.as_of_picker(latest_mql(t.store, year))
found = sla(t.store, year, as_of)
top[1].caption(f"As of {as_of:%Y-%m-%d %H:%M} UTC · first-touch window"
               f" {view.window_text(found.window)} · MQLs by the month they were handed over"
               + view.latest(found))
if not found.year.mqls:
    view.empty(year)
    if not found.months:  # nor any MQL target: nothing to show
        st.stop()

view.headline(found)
view.tiles(found)
view.charts(found)
view.month_table(found)
view.rep_table(found)
view.overdue_table(found)
view.place_table(found, t.currency)

# -- What marketing's commitment should be: the funnel worked backwards from the revenue target.
funnel_back_section(t, year)

# -- The SLA's terms (the window, the monthly MQL commitment), agreed by both heads.
st.subheader("The SLA's terms, and who agreed them")
sla_terms_section(t, year, actor(), t.currency)
