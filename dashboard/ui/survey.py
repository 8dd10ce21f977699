"""The relationship survey on the Alignment page: the quarter's results (means per group only,
never one person's answers) and the signed-in person's own form."""
from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.ui.charts import OWNER_COLOURS, kept
from dashboard.ui.context import fiscal_year, notice, shown_refusals
from dashboard.ui.format import count
from planning import access
from planning.alignment import (
    MIN_RESPONDENTS,
    STAGE_FLOORS,
    STATEMENTS,
    Survey,
    answer,
    current_quarter,
    own_answers,
    periods,
    results,
    trend,
)
from planning.people import Person
from planning.tandem import Tandem

GROUP_TITLES = {"sales": "Sales", "marketing": "Marketing", "all": "Both together",
                "neutral": "Neutral"}
GROUP_COLOURS = {"Sales": OWNER_COLOURS["sales"], "Marketing": OWNER_COLOURS["marketing"],
                 "Both together": OWNER_COLOURS["joint"], "Neutral": "#64748b"}
SCALE_WORDS = {1: "1 · strongly disagree", 2: "2", 3: "3", 4: "4", 5: "5 · strongly agree"}


def stage_word(stage: str | None) -> str:
    return stage.capitalize() if stage else "n/a"


def survey_tiles(survey: Survey) -> None:
    """A tile per side and for both together (and the neutral group when it answered)."""
    shown = [g for g in ("sales", "marketing", "all", "neutral")
             if g != "neutral" or survey.groups[g].respondents]
    for column, name in zip(st.columns(len(shown)), shown, strict=True):
        g = survey.groups[name]
        column.metric(
            GROUP_TITLES[name], "n/a" if g.score is None else f"{g.score} / 100",
            delta=("fewer than 3 answers" if g.withheld else
                   stage_word(g.stage) if g.respondents else "no answers yet"),
            delta_color="off", delta_arrow="off", border=True,
            help=f"{count(g.respondents)} complete respondent(s)"
                 + (f", {count(g.incomplete)} incomplete (left out)" if g.incomplete else "")
                 + ". The score is the mean of their sums of the 20 ratings (20 to 100).")
    withheld = [GROUP_TITLES[g.department].lower() for g in survey.withheld
                if g.department != "all"]
    if withheld:
        st.info(f"Fewer than {MIN_RESPONDENTS} complete answers from {' and '.join(withheld)}:"
                " no mean is shown for that group, nor for its statements, so that no one's"
                " answers can be read from it."
                + (" Both together shows none either while one side is held back (with the"
                   " other side's mean it would give that side away)."
                   if survey.groups["all"].withheld and survey.groups["all"].respondents >=
                   MIN_RESPONDENTS else ""), icon=":material/lock:")


@kept
def gap_chart(rows: Sequence[tuple]) -> alt.Chart:
    """Diverging bars: each statement's sales mean minus marketing's, largest gap on top, the
    statement's text above its bar (so it reads whole on a phone too). Rows are (label, gap,
    sales mean, marketing mean)."""
    frame = pd.DataFrame.from_records(
        [(label, float(gap), float(s), float(m)) for label, gap, s, m in rows],
        columns=["statement", "gap", "sales", "marketing"])
    frame["higher"] = ["Sales" if g > 0 else "Marketing" if g < 0 else "Neither"
                       for g in frame["gap"]]
    reach = max(1.0, float(frame["gap"].abs().max()))
    base = alt.Chart(frame)
    y = alt.Y("statement:N", sort=None, title=None, axis=None)
    tooltip = [alt.Tooltip("statement:N", title="Statement"),
               alt.Tooltip("sales:Q", title="Sales mean", format=".2f"),
               alt.Tooltip("marketing:Q", title="Marketing mean", format=".2f"),
               alt.Tooltip("gap:Q", title="Gap", format="+.2f")]
    bars = base.mark_bar(height=12, yOffset=7).encode(
        y=y, x=alt.X("gap:Q", title="Gap in mean rating (sales − marketing)",
                     scale=alt.Scale(domain=[-reach, reach]), axis=alt.Axis(format="+.1f")),
        color=alt.Color("higher:N", title="Rated higher by", legend=alt.Legend(orient="top"),
                        scale=alt.Scale(domain=["Sales", "Marketing", "Neither"],
                                        range=[OWNER_COLOURS["sales"],
                                               OWNER_COLOURS["marketing"], "#94a3b8"])),
        tooltip=tooltip)
    text = base.mark_text(align="left", baseline="middle", dy=-8, fontSize=12,
                          color="#334155").encode(y=y, x=alt.value(0), text="statement:N",
                                                  tooltip=tooltip)
    zero = base.mark_rule(color="#94a3b8").encode(x=alt.datum(0))
    return alt.layer(zero, bars, text, title=alt.Title(
        "Where the two sides disagree most",
        subtitle="Mean rating of sales minus that of marketing, per statement (1 to 5)"),
    ).properties(height=alt.Step(36))


