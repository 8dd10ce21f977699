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



def _totals_hold(store) -> None:
    """The scenario totals (plan_totals) are the lines' own, and the Budget's numbers too."""
    from planning.store.integrity import PLAN_TOTALS_DIFFER

    assert store.scalar(f"SELECT count(*) FROM ({PLAN_TOTALS_DIFFER}) AS d") == 0


def test_every_write_of_plan_lines_keeps_the_scenario_totals(demo):
    from planning.scenarios import LineEdit

    ops, store = demo.scenario_ops, demo.store
    _totals_hold(store)
    ops.clone(2026, "baseline", "alt", "test")
    _totals_hold(store)
    ops.scale(2026, "alt", Decimal("7.5"), BudgetFilter(owners=("marketing",)), "test")
    ops.shift(2026, "alt", Decimal("1000.00"), BudgetFilter(channels=("Trade shows",)),
              BudgetFilter(channels=("Paid search",)), "test")
    ops.split(2026, "alt", Decimal("12345.67"), BudgetFilter(regions=("EMEA",)), "test",
              by="month")
    _totals_hold(store)
    line = demo.budget(2026, "alt").lines(page=0)[0]
    ops.edit_lines(2026, "alt", [LineEdit(line.id, line.version, Decimal("1.00"))], "test")
    _totals_hold(store)
    # Writes the domain does not make change the totals as well: a line moved to another owner
    # and month, and one removed, by hand.
    store.write(lambda cur: cur.execute(
        "UPDATE plan_lines SET owner = 'joint', month = CAST(month + INTERVAL '1 month' AS DATE),"
        " amount = amount + 1 WHERE id = ?", [line.id]))
    store.write(lambda cur: cur.execute(
        "DELETE FROM plan_lines WHERE id = (SELECT max(id) FROM plan_lines)"))
    _totals_hold(store)
    assert demo.import_csv("plan", DEMO_DIR / "plan.csv", scenario="alt").ok  # back as filed
    _totals_hold(store)
    ops.delete(2026, "alt", "test")
    _totals_hold(store)
    everything = demo.budget(2026, "baseline")
    lines = store.scalar("SELECT count(*) FROM plan_lines l JOIN scenarios s"
                         " ON s.id = l.scenario_id WHERE s.name = 'baseline'")
    assert everything.summary().lines == lines
    assert store.scalar("SELECT count(*) FROM plan_totals t JOIN scenarios s"
                        " ON s.id = t.scenario_id WHERE s.name = 'alt'") == 0


def test_the_totals_of_a_filter_are_those_of_its_lines(demo):
    where = BudgetFilter(owners=("marketing",), regions=("EMEA",))
    budget = demo.budget(2026, "baseline").filtered(where)
    rows = demo.store.query(
        "SELECT l.channel, l.owner, sum(l.amount) FROM plan_lines l JOIN scenarios s"
        " ON s.id = l.scenario_id WHERE s.name = 'baseline' AND s.fiscal_year = 2026"
        " AND l.owner = 'marketing' AND l.region = 'EMEA' GROUP BY 1, 2 ORDER BY 1, 2")
    assert budget.by_dimension("channel") == [tuple(r) for r in rows]
    assert budget.summary().allocated == sum((r[2] for r in rows), Decimal(0))
    assert budget.summary().allocated_all == demo.budget(2026, "baseline").summary().allocated


def test_totals_changed_behind_the_lines_back_are_reported(demo):
    if demo.store.dialect.name != "postgres":
        return  # DuckDB sums them from the lines as it reads (a view): they cannot drift
    demo.store.write(lambda cur: cur.execute(
        "UPDATE plan_totals SET total = total + 1 WHERE dim = 'region' AND value = 'EMEA'"
        " AND owner = 'sales' AND scenario_id = (SELECT min(id) FROM scenarios)"))
    assert violations(demo.store) == ["plan totals that differ from the lines: 2"]
