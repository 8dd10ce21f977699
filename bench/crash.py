"""Kill -9 harness: every write survives SIGKILL at any instant, whole or not at all.

    python bench/crash.py --trials N [--ops clone,scale,...] [--lines 1000000] [--seed S]

Each operation runs as a real process (the `tandem` command, `python3 -m planning.cli --db ...`,
the app's first start, `dashboard.ui.context.open_tandem` on a new store, or, for a write only
the app makes, a program making the domain call its page makes as the person signed in) on a
copy of a prepared store, and is killed with SIGKILL at an instant picked by one of three
triggers, in turn: at a random time within its normal running time, the moment the store's
`.wal` file appears, or the moment the store file itself changes (a checkpoint writing). Then
the store is reopened and checked:

- it opens (`planning.store.Store`);
- `tandem audit verify` says intact;
- `planning.store.integrity.violations` finds nothing;
- every table is exactly as before or exactly as after: a digest of each table's content (its
  rows as a multiset, so row order does not count; timestamps and salted hashes left out, as
  they differ from run to run, and so is the minute the meeting pack's audit entry names)
  equals the one taken before the operation or the one taken after an un-killed run of it.

For the app's first start, "after" is what the app shows once restarted (a restart runs the
first start again when the store file does not exist); for `tandem init --demo`, "before" is
also a new empty store (what `tandem init` makes before loading the demo firm).

It prints, per operation: trials, how many were killed mid-run, how many left the store as
before, as after, partial (neither), unopenable, with a broken audit chain, and with integrity
violations. Exit status 1 when any trial is unopenable, partial, broken or violating.
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import io
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from planning import cli  # noqa: E402
from planning.cli_people import PASSWORD_ENV  # noqa: E402
from planning.store import Store  # noqa: E402
from planning.store.integrity import violations  # noqa: E402

PY = sys.executable
YEAR = "2026"
DEMO_PLAN = ROOT / "data" / "demo" / "plan.csv"
TRIGGERS = ("random", "wal", "write")
# Each head signs off the other department's lines and the joint ones.
MARKETING_REVIEWS = ("--where", "owner=sales", "--where", "owner=joint")
SALES_REVIEWS = ("--where", "owner=marketing", "--where", "owner=joint")
STORE = "store.duckdb"
# Columns left out of a table's digest: when a row was written, and salted or keyed hashes.
VOLATILE_TYPES = ("TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP_NS", "TIMESTAMP_MS",
                  "TIMESTAMP_S")
VOLATILE_COLUMNS = frozenset({"password_hash", "hash", "prev_hash", "token_hash", "bucket"})
# Text that says when it was written: the meeting pack's audit entry names the minute the pack
# runs until (`tandem pack` writes nothing else), so that value is left out of the entry.
VOLATILE_TEXT = {("audit_log", "after"): "CASE WHEN action = 'make pack' THEN"
                 " regexp_replace(\"after\", '\"until\":\"[^\"]*\"', '\"until\":\"\"')"
                 " ELSE \"after\" END"}
# Sign-in bookkeeping: `--as NAME` proves the person in a transaction of its own before the
# operation, so a kill between the two rightly keeps the sign-in and not the operation.
SIGN_IN_TABLES = frozenset({"sign_in_known", "sign_in_failures", "sign_in_sessions"})
APP_START = ("import sys; from dashboard.ui.context import open_tandem;"
             " open_tandem(sys.argv[1]).close()")
# Writes only the app makes: the domain call a page makes, as the person signed in to it.
APP_WRITE = """
import sys
from datetime import date
from decimal import Decimal
from planning import agreements, alignment, freed, variance
from planning.forecast import ForecastFilter, scale_forecast, shift_forecast
from planning.people import People
from planning.tandem import Tandem

db, what, name = sys.argv[1:4]
t = Tandem.open(db)
person = People(t.store).active(name)
if what == "explain":
    variance.explain(t.store, person, 2026, "marketing", "Paid search", "North America",
                     "timing", "The autumn search campaign moved to December.")
elif what == "accept":
    variance.decide(t.store, person, 2026, "marketing", "Paid search", "North America",
                    accept=True)
elif what == "release":
    freed.release(t.store, person, 2026)
elif what == "agree":
    waiting = agreements.waiting_for(t.store, person, 2026)
    agreements.agree(t.store, person, [p.key for p in waiting],
                     seen={p.key: p.value for p in waiting})
