"""Benchmark: importing a large CRM export of leads, against DuckDB's own CSV load as the floor.

    python bench/import_leads.py [--leads N] [--keep DIR] [--repeat R] [--json]

Generates a valid leads CSV of N leads (default 1,000,000; see `write_leads_csv`), then runs each
phase in a fresh process (so its peak RSS is its own):

- baseline: DuckDB alone, `CREATE TABLE t AS SELECT * FROM read_csv(..., columns = {typed})` into
  a new database file, the times typed TIMESTAMPTZ (DuckDB's type that honours an offset; its
  TIMESTAMP reads `10:00+02:00` as 10:00): the floor for reading and storing the file;
- Tandem: `import_csv(Store(path), "leads", file)` on a new database file: every check (each
  time's form, calendar and offset, the hand-off's order, the rep, duplicate ids) and the write;
- re-import: the same file again into that store (the upsert path: 0 added, N unchanged);
- update: a later export of the same leads, about one in twenty of them touched or accepted
  since, into that store (the upsert path: those updated, the others unchanged).

Timings cover the load and closing the database (its checkpoint), not opening it. `--repeat R`
runs the phases R times and keeps each one's best time. Target: Tandem / baseline <= 2.5.
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from import_plan import _peak_mib, _warm_up, best, in_fresh_process  # noqa: E402

MAX_RATIO = 2.5
TYPED_COLUMNS = (
    "{'lead_id': 'VARCHAR', 'created_at': 'TIMESTAMPTZ', 'region': 'VARCHAR',"
    " 'channel': 'VARCHAR', 'sourced_by': 'VARCHAR', 'mql_at': 'TIMESTAMPTZ', 'rep': 'VARCHAR',"
    " 'first_touch_at': 'TIMESTAMPTZ', 'sql_at': 'TIMESTAMPTZ'}"
)
REGIONS = ("EMEA North", "EMEA South", "DACH", "UK & Ireland", "North America East",
           "North America West", "LATAM", "APAC", "ANZ", "Japan")
CHANNELS = ("Paid search", "Paid social", "Organic search", "Email", "Events", "Field sales",
            "Partners", "Inside sales", "Display", "Webinars", "Direct mail", "Referrals",
            "Trade shows", "Podcasts", "Content syndication", "Affiliates", "Marketplace",
            "Outbound calls", "SMS", "Retargeting")

# Each lead's figures come from hashes of its number (and `variant`, for a later export in which
# about one lead in twenty moved on): reproducible; a million leads are written in seconds.
# 20% sourced by sales (worked by a rep at once), 15% joint, 65% marketing, of which 92% become
# MQLs (60% of all leads) within three days; 95% of MQLs are touched, most within six hours;
# 40% of the touched are accepted. Three rows in ten are written with an offset (+02:00, -05:00
# or Z, its times shifted to match), the others in UTC as `YYYY-MM-DD HH:MM:SS`.
LEADS = """
WITH base AS (
    SELECT i, TIMESTAMP '2025-12-01 00:00:00'
              + to_seconds(CAST(hash(i, 'created') % 33000000 AS BIGINT)) AS created,
           hash(i, 'source') % 100 AS s, hash(i, 'form') % 10 AS form,
           hash(i, 'changed', $variant) % 10 = 0 AND $variant > 0 AS changed
    FROM range($n) t(i)
), hand_off AS (
    SELECT *, CASE WHEN s < 20 THEN 'sales' WHEN s < 35 THEN 'joint' ELSE 'marketing' END
              AS sourced_by,
           CASE WHEN s >= 20 AND hash(i, 'mql') % 100 < 75
                THEN created + to_seconds(CAST(hash(i, 'delay') % 259200 AS BIGINT)) END AS mql,
           CASE WHEN hash(i, 'slow') % 100 < 85
                THEN to_seconds(CAST(hash(i, 'touch') % 21600 AS BIGINT))
                ELSE to_seconds(CAST(hash(i, 'touch') % 259200 AS BIGINT)) END AS wait
    FROM base
), worked AS (
    SELECT *, CASE WHEN mql IS NOT NULL OR sourced_by = 'sales'
                   THEN 'Rep ' || (i // 7 % 60 + 1) END AS rep,
           CASE WHEN sourced_by = 'sales' THEN created + wait
                WHEN mql IS NOT NULL AND (hash(i, 'touched') % 100 < 95 OR changed)
                THEN mql + wait END AS touch
    FROM hand_off
), accepted AS (
    SELECT *, CASE WHEN touch IS NOT NULL AND (hash(i, 'sql') % 100 < 40 OR changed)
                   THEN touch + to_seconds(CAST(hash(i, 'accept') % 864000 AS BIGINT)) END AS sql
    FROM worked
)
SELECT 'L' || lpad(CAST(i AS VARCHAR), 8, '0') AS lead_id, {created} AS created_at,
       ($regions)[CAST(hash(i, 'region') % 10 AS BIGINT) + 1] AS region,
       ($channels)[CAST(hash(i, 'channel') % 20 AS BIGINT) + 1] AS channel, sourced_by,
       {mql} AS mql_at, rep, {touch} AS first_touch_at, {sql} AS sql_at
FROM accepted ORDER BY i
"""


def _written(column: str) -> str:
    """SQL writing a UTC time as the row's form says: UTC, +02:00, -05:00 or Z."""
    return (f"CASE WHEN {column} IS NULL THEN NULL"
            f" WHEN form = 0 THEN strftime({column} + INTERVAL 2 HOUR, '%Y-%m-%dT%H:%M:%S+02:00')"
            f" WHEN form = 1 THEN strftime({column} - INTERVAL 5 HOUR, '%Y-%m-%dT%H:%M:%S-05:00')"
            f" WHEN form = 2 THEN strftime({column}, '%Y-%m-%dT%H:%M:%SZ')"
            f" ELSE strftime({column}, '%Y-%m-%d %H:%M:%S') END")


def write_leads_csv(path: Path, leads: int, variant: int = 0) -> Path:
    """Write `leads` valid leads with distinct ids to `path` (plus the header); `variant` > 0
    is a later export of the same leads, some of them touched or accepted since."""
    sql = LEADS.format(created=_written("created"), mql=_written("mql"),
                       touch=_written("touch"), sql=_written("sql"))
    con = duckdb.connect()
    con.execute(f"COPY ({sql}) TO '{path}' (HEADER, DELIMITER ',')",
                {"n": leads, "variant": variant, "regions": list(REGIONS),
                 "channels": list(CHANNELS)})
    con.close()
    return path


def _cpu() -> float:
    """CPU seconds of this process, all its threads: steadier than the clock on a shared
    machine (the clock counts the time other processes held the cores)."""
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


def baseline_phase(csv_path: str, db_path: str) -> dict:
    _warm_up()
    con = duckdb.connect(db_path)
    con.execute("SET enable_progress_bar = false")
    start, cpu = time.perf_counter(), _cpu()
    con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?, header = true,"
                f" columns = {TYPED_COLUMNS})", [csv_path])
    con.close()
    return {"seconds": time.perf_counter() - start, "cpu": _cpu() - cpu, "peak_mib": _peak_mib()}


