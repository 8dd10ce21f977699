"""The hash-chained audit log: entries link up, land with their change, and show tampering."""
from __future__ import annotations

from decimal import Decimal

import pytest

from planning import audit
from planning.budget import BudgetFilter
from planning.errors import Refused
from planning.scenarios import LineEdit
from planning.store import Store
from planning.tandem import Tandem

D = Decimal
Y = 2026
PLAN = """fiscal_year,owner,category,funnel_stage,channel,region,month,amount,description
2026,marketing,Programs,awareness,Paid search,EMEA,2026-01,100.00,Search
2026,sales,Travel,purchase,Field sales,EMEA,2026-02,300.00,
"""
BAD_PLAN = PLAN + "2026,sales,Travel,purchase,Field sales,EMEA,2026-03,-1.00,\n"


def entries(store: Store) -> list[tuple]:
    return store.query("SELECT seq, actor, action, entity, before, after, reason, prev_hash, hash"
                       " FROM audit_log ORDER BY seq")


def line_id(t: Tandem, channel: str, scenario: str = "baseline") -> int:
    return t.store.scalar("SELECT l.id FROM plan_lines l JOIN scenarios s ON s.id = l.scenario_id"
                          " WHERE s.name = ? AND l.channel = ?", [scenario, channel])


@pytest.fixture
def t(tandem: Tandem) -> Tandem:
    """Five entries: an import, a clone, an edit, a shift and an assumption with a reason."""
    assert tandem.import_csv("plan", PLAN.encode(), actor="ann").ok
    ops = tandem.scenario_ops
    ops.clone(Y, "baseline", "alt", "bob")
    ops.edit_lines(Y, "alt", [LineEdit(line_id(tandem, "Paid search", "alt"), 1, D("150.00"),
                                       "Search+")], "bob")
    ops.shift(Y, "alt", D("50.00"), BudgetFilter(owners=("sales",)),
              BudgetFilter(owners=("marketing",)), "ann")
    tandem.set_assumption(Y, "alt", "deal_size", D("9000"), "cat", "bigger deals")
    return tandem


def test_each_change_appends_one_entry_chained_to_the_one_before(t):
    rows = entries(t.store)
    assert [r[:4] for r in rows] == [
        (1, "ann", "import", "plan plan.csv"),
        (2, "bob", "clone", "scenario alt"),
        (3, "bob", "edit line", f"line {line_id(t, 'Paid search', 'alt')}"),
        (4, "ann", "shift", "scenario alt"),
        (5, "cat", "set assumption", "scenario alt"),
    ]
    assert rows[0][7] == audit.GENESIS == "0" * 64
    for previous, entry in zip(rows, rows[1:], strict=False):
        assert entry[7] == previous[8]
    assert len({r[8] for r in rows}) == 5
    assert all(len(r[8]) == 64 and int(r[8], 16) >= 0 for r in rows)
    assert audit.verify(t.store) == audit.Verdict(True, 5)


def test_entries_hold_what_changed(t):
    rows = {r[0]: r[4:7] for r in entries(t.store)}
    assert rows[1] == (None, '{"added":2,"control_total":"400.00","rows":2,"scenario":"baseline",'
                             '"updated":0}', None)
    assert rows[2] == (None, '{"from":"baseline","lines":2,"total":"400.00"}', None)
    assert rows[3] == ('{"amount":"100.00","description":"Search"}',
                       '{"amount":"150.00","description":"Search+"}', None)
    assert rows[4] == ('{"total":"450.00"}',
                       '{"amount":"50.00","from":"owner=sales","lines_changed":2,'
                       '"mode":"pro_rata","to":"owner=marketing","total":"450.00"}', None)
    assert rows[5] == (None, '{"channel":"","name":"deal_size","value":"9000"}', "bigger deals")


def test_the_hash_covers_every_field(t):
    seq, at, actor, action, entity, before, after, reason, prev, digest = t.store.query(
        "SELECT seq, strftime(recorded_at, '%Y-%m-%dT%H:%M:%S.%f'), actor, action, entity,"
        " before, after, reason, prev_hash, hash FROM audit_log WHERE seq = 5")[0]
    assert audit.entry_hash(seq, at, actor, action, entity, before, after, reason, prev) == digest
    assert audit.entry_hash(seq, at, actor, action, entity, before, after, "other", prev) != digest


def test_a_refused_change_appends_nothing(t):
    before = entries(t.store)
    ops = t.scenario_ops
    assert not t.import_csv("plan", BAD_PLAN.encode(), actor="ann").ok
    with pytest.raises(Refused):
        ops.clone(Y, "baseline", "alt", "bob")
    with pytest.raises(Refused):
        ops.edit_lines(Y, "alt", [LineEdit(line_id(t, "Paid search", "alt"), 1, D("1.00"))],
                       "bob")
    with pytest.raises(Refused):
        ops.shift(Y, "alt", D("1000.00"), BudgetFilter(owners=("sales",)),
                  BudgetFilter(owners=("marketing",)), "ann")
    with pytest.raises(Refused):
        t.set_assumption(Y, "alt", "deal_size", D("1"), "cat", "")
    assert entries(t.store) == before


