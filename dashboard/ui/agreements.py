"""Targets and the SLA's terms, set by both departments together: each proposal beside the value
in force, who proposed and who agreed it and when, and the agree, withdraw and propose
controls, each offered only to whom the rules in planning.agreements allow."""
from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import streamlit as st

from dashboard.ui.context import notice, show_notice, shown_refusals
from dashboard.ui.format import count, format_money, ratio, share, table
from planning import access, agreements
from planning.agreements import Key, Proposal, Standing
from planning.kpi_values import fiscal_months
from planning.kpis import KPI, KPI_NAMES
from planning.people import Person
from planning.tandem import Tandem

EXPLAINED = ("Both departments are measured on these, so both set them: a head (or a planner,"
             " for their department) proposes, the other department's head agrees, and only then"
             " is the value in force; until then the proposal waits beside it. A change to a"
             " value in force is a new proposal. An executive's values, and targets the"
             " administrator imports, are in force at once: the firm's decision.")


def value_text(key: Key, value: Decimal | None, currency: str) -> str:
    """A target or SLA term as people read it: by the KPI's unit, the window in hours."""
    if value is None:
        return ""
    if key.topic == "sla":
        return f"{agreements.plain(value)} hours"
    unit = KPI[key.name].unit
    if unit == "money":
        return format_money(Decimal(value), currency, cents=key.name == "cac")
    if unit == "count":
        return count(value)
    return ratio(value) if key.name == "roi" else share(value)


def _proposer(p: Proposal | None) -> str:
    if p is None:
        return ""
    return (f"{p.proposed_by} ({agreements.department_label(p.department)}),"
            f" {p.proposed_at:%Y-%m-%d %H:%M}")


def _waiting(p: Proposal | None) -> str:
    if p is None:
        return ""
    agreed = "".join(f"; agreed by {who} ({d})" for d, who, _at in p.agreed)
    return f"the {agreements.heads(p.waiting_for)}{agreed}"


def _rows(found: Sequence[Standing], currency: str) -> list[dict]:
    return [{"KPI": KPI[s.key.name].label if s.key.topic == "target" else s.key.label,
             "Period": s.key.period, "In force": value_text(s.key, s.in_force, currency),
             "How it came into force": s.describe() if s.in_force is not None else "",
             "Proposed": value_text(s.key, s.proposal and s.proposal.value, currency),
             "Proposed by": _proposer(s.proposal), "Waiting for": _waiting(s.proposal),
             "Basis": (s.proposal.basis if s.proposal else s.record and s.record.basis) or ""}
            for s in found]


def decide_controls(t: Tandem, person: Person | None, proposals: Sequence[Proposal],
                    currency: str, key: str) -> None:
    """Agree to (or, for an executive, put in force) and withdraw the waiting proposals this
    person may: a pick of them and one button each."""
    labels = {p.key.label: p for p in proposals}

    def shown(label: str) -> str:
        p = labels[label]
        return f"{label}: {value_text(p.key, p.value, currency)}"

    mine = [p.key.label for p in proposals if agreements.agree_refusal(person, p) is None]
    if mine:
        decides = person.role in agreements.DECIDERS
        picked = st.multiselect("Proposals to put in force without agreement" if decides else
                                "Proposals to agree to", mine, default=mine,
                                key=f"{key}_agree_pick", format_func=shown)
        if st.button("Put in force without agreement" if decides else "Agree",
                     type="primary", key=f"{key}_agree", disabled=not picked,
                     icon=":material/handshake:"):
            with shown_refusals():
                chosen = [labels[label] for label in picked]
                done = agreements.agree(t.store, person, [p.key for p in chosen],
                                        seen={p.key: p.value for p in chosen})
                notice("Agreed: " + done.message("value") + ".")
    theirs = [p.key.label for p in proposals if agreements.withdraw_refusal(person, p) is None]
    if theirs:
        picked = st.multiselect("Proposals to withdraw", theirs, key=f"{key}_withdraw_pick",
                                format_func=shown)
        if st.button("Withdraw", key=f"{key}_withdraw", disabled=not picked,
                     icon=":material/undo:"):
            with shown_refusals():
                gone = agreements.withdraw(t.store, person, [labels[label].key
                                                             for label in picked])
                notice(f"Withdrew {gone} proposal(s); the values in force stay as they are.")


