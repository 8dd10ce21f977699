"""The Alignment page: a head answers the survey, a viewer sees no form, and no one's answers
show to anyone else (a group with fewer than 3 complete respondents shows no mean)."""
from __future__ import annotations

import json

from planning.alignment import current_quarter, results
from planning.evidence import evidence
from tests.app.conftest import metric, open_page, signed_in, table

SUM = "SELECT sum(score) FROM survey_answers WHERE period = ?"


def _store(store_file):
    from dashboard.ui.context import open_tandem

    return open_tandem(str(store_file)).store


def _insert(store, respondent: str, department: str, score: int) -> None:
    """A complete answer as an imported survey holds it (all 20 statements rated `score`)."""
    period = current_quarter(store)
    store.write(lambda cur: cur.executemany(
        "INSERT INTO survey_answers (respondent, department, period, item, score)"
        " VALUES (?, ?, ?, ?, ?)", [[respondent, department, period, i, score]
                                    for i in range(1, 21)]))


def _this_quarter(at):
    """The current quarter (the page opens on the latest with a score for both sides)."""
    at.selectbox(key="alignment_period").set_value(current_quarter(_store_of(at))).run()
    assert not at.exception, at.exception
    return at


def _store_of(_at):
    from dashboard.ui.context import open_tandem, store_path

    return open_tandem(store_path(None)).store


def _answer(at, scores: dict[int, int]):
    for item, score in scores.items():
        at.radio(key=f"survey_item_{item}").set_value(score)
    at.button(key="survey_save").click().run()
    assert not at.exception, at.exception
    return at


def _texts(at) -> str:
    """Every text the page itself shows (the sidebar aside): titles, tiles, notes, tables and
    the charts' data."""
    page = at.main
    parts = [e.value for kind in ("title", "subheader", "markdown", "caption", "info", "success",
                                  "warning", "error") for e in getattr(page, kind)]
    parts += [f"{m.label} {m.value} {m.proto.delta}" for m in page.metric]
    parts += [d.value.to_csv() for d in page.dataframe]
    parts += [json.dumps([r for r in _chart_rows(c) if "group" in r], default=str)
              for c in at.get("vega_lite_chart")]
    return "\n".join(parts)


# The shared rewards, below the survey on the same page, draw two charts of their own.
REWARDS_CHARTS = {"What each KPI adds to the factor", "The payout curve, and where each KPI stands"}


def _survey_charts(at) -> list:
    """The survey's charts: every chart of the page but the shared rewards' two."""
    def title(chart) -> str:
        found = json.loads(chart.proto.spec).get("title")
        return found.get("text") if isinstance(found, dict) else found

    return [c for c in at.get("vega_lite_chart") if title(c) not in REWARDS_CHARTS]


def _chart_rows(chart) -> list[dict]:
    """The rows a chart draws (Streamlit sends its datasets as Arrow)."""
    import pyarrow as pa

    return [row for d in chart.proto.datasets
            for row in pa.ipc.open_stream(d.data.data).read_pandas().to_dict("records")]


def test_a_head_answers_for_the_quarter(store_file):
    store = _store(store_file)
    period = current_quarter(store)
    at = _this_quarter(open_page(signed_in("Sofia Sales"), "alignment.py"))
    assert at.title[0].value == "Alignment"
    assert at.selectbox(key="alignment_period").value == period
    _answer(at, {i: 4 if i <= 10 else 2 for i in range(1, 21)})
    assert f"Saved your answers for {period}" in at.success[0].value
    assert store.query("SELECT DISTINCT respondent, department FROM survey_answers"
                       " WHERE period = ?", [period]) == [("Sofia Sales", "sales")]
    assert store.scalar(SUM, [period]) == 60
    # Her own form holds her answers (and only she sees them); one answer shows no mean.
    assert at.radio(key="survey_item_1").value == 4 and at.radio(key="survey_item_20").value == 2
    assert metric(at, "Sales") == "n/a"
    assert "Fewer than 3 complete answers from sales" in at.info[0].value
    # She changes them until the quarter ends.
    _answer(at, {1: 5})
    assert store.scalar(SUM, [period]) == 61


