from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "dashboard" / "app.py")
PAGES = ROOT / "pages"


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory) -> Path:
    """The demo firm, made once (`tandem init --demo`), copied for each test that needs it."""
    from planning.cli import main

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    assert main(["--db", str(path), "init", "--demo"]) == 0
    return path


@pytest.fixture
def store_file(demo_store, tmp_path, monkeypatch) -> Path:
    """A store of its own holding the demo firm, named by TANDEM_DB as the app reads it."""
    path = tmp_path / "app.duckdb"
    for suffix in ("", ".key"):  # the store and, beside it, its audit key
        source = demo_store.with_name(demo_store.name + suffix)
        if source.exists():
            path.with_name(path.name + suffix).write_bytes(source.read_bytes())
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


def table(at: AppTest, *columns: str):
    """The first table drawn with all these columns (a table has no key to find it by)."""
    found = [d for d in at.dataframe if set(columns) <= set(d.value.columns)]
    assert found, f"no table with columns {columns}"
    return found[0]


def column_formats(element) -> dict[str, str | None]:
    """Each configured column's header label → its number or date format."""
    import json

    config = json.loads(element.proto.columns or "{}")
    return {name: (c.get("type_config") or {}).get("format")
            for name, c in config.items() if name != "_index"}


def assert_numeric(element, *columns: str) -> None:
    """These columns hold numbers (so they sort and copy as numbers) and carry a format."""
    import pandas as pd

    frame, formats = element.value, column_formats(element)
    for name in columns:
        assert pd.api.types.is_numeric_dtype(frame[name]), (name, frame[name].dtype)
        assert formats.get(name), (name, formats)


def unfold(at: AppTest, key: str, tab: str | None = None) -> AppTest:
    """Open the lazily built expander `key`, or show tab `tab` of the lazy tabs `key`, as a
    click does: the page reruns with it open (dashboard/ui/lazy.py)."""
    at.session_state[key] = True if tab is None else tab
    return at.run()
