"""Benchmark: scenario operations and the comparison on a large plan, against bare DuckDB.

    python bench/scenario_ops.py [--lines N]

A store gets a plan of N lines (default 1,000,000; bench/plan_data.py) through the importer. Then
each operation is timed once on that store, as a person would run it:

- clone baseline -> b (copy every line, with its audit entry), scale every line of b by 5%, and
  shift 1,000,000.00 from one channel to another (pro rata, exact to the cent);
- the baseline for all three, in the same run: a bare `INSERT INTO plan_lines SELECT ...` of the
  same lines into the same table (so with its primary key), rolled back;
- project both scenarios, and compare them (projection + allocation by every dimension + the
  lines that differ most).

Targets: clone, scale and shift each under 2 s and within 3x of their bare statement;
projection and comparison of the two scenarios under 1 s.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from plan_data import CHANNELS, FISCAL_YEAR, write_plan_csv  # noqa: E402

from planning.budget import BudgetFilter  # noqa: E402
from planning.compare import compare  # noqa: E402
from planning.imports import import_csv  # noqa: E402
from planning.projection import project  # noqa: E402
from planning.scenarios import Scenarios  # noqa: E402
from planning.store import Store  # noqa: E402


def timed(work) -> tuple[float, object]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


BARE_INSERT = """
INSERT INTO plan_lines SELECT * REPLACE (id + 1000000000000 AS id, -1 AS scenario_id)
FROM plan_lines WHERE scenario_id = ?
"""


def bare_insert(store: Store, scenario_id: int) -> float:
    """Seconds of a bare INSERT ... SELECT of a scenario's lines, rolled back afterwards."""
    with store.write_cursor() as cur:
        cur.execute("BEGIN TRANSACTION")
        seconds = timed(lambda: cur.execute(BARE_INSERT, [scenario_id]))[0]
        cur.execute("ROLLBACK")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = write_plan_csv(Path(tmp) / "plan.csv", args.lines)
        store = Store(Path(tmp) / "bench.duckdb")
        assert import_csv(store, "plan", csv_path).ok
        ops = Scenarios(store)
        year = FISCAL_YEAR
        base_id = store.scalar("SELECT id FROM scenarios WHERE name = 'baseline'")
        figures = []
        t_bare = bare_insert(store, base_id)
        t_op, _ = timed(lambda: ops.clone(year, "baseline", "b", "bench"))
        figures.append(("clone", t_op, t_bare, 2.0))

        t_op, _ = timed(lambda: ops.scale(year, "b", Decimal("5"), BudgetFilter(), "bench"))
        figures.append(("scale 5% (all lines)", t_op, t_bare, 2.0))

        source, target = BudgetFilter(channels=(CHANNELS[0],)), BudgetFilter(
            channels=(CHANNELS[1],))
        t_op, _ = timed(lambda: ops.shift(year, "b", Decimal("1000000.00"), source, target,
                                          "bench"))
        figures.append(("shift 1,000,000.00", t_op, t_bare, 2.0))

        t_op, _ = timed(lambda: (project(store, year, "baseline"), project(store, year, "b")))
        figures.append(("project both", t_op, None, 1.0))
        t_op, _ = timed(lambda: compare(store, year, ["baseline", "b"]))
        figures.append(("compare both", t_op, None, 1.0))

    print(f"scenario operations on {args.lines:,} lines per scenario")
    print(f"{'operation':<22}{'seconds':>9}{'bare ins':>10}{'ratio':>8}  verdict")
    for name, seconds, baseline, limit in figures:
        ratio = seconds / baseline if baseline else None
        ok = seconds < limit and (ratio is None or ratio <= 3.0)
        print(f"{name:<22}{seconds:>9.3f}{baseline or 0:>10.3f}"
              f"{(f'{ratio:.2f}' if ratio else '-'):>8}  {'ok' if ok else 'MISSED'}"
              f" (target < {limit:.0f} s" + (", <= 3x bare)" if baseline else ")"))


if __name__ == "__main__":
    main()
