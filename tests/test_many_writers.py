"""Many writers at once: threads of one process and other processes edit lines together.

Each edit lands whole or is refused (a line changed since it was read), nothing is lost, and the
hash-chained audit stays one unbroken chain. On PostgreSQL the writers are truly concurrent
(every write transaction takes the store revision's row lock first); on DuckDB they take turns.
"""
from __future__ import annotations

import subprocess
import sys
import threading
from decimal import Decimal

from planning import audit
from planning.errors import Refused
from planning.scenarios import LineEdit, Scenarios

YEAR, SCENARIO, ACTOR = 2026, "baseline", "Erin Executive"
THREADS, PROCESSES, EDITS = 8, 2, 6

# A process of its own: edits its lines EDITS times each, then the shared line once per round.
WORKER = """
import sys
from decimal import Decimal
from planning.errors import Refused
from planning.scenarios import LineEdit, Scenarios
from planning.store import open_store

address, line, shared, edits = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
store = open_store(address, label="a test worker")
ops, done, refused = Scenarios(store), 0, 0
for i in range(edits):
    for target in (line, shared):
        version, amount = store.query("SELECT version, amount FROM plan_lines WHERE id = ?",
                                      [target])[0]
        try:
            ops.edit_lines(2026, "baseline", [LineEdit(target, version, amount + 1)],
                           "Erin Executive")
            done += 1
        except Refused:
            refused += 1
store.close()
print(done, refused)
"""


def _address(store) -> str:
    return getattr(store, "url", store.path)


def test_threads_and_processes_edit_at_once_and_the_audit_chain_holds(new_store):
    store = new_store("demo")
    lines = [r[0] for r in store.query(
        "SELECT l.id FROM plan_lines l JOIN scenarios s ON s.id = l.scenario_id"
        " WHERE s.fiscal_year = ? AND s.name = ? ORDER BY l.id LIMIT ?",
        [YEAR, SCENARIO, THREADS + PROCESSES + 1])]
    shared, own = lines[0], lines[1:]
    amounts = dict(store.query("SELECT id, amount FROM plan_lines WHERE id IN (SELECT unnest(?))",
                               [lines]))
    entries_before = audit.verify(store).entries
    ops = Scenarios(store)
    tally = {"done": 0, "refused": 0}
    lock = threading.Lock()
    failures: list[BaseException] = []

    def edit_many(line: int) -> None:
        try:
            for _ in range(EDITS):
                for target in (line, shared):
                    version, amount = store.query(
                        "SELECT version, amount FROM plan_lines WHERE id = ?", [target])[0]
                    try:
                        ops.edit_lines(YEAR, SCENARIO, [LineEdit(target, version, amount + 1)],
                                       ACTOR)
                        outcome = "done"
                    except Refused as exc:
                        assert "changed since you opened it" in str(exc)
                        outcome = "refused"
                    with lock:
                        tally[outcome] += 1
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    workers = [subprocess.Popen(
        [sys.executable, "-c", WORKER, _address(store), str(line), str(shared), str(EDITS)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for line in own[THREADS:]]
    threads = [threading.Thread(target=edit_many, args=(line,)) for line in own[:THREADS]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for w in workers:
        out, err = w.communicate(timeout=300)
        assert w.returncode == 0, err
        done, refused = map(int, out.split())
        tally["done"] += done
        tally["refused"] += refused
    assert not failures, failures

    # Every edit of a line of one's own lands: one new version and one cent... one unit each.
    for line in own:
        version, amount = store.query("SELECT version, amount FROM plan_lines WHERE id = ?",
                                      [line])[0]
        assert (version, amount) == (1 + EDITS, amounts[line] + EDITS)
    # The shared line moved once per edit that was not refused: nothing lost, nothing doubled.
    version, amount = store.query("SELECT version, amount FROM plan_lines WHERE id = ?",
                                  [shared])[0]
    shared_done = tally["done"] - len(own) * EDITS
    assert tally["done"] + tally["refused"] == 2 * len(own) * EDITS
    assert shared_done >= 1
    assert (version, amount) == (1 + shared_done, amounts[shared] + Decimal(shared_done))
    verdict = audit.verify(store)
    assert verdict.intact, verdict
    assert verdict.entries == entries_before + tally["done"]


def test_what_another_process_writes_is_read_at_once_despite_kept_results(new_store):
    """Read results are kept per store revision; the revision comes from the store, so a write
    by another process (another app process, a command) shows on this one's next read."""
    from planning.tandem import Tandem

    t = Tandem(new_store("demo"))
    before = t.pool(YEAR)
    hits = t.store.reads.hits
    assert t.pool(YEAR) == before
    assert t.store.reads.hits == hits + 1  # the answer was kept
    done = subprocess.run(
        [sys.executable, "-m", "planning", "pool", str(YEAR), "7654321.00", "--db",
         _address(t.store)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert t.pool(YEAR) == Decimal("7654321.00") != before
    assert audit.verify(t.store).intact
