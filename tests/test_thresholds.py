"""The KPI status thresholds are settings of the store, changed by an executive and audited."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from planning import audit
from planning.cli import main
from planning.errors import Refused
from planning.kpi_values import (
    DEFAULT_THRESHOLDS,
    Thresholds,
    scorecard,
    set_thresholds,
    thresholds,
)
from planning.people import People


def _status(demo, kpi):
    return next(r.status for r in scorecard(demo.store, 2026, "2026-YTD") if r.kpi == kpi)


def test_defaults_then_an_executive_moves_amber_and_a_status_follows(demo):
    assert thresholds(demo.store) == DEFAULT_THRESHOLDS
    assert _status(demo, "cac") == "amber"  # 97% of target in the demo
    erin = People(demo.store).get("Erin Executive")
    set_thresholds(demo.store, erin, Thresholds(D("1.00"), D("0.98"), D("0.05"), D("0.10")))
    assert thresholds(demo.store) == Thresholds(D("1.00"), D("0.98"), D("0.05"), D("0.10"))
    assert _status(demo, "cac") == "red"
    last = audit.entries(demo.store, limit=1)[0]
    assert (last.actor, last.action) == ("Erin Executive", "set thresholds")
    assert "watch from 98%" in last.after
    assert audit.verify(demo.store).intact


@pytest.mark.parametrize("who", ["Vic Viewer", "Sofia Sales", "Pat Planner"])
def test_only_an_executive_may_change_them(demo, who):
    with pytest.raises(Refused, match="may not change the KPI status thresholds"):
        set_thresholds(demo.store, People(demo.store).get(who), Thresholds(green=D("0.5"),
                                                                           amber=D("0.4")))
    assert thresholds(demo.store) == DEFAULT_THRESHOLDS


@pytest.mark.parametrize("bad", [Thresholds(green=D("0.8"), amber=D("0.9")),
                                 Thresholds(variance_green=D("0.2")),
                                 Thresholds(amber=D("-0.1"))])
def test_inconsistent_thresholds_are_refused(demo, bad):
    with pytest.raises(Refused):
        set_thresholds(demo.store, "administrator", bad)
    assert thresholds(demo.store) == DEFAULT_THRESHOLDS


def test_the_command_shows_and_sets_them(tmp_path, capsys, monkeypatch):
    db = str(tmp_path / "t.duckdb")
    assert main(["--db", db, "init", "--demo"]) == 0
    assert main(["--db", db, "thresholds"]) == 0
    assert capsys.readouterr().out.endswith(
        "status: on track at 100% of target or better, watch from 90%, off track below"
        " (budget variance: within ±5% / ±10%)\n")
    monkeypatch.setenv("TANDEM_PASSWORD", "executive-demo-2026")  # --as proves the person
    assert main(["--db", db, "thresholds", "--amber", "0.85", "--as", "Erin Executive"]) == 0
    assert "watch from 85%" in capsys.readouterr().out
    monkeypatch.setenv("TANDEM_PASSWORD", "viewer-demo-2026")
    assert main(["--db", db, "thresholds", "--green", "0.5", "--as", "Vic Viewer"]) == 1
    assert "may not change the KPI status thresholds" in capsys.readouterr().err
