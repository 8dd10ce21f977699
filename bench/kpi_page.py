"""Benchmark: the queries of one view of the KPI page over large outcomes and actuals.

    python bench/kpi_page.py [--sizes 10000,100000,1000000]

For each size N, a new store gets N outcomes rows and N actuals rows and a plan of N lines (one
actual in a hundred has a key no plan line has: unplanned spend), generated in DuckDB with the
contract's columns (the importer's speed is bench/import_plan.py's subject), plus annual and
monthly targets. One view is what pages/kpis.py asks planning for: the filter options and
`kpi_view` (tiles of the period and the period before, the monthly trend, the funnel, spend per
stage, spend against plan by every dimension, unplanned spend, efficiency by channel and
region). Best of 5 after a warm-up. The baseline, in the same run, is DuckDB alone doing the
least any view must: one pass over each table summing by month, and the anti-join of actuals
against the plan.

Target: all tiles and charts of one view under 500 ms at 1,000,000 rows each.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from planning.kpi_values import KpiFilter
from planning.kpi_views import kpi_view, options
from planning.store import Store

YEAR, RUNS, TARGET_MS = 2026, 5, 500.0


def fill(store: Store, rows: int) -> None:
    """Rows with unique keys: each key column is one digit of the row number in mixed radix."""
    def work(cur) -> None:
        cur.execute("INSERT INTO fiscal_years (fiscal_year) VALUES (?)", [YEAR])
        cur.execute("INSERT INTO scenarios (fiscal_year, name) VALUES (?, 'baseline')", [YEAR])
        month = f"DATE '{YEAR}-01-01' + INTERVAL ((i // 300) % 12) MONTH"
        cur.execute(f"""
            INSERT INTO outcomes SELECT i, {month}, 'Region ' || (i % 100),
                'Channel ' || (i // 3600), ['marketing', 'sales', 'joint'][(i // 100) % 3 + 1],
                100, 40, 16, 10, 3, 300000.00, 90000.00, 5, 4
            FROM range(?) t(i)""", [rows])
        line = f"""['sales', 'marketing', 'joint'][i % 3 + 1], 'Programs',
            ['awareness', 'consideration', 'preference', 'purchase', 'loyalty',
             'advocacy'][(i // 3600) % 6 + 1], 'Channel ' || (i // 21600),
            'Region ' || ((i // 3) % 100), {month}, CAST((i % 997) * 10 + 0.5 AS DECIMAL(18,2))"""
        cur.execute(f"INSERT INTO actuals SELECT i, {line}, NULL, NULL FROM range(?) t(i)",
                    [rows])
        cur.execute("INSERT INTO plan_lines (id, scenario_id, owner, category, funnel_stage,"
                    f" channel, region, month, amount) SELECT i, 1, {line} FROM range(?) t(i)"
                    " WHERE i % 100 <> 0", [rows])
        for i, (kpi, target) in enumerate((("revenue", 1e9), ("spend", 1e8), ("win_rate", 0.3),
                                           ("cac", 5000))):
            cur.execute("INSERT INTO targets VALUES (?, ?, ?, ?, ?)",
                        [i, YEAR, kpi, str(YEAR), target])
        cur.execute("INSERT INTO targets SELECT 100 + m, ?, 'revenue', ? || '-' ||"
                    " lpad(CAST(m AS VARCHAR), 2, '0'), 80000000 FROM range(1, 13) t(m)",
                    [YEAR, str(YEAR)])

    store.write(work)


def view(store: Store, period: str, where: KpiFilter) -> None:
    options(store)
    kpi_view(store, YEAR, period, where)


BASELINE = """
SELECT (SELECT count(*) FROM (SELECT month, sum(revenue), sum(wins) FROM outcomes GROUP BY 1)),
       (SELECT count(*) FROM (SELECT month, sum(amount) FROM actuals GROUP BY 1)),
       (SELECT count(*) FROM (SELECT month, sum(amount) FROM plan_lines GROUP BY 1)),
       (SELECT count(*) FROM actuals a ANTI JOIN plan_lines p
        USING (owner, category, funnel_stage, channel, region, month))
"""


def best_ms(work) -> float:
    work()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    print(f"{'rows':>10}  {'view':<22}{'ms':>9}{'DuckDB ms':>11}{'ratio':>8}")
    worst = 0.0
    for rows in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            store = Store(Path(tmp) / "kpis.duckdb")
            fill(store, rows)
            scan = best_ms(lambda s=store: s.scalar(BASELINE))
            for label, period, where in (
                ("year to date", f"{YEAR}-YTD", KpiFilter()),
                ("Q3, one region", f"{YEAR}-Q3", KpiFilter(regions=("Region 1",))),
            ):
                ms = best_ms(lambda s=store, p=period, w=where: view(s, p, w))
                worst = max(worst, ms) if rows == sizes[-1] else worst
                print(f"{rows:>10,}  {label:<22}{ms:>9.1f}{scan:>11.1f}{ms / scan:>8.2f}")
            store.close()
    verdict = "PASS" if worst < TARGET_MS else "FAIL"
    print(f"verdict: {verdict} (target: one view < {TARGET_MS:.0f} ms at {sizes[-1]:,} rows;"
          f" slowest {worst:.1f} ms)")


if __name__ == "__main__":
    main()