def test_a_batch_refused_half_way_leaves_no_entry_of_its_first_edits(t):
    before = entries(t.store)
    baseline_search, baseline_field = line_id(t, "Paid search"), line_id(t, "Field sales")
    with pytest.raises(Refused, match="is not an amount"):
        t.scenario_ops.edit_lines(Y, "baseline", [LineEdit(baseline_search, 1, D("1.00")),
                                                  LineEdit(baseline_field, 1, D("-1.00"))], "bob")
    assert entries(t.store) == before
    assert t.store.scalar("SELECT amount FROM plan_lines WHERE id = ?",
                          [baseline_search]) == D("100.00")


class Boom(Exception):
    pass


@pytest.mark.parametrize("change", ["import", "clone", "edit", "scale", "adopt"])
def test_a_change_and_its_entry_land_together_or_not_at_all(tandem, snapshot, monkeypatch,
                                                            change):
    """If writing the entry fails, the change it records is rolled back with it."""
    assert tandem.import_csv("plan", PLAN.encode(), actor="ann").ok
    before = snapshot(tandem.store)
    real = audit.record

    def failing(cur, *args, **kwargs):
        real(cur, *args, **kwargs)
        raise Boom("the disk is full")

    monkeypatch.setattr(audit, "record", failing)
    ops = tandem.scenario_ops
    with pytest.raises(Boom):
        if change == "import":
            tandem.import_csv("plan", PLAN.replace("300.00", "333.33").encode(), actor="ann")
        elif change == "clone":
            ops.clone(Y, "baseline", "alt", "bob")
        elif change == "edit":
            ops.edit_lines(Y, "baseline", [LineEdit(line_id(tandem, "Paid search"), 1,
                                                    D("1.00"))], "bob")
        elif change == "scale":
            ops.scale(Y, "baseline", D("10"), BudgetFilter(), "bob")
        else:
            ops.adopt(Y, "baseline", "bob")
    monkeypatch.undo()
    assert snapshot(tandem.store) == before
    assert audit.verify(tandem.store) == audit.Verdict(True, 1)


@pytest.mark.parametrize("seq", [1, 3, 5])
@pytest.mark.parametrize(("column", "value"), [
    ("actor", "'mallory'"),
    ("action", "'adopt'"),
    ("entity", "'scenario baseline'"),
    ("before", "'{\"total\":\"1.00\"}'"),
    ("after", "replace(after, '0', '9')"),
    ("reason", "'because'"),
    ("recorded_at", "recorded_at + INTERVAL 1 SECOND"),
    ("recorded_at", "recorded_at + INTERVAL 1 MICROSECOND"),
    ("prev_hash", "repeat('1', 64)"),
    ("hash", "repeat('f', 64)"),
])
def test_changing_any_field_of_an_entry_breaks_the_chain_there(t, seq, column, value):
    t.store.write(lambda cur: cur.execute(
        f"UPDATE audit_log SET {column} = {value} WHERE seq = ?", [seq]))
    verdict = audit.verify(t.store)
    assert (verdict.intact, verdict.broken_at, verdict.entries) == (False, seq, seq - 1)
    if column == "prev_hash":
        assert verdict.problem == "its link to the previous entry does not match"
    else:
        assert verdict.problem == "its content does not match its hash"


@pytest.mark.parametrize(("deleted", "broken_at"), [(1, 2), (2, 3), (4, 5)])
def test_deleting_an_entry_breaks_the_chain_at_the_gap(t, deleted, broken_at):
    t.store.write(lambda cur: cur.execute("DELETE FROM audit_log WHERE seq = ?", [deleted]))
    verdict = audit.verify(t.store)
    assert verdict == audit.Verdict(False, deleted - 1, broken_at,
                                    f"entry {deleted} is missing")


def test_renumbering_after_a_deletion_is_still_detected(t):
    def cut(cur):
        cur.execute("DELETE FROM audit_log WHERE seq = 2")
        cur.execute("UPDATE audit_log SET seq = seq - 1 WHERE seq > 2")

    t.store.write(cut)
    verdict = audit.verify(t.store)
    assert (verdict.intact, verdict.broken_at, verdict.entries) == (False, 2, 1)
    assert verdict.problem == "its link to the previous entry does not match"


def test_an_empty_log_is_intact():
    store = Store()
    try:
        assert audit.verify(store) == audit.Verdict(True, 0)
    finally:
        store.close()


def test_money_in_an_entry_is_exact_text():
    assert audit.money(D("1234.50")) == "1234.50"
    assert audit.money(D("0.10")) == "0.10"
    assert audit.money(None) is None
