"""Charts both the app and the printed meeting pack draw, in the house style of
`dashboard.ui.charts` (titled, labelled axes, money with its currency and thousands separators,
one colour per owner), built with altair alone: no Streamlit, so a pack made by the `tandem`
command draws the very chart the page shows. Each builder takes plain rows (Decimal turns into
float here, at the last step of drawing) and returns an altair chart.

Import this module only where a chart is drawn: altair is not loaded with `planning`.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

import altair as alt
import pandas as pd

from planning.model import OWNERS
from planning.rewards import Curve

# The owners' colours, as dashboard.ui.charts has them (a test keeps the two the same).
OWNER_COLOURS = {"sales": "#2563eb", "marketing": "#ea580c", "joint": "#7c3aed"}
JOINT = OWNER_COLOURS["joint"]
STATUS_COLOURS = {"on track": "#15803d", "watch": "#d97706", "off track": "#b91c1c",
                  "no target": "#94a3b8"}
INK, GRID = "#111827", "#6b7280"
WIDTH = 520  # pixels, as printed on A4 (a page draws a chart across its own width)


def _float(value: Decimal | int | float | None) -> float | None:
    return None if value is None else float(value)


def _frame(rows: Sequence[tuple], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records(
        [tuple(_float(v) if isinstance(v, Decimal) else v for v in row) for row in rows],
        columns=columns)


def money_format(currency: str) -> str:
    """d3 format of a money axis: the dollar sign for USD, else the axis title names it."""
    return "$,.0f" if currency == "USD" else ",.0f"


def reward_curve(curve: Curve, kpis: Sequence[tuple[str, Decimal | None, Decimal]],
                 title: str = "The payout curve, and where each KPI stands") -> alt.LayerChart:
    """The payout curve (attainment on x, payout on y) with the threshold, the floor, 100% and
    the cap marked, and a labelled point for each KPI (`kpis`: label, attainment, payout; a
    KPI without attainment is left off the chart)."""
    placed = [(label, a, p) for label, a, p in kpis if a is not None]
    upto = max([curve.cap + Decimal("0.2"), *(a + Decimal("0.1") for _l, a, _p in placed)])
    line = _frame(curve.points(upto), ["attainment", "payout"])
    line["corner"] = range(len(line))  # drawn in this order: the step at the threshold is vertical
    x = alt.X("attainment:Q", title="Attainment of the annual target",
              axis=alt.Axis(format=".0%"), scale=alt.Scale(domain=[0, float(upto)]))
    y = alt.Y("payout:Q", title="Payout (share of the target incentive)",
              axis=alt.Axis(format=".0%"), scale=alt.Scale(domain=[0, float(curve.cap) + 0.1]))
    drawn = alt.Chart(line).mark_line(color=JOINT, strokeWidth=3).encode(
        x=x, y=y, order=alt.Order("corner:Q"))
    top = float(curve.cap) + 0.1
    marks = _frame([
        (curve.threshold, f"threshold {curve.threshold * 100:.0f}%"),
        (Decimal(1), "target 100%"),
        (curve.cap, f"cap {curve.cap * 100:.0f}%")], ["attainment", "mark"])
    rules = alt.Chart(marks).mark_rule(color=GRID, strokeDash=[4, 3]).encode(x=x)
    # Each rule is named along its own length, so names of rules close together never overlap.
    rule_labels = alt.Chart(marks).mark_text(angle=270, align="right", baseline="bottom",
                                             dx=-4, dy=-3, color=GRID, fontSize=11).encode(
        x=x, y=alt.value(0), text="mark:N")
    floor = _frame([(curve.threshold, curve.floor, f"floor {curve.floor * 100:.0f}%")],
                   ["attainment", "payout", "mark"])
    floor_point = alt.Chart(floor).mark_point(color=JOINT, filled=True, size=70).encode(x=x, y=y)
    floor_label = alt.Chart(floor).mark_text(align="right", dx=-6, color=JOINT,
                                             fontSize=11).encode(x=x, y=y, text="mark:N")
    layers = [drawn, rules, rule_labels, floor_point, floor_label]
    if placed:
        points = _frame(_labelled(placed, float(upto), top),
                        ["kpi", "attainment", "payout", "label_at"])
        layers.append(alt.Chart(points).mark_point(color=INK, filled=True, size=90).encode(
            x=x, y=y, tooltip=[alt.Tooltip("kpi:N", title="KPI"),
                               alt.Tooltip("attainment:Q", title="Attainment", format=".1%"),
                               alt.Tooltip("payout:Q", title="Payout", format=".2%")]))
        layers.append(alt.Chart(points).mark_text(align="left", dx=8, color=INK,
                                                  fontSize=12).encode(
            x=x, y=alt.Y("label_at:Q", scale=alt.Scale(domain=[0, top])), text="kpi:N"))
    return alt.layer(*layers).properties(title=title, height=320, width=WIDTH)


def _labelled(placed: list[tuple], width: float, height: float) -> list[tuple]:
    """Each point with the height of its label: a label that would sit on an earlier one
    (points close together, as two KPIs both short of the threshold) goes a line higher."""
    out: list[tuple] = []
    for label, a, p in sorted(placed, key=lambda r: (r[1], r[2])):
        at = float(p)
        while any(abs(float(a) - o[1]) < width * 0.12 and abs(at - o[3]) < height * 0.05
                  for o in out):
            at += height * 0.06
        out.append((label, float(a), float(p), at))
    return out


def reward_contributions(rows: Sequence[tuple[str, Decimal, Decimal]],
                         title: str = "What each KPI adds to the factor") -> alt.LayerChart:
    """A bar per KPI of what it adds to the factor now, over a pale bar of what it adds at
    target (its weight). `rows`: label, contribution, contribution at 100%."""
    frame = _frame(rows, ["kpi", "contribution", "at_target"])
    frame["now"] = frame["contribution"].map(lambda v: f"{v:.1%}")
    y = alt.Y("kpi:N", title=None, sort=[r[0] for r in rows], axis=alt.Axis(labelLimit=0))
    x_axis = alt.Axis(format=".0%", title="Contribution to the factor")
    tooltip = [alt.Tooltip("kpi:N", title="KPI"),
               alt.Tooltip("contribution:Q", title="Adds now", format=".2%"),
               alt.Tooltip("at_target:Q", title="Adds at target", format=".2%")]
    at_target = alt.Chart(frame).mark_bar(color="#ddd6fe", size=22).encode(
        y=y, x=alt.X("at_target:Q", axis=x_axis), tooltip=tooltip)
    now = alt.Chart(frame).mark_bar(color=JOINT, size=10).encode(
        y=y, x=alt.X("contribution:Q", axis=x_axis), tooltip=tooltip)
    labels = alt.Chart(frame).mark_text(align="left", dx=4, fontSize=11, color=INK).encode(
        y=y, x=alt.X("contribution:Q", axis=x_axis), text="now:N")
    return alt.layer(at_target, now, labels).properties(
        title=alt.TitleParams(title, subtitle="Dark: now · pale: at 100% of target"),
        width=WIDTH, height=alt.Step(34))


def kpi_attainment(rows: Sequence[tuple[str, Decimal | None, str]],
                   title: str = "KPIs against target") -> alt.LayerChart:
    """A bar per KPI of its attainment, coloured by its status and labelled with it, with a
    rule at 100%. The axis ends at 200% (a bar beyond is cut there; its label says how far it
    goes). `rows`: label, attainment (None: no bar), status word (on track, watch, off track)."""
    frame = _frame([r for r in rows if r[1] is not None], ["kpi", "attainment", "status"])
    # The axis reaches a little past the furthest bar, in steps of 20%, from 120% to 200%.
    end = min(2.0, max(1.2, math.ceil((frame["attainment"].max() + 0.02) * 5) / 5))
    frame["shown"] = frame["attainment"].clip(upper=end)
    frame["text"] = frame["attainment"].map(lambda a: f"{a:.1%}")
    y = alt.Y("kpi:N", title=None, sort=[r[0] for r in rows], axis=alt.Axis(labelLimit=0))
    cut = " (the axis ends at 200%)" if end == 2.0 else ""
    x = alt.X("shown:Q", title=f"Attainment{cut}", axis=alt.Axis(format=".0%"),
              scale=alt.Scale(domain=[0, end], clamp=True))
    present = [s for s in STATUS_COLOURS if s in set(frame["status"])]
    bars = alt.Chart(frame).mark_bar(size=14).encode(
        y=y, x=x,
        color=alt.Color("status:N", title="Status", legend=alt.Legend(orient="top"),
                        scale=alt.Scale(domain=present,
                                        range=[STATUS_COLOURS[s] for s in present])),
        tooltip=[alt.Tooltip("kpi:N", title="KPI"),
                 alt.Tooltip("attainment:Q", title="Attainment", format=".1%")])
    # Each bar's figure in a column right of the plot, clear of the bars and the 100% rule.
    labels = alt.Chart(frame).mark_text(align="left", dx=6, fontSize=10, color=INK).encode(
        y=y, x=alt.value(WIDTH), text="text:N")
    target = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(color=INK, strokeDash=[4, 3]).encode(
        x="x:Q")
    return alt.layer(bars, labels, target).properties(title=title, width=WIDTH)


def owner_landing(rows: Sequence[tuple[str, Decimal, Decimal]], currency: str,
                  title: str = "Where each side lands against its plan") -> alt.LayerChart:
    """A bar per owner of its latest estimate, with its plan as a tick. `rows`: owner,
    planned, latest estimate."""
    frame = _frame(rows, ["owner", "planned", "estimate"])
    frame["side"] = frame["owner"].str.capitalize()
    y = alt.Y("side:N", title=None, sort=[str(r[0]).capitalize() for r in rows])
    axis = alt.Axis(format=money_format(currency), title=f"Amount ({currency})")
    colours = alt.Scale(domain=list(OWNERS), range=[OWNER_COLOURS[o] for o in OWNERS])
    bars = alt.Chart(frame).mark_bar(size=22).encode(
        y=y, x=alt.X("estimate:Q", axis=axis),
        color=alt.Color("owner:N", scale=colours, legend=None),
        tooltip=[alt.Tooltip("side:N", title="Side"),
                 alt.Tooltip("estimate:Q", title=f"Latest estimate ({currency})",
                             format=",.2f"),
                 alt.Tooltip("planned:Q", title=f"Plan ({currency})", format=",.2f")])
    ticks = alt.Chart(frame).mark_tick(color=INK, thickness=2, size=30).encode(
        y=y, x=alt.X("planned:Q", axis=axis))
    return alt.layer(bars, ticks).properties(
        title=alt.TitleParams(title, subtitle="Bars: latest estimate · ticks: plan"),
        width=WIDTH)
