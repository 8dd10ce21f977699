"""Benchmark: importing a large plan file, against DuckDB's own CSV load as the floor.

    python bench/import_plan.py [--lines N] [--keep DIR] [--repeat R] [--json]

Generates a valid plan CSV of N lines (default 1,000,000; see bench/plan_data.py), then runs
each phase in a fresh process (so its peak RSS, `ru_maxrss`, is its own):

- baseline: DuckDB alone, `CREATE TABLE t AS SELECT * FROM read_csv(..., columns = {typed})` into
  a new database file: the floor for reading and storing the file;
- Tandem: `import_csv(Store(path), "plan", file)` on a new database file: every check + the write;
- re-import: the same file again into that store (the upsert path: 0 added, N unchanged).

Timings cover the load and closing the database (its checkpoint), not opening it. On a busy
machine, `--repeat R` runs the three phases R times and keeps each one's best time.
Targets: Tandem / baseline <= 2.0, and peak RSS of the Tandem import < 2 GiB.

`--formats` also imports the same lines written as a spreadsheet writes them, each into a new
database in a fresh process, against the UTF-8 comma CSV's import in the same run: a
semicolon-separated CSV with decimal commas, and an Excel workbook (.xlsx, written with
openpyxl). For the workbook it also times reading the sheet alone with python-calamine (what the
importer uses) and with openpyxl's read-only mode.

    python bench/import_plan.py --server postgresql://USER:PW@HOST:PORT/DB [--repeat R]

measures the PostgreSQL store too, in turns with the DuckDB file (run by run), against
PostgreSQL's own floor in the same run, and prints both stores' figures: the
baseline is `COPY bare FROM STDIN (FORMAT csv, HEADER)` of the same file, streamed from the
client, into a bare table with typed columns (`NUMERIC(18,2)` amount) in a new database; Tandem's
is `import_csv` on a new, migrated store database on that server (migrating is not timed), and
the re-import the same file again into it. Each phase runs in a fresh process, on a database made
from the URL's and dropped after. Target: Tandem / COPY <= 2.5.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import duckdb
from pg_server import drop_database, new_database, share_audit_key
from plan_data import write_plan_csv

MAX_RATIO = 2.0
MAX_RATIO_SERVER = 2.5
MAX_RSS_MIB = 2048
TYPED_COLUMNS = (
    "{'fiscal_year': 'INTEGER', 'owner': 'VARCHAR', 'category': 'VARCHAR',"
    " 'funnel_stage': 'VARCHAR', 'channel': 'VARCHAR', 'region': 'VARCHAR', 'month': 'VARCHAR',"
    " 'amount': 'DECIMAL(18,2)', 'description': 'VARCHAR'}"
)


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _warm_up() -> None:
    """Untimed: DuckDB imports numpy and pandas (~0.3 s) at a process's first `?` parameter."""
    duckdb.execute("SELECT ?", [0])


def baseline_phase(csv_path: str, db_path: str) -> dict:
    _warm_up()
    con = duckdb.connect(db_path)
    con.execute("SET enable_progress_bar = false")
    start = time.perf_counter()
    con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?, header = true,"
                f" columns = {TYPED_COLUMNS})", [csv_path])
    con.close()
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mib": _peak_mib()}


def tandem_phase(csv_path: str, db_path: str) -> dict:
    from planning.imports import import_csv
    from planning.store import Store

    _warm_up()
    store = Store(db_path)
    start = time.perf_counter()
    report = import_csv(store, "plan", Path(csv_path))
    store.close()
    seconds = time.perf_counter() - start
    assert report.ok, report.problems[:5]
    return {"seconds": seconds, "peak_mib": _peak_mib(), "rows": report.rows,
            "added": report.added, "updated": report.updated, "unchanged": report.unchanged}


BARE_TABLE = """
CREATE TABLE bare (fiscal_year INTEGER, owner VARCHAR, category VARCHAR, funnel_stage VARCHAR,
                   channel VARCHAR, region VARCHAR, month VARCHAR, amount NUMERIC(18,2),
                   description VARCHAR)
"""


