"""Benchmark: scenario operations and the comparison on a large plan, against bare DuckDB.

    python bench/scenario_ops.py [--lines N] [--runs R]

A store gets a plan of N lines (default 1,000,000; bench/plan_data.py) through the importer. Each
operation is then timed as a person would run it, and so is its baseline: the same work done by
the simplest means, as one bare statement committed on the same store in the same run.

- clone baseline -> b (every line, with its audit entry): a bare
  `INSERT INTO plan_lines SELECT ...` of the same lines;
- scale every line of b by 5%, exact to the cent: a bare
  `UPDATE plan_lines SET amount = round(amount * 1.05, 2)` of the same lines. Timed twice: by
  the person who last edited the lines, and by someone else (every line's `edited_by` is
  rewritten as well);
- shift 1,000,000.00 from one channel to another, pro rata: a bare
  `UPDATE plan_lines SET amount = round(amount * factor, 2)` of the source and target lines
  (one factor each).

Every timed statement starts from a checkpointed store and is timed until its change is in the
database file (commit, then CHECKPOINT), so an operation and its baseline each pay for all of
their own writing, whichever of them crosses DuckDB's automatic checkpoint. Each pair runs R times
(default 3), baseline first, and the best of each is reported. The baseline clone's lines are
deleted again; each operation's check (the total changed by exactly what it should) runs
untimed. Then both scenarios are projected and compared (projection + allocation by every
dimension + the lines that differ most), best of R.

Targets: clone, scale and shift each under 2 s and within 3x of their baseline;
projection and comparison of the two scenarios under 1 s.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from plan_data import CHANNELS, FISCAL_YEAR, write_plan_csv  # noqa: E402

from planning.budget import BudgetFilter  # noqa: E402
from planning.compare import compare  # noqa: E402
from planning.imports import import_csv  # noqa: E402
from planning.money import CENT  # noqa: E402
from planning.projection import project  # noqa: E402
from planning.scenarios import Scenarios  # noqa: E402
from planning.store import Store  # noqa: E402
from planning.store.connection import transaction  # noqa: E402

PERCENT = Decimal("5")
SHIFTED = Decimal("1000000.00")
FACTOR = Decimal("0.0001")  # the bare shift moves about the amount, to this precision
ACTOR = "bench"

# The baselines: one bare statement each, doing the operation's work by the simplest means.
BARE_INSERT = """
INSERT INTO plan_lines (id, scenario_id, owner, category, funnel_stage, channel, region, month,
                        amount, description, locked, edited_by)
SELECT id + 1000000000000, -1, owner, category, funnel_stage, channel, region, month,
       amount, description, locked, edited_by
