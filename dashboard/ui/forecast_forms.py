"""Scale or shift the forecast of a filter's open-month lines (one side's, as the rules allow)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

import streamlit as st

from dashboard.ui import lazy
from dashboard.ui.context import notice, shown_refusals
from dashboard.ui.format import count
from planning.forecast import ForecastFilter, OpenLine, scale_forecast, shift_forecast
from planning.people import Person
from planning.tandem import Tandem


def _filter(where, lines: list[OpenLine], owner: str, key: str) -> ForecastFilter:
    left, right = where.columns(2)
    channels = left.multiselect("Channels (none: all)", sorted({ln.line.channel for ln in lines}),
                                key=f"{key}_channels")
    regions = right.multiselect("Regions (none: all)", sorted({ln.line.region for ln in lines}),
                                key=f"{key}_regions")
    return ForecastFilter(owners=(owner,), channels=tuple(channels), regions=tuple(regions))


def _amount(text: str) -> Decimal | None:
    try:
        return Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        return None


def operations(t: Tandem, person: Person, year: int, owner: str, lines: list[OpenLine],
               as_of) -> None:
    with lazy.expander("Scale or shift the forecast of many lines at once",
                       icon=":material/tune:", key="forecast_ops_box") as box:
        if box.open:
            _operation_forms(t, person, year, owner, lines, as_of)


def _operation_forms(t: Tandem, person: Person, year: int, owner: str, lines: list[OpenLine],
                     as_of) -> None:
    scale, shift = st.tabs(["Scale", "Shift"])
    with scale.form("forecast_scale", border=False):
        where = _filter(st, lines, owner, "scale")
        percent = st.number_input("By %", min_value=-100.0, max_value=1000.0, value=0.0,
                                  step=1.0, key="forecast_scale_pct")
        if st.form_submit_button("Scale", type="primary"):
            with shown_refusals():
                n = scale_forecast(t.store, person, year, Decimal(str(percent)), where,
                                   as_of=as_of)
                notice(f"Scaled the forecast of {count(n)} {owner} line(s) by {percent:g}%.")
    with shift.form("forecast_shift", border=False):
        st.markdown("From")
        source = _filter(st, lines, owner, "shift_from")
        st.markdown("To")
        target = _filter(st, lines, owner, "shift_to")
        text = st.text_input("Amount to move, e.g. 25000.00", key="forecast_shift_amount")
        if st.form_submit_button("Shift", type="primary"):
            amount = _amount(text)
            if amount is None:
                st.error(f"{text!r} is not an amount like 25000.00")
            else:
                with shown_refusals():
                    n = shift_forecast(t.store, person, year, amount, source, target,
                                       as_of=as_of)
                    notice(f"Shifted {amount:,} of forecast across {count(n)} line(s); the"
                           " total stays the same.")
