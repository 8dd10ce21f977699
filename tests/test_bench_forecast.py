"""The latest-estimate benchmark's data fits the store's tables as they are now (it inserts in
SQL, so a new column would otherwise break it only when someone runs it)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

pytestmark = pytest.mark.duckdb_only


def test_the_benchmark_fills_a_store_the_estimate_reads(tmp_path):
    import forecast as bench

    from planning.forecast import estimate
    from planning.store import Store

    store = Store(tmp_path / "bench.duckdb")
    bench.fill(store, 2_000)
    assert store.scalar("SELECT count(*) FROM plan_lines") == 1_980  # one in a hundred unplanned
    assert store.scalar("SELECT count(*) FROM forecasts") > 0
    found = estimate(store, bench.YEAR)
    assert found.total.latest_estimate > 0