def targets_agreement_section(t: Tandem, year: int, person: Person | None,
                              currency: str) -> None:
    """The year's targets in force and proposed, and the controls for the right people."""
    found = agreements.targets_standing(t.store, year)
    show_notice()  # what the last action here did (unless the page showed it already)
    st.caption(EXPLAINED)
    if found:
        table(st, _rows(found, currency), key="agreement_targets", kinds={},
              widths={"How it came into force": "large", "Basis": "medium"})
    else:
        st.caption(f"No target is set for FY{year} yet.")
    decide_controls(t, person, [s.proposal for s in found if s.proposal is not None], currency,
                    "targets")
    if person is not None and access.allowed(person, "propose_target"):
        _propose_target(t, year, person)


def _propose_target(t: Tandem, year: int, person: Person) -> None:
    decides = person.role in agreements.DECIDERS
    periods = [str(year), *(f"{year}-Q{n}" for n in range(1, 5)),
               *(f"{m:%Y-%m}" for m in fiscal_months(t.store, year))]
    with st.form("propose_target_form", clear_on_submit=True, border=True):
        st.markdown("**Set a target** (in force at once: your decision)" if decides else
                    "**Propose a target** (in force once the other head agrees)")
        cells = st.columns([2, 1, 1])
        kpi = cells[0].selectbox("KPI", KPI_NAMES, key="propose_kpi",
                                 format_func=lambda k: KPI[k].label)
        period = cells[1].selectbox("Period", periods, key="propose_period")
        value = cells[2].text_input("Target", key="propose_value", placeholder="25% or 1250000")
        basis = st.text_input("Why (shown beside it)", key="propose_basis", max_chars=500)
        if st.form_submit_button("Set in force" if decides else "Propose"):
            with shown_refusals():
                done = agreements.propose_target(t.store, person, year, kpi, period, value,
                                                 basis or None)
                notice(done.message() + ".")


def sla_terms_section(t: Tandem, year: int, person: Person | None, currency: str) -> None:
    """The service-level agreement's terms: the first-touch window, and marketing's monthly MQL
    commitment (the monthly `mqls` targets), each in force and proposed."""
    show_notice()  # what the last action here did (unless the page showed it already)
    st.caption(EXPLAINED)
    terms = agreements.sla_standing(t.store)
    for s in terms:
        cells = st.columns([1, 3])
        cells[0].metric(s.key.label.replace(" (hours)", ""), value_text(s.key, s.in_force,
                                                                         currency), border=True)
        cells[1].caption(f"In force: {s.describe()}.")
        if s.proposal is not None:
            p = s.proposal
            cells[1].info(f"Proposed: **{value_text(p.key, p.value, currency)}** by"
                          f" {_proposer(p)}; waiting for {_waiting(p)}.",
                          icon=":material/pending:")
    mqls = [s for s in agreements.targets_standing(t.store, year)
            if s.key.name == "mqls" and len(s.key.period) == 7]
    st.markdown("**Marketing's monthly MQL commitment** (the monthly MQL targets)")
    if mqls:
        table(st, _rows(mqls, currency), key="agreement_mqls", kinds={},
              widths={"How it came into force": "large", "Basis": "medium"})
    else:
        st.caption(f"No monthly MQL target is set or proposed for FY{year}: write them from the"
                   " funnel worked backwards below, or propose them on the KPI page.")
    waiting = [s.proposal for s in (*terms, *mqls) if s.proposal is not None]
    decide_controls(t, person, waiting, currency, "sla")
    if person is not None and access.allowed(person, "propose_sla"):
        _propose_window(t, person, terms[0])


def _propose_window(t: Tandem, person: Person, window: Standing) -> None:
    decides = person.role in agreements.DECIDERS
    low, high = agreements.SLA_TERMS[window.key.name][1:]
    with st.form("propose_window_form", border=True):
        hours = st.number_input("First-touch window (hours)", min_value=low, max_value=high,
                                step=1, value=int(window.in_force or 24), key="propose_hours")
        if st.form_submit_button("Set the window" if decides else "Propose the window"):
            with shown_refusals():
                done = agreements.propose_sla(t.store, person, int(hours))
                notice(done.message("SLA term") + ".")
