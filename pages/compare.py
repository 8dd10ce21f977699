"""Compare: 2-4 scenarios side by side, what each buys in the shared funnel, and what differs."""
from __future__ import annotations

from decimal import Decimal

import streamlit as st

from dashboard.ui import charts, lazy
from dashboard.ui.context import actor, fiscal_year, shown_refusals, tandem
from dashboard.ui.format import axis_format, count, table
from planning import access
from planning.compare import METRICS, Delta, delta

LABELS = {"spend": "Spend", "leads": "Leads", "mqls": "MQLs", "sqls": "SQLs",
          "opportunities": "Opportunities", "wins": "Wins", "pipeline": "Pipeline",
          "revenue": "Revenue", "cac": "CAC", "roi": "ROI"}
MONEY = {"spend", "pipeline", "revenue", "cac"}
DIMENSIONS = {"channel": "Channel", "owner": "Owner", "funnel_stage": "Funnel stage",
              "region": "Region"}

t = tandem()
year = fiscal_year()
currency = t.currency
st.title("Compare scenarios" + (f" · FY{year}" if year else ""))
names = [s.name for s in t.scenarios(year)] if year else []
if len(names) < 2:
    st.info("Compare needs two scenarios, and this year has one."
            + (" Clone it on the **Scenarios** page to try another allocation."
               if access.allowed(actor(), "manage_scenarios") else
               " A department head, a planner or an executive makes another by cloning it."))
    st.stop()

adopted = t.adopted_scenario(year)
default = [adopted] + [n for n in names if n != adopted][:1]
chosen = st.multiselect("Scenarios (the first is the base the others are compared with)",
                        names, default=default, max_selections=4, key="compare_names")
if len(chosen) < 2:
    st.info("Pick at least two scenarios.")
    st.stop()

with shown_refusals():
    result = t.compare(year, chosen)
base, others = result.base, result.names[1:]


def percent_change(d: Delta) -> Decimal | None:
    """The change as a fraction of the base (compare's percent is already ×100)."""
    return None if d.percent is None else d.percent / 100


KIND = {"spend": "money_whole", "pipeline": "money_whole", "revenue": "money_whole",
        "cac": "money", "roi": "ratio"}  # the others are counts


def kind(metric: str) -> str:
    return KIND.get(metric, "count")


st.subheader("Projected funnel for the year")
totals = result.totals()
# One row per scenario, then the change of each other scenario against the base: every column
# holds one measure, so it sorts and copies as numbers.
rows = [{"Scenario": n} | {LABELS[m]: totals[m][n] for m in METRICS} for n in result.names]
rows += [{"Scenario": f"Δ {other}"} | {LABELS[m]: delta(totals[m][base], totals[m][other]).absolute
                                      for m in METRICS} for other in others]
table(st, rows, key="projected_table", currency=currency,
      kinds={LABELS[m]: kind(m) for m in METRICS})
table(st, [{"Change against " + base: f"{other}, in %"} | {
    LABELS[m]: percent_change(delta(totals[m][base], totals[m][other])) for m in METRICS}
    for other in others], key="projected_change", currency=currency,
      kinds={LABELS[m]: "signed_percent" for m in METRICS})
st.caption("Projected from each scenario's spend and funnel assumptions (see Scenarios → Funnel"
           " assumptions). Counts are expected values, rounded for display.")

left, right = st.columns(2)
metric = left.selectbox("Measure by quarter", ["opportunities", "wins", "leads", "revenue",
                                               "pipeline", "spend"],
                        format_func=LABELS.get, key="quarter_metric")
quarters = result.by_period(metric)
rows = [(q, n, v) for q, values in quarters.items() for n, v in values.items()]
fmt = axis_format(currency) if metric in MONEY else ",.0f"
left.vega_lite_chart(spec=charts.scenario_bars(rows, "Fiscal quarter", LABELS[metric],
                                       f"Projected {LABELS[metric].lower()} by quarter",
                                       result.names, fmt), width="stretch")
dim = right.selectbox("Allocation change by", list(DIMENSIONS), format_func=DIMENSIONS.get,
                      key="diff_dim")
diffs = [(value, other, amounts[other] - amounts[base])
         for value, amounts in result.allocation[dim] for other in others
         if amounts[other] != amounts[base]]
if diffs:
    title = f"Where the money moved, by {DIMENSIONS[dim].lower()}"
    right.vega_lite_chart(spec=charts.difference_bars(diffs, DIMENSIONS[dim], title, currency),
                       width="stretch")
else:
    right.info(f"The scenarios allocate the same amount to every {DIMENSIONS[dim].lower()}.")

st.subheader("Allocated spend")
tabs = lazy.tabs(list(DIMENSIONS.values()), key="allocation_tab")
for tab, dimension in zip(tabs, DIMENSIONS, strict=True):
    if not tab.open:
        continue
    rows, kinds = [], {n: "money" for n in result.names}
    for value, amounts in result.allocation[dimension]:
        row = {DIMENSIONS[dimension]: value} | {n: amounts[n] for n in result.names}
        for other in others:
            d = delta(amounts[base], amounts[other])
            row[f"Δ {other}"], row[f"Δ {other} %"] = d.absolute, percent_change(d)
            kinds |= {f"Δ {other}": "money", f"Δ {other} %": "signed_percent"}
        rows.append(row)
    table(tab, rows, key=f"alloc_{dimension}", currency=currency, kinds=kinds)

st.subheader("Lines that differ most")
for other in others:
    differ = result.different_lines[other]
    st.markdown(f"**{other}** against **{base}**: {count(differ)} line{'' if differ == 1 else 's'}"
                " differ" + (", the largest first" if differ else ""))
    if result.differences[other]:
        table(st, [{"Owner": d.owner, "Category": d.category, "Stage": d.funnel_stage,
                    "Channel": d.channel, "Region": d.region, "Month": d.month, base: d.base,
                    other: d.other, "Difference": d.difference}
                   for d in result.differences[other]], key=f"lines_{other}", currency=currency,
              kinds={"Month": "month", base: "money", other: "money", "Difference": "money"})
