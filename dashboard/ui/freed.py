"""Freed money on the Where we land page: what the closed months did not spend, and its release
to the pool (offered to the executive and the heads, as the rules in planning allow)."""
from __future__ import annotations

from decimal import Decimal

import streamlit as st

from dashboard.ui.context import notice, shown_refusals
from dashboard.ui.format import format_money, month, table
from planning import access
from planning.forecast import Estimate
from planning.freed import freed, release
from planning.model import OWNERS
from planning.people import Person
from planning.tandem import Tandem


def freed_section(t: Tandem, found: Estimate, person: Person | None, currency: str) -> None:
    st.subheader("Freed money")
    if found.as_of is None:
        st.caption("No month is closed yet: nothing has been freed.")
        return
    state = freed(t.store, found.fiscal_year, found.as_of)
    st.caption(f"What the plan lines of the closed months (to {month(found.as_of)}) did not"
               " spend. It stays with its lines until it is released to the pool: an executive"
               " releases it, or both heads approve; money freed on joint lines needs both"
               " heads.")
    money = lambda v: format_money(v, currency, cents=False)  # noqa: E731
    tiles = st.columns(3)
    tiles[0].metric("Freed to date", money(state.total_freed), border=True)
    tiles[1].metric("Released to the pool", money(state.total_released), border=True)
    usable = None if found.headroom is None else found.headroom - state.total_to_release
    tiles[2].metric("Headroom to re-forecast", "n/a" if usable is None else money(usable),
                    delta=f"{money(state.total_to_release)} waits for a release",
                    delta_color="off", delta_arrow="off", border=True,
                    help="The pool's headroom without the freed money not released yet.")
    table(st, [{"Owner": o.capitalize(), "Freed": state.freed[o],
                "Released": state.released[o], "To release": state.to_release[o]}
               for o in OWNERS], key="freed_table", currency=currency,
          kinds={"Freed": "money", "Released": "money", "To release": "money"})
    if state.released_now:
        st.success(f"The money freed to {month(found.as_of)} is released.",
                   icon=":material/check_circle:")
        return
    if state.approvals:
        st.info("Approved by " + ", ".join(f"{name} ({dept})" for dept, name
                                             in state.approvals.items())
                + f"; waiting for the {' and '.join(state.waiting_for())} head.")
    if person is None or not access.allowed(person, "release_freed") or \
            state.total_to_release <= Decimal(0):
        return
    label = ("Approve the release" if person.head_of and len(state.waiting_for()) == 2
             else "Release to the pool")
    if person.head_of in state.approvals:
        return
    if person.head_of is None and state.to_release["joint"] > 0 and state.waiting_for():
        st.caption("Money freed on joint lines is released once both heads approve.")
        return
    if st.button(f"{label}: {money(state.total_to_release)}", key="freed_release",
                 type="primary"):
        with shown_refusals():
            after = release(t.store, person, found.fiscal_year, found.as_of)
            notice(f"Released {money(after.total_released - state.total_released)} to the pool."
                   if after.released_now else
                   "Approved; the release waits for the other head.")
