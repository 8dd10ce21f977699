"""Benchmark: what taking turns with a `tandem` command costs a page.

    python bench/turns.py [--lines 1000000] [--views 20]

The app holds the embedded store only while it uses it and hands it over as soon as a command
waits (planning/store/turns.py). This measures one Budget view (every call the page makes, see
bench/budget_page.py STEPS) in the app's process, in four situations:

- kept: nothing changed since the last view, the store is still open (read results are kept);
- after a read: a `tandem kpis` in another process took its turn, so the view reopens the
  store (read results are still kept: a read does not change the revision);
- after a write: a `tandem pool` in another process changed the store, so the view reopens
  it and asks every question again;
- beside a loop: `tandem kpis` runs back to back in another process for the whole time, and
  views are taken one after another: p50 / p95 of the view, and how many commands ran.

The baseline in the same run is the first situation. Figures in the README.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from budget_page import STEPS  # noqa: E402
from plan_data import FISCAL_YEAR, write_plan_csv  # noqa: E402

from planning.budget import BudgetFilter  # noqa: E402
from planning.imports import import_csv  # noqa: E402
from planning.store import Store  # noqa: E402
from planning.tandem import Tandem  # noqa: E402


def view_ms(t: Tandem) -> float:
    state: dict = {"t": t, "year": FISCAL_YEAR, "where": BudgetFilter()}
    start = time.perf_counter()
    for _name, step in STEPS:
        step(state)
    return (time.perf_counter() - start) * 1000


def command(db: Path, *words: str) -> None:
    subprocess.run([sys.executable, "-m", "planning", "--db", str(db), *words],
                   check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--views", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "turns.duckdb"
        store = Store(db, label="the app")
        report = import_csv(store, "plan", write_plan_csv(Path(tmp) / "plan.csv", args.lines))
        assert report.ok, report.problems[:3]
        t = Tandem(store)
        t.set_pool(FISCAL_YEAR, Decimal("25000000000.00"))
        view_ms(t)  # the first view fills what is kept

        kept = [view_ms(t) for _ in range(args.views)]
        after_read, after_write = [], []
        pool = Decimal("25000000000.00")
        for i in range(5):
            command(db, "kpis", "--year", str(FISCAL_YEAR), "--format", "json")
            after_read.append(view_ms(t))
            pool += 1
            command(db, "pool", str(FISCAL_YEAR), str(pool))
            after_write.append(view_ms(t))
            assert t.pool(FISCAL_YEAR) == pool, i

        stop = threading.Event()
        ran = [0]

        def loop() -> None:
            while not stop.is_set():
                command(db, "kpis", "--year", str(FISCAL_YEAR), "--format", "json")
                ran[0] += 1

        beside = []
        thread = threading.Thread(target=loop)
        thread.start()
        started = time.perf_counter()
        while time.perf_counter() - started < 20 or len(beside) < args.views:
            beside.append(view_ms(t))
        stop.set()
        thread.join()
        store.close()

    def p(values: list[float], q: float) -> float:
        if len(values) < 2:
            return values[0]
        return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]

    base = statistics.median(kept)
    print(f"Budget view, {args.lines:,} plan lines (ms; ratio to the kept view)")
    for name, values in (("kept (baseline)", kept), ("after a command's read", after_read),
                         ("after a command's write", after_write),
                         ("beside a loop of tandem kpis", beside)):
        print(f"  {name:<32} p50 {statistics.median(values):8.1f}  p95 {p(values, 95):8.1f}"
              f"  max {max(values):8.1f}  x{statistics.median(values) / base:7.1f}"
              f"  ({len(values)} views)")
    print(f"  commands run beside the views: {ran[0]}")


if __name__ == "__main__":
    main()
