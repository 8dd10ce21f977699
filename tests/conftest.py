"""Shared fixtures for the domain tests: fresh stores and a way to compare a store before/after."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from planning.demo import load_demo
from planning.store import Store
from planning.tandem import Tandem

# Every table a planner's data lives in; `imports` is the log of what was written.
DATA_TABLES = (
    "settings",
    "fiscal_years",
    "scenarios",
    "plan_lines",
    "actuals",
    "outcomes",
    "targets",
    "imports",
)

Snapshot = dict[str, list[tuple]]


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
def snapshot() -> Callable[[Store], Snapshot]:
    """Every row of every data table, in a stable order: equal snapshots mean an equal store."""

    def take(store: Store) -> Snapshot:
        return {
            table: sorted(store.query(f"SELECT * FROM {table}"), key=repr)
            for table in DATA_TABLES
        }

    return take
