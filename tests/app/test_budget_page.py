"""The Budget page through the app's entry, as a department head would use it."""
from __future__ import annotations

from decimal import Decimal

from planning import Tandem
from planning.budget import BudgetFilter
from planning.money import format_money
from tests.app.conftest import (
    assert_numeric,
    column_formats,
    metric,
    open_page,
    signed_in,
    table,
    unfold,
)


def _whole(store_file, where=None):
    """The adopted plan's summary, read through the process that holds the store."""
    from dashboard.ui.context import open_tandem

    return open_tandem(str(store_file)).budget(2026, where=where).summary()


def test_opens_on_the_adopted_plan_of_the_demo_firm(app, store_file):
    plan = _whole(store_file)
    assert app.title[0].value == "Shared budget · FY2026"
    assert metric(app, "Pool") == "$6,250,000"
    assert metric(app, "Allocated") == format_money(plan.allocated, "USD", cents=False)
    assert metric(app, "Unallocated") == format_money(plan.unallocated, "USD", cents=False)
    assert plan.allocated + plan.unallocated == Decimal("6250000.00")
    shares = [metric(app, o) for o in ("Sales", "Marketing", "Joint")]
    assert abs(sum(Decimal(s.strip("$").replace(",", "")) for s in shares)
               - plan.allocated) <= 2  # each tile rounds to whole dollars


def test_filters_change_every_figure(app, store_file):
    app.multiselect(key="f_owner").set_value(["marketing"]).run()
    app.multiselect(key="f_region").set_value(["EMEA"]).run()
    assert not app.exception
    # The app holds the store open; read the expected figure through the same process.
    from dashboard.ui.context import open_tandem

    budget = open_tandem(str(store_file)).budget(2026, where=BudgetFilter(
        owners=("marketing",), regions=("EMEA",)))
    expected = budget.summary()
    assert metric(app, "Allocated") == format_money(expected.allocated, "USD", cents=False)
    assert metric(app, "Sales") == "$0"
    # Unallocated is the whole scenario's, whatever the filter.
    assert metric(app, "Unallocated") == format_money(_whole(store_file).unallocated, "USD",
                                                      cents=False)
    lines = app.dataframe[0].value
    assert set(lines["Owner"]) == {"marketing"} and set(lines["Region"]) == {"EMEA"}


def test_line_table_is_paged_and_sorted(app):
    table = app.dataframe[0].value
    assert len(table) == 200
    amounts = list(table["Amount"])
    assert amounts == sorted(amounts, reverse=True)
    app.number_input(key="page").set_value(2).run()
    second = app.dataframe[0].value
    assert max(second["Amount"]) <= min(amounts)


def test_the_executive_sets_the_pool(store_file):
    app = unfold(signed_in("Erin Executive"), "pool_box")
    app.text_input(key="pool_amount").set_value("7000000.00")
    app.button(key="FormSubmitter:pool_form-Set the pool").click().run()
    assert not app.exception
    assert metric(app, "Pool") == "$7,000,000"


def test_only_an_executive_is_offered_the_pool(store_file):
    for name in ("Pat Planner", "Vic Viewer", "Sofia Sales"):
        at = signed_in(name)
        at.session_state["pool_box"] = True  # were it there, it would be open
        at.run()
        assert not [b for b in at.button if b.key == "FormSubmitter:pool_form-Set the pool"], name
        assert not [e for e in at.expander if e.label.startswith("Pool of")], name
    at = unfold(signed_in("Erin Executive"), "pool_box")
    assert at.button(key="FormSubmitter:pool_form-Set the pool")


def test_the_line_table_holds_numbers_and_states_in_words(app):
    lines = table(app, "Line", "Amount", "Status")
    assert_numeric(lines, "Line", "Amount")
    assert column_formats(lines)["Amount"] == "dollar"
    assert column_formats(lines)["Month"] == "MMM YYYY"
    assert column_formats(lines)["Line"] == "%d"  # a line's number, not a quantity: no "1,260"
    # The amount is among the first columns: on a phone it shows without scrolling sideways.
    assert list(lines.value.columns)[:3] == ["Line", "Month", "Amount"]
    assert set(lines.value["Status"]) <= {"Draft", "Submitted", "Returned", "Signed off"}
    assert "signed_off" not in set(lines.value["Status"])


def test_filters_are_on_the_page_not_in_the_sidebar(app):
    """On a phone the sidebar is folded: the scenario and filters sit on the page itself."""
    assert [e.label for e in app.expander][0] == "Scenario and filters"
    assert not [m for m in app.sidebar.multiselect]
    assert not [s for s in app.sidebar.selectbox if s.key == "budget_scenario"]
    assert app.multiselect(key="f_owner")


def test_picking_a_page_folds_the_sidebar_on_a_phone(app):
    assert not [h for h in app.get("html") if "stSidebarCollapseButton" in h.proto.body]
    at = open_page(app, "kpis.py")
    folds = [h for h in at.get("html") if "stSidebarCollapseButton" in h.proto.body]
    assert len(folds) == 1
    at.run()  # a rerun of the same page does not fold it again
    assert not [h for h in at.get("html") if "stSidebarCollapseButton" in h.proto.body]


def test_refuses_a_malformed_pool(store_file):
    app = unfold(signed_in("Erin Executive"), "pool_box")
    app.text_input(key="pool_amount").set_value("7,000,000")
    app.button(key="FormSubmitter:pool_form-Set the pool").click().run()
    assert "not a plain amount" in app.error[0].value
    assert metric(app, "Pool") == "$6,250,000"


def test_empty_store_points_to_the_import_page(tmp_path, monkeypatch):


    from planning.people import People

    path = tmp_path / "empty.duckdb"
    empty = Tandem.open(path)  # exists, so the app does not load the demo
    People(empty.store).add("Pat Planner", "planner", "planner-password", department="both")
    empty.close()
    monkeypatch.setenv("TANDEM_DB", str(path))
    at = signed_in()
    assert not at.exception
    assert "Import & export" in at.info[0].value


def test_a_command_run_beside_the_app_is_shown_on_the_next_rerun(app, store_file):
    """The app keeps read results per store revision; a write by `tandem` in another process
    bumps it, so the next rerun shows the new figure without a restart."""
    import subprocess
    import sys

    assert metric(app, "Pool") == "$6,250,000"
    app.run()  # a rerun with nothing changed answers from what the app kept
    assert metric(app, "Pool") == "$6,250,000"
    done = subprocess.run([sys.executable, "-m", "planning.cli", "--db", str(store_file), "pool",
                           "2026", "7000000.00"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    app.run()
    assert not app.exception
    assert metric(app, "Pool") == "$7,000,000"
    assert metric(app, "Unallocated") == format_money(
        Decimal("7000000.00") - _whole(store_file).allocated, "USD", cents=False)
