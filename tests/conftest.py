"""Shared fixtures for the domain tests: fresh stores and a way to compare a store before/after."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from planning.demo import load_demo
from planning.store import Store
from planning.tandem import Tandem

# Tables that log what was done (and the revision every write bumps): a second, identical import
# or an export changes them and nothing else.
LOG_TABLES = frozenset({"imports", "audit_log", "store_revision"})

Snapshot = dict[str, list[tuple]]


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch):
    """scrypt at its real cost takes 0.4 s a hash; tests hash many demo accounts."""
    import planning.people

    monkeypatch.setattr(planning.people, "SCRYPT_N", 2**10)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """A fresh store in a DuckDB file of its own."""
    s = Store(tmp_path / "t.duckdb")
    yield s
    s.close()


@pytest.fixture
def tandem(store: Store) -> Tandem:
    return Tandem(store)


@pytest.fixture
def demo(tmp_path: Path) -> Tandem:
    """A fresh store holding the demo firm, loaded through the importer."""
    t = Tandem(Store(tmp_path / "demo.duckdb"))
    load_demo(t)
    yield t
    t.close()


@pytest.fixture
def snapshot() -> Callable[..., Snapshot]:
    """Every row of every table of the store, in a stable order: equal snapshots, equal stores.

    `snapshot(store, logs=False)` leaves out the log tables, to compare the data alone.
    """

    def take(store: Store, *, logs: bool = True) -> Snapshot:
        tables = [r[0] for r in store.query(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY 1")]
        assert "plan_lines" in tables
        return {
            table: sorted(store.query(f'SELECT * FROM "{table}"'), key=repr)
            for table in tables
            if logs or table not in LOG_TABLES
        }

    return take


def sign_off_everything(store: Store, year: int, scenario: str) -> None:
    """Stand in for a finished review, so that a test may lock the scenario."""
    store.write(lambda cur: cur.execute(
        "UPDATE plan_lines SET status = 'signed_off' WHERE scenario_id ="
        " (SELECT id FROM scenarios WHERE fiscal_year = ? AND name = ?)", [year, scenario]))
