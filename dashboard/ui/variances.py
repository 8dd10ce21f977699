"""Who owes an explanation: the closed months' variances beyond the thresholds, their
explanations, and the forms to explain, accept or question one (each offered only to whom the
rules in planning allow)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import streamlit as st

from dashboard.ui.context import notice, shown_refusals
from dashboard.ui.format import format_money, month, table
from planning import access
from planning.errors import Refused
from planning.people import Person
from planning.tandem import Tandem
from planning.variance import CATEGORIES, Group, decide, explain, variances

FORECAST_PAGE = Path(__file__).resolve().parents[2] / "pages" / "forecast.py"
STATES = ("to explain", "questioned", "awaiting acceptance", "accepted")


def _label(g: Group) -> str:
    where = "in total" if g.is_total else f"{g.channel} · {g.region}"
    return f"{g.owner.capitalize()} {where}"


def may_decide(person: Person | None, g: Group) -> bool:
    if person is None or g.explanation is None or g.explanation.status != "explained":
        return False
    try:
        access.require_acceptor(person, g.owner, g.explanation.explained_by)
    except Refused:
        return False
    return True


def variance_summary(t: Tandem, year: int) -> None:
    """One line on the Review page: the closed months' variances still owing something."""
    found = variances(t.store, year)
    if found.as_of is None:
        return
    owing = {s: len(found.needing(s)) for s in STATES[:3]}
    if not any(owing.values()):
        st.caption(f"Variances to {month(found.as_of)}: every one beyond the thresholds is"
                   " explained and accepted.")
        return
    st.warning(f"Variances to {month(found.as_of)}: {owing['to explain']:,} to explain,"
               f" {owing['questioned']:,} questioned, {owing['awaiting acceptance']:,} awaiting"
               " acceptance.", icon=":material/rule:")
    st.page_link(FORECAST_PAGE, label="Explain or decide on Where we land",
                 icon=":material/flight_land:")


def variance_section(t: Tandem, year: int, as_of: date | None, person: Person | None,
                     currency: str) -> None:
    st.subheader("Variances to explain")
    if as_of is None:
        st.caption("No month is closed yet: there is no variance to explain.")
        return
    found = variances(t.store, year, as_of)
    amount = format_money(found.amount, currency, cents=False)
    st.caption(f"Spend of the closed months (to {month(as_of)}) against their plan, per owner"
               " and per owner, channel and region. A variance beyond"
               f" {found.share * 100:.0f}% of its plan and {amount} is explained by its owning"
               " side and accepted or questioned by the other department's head.")
    shown = [g for g in found.groups if g.state in STATES]
    counts = {s: len(found.needing(s)) for s in STATES}
    tiles = st.columns(4)
    for column, state in zip(tiles, STATES, strict=True):
        column.metric(state.capitalize(), f"{counts[state]:,}", border=True)
    if not shown:
        st.success("Every variance is within the thresholds.", icon=":material/check_circle:")
        return
    order = {s: i for i, s in enumerate(STATES)}
    shown.sort(key=lambda g: (order[g.state], -abs(g.variance)))
    table(st, [{"Group": _label(g), "Plan": g.planned, "Actual": g.actual,
                "Variance": g.variance, "Share of plan": (g.variance / g.planned
                                                          if g.planned else None),
                "State": g.state.capitalize(),
                "Why": "" if g.explanation is None else
                f"{g.explanation.category.capitalize()}: {g.explanation.text}",
                "Explained by": "" if g.explanation is None else g.explanation.explained_by,
                "Decided by": "" if g.explanation is None else g.explanation.decided_by or ""}
               for g in shown], key="variance_table", currency=currency,
          kinds={"Plan": "money", "Actual": "money", "Variance": "money",
                 "Share of plan": "signed_percent"})
    for g in shown:
        if g.explanation and g.explanation.thread:
            with st.expander(f"Thread: {_label(g)}"):
                for c in g.explanation.thread:
                    st.markdown(f"**{c.author}** · {c.written_at:%Y-%m-%d %H:%M}  \n{c.text}")

    explainable = [g for g in shown if g.state in ("to explain", "questioned")
                   and person is not None and access.allowed(person, "explain_variance")
                   and g.owner in person.owners]
    if explainable:
        with st.form("explain_form", clear_on_submit=True, border=True):
            st.markdown("**Explain a variance**")
            chosen = st.selectbox("Group", explainable, format_func=lambda g: (
                f"{_label(g)}: {format_money(g.variance, currency)}"), key="explain_group")
            category = st.selectbox("Why, in a word", CATEGORIES, format_func=str.capitalize,
                                    key="explain_category")
            text = st.text_area("Explanation", max_chars=500, key="explain_text")
            if st.form_submit_button("Explain", type="primary"):
                with shown_refusals():
                    explain(t.store, person, year, chosen.owner, chosen.channel, chosen.region,
                            category, text, as_of=as_of)
                    notice(f"Explained the variance of {_label(chosen)}; the other"
                           " department's head decides on it.")

    decidable = [g for g in shown if may_decide(person, g)]
    if decidable:
        with st.form("decide_form", clear_on_submit=True, border=True):
            st.markdown("**Accept or question an explanation**")
            chosen = st.selectbox("Group", decidable, format_func=lambda g: (
                f"{_label(g)}: {g.explanation.category}: {g.explanation.text}"),
                key="decide_group")
            comment = st.text_input("Comment (needed to question)", max_chars=1000,
                                    key="decide_comment")
            accept, question = st.columns(2)
            if accept.form_submit_button("Accept", type="primary"):
                with shown_refusals():
                    decide(t.store, person, year, chosen.owner, chosen.channel, chosen.region,
                           accept=True, comment=comment, as_of=as_of)
                    notice(f"Accepted the explanation of {_label(chosen)}.")
            if question.form_submit_button("Question"):
                with shown_refusals():
                    decide(t.store, person, year, chosen.owner, chosen.channel, chosen.region,
                           accept=False, comment=comment, as_of=as_of)
                    notice(f"Questioned the explanation of {_label(chosen)}; its owner explains"
                           " again.")
