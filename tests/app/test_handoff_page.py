"""Hand-off: the page's tiles and tables are planning.sla's figures, for a head and an executive;
an empty year says what to do."""
from __future__ import annotations

from datetime import datetime, timedelta

from planning.sla import latest_mql, now, sla
from planning.tandem import Tandem
from tests.app.conftest import assert_numeric, metric, open_page, signed_in, table
from tests.test_sla import LEADS, TARGETS, add_leads


def _store(store_file):
    from dashboard.ui.context import open_tandem

    return open_tandem(str(store_file)).store


def _with_leads(store_file):
    """The demo firm with the hand-worked leads of tests/test_sla.py (their MQL targets too)."""
    store = _store(store_file)
    store.write(lambda cur: cur.execute("DELETE FROM leads"))
    store.write(lambda cur: cur.execute(
        "DELETE FROM targets WHERE kpi = 'mqls' AND fiscal_year = 2026 AND period <> '2026'"))
    assert Tandem(store).import_csv("targets", TARGETS.encode(), file_name="targets.csv").ok
    add_leads(store, LEADS)
    return store


def as_of_today(at):
    """These leads end in the spring: the page opens on their last day; judge them now."""
    at.date_input(key="sla_as_of").set_value(now().date()).run()
    assert not at.exception
    return at


def test_the_page_opens_on_the_last_day_of_leads_that_end_over_a_week_ago(store_file):
    at = open_page(signed_in("Sofia Sales"), "handoff.py")
    latest = latest_mql(_store(store_file), 2026)  # the demo's leads end with October
    assert now() - latest > timedelta(days=7)
    assert at.date_input(key="sla_as_of").value == latest.date()
    assert "(the leads imported end there: choose today to judge them as of now)" in (
        at.caption[0].value)
    found = sla(_store(store_file), 2026, datetime.combine(latest.date() + timedelta(days=1),
                                                           datetime.min.time()))
    assert metric(at, "Breaches") == f"{found.year.breaches:,}"


def test_a_head_sees_both_sides_on_one_screen(store_file):
    store = _with_leads(store_file)
    at = as_of_today(open_page(signed_in("Marco Marketing"), "handoff.py"))
    found = sla(store, 2026)  # every MQL of these leads is due by now
    assert at.title[0].value == "Hand-off · FY2026"
    assert "first-touch window **24 h** (the store's default" in at.caption[0].value
    assert metric(at, "MQLs to date") == f"{found.to_date.mqls:,}"
    assert metric(at, "Breaches") == "6"  # the five of March 10th, and L09 due since
    assert metric(at, "Touched in time") == "45.5%"  # 5 of 11
    assert metric(at, "First touch, p95") == "28.20 h"
    assert "Sales touched **45%** of the 11 MQLs due so far in time" in at.markdown[0].value
    months = table(at, "Month", "MQLs", "Target", "Status", "In-time rate")
    assert_numeric(months, "MQLs", "Target", "Attainment", "In time", "Breaches",
                   "In-time rate", "Median h", "p95 h", "Acceptance rate")
    assert list(months.value["MQLs"]) == [5, 3, 3, 0]
    assert list(months.value["Status"]) == ["on track", "off track", "off track", "off track"]
    assert list(months.value["Median h"])[:3] == [13.0, 17.0, 0.1]
    reps = table(at, "Rep", "Breaches", "Median h")
    # Most breaches first: Cy and Ben two each, Cy with none in time.
    assert list(reps.value["Rep"]) == ["Cy", "Ben", "Ana"]
    assert any("Most breaches: **Cy**, 2 of 2 MQLs" in m.value for m in at.markdown)
    overdue = table(at, "Lead", "Hours overdue")
    assert list(overdue.value["Lead"]) == ["L05", "L08", "L10", "L09"]
    assert list(overdue.value["Rep"])[0] == "(routed to no rep)"
    places = table(at, "Channel", "Region", "Cost per MQL")
    assert_numeric(places, "Spend", "Cost per MQL", "Cost per accepted SQL")
    # The page's three charts, then the funnel worked backwards from revenue (a section of its
    # own below the hand-off), then the SLA's terms both heads agree on.
    assert len(at.get("vega_lite_chart")) == 4
    assert [s.value for s in at.subheader[-2:]] == ["The funnel worked backwards from revenue",
                                                   "The SLA's terms, and who agreed them"]


