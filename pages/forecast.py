"""Where we land: the latest estimate of the fiscal year, and the forecast of its open months."""
from __future__ import annotations

from decimal import Decimal

import pandas as pd
import streamlit as st

from dashboard.ui import forecast_charts
from dashboard.ui.context import actor, fiscal_year, notice, show_notice, shown_refusals, tandem
from dashboard.ui.forecast_forms import operations
from dashboard.ui.format import count, format_money, month, percent, table, table_money_format
from dashboard.ui.freed import freed_section
from dashboard.ui.variances import variance_section
from planning import access
from planning.forecast import ForecastLine, estimate, open_lines, set_forecast
from planning.model import OWNERS
from planning.money import CENT

DIMENSIONS = {"funnel_stage": "Funnel stage", "channel": "Channel", "region": "Region",
              "month": "Month"}
MONEY = {"Plan": "money", "Actual to date": "money", "Remaining": "money",
         "Latest estimate": "money", "Variance": "money"}
EDIT_LIMIT = 2000  # lines the forecast table shows at once (a filter narrows it)

t = tandem()
year = fiscal_year()
currency = t.currency
st.title("Where we land" + (f" · FY{year}" if year else ""))
if year is None:
    st.info("No plan yet. Load one on the **Import & export** page.")
    st.stop()

found = estimate(t.store, year)
if found.as_of is not None:  # with no actual yet every month is open: nothing to choose
    as_of = st.select_slider(
        "Closed up to", found.months, value=found.as_of, format_func=month,
        key="forecast_as_of",
        help="Months up to this one count their actuals; the months after it count their"
             " forecast (or the plan where none is set). By default, the latest month with"
             " actuals.")
    if as_of != found.as_of:
        found = estimate(t.store, year, as_of)
total = found.total
st.caption(f"Adopted scenario **{found.scenario}** · "
           + ("no month closed yet: the estimate is the plan and its forecast"
              if found.as_of is None else
              f"actuals to {month(found.as_of)}, forecast from then on")
           + f" · amounts in {currency}")
show_notice()

tiles = st.columns(4)
tiles[0].metric("Latest estimate", format_money(total.latest_estimate, currency, cents=False),
                delta=f"{format_money(total.variance, currency, cents=False)} against plan",
                delta_color="inverse", border=True,
                help="Actuals of the closed months plus the forecast of the open ones.")
tiles[1].metric("Plan", format_money(total.planned, currency, cents=False), border=True,
                help="The adopted scenario's lines, all twelve months.")
tiles[2].metric("Actual to date", format_money(total.actual_to_date, currency, cents=False),
                delta=f"{percent(total.actual_to_date, total.planned)} of plan",
                delta_color="off", delta_arrow="off", border=True,
                help="Actuals of the closed months, unplanned spend included.")
if found.pool is None:
    tiles[3].metric("Headroom", "n/a", delta="no pool set", delta_color="off",
                    delta_arrow="off", border=True)
else:
    tiles[3].metric("Headroom", format_money(found.headroom, currency, cents=False),
                    delta=f"of a {format_money(found.pool, currency, cents=False)} pool",
                    delta_color="off", delta_arrow="off", border=True,
                    help="The pool minus the latest estimate: below zero, the year lands over"
                         " the pool.")

left, right = st.columns([3, 2])
left.vega_lite_chart(spec=forecast_charts.monthly_landing(
    tuple((m, v.planned, v.actual_to_date, v.remaining) for m, v in found.rows("month")),
    currency), width="stretch")
right.vega_lite_chart(spec=forecast_charts.owner_landing(
    tuple((o, v.planned, v.latest_estimate) for o, v in
          [*found.owners.items(), ("all", total)]), found.pool, currency), width="stretch")


def landing_row(name: str, label: str, v) -> dict:
    return {label: name, "Plan": v.planned, "Actual to date": v.actual_to_date,
            "Remaining": v.remaining, "Latest estimate": v.latest_estimate,
            "Variance": v.variance}