def server_baseline_phase(csv_path: str, url: str) -> dict:
    """PostgreSQL's own COPY of the file into a bare typed table, streamed from this process as
    a client sends a file (`psql \\copy` does the same), committed."""
    import psycopg

    with psycopg.connect(url) as conn:
        conn.execute(BARE_TABLE)
        conn.commit()
        start = time.perf_counter()
        with conn.cursor() as cur, open(csv_path, "rb") as file, \
                cur.copy("COPY bare FROM STDIN (FORMAT csv, HEADER)") as copy:
            while chunk := file.read(1 << 20):
                copy.write(chunk)
        conn.commit()
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mib": _peak_mib()}


def server_tandem_phase(csv_path: str, url: str) -> dict:
    from planning.imports import import_csv
    from planning.store import open_store

    _warm_up()
    store = open_store(url)
    start = time.perf_counter()
    report = import_csv(store, "plan", Path(csv_path))
    seconds = time.perf_counter() - start
    store.close()
    assert report.ok, report.problems[:5]
    return {"seconds": seconds, "peak_mib": _peak_mib(), "rows": report.rows,
            "added": report.added, "updated": report.updated, "unchanged": report.unchanged}


def measure_server(csv_path: Path, lines: int, server: str) -> tuple[dict, dict, dict]:
    """(COPY baseline, import, re-import) on new databases of the server, each phase in a fresh
    process."""
    bare, store = "tandem_bench_copy", "tandem_bench_import"
    try:
        base = in_fresh_process(server_baseline_phase, str(csv_path),
                                new_database(server, bare))
        drop_database(server, bare)
        url = new_database(server, store)
        first = in_fresh_process(server_tandem_phase, str(csv_path), url)
        again = in_fresh_process(server_tandem_phase, str(csv_path), url)
    finally:
        drop_database(server, bare)
        drop_database(server, store)
    assert first["added"] == lines, first
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 0, lines), again
    return base, first, again


def file_phase(path: str, db_path: str) -> dict:
    """Import one file of the plan (any format) into a new database."""
    from planning.imports import import_csv
    from planning.store import Store

    _warm_up()
    store = Store(db_path)
    start = time.perf_counter()
    report = import_csv(store, "plan", Path(path))
    store.close()
    seconds = time.perf_counter() - start
    assert report.ok, [str(p) for p in report.problems[:5]]
    return {"seconds": seconds, "peak_mib": _peak_mib(), "rows": report.rows}


def read_phase(path: str, reader: str) -> dict:
    """Read every cell of the workbook's first sheet into Python, nothing else."""
    start = time.perf_counter()
    cells = 0
    if reader == "calamine":
        import python_calamine

        book = python_calamine.CalamineWorkbook.from_path(path)
        for row in book.get_sheet_by_index(0).iter_rows():
            cells += len(row)
    else:
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        for row in book.worksheets[0].iter_rows(values_only=True):
            cells += len(row)
    return {"seconds": time.perf_counter() - start, "peak_mib": _peak_mib(), "cells": cells}


def write_formats(csv_path: Path, workdir: Path) -> tuple[Path, Path]:
    """The plan CSV as a European spreadsheet saves it (semicolons, decimal commas) and as an
    Excel workbook with typed cells (numbers as numbers)."""
    import csv

    import openpyxl

    semicolon, xlsx = workdir / "plan-semicolon.csv", workdir / "plan.xlsx"
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("plan")
    with csv_path.open(newline="", encoding="utf-8") as source, \
            semicolon.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, delimiter=";")
        for i, row in enumerate(csv.reader(source)):
            if i:
                writer.writerow(row[:7] + [row[7].replace(".", ",")] + row[8:])
                sheet.append([int(row[0]), *row[1:7], float(row[7]), row[8] or None])
            else:
                writer.writerow(row)
                sheet.append(row)
    book.save(xlsx)
    return semicolon, xlsx


