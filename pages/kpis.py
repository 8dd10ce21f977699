"""KPIs: are we on track, and is the spend paying back? Both departments, the same numbers."""
from __future__ import annotations

from decimal import Decimal

import streamlit as st

from dashboard.ui import charts, lazy
from dashboard.ui.agreements import targets_agreement_section
from dashboard.ui.context import actor, fiscal_year, notice, show_notice, shown_refusals, tandem
from dashboard.ui.format import (
    axis_format,
    count,
    format_money,
    month,
    points,
    ratio,
    share,
    table,
    tile_money,
)
from planning import access
from planning.kpi_values import KpiFilter, Thresholds, fiscal_months, set_thresholds
from planning.kpi_views import OUTCOME_FUNNEL, kpi_view, options
from planning.kpis import KPI, KPIS
from planning.model import FUNNEL_STAGES
from planning.overspend import overspent

TILES = ("revenue", "pipeline", "wins", "win_rate", "cac", "roi", "marketing_sourced_share",
         "retention_rate", "spend", "budget_variance")
# A tile's label fits one line at five tiles a row; the full name is in the tile's help.
SHORT = {"marketing_sourced_share": "Marketing-sourced"}
DELTA_COLOUR = {"higher": "normal", "lower": "inverse", "closer to 0": "off"}
BADGE = {"green": ":green-badge[on track]", "amber": ":orange-badge[watch]",
         "red": ":red-badge[off track]", None: ":gray-badge[n/a]"}

t = tandem()
year = fiscal_year()
currency = t.currency
st.title("Joint KPIs" + (f" · FY{year}" if year else ""))
if year is None:
    st.info("No data yet.")
    st.stop()


def shown(kpi: str, value: Decimal | int | None, *, tile: bool = False) -> str:
    """A KPI's figure by its unit; on a tile (and its target) money is compact from a
    million, so a tile and its target read alike and stay on one line."""
    if value is None:
        return "n/a"
    unit = KPI[kpi].unit
    if unit == "money":
        if tile:
            return tile_money(Decimal(value), currency)
        return format_money(Decimal(value), currency, cents=kpi == "cac")
    if unit == "count":
        return count(value)
    if kpi == "roi":
        return ratio(value)
    return share(value)


def change(kpi: str, delta: Decimal) -> str:
    """A tile's change: signed; rates in percentage points."""
    if KPI[kpi].unit == "ratio" and kpi != "roi":
        return points(delta)
    text = shown(kpi, delta, tile=True)
    return text if text.startswith("-") else f"+{text}"


months = fiscal_months(t.store, year)
periods = ([f"{year}-YTD", str(year)] + [f"{year}-Q{n}" for n in range(1, 5)]
           + [f"{m:%Y-%m}" for m in months])
labels = {f"{year}-YTD": "Year to date", str(year): f"Fiscal year {year}"}
# The period on top, the narrowing filters folded away: on a phone the tiles come next.
controls = st.columns([1, 3], vertical_alignment="bottom")
period = controls[0].selectbox("Period", periods, key="kpi_period",
                               format_func=lambda p: labels.get(p, p))
choices = options(t.store)
with controls[1].expander("Region, channel and source", icon=":material/filter_list:"):
    cells = st.columns(3)
    where = KpiFilter(
        tuple(cells[0].multiselect("Region", choices["region"], key="kpi_region",
                                   placeholder="All regions")),
        tuple(cells[1].multiselect("Channel", choices["channel"], key="kpi_channel",
                                   placeholder="All channels")),
        tuple(cells[2].multiselect("Sourced by", choices["sourced_by"], key="kpi_sourced",
                                   placeholder="All sources")))
view = kpi_view(t.store, year, period, where)


def badge(kpi: str, r) -> str:
    """A tile's status, kept short enough for one line: `watch` 95% of $22.32M."""
    if r.target is None:
        return ":gray-badge[no target]"
    target = shown(kpi, r.target, tile=True)
    if r.attainment is None:
        return f"{BADGE[r.status]} target {target}"
    return f"{BADGE[r.status]} {r.attainment * 100:.0f}% of {target}"


def months_shown(months: list) -> str:
    if not months:
        return "no month"
    return (f"{months[0]:%b %Y}" if len(months) == 1
            else f"{months[0]:%b %Y} – {months[-1]:%b %Y}")


