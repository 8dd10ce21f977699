"""`tandem scenario ...` on the demo firm: output, exit codes 0/1/2, and what reaches the store.

Demo figures used below (FY2026 baseline, 3264 lines): total 5,955,965.75 of a 6,250,000.00 pool;
sales 2,523,817.00, marketing 2,353,294.00, joint 1,089,540.00; Webinars in EMEA 107,379.00 over
120 lines, Partners in EMEA 109,736.00 over 84 lines; sales in EMEA 756,848.00 over 252 lines.
"""
from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from planning.budget import BudgetFilter
from planning.cli import main
from planning.demo import DEMO_DIR
from planning.store import Store
from planning.tandem import Tandem
from tests.conftest import sign_off_everything

D = Decimal
Y = 2026
DEMO_TOTAL = D("5955965.75")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    assert main(["--db", str(path), "init", "--demo"]) == 0
    return path


@pytest.fixture
def db(demo_db: Path, tmp_path: Path, capsys, monkeypatch) -> Path:
    """A private copy of the demo store (made by `tandem init --demo`)."""
    monkeypatch.setenv("USER", "ann")
    path = tmp_path / "cli.duckdb"
    shutil.copy(demo_db, path)
    shutil.copy(f"{demo_db}.key", f"{path}.key")  # the audit key travels with its store
    capsys.readouterr()
    return path


def tandem(db: Path, *args: str) -> int:
    """Run the command; a usage error's SystemExit becomes its exit status."""
    try:
        return main(["--db", str(db), *args])
    except SystemExit as exit_:
        return exit_.code


def open_store(db: Path) -> Tandem:
    return Tandem(Store(db))


def totals(db: Path, scenario: str, where: BudgetFilter | None = None) -> tuple[Decimal, dict]:
    t = open_store(db)
    try:
        summary = t.budget(Y, scenario, where).summary()
        return summary.allocated, summary.by_owner
    finally:
        t.close()


def test_list(db, capsys):
    assert tandem(db, "scenario", "list") == 0
    # Compared with runs of spaces as one (the command prints two after a comma).
    assert [" ".join(line.split()) for line in capsys.readouterr().out.splitlines()] == [
        "FY2026 pool $6,250,000.00",
        # The demo's alternative: trade show money moved to paid channels, the same total.
        "Digital shift: 3264 lines, allocated $5,955,965.75, unallocated $294,034.25;"
        " sales $2,511,756.85, marketing $2,354,144.80, joint $1,090,064.10",
        "baseline (adopted): 3264 lines, allocated $5,955,965.75, unallocated $294,034.25;"
        " sales $2,511,756.85, marketing $2,354,144.80, joint $1,090,064.10",
    ]


def test_clone_then_list(db, capsys):
    assert tandem(db, "scenario", "clone", "baseline", "stretch") == 0
    assert capsys.readouterr().out == ("clone stretch: 3264 line(s) changed; total $0.00 ->"
                                       " $5,955,965.75 ($5,955,965.75)\n")
    assert tandem(db, "scenario", "list", "--year", "2026") == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines[1:]] == [
        "Digital shift", "baseline (adopted)", "stretch"]
    assert lines[3].startswith("stretch: 3264 lines, allocated $5,955,965.75, unallocated"
                               " $294,034.25;")
    assert tandem(db, "scenario", "clone", "baseline", "stretch") == 1
    assert capsys.readouterr().err == (
        "tandem: scenario 'stretch' already exists in fiscal year 2026\n")


def test_shift_with_from_and_to_pairs(db, capsys):
    assert tandem(db, "scenario", "clone", "baseline", "alt") == 0
    capsys.readouterr()
    assert tandem(db, "scenario", "shift", "alt", "--amount", "1000.00",
                  "--from", "channel=Webinars", "--from", "region=EMEA",
                  "--to", "channel=Partners", "--to", "region=EMEA") == 0
    assert capsys.readouterr().out == ("shift alt: 204 line(s) changed; total $5,955,965.75 ->"
                                       " $5,955,965.75 ($0.00)\n")
    webinars = BudgetFilter(channels=("Webinars",), regions=("EMEA",))
    partners = BudgetFilter(channels=("Partners",), regions=("EMEA",))
    assert totals(db, "alt", webinars)[0] == D("106379.00")
    assert totals(db, "alt", partners)[0] == D("110373.70")
    assert totals(db, "baseline", webinars)[0] == D("107379.00")
    assert totals(db, "alt")[0] == DEMO_TOTAL
    # Webinars elsewhere did not move.
    apac = BudgetFilter(channels=("Webinars",), regions=("APAC",))
    assert totals(db, "alt", apac) == totals(db, "baseline", apac)