def formats(csv_path: Path, lines: int, workdir: Path) -> dict:
    semicolon, xlsx = write_formats(csv_path, workdir)
    found = {}
    for label, path in (("csv", csv_path), ("semicolon", semicolon), ("xlsx", xlsx)):
        db = workdir / f"formats-{label}.duckdb"
        for old in workdir.glob(f"formats-{label}.duckdb*"):
            old.unlink()
        r = in_fresh_process(file_phase, str(path), str(db))
        assert r["rows"] == lines, r
        found[label] = r
    for reader in ("calamine", "openpyxl"):
        found[f"read_{reader}"] = in_fresh_process(read_phase, str(xlsx), reader)
    csv_s = found["csv"]["seconds"]
    return {
        "xlsx_mb": round(xlsx.stat().st_size / 1e6, 1),
        **{f"{k}_s": round(v["seconds"], 3) for k, v in found.items()},
        **{f"{k}_peak_rss_mib": round(v["peak_mib"]) for k, v in found.items()},
        "semicolon_ratio": round(found["semicolon"]["seconds"] / csv_s, 2),
        "xlsx_ratio": round(found["xlsx"]["seconds"] / csv_s, 2),
        "openpyxl_to_calamine": round(found["read_openpyxl"]["seconds"]
                                      / found["read_calamine"]["seconds"], 1),
    }


def show_formats(r: dict) -> None:
    print(f"UTF-8 comma CSV       {r['csv_s']:>12.3f} s   peak RSS {r['csv_peak_rss_mib']:,} MiB")
    print(f"semicolon CSV         {r['semicolon_s']:>12.3f} s   peak RSS"
          f" {r['semicolon_peak_rss_mib']:,} MiB   ratio {r['semicolon_ratio']:.2f}")
    print(f"Excel workbook        {r['xlsx_s']:>12.3f} s   peak RSS {r['xlsx_peak_rss_mib']:,}"
          f" MiB   ratio {r['xlsx_ratio']:.2f}   ({r['xlsx_mb']} MB)")
    print(f"  read: calamine      {r['read_calamine_s']:>12.3f} s   peak RSS"
          f" {r['read_calamine_peak_rss_mib']:,} MiB")
    print(f"  read: openpyxl r/o  {r['read_openpyxl_s']:>12.3f} s   peak RSS"
          f" {r['read_openpyxl_peak_rss_mib']:,} MiB   ({r['openpyxl_to_calamine']}x calamine)")


def in_fresh_process(phase, *args) -> dict:
    """Run one phase in a new interpreter and return what it measured."""
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=spawn) as pool:  # a crashed child raises, never hangs
        return pool.submit(phase, *args).result()


def measure_once(csv_path: Path, lines: int, workdir: Path) -> tuple[dict, dict, dict]:
    """(baseline, import, re-import), each on a new database file and in a fresh process."""
    for old in workdir.glob("*.duckdb*"):
        old.unlink()
    tandem_db = str(workdir / "tandem.duckdb")
    base = in_fresh_process(baseline_phase, str(csv_path), str(workdir / "baseline.duckdb"))
    first = in_fresh_process(tandem_phase, str(csv_path), tandem_db)
    again = in_fresh_process(tandem_phase, str(csv_path), tandem_db)
    assert first["added"] == lines, first
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 0, lines), again
    return base, first, again


def best(runs: list[dict]) -> dict:
    """The fastest time and the highest peak RSS of repeated runs of one phase."""
    return {"seconds": min(r["seconds"] for r in runs),
            "peak_mib": max(r["peak_mib"] for r in runs)}


def summarise(runs: list[tuple[dict, dict, dict]], store: str, lines: int, repeat: int,
              csv_path: Path) -> dict:
    base, first, again = (best(list(phase)) for phase in zip(*runs, strict=True))
    ratio = first["seconds"] / base["seconds"]
    max_ratio = MAX_RATIO_SERVER if store == "postgresql" else MAX_RATIO
    return {
        "store": store,
        "max_ratio": max_ratio,
        "lines": lines,
        "repeat": repeat,
        "file_mb": round(csv_path.stat().st_size / 1e6, 1),
        "baseline_s": round(base["seconds"], 3),
        "tandem_s": round(first["seconds"], 3),
        "ratio": round(ratio, 2),
        "rows_per_s": round(lines / first["seconds"]),
        "tandem_peak_rss_mib": round(first["peak_mib"]),
        "baseline_peak_rss_mib": round(base["peak_mib"]),
        "reimport_s": round(again["seconds"], 3),
        "reimport_peak_rss_mib": round(again["peak_mib"]),
        "ok": ratio <= max_ratio and first["peak_mib"] < MAX_RSS_MIB,
    }


