"""Benchmark: the latest estimate (the Where we land page's figures) over a large plan.

    python bench/forecast.py [--sizes 10000,100000,1000000]

For each size N, a new store gets a plan of N lines, N actuals (one in a hundred with a key no
plan line has: unplanned spend) and N/100 forecasts of open months, generated in DuckDB with the
contract's columns, with actuals to September (the as-of month). One view is what the page asks
planning for: `estimate` (by owner, month, stage, channel and region) and `variances` (the
closed months per owner, channel and region). Each is timed cold (a committed write just before,
so nothing is kept) and the best of 5 after a warm-up is shown. The baseline, in the same run, is
DuckDB alone doing the least the estimate must: one pass over the plan, the actuals and the
forecasts summing by owner and month.

Target: the latest estimate under 500 ms at 1,000,000 plan lines and 1,000,000 actuals.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from planning.forecast import estimate  # noqa: E402
from planning.store import Store  # noqa: E402
from planning.variance import variances  # noqa: E402

YEAR, RUNS, TARGET_MS = 2026, 5, 500.0
BASELINE = """
SELECT owner, month, sum(amount) FROM (
    SELECT owner, month, amount FROM plan_lines
    UNION ALL SELECT owner, month, amount FROM actuals WHERE month <= DATE '2026-09-01'
    UNION ALL SELECT owner, month, amount FROM forecasts WHERE fiscal_year = 2026) AS r
GROUP BY owner, month
"""


def fill(store: Store, rows: int) -> None:
    """Unique keys: each key column is one digit of the row number in mixed radix."""
    def work(cur) -> None:
        cur.execute("INSERT INTO fiscal_years (fiscal_year, pool) VALUES (?, 1e12)", [YEAR])
        cur.execute("INSERT INTO scenarios (fiscal_year, name) VALUES (?, 'baseline')", [YEAR])
        month = f"DATE '{YEAR}-01-01' + INTERVAL (i % 12) MONTH"
        line = f"""['sales', 'marketing', 'joint'][(i // 12) % 3 + 1],
            'Category ' || (i // 36 % 10),
            ['awareness', 'consideration', 'preference', 'purchase', 'loyalty',
             'advocacy'][(i // 360) % 6 + 1], 'Channel ' || (i // 2160 % 20),
            'Region ' || (i // 43200), {month}, CAST((i % 997) * 10 + 0.5 AS DECIMAL(18,2))"""
        cur.execute("INSERT INTO plan_lines (id, scenario_id, owner, category, funnel_stage,"
                    f" channel, region, month, amount) SELECT i, 1, {line} FROM range(?) t(i)"
                    " WHERE i % 100 <> 0", [rows])
        cur.execute(f"INSERT INTO actuals SELECT i, {line}, NULL, NULL FROM range(?) t(i)"
                    " WHERE i % 12 < 9", [rows])
        cur.execute("INSERT INTO forecasts (id, fiscal_year, owner, category, funnel_stage,"
                    " channel, region, month, amount, updated_by)"
                    f" SELECT i, {YEAR}, {line}, 'bench' FROM range(?)"
                    " t(i) WHERE i % 12 >= 9 AND i % 100 = 50", [rows])

    store.write(work)


def best_ms(run, store: Store) -> float:
    times = []
    for _ in range(RUNS + 1):
        store.write(lambda cur: None)  # a new revision: nothing kept
        start = time.perf_counter()
        run(store)
        times.append((time.perf_counter() - start) * 1000)
    return min(times[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    args = parser.parse_args()
    print(f"{'rows':>10}{'estimate ms':>14}{'variances ms':>14}{'DuckDB alone ms':>17}"
          f"{'ratio':>8}  target")
    for rows in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            store = Store(Path(tmp) / "forecast.duckdb")
            fill(store, rows)
            found = estimate(store, YEAR)
            assert found.as_of is not None and found.as_of.month == 9
            est = best_ms(lambda s: estimate(s, YEAR), store)
            var = best_ms(lambda s: variances(s, YEAR), store)
            base = best_ms(lambda s: s.query(BASELINE), store)
            verdict = ("met" if est < TARGET_MS else "MISSED") if rows >= 1_000_000 else ""
            print(f"{rows:>10,}{est:>14.0f}{var:>14.0f}{base:>17.0f}{est / base:>8.1f}  {verdict}")
            store.close()


if __name__ == "__main__":
    main()
