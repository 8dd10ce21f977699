"""Coverage-guided fuzzing of the importer (atheris, libFuzzer's engine) for a bounded time.

    python3 fuzz/import_fuzz.py [--seconds 600] [--kind plan] [--keep tests/data/fuzz] [--seed N]
    python3 fuzz/import_fuzz.py --big      # the worst shapes near the upload cap, one by one

Each input is one file for `import_csv` (the first byte picks the kind unless `--kind` is
given); it runs against one in-memory store, alternating checks and real imports so that upserts
run too. A finding is any exception, a file that takes more than `--slow` seconds, or a report
that breaks the importer's promises (a problem without a row, a listing over the cap, a value
not cut); each is written under `--keep` as `<kind>-<sha1>.csv` (the regression tests read that
directory) and the run goes on. At the end it prints runs, findings, the slowest input and the
peak RSS. libFuzzer's own limits (`-timeout`, `-rss_limit_mb`) stop a run that hangs or blows up;
the input it names is kept as a crash the same way.

Seeds: the templates in data/templates, the inputs already kept, and a few odd shapes.
libFuzzer mutates small inputs; `--big` instead builds the shapes that cost the most near the
upload cap (100 MB: every cell bad, a million-cell row, a 100 MB line, a header of a million
columns ...) and imports each in a fresh process, printing its time and peak RSS against the
goals (10 s, 1 GiB).
Needs `pip install atheris` (not a dependency of Tandem: only this script uses it).
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import os
import resource
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

import atheris

# `--big` measures the importer as it runs for a person: not instrumented (the spawned processes
# it measures in get the same arguments).
with (contextlib.nullcontext() if "--big" in sys.argv
      else atheris.instrument_imports(include=["planning.imports"])):
    from planning.imports import import_csv
    from planning.imports.kinds import KINDS
    try:
        from planning.imports.problems import SHOWN_PROBLEMS, VALUE_CHARS
    except ImportError:  # an older importer, to see what the fuzzer finds in it
        SHOWN_PROBLEMS, VALUE_CHARS = 1000, 10**9

from planning.store import Store

ROOT = Path(__file__).resolve().parent.parent
KIND_NAMES = tuple(KINDS)


class Stats:
    runs = 0
    findings = 0
    slowest = (0.0, "")
    started = time.monotonic()


def _peak_mib() -> float:
    """This process's peak RSS: VmHWM, which starts afresh at exec (ru_maxrss would keep the
    peak of the parent a spawned process was forked from)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _report_stats() -> None:
    seconds = time.monotonic() - Stats.started
    print(f"\nimport fuzz: {Stats.runs:,} runs in {seconds:.0f} s, {Stats.findings} finding(s),"
          f" slowest input {Stats.slowest[0]:.2f} s {Stats.slowest[1]},"
          f" peak RSS {_peak_mib():.0f} MiB", flush=True)


def _broken_promise(report, data: bytes) -> str | None:
    """What is wrong with a report, if anything: the importer's promises beyond not raising."""
    if report.ok:
        return None if not report.problems else "ok with problems listed"
    if not report.problems:
        return "refused with no problem listed"
    if len(report.problems) > SHOWN_PROBLEMS or report.problem_count < len(report.problems):
        return "problem listing over the cap or count below it"
    for p in report.problems:
        if p.value is not None and len(p.value) > VALUE_CHARS + 40:
            return "a problem's value is not cut"
        if len(p.message) > 2 * VALUE_CHARS + 400:
            return "a problem's message is not cut"
        if "cannot be told apart" in p.message or "cannot be read as CSV" in p.message:
            return "the importer's fallback message (reader disagreement): " + p.message
    return None


def make_target(keep: Path, fixed_kind: str | None, slow: float, seconds: float):
    store = Store()

    def keep_input(kind: str, data: bytes, why: str) -> None:
        Stats.findings += 1
        name = f"{kind}-{hashlib.sha1(data).hexdigest()[:16]}.csv"
        keep.mkdir(parents=True, exist_ok=True)
        (keep / name).write_bytes(data)
        print(f"finding {name}: {why}", flush=True)

    def target(raw: bytes) -> None:
        if time.monotonic() - Stats.started > seconds:
            _report_stats()  # libFuzzer's own exit skips Python's atexit
            os._exit(1 if Stats.findings else 0)
        if fixed_kind:
            kind, data, commit = fixed_kind, raw, Stats.runs % 2 == 1
        else:
            if len(raw) < 1:
                return
            kind = KIND_NAMES[raw[0] % len(KIND_NAMES)]
            commit = raw[0] // len(KIND_NAMES) % 2 == 1
            data = raw[1:]
        Stats.runs += 1
        start = time.monotonic()
        try:
            report = import_csv(store, kind, data, file_name="fuzz.csv", commit=commit)
        except Exception as exc:  # noqa: BLE001 - every exception is a finding
            keep_input(kind, data, f"{type(exc).__name__}: {str(exc)[:300]}")
            traceback.print_exc(limit=6)
            return
        took = time.monotonic() - start
        if took > Stats.slowest[0]:
            Stats.slowest = (took, f"({kind}, {len(data):,} bytes)")
        if took > slow:
            keep_input(kind, data, f"slow: {took:.1f} s")
        broken = _broken_promise(report, data)
        if broken:
            keep_input(kind, data, broken)

    return target


