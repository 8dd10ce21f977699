"""The funnel worked backwards from the revenue target (planning.funnel_back): the counts each
month needs, beside marketing's MQL commitment and the adopted plan's projection; its inputs
with their sources and owners; and the one action that writes the needed MQLs as the monthly
MQL targets (offered to the heads and the executive)."""
from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.ui.charts import OWNER_COLOURS, _frame, kept
from dashboard.ui.context import actor, notice, show_notice, shown_refusals
from dashboard.ui.format import count, format_money, share, table
from planning import access
from planning.agreements import DECIDERS
from planning.funnel_back import FunnelBack, Input, funnel_back, write_mql_targets
from planning.projection import SPEC
from planning.tandem import Tandem

# Needed is the plan both heads work to (joint); the commitment is marketing's; the projection
# is what the adopted plan's spend buys.
SERIES = {"Needed": OWNER_COLOURS["joint"], "Committed (in force)": OWNER_COLOURS["marketing"],
          "Proposed": "#fdba74", "Projected from spend": "#0d9488"}


@kept
def needed_chart(rows: Sequence[tuple]) -> alt.Chart:
    """Lines by month: MQLs needed, committed, proposed and projected. `rows`: (month, series,
    MQLs); a series without a value in a month has no point there."""
    frame = _frame(rows, ["month", "series", "mqls"])
    frame["month"] = pd.to_datetime(frame["month"])
    present = [s for s in SERIES if s in set(frame["series"])]
    return (
        alt.Chart(frame, title=alt.Title(
            "MQLs needed for the revenue target, against the commitment and the projection",
            subtitle="Needed: worked back from each month's revenue target · dashed: proposed,"
                     " not yet agreed"))
        .mark_line(point=True)
        .encode(
            x=alt.X("yearmonth(month):O", title="Month",
                    axis=alt.Axis(format="%b %Y", labelAngle=-45, labelOverlap=False)),
            # Lines, not bars: the months' differences matter more than the distance to 0.
            y=alt.Y("mqls:Q", title="MQLs per month", axis=alt.Axis(format=",.0f"),
                    scale=alt.Scale(zero=False)),
            color=alt.Color("series:N", title=None, legend=alt.Legend(orient="top"),
                            scale=alt.Scale(domain=present, range=[SERIES[s] for s in present])),
            strokeDash=alt.condition("datum.series == 'Proposed'", alt.value([5, 4]),
                                     alt.value([1, 0])),
            tooltip=[alt.Tooltip("yearmonth(month):O", title="Month", format="%B %Y"),
                     alt.Tooltip("series:N", title="Series"),
                     alt.Tooltip("mqls:Q", title="MQLs", format=",.1f")],
        )
        .properties(height=380)
    )


def value_text(given: Input, currency: str) -> str:
    """An input as it is used: money to the cent, a rate as a percent to one place."""
    if given.value is None:
        return "n/a"
    if SPEC[given.name].money:
        return format_money(given.value, currency)
    return share(given.value, 1)


def chart_rows(found: FunnelBack) -> list[tuple]:
    rows = []
    for m in found.months:
        for series, value in (("Needed", m.mqls), ("Committed (in force)", m.committed),
                              ("Proposed", m.proposed), ("Projected from spend", m.projected)):
            if value is not None:
                rows.append((m.month, series, value))
    return rows


def funnel_back_section(t: Tandem, year: int) -> None:
    person = actor()
    currency = t.currency
    found = funnel_back(t.store, year)
    st.subheader("The funnel worked backwards from revenue")
    show_notice()  # what the last action here did (unless the page showed it already)
    plan = (f"the adopted scenario **{found.scenario}**" if found.scenario else
            "no plan yet (nothing is projected)")
    st.caption("Each month's revenue target (the annual target ÷ 12 where a month has none)"
               " ÷ the average deal size gives the wins it needs; each conversion, the stage"
               " before; every step rounds up to a whole count. Beside the needed MQLs:"
               " marketing's commitment (the monthly MQL targets) and what the spend of"
               f" {plan} is projected to produce.")
    table(st, [{"Input": i.label, "Value": value_text(i, currency), "Source": i.source,
                "Owner": i.owner} for i in found.inputs], key="funnel_back_inputs",
          kinds={}, widths={"Source": "large"})
    st.vega_lite_chart(spec=needed_chart(chart_rows(found)), width="stretch")
    table(st, [{"Month": m.month, "Revenue target": m.revenue, "Wins": m.wins,
                "Opportunities": m.opportunities, "SQLs": m.sqls, "MQLs needed": m.mqls,
                "MQLs committed": m.committed, "MQLs proposed": m.proposed,
                "MQLs projected": m.projected, "Needed beyond commitment": m.shortfall}
               for m in found.months], key="funnel_back_months", currency=currency,
          kinds={"Month": "month", "Revenue target": "money_whole", "Wins": "count",
                 "Opportunities": "count", "SQLs": "count", "MQLs needed": "count",
                 "MQLs committed": "count", "MQLs proposed": "count",
                 "MQLs projected": "count", "Needed beyond commitment": "count"},
          height=35 * (len(found.months) + 1) + 3,  # every month, no scrolling
          placeholder="—")
    needed = found.total("mqls")
    st.caption(f"The year needs {count(needed)} MQLs." if needed is not None else
               "Needed counts are n/a where the revenue target or an input has no value.")
    if person is None or not access.allowed(person, "derive_targets") or needed is None:
        return
    decides = person.role in DECIDERS
    label = ("Set the needed MQLs as the monthly MQL targets" if decides else
             "Propose the needed MQLs as the monthly MQL targets")
    st.caption("In force at once: your decision." if decides else
               "They wait beside the targets in force until the other department's head agrees;"
               " each keeps its inputs as its basis.")
    if st.button(label, key="write_mql_targets", icon=":material/edit_note:"):
        with shown_refusals():
            done = write_mql_targets(t.store, person, year)
            notice(done.message("monthly MQL target") + ".")