def run(lines: int, workdir: Path, repeat: int, with_formats: bool = False,
        server: str | None = None) -> dict:
    """The DuckDB file's figures; with `server`, the PostgreSQL store's too (under "server"),
    the two measured in turns, run by run."""
    csv_path = write_plan_csv(workdir / f"plan-{lines}.csv", lines)
    extra = {"formats": formats(csv_path, lines, workdir)} if with_formats else {}
    runs, served = [], []
    for _ in range(repeat):
        runs.append(measure_once(csv_path, lines, workdir))
        if server:
            served.append(measure_server(csv_path, lines, server))
    result = summarise(runs, "duckdb", lines, repeat, csv_path)
    if server:
        result["server"] = summarise(served, "postgresql", lines, repeat, csv_path)
    return {**result, **extra}


def show(r: dict) -> None:
    print(f"lines                 {r['lines']:>12,}"
          + (f"   (best of {r['repeat']} runs)" if r["repeat"] > 1 else ""))
    print(f"file size             {r['file_mb']:>12.1f} MB")
    floor = "(PG COPY)  " if r["store"] == "postgresql" else "(DuckDB)   "
    print(f"store                 {r['store']:>12}")
    print(f"baseline {floor}  {r['baseline_s']:>12.3f} s   peak RSS "
          f"{r['baseline_peak_rss_mib']:,} MiB")
    print(f"Tandem import         {r['tandem_s']:>12.3f} s   peak RSS "
          f"{r['tandem_peak_rss_mib']:,} MiB")
    print(f"ratio Tandem/baseline {r['ratio']:>12.2f}")
    print(f"rows/s                {r['rows_per_s']:>12,}")
    print(f"re-import (upsert)    {r['reimport_s']:>12.3f} s   peak RSS "
          f"{r['reimport_peak_rss_mib']:,} MiB")
    print(f"verdict: {'PASS' if r['ok'] else 'FAIL'} (targets: ratio <= {r['max_ratio']}, peak RSS"
          f" < {MAX_RSS_MIB} MiB; got ratio {r['ratio']:.2f}, peak RSS"
          f" {r['tandem_peak_rss_mib']:,} MiB)")
    if "server" in r:
        print()
        show(r["server"])
        print(f"\nboth stores: import {r['tandem_s']:.3f} s / {r['server']['tandem_s']:.3f} s,"
              f" floor {r['baseline_s']:.3f} s / {r['server']['baseline_s']:.3f} s, ratio"
              f" {r['ratio']:.2f} / {r['server']['ratio']:.2f} (DuckDB file / PostgreSQL)")
    if "formats" in r:
        show_formats(r["formats"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="write the CSV and databases to DIR and keep them")
    parser.add_argument("--repeat", type=int, default=1, metavar="R",
                        help="run every phase R times; report the best time, the highest RSS")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument("--formats", action="store_true",
                        help="also import it as a semicolon CSV and an Excel workbook")
    parser.add_argument("--server", help="measure on PostgreSQL too: a server URL"
                                         " (postgresql://...)")
    args = parser.parse_args()
    if args.server:
        share_audit_key()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        result = run(args.lines, args.keep, args.repeat, args.formats, args.server)
    else:
        with tempfile.TemporaryDirectory(prefix="tandem-bench-") as tmp:
            result = run(args.lines, Path(tmp), args.repeat, args.formats, args.server)
    if args.json:
        print(json.dumps(result))
    else:
        show(result)


if __name__ == "__main__":
    main()