def test_a_viewer_reads_the_page_and_answers_nothing(store_file):
    at = open_page(signed_in("Vic Viewer"), "alignment.py")
    assert not [r for r in at.radio if str(r.key).startswith("survey_item_")]
    assert any("The department heads, planners and executives answer the survey." in c.value
               for c in at.caption)
    found = evidence(_store(store_file), at.selectbox(key="alignment_period").value)
    assert metric(at, "The data says") == found.stage.capitalize()
    indicators = table(at, "Indicator", "Points to")
    assert list(indicators.value["Indicator"]) == [i.label for i in found.indicators]


def test_two_answers_show_no_mean_and_no_one_sees_anothers(store_file):
    """Sofia answers (all 5s: a score of 100) and one more sales respondent (all 3s): with two,
    the sales mean (80) is withheld, and with it both together's; marketing's three show."""
    store = _store(store_file)
    _answer(_this_quarter(open_page(signed_in("Sofia Sales"), "alignment.py")),
            dict.fromkeys(range(1, 21), 5))
    _insert(store, "S-2", "sales", 3)
    for code, score in (("M-1", 2), ("M-2", 3), ("M-3", 4)):
        _insert(store, code, "marketing", score)
    at = _this_quarter(open_page(signed_in("Marco Marketing"), "alignment.py"))
    survey = results(store, current_quarter(store))
    assert survey.groups["sales"].respondents == 2 and survey.groups["sales"].withheld
    assert metric(at, "Sales") == "n/a"
    assert metric(at, "Both together") == "n/a"
    assert metric(at, "Marketing") == "60.0 / 100"
    assert "Fewer than 3 complete answers from sales" in at.info[0].value
    # Marco's form is his own, empty: nothing of Sofia's answers is in it.
    assert {at.radio(key=f"survey_item_{i}").value for i in range(1, 21)} == {None}
    shown = _texts(at)
    assert "Sofia" not in shown  # no respondent is named
    for secret in ("80.0 / 100", "100.0 / 100", '"score": 80', '"score": 100', "5.00"):
        assert secret not in shown, secret
    # The quarter's only point in the trend is marketing's; no gap chart without a sales mean.
    charts = _survey_charts(at)
    assert len(charts) == 1
    rows = [row for row in _chart_rows(charts[0]) if row.get("quarter") == survey.period]
    assert {(row["group"], row["score"]) for row in rows} == {("Marketing", 60.0)}


def test_the_charts_are_valid_titled_vega_lite(store_file):
    """Three answers a side: the gap chart holds every statement, the largest gap first."""
    import altair as alt

    store = _store(store_file)
    for code, score in (("S-1", 4), ("S-2", 4), ("S-3", 5)):
        _insert(store, code, "sales", score)
    for code, score in (("M-1", 2), ("M-2", 3), ("M-3", 4)):
        _insert(store, code, "marketing", score)
    at = open_page(signed_in("Erin Executive"), "alignment.py")
    assert metric(at, "Both together") == "73.3 / 100"  # (80 + 80 + 100 + 40 + 60 + 80) / 6
    schema = alt.vegalite.v6.schema.core.load_schema()
    for chart in at.get("vega_lite_chart"):  # the shared rewards' charts too
        spec = json.loads(chart.proto.spec)
        alt.utils.schemapi.validate_jsonschema(spec, schema)
        assert spec.get("title")
    charts = _survey_charts(at)
    assert len(charts) == 2
    for chart in charts:
        spec = json.loads(chart.proto.spec)
        alt.utils.schemapi.validate_jsonschema(spec, schema)
        assert spec.get("title")
    gaps = [row for row in _chart_rows(charts[0]) if "gap" in row]
    assert len(gaps) == 20 and {round(row["gap"], 2) for row in gaps} == {1.33}
    assert gaps[0]["statement"] == "1. " + "Our sales results land close to the forecast we agreed."


def test_the_page_opens_on_the_latest_quarter_both_sides_have_a_score_in(store_file):
    store = _store(store_file)
    now = current_quarter(store)
    assert results(store, now).groups["all"].score is None  # the demo's answers end earlier
    at = open_page(signed_in("Sofia Sales"), "alignment.py")
    shown = at.selectbox(key="alignment_period").value
    assert shown < now and results(store, shown).groups["all"].score is not None
    assert any(f"{now}, the current quarter, has no score for both sides yet: showing {shown}"
               in c.value for c in at.caption)
    assert metric(at, "Sales") != "n/a"
