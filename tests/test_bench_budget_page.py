"""The Budget page benchmark times every planning call the page makes, and each step runs."""
from __future__ import annotations

import ast
import importlib.util
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from planning.budget import DIMENSIONS
from planning.imports import import_csv
from planning.store import Store
from planning.tandem import Tandem

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "pages" / "budget.py"
# The objects the page reaches planning through: the facade and the budget it opens.
FACADES = {"t", "budget"}


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        spec = importlib.util.spec_from_file_location("budget_page_bench",
                                                      ROOT / "bench" / "budget_page.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.path.remove(str(ROOT / "bench"))


def page_calls() -> set[str]:
    """Every attribute the page reads or calls on the facade or its budget."""
    tree = ast.parse(PAGE.read_text(encoding="utf-8"))
    return {node.attr for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            and node.value.id in FACADES and not node.attr.startswith("_")}


def test_every_call_the_page_makes_is_a_step(bench):
    steps = {name.split("(")[0] for name, _step in bench.STEPS}
    # Not reads of a view: the filter the page built itself, and the pool form's write on submit.
    missing = page_calls() - steps - {"filter", "set_pool"}
    assert not missing, f"bench/budget_page.py does not time {sorted(missing)}"
    # The entry's reads on every rerun: the year picker and the firm's name.
    assert {"fiscal_years", "firm_name"} <= steps


def test_every_breakdown_the_page_draws_is_timed(bench):
    shown = {node.value for node in ast.walk(ast.parse(PAGE.read_text(encoding="utf-8")))
             if isinstance(node, ast.Constant) and node.value in DIMENSIONS}
    assert shown and shown <= set(bench.BREAKDOWNS)


def test_each_step_runs_cold_on_a_small_plan(bench, tmp_path):
    store = Store(tmp_path / "b.duckdb")
    try:
        csv_path = bench.write_plan_csv(tmp_path / "plan.csv", 300)
        assert import_csv(store, "plan", csv_path).ok
        t = Tandem(store)
        t.set_pool(bench.FISCAL_YEAR, Decimal("1000000.00"))
        for where in bench.VIEWS.values():
            misses = store.reads.misses
            ms = bench.run_view(t, where)
            assert list(ms) == [name for name, _step in bench.STEPS]
            assert all(value >= 0 for value in ms.values())
            assert store.reads.misses > misses  # answered by the store, not kept results
    finally:
        store.close()
