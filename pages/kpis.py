"""KPIs: are we on track, and is the spend paying back? Both departments, the same numbers."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import streamlit as st

from dashboard.ui import charts
from dashboard.ui.context import fiscal_year, tandem
from dashboard.ui.format import axis_format, format_compact, format_money
from planning import kpi_views as views
from planning.kpi_values import (
    KpiFilter,
    fiscal_months,
    monthly,
    period_months,
    previous_period,
    scorecard,
    target_for,
    targets,
    thresholds,
)
from planning.kpis import KPI, KPIS

TILES = ("revenue", "pipeline", "wins", "win_rate", "cac", "roi", "marketing_sourced_share",
         "retention_rate", "spend", "budget_variance")
BADGE = {"green": ":green-badge[on track]", "amber": ":orange-badge[watch]",
         "red": ":red-badge[off track]", None: ":gray-badge[no target]"}

t = tandem()
year = fiscal_year()
currency = t.currency
st.title("Joint KPIs" + (f" · FY{year}" if year else ""))
if year is None:
    st.info("No data yet.")
    st.stop()


def shown(kpi: str, value: Decimal | int | None, *, tile: bool = False) -> str:
    if value is None:
        return "n/a"
    unit = KPI[kpi].unit
    if unit == "money":
        if tile and abs(value) >= 10_000_000:  # keep a tile's figure on one line
            return format_compact(Decimal(value), currency)
        return format_money(Decimal(value), currency, cents=kpi == "cac")
    if unit == "count":
        return f"{value:,.0f}"
    if kpi == "roi":
        return f"{Decimal(value):.2f}×"
    return f"{Decimal(value) * 100:.1f}%"


months = fiscal_months(t.store, year)
periods = ([f"{year}-YTD", str(year)] + [f"{year}-Q{n}" for n in range(1, 5)]
           + [f"{m:%Y-%m}" for m in months])
labels = {f"{year}-YTD": "Year to date", str(year): f"Fiscal year {year}"}
controls = st.columns([2, 2, 2, 2])
period = controls[0].selectbox("Period", periods, key="kpi_period",
                               format_func=lambda p: labels.get(p, p))
choices = views.options(t.store)
where = KpiFilter(
    tuple(controls[1].multiselect("Region", choices["region"], key="kpi_region",
                                  placeholder="All regions")),
    tuple(controls[2].multiselect("Channel", choices["channel"], key="kpi_channel",
                                  placeholder="All channels")),
    tuple(controls[3].multiselect("Sourced by", choices["sourced_by"], key="kpi_sourced",
                                  placeholder="All sources")))
in_period = period_months(t.store, year, period)
span = (f"{in_period[0]:%b %Y} – {in_period[-1]:%b %Y}" if in_period else "no month with data")
st.caption(f"{span} · spend against the adopted scenario **{t.adopted_scenario(year)}** ·"
           f" status: {thresholds(t.store).describe()}. Sourced-by filters outcomes, not spend.")

card = {r.kpi: r for r in scorecard(t.store, year, period, where)}
before_period = previous_period(t.store, year, period)
before_year = int(before_period[:4]) if before_period else None
before = ({r.kpi: r for r in scorecard(t.store, before_year, before_period, where)}
          if before_period and before_year in t.fiscal_years() else {})
for row in (TILES[:5], TILES[5:]):
    for column, kpi in zip(st.columns(5), row, strict=True):
        r = card[kpi]
        previous = before.get(kpi)
        delta = None
        if previous is not None and previous.actual is not None and r.actual is not None:
            delta = f"{shown(kpi, Decimal(r.actual) - Decimal(previous.actual))} vs previous"
        column.metric(KPI[kpi].label, shown(kpi, r.actual, tile=True), delta=delta, border=True,
                      delta_color="inverse" if KPI[kpi].better == "lower" else "normal",
                      help=f"{shown(kpi, r.actual)}: {KPI[kpi].formula};"
                           f" {KPI[kpi].better} is better")
        target = "no target" if r.target is None else f"target {shown(kpi, r.target)}"
        reached = "" if r.attainment is None else f" · {r.attainment * 100:.0f}%"
        column.markdown(f"{BADGE[r.status]} {target}{reached}")

st.subheader("Trend and pacing")
kpi = st.selectbox("KPI", [k.name for k in KPIS], key="trend_kpi",
                   format_func=lambda k: KPI[k].label)
by_month = monthly(t.store, year, where)
found = targets(t.store, year)
rows, running, running_target = [], Decimal(0), Decimal(0)
last_with_data = max((m for m in by_month if by_month[m]["spend"] or by_month[m]["leads"]),
                     default=None)
for month in months:
    value = by_month[month][kpi]
    goal = target_for(t.store, year, kpi, f"{month:%Y-%m}", found)
    if month <= (last_with_data or date.min) and value is not None:
        rows.append((month, "Actual", value))
        running += Decimal(value)
        if KPI[kpi].additive:
            rows.append((month, "Cumulative actual", running))
    if goal is not None:
        rows.append((month, "Target", goal))
        if KPI[kpi].additive:
            running_target += goal
            rows.append((month, "Cumulative target (pacing)", running_target))
fmt = (axis_format(currency) if KPI[kpi].unit == "money" else
       ",.0f" if KPI[kpi].unit == "count" else ".1%" if kpi != "roi" else ".2f")
st.altair_chart(charts.trend(rows, f"{KPI[kpi].label}: monthly actual against target",
                             KPI[kpi].label, fmt), width="stretch")
if KPI[kpi].additive:
    st.caption("Pacing: where the year to date should be to reach the annual target, month by"
               " month (the monthly targets when they are set, else the annual target phased"
               " evenly).")

left, right = st.columns([3, 2])
funnel = views.funnel_by_source(t.store, in_period, where)
stages = ["Leads", "MQLs", "SQLs", "Opportunities", "Wins"]
left.altair_chart(charts.funnel_by_source(
    [(stages[i], r[0], r[i + 1]) for r in funnel for i in range(5)]), width="stretch")
conversions = []
for source, *counts in funnel:
    row = {"Sourced by": source}
    for i in range(4):
        row[f"{stages[i]} → {stages[i + 1]}"] = (
            f"{Decimal(counts[i + 1]) / counts[i] * 100:.1f}%" if counts[i] else "n/a")
    conversions.append(row)
left.dataframe(conversions, hide_index=True, width="stretch", key="conversions")
right.altair_chart(charts.breakdown(
    views.spend_by_stage(t.store, in_period, where), "Funnel stage",
    "Actual spend per funnel stage", currency,
    order=["awareness", "consideration", "preference", "purchase", "loyalty", "advocacy"]),
    width="stretch")

st.subheader("Spend against plan")
dim = st.segmented_control("By", ["owner", "funnel_stage", "channel", "region"],
                           default="owner", key="variance_dim",
                           format_func=lambda d: d.replace("_", " ").capitalize())
variances = views.spend_vs_plan(t.store, year, in_period, where, dim or "owner")
st.altair_chart(charts.actual_vs_plan(
    [(v.value, s, a) for v in variances for s, a in (("Planned", v.planned),
                                                      ("Actual", v.actual))],
    (dim or "owner").replace("_", " ").capitalize(), currency), width="stretch")
st.dataframe([{(dim or "owner").replace("_", " ").capitalize(): v.value,
               "Actual": format_money(v.actual, currency),
               "Planned": format_money(v.planned, currency),
               "Variance": format_money(v.variance, currency),
               "Variance %": "n/a" if v.share is None else f"{v.share * 100:+.1f}%"}
              for v in variances], hide_index=True, width="stretch", key="variance_table")
by_month_variance = sorted(views.spend_vs_plan(t.store, year, in_period, where, "month"),
                           key=lambda v: -abs(v.variance))[:3]
st.caption("Months with the largest variance: " + ", ".join(
    f"{v.value:%b %Y} ({format_money(v.variance, currency)})" for v in by_month_variance))
count, extra = views.unplanned(t.store, year, in_period, where)
with st.expander(f"Unplanned spend: {count:,} actual(s) match no plan line"
                 + (f" (the {len(extra)} largest listed)" if count > len(extra) else "")):
    st.dataframe([{"Owner": r[0], "Category": r[1], "Stage": r[2], "Channel": r[3],
                   "Region": r[4], "Month": r[5].strftime("%Y-%m"),
                   "Amount": format_money(r[6], currency), "Reference": r[7] or ""}
                  for r in extra], hide_index=True, width="stretch", key="unplanned")

st.subheader("Which channels and regions pay back")
tabs = st.tabs(["By channel", "By region"])
for tab, dimension in zip(tabs, ("channel", "region"), strict=True):
    tab.dataframe([{dimension.capitalize(): e.value, "Spend": format_money(e.spend, currency),
                    "Opportunities": e.opportunities, "Wins": e.wins,
                    "Revenue": format_money(e.revenue, currency),
                    "CAC": format_money(e.cac, currency),
                    "Cost per opportunity": format_money(e.cost_per_opportunity, currency),
                    "ROI": "n/a" if e.roi is None else f"{e.roi:.2f}×",
                    "Revenue per $1 spent" if currency == "USD" else "Revenue per unit spent":
                        "n/a" if e.revenue_per_spend is None else f"{e.revenue_per_spend:.2f}"}
                   for e in views.efficiency(t.store, in_period, where, dimension)],
                  hide_index=True, width="stretch", key=f"efficiency_{dimension}")