elif what == "answer":
    period = alignment.current_quarter(t.store)
    alignment.answer(t.store, person, period, {i: i % 5 + 1 for i in range(1, 21)})
elif what == "scale":
    scale_forecast(t.store, person, 2026, Decimal("5"), ForecastFilter(owners=("marketing",)))
elif what == "shift":
    shift_forecast(t.store, person, 2026, Decimal("25000.00"),
                   ForecastFilter(owners=("marketing",), channels=("Paid search",)),
                   ForecastFilter(owners=("marketing",), channels=("Webinars",)))
else:
    raise SystemExit(f"unknown write {what}")
t.close()
"""
os.environ.setdefault("TANDEM_WAIT", "30")  # a store left locked by a killed process
ENV = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}


@dataclass(frozen=True)
class Op:
    """An operation: the store it starts from, and the command (`{db}` is the store's path)."""

    name: str
    template: str  # "" = no store at all
    argv: tuple[str, ...]
    app: bool = False  # the app's first start: recovered by starting again
    password: str | None = None  # of the person the command acts as (--as)


def tandem(*args: str) -> tuple[str, ...]:
    return (PY, "-m", "planning.cli", "--db", "{db}", *args)


def password(name: str) -> str:
    """A demo person's password, which `--as NAME` proves."""
    from planning.demo import DEMO_PEOPLE
    return next(p[-1] for p in DEMO_PEOPLE if p[0] == name)


def acting(name: str, *args: str) -> dict:
    """The command `tandem ARGS --as NAME`, with that person's password to prove it."""
    return {"argv": tandem(*args, "--as", name), "password": password(name)}


def app(what: str, name: str) -> tuple[str, ...]:
    """A write only the app makes, by `name` signed in: the domain call its page makes."""
    return (PY, "-c", APP_WRITE, "{db}", what, name)


def operations(files: Path) -> list[Op]:
    channels = _demo_channels()
    return [
        Op("first start (app)", "", (PY, "-c", APP_START, "{db}"), app=True),
        Op("init --demo", "", tandem("init", "--demo")),
        Op("import plan", "demo", tandem("import", "plan", str(files / "plan.csv"))),
        Op("import actuals", "demo", tandem("import", "actuals", str(files / "actuals.csv"))),
        Op("import plan (large)", "demo",
           tandem("import", "plan", str(files / "plan_large.csv"), "--scenario", "large")),
        Op("clone", "demo", tandem("scenario", "clone", "baseline", "alt", "--year", YEAR)),
        Op("clone (large)", "large",
           tandem("scenario", "clone", "large", "large2", "--year", YEAR)),
        Op("scale", "demo", tandem("scenario", "scale", "baseline", "--percent", "5",
                                   "--year", YEAR)),
        Op("scale (large)", "large", tandem("scenario", "scale", "large", "--percent", "5",
                                            "--year", YEAR)),
        Op("shift", "demo", tandem("scenario", "shift", "baseline", "--amount", "1000.00",
                                   "--from", f"channel={channels[0]}",
                                   "--to", f"channel={channels[1]}", "--year", YEAR)),
        Op("split", "demo", tandem("scenario", "split", "baseline", "--amount", "5000.00",
                                   "--by", "owner", "--year", YEAR)),
        Op("review submit", "demo",
           **acting("Pat Planner", "review", "submit", "baseline", "--year", YEAR)),
        Op("review sign", "submitted",
           **acting("Marco Marketing", "review", "sign", "baseline", "--year", YEAR,
                    *MARKETING_REVIEWS)),
        Op("scenario lock", "signed",
           **acting("Sofia Sales", "scenario", "lock", "baseline", "--year", YEAR)),
        Op("import forecast", "demo",
           tandem("import", "forecast", str(files / "forecast.csv"))),
        Op("import leads", "demo", tandem("import", "leads", str(files / "leads.csv"))),
        Op("import survey", "demo", tandem("import", "survey", str(files / "survey.csv"))),
        Op("import targets (head)", "demo",
           **acting("Marco Marketing", "import", "targets", str(files / "targets.csv"))),
        Op("mappings add", "demo",
           tandem("mappings", "add", "erp", str(files / "mapping.toml"))),
        Op("rewards set", "demo",
           **acting("Erin Executive", "rewards", "set", "--year", YEAR, "--weight",
                    "revenue=50", "mqls=30", "win_rate=20", "--threshold", "0.75")),
        Op("pack", "demo", tandem("pack", "--year", YEAR, "--since", f"{YEAR}-11-01")),
        Op("explain variance", "demo", app("explain", "Marco Marketing")),
        Op("accept explanation", "explained", app("accept", "Sofia Sales")),
        Op("release freed", "approved", app("release", "Sofia Sales")),
        Op("agree target", "proposed", app("agree", "Sofia Sales")),
        Op("answer survey", "demo", app("answer", "Marco Marketing")),
        Op("scale forecast", "demo", app("scale", "Marco Marketing")),
        Op("shift forecast", "demo", app("shift", "Marco Marketing")),
    ]


def _demo_channels() -> list[str]:
    with DEMO_PLAN.open(encoding="utf-8") as f:
        seen = Counter(row["channel"] for row in csv.DictReader(f))
    return [name for name, _n in seen.most_common(2)]


# -- input files and prepared stores --------------------------------------------------------------
def write_lines(path: Path, lines: int, kind: str, seed: int) -> Path:
    """`lines` valid rows of a plan or actuals file, each with a key of its own."""
    rng = random.Random(seed)
    owners, stages = ("sales", "marketing", "joint"), ("awareness", "consideration", "purchase")
    head = ["owner", "category", "funnel_stage", "channel", "region", "month", "amount",
            "description"]
    head = ["fiscal_year", *head] if kind == "plan" else [*head, "reference"]
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(head)
        for i in range(lines):
            cents = rng.randrange(0, 2_000_000)
            row = [owners[i % 3], f"Crash check {i % 7}", stages[i % 3],
                   f"Channel {i // 12:07d}", f"Region {i % 5}", f"{YEAR}-{i % 12 + 1:02d}",
                   f"{cents // 100}.{cents % 100:02d}", "checked"]
            row = [YEAR, *row] if kind == "plan" else [*row, f"REF-{i}"]
            writer.writerow(row)
    return path


def write_forecast(path: Path) -> Path:
    """A forecast of every demo plan line of the open months (after the demo's last actuals),
    each amount changed, and a few keys with no plan line (new spend expected)."""
    with (ROOT / "data" / "demo" / "actuals.csv").open(encoding="utf-8") as f:
        closed = max(row["month"] for row in csv.DictReader(f))
    head = ["fiscal_year", "owner", "category", "funnel_stage", "channel", "region", "month",
            "amount", "description"]
    with DEMO_PLAN.open(encoding="utf-8") as f, path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(head)
        for i, row in enumerate(csv.DictReader(f)):
            if row["month"] > closed and row["fiscal_year"] == YEAR:
                cents = int(row["amount"].replace(".", "")) * (90 + i % 25) // 100
                writer.writerow([*(row[c] for c in head[:7]),
                                 f"{cents // 100}.{cents % 100:02d}", "latest estimate"])
        for i, month in enumerate(("2026-11", "2026-12")):
            writer.writerow([YEAR, "marketing", "Crash check", "awareness", "Podcasts", "EMEA",
                             month, f"{1500 + i * 250}.00", "unplanned"])
    return path


def write_leads(path: Path, leads: int = 150_000, seed: int = 11) -> Path:
    """`leads` new leads of the demo's regions and channels (more than a DuckDB row group, so
    that the import writes them optimistically), and the demo's first leads again, touched
    since (an upsert of leads already there)."""
    rng = random.Random(seed)
    regions = ("EMEA", "North America", "APAC", "LATAM")
    channels = ("Paid search", "Webinars", "Field sales", "Partners", "Trade shows")
    sides = ("marketing", "sales", "joint")
    reps = ("Lukas Weber", "Kenji Sato", "Ana Lima", "Grace Hall")
    head = ["lead_id", "created_at", "region", "channel", "sourced_by", "mql_at", "rep",
            "first_touch_at", "sql_at"]
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(head)
        with (ROOT / "data" / "demo" / "leads.csv").open(encoding="utf-8") as f:
            for i, row in enumerate(csv.DictReader(f)):
                if i >= 2000:
                    break
                if row["mql_at"] and not row["first_touch_at"]:
                    row["rep"] = row["rep"] or reps[i % 4]
                    row["first_touch_at"] = row["mql_at"]
                writer.writerow([row[c] for c in head])
        for i in range(leads):
            created = 1_767_225_600 + rng.randrange(0, 330 * 86_400)  # 2026-01-01 on
            mql = created + rng.randrange(0, 5 * 86_400) if i % 3 else None
            touch = mql + rng.randrange(0, 3 * 86_400) if mql and i % 4 else None
            sql = touch + rng.randrange(0, 9 * 86_400) if touch and i % 5 == 0 else None
            writer.writerow([f"CRASH-{i:07d}", _stamp(created), regions[i % 4],
                             channels[i % 5], sides[i % 3], _stamp(mql),
                             reps[i % 4] if touch else "", _stamp(touch), _stamp(sql)])
    return path


def _stamp(seconds: int | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(seconds)) if seconds else ""


def write_survey(path: Path) -> Path:
    """Twelve more respondents' answers to the 20 statements, in the demo's quarters."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["respondent", "department", "period", "item", "score"])
        for r in range(12):
            side = ("sales", "marketing")[r % 2]
            for period in ("2026-Q2", "2026-Q3"):
                for item in range(1, 21):
                    writer.writerow([f"CRASH-{side[0].upper()}{r:02d}", side, period, item,
                                     (r + item) % 5 + 1])
    return path


def write_targets(path: Path) -> Path:
    """Targets a head proposes: some of the demo's changed, one new."""
    rows = [("2026", "mqls", "2026", "14200"), ("2026", "revenue", "2026-Q4", "8300000.00"),
            ("2026", "leads", "2026", "37000"), ("2026", "win_rate", "2026", "27%")]
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["fiscal_year", "kpi", "period", "target"])
        writer.writerows(rows)
    return path


