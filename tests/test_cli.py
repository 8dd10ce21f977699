"""The `tandem` command: arguments, exit codes 0/1/2 and the FILE:ROW:COLUMN error form."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from planning.cli import main
from planning.store import Store

PLAN_HEADER = "fiscal_year,owner,category,funnel_stage,channel,region,month,amount,description"
# Sorted by key, as an export writes it.
GOOD_PLAN = (PLAN_HEADER + "\n"
             "2026,marketing,Programs,awareness,Paid search,EMEA,2026-02,250.50,Search\n"
             "2026,sales,Events,awareness,Field,EMEA,2026-01,100.00,\n")
BAD_PLAN = (PLAN_HEADER + "\n"
            "2026,sales,Events,awareness,Field,EMEA,2026-01,12.345,\n"
            "2026,bogus,Events,awareness,Field,EMEA,2026-02,1.00,\n"
            "\n"
            "2026,sales,Events,awareness,Field,EMEA,2026-14,1.00,\n")
ERROR_LINE = re.compile(r"^(?P<file>[^:]+):(?P<row>\d+):(?P<column>[^:]+): (?P<message>.+)$")


def counts(db: Path) -> tuple[int, ...]:
    store = Store(db)
    try:
        return tuple(store.scalar(f"SELECT count(*) FROM {t}")
                     for t in ("plan_lines", "actuals", "outcomes", "targets", "imports",
                               "scenarios"))
    finally:
        store.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "cli.duckdb"


@pytest.fixture
def initialised(db: Path) -> Path:
    """The store at `db`, made as a person makes one: only `tandem init` creates a store."""
    assert main(["--db", str(db), "init"]) == 0
    return db


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_init_creates_an_empty_store(db, capsys):
    assert main(["--db", str(db), "init"]) == 0
    assert capsys.readouterr().out == f"store ready: {db}\n"
    assert db.is_file()
    assert counts(db) == (0, 0, 0, 0, 0, 0)


def test_init_with_settings(db, capsys):
    assert main(["init", "--db", str(db), "--currency", "eur", "--fiscal-year-start", "4",
                 "--firm", "Acme"]) == 0
    store = Store(db)
    assert (store.currency, store.fiscal_year_start_month, store.setting("firm_name")) == (
        "EUR", 4, "Acme")
    store.close()


def test_init_refuses_a_bad_currency_with_exit_1(db, capsys):
    assert main(["--db", str(db), "init", "--currency", "dollars"]) == 1
    assert capsys.readouterr().err == "tandem: 'dollars' is not a currency code like USD or EUR\n"


def test_init_demo(db, capsys):
    assert main(["--db", str(db), "init", "--demo"]) == 0
    assert capsys.readouterr().out == f"store ready: {db} (demo firm loaded)\n"
    plan, actuals, outcomes, targets, imports, scenarios = counts(db)
    assert 2000 <= plan <= 10000
    assert actuals > 0 and outcomes > 0 and targets > 0
    # The six files and the planner's March revision; the adopted plan and Digital shift.
    assert (imports, scenarios) == (7, 2)


@pytest.mark.usefixtures("initialised")
def test_import_of_a_good_file_prints_a_summary(db, tmp_path, capsys):
    path = write(tmp_path / "plan.csv", GOOD_PLAN)
    assert main(["--db", str(db), "import", "plan", str(path)]) == 0
    out = capsys.readouterr()
    assert out.err == ""
    assert out.out == ("plan.csv: imported 2 rows of plan; 2 added, 0 updated, 0 unchanged;"
                       " scenario baseline; control total $350.50\n")
    assert counts(db)[0] == 2


@pytest.mark.usefixtures("initialised")
def test_import_into_a_named_scenario_and_dry_run(db, tmp_path, capsys):
    path = write(tmp_path / "plan.csv", GOOD_PLAN)
    assert main(["--db", str(db), "import", "plan", str(path), "--scenario", "stretch",
                 "--dry-run"]) == 0
    assert capsys.readouterr().out == (
        "plan.csv: would import (dry run) 2 rows of plan; 2 added, 0 updated, 0 unchanged;"
        " scenario stretch; control total $350.50\n")
    assert counts(db) == (0, 0, 0, 0, 0, 0)
    assert main(["--db", str(db), "import", "plan", str(path), "--scenario", "stretch"]) == 0
    capsys.readouterr()
    assert main(["--db", str(db), "import", "plan", str(path), "--scenario", "stretch"]) == 0
    assert "0 added, 0 updated, 2 unchanged; scenario stretch" in capsys.readouterr().out
    store = Store(db)
    assert store.query("SELECT name FROM scenarios") == [("stretch",)]
    store.close()


@pytest.mark.usefixtures("initialised")
def test_import_of_a_bad_file_exits_1_with_each_error_on_stderr(db, tmp_path, capsys):
    good = write(tmp_path / "good.csv", GOOD_PLAN)
    assert main(["--db", str(db), "import", "plan", str(good)]) == 0
    before = counts(db)
    capsys.readouterr()

    bad = write(tmp_path / "bad.csv", BAD_PLAN)
    assert main(["--db", str(db), "import", "plan", str(bad)]) == 1
    out = capsys.readouterr()
    assert out.out == ""
    lines = out.err.splitlines()
    assert lines[-1] == "bad.csv: refused, 3 problem(s); nothing was written"
    errors = [ERROR_LINE.match(line) for line in lines[:-1]]
    assert all(errors), lines
    assert [(m["file"], int(m["row"]), m["column"]) for m in errors] == [
        ("bad.csv", 2, "amount"), ("bad.csv", 3, "owner"), ("bad.csv", 5, "month")]
    assert lines[0] == ("bad.csv:2:amount: '12.345' has too many decimal places;"
                        " round it to cents: at most 2 decimals, e.g. 1234.50")
    assert errors[2]["message"].startswith("'2026-14' is not a month")
    assert counts(db) == before


@pytest.mark.usefixtures("initialised")
def test_a_dry_run_of_a_bad_file_also_exits_1(db, tmp_path, capsys):
    bad = write(tmp_path / "bad.csv", BAD_PLAN)
    assert main(["--db", str(db), "import", "plan", str(bad), "--dry-run"]) == 1
    assert "bad.csv:2:amount: " in capsys.readouterr().err


def test_an_unknown_kind_is_a_usage_error(db, tmp_path, capsys):
    path = write(tmp_path / "plan.csv", GOOD_PLAN)
    with pytest.raises(SystemExit) as exit_:
        main(["--db", str(db), "import", "budget", str(path)])
    assert exit_.value.code == 2
    assert "invalid choice: 'budget'" in capsys.readouterr().err
    assert not db.exists()


@pytest.mark.parametrize("argv", [
    [],
    ["frobnicate"],
    ["import", "plan"],
    ["export"],
    ["export", "plan", "--year", "twenty"],
    ["init", "--fiscal-year-start", "April"],
])
def test_usage_errors_exit_2(db, argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--db", str(db), *argv])
    assert exit_.value.code == 2
    assert "usage: tandem" in capsys.readouterr().err


@pytest.mark.usefixtures("initialised")
def test_importing_a_missing_file_is_a_usage_error(db, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--db", str(db), "import", "plan", str(tmp_path / "nope.csv")])
    assert exit_.value.code == 2
    assert "no such file" in capsys.readouterr().err


@pytest.mark.usefixtures("initialised")
def test_export_out_writes_the_csv_that_import_reads(db, tmp_path, capsys):
    path = write(tmp_path / "plan.csv", GOOD_PLAN)
    assert main(["--db", str(db), "import", "plan", str(path)]) == 0
    out = tmp_path / "exported.csv"
    assert main(["--db", str(db), "export", "plan", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == GOOD_PLAN
    capsys.readouterr()
    assert main(["--db", str(db), "import", "plan", str(out)]) == 0
    assert "0 added, 0 updated, 2 unchanged" in capsys.readouterr().out

    other = tmp_path / "other.duckdb"
    assert main(["--db", str(other), "init"]) == 0
    assert main(["--db", str(other), "import", "plan", str(out)]) == 0
    again = tmp_path / "again.csv"
    assert main(["--db", str(other), "export", "plan", "--out", str(again)]) == 0
    assert again.read_bytes() == out.read_bytes()


@pytest.mark.usefixtures("initialised")
def test_export_to_standard_output_with_year_filter(db, tmp_path, capsys):
    text = GOOD_PLAN + "2027,joint,Tools,advocacy,Partners,APAC,2027-03,5,\n"
    assert main(["--db", str(db), "import", "plan", str(write(tmp_path / "p.csv", text))]) == 0
    capsys.readouterr()
    assert main(["--db", str(db), "export", "plan", "--year", "2027"]) == 0
    assert capsys.readouterr().out == (
        PLAN_HEADER + "\n2027,joint,Tools,advocacy,Partners,APAC,2027-03,5.00,\n")
    assert main(["--db", str(db), "export", "targets"]) == 0
    assert capsys.readouterr().out == "fiscal_year,kpi,period,target\n"


@pytest.mark.usefixtures("initialised")
def test_pool_is_shown_and_set(db, capsys):
    assert main(["--db", str(db), "pool", "2026", "6250000.00"]) == 0
    assert capsys.readouterr().out == "2026: pool $6,250,000.00\n"
    assert main(["--db", str(db), "pool", "2026"]) == 0
    assert capsys.readouterr().out == "2026: pool $6,250,000.00\n"
    assert main(["--db", str(db), "pool", "2026", "-5"]) == 1
    assert "the pool must be an amount of 0 or more" in capsys.readouterr().err
    store = Store(db)
    assert store.scalar("SELECT pool FROM fiscal_years") == Decimal("6250000.00")
    store.close()


def test_tandem_db_is_used_when_there_is_no_db_option(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TANDEM_DB", str(tmp_path / "from-env.duckdb"))
    assert main(["init"]) == 0
    assert (tmp_path / "from-env.duckdb").is_file()
    assert not (tmp_path / "tandem.duckdb").exists()
    path = write(tmp_path / "plan.csv", GOOD_PLAN)
    assert main(["import", "plan", str(path)]) == 0
    assert counts(tmp_path / "from-env.duckdb")[0] == 2
    # --db still wins over the environment.
    assert main(["--db", str(tmp_path / "explicit.duckdb"), "init"]) == 0
    assert (tmp_path / "explicit.duckdb").is_file()


@pytest.mark.parametrize("argv", [["kpis", "--year", "2026"], ["import", "plan", "plan.csv"],
                                  ["export", "plan"], ["pool", "2026"], ["users", "list"],
                                  ["audit", "verify"], ["scenario", "list", "--year", "2026"]])
def test_only_init_creates_a_store(tmp_path, monkeypatch, capsys, argv):
    """A call run in the wrong folder, or with a mistyped path, names the missing store and how
    to make one, and leaves no empty store behind to read zeros from or import into."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TANDEM_DB", raising=False)
    write(tmp_path / "plan.csv", GOOD_PLAN)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "there is no store at tandem.duckdb" in err
    assert "tandem init --db tandem.duckdb" in err
    assert list(tmp_path.iterdir()) == [tmp_path / "plan.csv"]


