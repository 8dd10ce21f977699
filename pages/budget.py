"""Budget: the shared pool of a fiscal year, how it is allocated, and every line."""
from __future__ import annotations

import streamlit as st

from dashboard.ui import charts, lazy
from dashboard.ui.context import actor, fiscal_year, notice, show_notice, shown_refusals, tandem
from dashboard.ui.filters import budget_filter
from dashboard.ui.format import count, format_money, percent, state, table
from dashboard.ui.history import line_history
from planning import access
from planning.budget import PAGE_SIZE, SORTABLE
from planning.money import parse_amount

t = tandem()
year = fiscal_year()
currency = t.currency

if year is None:
    st.title("Shared budget")
    st.info("No plan yet. Load one on the **Import & export** page.")
    st.stop()

scenarios = [s.name for s in t.scenarios(year)]
adopted = t.adopted_scenario(year)
st.title(f"Shared budget · FY{year}")
# The scenario and the filters sit on top of the page, folded: on a phone they are not hidden
# behind the sidebar, and the tiles still come first.
with st.expander("Scenario and filters", icon=":material/filter_list:"):
    scenario = st.selectbox(
        "Scenario", scenarios, index=scenarios.index(adopted) if adopted in scenarios else 0,
        key="budget_scenario", format_func=lambda s: f"{s} (adopted)" if s == adopted else s)
    budget = t.budget(year, scenario)
    first, last = budget.month_range()
    budget = budget.filtered(budget_filter(budget.options(), first, last))
summary = budget.summary()

st.caption(f"Scenario **{scenario}**" + (" (adopted plan)" if scenario == adopted else "")
           + (f" · filtered: {budget.filter.describe()}; every figure below follows it"
              if budget.filter.active else "") + f" · amounts in {currency}")
show_notice()


def tile(column, label: str, amount, help_text: str, delta: str | None = None) -> None:
    column.metric(label, format_money(amount, currency, cents=False), delta=delta,
                  delta_color="off", delta_arrow="off", help=help_text, border=True)


tiles = [*st.columns(3), *st.columns(3)]
tile(tiles[0], "Pool", summary.pool, "The total budget of the fiscal year, shared by both"
     " departments.", "sales + marketing + joint" if summary.pool is not None else "not set")
tile(tiles[1], "Allocated", summary.allocated, "Sum of the lines shown.",
     f"{percent(summary.allocated, summary.pool)} of pool" if summary.pool else None)
tile(tiles[2], "Unallocated", summary.unallocated,
     "Pool minus every line of the scenario (filters do not change it).",
     f"{percent(summary.unallocated, summary.pool)} of pool" if summary.pool else None)
for column, owner in zip(tiles[3:], ("sales", "marketing", "joint"), strict=True):
    tile(column, owner.capitalize(), summary.by_owner[owner], f"Lines owned by {owner}.",
         f"{percent(summary.by_owner[owner], summary.allocated)} of allocated")

if summary.lines == 0:
    st.warning("No line matches these filters.")
    st.stop()

left, right = st.columns([3, 2])
left.vega_lite_chart(spec=charts.monthly_phasing(budget.monthly(), currency), width="stretch")
right.vega_lite_chart(spec=charts.funnel_stages(budget.by_dimension("funnel_stage"), currency),
                   width="stretch")

tabs = lazy.tabs(["By category", "By channel", "By region", "By owner"], key="breakdown_tab")
for tab, (dim, label) in zip(tabs, [("category", "Category"), ("channel", "Channel"),
                                    ("region", "Region"), ("owner", "Owner")], strict=True):
    if tab.open:
        tab.vega_lite_chart(spec=charts.breakdown(budget.by_dimension(dim), label,
                                                  f"Allocation by {label.lower()}", currency),
                            width="stretch")

st.subheader(f"Lines ({count(summary.lines)})")
controls = st.columns([2, 1, 1, 3])
sort = controls[0].selectbox("Sort by", SORTABLE, index=SORTABLE.index("amount"), key="sort",
                             format_func=lambda c: c.replace("_", " ").capitalize())
descending = controls[1].toggle("Largest first", value=True, key="descending")
pages = max(1, -(-summary.lines // PAGE_SIZE))
page = controls[2].number_input(f"Page (of {pages})", min_value=1, max_value=pages, value=1,
                                key="page")
rows = budget.lines(sort=sort, descending=descending, page=page - 1)
# The amount comes early, so a phone shows it without scrolling the table sideways.
table(st, [{"Line": r.id, "Month": r.month, "Amount": r.amount, "Owner": r.owner,
            "Category": r.category, "Funnel stage": r.funnel_stage, "Channel": r.channel,
            "Region": r.region, "Status": state(r.status),
            "Description": r.description or ""} for r in rows],
      key="lines_table", currency=currency, kinds={"Line": "id", "Month": "month",
                                                   "Amount": "money"},
      labels={"Amount": f"Amount ({currency})", "Line": "Line"})
st.caption(f"Showing lines {(page - 1) * PAGE_SIZE + 1:,}–"
           f"{min(page * PAGE_SIZE, summary.lines):,} of {summary.lines:,}, sorted by {sort}.")

with lazy.expander("A line's history and comments", key="history_box") as box:
    if box.open:
        line_history(t, "budget_history")

if access.allowed(actor(), "set_pool"):  # the others are not offered what they may not do
    with lazy.expander(f"Pool of FY{year}", key="pool_box") as box:
        if box.open:
            with st.form("pool_form"):
                entered = st.text_input(f"Pool ({currency})", value=str(summary.pool or ""),
                                        help="A plain amount like 6250000.00", key="pool_amount")
                if st.form_submit_button("Set the pool"):
                    with shown_refusals():
                        try:
                            amount = parse_amount(entered, allow_negative=False)
                        except ValueError as exc:
                            st.error(str(exc))
                        else:
                            t.set_pool(year, amount, actor())
                            notice(f"The pool of FY{year} is now"
                                   f" {format_money(amount, currency)}.")