def write_mapping(path: Path) -> Path:
    path.write_text("""kind = "actuals"
[columns]
month = "Posting Date"
amount = "Amount (USD)"
channel = "Vendor"
region = "Cost Center"
reference = "Document No"
[constants]
owner = "marketing"
category = "Programs"
funnel_stage = "awareness"
[values.channel]
"Google Ads" = "Paid search"
"LinkedIn Ads" = "Paid social"
[values.region]
"CC-100 EMEA" = "EMEA"
[format]
date = "%d/%m/%Y"
""", encoding="utf-8")
    return path


def _env(secret: str | None) -> dict[str, str]:
    return {**ENV, PASSWORD_ENV: secret} if secret else ENV


def _argv(argv: tuple[str, ...], db: Path) -> list[str]:
    return [a.replace("{db}", str(db)) for a in argv]


def _run(argv: tuple[str, ...], db: Path, secret: str | None = None) -> None:
    done = subprocess.run(_argv(argv, db), cwd=ROOT, env=_env(secret), capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr[-2000:]}")


def _settle(db: Path) -> None:
    """Open and close the store, so that it has no WAL left (closing checkpoints it)."""
    Store(db).close()


def build_templates(work: Path, lines: int, needed: set[str]) -> dict[str, Path]:
    """The prepared stores, each in a directory of its own (a store has files beside it)."""
    out = {}
    # Each store but the demo starts as a copy of another (its base), then takes its steps.
    steps: dict[str, tuple[str | None, list]] = {
        "demo": (None, [tandem("init", "--demo")]),
        "large": ("demo", [tandem("import", "plan", str(work / "files" / "big.csv"),
                                  "--scenario", "large")]),
        "submitted": ("demo", [acting("Pat Planner", "review", "submit", "baseline")]),
        "signed": ("submitted", [
            acting("Marco Marketing", "review", "sign", "baseline", *MARKETING_REVIEWS),
            acting("Sofia Sales", "review", "sign", "baseline", *SALES_REVIEWS)]),
        # A variance explained by marketing's head, waiting for sales' head to accept it.
        "explained": ("demo", [app("explain", "Marco Marketing")]),
        # Freed money marketing's head approved releasing, waiting for sales' head.
        "approved": ("demo", [app("release", "Marco Marketing")]),
        # Targets marketing's head proposed (an import of targets), waiting for sales' head.
        "proposed": ("demo", [acting("Marco Marketing", "import", "targets",
                                     str(work / "files" / "targets.csv"))]),
    }
    if "large" in needed and not (work / "files" / "big.csv").exists():
        from plan_data import write_plan_csv
        write_plan_csv(work / "files" / "big.csv", lines)

    def build(name: str) -> Path:
        folder = work / "templates" / name
        db = folder / STORE
        if not db.exists():
            base, todo = steps[name]
            copy_store(build(base) if base else None, folder)
            for step in todo:
                step = step if isinstance(step, dict) else {"argv": step}
                _run(step["argv"], db, step.get("password"))
            _settle(db)
        return folder

    for name in sorted(needed - {""}):
        out[name] = build(name)
    return out