@kept
def trend_chart(rows: Sequence[tuple]) -> alt.Chart:
    """Each group's score by quarter, with the stages' thresholds. Rows: (period, group, score)."""
    frame = pd.DataFrame.from_records([(p, g, float(s)) for p, g, s in rows],
                                      columns=["quarter", "group", "score"])
    present = [g for g in GROUP_COLOURS if g in set(frame["group"])]
    scale = alt.Scale(domain=[20, 100], zero=False)
    lines = alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X("quarter:O", title="Fiscal quarter", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("score:Q", title="Score (20 to 100)", scale=scale),
        color=alt.Color("group:N", title=None, legend=alt.Legend(orient="top"),
                        scale=alt.Scale(domain=present,
                                        range=[GROUP_COLOURS[g] for g in present])),
        tooltip=[alt.Tooltip("quarter:O", title="Quarter"), alt.Tooltip("group:N", title="Group"),
                 alt.Tooltip("score:Q", title="Score", format=".1f")])
    floors = pd.DataFrame([(floor, name) for floor, name in STAGE_FLOORS],
                          columns=["score", "stage"])
    base = alt.Chart(floors)
    rules = base.mark_rule(strokeDash=[4, 4], color="#94a3b8").encode(
        y=alt.Y("score:Q", scale=scale))
    labels = base.mark_text(align="left", dx=4, dy=-6, color="#64748b").encode(
        y=alt.Y("score:Q", scale=scale), x=alt.value(0), text="stage:N")
    return (alt.layer(rules, labels, lines, title=alt.Title(
        "Score by quarter", subtitle="Dashed: where defined, aligned and integrated begin"))
        .properties(height=300))


def survey_charts(t: Tandem, survey: Survey) -> None:
    """The statements' gaps (the whole width: each statement reads whole), then the trend."""
    gaps = survey.gaps()
    if gaps:
        st.vega_lite_chart(spec=gap_chart(tuple(
            (f"{i.item}. {i.statement}", i.gap, i.sales, i.marketing) for i in gaps)),
            width="stretch")
    else:
        st.caption("The statements' gaps show once both sides have at least"
                     f" {MIN_RESPONDENTS} complete answers in the quarter.")
    rows = tuple((s.period, GROUP_TITLES[name], s.groups[name].score)
                 for s in trend(t.store) for name in ("sales", "marketing", "all", "neutral")
                 if s.groups[name].score is not None)
    if rows:
        st.vega_lite_chart(spec=trend_chart(rows), width="stretch")
    else:
        st.caption("The trend by quarter shows once a group has a score.")


def survey_form(t: Tandem, person: Person | None, period: str) -> None:
    """The person's own answers for the current quarter (prefilled with what they gave)."""
    if not access.allowed(person, "answer_survey"):
        st.caption("The department heads, planners and executives answer the survey.")
        return
    now = current_quarter(t.store)
    if period != now:
        st.caption(f"Answers are taken for the current quarter, {now}; pick it above to answer.")
        return
    mine = own_answers(t.store, person, period)
    title = (f"Your answers for {period} (you may change them until the quarter ends)" if mine
             else f"Answer the survey for {period}")
    with st.expander(title, expanded=not mine, icon=":material/edit_note:"), \
            st.form("survey_form", border=False):
        st.caption("How the two departments work today: rate each statement from 1 (strongly"
                   " disagree) to 5 (strongly agree). Only means per department are shown, and"
                   " only with at least three answers: no one else sees yours.")
        for item, statement in enumerate(STATEMENTS, start=1):
            st.radio(f"{item}. {statement}", list(SCALE_WORDS), horizontal=True,
                     format_func=SCALE_WORDS.get, key=f"survey_item_{item}",
                     index=mine[item] - 1 if item in mine else None)
        if st.form_submit_button("Save my answers", type="primary", key="survey_save"):
            ratings = {i: st.session_state.get(f"survey_item_{i}")
                       for i in range(1, len(STATEMENTS) + 1)}
            with shown_refusals():
                answer(t.store, person, period, ratings)
                notice(f"Saved your answers for {period}; you may change them until the"
                       " quarter ends.")


def quarter_picker(t: Tandem) -> str:
    """The fiscal quarter the page shows: the current one by default; any quarter with answers
    or of the fiscal year picked in the sidebar."""
    year = fiscal_year()
    options = set(periods(t.store)) | ({f"{year}-Q{q}" for q in range(1, 5)} if year else set())
    ordered = sorted(options, reverse=True)
    now = current_quarter(t.store)
    # Until both sides have a score this quarter, the page opens on the latest one they do.
    scored = [q for q in ordered if q <= now and results(t.store, q).groups["all"].score
              is not None]
    opening = now if not scored or scored[0] == now else scored[0]
    period = st.selectbox("Fiscal quarter", ordered, index=ordered.index(opening),
                          key="alignment_period",
                          help="Answers are taken for the current quarter until it ends. The"
                               " page opens on the latest quarter both sides have a score in.")
    if period != now and opening != now and period == opening:
        st.caption(f"{now}, the current quarter, has no score for both sides yet: showing"
                   f" {opening}.")
    return period
