"""Two app processes on one store: what one writes shows in the other on its next rerun, and a
sign-in session started in one is resumed by the other (sessions live in the store)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# An app process: the Budget page as Erin sees it; prints the pool after each rerun asked for on
# stdin, and resumes a session token given as `resume TOKEN` (with its own store handle).
APP = f"""
import sys
from streamlit.testing.v1 import AppTest
from planning.people import Person
from planning.sessions import Sessions
from planning.tandem import Tandem

at = AppTest.from_file({str(ROOT / "dashboard" / "app.py")!r}, default_timeout=120)
at.session_state["person"] = Person("Erin Executive", "executive", None)
at.run()
at.switch_page({str(ROOT / "pages" / "budget.py")!r})
at.run()
assert not at.exception, at.exception

def pool():
    return next(m.value for m in at.metric if m.label == "Pool")

print(pool(), flush=True)
for line in sys.stdin:
    if line.startswith("resume "):
        t = Tandem.open(sys.argv[1], label="the app")
        person = Sessions(t.store).resume(line.split()[1])
        t.close()
        print(person.name if person else "-", flush=True)
    else:
        at.run()
        assert not at.exception, at.exception
        print(pool(), flush=True)
"""

# The other app process: sets the pool as the Budget page does, and starts a session.
OTHER = """
import sys
from decimal import Decimal
from planning.people import People
from planning.sessions import Sessions
from planning.tandem import Tandem

t = Tandem.open(sys.argv[1], label="the app")
erin = People(t.store).get("Erin Executive")
t.set_pool(2026, Decimal("7000000.00"), erin)
print(Sessions(t.store).start(erin), flush=True)
t.close()
"""


def test_two_app_processes_share_changes_and_sessions(new_store):
    store = new_store("demo")
    address = getattr(store, "url", store.path)
    store.close()  # the test itself holds nothing: only the two app processes use the store
    env = {**os.environ, "TANDEM_DB": address}
    app = subprocess.Popen([sys.executable, "-c", APP, address], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                           cwd=ROOT)
    try:
        assert app.stdout.readline().strip() == "$6,250,000"
        other = subprocess.run([sys.executable, "-c", OTHER, address], capture_output=True,
                               text=True, env=env, cwd=ROOT, timeout=300)
        assert other.returncode == 0, other.stderr
        token = other.stdout.strip().splitlines()[-1]
        app.stdin.write("rerun\n")
        app.stdin.flush()
        assert app.stdout.readline().strip() == "$7,000,000"
        app.stdin.write(f"resume {token}\n")
        app.stdin.flush()
        assert app.stdout.readline().strip() == "Erin Executive"
    finally:
        app.stdin.close()
        app.wait(timeout=120)
    assert app.returncode == 0, app.stderr.read()
