"""The Hand-off page's parts: did marketing deliver, and did sales follow up? Every figure is
`planning.sla`'s; this module only words and draws it."""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import streamlit as st

from dashboard.ui import sla_charts
from dashboard.ui.format import count, format_money, share, table
from planning.sla import BANDS, STATUS_WORDS, Sla, Window, now

BADGE = {"green": "green", "amber": "orange", "red": "red"}


def badge(status: str | None, *, pending: bool = False) -> str:
    """A status as the KPI page shows it: `on track`, `watch`, `off track`."""
    if status is None:
        return ":gray-badge[no target]"
    return f":{BADGE[status]}-badge[{STATUS_WORDS[status]}{' so far' if pending else ''}]"


def hours(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{value:,.2f} h"


def window_text(terms: Window) -> str:
    """The first-touch window in force, and how it came to be."""
    shown = f"**{terms.hours.normalize():f} h**"
    if terms.default:
        return f"{shown} (the store's default; no one has changed it)"
    if terms.how is None:
        return f"{shown} (set before agreements were recorded)"
    return f"{shown} ({terms.how})"


def empty(year: int) -> None:
    st.info(f"No MQL in FY{year} yet. Import the leads your CRM exports on the **Import &"
            " export** page (kind *leads*: one row per lead with when it became an MQL, the rep"
            " it went to, its first touch and when sales accepted it), or with `tandem import"
            " leads FILE`. Marketing's monthly MQL commitment is the `mqls` target of each"
            " month (kind *targets*).", icon=":material/info:")


def headline(found: Sla) -> None:
    """The page's answer in two sentences, one per side."""
    ytd, year = found.to_date, found.year
    if ytd.target is None:
        delivered = (f"Marketing handed over **{count(ytd.mqls)} MQLs** to date; no MQL"
                     " target is set for these months.")
    else:
        delivered = (f"Marketing handed over **{count(ytd.mqls)} MQLs** to date,"
                     f" {share(ytd.attainment, 0)} of the {count(ytd.target)} targeted:"
                     f" {STATUS_WORDS.get(ytd.status, 'n/a')}.")
    judged = year.in_time + year.breaches
    followed = (f"Sales touched **{share(year.in_time_rate, 0)}** of the {count(judged)} MQLs"
                f" due so far in time; {count(year.breaches)} breached the window"
                f" ({count(year.overdue)} of them still untouched);"
                f" {count(year.pending)} {'is' if year.pending == 1 else 'are'} not due yet."
                if judged else
                "Sales has no MQL due yet.")
    st.markdown(f"{delivered}  \n{followed}")


def tiles(found: Sla) -> None:
    ytd, year = found.to_date, found.year
    row = st.container(horizontal=True)
    tile = row.container(border=True, width="stretch", gap="xsmall")
    tile.metric("MQLs to date", count(ytd.mqls),
                help="MQLs of the fiscal year's months up to the as-of time, against each"
                     " month's MQL target (the month in progress paced to the days gone).")
    tile.markdown(badge(ytd.status) if ytd.target is None else
                  f"{badge(ytd.status)} {share(ytd.attainment, 0)} of {count(ytd.target)}")
    tile = row.container(border=True, width="stretch", gap="xsmall")
    tile.metric("Touched in time", share(year.in_time_rate),
                help="In time / (in time + breaches): MQLs not due yet are not judged.")
    tile.caption(f"{count(year.in_time)} of {count(year.in_time + year.breaches)} due")
    tile = row.container(border=True, width="stretch", gap="xsmall")
    tile.metric("Breaches", count(year.breaches),
                help="MQLs touched after the window, or untouched past it.")
    tile.caption(f"{count(year.overdue)} still untouched")
    tile = row.container(border=True, width="stretch", gap="xsmall")
    tile.metric("First touch, p95", hours(year.p95_hours),
                help="The 95th percentile of the hours from MQL to first touch: 95 of 100"
                     " MQLs touched were touched within this many hours (late ones included;"
                     " linear interpolation). The median is below.")
    tile.caption(f"median {hours(year.p50_hours)}")


def charts(found: Sla) -> None:
    left, right = st.columns(2)
    left.vega_lite_chart(spec=sla_charts.marketing_side(
        tuple((r.month, r.mqls, r.mql_target) for r in found.months)), width="stretch")
    right.vega_lite_chart(spec=sla_charts.sales_side(
        tuple((r.month, r.in_time, r.breaches, r.pending) for r in found.months),
        f"{found.window.hours.normalize():f}"), width="stretch")
    labels = tuple(label for label, _edge in BANDS)
    rows = tuple((r.month, label, n) for r in found.months
                 for label, n in zip(labels, r.bands, strict=True) if n)
    if rows:
        st.vega_lite_chart(spec=sla_charts.bands(rows, labels), width="stretch")


def _status(row) -> str:
    if row.stage == "ahead":
        return "not begun"
    if row.status is None:
        return "no target"
    word = STATUS_WORDS[row.status]
    return f"{word} (so far)" if row.stage == "in progress" else word


MONTH_KINDS = {"Month": "month", "MQLs": "count", "Target": "count", "Attainment": "percent",
               "In time": "count", "Breaches": "count", "Pending": "count",
               "In-time rate": "percent", "Median h": "rate", "p95 h": "rate",
               "Accepted": "count", "Acceptance rate": "percent"}


def month_table(found: Sla) -> None:
    st.subheader("Month by month")
    st.caption("Marketing's side (MQLs against the month's target, status as on the KPI page),"
               " then sales' side (first touch in time, breaches, not due yet; hours from MQL"
               " to first touch: median and 95th percentile), and how many sales accepted.")
    table(st, [{"Month": r.month, "MQLs": r.mqls, "Target": r.mql_target,
                "Attainment": None if r.stage == "ahead" else r.mql_attainment,
                "Status": _status(r), "In time": r.in_time,
                "Breaches": r.breaches, "Pending": r.pending, "In-time rate": r.in_time_rate,
                "Median h": r.p50_hours, "p95 h": r.p95_hours, "Accepted": r.accepted,
                "Acceptance rate": r.acceptance_rate} for r in found.months],
          key="sla_months", kinds=MONTH_KINDS, height=_rows_high(len(found.months)),
          widths={"Status": "medium"}, placeholder="n/a")


def rep_table(found: Sla) -> None:
    st.subheader("By rep")
    reps = found.reps_by_breaches
    slow = found.slowest_rep
    if slow is not None:
        st.markdown(f"Most breaches: **{slow.rep}**, {count(slow.breaches)} of"
                    f" {count(slow.mqls)} MQLs (in time {share(slow.in_time_rate, 0)}, median"
                    f" {hours(slow.p50_hours)} to first touch).")
    table(st, [{"Rep": r.rep, "MQLs": r.mqls, "In time": r.in_time, "Breaches": r.breaches,
                "Pending": r.pending, "In-time rate": r.in_time_rate, "Median h": r.p50_hours,
                "p95 h": r.p95_hours} for r in reps], key="sla_reps",
          height=_rows_high(min(len(reps), 15)), placeholder="n/a",
          kinds={k: v for k, v in MONTH_KINDS.items() if k in (
              "MQLs", "In time", "Breaches", "Pending", "In-time rate", "Median h", "p95 h")})
    if found.unrouted.mqls:
        st.caption(f"{count(found.unrouted.mqls)} MQL(s) were routed to no rep;"
                   f" {count(found.unrouted.breaches)} of them breached the window.")


def overdue_table(found: Sla) -> None:
    st.subheader("To follow up now")
    if not found.year.overdue:
        st.success("No MQL is waiting past the window.", icon=":material/check_circle:")
        return
    shown = len(found.overdue)
    st.caption(f"{count(found.year.overdue)} MQL(s) untouched past their deadline"
               + (f"; the oldest {count(shown)} listed" if shown < found.year.overdue else "")
               + ". Times in UTC.")
    table(st, [{"Lead": o.lead_id, "Rep": o.rep or "(routed to no rep)", "Channel": o.channel,
                "Region": o.region, "MQL at": o.mql_at, "Hours overdue": o.hours_overdue,
                "Days overdue": o.days_overdue}
               for o in found.overdue], key="sla_overdue",
          kinds={"MQL at": "when", "Hours overdue": "count", "Days overdue": "count"})


def place_table(found: Sla, currency: str) -> None:
    st.subheader("By channel and region: what the MQLs cost")
    st.caption(f"Spend is the actuals of every owner in the channel and region over the fiscal"
               f" year, in {currency}; n/a where there is no MQL or no accepted SQL to divide"
               " by.")
    total = found.all_places
    st.markdown(f"All channels and regions: {count(total.mqls)} MQLs,"
                f" {share(total.acceptance_rate, 0)} accepted, for"
                f" {format_money(total.spend, currency, cents=False)}:"
                f" {format_money(total.cost_per_mql, currency)} per MQL,"
                f" {format_money(total.cost_per_accepted, currency)} per accepted SQL.")
    table(st, [{"Channel": p.channel, "Region": p.region, "MQLs": p.mqls,
                "Accepted": p.accepted, "Acceptance rate": p.acceptance_rate, "Spend": p.spend,
                "Cost per MQL": p.cost_per_mql, "Cost per accepted SQL": p.cost_per_accepted}
               for p in sorted(found.places, key=lambda p: (-p.mqls, p.channel, p.region))],
          key="sla_places", currency=currency, placeholder="n/a",
          kinds={"MQLs": "count", "Accepted": "count", "Acceptance rate": "percent",
                 "Spend": "money", "Cost per MQL": "money", "Cost per accepted SQL": "money"})


def _rows_high(rows: int) -> int:
    """A table's height showing every one of its rows (up to the few a page shows whole)."""
    return 35 * (rows + 1) + 3


STALE = timedelta(days=7)  # leads older than this are not the latest a firm has


def as_of_picker(latest: datetime | None) -> datetime:
    """The as-of time: now (to the minute, so reruns within a minute read the figures the
    store keeps), or the end of an earlier day picked (midnight after it, UTC). When the leads
    imported end more than a week ago, it starts at their last day: a month with no leads in
    yet is not read as marketing's shortfall (today is a click away)."""
    current = now().replace(second=0, microsecond=0)
    stale = latest is not None and current - latest > STALE
    day = st.date_input("As of the end of (UTC)",
                        value=latest.date() if stale else current.date(),
                        max_value=current.date(), key="sla_as_of", format="YYYY-MM-DD",
                        help="Deadlines are judged at this time: today means now; an earlier"
                             " day, its end. It starts at the day of the latest MQL when the"
                             " leads imported end more than a week ago.")
    if day is None or day >= current.date():
        return current
    return datetime.combine(day + timedelta(days=1), datetime.min.time())


def latest(found: Sla) -> str:
    """How recent the leads are, so an empty month after them reads as data not yet in."""
    if found.latest_mql is None:
        return ""
    gap = found.as_of - found.latest_mql
    note = (" (no MQL since: have the latest leads been imported?)" if gap > STALE else
            " (the leads imported end there: choose today to judge them as of now)"
            if now() - found.latest_mql > STALE else "")
    return f" · latest MQL {found.latest_mql:%Y-%m-%d %H:%M}{note}"