def seeds(directory: Path) -> Path:
    """A corpus directory with the templates, the kept inputs and a few odd shapes."""
    directory.mkdir(parents=True, exist_ok=True)
    found = []
    for i, kind in enumerate(KIND_NAMES):
        template = (ROOT / "data" / "templates" / f"{kind}.csv").read_bytes()
        found.append(bytes([i]) + template)
        found.append(bytes([i + len(KIND_NAMES)]) + template)
        found.append(bytes([i]) + template.replace(b"\n", b"\r"))
        found.append(bytes([i]) + template.replace(b"\n", b"\n\r"))
        found.append(bytes([i]) + template.replace(b"\n", b"\r\n"))
        lines = template.splitlines(keepends=True)
        found.append(bytes([i]) + lines[0] + lines[1].rstrip(b"\n") + b',"x""y",,a\n')
        found.append(bytes([i]) + lines[0] + b'\n\n"' + lines[1])
    for kept in sorted((ROOT / "tests" / "data" / "fuzz").glob("*.csv")):
        kind = kept.name.split("-", 1)[0]
        if kind in KIND_NAMES:
            found.append(bytes([KIND_NAMES.index(kind)]) + kept.read_bytes())
    for data in found:
        (directory / hashlib.sha1(data).hexdigest()).write_bytes(data)
    return directory


MB = 1024 * 1024
PLAN_HEADER = b"fiscal_year,owner,category,funnel_stage,channel,region,month,amount,description"
GOOD_ROW = b"2026,sales,Events,awareness,Field,EMEA,2026-01,100.00,"


