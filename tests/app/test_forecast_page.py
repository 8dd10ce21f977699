"""Where we land: the tiles and tables are the domain's estimate; a head forecasts an open month."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from planning.forecast import estimate, forecasts
from planning.money import format_money
from tests.app.conftest import assert_numeric, metric, open_page, signed_in, table, unfold


def _store(store_file):
    from dashboard.ui.context import open_tandem

    return open_tandem(str(store_file)).store


def test_the_executive_sees_where_the_year_lands(store_file):
    at = open_page(signed_in("Erin Executive"), "forecast.py")
    found = estimate(_store(store_file), 2026)
    assert at.title[0].value == "Where we land · FY2026"
    assert found.as_of == date(2026, 10, 1)  # the demo's actuals run to October
    assert metric(at, "Latest estimate") == format_money(found.total.latest_estimate, "USD",
                                                         cents=False)
    assert metric(at, "Headroom") == format_money(found.headroom, "USD", cents=False)
    owners = table(at, "Owner", "Latest estimate", "Variance")
    assert_numeric(owners, "Plan", "Actual to date", "Remaining", "Latest estimate", "Variance")
    assert list(owners.value["Owner"]) == ["Sales", "Marketing", "Joint", "All"]
    assert owners.value["Latest estimate"].iloc[-1] == float(found.total.latest_estimate)
    assert len(at.get("vega_lite_chart")) == 2
    # An executive reads the estimate; forecasting is the heads' and planners' job.
    assert not at.data_editor


def test_an_earlier_as_of_month_changes_the_estimate(store_file):
    at = open_page(signed_in("Erin Executive"), "forecast.py")
    at.select_slider(key="forecast_as_of").set_value(date(2026, 6, 1)).run()
    found = estimate(_store(store_file), 2026, date(2026, 6, 1))
    assert metric(at, "Latest estimate") == format_money(found.total.latest_estimate, "USD",
                                                         cents=False)
    assert "actuals to Jun 2026" in at.caption[0].value


def test_a_head_forecasts_an_open_month_of_their_side(store_file):
    at = open_page(signed_in("Sofia Sales"), "forecast.py")
    assert at.segmented_control(key="forecast_owner").options == ["Sales", "Joint"]
    frame = at.data_editor[0].value
    assert set(frame["Month"].dt.month) == {11, 12}  # only open months
    before = estimate(_store(store_file), 2026).total.latest_estimate
    known = set(forecasts(_store(store_file), 2026))  # the demo's own forecasts
    first = frame["Forecast"].iloc[0]
    at.session_state["forecast_edit_sales"] = {
        "edited_rows": {0: {"Forecast": first + 1000.5}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert metric(at, "Lines changed") == "1"
    at.button(key="forecast_save").click().run()
    assert not at.exception
    assert "Saved the forecast of 1 line(s)" in at.success[0].value
    saved = set(forecasts(_store(store_file), 2026)) - known
    assert len(saved) == 1 and next(iter(saved)).owner == "sales"
    after = estimate(_store(store_file), 2026).total.latest_estimate
    assert after - before == Decimal("1000.50")


def _button(at, label: str):
    return next(b for b in at.button if b.label == label)


def test_a_head_explains_a_variance_and_the_other_accepts_it(store_file):
    from planning.variance import variances

    found = variances(_store(store_file), 2026)
    owed = found.needing("to explain") + found.needing("questioned")
    assert found.needing("to explain"), "the demo firm has variances to explain"
    accepted = len(found.needing("accepted"))
    at = open_page(signed_in("Sofia Sales"), "forecast.py")
    assert metric(at, "To explain") == f"{len(found.needing('to explain')):,}"
    sales = [g for g in owed if g.owner in ("sales", "joint")]
    box = at.selectbox(key="explain_group")
    assert len(box.options) == len(sales)  # only her side's (and joint) groups
    box.set_value(sales[0])
    at.selectbox(key="explain_category").set_value("timing")
    at.text_area(key="explain_text").input("Invoices for Q4 events arrived in October")
    _button(at, "Explain").click().run()
    assert not at.exception
    assert "Explained the variance" in at.success[0].value
    assert metric(at, "Awaiting acceptance") == "1"

    at = open_page(signed_in("Marco Marketing"), "forecast.py")
    assert at.selectbox(key="decide_group").value.explanation.explained_by == "Sofia Sales"
    _button(at, "Accept").click().run()
    assert not at.exception
    assert "Accepted the explanation" in at.success[0].value
    assert metric(at, "Accepted") == f"{accepted + 1:,}"


def test_a_viewer_reads_the_variances_but_is_offered_no_form(store_file):
    at = open_page(signed_in("Vic Viewer"), "forecast.py")
    assert table(at, "Group", "Variance", "State") is not None
    assert not [b for b in at.button if b.label in ("Explain", "Accept", "Question")]


def test_both_heads_release_the_freed_money(store_file):
    from planning.freed import freed

    state = freed(_store(store_file), 2026)
    assert state.total_to_release > 0 and state.to_release["joint"] > 0
    at = open_page(signed_in("Erin Executive"), "forecast.py")
    assert not [b for b in at.button if b.key == "freed_release"]  # joint money: heads first
    at = open_page(signed_in("Sofia Sales"), "forecast.py")
    at.button(key="freed_release").click().run()
    assert "Approved; the release waits for the other head." in at.success[0].value
    at = open_page(signed_in("Marco Marketing"), "forecast.py")
    at.button(key="freed_release").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("Released $")
    after = freed(_store(store_file), 2026)
    assert after.released_now and after.total_released == state.total_to_release


def test_the_review_page_says_who_owes_an_explanation(store_file):
    from planning.variance import variances

    owed = len(variances(_store(store_file), 2026).needing("to explain"))
    at = open_page(signed_in("Marco Marketing"), "review.py")
    assert any(w.value.startswith(f"Variances to Oct 2026: {owed:,} to explain")
               for w in at.warning)


def test_a_head_scales_the_forecast_of_a_filter(store_file):
    from planning.forecast import open_lines

    store = _store(store_file)
    before = sum(ln.line.amount for ln in open_lines(store, 2026, ["sales"]))
    at = unfold(open_page(signed_in("Sofia Sales"), "forecast.py"), "forecast_ops_box")
    at.number_input(key="forecast_scale_pct").set_value(10.0)
    _button(at, "Scale").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("Scaled the forecast of")
    after = sum(ln.line.amount for ln in open_lines(store, 2026, ["sales"]))
    assert after == (before * Decimal("1.1")).quantize(Decimal("0.01"))
