"""A new store gets the demo firm only when asked: its first visitor explores the demo or
starts their own firm as its first executive; afterwards neither is offered."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from planning import Tandem, first_run
from planning.errors import Refused
from planning.people import People
from tests.app.conftest import APP


@pytest.fixture
def new_store(tmp_path, monkeypatch):
    path = tmp_path / "new.duckdb"
    monkeypatch.setenv("TANDEM_DB", str(path))
    return path


def test_a_new_store_offers_the_demo_or_a_firm_of_ones_own_and_shows_no_figure(new_store):
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    assert at.title[0].value == "Welcome to Tandem"
    assert not at.metric and not at.dataframe
    at.button(key="first_run_demo").click().run()
    assert not at.exception
    assert at.text_input(key="sign_in_name")  # the demo firm's people now sign in
    from dashboard.ui.context import open_tandem

    assert open_tandem(str(new_store)).firm_name == "Northwind Analytics"


def test_starting_my_firm_makes_me_its_first_executive(new_store):
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.text_input(key="first_firm").set_value("Acme Robotics")
    at.text_input(key="first_currency").set_value("EUR")
    at.selectbox(key="first_start").set_value("April")
    at.text_input(key="first_name").set_value("Ada Admin")
    at.text_input(key="first_password").set_value("a-long-password")
    at.text_input(key="first_again").set_value("a-long-password")
    at.button(key="FormSubmitter:first_run_firm-Start my firm").click().run()
    assert not at.exception
    assert any("Signed in as Ada Admin (executive)" in c.value for c in at.sidebar.caption)
    assert not [w for w in at.sidebar.warning if "publishes" in w.value]
    from dashboard.ui.context import open_tandem

    t = open_tandem(str(new_store))
    assert (t.firm_name, t.currency, t.store.fiscal_year_start_month) == (
        "Acme Robotics", "EUR", 4)
    # a second visitor is offered neither: only the sign-in form
    second = AppTest.from_file(APP, default_timeout=120).run()
    assert second.text_input(key="sign_in_name")
    assert not [b for b in second.button if b.key == "first_run_demo"]


def test_neither_is_possible_once_the_store_has_people(tmp_path):
    t = Tandem.open(tmp_path / "t.duckdb")
    first_run.start_firm(t, firm="Acme", currency="USD", fiscal_year_start_month=1,
                         name="Ada Admin", password="a-long-password")
    with pytest.raises(Refused, match="already has people"):
        first_run.explore_demo(t)
    with pytest.raises(Refused, match="already has people"):
        first_run.start_firm(t, firm="Evil", currency="USD", fiscal_year_start_month=1,
                             name="Mallory", password="a-long-password")
    assert [p.name for p in People(t.store).list()] == ["Ada Admin"]
    t.close()
