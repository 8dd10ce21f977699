"""The Hand-off page's charts, in the house style of `dashboard.ui.charts`: marketing's MQLs
against its target, sales' first touches in time, late or pending, and the hours they took."""
from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from dashboard.ui.charts import OWNER_COLOURS, _frame, kept

# Every month is labelled (Vega-Lite would drop every other label that overlaps).
MONTH_AXIS = alt.Axis(format="%b %Y", labelAngle=-45, labelOverlap=False)
TOUCH = {"In time": OWNER_COLOURS["sales"], "Breach": "#dc2626", "Pending": "#94a3b8"}
# From quick to slow: the slow tail reads red.
BAND_COLOURS = ("#0f766e", "#5eead4", "#f59e0b", "#dc2626")
HEIGHT = 380  # the whole chart: titles, legend and the slanted month labels take about half


def _months(frame: pd.DataFrame) -> pd.DataFrame:
    frame["month"] = pd.to_datetime(frame["month"])
    return frame


@kept
def marketing_side(rows: Sequence[tuple]) -> alt.LayerChart:
    """Marketing's side: each month's MQLs (columns in marketing's colour) against the month's
    `mqls` target (a dark tick). `rows`: (month, mqls, target or None)."""
    frame = _months(_frame(rows, ["month", "mqls", "target"]))
    x = alt.X("yearmonth(month):O", title="Month", axis=MONTH_AXIS)
    series = alt.Color("series:N", title=None, legend=alt.Legend(orient="top"),
                       scale=alt.Scale(domain=["MQLs", "MQL target"],
                                       range=[OWNER_COLOURS["marketing"], "#111827"]))
    tooltip = [alt.Tooltip("yearmonth(month):O", title="Month", format="%B %Y"),
               alt.Tooltip("mqls:Q", title="MQLs", format=",.0f"),
               alt.Tooltip("target:Q", title="MQL target", format=",.0f")]
    bars = alt.Chart(frame).transform_calculate(series="'MQLs'").mark_bar().encode(
        x=x, y=alt.Y("mqls:Q", title="MQLs", axis=alt.Axis(format=",.0f")), color=series,
        tooltip=tooltip)
    ticks = alt.Chart(frame.dropna(subset=["target"])).transform_calculate(
        series="'MQL target'").mark_tick(thickness=3).encode(
        x=x, y=alt.Y("target:Q", title="MQLs"), color=series, tooltip=tooltip)
    return alt.layer(bars, ticks).properties(height=HEIGHT, title=alt.Title(
        "Marketing: MQLs delivered against the target",
        subtitle="Columns: MQLs handed over · tick: the target"))


@kept
def sales_side(rows: Sequence[tuple], hours: str) -> alt.Chart:
    """Sales' side: each month's MQLs stacked by how their first touch went. `rows`: (month,
    in time, breaches, pending)."""
    frame = _months(_frame(rows, ["month", "In time", "Breach", "Pending"]))
    long = frame.melt(id_vars=["month"], var_name="touch", value_name="mqls")
    order = list(TOUCH)
    long["order"] = long["touch"].map(order.index)
    return (
        alt.Chart(long, title=alt.Title(
            "Sales: MQLs touched within the window",
            subtitle=f"In time: first touch within {hours} h of the MQL"))
        .mark_bar()
        .encode(
            x=alt.X("yearmonth(month):O", title="Month", axis=MONTH_AXIS),
            y=alt.Y("sum(mqls):Q", title="MQLs", stack="zero", axis=alt.Axis(format=",.0f")),
            color=alt.Color("touch:N", title=None, sort=order, legend=alt.Legend(orient="top"),
                            scale=alt.Scale(domain=order, range=list(TOUCH.values()))),
            order=alt.Order("order:Q"),
            tooltip=[alt.Tooltip("yearmonth(month):O", title="Month", format="%B %Y"),
                     alt.Tooltip("touch:N", title="First touch"),
                     alt.Tooltip("sum(mqls):Q", title="MQLs", format=",.0f")])
        .properties(height=HEIGHT)
    )


@kept
def bands(rows: Sequence[tuple], labels: Sequence[str]) -> alt.Chart:
    """Hours to first touch in bands: each month's touched MQLs as shares of the month, quick
    to slow. `rows`: (month, band label, MQLs)."""
    frame = _months(_frame(rows, ["month", "band", "mqls"]))
    order = list(labels)
    frame["order"] = frame["band"].map(order.index)
    return (
        alt.Chart(frame, title=alt.Title(
            "Hours from MQL to first touch",
            subtitle="Share of the month's MQLs touched, by band"))
        .mark_bar()
        .encode(
            x=alt.X("yearmonth(month):O", title="Month", axis=MONTH_AXIS),
            y=alt.Y("sum(mqls):Q", title="Share of MQLs touched", stack="normalize",
                    axis=alt.Axis(format=".0%")),
            color=alt.Color("band:N", title=None, sort=order,
                            legend=alt.Legend(orient="top"),
                            scale=alt.Scale(domain=order, range=list(BAND_COLOURS))),
            order=alt.Order("order:Q"),
            tooltip=[alt.Tooltip("yearmonth(month):O", title="Month", format="%B %Y"),
                     alt.Tooltip("band:N", title="Hours to first touch"),
                     alt.Tooltip("sum(mqls):Q", title="MQLs", format=",.0f")])
        .properties(height=HEIGHT)
    )