def test_the_default_store_is_tandem_duckdb_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TANDEM_DB", raising=False)
    assert main(["init"]) == 0
    assert (tmp_path / "tandem.duckdb").is_file()


def test_the_installed_console_script(tmp_path):
    exe = shutil.which("tandem")
    assert exe is not None, "the tandem command is not installed"
    db = tmp_path / "script.duckdb"
    env = {k: v for k, v in os.environ.items() if k != "TANDEM_DB"}
    done = subprocess.run([exe, "--db", str(db), "init", "--demo"], capture_output=True,
                          text=True, timeout=300, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"store ready: {db} (demo firm loaded)\n"
    assert counts(db)[0] >= 2000

    bad = write(tmp_path / "bad.csv", BAD_PLAN)
    done = subprocess.run([exe, "--db", str(db), "import", "plan", str(bad)],
                          capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 1
    assert done.stderr.splitlines()[0].startswith("bad.csv:2:amount: ")

    done = subprocess.run([exe, "--db", str(db), "import", "nope", str(bad)],
                          capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 2


@pytest.mark.usefixtures("initialised")
def test_more_problems_than_are_listed_are_counted(db, tmp_path, capsys):
    rows = "".join(f"2026,sales,Events,awareness,Field,R{i},2026-{m:02d},bad,\n"
                   for i in range(100) for m in range(1, 13))
    bad = write(tmp_path / "many.csv", PLAN_HEADER + "\n" + rows)
    assert main(["--db", str(db), "import", "plan", str(bad)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1002
    # The problems not listed are counted per kind, with the first row and the fix.
    assert err[-2:] == [
        "many.csv:2:amount: and 200 more problem(s) like this one, up to row 1,201 ('bad' is"
        " not a plain amount); write digits with '.' before the cents and no currency sign or"
        " thousands separator, e.g. 1234.50",
        "many.csv: refused, 1200 problem(s); nothing was written"]


HOLD = """
import sys
from planning.store import Store
store = Store(sys.argv[1], label="the test's holder")
if sys.argv[2] == "busy":  # in the middle of a unit of work: it cannot give way
    with store.cursor():
        print("ready", flush=True)
        sys.stdin.readline()
else:  # open but idle, as the app is between two reruns
    print("ready", store.revision(), flush=True)
    sys.stdin.readline()
    print("revision", store.revision(), flush=True)
store.close()
"""


def _holder(db, mode: str) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(db), mode], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().startswith("ready")
    return holder


def test_a_command_takes_its_turn_beside_a_process_holding_the_store(db, capsys):
    assert main(["--db", str(db), "init"]) == 0
    holder = _holder(db, "idle")
    try:
        assert main(["--db", str(db), "pool", "2026", "1000.00"]) == 0
        assert main(["--db", str(db), "export", "plan"]) == 0
    finally:
        out, _ = holder.communicate("\n", timeout=60)
    assert holder.returncode == 0
    # the holder sees the command's write on its next read, without reopening anything itself
    assert int(out.split()[-1]) > 1
    assert "2026: pool $1,000.00" in capsys.readouterr().out


def test_a_store_busy_past_the_wait_exits_3_with_a_readable_message(db, capsys, monkeypatch):
    assert main(["--db", str(db), "init"]) == 0
    capsys.readouterr()
    monkeypatch.setenv("TANDEM_WAIT", "0.5")
    holder = _holder(db, "busy")
    try:
        assert main(["--db", str(db), "pool", "2026", "1000.00"]) == 3
        err = capsys.readouterr().err
        assert "the store is busy (the test's holder" in err
        assert f"tandem: The store {db} is busy: the test's holder" in err
        assert "Nothing was written" in err and "Traceback" not in err
    finally:
        holder.communicate("\n", timeout=60)
    assert holder.returncode == 0
    monkeypatch.delenv("TANDEM_WAIT")
    assert main(["--db", str(db), "pool", "2026"]) == 0
    assert "2026: pool" in capsys.readouterr().out  # nothing was written: no pool was set


def test_init_demo_never_adds_the_demo_to_a_store_that_has_people(db, capsys):
    assert main(["--db", str(db), "init", "--demo"]) == 0
    assert main(["--db", str(db), "init", "--demo"]) == 0
    assert "the demo firm was not loaded" in capsys.readouterr().out
    other = db.with_name("firm.duckdb")
    from planning import Tandem, first_run

    t = Tandem.open(other)
    first_run.start_firm(t, firm="Acme", currency="USD", fiscal_year_start_month=1,
                         name="Ada Admin", password="a-long-password")
    t.close()
    assert main(["--db", str(other), "init", "--demo"]) == 0
    t = Tandem.open(other)
    assert t.firm_name == "Acme" and not t.fiscal_years()
    t.close()
