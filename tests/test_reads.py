"""Read results are kept per store revision: asked twice, computed once; never stale after a
write, in this process or another."""
from __future__ import annotations

import subprocess
import sys
import threading
import time
from decimal import Decimal

import pytest

from planning import Tandem
from planning.budget import BudgetFilter
from planning.demo import load_demo
from planning.store.reads import ReadCache


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("reads") / "demo.duckdb"
    t = Tandem.open(path)
    load_demo(t)
    t.close()
    return path


@pytest.fixture
def t(demo_file, tmp_path):
    copy = tmp_path / "t.duckdb"
    for suffix in ("", ".key"):  # the store and, beside it, its audit key
        source = demo_file.with_name(demo_file.name + suffix)
        if source.exists():
            copy.with_name(copy.name + suffix).write_bytes(source.read_bytes())
    tandem = Tandem.open(copy)
    yield tandem
    tandem.close()


def test_the_same_question_is_answered_once_per_revision(t):
    reads = t.store.reads
    budget = t.budget(2026)
    first = budget.summary()
    misses = reads.misses
    for _ in range(5):
        assert t.budget(2026).summary() == first
    assert reads.misses == misses
    assert reads.hits >= 5


def test_a_write_in_this_process_is_seen_on_the_next_read(t):
    before = t.budget(2026).summary()
    revision = t.store.revision()
    t.set_pool(2026, before.pool + Decimal("1000.00"))
    assert t.store.revision() > revision
    assert t.budget(2026).summary().pool == before.pool + Decimal("1000.00")
    assert t.pool(2026) == before.pool + Decimal("1000.00")


def test_a_scenario_operation_is_seen_by_every_cached_view(t):
    where = BudgetFilter(channels=("Paid search",))
    before = t.budget(2026, where=where).summary().allocated
    t.scenario_ops.scale(2026, "baseline", Decimal("10"), where, "administrator")
    after = t.budget(2026, where=where).summary().allocated
    assert after == (before * Decimal("1.10")).quantize(Decimal("0.01"))
    assert sum(a for _m, _o, a in t.budget(2026, where=where).monthly()) == after


def test_a_write_by_a_command_in_another_process_is_seen_on_the_next_read(t):
    pool = t.pool(2026)
    assert t.fiscal_years() == [2026]
    done = subprocess.run(
        [sys.executable, "-m", "planning.cli", "--db", t.store.path, "pool", "2026",
         str(pool + Decimal("5.00"))], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert t.pool(2026) == pool + Decimal("5.00")
    assert t.budget(2026).summary().pool == pool + Decimal("5.00")


def test_callers_asking_at_once_wait_for_one_answer():
    calls = []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.2)
        return 42

    cache = ReadCache(lambda: 1)
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(cache.get("k", slow)))
               for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [42] * 10
    assert len(calls) == 1


def test_a_failed_answer_is_not_kept():
    cache = ReadCache(lambda: 1)

    def boom() -> int:
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        cache.get("k", boom)
    assert cache.get("k", lambda: 7) == 7


def test_a_new_revision_drops_every_answer_of_the_old_one():
    revision = [1]
    cache = ReadCache(lambda: revision[0])
    assert cache.get("k", lambda: "old") == "old"
    revision[0] = 2
    assert cache.get("k", lambda: "new") == "new"


def test_unhashable_arguments_are_answered_without_being_kept():
    cache = ReadCache(lambda: 1)
    assert cache.get(("k", ["a list"]), lambda: 1) == 1
    assert cache.get(("k", ["a list"]), lambda: 2) == 2
