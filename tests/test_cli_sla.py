"""`tandem sla`: the contract's JSON keys and values on the hand-worked leads of tests/test_sla.py,
the flat CSV, the table, and usage errors (exit 2)."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from planning.cli import main
from planning.store import Store
from planning.tandem import Tandem
from tests.test_sla import ACTUALS, TARGETS, add_leads

AS_OF = "2026-03-10 12:00"


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sla") / "sla.duckdb"
    assert main(["--db", str(path), "init"]) == 0
    store = Store(path)
    t = Tandem(store)
    for kind, text in (("targets", TARGETS), ("actuals", ACTUALS)):
        assert t.import_csv(kind, text.encode(), file_name=f"{kind}.csv").ok
    add_leads(store)
    store.close()
    return path


def sla(db: Path, capsys, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), "sla", "--year", "2026", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_is_the_contracts(db, capsys):
    code, out, _err = sla(db, capsys, "--as-of", AS_OF, "--format", "json")
    assert code == 0
    found = json.loads(out)
    assert list(found) == ["months", "reps"]
    assert found["months"][0] == {
        "month": "2026-01", "mqls": 5, "mql_target": 5, "mql_attainment": 1,
        "in_time": 3, "breaches": 2, "pending": 0, "in_time_rate": 0.6,
        "p50_hours": 13, "p95_hours": 24, "accepted": 1, "acceptance_rate": 0.2}
    assert list(found["months"][0]) == [
        "month", "mqls", "mql_target", "mql_attainment", "in_time", "breaches", "pending",
        "in_time_rate", "p50_hours", "p95_hours", "accepted", "acceptance_rate"]
    feb, mar, apr = found["months"][1:]
    assert (feb["mql_attainment"], feb["in_time_rate"], feb["p95_hours"]) == (0.75, 0.333333,
                                                                              28.7)
    assert (mar["in_time"], mar["breaches"], mar["pending"], mar["p50_hours"]) == (1, 1, 1, 0.1)
    # A month with a target and no MQL: nothing to compute is null, never 0.
    assert apr == {"month": "2026-04", "mqls": 0, "mql_target": 10, "mql_attainment": 0,
                   "in_time": 0, "breaches": 0, "pending": 0, "in_time_rate": None,
                   "p50_hours": None, "p95_hours": None, "accepted": 0,
                   "acceptance_rate": None}
    assert found["reps"] == [
        {"rep": "Ana", "mqls": 5, "in_time": 4, "breaches": 1, "p50_hours": 2.25},
        {"rep": "Ben", "mqls": 3, "in_time": 1, "breaches": 2, "p50_hours": 24.0},
        {"rep": "Cy", "mqls": 2, "in_time": 0, "breaches": 1, "p50_hours": None}]
    assert "\"p50_hours\": null" in out


def test_as_of_with_an_offset_is_the_same_instant(db, capsys):
    _code, utc, _err = sla(db, capsys, "--as-of", AS_OF, "--format", "json")
    code, offset, _err = sla(db, capsys, "--as-of", "2026-03-10T14:00:00+02:00", "--format",
                             "json")
    assert code == 0 and offset == utc
    # A second earlier, L10 (due at 12:00) is still pending.
    _code, before, _err = sla(db, capsys, "--as-of", "2026-03-10 11:59:59", "--format", "json")
    march = json.loads(before)["months"][2]
    assert (march["breaches"], march["pending"]) == (0, 2)


def test_csv_is_one_flat_table_months_then_reps(db, capsys):
    code, out, _err = sla(db, capsys, "--as-of", AS_OF, "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["section", "month", "rep", "mqls", "mql_target", "mql_attainment",
                             "in_time", "breaches", "pending", "in_time_rate", "p50_hours",
                             "p95_hours", "accepted", "acceptance_rate"]
    assert [r["section"] for r in rows] == ["month"] * 4 + ["rep"] * 3
    assert rows[1]["month"] == "2026-02" and rows[1]["in_time_rate"] == "0.333333"
    assert rows[3]["p50_hours"] == "" and rows[3]["mql_target"] == "10"
    ben = rows[5]
    assert (ben["rep"], ben["month"], ben["mqls"], ben["breaches"], ben["p50_hours"],
            ben["pending"]) == ("Ben", "", "3", "2", "24", "")


def test_table_months_then_reps(db, capsys):
    code, out, _err = sla(db, capsys, "--as-of", AS_OF)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == ("fiscal year 2026 as of 2026-03-10 12:00 UTC; first-touch window 24 h"
                        " (the store's default)")
    jan = next(line for line in lines if line.startswith("2026-01"))
    assert jan.split() == ["2026-01", "5", "5", "100.0%", "on", "track", "3", "2", "0", "60.0%",
                           "13.00", "24.00", "1", "20.0%"]
    assert "off track" in next(line for line in lines if line.startswith("2026-02"))
    assert "not begun" in next(line for line in lines if line.startswith("2026-04"))
    year = next(line for line in lines if line.startswith("year"))
    assert year.split()[:5] == ["year", "11", "-", "n/a", "5"]
    assert lines.index(next(line for line in lines if line.startswith("rep "))) > lines.index(year)
    assert next(line for line in lines if line.startswith("Ben")).split() == [
        "Ben", "3", "1", "2", "0", "33.3%", "24.00"]
    assert "1 MQL(s) routed to no rep, 1 of them breached" in out
    assert "3 untouched MQL(s) past their deadline; the oldest: L05 (1152.00 h overdue)" in out


@pytest.mark.parametrize("args, message", [
    (["--as-of", "2026-03-10"], "is not a timestamp; write it as YYYY-MM-DD HH:MM"),
    (["--as-of", "10/03/2026 12:00"], "is not a timestamp"),
    (["--format", "xml"], "invalid choice"),
])
def test_usage_errors_exit_2(db, capsys, args, message):
    with pytest.raises(SystemExit) as stop:
        main(["--db", str(db), "sla", "--year", "2026", *args])
    assert stop.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("year", ["26", "twenty", "99999"])
def test_a_bad_year_exits_2(db, capsys, year):
    with pytest.raises(SystemExit) as stop:
        main(["--db", str(db), "sla", "--year", year])
    assert stop.value.code == 2
    assert "is not a fiscal year like 2026" in capsys.readouterr().err


def test_a_year_without_leads_is_empty_not_an_error(db, capsys):
    code, out, _err = sla(db, capsys, "--format", "json")  # as of now
    assert code == 0
    code = main(["--db", str(db), "sla", "--year", "2030", "--format", "json"])
    assert code == 0 and json.loads(capsys.readouterr().out) == {"months": [], "reps": []}
