"""What the schema leaves to the code on the big tables holds after every kind of write."""
from __future__ import annotations

from decimal import Decimal

from planning.budget import BudgetFilter
from planning.demo import DEMO_DIR
from planning.store.integrity import violations


def test_imports_and_operations_keep_ids_and_keys_unique(demo):
    ops = demo.scenario_ops
    ops.clone(2026, "baseline", "alt", "test")
    ops.shift(2026, "alt", Decimal("1000.00"), BudgetFilter(channels=("Trade shows",)),
              BudgetFilter(channels=("Paid search",)), "test")
    ops.clone(2026, "alt", "alt2", "test")
    assert demo.import_csv("plan", DEMO_DIR / "plan.csv", scenario="alt2").ok
    assert demo.import_csv("actuals", DEMO_DIR / "actuals.csv").ok
    assert violations(demo.store) == []


def test_a_repeated_id_or_key_is_reported(demo):
    demo.store.write(lambda cur: cur.execute(
        "INSERT INTO plan_lines SELECT * FROM plan_lines WHERE id = (SELECT min(id) FROM"
        " plan_lines)"))
    assert violations(demo.store) == ["plan line ids repeat: 1",
                                      "plan lines repeat a key in a scenario: 1"]

