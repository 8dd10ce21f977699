"""Shared rewards on the Alignment page: the factor both heads are paid on, what each KPI adds
to it, the payout curve with where each KPI stands, what-if, and (for an executive) the form
that sets the plan. Every figure comes from planning.rewards; this only draws."""
from __future__ import annotations

from decimal import Decimal

import streamlit as st

from dashboard.ui.context import notice, shown_refusals
from dashboard.ui.format import column, frame, share
from planning import access
from planning.kpis import KPI
from planning.people import Person
from planning.rewards import EXAMPLE, PAYABLE, Factor, factor, plan, set_plan
from planning.tandem import Tandem


@st.cache_data(show_spinner=False, max_entries=64)
def _curve_spec(curve, points: tuple) -> dict:
    from planning.report_charts import reward_curve

    return reward_curve(curve, list(points)).to_dict(validate=False)


@st.cache_data(show_spinner=False, max_entries=64)
def _contributions_spec(rows: tuple) -> dict:
    from planning.report_charts import reward_contributions

    return reward_contributions(list(rows)).to_dict(validate=False)


def factor_text(value: Decimal) -> str:
    """The factor as the share of the target incentive it pays: `38.4%`."""
    return share(value)


def rewards_section(t: Tandem, person: Person | None, year: int | None) -> None:
    st.subheader("Shared rewards")
    if year is None:
        st.caption("No fiscal year yet.")
        return
    found = None
    if plan(t.store, year) is None:
        st.info(f"No rewards plan is set for FY{year} yet: an executive sets the KPIs both"
                " departments are paid on, their weights and the payout curve.",
                icon=":material/emoji_events:")
    else:
        found = factor(t.store, year)
        _factor(found)
        _what_if(found)
    if access.allowed(person, "set_rewards"):
        _plan_form(t, person, year, found)


def _factor(found: Factor) -> None:
    curve = found.plan.curve
    st.caption(f"Both departments are paid on the same factor: each KPI's payout by the curve"
               f" ({curve.describe()}), weighted. Attainment is the whole fiscal year against"
               " its annual target, as `tandem kpis` gives it.")
    left, right = st.columns([1, 3])
    left.metric("Payout factor", factor_text(found.payout), border=True,
                help=f"{found.payout} × the target incentive, for sales and marketing alike.")
    by = f" by {found.plan.set_by}" if found.plan.set_by else ""
    when = f" on {found.plan.set_at:%Y-%m-%d}" if found.plan.set_at else ""
    left.caption(f"Plan set{by}{when}.")
    # Payouts and contributions to 2 decimals of a percent (the factor's 4 places), as the
    # meeting pack prints them; numbers stay numbers, so the columns sort.
    rows = frame([{"KPI": KPI[k.kpi].label, "Weight": k.weight / 100,
                   "Attainment": k.attainment, "Payout": k.payout,
                   "Contribution": k.contribution} for k in found.kpis],
                 dict.fromkeys(("Weight", "Attainment", "Payout", "Contribution"), "percent"))
    fine = st.column_config.NumberColumn(format="%.2f%%")
    right.dataframe(rows, key="rewards_table", hide_index=True, width="stretch",
                    column_config={"Weight": column("percent"),
                                   "Attainment": column("percent"),
                                   "Payout": fine, "Contribution": fine})
    charts = st.columns(2)
    charts[0].vega_lite_chart(spec=_contributions_spec(tuple(
        (KPI[k.kpi].label, k.contribution, k.weight / 100) for k in found.kpis)),
        width="stretch")
    charts[1].vega_lite_chart(spec=_curve_spec(curve, tuple(
        (KPI[k.kpi].label, k.attainment, k.payout) for k in found.kpis)), width="stretch")


def _what_if(found: Factor) -> None:
    with st.container(border=True):
        st.markdown("**What if**")
        cells = st.columns([2, 2, 3], vertical_alignment="bottom")
        kpi = cells[0].selectbox("KPI", [k.kpi for k in found.kpis], key="rewards_what_if_kpi",
                                 format_func=lambda k: KPI[k].label)
        now = next(k.attainment for k in found.kpis if k.kpi == kpi)
        reached = cells[1].number_input(
            "reaches (% of target)", min_value=0.0, max_value=1000.0, step=5.0, format="%.1f",
            value=100.0, key=f"rewards_what_if_{kpi}",
            help="Now " + ("n/a" if now is None else share(now)) + ".")
        becomes = found.what_if(kpi, Decimal(f"{reached:.1f}") / 100)
        change = (becomes - found.payout) * 100
        cells[2].metric(f"If {KPI[kpi].in_sentence} reaches {reached:.1f}% of target,"
                        " the factor becomes", factor_text(becomes),
                        delta=f"{change:+.2f} pts", delta_color="normal")


def _plan_form(t: Tandem, person: Person, year: int, found: Factor | None) -> None:
    current = found.plan if found else None
    with st.expander("Set the rewards plan" if current is None else "Change the rewards plan",
                     expanded=current is None), st.form("rewards_form"):
        st.caption(f"Weights in percent on the KPIs paid on (0 leaves a KPI out); they add up to"
                   f" 100. For example {EXAMPLE.replace('=', ' ')}.")
        weights = current.weights if current else {}
        cells = st.columns(4)
        entered = {k: cells[i % 4].number_input(
            KPI[k].label, min_value=0.0, max_value=100.0, step=5.0, format="%.2f",
            value=float(weights.get(k, 0)), key=f"rewards_weight_{k}")
            for i, k in enumerate(PAYABLE)}
        curve = current.curve if current else None
        cols = st.columns(3)
        threshold = cols[0].number_input(
            "Threshold (% of target)", min_value=1.0, max_value=99.0, step=5.0, format="%.1f",
            value=float(curve.threshold * 100) if curve else 80.0, key="rewards_threshold",
            help="Below it a KPI pays nothing.")
        floor = cols[1].number_input(
            "Floor (% paid at the threshold)", min_value=0.0, max_value=100.0, step=5.0,
            format="%.1f", value=float(curve.floor * 100) if curve else 50.0,
            key="rewards_floor")
        cap = cols[2].number_input(
            "Cap (% paid at most)", min_value=100.0, max_value=1000.0, step=10.0, format="%.1f",
            value=float(curve.cap * 100) if curve else 150.0, key="rewards_cap")
        if st.form_submit_button("Save the rewards plan", type="primary"):
            chosen = {k: Decimal(f"{v:.2f}") for k, v in entered.items() if v > 0}
            with shown_refusals():
                set_plan(t.store, person, year, chosen,
                         *(Decimal(f"{v:.1f}") / 100 for v in (threshold, floor, cap)))
                notice(f"Rewards plan of FY{year} saved; the change is in the audit trail.")
