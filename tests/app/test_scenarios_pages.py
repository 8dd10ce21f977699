"""The Scenarios and Compare pages: clone, scale and shift through the forms, then compare."""
from __future__ import annotations

from decimal import Decimal

from planning.money import format_money
from tests.app.conftest import (
    assert_numeric,
    column_formats,
    open_page,
    signed_in,
    table,
    unfold,
)
from tests.conftest import sign_off_everything


def _tandem(store_file):
    from dashboard.ui.context import open_tandem

    return open_tandem(str(store_file))


def test_clone_then_scale_marketing(app, store_file):
    at = open_page(app, "scenarios.py")
    at.text_input(key="clone_name").set_value("stretch")
    at.button(key="FormSubmitter:clone_form-Clone baseline").click().run()
    assert not at.exception
    t = _tandem(store_file)
    made = {s.name: s for s in t.scenarios(2026)}["stretch"]
    # Said in a person's words, and the new scenario is the one being worked on.
    assert at.success[0].value == (f"Cloned 'baseline' as 'stretch': {made.lines:,} lines,"
                                   f" {format_money(made.allocated)}.")
    assert "stretch" in at.selectbox(key="working").options
    statuses = dict(zip(table(at, "Scenario", "Status").value["Scenario"],
                        table(at, "Scenario", "Status").value["Status"], strict=True))
    assert statuses["baseline"] == "Adopted · Open" and statuses["stretch"] == "Open"
    assert at.selectbox(key="working").value == "stretch"
    unfold(at, "scenario_tab", "Scale")
    at.multiselect(key="scale_owner").set_value(["marketing"])
    at.number_input(key="scale_percent").set_value(10.0)
    at.button(key="FormSubmitter:scale_form-Scale").click().run()
    assert not at.exception, at.exception
    stretch = {s.name: s for s in t.scenarios(2026)}["stretch"]
    added = (made.by_owner["marketing"] * Decimal("0.1")).quantize(Decimal("0.01"))
    assert stretch.by_owner["marketing"] == made.by_owner["marketing"] + added  # × 1.1
    assert stretch.by_owner["sales"] == made.by_owner["sales"]
    assert at.success[0].value.startswith("Scaled ")
    assert " of 'stretch' by +10%; its total went from " in at.success[0].value
    assert at.success[0].value.endswith(f" (+{format_money(added)}).")


def test_shift_keeps_the_total_and_compare_shows_it(app, store_file):
    t = _tandem(store_file)
    t.scenario_ops.clone(2026, "baseline", "search", "test")
    at = open_page(app, "scenarios.py")
    at.selectbox(key="working").set_value("search").run()
    unfold(at, "scenario_tab", "Shift")
    at.text_input(key="shift_amount").set_value("50000.00")
    at.multiselect(key="shift_from_channel").set_value(["Trade shows"])
    at.multiselect(key="shift_to_channel").set_value(["Paid search"])
    at.button(key="FormSubmitter:shift_form-Shift").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value.startswith("Moved $50,000.00 in 'search' across ")
    assert "; its total stays $" in at.success[0].value
    at = open_page(at, "compare.py")
    assert at.multiselect(key="compare_names").value[0] == "baseline"  # the adopted plan
    at.multiselect(key="compare_names").set_value(["baseline", "search"]).run()
    projected = table(at, "Scenario", "Spend", "Leads")
    assert_numeric(projected, "Spend", "Leads", "Wins", "CAC", "ROI")
    assert column_formats(projected)["Spend"] == "dollar"
    change = projected.value.set_index("Scenario").loc["Δ search"]
    assert change["Spend"] == 0.0
    assert change["Leads"] > 0
    moved = table(at, "Channel", "Δ search")
    assert_numeric(moved, "baseline", "search", "Δ search", "Δ search %")
    paid = moved.value.set_index("Channel").loc["Paid search"]
    assert paid["Δ search"] == 50000.0


def test_locked_scenario_offers_no_changes(app, store_file):
    t = _tandem(store_file)
    t.scenario_ops.clone(2026, "baseline", "final", "test")
    sign_off_everything(t.store, 2026, "final")
    t.scenario_ops.lock(2026, "final", "test")
    at = open_page(app, "scenarios.py")
    at.selectbox(key="working").set_value("final").run()
    assert any("not offered: final is locked" in c.value for c in at.caption)
    assert not [b for b in at.button if getattr(b, "key", "") == "FormSubmitter:scale_form-Scale"]


def test_compare_needs_two_scenarios(app, store_file):
    t = _tandem(store_file)
    for other in [s.name for s in t.scenarios(2026) if not s.adopted]:
        t.scenario_ops.delete(2026, other, "test")
    at = open_page(app, "compare.py")
    assert "needs two scenarios" in at.info[0].value


def _tab_open(at) -> str:
    """The label of the Scenarios page's open tab, as the app tells the browser."""
    found = []

    def walk(node) -> None:
        for child in getattr(node, "children", {}).values():
            if getattr(child, "type", "") == "tab_container":
                found.append(child)
            walk(child)

    walk(at._tree)
    container = found[0]
    labels = [tab.label for tab in container.children.values()]
    return labels[container.proto.tab_container.default_tab_index]