def tandem_phase(csv_path: str, db_path: str) -> dict:
    from planning.imports import import_csv
    from planning.store import Store

    _warm_up()
    store = Store(db_path)
    start, cpu = time.perf_counter(), _cpu()
    report = import_csv(store, "leads", Path(csv_path))
    store.close()
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    assert report.ok, [str(p) for p in report.problems[:5]]
    return {"seconds": seconds, "cpu": cpu, "peak_mib": _peak_mib(), "rows": report.rows,
            "added": report.added, "updated": report.updated, "unchanged": report.unchanged}


def measure_once(csv_path: Path, later: Path, leads: int, workdir: Path) -> tuple[dict, ...]:
    """(baseline, import, re-import, update), each in a fresh process, new database files."""
    for old in workdir.glob("*.duckdb*"):
        old.unlink()
    tandem_db = str(workdir / "tandem.duckdb")
    base = in_fresh_process(baseline_phase, str(csv_path), str(workdir / "baseline.duckdb"))
    first = in_fresh_process(tandem_phase, str(csv_path), tandem_db)
    again = in_fresh_process(tandem_phase, str(csv_path), tandem_db)
    update = in_fresh_process(tandem_phase, str(later), tandem_db)
    assert first["added"] == leads, first
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 0, leads), again
    assert update["added"] == 0 and 0 < update["updated"] < leads, update
    return base, first, again, update


