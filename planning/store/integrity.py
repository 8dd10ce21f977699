"""Checks of what the schema does not enforce on the big tables (see migrations.py)."""
from __future__ import annotations

from planning.store.connection import Store

LINE_KEY = "owner, category, funnel_stage, channel, region, month"

CHECKS = {
    "plan line ids repeat": "SELECT id FROM plan_lines GROUP BY id HAVING count(*) > 1",
    "actual ids repeat": "SELECT id FROM actuals GROUP BY id HAVING count(*) > 1",
    "plan lines repeat a key in a scenario":
        f"SELECT scenario_id, {LINE_KEY} FROM plan_lines GROUP BY ALL HAVING count(*) > 1",
    "actuals repeat a key": f"SELECT {LINE_KEY} FROM actuals GROUP BY ALL HAVING count(*) > 1",
}


def violations(store: Store) -> list[str]:
    """One line per broken rule with how many times it is broken; empty when all hold."""
    found = []
    for rule, sql in CHECKS.items():
        count = store.scalar(f"SELECT count(*) FROM ({sql})")
        if count:
            found.append(f"{rule}: {count}")
    return found