def prepare(work: Path, lines: int, ops: list[Op]) -> dict[str, Path]:
    files = work / "files"
    files.mkdir(parents=True, exist_ok=True)
    for name, count, kind in (("plan.csv", 600, "plan"), ("actuals.csv", 600, "actuals"),
                              ("plan_large.csv", 130_000, "plan")):
        if not (files / name).exists():
            write_lines(files / name, count, kind, seed=len(name))
    for name, write in (("forecast.csv", write_forecast), ("leads.csv", write_leads),
                        ("survey.csv", write_survey), ("targets.csv", write_targets),
                        ("mapping.toml", write_mapping)):
        if not (files / name).exists():
            write(files / name)
    return build_templates(work, lines, {op.template for op in ops})


def copy_store(template: Path | None, folder: Path) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    if template is None:
        folder.mkdir(parents=True)
    else:
        shutil.copytree(template, folder, ignore=shutil.ignore_patterns("*.lock"))
    return folder / STORE


# -- digests ---------------------------------------------------------------------------------------
def digest(store: Store) -> dict[str, tuple]:
    """Per table: its row count and an order-free digest of its rows' stable columns."""
    columns: dict[str, list[str]] = {}
    for table, column, kind in store.query(
            "SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c"
            " JOIN information_schema.tables t USING (table_schema, table_name)"
            " WHERE c.table_schema = 'main' AND t.table_type = 'BASE TABLE'"
            " ORDER BY c.table_name, c.ordinal_position"):
        if table in SIGN_IN_TABLES:
            continue
        columns.setdefault(table, [])
        if (table, column) in VOLATILE_TEXT:
            columns[table].append(VOLATILE_TEXT[table, column])
        elif kind not in VOLATILE_TYPES and column not in VOLATILE_COLUMNS:
            columns[table].append(f'"{column}"')
    out = {}
    for table, cols in columns.items():
        row = f"hash({', '.join(cols)})" if cols else "0"
        out[table] = tuple(store.query(
            f'SELECT count(*), coalesce(sum({row}::HUGEINT), 0), coalesce(bit_xor({row}), 0)'
            f' FROM "{table}"')[0])
    return out


