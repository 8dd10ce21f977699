"""`tandem rewards --year Y [--format table|json]` and `tandem rewards set`, as the contract says.

The data set is test_rewards.py's: revenue at 0.9 of its annual target, pipeline 2.0, win_rate
1.25, cac 1.090909, leads 0.4.
"""
from __future__ import annotations

import json

import pytest

from planning.cli import main
from planning.people import People
from planning.rewards import plan
from planning.store import open_store
from planning.tandem import Tandem
from tests.test_rewards import ACTUALS, OUTCOMES, TARGETS

SET = ["--weight", "revenue=40", "win_rate=20", "--weight", "pipeline=10", "cac=20", "leads=10"]


@pytest.fixture
def db(new_store) -> str:
    store = new_store()
    t = Tandem(store)
    for kind, text in (("actuals", ACTUALS), ("outcomes", OUTCOMES), ("targets", TARGETS)):
        assert t.import_csv(kind, text.encode(), file_name=f"{kind}.csv").ok
    path = str(store.path)
    store.close()  # the command opens the store itself
    return path


def tandem(db: str, *args: str) -> int:
    return main(["--db", db, *args])


def test_set_then_json(db, capsys):
    assert tandem(db, "rewards", "set", "--year", "2026", *SET) == 0
    out = capsys.readouterr()
    assert out.err == ""
    assert out.out.splitlines()[0] == (
        "rewards of fiscal year 2026 set: revenue 40%, pipeline 10%, leads 10%, win_rate 20%,"
        " cac 20%; nothing below 80% of target, 50% at it, 100% at target, up to a cap of 150%")
    assert tandem(db, "rewards", "--year", "2026", "--format", "json") == 0
    found = json.loads(capsys.readouterr().out)
    assert list(found) == ["kpis", "payout"]
    assert found == {"kpis": [
        {"kpi": "revenue", "weight": 40, "attainment": 0.9, "payout": 0.75},
        {"kpi": "pipeline", "weight": 10, "attainment": 2, "payout": 1.5},
        {"kpi": "leads", "weight": 10, "attainment": 0.4, "payout": 0},
        {"kpi": "win_rate", "weight": 20, "attainment": 1.25, "payout": 1.25},
        {"kpi": "cac", "weight": 20, "attainment": 1.090909, "payout": 1.0909},
    ], "payout": 0.9182}
    assert all(list(k) == ["kpi", "weight", "attainment", "payout"] for k in found["kpis"])


def test_table(db, capsys):
    assert tandem(db, "rewards", "set", "--year", "2026", *SET, "--threshold", "0.85") == 0
    capsys.readouterr()
    assert tandem(db, "rewards", "--year", "2026") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("rewards of fiscal year 2026: nothing below 85% of target, 50% at"
                               " it, 100% at target, up to a cap of 150% (set by administrator"
                               " on ")
    assert lines[1].split() == ["kpi", "weight", "attainment", "payout", "contribution"]
    # 0.5 + 0.5 × (0.9 - 0.85) / 0.15 = 0.666666... → 0.6667; × 0.4 = 0.26668 → 0.2667
    assert lines[2].split() == ["revenue", "40%", "90.0%", "0.6667", "0.2667"]
    assert lines[4].split() == ["leads", "10%", "40.0%", "0.0000", "0.0000"]
    # 0.26668 + 0.15 + 0 + 0.25 + 0.21818 = 0.88486
    assert lines[-1].startswith("payout factor 0.8849 (88.49% of the target incentive)")


def test_a_null_attainment_is_json_null(db, capsys):
    assert tandem(db, "rewards", "set", "--year", "2026", "--weight", "revenue=50",
                  "retention_rate=50") == 0
    capsys.readouterr()
    assert tandem(db, "rewards", "--year", "2026", "--format", "json") == 0
    found = json.loads(capsys.readouterr().out)
    assert found["kpis"][1] == {"kpi": "retention_rate", "weight": 50, "attainment": None,
                                "payout": 0}
    assert found["payout"] == 0.375


@pytest.mark.parametrize(("args", "message"), [
    (["--weight", "revenue=40", "pipeline=40"], "the weights add up to 80, not 100"),
    (["--weight", "revenue=100", "--cap", "0.5"], "the cap is the most a KPI pays, 1 or more"),
    (["--weight", "nps=100"], "'nps' is not a KPI"),
    (["--threshold", "0.7"], "fiscal year 2026 has no rewards plan yet: give its weights"),
])
def test_refused_input_exits_1_and_writes_nothing(db, capsys, args, message):
    assert tandem(db, "rewards", "set", "--year", "2026", *args) == 1
    err = capsys.readouterr().err
    assert err.startswith("tandem: ") and message in err
    store = open_store(db)
    try:
        assert plan(store, 2026) is None
    finally:
        store.close()


def test_no_plan_exits_1(db, capsys):
    assert tandem(db, "rewards", "--year", "2026") == 1
    assert "no rewards plan is set for fiscal year 2026" in capsys.readouterr().err


@pytest.mark.parametrize("args", [
    ["rewards", "--format", "json"],  # no year
    ["rewards", "set", "--weight", "revenue=100"],
    ["rewards", "set", "--year", "2026", "--weight", "revenue"],  # not KPI=W
    ["rewards", "set", "--year", "2026", "--weight", "revenue=forty"],
    ["rewards", "set", "--year", "2026", "--weight", "revenue=50", "revenue=50"],
    ["rewards", "set", "--year", "2026", "--weight", "revenue=100", "--floor", "half"],
    ["rewards", "--year", "2026", "--format", "csv"],
])
def test_usage_errors_exit_2(db, capsys, args):
    with pytest.raises(SystemExit) as stop:
        tandem(db, *args)
    assert stop.value.code == 2
    assert capsys.readouterr().err


def test_someone_other_than_an_executive_is_refused(db, capsys, monkeypatch):
    store = open_store(db)
    try:
        People(store).add("Sam Seller", "sales_head", "password-2026", actor="setup")
    finally:
        store.close()
    monkeypatch.setenv("TANDEM_PASSWORD", "password-2026")
    assert tandem(db, "--as", "Sam Seller", "rewards", "set", "--year", "2026",
                  "--weight", "revenue=100") == 1
    assert capsys.readouterr().err.strip() == (
        "tandem: Sam Seller (sales head) may not set the shared rewards; that is for:"
        " administrator, executive")
    store = open_store(db)
    try:
        assert plan(store, 2026) is None
    finally:
        store.close()
