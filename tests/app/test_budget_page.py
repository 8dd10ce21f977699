"""The Budget page through the app's entry, as a department head would use it."""
from __future__ import annotations

from decimal import Decimal

from planning import Tandem
from planning.budget import BudgetFilter
from planning.money import format_money
from tests.app.conftest import metric, signed_in


def test_opens_on_the_adopted_plan_of_the_demo_firm(app):
    assert app.title[0].value == "Shared budget · FY2026"
    assert metric(app, "Pool") == "$6,250,000"
    assert metric(app, "Allocated") == "$5,966,651"
    assert metric(app, "Unallocated") == "$283,349"
    shares = [metric(app, o) for o in ("Sales", "Marketing", "Joint")]
    assert sum(Decimal(s.strip("$").replace(",", "")) for s in shares) == Decimal("5966651")


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
    assert metric(app, "Unallocated") == "$283,349"  # the whole scenario, whatever the filter
    table = app.dataframe[0].value
    assert set(table["Owner"]) == {"marketing"} and set(table["Region"]) == {"EMEA"}


def test_line_table_is_paged_and_sorted(app):
    table = app.dataframe[0].value
    assert len(table) == 200
    amounts = list(table["Amount"])
    assert amounts == sorted(amounts, reverse=True)
    app.number_input(key="page").set_value(2).run()
    second = app.dataframe[0].value
    assert max(second["Amount"]) <= min(amounts)


def test_the_executive_sets_the_pool(store_file):
    app = signed_in("Erin Executive")
    app.text_input(key="pool_amount").set_value("7000000.00")
    app.button(key="FormSubmitter:pool_form-Set the pool").click().run()
    assert not app.exception
    assert metric(app, "Pool") == "$7,000,000"


def test_a_planner_may_not_set_the_pool(app):
    app.text_input(key="pool_amount").set_value("7000000.00")
    app.button(key="FormSubmitter:pool_form-Set the pool").click().run()
    assert "may not set the pool" in app.error[0].value
    assert metric(app, "Pool") == "$6,250,000"


def test_refuses_a_malformed_pool(store_file):
    app = signed_in("Erin Executive")
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
    assert metric(app, "Unallocated") == "$1,033,349"
