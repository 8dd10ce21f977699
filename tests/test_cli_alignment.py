"""`tandem alignment --period YYYY-Qn [--format table|json]`, as the data contract promises.

The answers of 2026-Q1 (hand-worked in tests/test_alignment.py): sales 3 respondents, mean
70 (aligned); marketing 3 complete, mean 143/3 = 47.67 (defined), one incomplete; all 58.83
(defined); two neutral respondents, kept out of the contract's objects. In 2026-Q2 two sales
respondents and three marketing ones: sales and all show no mean.
"""
from __future__ import annotations

import json

import pytest

from planning.cli import main
from tests.test_alignment import _quarter, insert, ratings


@pytest.fixture
def db(new_store) -> str:
    store = new_store()
    _quarter(store, "2026-Q1")
    insert(store, "s1", "sales", "2026-Q2", ratings(3))
    insert(store, "s2", "sales", "2026-Q2", ratings(5))
    for code, score in (("m1", 2), ("m2", 3), ("m3", 4)):
        insert(store, code, "marketing", "2026-Q2", ratings(score))
    path = str(store.path)
    store.close()  # the command opens the store itself
    return path


def _json(db: str, period: str, capsys) -> dict:
    assert main(["--db", db, "alignment", "--period", period, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_is_the_contracts(db, capsys):
    found = _json(db, "2026-Q1", capsys)
    assert list(found) == ["period", "departments", "items"] and found["period"] == "2026-Q1"
    assert found["departments"] == [
        {"department": "sales", "respondents": 3, "score": 70.0, "stage": "aligned"},
        {"department": "marketing", "respondents": 3, "score": 47.7, "stage": "defined"},
        {"department": "all", "respondents": 6, "score": 58.8, "stage": "defined"}]
    assert len(found["items"]) == 20
    assert found["items"][0] == {"item": 1, "sales": 4.0, "marketing": 3.33, "gap": 0.67}
    assert found["items"][1] == {"item": 2, "sales": 4.0, "marketing": 2.33, "gap": 1.67}
    assert found["items"][19] == {"item": 20, "sales": 3.0, "marketing": 2.33, "gap": 0.67}


def test_json_withholds_a_department_of_fewer_than_three(db, capsys):
    found = _json(db, "2026-Q2", capsys)
    assert found["departments"] == [
        {"department": "sales", "respondents": 2, "score": None, "stage": None},
        {"department": "marketing", "respondents": 3, "score": 60.0, "stage": "aligned"},
        {"department": "all", "respondents": 5, "score": None, "stage": None}]
    assert {(i["sales"], i["marketing"], i["gap"]) for i in found["items"]} == {
        (None, 3.0, None)}


def test_a_quarter_without_answers(db, capsys):
    found = _json(db, "2025-Q1", capsys)
    assert [d["respondents"] for d in found["departments"]] == [0, 0, 0]
    assert {d["score"] for d in found["departments"]} == {None}


def test_the_table(db, capsys):
    assert main(["--db", db, "alignment", "--period", "2026-Q1"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("relationship survey 2026-Q1")
    assert lines[1].split() == ["group", "respondents", "incomplete", "score", "stage"]
    assert lines[2].split() == ["sales", "3", "0", "70.0", "aligned"]
    assert lines[3].split() == ["marketing", "3", "1", "47.7", "defined"]
    assert lines[4].split() == ["all", "6", "1", "58.8", "defined"]
    assert lines[5].split() == ["neutral", "2", "0", "n/a", "withheld"]
    assert "   2    4.00       2.33    1.67  When results disappoint, neither side blames" in out
    assert "evidence 2026-Q1: the data points to no stage" in out  # no plan, no target


@pytest.mark.parametrize("period", ["2026-Q5", "2026-2", "26-Q1", ""])
def test_a_bad_period_is_a_usage_error(db, capsys, period):
    with pytest.raises(SystemExit) as exit_:
        main(["--db", db, "alignment", "--period", period])
    assert exit_.value.code == 2
    assert "is not a fiscal quarter; write it YYYY-Qn" in capsys.readouterr().err
