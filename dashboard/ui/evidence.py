"""The evidence beside the survey on the Alignment page: each indicator with the stage it points
to, and the data's stage beside the survey's, saying where they part."""
from __future__ import annotations

from decimal import Decimal

import streamlit as st

from dashboard.ui.format import share, table
from dashboard.ui.survey import stage_word
from planning.alignment import STAGES, Survey
from planning.evidence import Indicator, Threshold, evidence
from planning.tandem import Tandem


def shown(value: Decimal | None, unit: str) -> str:
    """An indicator's value in its unit: `42.0%`, `3.5 days`, `4`."""
    if value is None:
        return "n/a"
    if unit == "share":
        return share(value)
    if unit == "days":
        return f"{value:,.1f} days"
    return f"{value:,.0f}"


THRESHOLDS_TITLE = " · ".join(s.capitalize() for s in STAGES[1:]) + " from"


def thresholds(t: Threshold) -> str:
    """Where defined, aligned and integrated begin: `≥ 5.0% · ≥ 15.0% · ≥ 30.0%`."""
    sign = "≥" if t.better == "higher" else "≤"
    return " · ".join(f"{sign} {shown(floor, t.unit)}" for floor in t.floors)


def _names(indicators: list[Indicator]) -> str:
    """Labels inside a sentence: `lines returned`, but `KPIs with a shared target`."""
    def word(label: str) -> str:
        first = label.split()[0]
        return label if first[1:] != first[1:].lower() else label[0].lower() + label[1:]

    return ", ".join(word(i.label) for i in indicators)


def verdict(survey_stage: str | None, data_stage: str | None, above: list[Indicator],
            below: list[Indicator]) -> str:
    """One sentence on where perception and evidence meet or part."""
    if data_stage is None:
        return "The store holds nothing for this quarter yet: no plan, review or target."
    if survey_stage is None:
        return ("The survey has no score for both sides together this quarter, so there is"
                f" nothing to hold the data's stage ({data_stage}) against yet.")
    if survey_stage == data_stage:
        said = f"Perception and evidence agree: both say {survey_stage}."
    elif STAGES.index(survey_stage) > STAGES.index(data_stage):
        said = (f"The two sides feel {survey_stage}, but the data says {data_stage}: they"
                " see more alignment than their working together shows.")
    else:
        said = (f"The data says {data_stage}, but the two sides feel {survey_stage}: they work"
                " together better than they feel they do.")
    if below:
        said += f" Below the survey's stage: {_names(below)}."
    if above:
        said += f" Above it: {_names(above)}."
    return said + (" That is the conversation to have." if below or above else "")


def evidence_section(t: Tandem, period: str, survey: Survey) -> None:
    st.subheader("The evidence beside it")
    found = evidence(t.store, period)
    perceived = survey.groups["all"].stage
    left, right = st.columns(2)
    left.metric("The survey says", stage_word(perceived), border=True,
                help="The stage of both departments together, from their answers.")
    right.metric("The data says", stage_word(found.stage), border=True,
                 help="The median of the stages the indicators below point to (with an even"
                      " number of them, the lower middle one).")
    above, below = found.against(perceived)
    st.markdown(verdict(perceived, found.stage, above, below))
    rows = [{"Indicator": i.label, "Value": shown(i.value, i.threshold.unit),
             "Points to": stage_word(i.stage), "Measured on": i.detail,
             THRESHOLDS_TITLE: thresholds(i.threshold)} for i in found.indicators]
    # Values of different units (shares, days, a count) share one column, so it is text.
    table(st, rows, key="alignment_evidence", kinds={})
    st.caption(f"Over {period}: the adopted scenario's lines of its months"
               + (f" ({found.scenario})" if found.scenario else "")
               + ", the variance explanations of its closed months, its MQLs and the targets"
                 " that apply to it.")
