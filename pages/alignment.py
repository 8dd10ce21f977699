"""Alignment: where do the two departments stand with each other? The survey, and the evidence."""
from __future__ import annotations

import streamlit as st

from dashboard.ui.context import actor, fiscal_year, show_notice, tandem
from dashboard.ui.evidence import evidence_section
from dashboard.ui.pack import pack_section
from dashboard.ui.rewards import rewards_section
from dashboard.ui.survey import quarter_picker, survey_charts, survey_form, survey_tiles
from planning.alignment import results

t = tandem()
person = actor()
st.title("Alignment")
period = quarter_picker(t)
st.caption("How sales and marketing rate their relationship (the relationship survey, means per"
           " department only), and what the plan, the review and the hand-off show of it.")
show_notice()

# -- the survey: each side's score and stage, where they disagree, the trend -------------------
survey = results(t.store, period)
survey_tiles(survey)
survey_charts(t, survey)

# -- the evidence beside it ------------------------------------------------------------------
evidence_section(t, period, survey)

# -- my own answers ------------------------------------------------------------------------------
survey_form(t, person, period)

# -- what both are paid on, and the pack for the heads' weekly meeting ----------------------
rewards_section(t, person, fiscal_year())
pack_section(t, person, fiscal_year())
