"""Altair charts in the house style: titled, labelled axes, one colour per owner everywhere.

Each builder returns the chart's Vega-Lite spec, built once per data and kept: building an
Altair chart and validating it against the schema was about 40% of a page's CPU on a rerun
(measured with py-spy), and the same data always gives the same spec. Draw one with
`container.vega_lite_chart(spec=..., width="stretch")`.
"""
from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from decimal import Decimal

import altair as alt
import pandas as pd
from streamlit.dataframe_util import convert_anything_to_arrow_bytes

from dashboard.ui.format import axis_format
from planning.kpi_views import OUTCOME_FUNNEL
from planning.model import FUNNEL_STAGES, OWNERS

OWNER_COLOURS = {"sales": "#2563eb", "marketing": "#ea580c", "joint": "#7c3aed"}
OWNER_SCALE = alt.Scale(domain=list(OWNERS), range=[OWNER_COLOURS[o] for o in OWNERS])
OWNER_LEGEND = alt.Legend(title="Owner", orient="top")
# A category, channel or region is named in full on its axis (Vega-Lite cuts labels at 180 px:
# "Customer market…").
NAMES = alt.Axis(labelLimit=0)


def kept(build: Callable[..., alt.TopLevelMixin]) -> Callable[..., dict]:
    """The builder's spec, computed once per arguments (the schema was checked in the tests).

    Kept in this process by the arguments' own hash: Streamlit's cache hashed every row of a
    chart's data in Python and copied the spec out on each call, together a tenth of the KPI
    page's CPU. The spec's data is kept as the Arrow bytes Streamlit sends, so a rerun does
    not convert it again. Streamlit copies a spec before it changes one, so one kept spec
    serves every session."""

    @functools.wraps(build)
    def spec(*args, **kwargs) -> dict:
        key = (build.__module__, build.__qualname__, _hashable(args), _hashable(kwargs))
        with _SPECS_LOCK:
            found = _SPECS.get(key)
            if found is not None:
                _SPECS.move_to_end(key)
                return found
        # One builder at a time: sessions that ask at once for a chart not yet kept (twenty
        # people opening the KPI page after a change) wait for one build, not make twenty.
        with _BUILDING:
            with _SPECS_LOCK:
                found = _SPECS.get(key)
            if found is not None:
                return found
            made = build(*args, **kwargs).to_dict(validate=False)
            for name, rows in made.get("datasets", {}).items():
                made["datasets"][name] = convert_anything_to_arrow_bytes(rows)
            with _SPECS_LOCK:
                _SPECS[key] = made
                while len(_SPECS) > MAX_SPECS:
                    _SPECS.popitem(last=False)
        return made

    return spec


MAX_SPECS = 512
_SPECS: OrderedDict[tuple, dict] = OrderedDict()
_SPECS_LOCK = threading.Lock()
_BUILDING = threading.RLock()


def _hashable(value):
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    return value


def _frame(rows: Sequence[tuple], columns: list[str]) -> pd.DataFrame:
    # Decimal becomes float only here, at the last step of drawing.
    records = [tuple(float(v) if isinstance(v, Decimal) else v for v in row) for row in rows]
    return pd.DataFrame.from_records(records, columns=columns)


def _money_axis(currency: str) -> alt.Axis:
    return alt.Axis(format=axis_format(currency), title=f"Amount ({currency})")


@kept
def monthly_phasing(rows: Sequence[tuple], currency: str) -> alt.Chart:
    """Stacked columns: each month's allocation by owner."""
    frame = _frame(rows, ["month", "owner", "amount"])
    frame["month"] = pd.to_datetime(frame["month"])
    return (
        alt.Chart(frame, title="Monthly phasing by owner")
        .mark_bar()
        .encode(
            # Every month is labelled: Vega-Lite would drop every other label that overlaps.
            x=alt.X("yearmonth(month):O", title="Month",
                    axis=alt.Axis(format="%b %Y", labelAngle=-45, labelOverlap=False)),
            y=alt.Y("sum(amount):Q", axis=_money_axis(currency), stack="zero"),
            color=alt.Color("owner:N", scale=OWNER_SCALE, legend=OWNER_LEGEND),
            order=alt.Order("owner:N"),
            tooltip=[alt.Tooltip("yearmonth(month):O", title="Month", format="%B %Y"),
                     alt.Tooltip("owner:N", title="Owner"),
                     alt.Tooltip("sum(amount):Q", title="Amount", format=",.2f")],
        )
        .properties(height=320)
    )


