"""Accounts in the app: repeated wrong passwords are slowed, a person changes their own
password, and a store with the demo firm's published passwords says so on every page."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.app.conftest import APP, signed_in, unfold


def _attempt(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="sign_in_name").set_value(name)
    at.text_input(key="sign_in_password").set_value(password)
    return at.button[0].click().run()


def test_repeated_wrong_passwords_are_held_with_a_clear_message(store_file):
    at = AppTest.from_file(APP, default_timeout=120).run()
    for _ in range(5):
        _attempt(at, "Marco Marketing", "wrong-password")
        assert "do not match" in at.error[0].value
    _attempt(at, "Marco Marketing", "wrong-password")
    _attempt(at, "Marco Marketing", "marketing-demo-2026")  # right, but held: not even checked
    assert not at.exception
    assert at.error[0].value.startswith("Too many failed sign-ins; try again in")
    assert not [c for c in at.sidebar.caption if "Signed in as" in c.value]


def test_a_person_changes_their_own_password(store_file):
    at = unfold(signed_in("Marco Marketing"), "password_box")
    at.text_input(key="pw_old").set_value("marketing-demo-2026")
    at.text_input(key="pw_new").set_value("a-new-password-2026")
    at.text_input(key="pw_again").set_value("a-new-password-2026")
    at.sidebar.button(key="FormSubmitter:change_password-Change it").click().run()
    assert not at.exception
    assert any("Your password is changed" in s.value for s in at.sidebar.success)
    assert not any("Marco Marketing" in w.value for w in at.sidebar.warning)

    from dashboard.ui.context import open_tandem
    from planning.people import People

    people = People(open_tandem(str(store_file)).store)
    assert people.sign_in("Marco Marketing", "a-new-password-2026") is not None
    assert people.sign_in("Marco Marketing", "marketing-demo-2026") is None


def test_the_demo_firm_warns_on_every_page_that_its_passwords_are_published(store_file):
    at = signed_in("Erin Executive")
    warning = next(w.value for w in at.sidebar.warning if "publishes" in w.value)
    assert "Erin Executive" in warning and "Sofia Sales" in warning