def store_digest(db: Path) -> dict[str, tuple]:
    store = Store(db)
    try:
        return digest(store)
    finally:
        store.close()


@dataclass
class Reference:
    before: list[dict]  # acceptable "before" states
    after: dict
    seconds: float


def reference(op: Op, templates: dict[str, Path], work: Path, runs: int = 2) -> Reference:
    """Before and after of an un-killed run (twice by default: the digest must not depend on
    the run, or it could not tell before from after)."""
    afters, seconds = [], []
    before: list[dict] = []
    for run in range(runs):
        db = copy_store(templates.get(op.template), work / "ref" / f"run{run}")
        if op.template and run == 0:
            before.append(store_digest(db))
        start = time.perf_counter()
        _run(op.argv, db, op.password)
        seconds.append(time.perf_counter() - start)
        afters.append(store_digest(db))
    if afters[0] != afters[-1]:
        differ = sorted(t for t in afters[0] if afters[0][t] != afters[1].get(t))
        raise RuntimeError(f"{op.name}: two un-killed runs differ in {differ}; the digest"
                           " cannot tell before from after")
    if not op.template and not op.app:
        empty = copy_store(None, work / "ref" / "empty")
        before.append(store_digest(empty))
    return Reference(before, afters[0], min(seconds))


# -- one trial -------------------------------------------------------------------------------------
@dataclass
class Outcome:
    killed: bool
    state: str  # before, after, partial, unopenable
    audit_ok: bool = True
    violations: list[str] = field(default_factory=list)
    detail: str = ""


def _changed(db: Path, seen: tuple | None) -> bool:
    try:
        st = db.stat()
    except FileNotFoundError:
        return False
    return (st.st_size, st.st_mtime_ns) != seen