st.subheader("By owner")
table(st, [landing_row(o.capitalize(), "Owner", v) for o, v in found.owners.items()]
      + [landing_row("All", "Owner", total)], key="forecast_owners", kinds=MONEY,
      currency=currency)

dimension = st.segmented_control("Break down by", list(DIMENSIONS), default="funnel_stage",
                                 format_func=DIMENSIONS.get, key="forecast_dimension")
dimension = dimension or "funnel_stage"
rows = [landing_row(month(value) if dimension == "month" else
                    str(value).replace("_", " ").capitalize() if dimension == "funnel_stage"
                    else str(value), DIMENSIONS[dimension], v)
        for value, v in found.rows(dimension)]
table(st, rows, key="forecast_breakdown", kinds=MONEY, currency=currency)

variance_section(t, year, found.as_of, actor(), currency)
freed_section(t, found, actor(), currency)

# -- the forecast of the open months -----------------------------------------------------------
person = actor()
if not access.allowed(person, "forecast"):
    st.caption("The department heads and planners forecast the open months.")
    st.stop()
st.subheader("Forecast the open months")
mine = [o for o in OWNERS if o in person.owners]
owner = st.segmented_control("Side", mine, default=mine[0] if mine else None,
                             format_func=str.capitalize, key="forecast_owner")
if owner is None:
    st.stop()
lines = open_lines(t.store, year, [owner], found.as_of)
if not lines:
    st.info("No open month is left in this fiscal year." if found.as_of == found.months[-1]
            else f"No {owner} line in the open months yet.")
    st.stop()
operations(t, person, year, owner, lines, found.as_of)
regions = sorted({ln.line.region for ln in lines})
region = st.selectbox("Region", ["All regions", *regions], key="forecast_region")
shown = [ln for ln in lines if region == "All regions" or ln.line.region == region]
if len(shown) > EDIT_LIMIT:
    st.caption(f"Showing the first {count(EDIT_LIMIT)} of {count(len(shown))} lines: pick a"
               " region to see the rest.")
    shown = shown[:EDIT_LIMIT]
frame = pd.DataFrame([{
    "Category": ln.line.category, "Stage": ln.line.funnel_stage.capitalize(),
    "Channel": ln.line.channel, "Region": ln.line.region, "Month": pd.Timestamp(ln.line.month),
    "Plan": None if ln.planned is None else float(ln.planned),
    "Forecast": float(ln.line.amount)} for ln in shown])
money = table_money_format(currency)
edited = st.data_editor(
    frame, key=f"forecast_edit_{owner}", width="stretch", hide_index=True,
    disabled=["Category", "Stage", "Channel", "Region", "Month", "Plan"],
    column_config={"Plan": st.column_config.NumberColumn(f"Plan ({currency})", format=money),
                   "Forecast": st.column_config.NumberColumn(
                       f"Forecast ({currency})", min_value=0.0, step=0.01, required=True,
                       format=money),
                   "Month": st.column_config.DateColumn("Month", format="MMM YYYY")})
changes = []
for ln, (_, row) in zip(shown, edited.iterrows(), strict=True):
    amount = Decimal(str(row["Forecast"])).quantize(CENT)
    if amount != ln.line.amount:
        changes.append(ForecastLine(*ln.line.key, amount))
change = sum((c.amount for c in changes), Decimal(0)) - sum(
    (ln.line.amount for ln in shown if ln.line.key in {c.key for c in changes}), Decimal(0))
cols = st.columns(3)
cols[0].metric("Lines changed", count(len(changes)))
cols[1].metric("Change to the estimate", format_money(change, currency))
cols[2].metric("Headroom after saving", "n/a" if found.headroom is None else
               format_money(found.headroom - change, currency))
if st.button("Save the forecast", type="primary", disabled=not changes, key="forecast_save"):
    with shown_refusals():
        saved = set_forecast(t.store, person, year, changes, as_of=found.as_of)
        notice(f"Saved the forecast of {count(saved)} line(s): the latest estimate moved by"
               f" {format_money(change, currency)}.")