FROM plan_lines WHERE scenario_id = ?
"""
BARE_SCALE = """
UPDATE plan_lines SET amount = round(amount * 1.05, 2) WHERE scenario_id = ? AND NOT locked
"""
BARE_SHIFT = """
UPDATE plan_lines SET amount = round(amount * CASE WHEN channel = ? THEN ? ELSE ? END, 2)
WHERE scenario_id = ? AND NOT locked AND channel IN (?, ?)
"""


def seconds(work: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def checkpoint(store: Store) -> None:
    with store.write_cursor() as cur:
        cur.execute("CHECKPOINT")


def bare(store: Store, sql: str, params: list) -> float:
    """Seconds of one bare statement, committed and checkpointed, on a checkpointed store."""
    checkpoint(store)

    def work() -> None:
        with store.write_cursor() as cur, transaction(cur):
            cur.execute(sql, params)
        checkpoint(store)

    return seconds(work)[0]


def operation(store: Store, work: Callable[[], object]) -> tuple[float, object]:
    """Seconds of an operation, checkpointed after, on a checkpointed store."""
    checkpoint(store)

    def durable() -> object:
        result = work()
        checkpoint(store)
        return result

    return seconds(durable)


def scenario_id(store: Store, name: str) -> int:
    return store.scalar("SELECT id FROM scenarios WHERE fiscal_year = ? AND name = ?",
                        [FISCAL_YEAR, name])


def total(store: Store, sid: int, where: str = "true", params: tuple = ()) -> Decimal:
    return store.scalar(f"SELECT sum(amount) FROM plan_lines WHERE scenario_id = ? AND {where}",
                        [sid, *params])


def run_clone(store: Store, ops: Scenarios, runs: int) -> tuple[list[float], list[float]]:
    base_id = scenario_id(store, "baseline")
    ops_s, bare_s = [], []
    for run in range(runs):
        bare_s.append(bare(store, BARE_INSERT, [base_id]))
        store.write(lambda cur: cur.execute("DELETE FROM plan_lines WHERE scenario_id = -1"))
        if run:
            ops.delete(FISCAL_YEAR, "b", ACTOR)
        t, result = operation(store, lambda: ops.clone(FISCAL_YEAR, "baseline", "b", ACTOR))
        assert result.total_after == total(store, base_id)
        ops_s.append(t)
    return ops_s, bare_s


def scale_runs(store: Store, ops: Scenarios, runs: int, *, new_editor: bool
               ) -> tuple[list[float], list[float]]:
    sid = scenario_id(store, "b")
    ops_s, bare_s = [], []
    for run in range(runs):
        # Someone else each run, or the person who edited the lines last (the previous run's).
        actor = f"{ACTOR}-{run}" if new_editor else f"{ACTOR}-{runs - 1}"
        bare_s.append(bare(store, BARE_SCALE, [sid]))
        before = total(store, sid)
        t, result = operation(store, lambda actor=actor: ops.scale(
            FISCAL_YEAR, "b", PERCENT, BudgetFilter(), actor))
        assert result.change == (before * PERCENT / 100).quantize(CENT) == \
            total(store, sid) - before
        if new_editor:  # every changed line, and only those, now names its new editor
            assert store.scalar("SELECT count(*) FROM plan_lines WHERE scenario_id = ?"
                                " AND edited_by = ?", [sid, actor]) == result.lines_changed
        ops_s.append(t)
    return ops_s, bare_s


def run_scale_new_editor(store: Store, ops: Scenarios, runs: int
                         ) -> tuple[list[float], list[float]]:
    return scale_runs(store, ops, runs, new_editor=True)


def run_scale(store: Store, ops: Scenarios, runs: int) -> tuple[list[float], list[float]]:
    return scale_runs(store, ops, runs, new_editor=False)


def run_shift(store: Store, ops: Scenarios, runs: int) -> tuple[list[float], list[float]]:
    sid = scenario_id(store, "b")
    source, target = CHANNELS[0], CHANNELS[1]
    ops_s, bare_s = [], []
    for _ in range(runs):
        held = {c: total(store, sid, "channel = ? AND NOT locked", (c,)) for c in (source, target)}
        factors = [(1 - SHIFTED / held[source]).quantize(FACTOR),
                   (1 + SHIFTED / held[target]).quantize(FACTOR)]
        bare_s.append(bare(store, BARE_SHIFT, [source, *factors, sid, source, target]))
        before = total(store, sid)
        t, result = operation(store, lambda: ops.shift(
            FISCAL_YEAR, "b", SHIFTED, BudgetFilter(channels=(source,)),
            BudgetFilter(channels=(target,)), ACTOR))
        assert result.change == 0 and total(store, sid) == before
        ops_s.append(t)
    return ops_s, bare_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = write_plan_csv(Path(tmp) / "plan.csv", args.lines)
        store = Store(Path(tmp) / "bench.duckdb")
        assert import_csv(store, "plan", csv_path).ok
        ops = Scenarios(store)
        for name, run in (("clone", run_clone), ("scale 5%, new editor", run_scale_new_editor),
                          ("scale 5%", run_scale), ("shift 1,000,000.00", run_shift)):
            ops_s, bare_s = run(store, ops, args.runs)
            figures.append((name, min(ops_s), min(bare_s), 2.0))
        project_s = [seconds(lambda: (project(store, FISCAL_YEAR, "baseline"),
                                      project(store, FISCAL_YEAR, "b")))[0]
                     for _ in range(args.runs)]
        figures.append(("project both", min(project_s), None, 1.0))
        compare_s = [seconds(lambda: compare(store, FISCAL_YEAR, ["baseline", "b"]))[0]
                     for _ in range(args.runs)]
        figures.append(("compare both", min(compare_s), None, 1.0))
        store.close()

    print(f"scenario operations on {args.lines:,} lines per scenario, best of {args.runs}")
    print(f"{'operation':<22}{'seconds':>9}{'baseline':>10}{'ratio':>8}  verdict")
    for name, op_s, base_s, limit in figures:
        ratio = op_s / base_s if base_s else None
        ok = op_s < limit and (ratio is None or ratio <= 3.0)
        print(f"{name:<22}{op_s:>9.3f}{base_s or 0:>10.3f}"
              f"{(f'{ratio:.2f}' if ratio else '-'):>8}  {'ok' if ok else 'MISSED'}"
              f" (target < {limit:.0f} s" + (", <= 3x baseline)" if base_s else ")"))


if __name__ == "__main__":
    main()