span = months_shown(view.months) if view.months else "no month with data"
st.caption(f"{span} · spend against the adopted scenario **{view.adopted}**")
show_notice()

# Two rows of five tiles that wrap two to a row on a phone; each tile holds its status.
for row in (TILES[:5], TILES[5:]):
    tiles = st.container(horizontal=True)
    for kpi in row:
        r = view.card[kpi]
        delta = view.delta(kpi)
        tile = tiles.container(border=True, width="stretch", gap="xsmall")
        tile.metric(SHORT.get(kpi, KPI[kpi].label), shown(kpi, r.actual, tile=True),
                    delta=None if delta is None else change(kpi, delta),
                    delta_color=DELTA_COLOUR[KPI[kpi].better],
                    help=f"{KPI[kpi].label}: {shown(kpi, r.actual)}. {KPI[kpi].formula};"
                         f" {KPI[kpi].better} is better."
                         + ("" if r.target is None else f" Target {shown(kpi, r.target)}."))
        tile.caption(badge(kpi, r))
st.caption(f"Changes compare with the period before, {months_shown(view.previous_months)}"
           + ("." if view.previous is not None else ", which has no data: none is shown.")
           + (" Targets are the firm's: with a region, channel or source picked, sums such as"
              " revenue and spend have no target here; rates keep theirs."
              if any(where.narrows(k) for k in TILES) else ""))
st.caption(f"Status: {view.limits.describe()}. Sourced-by filters outcomes, not spend.")


def thresholds_form() -> None:
    limits = view.limits
    with st.form("thresholds_form"):
        cols = st.columns(4)
        entered = [column.number_input(label, min_value=0.0, max_value=1000.0, step=1.0,
                                       format="%.1f", value=float(value * 100), key=key)
                   for column, label, value, key in zip(cols, (
                       "On track from (% of target)", "Watch from (% of target)",
                       "Budget variance on track within ± %", "Budget variance watch within ± %"),
                       (limits.green, limits.amber, limits.variance_green,
                        limits.variance_amber),
                       ("green_pct", "amber_pct", "variance_green_pct", "variance_amber_pct"),
                       strict=True)]
        if st.form_submit_button("Change the thresholds"):
            with shown_refusals():
                set_thresholds(t.store, actor(),
                               Thresholds(*(Decimal(f"{v:.1f}") / 100 for v in entered)))
                notice("Status thresholds changed; the change is in the audit trail.")


if access.allowed(actor(), "configure"):
    with lazy.expander("Status thresholds", key="thresholds_box") as box:
        if box.open:
            thresholds_form()

with lazy.expander("Targets and who agreed them", icon=":material/handshake:",
                   key="targets_expander") as box:
    if box.open:
        targets_agreement_section(t, year, actor(), currency)

st.subheader("Trend and pacing")
kpi = st.selectbox("KPI", [k.name for k in KPIS], key="trend_kpi",
                   format_func=lambda k: KPI[k].label)
fmt = (axis_format(currency) if KPI[kpi].unit == "money" else
       ",.0f" if KPI[kpi].unit == "count" else ".1%" if kpi != "roi" else ".2f")
trend = view.trend(kpi)
monthly = [(p.month, p.series, p.value) for p in trend if p.series in ("Actual", "Target")]
running = [(p.month, p.series, p.value) for p in trend if p.series.startswith("Cumulative")]
against = " against target" if any(p.series == "Target" for p in trend) else ""
# Running totals dwarf the months: each gets a chart of its own, side by side.
places = st.columns(2) if running else [st.container()]
places[0].vega_lite_chart(spec=charts.trend(monthly, f"{KPI[kpi].label}: each month{against}",
                                    KPI[kpi].label, fmt), width="stretch")
if running:
    pacing = " against the pacing line" if against else ""
    places[1].vega_lite_chart(spec=charts.trend(running, f"{KPI[kpi].label}: year to date{pacing}",
                                        f"{KPI[kpi].label}, cumulative", fmt), width="stretch")
    st.caption("Pacing: where the year to date should be to reach the annual target, month by"
               " month (the monthly targets when they are set, else the annual target phased"
               " evenly).")