def run_killed(op: Op, db: Path, trigger: str, seconds: float, rng: random.Random) -> bool:
    """Start the operation and SIGKILL it when the trigger fires; True if it was killed."""
    wal = Path(f"{db}.wal")
    start_stat = (db.stat().st_size, db.stat().st_mtime_ns) if db.exists() else None
    proc = subprocess.Popen(_argv(op.argv, db), cwd=ROOT, env=_env(op.password),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + rng.uniform(0, seconds * 1.1)
    while proc.poll() is None:
        if trigger == "random" and time.monotonic() >= deadline:
            break
        if trigger == "wal" and wal.exists():
            break
        if trigger == "write" and _changed(db, start_stat):
            break
        time.sleep(0.0002 if trigger != "random" else 0.002)
    killed = proc.poll() is None
    if killed:
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    return killed


def check(op: Op, db: Path, ref: Reference) -> Outcome:
    """Reopen the store (restarting the app for a first start) and judge what it holds."""
    outcome = Outcome(killed=True, state="partial")
    if op.app:
        restart = subprocess.run(_argv(op.argv, db), cwd=ROOT, env=ENV, capture_output=True,
                                 text=True)
        if restart.returncode != 0:
            outcome.state, outcome.detail = "unopenable", restart.stderr.strip()[-300:]
            return outcome
    elif not db.exists():
        outcome.state = "before"
        return outcome
    try:
        store = Store(db)
    except Exception as exc:  # noqa: BLE001 - any failure to open is what this counts
        outcome.state, outcome.detail = "unopenable", str(exc).splitlines()[0][:300]
        return outcome
    try:
        outcome.violations = violations(store)
        found = digest(store)
    finally:
        store.close()
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["--db", str(db), "audit", "verify"])
    outcome.audit_ok = code == 0 and out.getvalue().startswith("intact")
    if not outcome.audit_ok:
        outcome.detail = (err.getvalue() or out.getvalue()).strip()[:300]
    if found == ref.after:
        outcome.state = "after"
    elif found in ref.before:
        outcome.state = "before"
    else:
        before = ref.before[-1] if ref.before else {}
        kinds = {t: "after" if found[t] == ref.after.get(t) else
                 "before" if found[t] == before.get(t) else "neither" for t in found}
        changed = {t: k for t, k in kinds.items() if ref.after.get(t) != before.get(t)}
        outcome.detail = outcome.detail or f"tables the operation changes: {changed}"
    return outcome


def trial(op: Op, templates: dict[str, Path], ref: Reference, work: Path, trigger: str,
          rng: random.Random) -> Outcome:
    db = copy_store(templates.get(op.template), work / "trial")
    killed = run_killed(op, db, trigger, ref.seconds, rng)
    outcome = check(op, db, ref)
    outcome.killed = killed
    if outcome.state in ("partial", "unopenable"):
        keep = work / "failed" / f"{op.name.replace(' ', '_')}-{time.time_ns()}"
        shutil.copytree(db.parent, keep)
        outcome.detail += f" (kept in {keep})"
    return outcome


# -- the run ---------------------------------------------------------------------------------------
@dataclass
class Tally:
    trials: int = 0
    killed: int = 0
    states: Counter = field(default_factory=Counter)
    audit_broken: int = 0
    violating: int = 0
    by_trigger: Counter = field(default_factory=Counter)
    details: list[str] = field(default_factory=list)

    def add(self, outcome: Outcome, trigger: str) -> None:
        self.trials += 1
        self.killed += outcome.killed
        self.by_trigger[trigger] += outcome.killed
        self.states[outcome.state] += 1
        self.audit_broken += not outcome.audit_ok
        self.violating += bool(outcome.violations)
        if outcome.state in ("partial", "unopenable") or not outcome.audit_ok \
                or outcome.violations:
            self.details.append(f"{trigger}: {outcome.state} {outcome.violations}"
                                f" {outcome.detail}".strip())

    @property
    def failures(self) -> int:
        return (self.states["partial"] + self.states["unopenable"] + self.audit_broken
                + self.violating)


