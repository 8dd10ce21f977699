"""Benchmark: the queries the Budget page runs for one view, against one bare scan of the lines.

    python bench/budget_page.py [--sizes 10000,100000,1000000] [--calls]

For each size, a store on a new database file gets a plan of that many lines (bench/plan_data.py,
through `import_csv`) and a pool. One view of the page is `b = Tandem(store).budget(2026, ...)`,
then `b.summary()`, `b.by_dimension(d)` for every dimension, `b.monthly()`, `b.options()`,
`b.month_range()` and `b.lines(page=0)` (the first 200-row table page). It is timed unfiltered
and filtered (owner marketing, one region): best of 5 runs after one warm-up, for the whole view
and for each call. The baseline, in the same run, is `SELECT sum(amount) FROM plan_lines` on the
same store, so the ratio is the page's cost in bare scans. `--calls` prints each call's best ms.

Target: every view's queries together take under 300 ms at 1,000,000 lines.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from plan_data import FISCAL_YEAR, REGIONS, write_plan_csv

from planning.budget import DIMENSIONS, BudgetFilter
from planning.imports import import_csv
from planning.store import Store
from planning.tandem import Tandem

RUNS = 5
TARGET_MS = 300.0
TARGET_LINES = 1_000_000
VIEWS = {"unfiltered": None,
         "filtered": BudgetFilter(owners=("marketing",), regions=(REGIONS[0],))}


def run_view(store: Store, where: BudgetFilter | None) -> dict[str, float]:
    """Milliseconds of each call of one view of the page."""
    ms: dict[str, float] = {}

    def timed(name, call):
        start = time.perf_counter()
        result = call()
        ms[name] = (time.perf_counter() - start) * 1000
        return result

    b = timed("budget()", lambda: Tandem(store).budget(FISCAL_YEAR, where=where))
    timed("summary()", b.summary)
    for dim in DIMENSIONS:
        timed(f"by_dimension({dim})", lambda dim=dim: b.by_dimension(dim))
    timed("monthly()", b.monthly)
    timed("options()", b.options)
    timed("month_range()", b.month_range)
    timed("lines(page=0)", lambda: b.lines(page=0))
    return ms


def best_of(runs: list[dict[str, float]]) -> tuple[float, dict[str, float]]:
    """(best total ms, best ms of each call) over the runs."""
    total = min(sum(run.values()) for run in runs)
    return total, {name: min(run[name] for run in runs) for name in runs[0]}


def measure(size: int, workdir: Path) -> list[tuple]:
    """(size, view, all ms, slowest call, its ms, scan ms, ratio, ms of each call) per view."""
    store = Store(workdir / f"budget-{size}.duckdb")
    report = import_csv(store, "plan", write_plan_csv(workdir / f"plan-{size}.csv", size))
    assert report.ok and report.added == size, report.problems[:5]
    Tandem(store).set_pool(FISCAL_YEAR, Decimal("25000000000.00"))
    scans = []
    for _ in range(1 + RUNS):
        start = time.perf_counter()
        store.scalar("SELECT sum(amount) FROM plan_lines")
        scans.append((time.perf_counter() - start) * 1000)
    scan = min(scans[1:])
    rows = []
    for view, where in VIEWS.items():
        runs = [run_view(store, where) for _ in range(1 + RUNS)][1:]
        total, best = best_of(runs)
        slowest = max(best, key=best.get)
        rows.append((size, view, total, slowest, best[slowest], scan, total / scan, best))
    store.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000",
                        help="plan sizes in lines, comma-separated")
    parser.add_argument("--calls", action="store_true", help="also print each call's best ms")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{'lines':>10}  {'view':<10}  {'all ms':>8}  {'slowest call':<24}  {'ms':>7}"
          f"  {'scan ms':>7}  {'ratio':>6}")
    rows = []
    with tempfile.TemporaryDirectory(prefix="tandem-bench-") as tmp:
        for size in sizes:
            for row in measure(size, Path(tmp)):
                rows.append(row)
                print(f"{row[0]:>10,}  {row[1]:<10}  {row[2]:>8.1f}  {row[3]:<24}  {row[4]:>7.1f}"
                      f"  {row[5]:>7.1f}  {row[6]:>6.1f}", flush=True)
                if args.calls:
                    print("            " + ", ".join(f"{name} {ms:.1f}"
                                                     for name, ms in row[7].items()))
    judged = [row for row in rows if row[0] >= TARGET_LINES]
    if not judged:
        print(f"verdict: n/a (the target is judged at {TARGET_LINES:,} lines or more)")
        return
    worst = max(judged, key=lambda row: row[2])
    verdict = "PASS" if worst[2] < TARGET_MS else "FAIL"
    print(f"verdict: {verdict} (target: all queries of one view < {TARGET_MS:.0f} ms at"
          f" {TARGET_LINES:,} lines; slowest view: {worst[1]} at {worst[0]:,} lines,"
          f" {worst[2]:.1f} ms)")


if __name__ == "__main__":
    main()