st.vega_lite_chart(spec=charts.funnel_by_source(
    [(stage, r.sourced_by, n) for r in view.funnel
     for stage, n in zip(OUTCOME_FUNNEL, r.counts, strict=True)]), width="stretch")
left, right = st.columns([3, 2])
steps = list(view.funnel[0].conversions) if view.funnel else []
table(left, [{"Sourced by": r.sourced_by} | dict(r.conversions) for r in view.funnel],
      key="conversions", kinds={step: "percent" for step in steps})
right.vega_lite_chart(spec=charts.breakdown(
    view.spend_by_stage, "Funnel stage", "Actual spend per funnel stage", currency,
    order=list(FUNNEL_STAGES)),
    width="stretch")

st.subheader("Spend against plan")
dim = st.segmented_control("By", ["owner", "funnel_stage", "channel", "region"],
                           default="owner", key="variance_dim",
                           format_func=lambda d: d.replace("_", " ").capitalize()) or "owner"
variances = view.variances[dim]
st.vega_lite_chart(spec=charts.actual_vs_plan(
    [(v.value, s, a) for v in variances for s, a in (("Planned", v.planned),
                                                      ("Actual", v.actual))],
    dim.replace("_", " ").capitalize(), currency), width="stretch")
by = dim.replace("_", " ").capitalize()
table(st, [{by: v.value, "Actual": v.actual, "Planned": v.planned, "Variance": v.variance,
            "Variance %": v.share} for v in variances], key="variance_table", currency=currency,
      kinds={"Actual": "money", "Planned": "money", "Variance": "money",
             "Variance %": "signed_percent"})
largest = view.largest_variance_months()
st.caption("Months with the largest variance: " + (", ".join(
    f"{month(v.value)} ({format_money(v.variance, currency)})" for v in largest)
    or "none: every month is on plan."))
extra = view.unplanned
with lazy.expander(f"Unplanned spend: {count(extra.count)} actual(s) match no plan line"
                   + (f" (the {len(extra.largest)} largest listed)"
                      if extra.count > len(extra.largest) else ""), key="unplanned_box") as box:
    if box.open:
        table(st, [{"Owner": r[0], "Category": r[1], "Stage": r[2], "Channel": r[3],
                    "Region": r[4], "Month": r[5], "Amount": r[6], "Reference": r[7] or ""}
                   for r in extra.largest], key="unplanned", currency=currency,
              kinds={"Month": "month", "Amount": "money"})
over = overspent(t.store, year)
with lazy.expander(f"Over plan: {count(len(over))} line-month(s) of FY{year} beyond the variance"
                   " thresholds", icon=":material/trending_up:" if over else None,
                   key="overspent_box") as box:
    if box.open:
        st.caption("Each line's actuals of a month against its amount in the adopted plan,"
                   " whatever the filters above; beyond both thresholds the *Where we land* page"
                   " asks its owner to explain.")
        table(st, [{"Owner": o.owner, "Category": o.category, "Stage": o.funnel_stage,
                    "Channel": o.channel, "Region": o.region, "Month": o.month,
                    "Planned": o.planned, "Actual": o.actual, "Over": o.over} for o in over],
              key="overspent", currency=currency,
              kinds={"Month": "month", "Planned": "money", "Actual": "money", "Over": "money"})

st.subheader("Which channels and regions pay back")
tabs = lazy.tabs(["By channel", "By region"], key="efficiency_tab")
per_unit = "Revenue per $1 spent" if currency == "USD" else "Revenue per unit spent"
for tab, dimension in zip(tabs, ("channel", "region"), strict=True):
    if not tab.open:
        continue
    table(tab, [{dimension.capitalize(): e.value, "Spend": e.spend,
                 "Opportunities": e.opportunities, "Wins": e.wins, "Revenue": e.revenue,
                 "CAC": e.cac, "Cost per opportunity": e.cost_per_opportunity, "ROI": e.roi,
                 per_unit: e.revenue_per_spend} for e in view.efficiency[dimension]],
          key=f"efficiency_{dimension}", currency=currency,
          kinds={"Spend": "money", "Opportunities": "count", "Wins": "count",
                 "Revenue": "money", "CAC": "money", "Cost per opportunity": "money",
                 "ROI": "ratio", per_unit: "rate"})
