"""Compare: 2-4 scenarios side by side, what each buys in the shared funnel, and what differs."""
from __future__ import annotations

from decimal import Decimal

import streamlit as st

from dashboard.ui import charts
from dashboard.ui.context import fiscal_year, shown_refusals, tandem
from dashboard.ui.format import axis_format, format_money
from planning.compare import METRICS, delta

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
    st.info("Compare needs two scenarios: clone one on the **Scenarios** page first.")
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


def shown(metric: str, value: Decimal | None) -> str:
    if value is None:
        return "n/a"
    if metric in MONEY:
        return format_money(value, currency, cents=False)
    if metric == "roi":
        return f"{value:.2f}×"
    return f"{value:,.0f}"


def change(metric: str, value: Decimal | None, pct: Decimal | None) -> str:
    if value is None:
        return "n/a"
    sign = "+" if value > 0 else ""
    body = (f"{sign}{format_money(value, currency, cents=False)}" if metric in MONEY
            else f"{sign}{value:.2f}" if metric == "roi" else f"{sign}{value:,.0f}")
    return body + ("" if pct is None else f" ({'+' if pct > 0 else ''}{pct}%)")


st.subheader("Projected funnel for the year")
totals = result.totals()
table = []
for metric in METRICS:
    row = {"Measure": LABELS[metric]}
    row |= {n: shown(metric, totals[metric][n]) for n in result.names}
    for other in others:
        d = delta(totals[metric][base], totals[metric][other])
        row[f"Δ {other} vs {base}"] = change(metric, d.absolute, d.percent)
    table.append(row)
st.dataframe(table, hide_index=True, width="stretch", key="projected_table")
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
tabs = st.tabs(list(DIMENSIONS.values()))
for tab, dimension in zip(tabs, DIMENSIONS, strict=True):
    rows = []
    for value, amounts in result.allocation[dimension]:
        row = {DIMENSIONS[dimension]: value}
        row |= {n: format_money(amounts[n], currency, cents=False) for n in result.names}
        for other in others:
            d = delta(amounts[base], amounts[other])
            row[f"Δ {other}"] = change("spend", d.absolute, d.percent)
        rows.append(row)
    tab.dataframe(rows, hide_index=True, width="stretch", key=f"alloc_{dimension}")

st.subheader("Lines that differ most")
for other in others:
    st.markdown(f"**{other}** against **{base}**: {result.different_lines[other]:,} line(s)"
                " differ" + (", the largest first" if result.different_lines[other] else ""))
    if result.differences[other]:
        st.dataframe([{"Owner": d.owner, "Category": d.category, "Stage": d.funnel_stage,
                       "Channel": d.channel, "Region": d.region,
                       "Month": d.month.strftime("%Y-%m"),
                       base: format_money(d.base, currency),
                       other: format_money(d.other, currency),
                       "Difference": format_money(d.difference, currency)}
                      for d in result.differences[other]],
                     hide_index=True, width="stretch", key=f"lines_{other}")