def test_an_operation_keeps_its_tab_open(app, store_file):
    _tandem(store_file).scenario_ops.clone(2026, "baseline", "stretch", "test")
    at = open_page(app, "scenarios.py")
    at.selectbox(key="working").set_value("stretch").run()
    unfold(at, "scenario_tab", "Scale")  # the person opened the Scale tab
    at.multiselect(key="scale_owner").set_value(["marketing"])
    at.button(key="FormSubmitter:scale_form-Scale").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value.startswith("Scaled ")
    assert at.session_state["scenario_tab"] == "Scale"
    assert _tab_open(at) == "Scale"


def test_the_executive_is_offered_only_what_an_executive_may_do(store_file):
    at = open_page(signed_in("Erin Executive"), "scenarios.py")
    assert [tab.label for tab in at.tabs] == ["Manage", "Funnel assumptions"]
    keys = {b.key for b in at.button}
    assert "lock" not in keys  # locking is the heads' (after every line is signed off)
    assert {"adopt", "delete"} <= keys
    assert not [f for f in at.button if f.key and "scale_form" in f.key]
    assert any("not offered: Erin Executive (executive) may not change budget lines" in c.value
               for c in at.caption)
    unfold(at, "scenario_tab", "Funnel assumptions")
    assert any(c.value.startswith("Overrides: Erin Executive (executive) may not override")
               for c in at.caption)


def test_lock_is_disabled_with_the_reason_until_every_line_is_signed_off(store_file):
    at = open_page(signed_in("Sofia Sales"), "scenarios.py")
    lock = at.button(key="lock")
    assert lock.disabled
    assert "are not signed off yet" in lock.help
    assert at.button(key="delete").disabled  # the adopted plan
    assert "adopted plan" in at.button(key="delete").help
    reasons = next(c.value for c in at.caption if c.value.startswith("Adopt: "))
    assert "Lock: " in reasons and "are not signed off yet" in reasons and "Delete: " in reasons
    assert not at.button(key="adopt").disabled or at.selectbox(key="working").value == "baseline"
    pat = open_page(signed_in("Pat Planner"), "scenarios.py")
    assert "lock" not in {b.key for b in pat.button}  # planners do not lock scenarios


def test_locked_scenario_disables_rename_and_lock_with_the_reason(app, store_file):
    t = _tandem(store_file)
    t.scenario_ops.clone(2026, "baseline", "final", "test")
    sign_off_everything(t.store, 2026, "final")
    t.scenario_ops.lock(2026, "final", "test")
    at = open_page(signed_in("Sofia Sales"), "scenarios.py")
    at.selectbox(key="working").set_value("final").run()
    rename = at.button(key="FormSubmitter:rename_form-Rename final")
    assert rename.disabled and "final is locked" in rename.help
    assert at.text_input(key="rename_name").disabled
    lock = at.button(key="lock")
    assert lock.disabled and lock.help == "final is already locked"
    assert at.button(key="delete").disabled
    assert not at.button(key="FormSubmitter:clone_form-Clone final").disabled  # cloning stays
    assert [tab.label for tab in at.tabs] == ["Manage", "Funnel assumptions"]


def test_a_head_is_offered_only_the_assumptions_of_their_side(store_file):
    from planning.projection import SPEC

    at = unfold(open_page(signed_in("Marco Marketing"), "scenarios.py"), "scenario_tab",
                "Funnel assumptions")
    offered = at.selectbox(key="assumption_pick").options
    assert offered
    owners = {SPEC[name].owner for name in SPEC}
    assert "sales" in owners  # the bottom of the funnel is the sales head's
    for label in offered:
        spec = next(s for s in SPEC.values() if label.startswith(s.label))
        assert spec.owner in ("marketing", "joint"), label


def test_assumptions_are_numbers_rates_apart_from_amounts(app):
    at = unfold(open_page(app, "scenarios.py"), "scenario_tab", "Funnel assumptions")
    rates = [d for d in at.dataframe if column_formats(d).get("Value") == "%.1f%%"]
    amounts = [d for d in at.dataframe if column_formats(d).get("Value") == "dollar"]
    assert rates and amounts
    assert_numeric(rates[0], "Value", "Default")
    assert_numeric(amounts[0], "Value", "Default")


def test_a_planner_edits_a_line_amount_and_description_in_the_table(store_file):
    t = _tandem(store_file)
    t.scenario_ops.clone(2026, "baseline", "edits", "test")
    at = open_page(signed_in("Pat Planner"), "scenarios.py")
    at.selectbox(key="working").set_value("edits").run()
    unfold(at, "scenario_tab", "Edit lines")
    shown = at.data_editor[0].value
    assert len(shown) == 200  # the largest matching lines
    first, second = shown.index[0], shown.index[1]
    at.session_state["edit_lines"] = {
        "edited_rows": {0: {"Amount": float(shown.at[first, "Amount"]) + 100.25},
                        1: {"Description": "Moved to the spring fair"}},
        "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception, at.exception
    assert next(m.value for m in at.metric if m.label == "Lines edited") == "2"
    assert next(m.value for m in at.metric if m.label == "Change") == "$100.25"
    at.button(key="save_edits").click().run()
    assert not at.exception, at.exception
    lines = {ln.id: ln for ln in t.budget(2026, "edits").lines(sort="amount", page_size=200)}
    assert lines[int(first)].amount == Decimal(str(shown.at[first, "Amount"])) + Decimal("100.25")
    assert lines[int(second)].description == "Moved to the spring fair"
    assert lines[int(second)].amount == Decimal(str(shown.at[second, "Amount"]))