def _breakdown(rows: Sequence[tuple], dimension: str, title: str, currency: str,
               order: Sequence[str] | None = None) -> alt.Chart:
    """Horizontal stacked bars of one dimension by owner, biggest first unless `order` given."""
    frame = _frame(rows, ["value", "owner", "amount"])
    if order is None:
        totals = frame.groupby("value")["amount"].sum().sort_values(ascending=False)
        order = list(totals.index)
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            y=alt.Y("value:N", title=dimension, sort=list(order), axis=NAMES),
            x=alt.X("sum(amount):Q", axis=_money_axis(currency), stack="zero"),
            color=alt.Color("owner:N", scale=OWNER_SCALE, legend=OWNER_LEGEND),
            tooltip=[alt.Tooltip("value:N", title=dimension),
                     alt.Tooltip("owner:N", title="Owner"),
                     alt.Tooltip("sum(amount):Q", title="Amount", format=",.2f")],
        )
        .properties(height=alt.Step(26))
    )


breakdown = kept(_breakdown)


@kept
def funnel_stages(rows: Sequence[tuple], currency: str) -> alt.Chart:
    present = {r[0] for r in rows}
    return _breakdown(rows, "Funnel stage", "Allocation by funnel stage",
                      currency, order=[s for s in FUNNEL_STAGES if s in present])


SCENARIO_COLOURS = ["#334155", "#0d9488", "#ca8a04", "#db2777"]


@kept
def scenario_bars(rows: Sequence[tuple], category: str, value_title: str, title: str,
                  names: Sequence[str], value_format: str) -> alt.Chart:
    """Grouped columns: one per scenario within each category (rows: category, scenario, value)."""
    frame = _frame(rows, ["category", "scenario", "amount"])
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            x=alt.X("category:N", title=category, sort=None, axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("scenario:N", sort=list(names)),
            y=alt.Y("amount:Q", title=value_title, axis=alt.Axis(format=value_format)),
            color=alt.Color("scenario:N", title="Scenario", sort=list(names),
                            scale=alt.Scale(domain=list(names),
                                            range=SCENARIO_COLOURS[:len(names)]),
                            legend=alt.Legend(orient="top")),
            tooltip=[alt.Tooltip("category:N", title=category),
                     alt.Tooltip("scenario:N", title="Scenario"),
                     alt.Tooltip("amount:Q", title=value_title, format=",.2f")],
        )
        .properties(height=300)
    )


@kept
def difference_bars(rows: Sequence[tuple], dimension: str, title: str,
                    currency: str) -> alt.Chart:
    """Horizontal bars of the change against the base scenario: gains right, cuts left."""
    frame = _frame(rows, ["value", "scenario", "amount"])
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            y=alt.Y("value:N", title=dimension, sort="-x", axis=NAMES),
            x=alt.X("amount:Q", axis=alt.Axis(format=axis_format(currency),
                                              title=f"Change against the base ({currency})")),
            color=alt.condition("datum.amount >= 0", alt.value("#0d9488"), alt.value("#dc2626")),
            row=alt.Row("scenario:N", title=None) if frame["scenario"].nunique() > 1
            else alt.Undefined,
            tooltip=[alt.Tooltip("value:N", title=dimension),
                     alt.Tooltip("scenario:N", title="Scenario"),
                     alt.Tooltip("amount:Q", title="Change", format=",.2f")],
        )
        .properties(height=alt.Step(22))
    )


@kept
def trend(rows: Sequence[tuple], title: str, value_title: str, value_format: str) -> alt.Chart:
    """Monthly lines of one KPI: rows are (month, series, value); series 'Actual', 'Target',
    'Cumulative actual', 'Cumulative target (pacing)'."""
    frame = _frame(rows, ["month", "series", "amount"])
    frame["month"] = pd.to_datetime(frame["month"])
    colours = {"Actual": "#0f172a", "Target": "#94a3b8", "Cumulative actual": "#0d9488",
               "Cumulative target (pacing)": "#ca8a04"}
    present = [s for s in colours if s in set(frame["series"])]
    return (
        alt.Chart(frame, title=title)
        .mark_line(point=True)
        .encode(
            x=alt.X("yearmonth(month):T", title="Month", axis=alt.Axis(format="%b %Y")),
            y=alt.Y("amount:Q", title=value_title, axis=alt.Axis(format=value_format)),
            color=alt.Color("series:N", title=None, legend=alt.Legend(orient="top"),
                            scale=alt.Scale(domain=present,
                                            range=[colours[s] for s in present])),
            strokeDash=alt.condition("indexof(datum.series, 'Target') >= 0 ||"
                                     " indexof(datum.series, 'target') >= 0",
                                     alt.value([5, 4]), alt.value([1, 0])),
            tooltip=[alt.Tooltip("yearmonth(month):T", title="Month", format="%B %Y"),
                     alt.Tooltip("series:N", title="Series"),
                     alt.Tooltip("amount:Q", title=value_title, format=",.2f")],
        )
        .properties(height=320)
    )