def test_shift_evenly(db, capsys):
    assert tandem(db, "scenario", "shift", "baseline", "--amount", "120.00", "--even",
                  "--from", "channel=Webinars", "--from", "region=EMEA",
                  "--to", "channel=Partners", "--to", "region=EMEA") == 0
    # 12000 cents over 120 lines is exactly 1.00 each; 12000 over 84 lines 142.857 cents each.
    assert capsys.readouterr().out == ("shift baseline: 204 line(s) changed; total"
                                       " $5,955,965.75 -> $5,955,965.75 ($0.00)\n")
    webinars = BudgetFilter(channels=("Webinars",), regions=("EMEA",))
    partners = BudgetFilter(channels=("Partners",), regions=("EMEA",))
    assert totals(db, "baseline", webinars)[0] == D("107259.00")
    assert totals(db, "baseline", partners)[0] == D("109493.70")
    t = open_store(db)
    try:
        changes = t.store.query(
            "SELECT l.amount - CAST(d.amount AS DECIMAL(18, 2)), count(*) FROM plan_lines l"
            f" JOIN read_csv('{DEMO_DIR / 'plan.csv'}', all_varchar = true) d"
            " ON d.owner = l.owner AND d.category = l.category"
            " AND d.funnel_stage = l.funnel_stage AND d.channel = l.channel"
            " AND d.region = l.region AND d.month = strftime(l.month, '%Y-%m')"
            " JOIN scenarios s ON s.id = l.scenario_id AND s.name = 'baseline'"
            " WHERE l.region = 'EMEA' AND l.channel = 'Webinars' GROUP BY 1")
    finally:
        t.close()
    assert changes == [(D("-1.00"), 120)]


def test_scale_with_where(db, capsys):
    assert tandem(db, "scenario", "scale", "baseline", "--percent", "10",
                  "--where", "owner=SALES", "--where", "region=EMEA") == 0
    # 10% of 753,237.35 = 75,323.74 (to the cent), spread pro rata over the 252 lines.
    assert capsys.readouterr().out == ("scale baseline: 252 line(s) changed; total"
                                       " $5,955,965.75 -> $6,031,289.49 ($75,323.74)\n")
    sales_emea = BudgetFilter(owners=("sales",), regions=("EMEA",))
    assert totals(db, "baseline", sales_emea)[0] == D("828561.09")
    assert totals(db, "baseline")[1]["marketing"] == D("2354144.80")


def test_split_by_owner_with_weights(db, capsys):
    assert tandem(db, "scenario", "split", "baseline", "--amount", "1000.00", "--by", "owner",
                  "--weight", "sales=60", "--weight", "marketing=40") == 0
    assert capsys.readouterr().out == ("split baseline: 2256 line(s) changed; total"
                                       " $5,955,965.75 -> $5,956,965.75 ($1,000.00)\n")
    assert totals(db, "baseline")[1] == {"sales": D("2512356.85"), "marketing": D("2354544.80"),
                                         "joint": D("1090064.10")}


def test_a_scenario_with_lines_not_signed_off_does_not_lock(db, capsys):
    assert tandem(db, "scenario", "lock", "baseline") == 1
    assert capsys.readouterr().err == ("tandem: 13 line(s) of baseline are not signed off yet;"
                                       " a scenario locks when every line is\n")


def test_a_locked_scenario_refuses_a_scale_with_exit_1(db, capsys, snapshot):
    store = Store(db)
    sign_off_everything(store, 2026, "baseline")
    store.close()
    assert tandem(db, "scenario", "lock", "baseline") == 0
    assert capsys.readouterr().out == "locked baseline\n"
    store = Store(db)
    before = snapshot(store)
    store.close()
    assert tandem(db, "scenario", "scale", "baseline", "--percent", "10") == 1
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err == "tandem: scenario 'baseline' is locked; nothing in it can change\n"
    store = Store(db)
    try:
        assert snapshot(store) == before
    finally:
        store.close()


def test_an_unknown_filter_value_exits_1_and_writes_nothing(db, capsys, snapshot):
    store = Store(db)
    before = snapshot(store)
    store.close()
    assert tandem(db, "scenario", "scale", "baseline", "--percent", "10",
                  "--where", "channel=Webinar") == 1
    assert capsys.readouterr().err == "tandem: no line of this scenario has channel 'Webinar'\n"
    assert tandem(db, "scenario", "shift", "baseline", "--amount", "5",
                  "--from", "channel=Webinars", "--to", "colour=blue") == 1
    assert capsys.readouterr().err == ("tandem: cannot filter on 'colour'; use one of owner,"
                                       " funnel_stage, category, channel, region, month\n")
    assert tandem(db, "scenario", "split", "baseline", "--amount", "5", "--by", "owner",
                  "--weight", "partners=1") == 1
    assert capsys.readouterr().err == "tandem: no matching line has owner 'partners'\n"
    store = Store(db)
    try:
        assert snapshot(store) == before
    finally:
        store.close()


