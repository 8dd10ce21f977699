"""A store survives kill -9 at any instant: every write lands whole or not at all.

The harness is bench/crash.py (`python bench/crash.py --trials 1000` for the long run); here it
runs each operation once or a few times, killed at a random instant, when the WAL appears or
when the store file changes. Marked `slow` (a few minutes); `-m "not slow"` leaves it out.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from planning.store import Store
from planning.store.integrity import violations

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import crash  # noqa: E402

YEAR = 2026
# More lines than a DuckDB row group (122,880), so that the clone writes them optimistically.
BIG = 130_000

MAKE_BIG_SCENARIO = f"""
INSERT INTO scenarios (fiscal_year, name) VALUES ({YEAR}, 'big');
INSERT INTO plan_lines (id, scenario_id, owner, category, funnel_stage, channel, region, month,
                        amount)
SELECT (SELECT last FROM id_marks WHERE table_name = 'plan_lines') + i,
       (SELECT id FROM scenarios WHERE name = 'big'),
       ['sales', 'marketing', 'joint'][i % 3 + 1], 'Events', 'awareness', 'Channel ' || (i // 12),
       'EMEA', make_date({YEAR}, CAST(i % 12 + 1 AS INTEGER), 1), (i % 1000) * 1.25
FROM range(1, {BIG} + 1) r(i);
UPDATE id_marks SET last = last + {BIG} WHERE table_name = 'plan_lines';
"""

# Clone in a process of its own that dies right after the commit, as a kill would leave it.
CLONE_THEN_DIE = textwrap.dedent("""
    import os, sys
    from planning.scenarios import Scenarios
    from planning.store import Store
    store = Store(sys.argv[1])
    store.query("PRAGMA disable_checkpoint_on_shutdown")
    Scenarios(store).clone(2026, "big", "copy", "administrator")
    os._exit(0)
""")


def _big_store(path: Path) -> Store:
    store = Store(path)
    store.write(lambda cur: cur.execute(MAKE_BIG_SCENARIO))
    store.close()
    return Store(path)


def test_a_large_clone_cut_short_in_the_wal_keeps_none_of_it(tmp_path):
    """The WAL of a large clone, cut before its commit mark, must not bring back its lines.

    DuckDB 1.5 replays the pointer to optimistically written rows outside the replay's
    transaction: a torn WAL kept 130,000 lines with no scenario, id mark or audit entry.
    """
    db = tmp_path / "big.duckdb"
    store = _big_store(db)
    before = crash.digest(store)
    assert violations(store) == []
    store.close()

    done = subprocess.run([sys.executable, "-c", CLONE_THEN_DIE, str(db)], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    wal = Path(f"{db}.wal")
    if wal.exists() and wal.stat().st_size:
        # A kill a moment earlier: the last bytes (the commit mark) never reached the file.
        os.truncate(wal, wal.stat().st_size - 16)

    store = Store(db)
    try:
        assert violations(store) == []
        found = crash.digest(store)
        lines = store.scalar("SELECT count(*) FROM plan_lines WHERE scenario_id ="
                             " (SELECT id FROM scenarios WHERE name = 'copy')") or 0
    finally:
        store.close()
    assert found == before or lines == BIG


def test_integrity_finds_lines_no_commit_could_leave(demo):
    """Orphan lines, lines above the id mark, sign-offs and comments of missing lines."""
    store = demo.store
    assert violations(store) == []
    store.write(lambda cur: cur.execute(
        "INSERT INTO plan_lines (id, scenario_id, owner, category, funnel_stage, channel,"
        " region, month, amount, description, status, version, locked, updated_at)"
        " SELECT id + 10000000, 999, owner, category, funnel_stage, channel, region, month,"
        " amount, description, status, version, locked, updated_at"
        " FROM plan_lines WHERE id = (SELECT min(id) FROM plan_lines)"))
    store.write(lambda cur: cur.execute(
        "INSERT INTO sign_offs VALUES (20000000, 1, 'sales', 'x', now()::TIMESTAMP)"))
    store.write(lambda cur: cur.execute(
        "INSERT INTO comments (line_id, author, body, created_at)"
        " VALUES (20000000, 'x', 'y', now()::TIMESTAMP)"))
    found = violations(store)
    assert "plan lines above the id mark: 1" in found
    assert "plan lines of a scenario that does not exist: 1" in found
    assert "sign-offs of lines that do not exist: 1" in found
    assert "comments on lines that do not exist: 1" in found


def test_integrity_finds_a_locked_scenario_with_open_lines(demo):
    store = demo.store
    store.write(lambda cur: cur.execute("UPDATE scenarios SET locked = true"))
    assert any(v.startswith("locked scenarios with lines not signed off") for v in
               violations(store))


def test_the_harness_kills_every_kind_of_write(tmp_path):
    """Each import kind, each command that writes, and each write only the app makes."""
    names = {op.name for op in crash.operations(tmp_path / "files")}
    assert {f"import {kind}" for kind in ("plan", "actuals", "forecast", "leads", "survey")} \
        <= names
    assert {"import targets (head)", "mappings add", "rewards set", "pack", "clone", "scale",
            "shift", "split", "review submit", "review sign", "scenario lock"} <= names
    assert {"explain variance", "accept explanation", "release freed", "agree target",
            "answer survey", "scale forecast", "shift forecast"} <= names


def test_the_digest_leaves_out_only_the_minute_a_pack_names(tmp_path):
    """The meeting pack's audit entry names the minute it runs until: two packs made a minute
    apart digest alike, a pack of another period or any other entry naming a time does not."""
    store = Store(tmp_path / "s.duckdb")

    def entry(action: str, after: str) -> None:
        store.write(lambda cur: cur.execute(
            "INSERT INTO audit_log (seq, recorded_at, actor, action, entity, after, prev_hash,"
            " hash) VALUES (1, now()::TIMESTAMP, 'administrator', ?, 'pack FY2026', ?, '', '')",
            [action, after]))

    def digest_of(action: str, after: str) -> tuple:
        store.write(lambda cur: cur.execute("DELETE FROM audit_log"))
        entry(action, after)
        return crash.digest(store)["audit_log"]

    try:
        pack = '{{"as":"markdown","since":"{since}","until":"{until}"}}'
        made = digest_of("make pack", pack.format(since="2026-11-01 00:00",
                                                  until="2026-11-30 09:40"))
        assert made == digest_of("make pack", pack.format(since="2026-11-01 00:00",
                                                          until="2026-11-30 09:41"))
        assert made != digest_of("make pack", pack.format(since="2026-10-01 00:00",
                                                          until="2026-11-30 09:40"))
        other = digest_of("set pool", '{"until":"2026-11-30 09:40"}')
        assert other != digest_of("set pool", '{"until":"2026-11-30 09:41"}')
    finally:
        store.close()


FIRST_START = ("first start (app)", "init --demo")


def _survives(tmp_path: Path, names: set[str], extra_large: bool) -> None:
    ops = [op for op in crash.operations(tmp_path / "files") if op.name in names]
    schedule = [(op, crash.TRIGGERS[i % 3]) for i, op in enumerate(ops)]
    if extra_large:
        large = next(op for op in ops if op.name == "clone (large)")
        used = schedule[ops.index(large)][1]
        schedule += [(large, trigger) for trigger in crash.TRIGGERS if trigger != used]
    tallies = crash.run(ops, trials=len(schedule), lines=BIG, seed=7, work=tmp_path,
                        log=lambda _line: None, ref_runs=1, schedule=schedule)
    report = crash.report(tallies)
    assert all(t.failures == 0 for t in tallies.values()), report
    assert sum(t.killed for t in tallies.values()) >= len(schedule) // 2, report


@pytest.mark.slow
def test_every_write_survives_kill_nine(tmp_path):
    """Each write killed once (the clone of a large scenario thrice): whole or not at all.
    Every write: each command that changes the store (imports of every kind, scenario
    operations, review, rewards, mappings, the meeting pack's audit entry) and each write only
    the app makes (variance explanations and their acceptance, a release of freed money, a
    target agreed, a survey answer, a forecast scaled or shifted)."""
    names = {op.name for op in crash.operations(tmp_path / "files")} - set(FIRST_START)
    _survives(tmp_path, names, extra_large=True)


@pytest.mark.slow
def test_the_first_start_survives_kill_nine(tmp_path):
    """A new store is built beside its path and moved in whole: killed anywhere, it is there
    complete or not there at all."""
    _survives(tmp_path, set(FIRST_START), extra_large=False)
