"""While a `tandem` command holds the store, the app waits and says so; past the wait it says
the store is busy, never a traceback; signing out leaves nothing of the session behind."""
from __future__ import annotations

import subprocess
import sys

from streamlit.testing.v1 import AppTest

from tests.app.conftest import APP, signed_in

HOLD = """
import sys
from planning.store import Store
store = Store(sys.argv[1], label="`tandem import plan`")
with store.cursor():  # in the middle of its work: it cannot give way
    print("ready", flush=True)
    sys.stdin.readline()
"""


def test_a_visitor_during_a_long_command_is_told_the_store_is_busy(store_file, monkeypatch):
    monkeypatch.setenv("TANDEM_WAIT", "1")
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(store_file)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        at = AppTest.from_file(APP, default_timeout=60).run()
        assert not at.exception
        message = at.warning[0].value
        assert message.startswith("The store is still busy: `tandem import plan`")
        assert "Nothing was lost" in message and str(store_file) not in message
    finally:
        holder.communicate("\n", timeout=60)
    at.run()  # the command is done: the next run opens the store
    assert not at.exception
    assert at.text_input(key="sign_in_name")


def test_signing_out_clears_the_whole_session(store_file):
    at = signed_in("Sofia Sales")
    at.multiselect(key="f_owner").set_value(["sales"]).run()
    at.sidebar.button(key="sign_out").click().run()
    assert not at.exception
    assert at.text_input(key="sign_in_name")
    for key in ("person", "user", "session_token", "f_owner", "fiscal_year", "budget_scenario"):
        assert key not in at.session_state, key
