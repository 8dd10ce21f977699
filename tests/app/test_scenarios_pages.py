"""The Scenarios and Compare pages: clone, scale and shift through the forms, then compare."""
from __future__ import annotations

from decimal import Decimal

from tests.app.conftest import open_page
from tests.conftest import sign_off_everything


def _tandem(store_file):
    from dashboard.ui.context import open_tandem

    return open_tandem(str(store_file))


def test_clone_then_scale_marketing(app, store_file):
    at = open_page(app, "scenarios.py")
    at.text_input(key="clone_name").set_value("stretch")
    at.button(key="FormSubmitter:clone_form-Clone baseline").click().run()
    assert not at.exception
    assert "Clone** stretch: 3,264 line(s)" in at.success[0].value
    assert at.selectbox(key="working").options == ["baseline (adopted)", "stretch"]
    at.selectbox(key="working").set_value("stretch").run()
    at.multiselect(key="scale_owner").set_value(["marketing"])
    at.number_input(key="scale_percent").set_value(10.0)
    at.button(key="FormSubmitter:scale_form-Scale").click().run()
    assert not at.exception, at.exception
    t = _tandem(store_file)
    stretch = {s.name: s for s in t.scenarios(2026)}["stretch"]
    assert stretch.by_owner["marketing"] == Decimal("2588623.40")  # 2,353,294.00 × 1.1
    assert stretch.by_owner["sales"] == Decimal("2523817.00")
    assert "change $235,329.40" in at.success[0].value


def test_shift_keeps_the_total_and_compare_shows_it(app, store_file):
    t = _tandem(store_file)
    t.scenario_ops.clone(2026, "baseline", "search", "test")
    at = open_page(app, "scenarios.py")
    at.selectbox(key="working").set_value("search").run()
    at.text_input(key="shift_amount").set_value("50000.00")
    at.multiselect(key="shift_from_channel").set_value(["Trade shows"])
    at.multiselect(key="shift_to_channel").set_value(["Paid search"])
    at.button(key="FormSubmitter:shift_form-Shift").click().run()
    assert not at.exception, at.exception
    assert "change $0.00" in at.success[0].value
    at = open_page(at, "compare.py")
    assert at.multiselect(key="compare_names").value == ["baseline", "search"]
    table = at.dataframe[0].value
    spend = table[table["Measure"] == "Spend"].iloc[0]
    assert spend["Δ search vs baseline"] == "$0 (0.0%)"
    leads = table[table["Measure"] == "Leads"].iloc[0]
    assert leads["Δ search vs baseline"].startswith("+")


def test_locked_scenario_offers_no_changes(app, store_file):
    t = _tandem(store_file)
    t.scenario_ops.clone(2026, "baseline", "final", "test")
    sign_off_everything(t.store, 2026, "final")
    t.scenario_ops.lock(2026, "final", "test")
    at = open_page(app, "scenarios.py")
    at.selectbox(key="working").set_value("final").run()
    assert any("final is locked" in i.value for i in at.info)
    assert not [b for b in at.button if getattr(b, "key", "") == "FormSubmitter:scale_form-Scale"]


def test_compare_needs_two_scenarios(app):
    at = open_page(app, "compare.py")
    assert "needs two scenarios" in at.info[0].value
