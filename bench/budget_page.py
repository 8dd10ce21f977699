"""Benchmark: everything the Budget page asks planning for in one view, against one bare scan.

    python bench/budget_page.py [--sizes 10000,100000,1000000]

For each size, a store on a new database file gets a plan of that many lines (bench/plan_data.py,
through `import_csv`), a pool, and a second scenario (a clone), so the scenario list has two
entries. One view is every call `pages/budget.py` makes on a rerun, in the page's order, plus the
entry's (`dashboard/app.py`: the fiscal years for the year picker and the firm's name); STEPS
lists them. A test (tests/test_bench_budget_page.py) keeps STEPS in step with the page.

Every view is timed cold: a committed write comes just before it, so the store's revision is
new and no read result is kept from before (the worst case: the first view after a change).
Views are unfiltered and filtered (owner marketing, one region); best of 5 after one warm-up,
for the whole view and for each step. The baseline, in the same run, is a bare
`SELECT sum(amount) FROM plan_lines` on the same store, so the ratio is the view's cost in bare
scans.

Target: all of one view under 300 ms at 1,000,000 lines.

    python bench/budget_page.py --server postgresql://USER:PW@HOST:PORT/DB

measures the same on the PostgreSQL store too, in the same run, size by size after the DuckDB
file: a new database per size on that server (made from the URL's database, dropped after), with
its own bare scan as the baseline, then both stores' totals side by side. Target for the
PostgreSQL store: all of one view under 500 ms at 1,000,000 lines.
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
from pg_server import drop_database, new_database, share_audit_key  # noqa: E402
from plan_data import FISCAL_YEAR, REGIONS, write_plan_csv  # noqa: E402

from planning.budget import BudgetFilter  # noqa: E402
from planning.imports import import_csv  # noqa: E402
from planning.scenarios import Scenarios  # noqa: E402
from planning.store import Store, open_store  # noqa: E402
from planning.tandem import Tandem  # noqa: E402

RUNS = 5
TARGET_MS = 300.0
TARGETS_MS = {"duckdb": TARGET_MS, "postgresql": 500.0}  # the PostgreSQL store's, from its issue
TARGET_LINES = 1_000_000
VIEWS = {"unfiltered": BudgetFilter(),
         "filtered": BudgetFilter(owners=("marketing",), regions=(REGIONS[0],))}
BREAKDOWNS = ("funnel_stage", "category", "channel", "region", "owner")  # the page's charts

# (step, the planning call it times), in the order the page makes them; each step gets the
# view's state `v` (t, year, where, and what earlier steps returned).
STEPS: list[tuple[str, Callable[[dict], object]]] = [
    ("fiscal_years()", lambda v: v["t"].fiscal_years()),
    ("firm_name", lambda v: v["t"].firm_name),
    ("currency", lambda v: v["t"].currency),
    ("scenarios(year)", lambda v: v.__setitem__(
        "names", [s.name for s in v["t"].scenarios(v["year"])])),
    ("adopted_scenario(year)", lambda v: v.__setitem__(
        "adopted", v["t"].adopted_scenario(v["year"]))),
    ("budget(year, scenario)", lambda v: v.__setitem__(
        "budget", v["t"].budget(v["year"], v["adopted"]))),
    ("month_range()", lambda v: v["budget"].month_range()),
    ("options()", lambda v: v["budget"].options()),
    ("filtered(where)", lambda v: v.__setitem__("budget", v["budget"].filtered(v["where"]))),
    ("summary()", lambda v: v["budget"].summary()),
    ("monthly()", lambda v: v["budget"].monthly()),
    *[(f"by_dimension({dim})", lambda v, dim=dim: v["budget"].by_dimension(dim))
      for dim in BREAKDOWNS],
    ("lines(page=0)", lambda v: v["budget"].lines(sort="amount", descending=True, page=0)),
]


def run_view(t: Tandem, where: BudgetFilter) -> dict[str, float]:
    """Milliseconds of each step of one view, right after a committed write."""
    t.store.write(lambda cur: None)  # a new revision: nothing kept from before
    state: dict = {"t": t, "year": FISCAL_YEAR, "where": where}
    ms: dict[str, float] = {}
    for name, step in STEPS:
        start = time.perf_counter()
        step(state)
        ms[name] = (time.perf_counter() - start) * 1000
    return ms


def best_of(runs: list[dict[str, float]]) -> tuple[float, dict[str, float]]:
    """(best total ms, best ms of each step) over the runs."""
    total = min(sum(run.values()) for run in runs)
    return total, {name: min(run[name] for run in runs) for name in runs[0]}


def scan_ms(store: Store) -> float:
    scans = []
    for _ in range(1 + RUNS):
        start = time.perf_counter()
        store.scalar("SELECT sum(amount) FROM plan_lines")
        scans.append((time.perf_counter() - start) * 1000)
    return min(scans[1:])


def measure(size: int, workdir: Path, server: str | None = None
            ) -> tuple[float, dict[str, tuple[float, dict]]]:
    """(scan ms, view -> (best total ms, best ms of each step))."""
    if server:
        store = open_store(new_database(server, f"tandem_bench_{size}"))
    else:
        store = Store(workdir / f"budget-{size}.duckdb")
    report = import_csv(store, "plan", write_plan_csv(workdir / f"plan-{size}.csv", size))
    assert report.ok and report.added == size, report.problems[:5]
    t = Tandem(store)
    t.set_pool(FISCAL_YEAR, Decimal("25000000000.00"))
    Scenarios(store).clone(FISCAL_YEAR, "baseline", "stretch", "bench")
    views = {}
    for view, where in VIEWS.items():
        runs = [run_view(t, where) for _ in range(1 + RUNS)][1:]
        views[view] = best_of(runs)
    scan = scan_ms(store)
    store.close()
    if server:
        drop_database(server, f"tandem_bench_{size}")
    return scan, views


def show(size: int, store: str, scan: float, views: dict[str, tuple[float, dict]]) -> None:
    print(f"\n{size:,} lines, {store}: one cold view, best of {RUNS} (ms)")
    print(f"{'step':<26}" + "".join(f"{view:>12}" for view in views))
    for name, _step in STEPS:
        print(f"{name:<26}" + "".join(f"{views[v][1][name]:>12.1f}" for v in views))
    print(f"{'all steps':<26}" + "".join(f"{views[v][0]:>12.1f}" for v in views))
    print(f"{'bare sum(amount) scan':<26}" + f"{scan:>12.1f}" * len(views))
    print(f"{'ratio':<26}" + "".join(f"{views[v][0] / scan:>12.1f}" for v in views), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000",
                        help="plan sizes in lines, comma-separated")
    parser.add_argument("--server", help="measure on PostgreSQL too: a server URL"
                                         " (postgresql://...)")
    args = parser.parse_args()
    if args.server:
        share_audit_key()
    sizes = [int(s) for s in args.sizes.split(",")]
    stores = {"duckdb": None, **({"postgresql": args.server} if args.server else {})}
    judged: dict[str, list] = {store: [] for store in stores}
    totals: dict[tuple[int, str], dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="tandem-bench-") as tmp:
        for size in sizes:
            for store, server in stores.items():
                scan, views = measure(size, Path(tmp), server)
                show(size, store, scan, views)
                totals[size, store] = {v: views[v][0] for v in views}
                if size >= TARGET_LINES:
                    judged[store] += [(views[v][0], v, size) for v in views]
    if len(stores) > 1:
        print("\nboth stores, all steps of one cold view (ms)")
        print(f"{'lines':>10}" + "".join(f"{f'{s} {v}':>24}" for s in stores for v in VIEWS))
        for size in sizes:
            print(f"{size:>10,}" + "".join(f"{totals[size, s][v]:>24.1f}"
                                           for s in stores for v in VIEWS))
    for store, found in judged.items():
        target = TARGETS_MS[store]
        if not found:
            print(f"verdict, {store}: n/a (the target is judged at {TARGET_LINES:,} lines or more)")
            continue
        worst = max(found)
        verdict = "PASS" if worst[0] < target else "FAIL"
        print(f"verdict, {store}: {verdict} (target: all of one view < {target:.0f} ms at"
              f" {TARGET_LINES:,} lines; slowest: {worst[1]} at {worst[2]:,} lines,"
              f" {worst[0]:.1f} ms)")


if __name__ == "__main__":
    main()