def _conversions(frame: pd.DataFrame) -> pd.DataFrame:
    """Each bar's labels: its count, and the share of the stage before it that reached it."""
    frame = frame.copy()
    order = {stage: i for i, stage in enumerate(OUTCOME_FUNNEL)}
    frame["step"] = frame["stage"].map(order)
    frame = frame.sort_values(["owner", "step"])
    before = frame.groupby("owner")["amount"].shift(1)
    frame["conversion"] = (frame["amount"] / before.where(before > 0)).map(
        lambda r: "" if pd.isna(r) else f"{r * 100:.1f}%")
    frame["count"] = frame["amount"].map(lambda n: f"{n:,.0f}")
    return frame.drop(columns="step")


@kept
def funnel_by_source(rows: Sequence[tuple]) -> alt.Chart:
    """Grouped bars on a linear scale: each funnel stage, one bar per source in the owner
    colours, each labelled with its count and, above it, its conversion from the stage before
    (a log scale would hide the drop-off the chart is there to show)."""
    frame = _conversions(_frame(rows, ["stage", "owner", "amount"]))
    base = alt.Chart(frame)
    x = alt.X("stage:N", title="Funnel stage", sort=list(OUTCOME_FUNNEL),
              axis=alt.Axis(labelAngle=0))
    offset = alt.XOffset("owner:N", sort=list(OWNERS))
    # From zero, with room above the tallest bar for its two labels (padding the scale
    # instead would put a negative count on the axis).
    top = float(frame["amount"].max()) if len(frame) else 0.0
    y = alt.Y("amount:Q", title="Count", axis=alt.Axis(format=",.0f"),
              scale=alt.Scale(domain=[0, max(top, 1.0) * 1.15], nice=False))
    bars = base.mark_bar().encode(
        x=x, xOffset=offset, y=y,
        color=alt.Color("owner:N", scale=OWNER_SCALE,
                        legend=alt.Legend(title="Sourced by", orient="top")),
        tooltip=[alt.Tooltip("stage:N", title="Stage"),
                 alt.Tooltip("owner:N", title="Sourced by"),
                 alt.Tooltip("amount:Q", title="Count", format=",.0f"),
                 alt.Tooltip("conversion:N", title="From the stage before")])
    counts = base.mark_text(baseline="bottom", dy=-2, fontSize=10).encode(
        x=x, xOffset=offset, y=y, text=alt.Text("count:N"))
    rates = base.mark_text(baseline="bottom", dy=-14, fontSize=10, color="#64748b").encode(
        x=x, xOffset=offset, y=y, text=alt.Text("conversion:N"))
    return alt.layer(bars, counts, rates).properties(height=340, title=alt.Title(
        "The shared funnel by who sourced it",
        subtitle="Each bar: its count, and in grey the share of the stage before that reached"
                 " it"))


@kept
def actual_vs_plan(rows: Sequence[tuple], dimension: str, currency: str) -> alt.Chart:
    """Grouped horizontal bars: actual and planned spend per value of a dimension."""
    frame = _frame(rows, ["value", "series", "amount"])
    return (
        alt.Chart(frame, title=f"Spend against the adopted plan, by {dimension.lower()}")
        .mark_bar()
        .encode(
            y=alt.Y("value:N", title=dimension, axis=NAMES),
            yOffset=alt.YOffset("series:N", sort=["Planned", "Actual"]),
            x=alt.X("amount:Q", axis=_money_axis(currency)),
            color=alt.Color("series:N", title=None, sort=["Planned", "Actual"],
                            scale=alt.Scale(domain=["Planned", "Actual"],
                                            range=["#cbd5e1", "#0f172a"]),
                            legend=alt.Legend(orient="top")),
            tooltip=[alt.Tooltip("value:N", title=dimension),
                     alt.Tooltip("series:N", title="Series"),
                     alt.Tooltip("amount:Q", title="Amount", format=",.2f")],
        )
        .properties(height=alt.Step(14))
    )
