"""The hash-chained audit log: entries link up, land with their change, and show tampering."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from planning import audit, audit_key
from planning.budget import BudgetFilter
from planning.errors import Refused, StoreError
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
    # An import and a clone name the lines they created (ids are never given twice).
    assert rows[1] == (None, '{"added":2,"control_total":"400.00","first_line":1,"last_line":2,'
                             '"rows":2,"scenario":"baseline","updated":0}', None)
    assert rows[2] == (None, '{"first_line":3,"from":"baseline","last_line":4,"lines":2,'
                             '"source_offset":2,"total":"400.00"}', None)
    assert rows[3] == ('{"amount":"100.00","description":"Search"}',
                       '{"amount":"150.00","description":"Search+"}', None)
    assert rows[4] == ('{"total":"450.00"}',
                       '{"amount":"50.00","from":"owner=sales","lines_changed":2,'
                       '"mode":"pro_rata","to":"owner=marketing","total":"450.00"}', None)
    assert rows[5] == (None, '{"channel":"","name":"deal_size","value":"9000"}', "bigger deals")


def test_the_hash_covers_every_field(t):
    seq, at, actor, action, entity, before, after, reason, via, prev, digest = t.store.query(
        "SELECT seq, strftime(recorded_at, '%Y-%m-%dT%H:%M:%S.%f'), actor, action, entity,"
        " before, after, reason, via, prev_hash, hash FROM audit_log WHERE seq = 5")[0]
    key = audit_key.for_reading(t.store.path).secret
    fields = [seq, at, actor, action, entity, before, after, reason, via, prev]
    assert audit.entry_hmac(key, *fields) == digest
    assert audit.entry_hmac(key, *fields[:7], "other", *fields[8:]) != digest
    assert audit.entry_hmac(key, *fields[:8], "command", prev) != digest  # via is covered
    # Without the key, the entry's plain hash is not its hash: it cannot be recomputed.
    assert audit.entry_hash(seq, at, actor, action, entity, before, after, reason, prev) != digest


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
    monkeypatch.setattr(audit, "record", real)  # (not undo(): the store's own settings stay)
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
    ("recorded_at", "recorded_at + INTERVAL '1 second'"),
    ("recorded_at", "recorded_at + INTERVAL '1 microsecond'"),
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


# -- the key, the head and anchors -------------------------------------------------------------
ROW = ("SELECT seq, strftime(recorded_at, '%Y-%m-%dT%H:%M:%S.%f'), actor, action, entity, before,"
       " after, reason, via, prev_hash FROM audit_log WHERE seq = ?")


def rehash_from(store: Store, seq: int, make) -> None:
    """What a forger with the store (but not the key) does: rewrite an entry and re-hash it and
    every later one, so that the links hold."""
    last = store.scalar("SELECT max(seq) FROM audit_log")
    prev = store.scalar("SELECT prev_hash FROM audit_log WHERE seq = ?", [seq])
    for n in range(seq, last + 1):
        row = list(store.query(ROW, [n])[0])
        row[-1] = prev
        digest, version = make(row)
        store.write(lambda cur, d=digest, v=version, p=prev, n=n: cur.execute(
            "UPDATE audit_log SET hash = ?, hash_version = ?, prev_hash = ? WHERE seq = ?",
            [d, v, p, n]))
        prev = digest


@pytest.mark.duckdb_only  # a server store's key is in TANDEM_AUDIT_KEY, no file
def test_the_key_file_sits_beside_the_store_readable_by_its_owner_only(t):
    path = audit_key.key_path(t.store.path)
    assert path.exists() and (path.stat().st_mode & 0o777) == 0o600
    key = audit_key.for_reading(t.store.path)
    assert len(key.secret) == 32 and key.keyed_from == 1
    assert key.secret.hex() not in repr(t.store.query("SELECT * FROM audit_log"))


def test_rewriting_and_rehashing_without_the_key_is_detected(t):
    t.store.write(lambda cur: cur.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3"))
    # Re-hashed as keyless (version 1) entries, the links all hold, yet it does not verify.
    rehash_from(t.store, 3, lambda r: (audit.entry_hash(*r[:8], r[9]), 1))
    verdict = audit.verify(t.store)
    assert (verdict.intact, verdict.broken_at) == (False, 3)
    assert verdict.problem == "it is not keyed, yet the audit key signs every entry from here on"
    # Re-hashed with a guessed key, likewise.
    rehash_from(t.store, 3, lambda r: (audit.entry_hmac(b"guess" * 8, *r), 2))
    assert audit.verify(t.store) == audit.Verdict(False, 2, 3, "its content does not match its"
                                                               " hash")


def test_a_forged_entry_appended_at_the_end_is_detected(t):
    seq, prev = audit.head(t.store)
    at = "2026-03-02T09:00:00.000000"
    forged = audit.entry_hash(seq + 1, at, "erin", "reopen", "scenario baseline", None, None,
                              "because", prev)
    t.store.write(lambda cur: cur.execute(
        "INSERT INTO audit_log (seq, recorded_at, actor, action, entity, reason, prev_hash, hash,"
        " via, hash_version) VALUES (?, ?, 'erin', 'reopen', 'scenario baseline', 'because', ?,"
        " ?, 'app', 1)", [seq + 1, at, prev, forged]))
    verdict = audit.verify(t.store)
    assert (verdict.intact, verdict.broken_at, verdict.entries) == (False, 6, 5)


def test_verify_returns_the_head_and_an_anchor_catches_a_cut_or_a_rewrite(t):
    verdict = audit.verify(t.store)
    assert verdict.intact and verdict.head == audit.head(t.store)[1]
    assert audit.head(t.store)[0] == verdict.entries == 5
    anchor = (5, verdict.head)
    assert audit.verify(t.store, anchor).intact
    assert audit.verify(t.store, (3, t.store.scalar(
        "SELECT hash FROM audit_log WHERE seq = 3"))).intact
    # Cutting the last entries leaves a chain that verifies on its own ...
    t.store.write(lambda cur: cur.execute("DELETE FROM audit_log WHERE seq >= 4"))
    assert audit.verify(t.store) == audit.Verdict(True, 3)
    # ... but not against the anchor kept elsewhere.
    assert audit.verify(t.store, anchor) == audit.Verdict(
        False, 3, 5, "entry 5 of the anchor is gone: the trail was cut back to 3 entries")
    # Deleting every entry, likewise.
    t.store.write(lambda cur: cur.execute("DELETE FROM audit_log"))
    assert audit.verify(t.store, anchor).intact is False
    # A rewritten entry under an anchor (here: with a wrong hash) is named.
    wrong = (1, "0" * 64)
    assert audit.verify(t.store, wrong).problem.startswith("entry 1 of the anchor is gone")


def test_an_anchor_names_a_rewritten_entry(t):
    assert audit.verify(t.store, (2, "f" * 64)) == audit.Verdict(
        False, 5, 2, "entry 2 no longer has the anchor's hash: the trail was rewritten")


@pytest.mark.parametrize("text", ["5", "x:" + "0" * 64, "0:" + "0" * 64, "3:abc", "3:" + "g" * 64])
def test_a_malformed_anchor_is_refused(text):
    with pytest.raises(ValueError, match="is not an anchor"):
        audit.parse_anchor(text)
    assert audit.parse_anchor(" 3:" + "AB" * 32) == (3, "ab" * 32)


def test_entries_written_before_the_key_still_verify(tmp_path):
    """A store from before the key: its keyless entries verify, new ones are keyed after them,
    and a rewrite of a keyed entry as keyless is caught."""
    store = Store(tmp_path / "old.duckdb")
    try:
        def old_record(cur, n: int) -> None:  # what the code wrote before the key existed
            prev = cur.execute("SELECT coalesce(max(hash), ?) FROM audit_log WHERE seq = ?",
                               [audit.GENESIS, n - 1]).fetchone()[0]
            at = f"2026-01-0{n}T10:00:00.000000"
            digest = audit.entry_hash(n, at, "ann", "import", "plan p.csv", None, None, None,
                                      prev)
            cur.execute("INSERT INTO audit_log (seq, recorded_at, actor, action, entity,"
                        " prev_hash, hash) VALUES (?, ?, 'ann', 'import', 'plan p.csv', ?, ?)",
                        [n, at, prev, digest])

        for n in (1, 2):
            store.write(lambda cur, n=n: old_record(cur, n))
        assert store.query("SELECT hash_version, via FROM audit_log") == [(1, None), (1, None)]
        assert not audit_key.key_path(store.path).exists()
        assert audit.verify(store) == audit.Verdict(True, 2)
        Tandem(store).set_pool(Y, D("10.00"), "erin")
        assert audit_key.for_reading(store.path).keyed_from == 3
        assert store.query("SELECT seq, hash_version, via FROM audit_log ORDER BY seq") == [
            (1, 1, None), (2, 1, None), (3, 2, "app")]
        assert audit.verify(store) == audit.Verdict(True, 3)
        # Rewriting the keyed entry as a keyless one is caught, though the links hold.
        rehash_from(store, 3, lambda r: (audit.entry_hash(*r[:8], r[9]), 1))
        assert audit.verify(store).broken_at == 3
    finally:
        store.close()


@pytest.mark.duckdb_only  # a server store's key is in TANDEM_AUDIT_KEY, no file
def test_a_lost_key_refuses_writes_instead_of_making_a_new_one(t, snapshot):
    path = audit_key.key_path(t.store.path)
    saved = path.read_bytes()
    path.unlink()
    verdict = audit.verify(t.store)
    assert (verdict.intact, verdict.broken_at) == (False, 1)
    assert "the audit key is missing" in verdict.problem
    before = snapshot(t.store)
    with pytest.raises(StoreError, match="is missing, yet the audit trail holds entries"):
        t.set_pool(Y, D("5.00"), "erin")
    assert snapshot(t.store) == before and not path.exists()
    path.write_bytes(saved)
    t.set_pool(Y, D("5.00"), "erin")
    assert audit.verify(t.store).intact


def test_the_key_may_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(audit_key.KEY_ENV, "ab" * 32)
    store = Store(tmp_path / "env.duckdb")
    try:
        Tandem(store).set_pool(Y, D("1.00"), "erin")
        assert not audit_key.key_path(store.path).exists()
        assert audit.verify(store).intact
        monkeypatch.setenv(audit_key.KEY_ENV, "cd" * 32)
        assert audit.verify(store).problem == "its content does not match its hash"
        monkeypatch.setenv(audit_key.KEY_ENV, "abc")
        with pytest.raises(StoreError, match="at least 64 hex digits"):
            audit.verify(store)
    finally:
        store.close()


def test_entries_say_whether_they_came_from_the_app_or_the_command(tandem):
    tandem.set_pool(Y, D("1.00"), "erin")
    with audit.via("command"):
        tandem.set_pool(Y, D("2.00"), "erin")
    tandem.set_pool(Y, D("3.00"), "erin")
    assert [e.via for e in reversed(audit.entries(tandem.store))] == ["app", "command", "app"]
    with pytest.raises(ValueError):
        with audit.via("email"):
            pass


def test_minutes_end_with_the_head(t):
    text = audit.minutes(t.store, datetime(2000, 1, 1), datetime(2100, 1, 1))
    count, digest = audit.head(t.store)
    assert text.endswith(f"\n\nAudit trail: {count} entries, head {digest}\n")
    assert audit.verify(t.store, (count, digest)).intact
