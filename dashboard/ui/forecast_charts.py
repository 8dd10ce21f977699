"""The latest estimate's two charts, in the house style of `dashboard.ui.charts`."""
from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import altair as alt
import pandas as pd

from dashboard.ui.charts import OWNER_COLOURS, OWNER_SCALE, _frame, _money_axis, kept

# Spent is solid, still expected is lighter: the two parts of the year read apart at a glance.
PART_SCALE = alt.Scale(domain=["Actual", "Forecast"], range=["#0f766e", "#99d5cf"])


@kept
def monthly_landing(rows: Sequence[tuple], currency: str) -> alt.LayerChart:
    """Columns of each month's actuals (closed months) or forecast (open months), against a
    line of the plan. `rows`: (month, planned, actual, remaining)."""
    frame = _frame(rows, ["month", "planned", "actual", "remaining"])
    frame["month"] = pd.to_datetime(frame["month"])
    bars = frame.melt(id_vars=["month"], value_vars=["actual", "remaining"], var_name="part",
                      value_name="amount")
    bars["part"] = bars["part"].map({"actual": "Actual", "remaining": "Forecast"})
    bars = bars[bars["amount"] != 0]
    # Every month is labelled (Vega-Lite would drop every other label that overlaps).
    x = alt.X("yearmonth(month):O", title="Month",
              axis=alt.Axis(labelAngle=-45, format="%b %Y", labelOverlap=False))
    columns = alt.Chart(bars).mark_bar().encode(
        x=x, y=alt.Y("sum(amount):Q", axis=_money_axis(currency)),
        color=alt.Color("part:N", scale=PART_SCALE, title="", legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("yearmonth(month):O", title="Month", format="%b %Y"),
                 alt.Tooltip("part:N", title="Part"),
                 alt.Tooltip("sum(amount):Q", title=f"Amount ({currency})", format=",.2f")])
    plan = alt.Chart(frame).mark_line(color="#111827", strokeDash=[4, 3], point=True).encode(
        x=x, y=alt.Y("planned:Q"),
        tooltip=[alt.Tooltip("yearmonth(month):O", title="Month", format="%b %Y"),
                 alt.Tooltip("planned:Q", title=f"Plan ({currency})", format=",.2f")])
    return alt.layer(columns, plan).properties(
        title=alt.TitleParams("Month by month: actuals, then forecast, against the plan (dashed)"),
        height=320)


@kept
def owner_landing(rows: Sequence[tuple], pool: Decimal | None, currency: str) -> alt.LayerChart:
    """A bar per owner (and all) of where it lands, with its plan as a tick, and the pool as a
    rule across when it is set. `rows`: (owner, planned, latest estimate)."""
    frame = _frame(rows, ["owner", "planned", "estimate"])
    frame["side"] = frame["owner"].str.capitalize()
    order = [str(r[0]).capitalize() for r in rows]
    # Every side is named: the band of each bar is tall enough for its label.
    y = alt.Y("side:N", sort=order, title=None, axis=alt.Axis(labelOverlap=False))
    colours = alt.Scale(domain=[*OWNER_SCALE.domain, "all"],
                        range=[*(OWNER_COLOURS[o] for o in OWNER_SCALE.domain), "#374151"])
    bars = alt.Chart(frame).mark_bar(size=24).encode(
        y=y, x=alt.X("estimate:Q", axis=_money_axis(currency)),
        color=alt.Color("owner:N", scale=colours, legend=None),
        tooltip=[alt.Tooltip("side:N", title="Side"),
                 alt.Tooltip("estimate:Q", title=f"Latest estimate ({currency})", format=",.2f"),
                 alt.Tooltip("planned:Q", title=f"Plan ({currency})", format=",.2f")])
    ticks = alt.Chart(frame).mark_tick(color="#111827", thickness=3, size=32).encode(
        y=y, x="planned:Q")
    layers = [bars, ticks]
    if pool is not None:
        rule = pd.DataFrame({"pool": [float(pool)]})
        layers.append(alt.Chart(rule).mark_rule(color="#b91c1c", strokeDash=[6, 4]).encode(
            x="pool:Q", tooltip=[alt.Tooltip("pool:Q", title=f"Pool ({currency})",
                                             format=",.2f")]))
    return alt.layer(*layers).properties(
        title=alt.TitleParams("Where each side lands",
                              subtitle="Bar: latest estimate · tick: plan"
                                       + (" · red line: pool" if pool is not None else "")),
        height=260)