def run(ops: list[Op], trials: int, lines: int, seed: int, work: Path,
        log=print, triggers: tuple[str, ...] = TRIGGERS, ref_runs: int = 2,
        schedule: list[tuple[Op, str]] | None = None, progress: int = 0) -> dict[str, Tally]:
    """`trials` kill trials spread over `ops` in turn, each op's trigger changing from one
    round to the next (or the trials of `schedule`); a tally per op."""
    rng = random.Random(seed)
    if schedule is None:
        schedule = [(ops[i % len(ops)], triggers[(i % len(ops) + i // len(ops)) % len(triggers)])
                    for i in range(trials)]
    templates = prepare(work, lines, ops)
    refs = {}
    for op in ops:
        refs[op.name] = reference(op, templates, work, ref_runs)
        log(f"reference {op.name}: {refs[op.name].seconds:.2f} s un-killed")
    tallies = {op.name: Tally() for op in ops}
    for i, (op, trigger) in enumerate(schedule):
        outcome = trial(op, templates, refs[op.name], work, trigger, rng)
        tallies[op.name].add(outcome, trigger)
        if outcome.state in ("partial", "unopenable") or outcome.violations \
                or not outcome.audit_ok:
            log(f"trial {i + 1} {op.name} [{trigger}]: {tallies[op.name].details[-1]}")
        if progress and (i + 1) % progress == 0:
            log(f"after {i + 1} trials:\n{report(tallies)}")
    return tallies


def report(tallies: dict[str, Tally]) -> str:
    lines = [f"{'operation':<22}{'trials':>7}{'killed':>7}{'before':>7}{'after':>7}"
             f"{'partial':>8}{'unopen':>7}{'audit':>6}{'integ':>6}  killed by random/wal/write"]
    total = Tally()
    for name, t in tallies.items():
        lines.append(f"{name:<22}{t.trials:>7}{t.killed:>7}{t.states['before']:>7}"
                     f"{t.states['after']:>7}{t.states['partial']:>8}{t.states['unopenable']:>7}"
                     f"{t.audit_broken:>6}{t.violating:>6}  "
                     + "/".join(str(t.by_trigger[g]) for g in TRIGGERS))
        total.trials += t.trials
        total.killed += t.killed
        total.states.update(t.states)
        total.audit_broken += t.audit_broken
        total.violating += t.violating
        total.by_trigger.update(t.by_trigger)
    lines.append(f"{'all':<22}{total.trials:>7}{total.killed:>7}{total.states['before']:>7}"
                 f"{total.states['after']:>7}{total.states['partial']:>8}"
                 f"{total.states['unopenable']:>7}{total.audit_broken:>6}{total.violating:>6}  "
                 + "/".join(str(total.by_trigger[g]) for g in TRIGGERS))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--ops", help="comma-separated operation names (default: all)")
    parser.add_argument("--lines", type=int, default=1_000_000,
                        help="lines of the large scenario (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reference-runs", type=int, default=2,
                        help="un-killed runs per operation for its before and after (default 2:"
                             " two must agree, or the digest could not tell them apart)")
    parser.add_argument("--triggers", default=",".join(TRIGGERS),
                        help=f"when to kill, taken in turn (default {','.join(TRIGGERS)})")
    parser.add_argument("--workdir", type=Path,
                        help="keep prepared stores here between runs (default: a temp dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tandem-crash-") as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        ops = operations(work / "files")
        if args.ops:
            wanted = [w.strip() for w in args.ops.split(",")]
            unknown = set(wanted) - {op.name for op in ops}
            if unknown:
                parser.error(f"unknown operations {sorted(unknown)}; known:"
                             f" {[op.name for op in ops]}")
            ops = [op for op in ops if op.name in wanted]
        start = time.perf_counter()
        triggers = tuple(t.strip() for t in args.triggers.split(","))
        if set(triggers) - set(TRIGGERS):
            parser.error(f"unknown triggers; use {', '.join(TRIGGERS)}")
        tallies = run(ops, args.trials, args.lines, args.seed, work, triggers=triggers,
                      ref_runs=args.reference_runs,
                      progress=len(ops) * len(triggers), log=lambda line: print(line, flush=True))
        print(report(tallies))
        print(f"{sum(t.trials for t in tallies.values())} trials in"
              f" {time.perf_counter() - start:.0f} s; duckdb {_duckdb_version()}")
    return 1 if any(t.failures for t in tallies.values()) else 0


def _duckdb_version() -> str:
    import duckdb
    return duckdb.__version__


if __name__ == "__main__":
    sys.exit(main())