def test_an_executive_sees_the_same_figures(store_file):
    import pandas as pd

    store = _with_leads(store_file)
    at = as_of_today(open_page(signed_in("Erin Executive"), "handoff.py"))
    found = sla(store, 2026)
    assert metric(at, "Breaches") == f"{found.year.breaches:,}"
    places = table(at, "Channel", "Region", "Cost per MQL")
    by_place = {(p.channel, p.region): p for p in found.places}
    assert len(places.value) == len(by_place)
    for _i, row in places.value.iterrows():
        place = by_place[(row["Channel"], row["Region"])]
        assert row["MQLs"] == place.mqls
        for column, money in (("Spend", place.spend), ("Cost per MQL", place.cost_per_mql),
                              ("Cost per accepted SQL", place.cost_per_accepted)):
            assert pd.isna(row[column]) if money is None else row[column] == float(money)
    # The hand-worked leads' channel and region, beside the demo firm's spend there.
    search = places.value[(places.value["Channel"] == "Paid search")
                          & (places.value["Region"] == "EMEA")].iloc[0]
    assert search["MQLs"] == 4 and search["Accepted"] == 2


def test_an_empty_year_says_what_to_do(store_file):
    store = _store(store_file)
    store.write(lambda cur: cur.execute("DELETE FROM leads"))
    store.write(lambda cur: cur.execute("DELETE FROM targets WHERE kpi = 'mqls'"))
    at = open_page(signed_in("Sofia Sales"), "handoff.py")
    assert "No MQL in FY2026 yet" in at.info[0].value
    assert "tandem import leads FILE" in at.info[0].value
    assert not at.dataframe


def test_every_chart_is_valid_titled_and_labelled(store_file):
    import json

    import altair as alt

    _with_leads(store_file)
    at = open_page(signed_in("Sofia Sales"), "handoff.py")
    schema = alt.vegalite.v6.schema.core.load_schema()
    titles = []
    for chart in at.get("vega_lite_chart")[:3]:  # the fourth is the funnel section's
        spec = json.loads(chart.proto.spec)
        alt.utils.schemapi.validate_jsonschema(spec, schema)
        titles.append(spec["title"]["text"])
        layers = spec.get("layer", [spec])
        for layer in layers:
            encoding = layer["encoding"]
            assert encoding["x"]["title"] == "Month"
            assert encoding["y"]["title"]
    assert titles == ["Marketing: MQLs delivered against the target",
                      "Sales: MQLs touched within the window", "Hours from MQL to first touch"]


def test_an_earlier_day_judges_the_deadlines_at_its_end(store_file):
    from datetime import date, datetime

    store = _with_leads(store_file)
    at = open_page(signed_in("Sofia Sales"), "handoff.py")
    at.date_input(key="sla_as_of").set_value(date(2026, 3, 9)).run()
    assert not at.exception
    found = sla(store, 2026, datetime(2026, 3, 10))  # the end of 9 March
    assert "As of 2026-03-10 00:00 UTC" in at.caption[0].value
    # L08's deadline passed long before; L09 and L10 (MQLs of 9 March) are not due yet.
    assert found.year.pending == 2
    assert metric(at, "Breaches") == f"{found.year.breaches:,}" == "4"  # L03, L05, L07, L08
    months = table(at, "Month", "MQLs", "Pending")
    assert list(months.value["Pending"]) == [0, 0, 2, 0]
    assert list(months.value["Status"])[2:] == ["on track (so far)", "not begun"]