def run(leads: int, workdir: Path, repeat: int) -> dict:
    csv_path = write_leads_csv(workdir / f"leads-{leads}.csv", leads)
    later = write_leads_csv(workdir / f"leads-{leads}-later.csv", leads, variant=1)
    runs = [measure_once(csv_path, later, leads, workdir) for _ in range(repeat)]
    base, first, again, update = (best(list(phase)) for phase in zip(*runs, strict=True))
    base_cpu, first_cpu = (min(r[i]["cpu"] for r in runs) for i in (0, 1))
    updated = runs[0][3]["updated"]
    ratio = first["seconds"] / base["seconds"]
    return {
        "leads": leads, "repeat": repeat,
        "file_mb": round(csv_path.stat().st_size / 1e6, 1),
        "baseline_s": round(base["seconds"], 3), "tandem_s": round(first["seconds"], 3),
        "ratio": round(ratio, 2), "rows_per_s": round(leads / first["seconds"]),
        "baseline_cpu_s": round(base_cpu, 3), "tandem_cpu_s": round(first_cpu, 3),
        "cpu_ratio": round(first_cpu / base_cpu, 2),
        "tandem_peak_rss_mib": round(first["peak_mib"]),
        "baseline_peak_rss_mib": round(base["peak_mib"]),
        "reimport_s": round(again["seconds"], 3),
        "reimport_peak_rss_mib": round(again["peak_mib"]),
        "update_s": round(update["seconds"], 3), "updated": updated,
        "ok": ratio <= MAX_RATIO,
    }


def show(r: dict) -> None:
    print(f"leads                 {r['leads']:>12,}"
          + (f"   (best of {r['repeat']} runs)" if r["repeat"] > 1 else ""))
    print(f"file size             {r['file_mb']:>12.1f} MB")
    print(f"baseline (DuckDB)     {r['baseline_s']:>12.3f} s   peak RSS "
          f"{r['baseline_peak_rss_mib']:,} MiB")
    print(f"Tandem import         {r['tandem_s']:>12.3f} s   peak RSS "
          f"{r['tandem_peak_rss_mib']:,} MiB")
    print(f"ratio Tandem/baseline {r['ratio']:>12.2f}   (CPU time: {r['tandem_cpu_s']:.1f} s /"
          f" {r['baseline_cpu_s']:.1f} s = {r['cpu_ratio']:.2f})")
    print(f"rows/s                {r['rows_per_s']:>12,}")
    print(f"re-import (upsert)    {r['reimport_s']:>12.3f} s   peak RSS "
          f"{r['reimport_peak_rss_mib']:,} MiB   (0 added, all unchanged)")
    print(f"later export          {r['update_s']:>12.3f} s   ({r['updated']:,} leads updated)")
    print(f"verdict: {'PASS' if r['ok'] else 'FAIL'} (target: ratio <= {MAX_RATIO};"
          f" got {r['ratio']:.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="write the CSV files and databases to DIR and keep them")
    parser.add_argument("--repeat", type=int, default=1, metavar="R",
                        help="run every phase R times; report the best time, the highest RSS")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        result = run(args.leads, args.keep, args.repeat)
    else:
        with tempfile.TemporaryDirectory(prefix="tandem-bench-") as tmp:
            result = run(args.leads, Path(tmp), args.repeat)
    print(json.dumps(result)) if args.json else show(result)


if __name__ == "__main__":
    main()