def test_compare_json_after_a_shift(db, capsys):
    assert tandem(db, "scenario", "clone", "baseline", "alt") == 0
    assert tandem(db, "scenario", "shift", "alt", "--amount", "25000",
                  "--from", "channel=Trade shows", "--to", "channel=Paid search") == 0
    capsys.readouterr()
    assert tandem(db, "scenario", "compare", "baseline", "alt", "--format", "json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 20
    assert {tuple(sorted(r)) for r in rows} == {
        ("delta", "delta_percent", "metric", "scenario", "value")}
    spend = {r["scenario"]: r for r in rows if r["metric"] == "spend"}
    assert spend["baseline"] == {"metric": "spend", "scenario": "baseline", "value": 5955965.75,
                                 "delta": 0.0, "delta_percent": 0.0}
    assert spend["alt"] == {"metric": "spend", "scenario": "alt", "value": 5955965.75,
                            "delta": 0.0, "delta_percent": 0.0}
    assert [r["metric"] for r in rows[::2]] == ["spend", "leads", "mqls", "sqls", "opportunities",
                                               "wins", "pipeline", "revenue", "cac", "roi"]


def test_compare_table(db, capsys):
    assert tandem(db, "scenario", "clone", "baseline", "alt") == 0
    capsys.readouterr()
    assert tandem(db, "scenario", "compare", "baseline", "alt") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].split() == ["spend", "5,955,965.75", "5,955,965.75", "0.00", "(+0.0%)"]
    assert out[-1] == "0 line(s) differ between baseline and alt"


def test_adopt_changes_the_adopted_scenario(db, capsys, monkeypatch):
    assert tandem(db, "scenario", "clone", "baseline", "alt") == 0
    monkeypatch.setenv("TANDEM_PASSWORD", "executive-demo-2026")  # --as proves the person
    assert tandem(db, "scenario", "adopt", "alt", "--as", "Erin Executive") == 0
    assert capsys.readouterr().out.splitlines()[-1] == "FY2026 now follows scenario alt"
    t = open_store(db)
    try:
        assert t.adopted_scenario(Y) == "alt"
        assert t.budget(Y).scenario == "alt"
        assert t.store.query("SELECT actor, action FROM audit_log ORDER BY seq DESC LIMIT 1") \
            == [("Erin Executive", "adopt")]
    finally:
        t.close()
    assert tandem(db, "scenario", "list") == 0
    assert [line.split(":")[0] for line in capsys.readouterr().out.splitlines()[1:]] == [
        "Digital shift", "alt (adopted)", "baseline"]


def test_rename_delete_and_lock_lines(db, capsys):
    assert tandem(db, "scenario", "clone", "baseline", "draft") == 0
    assert tandem(db, "scenario", "rename", "draft", "draft 2") == 0
    assert tandem(db, "scenario", "lock-lines", "draft 2", "--where", "owner=joint") == 0
    assert tandem(db, "scenario", "unlock-lines", "draft 2", "--where", "region=APAC") == 0
    assert tandem(db, "scenario", "delete", "draft 2") == 0
    assert capsys.readouterr().out.splitlines()[1:] == [
        "renamed draft to draft 2",
        "locked 1008 line(s) of draft 2",
        "unlocked 252 line(s) of draft 2",
        "deleted draft 2",
    ]
    assert tandem(db, "scenario", "delete", "baseline") == 1
    assert capsys.readouterr().err == ("tandem: scenario 'baseline' is the adopted plan of"
                                       " FY2026; adopt another one before deleting it\n")


@pytest.mark.parametrize(("argv", "message"), [
    (["scenario", "shift", "baseline", "--from", "owner=sales", "--to", "owner=joint"],
     "the following arguments are required: --amount"),
    (["scenario", "split", "baseline"], "the following arguments are required: --amount"),
    (["scenario", "scale", "baseline", "--percent", "ten"], "'ten' is not a number"),
    (["scenario", "scale", "baseline"], "the following arguments are required: --percent"),
    (["scenario", "compare", "baseline", "--format", "xml"], "invalid choice: 'xml'"),
    (["scenario", "promote", "baseline"], "invalid choice: 'promote'"),
])
def test_usage_errors_exit_2(db, capsys, snapshot, argv, message):
    store = Store(db)
    before = snapshot(store)
    store.close()
    assert tandem(db, *argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: tandem scenario")
    assert message in err
    store = Store(db)
    try:
        assert snapshot(store) == before
    finally:
        store.close()


def test_a_negative_weight_is_refused_with_exit_1(db, capsys):
    assert tandem(db, "scenario", "split", "baseline", "--amount", "10", "--by", "owner",
                  "--weight", "sales=-10", "--weight", "marketing=60") == 1
    assert capsys.readouterr().err.startswith("tandem: ")


@pytest.mark.parametrize("argv", [
    ["scenario", "scale", "baseline", "--percent", "nan"],
    ["scenario", "scale", "baseline", "--percent", "Infinity"],
    ["scenario", "shift", "baseline", "--amount", "NaN", "--from", "owner=sales",
     "--to", "owner=joint"],
])
def test_a_number_that_is_not_finite_is_refused(db, capsys, argv):
    assert tandem(db, *argv) in (1, 2)
