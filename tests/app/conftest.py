from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "dashboard" / "app.py")
PAGES = ROOT / "pages"


@pytest.fixture
def store_file(tmp_path, monkeypatch) -> Path:
    """A store file that does not exist yet: the app creates it with the demo firm."""
    path = tmp_path / "app.duckdb"
    monkeypatch.setenv("TANDEM_DB", str(path))
    return path


def signed_in(name: str = "Pat Planner") -> AppTest:
    """The app with one of the demo people signed in (the sign-in form has tests of its own)."""
    from planning.demo import DEMO_PEOPLE
    from planning.people import Person

    at = AppTest.from_file(APP, default_timeout=60)
    _, role, department, _password = next(p for p in DEMO_PEOPLE if p[0] == name)
    at.session_state["person"] = Person(name, role, department)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def app(store_file) -> AppTest:
    return signed_in()


def open_page(at: AppTest, name: str) -> AppTest:
    at.switch_page(str(PAGES / name))
    at.run()
    assert not at.exception, at.exception
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)
