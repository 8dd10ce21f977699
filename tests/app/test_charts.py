"""Every chart a page draws is a valid Vega-Lite spec (the app skips the check at draw time)."""
from __future__ import annotations

import json
from datetime import date

import altair as alt
import pytest

from tests.app.conftest import open_page, signed_in

SCHEMA = alt.vegalite.v6.schema.core.load_schema()


@pytest.mark.parametrize("page", ["budget.py", "kpis.py", "compare.py"])
def test_every_chart_of_a_page_is_valid_vega_lite_with_a_title(store_file, page):
    at = open_page(signed_in("Erin Executive"), page)
    charts = at.get("vega_lite_chart")
    if page == "compare.py" and not charts:
        pytest.skip("the demo firm has one scenario: nothing to compare yet")
    assert charts
    for chart in charts:
        spec = json.loads(chart.proto.spec)
        alt.utils.schemapi.validate_jsonschema(spec, SCHEMA)
        title = spec.get("title")
        assert title, spec.keys()


def test_the_funnel_is_linear_and_labels_its_conversions():
    from dashboard.ui import charts

    rows = [("Leads", "marketing", 1000), ("MQLs", "marketing", 250), ("SQLs", "marketing", 0),
            ("Opportunities", "marketing", 0), ("Wins", "marketing", 0),
            ("Leads", "sales", 400), ("MQLs", "sales", 100), ("SQLs", "sales", 50),
            ("Opportunities", "sales", 20), ("Wins", "sales", 5)]
    spec = charts.funnel_by_source.__wrapped__(rows).to_dict()
    alt.utils.schemapi.validate_jsonschema(spec, SCHEMA)
    text = json.dumps(spec)
    assert "symlog" not in text and '"log"' not in text
    data = next(iter(spec["datasets"].values()))
    labels = {(r["stage"], r["owner"]): (r["count"], r["conversion"]) for r in data}
    assert labels[("MQLs", "marketing")] == ("250", "25.0%")
    assert labels[("Wins", "sales")] == ("5", "25.0%")
    assert labels[("Leads", "sales")] == ("400", "")
    assert labels[("Opportunities", "marketing")] == ("0", "")  # nothing before to convert from
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["bar", "text", "text"]
    domain = spec["layer"][0]["encoding"]["y"]["scale"]["domain"]
    assert domain[0] == 0 and domain[1] > 1000  # no negative count, room for the labels


def test_the_phasing_chart_labels_every_month():
    from datetime import date

    from dashboard.ui import charts

    rows = [(date(2026, m, 1), "sales", 100) for m in range(1, 13)]
    spec = charts.monthly_phasing.__wrapped__(rows, "USD").to_dict()
    assert spec["encoding"]["x"]["axis"]["labelOverlap"] is False


def test_long_names_are_not_cut_on_a_breakdown():
    from dashboard.ui import charts

    rows = [("Customer marketing and retention programmes", "marketing", 100),
            ("Field sales", "sales", 50)]
    spec = charts.breakdown.__wrapped__(rows, "Category", "Allocation by category",
                                        "USD").to_dict()
    assert spec["encoding"]["y"]["axis"]["labelLimit"] == 0


def test_a_kept_spec_is_one_per_builder_and_arguments():
    """Two builders with the same name in different modules do not share a kept spec, and the
    same arguments give the same spec, its data as the Arrow bytes Streamlit sends."""
    from dashboard.ui import charts

    def builder():
        def same_name(n: int) -> alt.Chart:
            return alt.Chart(alt.Data(values=[{"n": n}])).mark_bar().encode(x="n:Q")
        return same_name

    here, there = builder(), builder()
    there.__module__ = "elsewhere"
    first, second = charts.kept(here), charts.kept(there)
    assert first(1) is first(1)  # kept
    assert first(1) is not second(1)

    spec = charts.monthly_phasing([(date(2026, 1, 1), "sales", 1)], "USD")
    assert all(isinstance(d, bytes) for d in spec["datasets"].values())