def _rows(template: bytes, size: int) -> bytes:
    """`size` bytes of plan rows made from `template` (its `{i}` numbered), after the header."""
    one = len(template.replace(b"{i}", b"0000000")) + 1
    return PLAN_HEADER + b"\n" + b"".join(
        template.replace(b"{i}", str(i).zfill(7).encode()) + b"\n" for i in range(size // one))


BIG = {
    "good rows, 95 MB (for comparison)": lambda: _rows(
        b"2026,sales,Events,awareness,Field,R{i},2026-01,1.00,", 95 * MB),
    "every cell bad, 2M rows, 95 MB": lambda: _rows(b"x{i},x,,x,,,x,x," + b"d" * 30, 95 * MB),
    "every row too short, 95 MB": lambda: _rows(b"{i}", 95 * MB),
    "2M rows too short, 95 MB": lambda: _rows(b"{i}" + b" " * 43, 95 * MB),
    "3.9M short rows (lines under the refusal), 95 MB": lambda: _rows(b"{i}" + b" " * 17,
                                                                      95 * MB),
    "every row 2 cells too many, 95 MB": lambda: _rows(GOOD_ROW + b"{i},a,b", 95 * MB),
    "every row a duplicate, 95 MB": lambda: _rows(GOOD_ROW, 95 * MB),
    "a row of 2 MB with a million cells": lambda: PLAN_HEADER + b"\n" + GOOD_ROW + b",a" * MB,
    "one 95 MB line of commas": lambda: PLAN_HEADER + b"\n" + b"," * (95 * MB),
    "one 95 MB line of quoted cells": lambda: PLAN_HEADER + b"\n" + b'"ab",' * (19 * MB),
    "a 95 MB last line": lambda: PLAN_HEADER + b"\n" + GOOD_ROW + b"x" * (95 * MB),
    "a header of a million columns": lambda: PLAN_HEADER + b"".join(
        b",c%d" % i for i in range(1_000_000)) + b"\n" + GOOD_ROW + b"\n",
    "a quote left open, 95 MB after it": lambda: _rows(GOOD_ROW, 95 * MB).replace(
        b"\n", b'\n"', 1),
    "blank lines between 95 MB of good rows": lambda: _rows(
        b"2026,sales,Events,awareness,Field,R{i},2026-01,1.00,\n", 95 * MB),
    "classic Mac line ends, 95 MB": lambda: _rows(
        b"2026,sales,Events,awareness,Field,R{i},2026-01,1.00,", 95 * MB).replace(b"\n", b"\r"),
}


STEPS = (("importer", "read_source"), ("importer._Job", "_stage"), ("importer._Job", "_layout"),
         ("importer._Job", "_find_problems"), ("importer._Job", "_collect"), ("merge", "run"))


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _watch_steps() -> dict[str, list[float]]:
    """Wrap the importer's steps so that each one's peak RSS (sampled every 5 ms) and time are
    recorded: {step: [peak MiB, seconds]}."""
    from planning.imports import importer, merge

    steps: dict[str, list[float]] = {}
    current = ["other"]

    def sample() -> None:
        while True:
            entry = steps.setdefault(current[0], [0.0, 0.0])
            entry[0] = max(entry[0], _rss_mib())
            time.sleep(0.005)

    threading.Thread(target=sample, daemon=True).start()
    for owner_path, name in STEPS:
        owner = {"importer": importer, "importer._Job": importer._Job, "merge": merge}[owner_path]
        original, label = getattr(owner, name), name.lstrip("_")

        def wrapped(*args, _original=original, _name=label, **kwargs):
            before, current[0] = current[0], _name
            start = time.monotonic()
            try:
                return _original(*args, **kwargs)
            finally:
                steps.setdefault(_name, [0.0, 0.0])[1] += time.monotonic() - start
                current[0] = before

        setattr(owner, name, functools.wraps(original)(wrapped))
    return steps


def _big_case(path: str) -> dict:
    steps = _watch_steps()
    start = time.monotonic()
    report = import_csv(Store(), "plan", Path(path), file_name="big.csv", commit=False)
    seconds = time.monotonic() - start
    first = str(report.problems[0])[:120] if report.problems else "ok"
    return {"seconds": seconds, "peak_mib": _peak_mib(), "problems": report.problem_count,
            "first": first, "cpu": time.process_time(),
            "steps": ", ".join(f"{k} {v[0]:.0f} MiB {v[1]:.1f} s" for k, v in steps.items()
                               if k != "other")}


def big(only: str = "") -> int:
    """Each shape built here (those whose name holds `only`), imported in a fresh process (its
    peak RSS is the import's own, the file's bytes included); 1 when a goal is missed."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    missed = 0
    spawn = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.csv"
        for name, build in BIG.items():
            if only not in name:
                continue
            path.write_bytes(build())
            with ProcessPoolExecutor(1, mp_context=spawn) as pool:
                r = pool.submit(_big_case, str(path)).result()
            over = r["seconds"] > 10 or r["peak_mib"] > 1024
            missed += over
            print(f"{'MISSED' if over else 'ok    '} {name}: {path.stat().st_size / MB:.0f} MB"
                  f" in {r['seconds']:.1f} s ({r['cpu']:.1f} s CPU), peak RSS"
                  f" {r['peak_mib']:.0f} MiB, {r['problems']:,} problem(s); {r['first']}\n"
                  f"         per step: {r['steps']}", flush=True)
    return 1 if missed else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--kind", choices=KIND_NAMES)
    parser.add_argument("--keep", type=Path, default=ROOT / "tests" / "data" / "fuzz")
    parser.add_argument("--slow", type=float, default=10.0, help="seconds that make a finding")
    parser.add_argument("--max-len", type=int, default=65536)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--big", action="store_true", help="the worst shapes near the cap")
    parser.add_argument("--only", default="", help="with --big: the shapes whose name holds this")
    args, rest = parser.parse_known_args()
    if args.big:
        sys.exit(big(args.only))
    corpus = seeds(Path(tempfile.mkdtemp(prefix="import-fuzz-")))
    libfuzzer = [sys.argv[0], f"-max_total_time={args.seconds + 120}", "-timeout=30",
                 "-rss_limit_mb=2048", f"-max_len={args.max_len}", f"-seed={args.seed}",
                 "-print_final_stats=1", f"-artifact_prefix={tempfile.gettempdir()}/",
                 *rest, str(corpus)]
    Stats.started = time.monotonic()
    atheris.Setup(libfuzzer, make_target(args.keep, args.kind, args.slow, args.seconds))
    atheris.Fuzz()


if __name__ == "__main__":
    main()
