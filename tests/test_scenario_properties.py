"""Properties of scale, shift and split on random small plans, and of the SQL allocation itself.

Each example builds in-memory stores through the importer, so the number of examples is modest.
The reference is planning.money.split (the Python form of the same largest-remainder method) and
an exact integer computation of it.
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planning.budget import BudgetFilter
from planning.errors import Refused
from planning.model import OWNERS
from planning.money import CENT, split
from planning.store import Store, allocate_sql
from planning.tandem import Tandem

D = Decimal
Y = 2026
HEADER = "fiscal_year,owner,category,funnel_stage,channel,region,month,amount,description"
CATEGORIES = ("Events", "Programs", "Tools")
STAGES = ("awareness", "consideration", "purchase")
CHANNELS = ("Field sales", "Paid search", "Webinars")
REGIONS = ("APAC", "EMEA")
STORE_SETTINGS = settings(max_examples=25, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow,
                                                 HealthCheck.data_too_large])

Key = tuple[str, str, str, str, str, str]

keys = st.tuples(st.sampled_from(OWNERS), st.sampled_from(CATEGORIES), st.sampled_from(STAGES),
                 st.sampled_from(CHANNELS), st.sampled_from(REGIONS),
                 st.integers(1, 12).map(lambda m: f"2026-{m:02d}"))
# (key, amount in cents, locked): amounts 0.00 to 100000.00, about one line in four locked.
plans = st.lists(st.tuples(keys, st.integers(0, 10_000_000),
                           st.integers(0, 3).map(lambda n: n == 0)),
                 min_size=2, max_size=30, unique_by=lambda line: line[0])


# -- helpers --------------------------------------------------------------------------------------
def cents(amount: Decimal) -> int:
    return int(amount * 100)


def build(plan: Sequence[tuple[Key, int, bool]]) -> Tandem:
    """An in-memory store with the plan imported in the given order and its locks set."""
    t = Tandem(Store(":memory:"))
    rows = [f"{Y},{','.join(key)},{D(c) / 100:.2f}," for key, c, _locked in plan]
    report = t.import_csv("plan", (HEADER + "\n" + "\n".join(rows) + "\n").encode())
    assert report.ok, report.problems
    locked = [list(key) for key, _c, is_locked in plan if is_locked]
    if locked:
        t.store.write(lambda cur: cur.executemany(
            "UPDATE plan_lines SET locked = true WHERE owner = ? AND category = ?"
            " AND funnel_stage = ? AND channel = ? AND region = ?"
            " AND month = CAST(? || '-01' AS DATE)", locked))
    return t


def state(t: Tandem) -> dict[Key, tuple[Decimal, bool]]:
    rows = t.store.query("SELECT owner, category, funnel_stage, channel, region,"
                         " strftime(month, '%Y-%m'), amount, locked FROM plan_lines")
    return {tuple(r[:6]): (r[6], r[7]) for r in rows}


def largest_remainder(total: int, weights: Sequence[int]) -> tuple[list[int], bool]:
    """Exact parts in cents with ties to the earlier weight, and whether a tie decided a cent.

    When no tie straddles the cut (the last remainder that gets a cent and the first that does
    not differ), every tie-break rule gives these same parts.
    """
    total_w = sum(weights)
    if total_w == 0:
        weights, total_w = [1] * len(weights), len(weights)
    magnitude, sign = abs(total), (-1 if total < 0 else 1)
    floors = [magnitude * w // total_w for w in weights]
    rems = [magnitude * w % total_w for w in weights]
    left = magnitude - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-rems[i], i))
    for i in order[:left]:
        floors[i] += 1
    ranked = sorted(rems, reverse=True)
    tie = 0 < left < len(weights) and ranked[left - 1] == ranked[left]
    return [sign * f for f in floors], tie


def matches(key: Key, owners: tuple[str, ...]) -> bool:
    return not owners or key[0] in owners


def run(t: Tandem, op: dict) -> object:
    ops = t.scenario_ops
    if op["kind"] == "scale":
        return ops.scale(Y, "baseline", op["percent"], BudgetFilter(owners=op["owners"]), "p")
    if op["kind"] == "shift":
        return ops.shift(Y, "baseline", op["amount"], BudgetFilter(owners=op["source"]),
                         BudgetFilter(owners=op["target"]), "p", mode=op["mode"])
    return ops.split(Y, "baseline", op["amount"], BudgetFilter(owners=op["owners"]), "p",
                     by=op["by"])


@st.composite
def operations(draw, plan: Sequence[tuple[Key, int, bool]]) -> dict:
    present = sorted({key[0] for key, _c, _l in plan})
    kind = draw(st.sampled_from(["scale", "shift", "split"]))
    if kind == "scale":
        owners = draw(st.sampled_from([(), *[(o,) for o in present]]))
        percent = D(draw(st.integers(-10_000, 30_000))) / 100
        return {"kind": kind, "owners": owners, "percent": percent}
    if kind == "shift" and len(present) >= 2:
        source, target = draw(st.permutations(present))[:2]
        available = sum(c for key, c, locked in plan if key[0] == source and not locked)
        amount = draw(st.integers(1, max(available, 1)))
        return {"kind": kind, "source": (source,), "target": (target,),
                "amount": D(amount) / 100, "mode": draw(st.sampled_from(["pro_rata", "even"]))}
    owners = draw(st.sampled_from([(), *[(o,) for o in present]]))
    amount = D(draw(st.integers(1, 10_000_000))) / 100
    return {"kind": "split", "owners": owners, "amount": amount,
            "by": draw(st.sampled_from(["amount", "even", "owner"]))}


def expected_change(plan: Sequence[tuple[Key, int, bool]], op: dict) -> Decimal:
    if op["kind"] == "scale":
        matched = sum(c for key, c, locked in plan if matches(key, op["owners"]) and not locked)
        return (D(matched) / 100 * op["percent"] / 100).quantize(CENT, rounding=ROUND_HALF_EVEN)
    if op["kind"] == "shift":
        return D("0.00")
    return op["amount"]


def expected_refusal(plan: Sequence[tuple[Key, int, bool]], op: dict) -> str | None:
    """The refusal the model predicts; `None` when the operation must succeed.

    An even shift may also be refused for taking a line below zero; that is checked apart.
    """
    def all_locked(owners: tuple[str, ...]) -> str | None:
        matched = [locked for key, _c, locked in plan if matches(key, owners)]
        if all(matched):
            return f"all {len(matched)} lines that match are locked; unlock some first"
        return None

    if op["kind"] != "shift":
        return all_locked(op["owners"])
    refusal = all_locked(op["source"]) or all_locked(op["target"])
    available = sum(c for key, c, locked in plan if matches(key, op["source"]) and not locked)
    if refusal is None and cents(op["amount"]) > available:
        refusal = (f"the source lines hold {D(available) / 100:.2f} (unlocked), less than"
                   f" {op['amount']}")
    return refusal


# -- properties of the operations -------------------------------------------------------------
@settings(STORE_SETTINGS, max_examples=60)
@given(data=st.data(), plan=plans)
def test_operations_move_exactly_their_amount_and_respect_locks(data, plan):
    op = data.draw(operations(plan), label="operation")
    shuffled = data.draw(st.permutations(plan), label="import order")
    first, second = build(plan), build(shuffled)
    try:
        before = state(first)
        assert before == state(second)
        outcomes = []
        for t in (first, second):
            try:
                outcomes.append(run(t, op))
            except Refused as refusal:
                outcomes.append(str(refusal))
        after, after_shuffled = state(first), state(second)
        # The result does not depend on the order the lines were imported in.
        assert after == after_shuffled
        refusal = expected_refusal(plan, op)
        if isinstance(outcomes[0], str):
            assert outcomes[1] == outcomes[0]
            assert after == before
            if refusal is None:
                assert op["kind"] == "shift" and op["mode"] == "even", outcomes[0]
                assert outcomes[0].endswith("would go below zero; take less"
                                            " (taking pro rata to current amounts never"
                                            " empties a line early)")
            else:
                assert outcomes[0] == refusal
            return
        assert refusal is None
        change = expected_change(plan, op)
        total_before = sum((a for a, _l in before.values()), D("0.00"))
        total_after = sum((a for a, _l in after.values()), D("0.00"))
        assert total_after - total_before == change
        assert outcomes[0].change == change
        for key, (amount, locked) in after.items():
            assert amount >= 0
            assert amount == amount.quantize(CENT) and amount.as_tuple().exponent == -2
            if locked:
                assert amount == before[key][0]
            if op["kind"] != "shift" and not matches(key, op["owners"]):
                assert amount == before[key][0]
            if op["kind"] == "shift" and key[0] not in op["source"] + op["target"]:
                assert amount == before[key][0]
    finally:
        first.close()
        second.close()


@STORE_SETTINGS
@given(data=st.data(), plan=plans)
def test_pro_rata_operations_agree_with_money_split_in_key_order(data, plan):
    """Each line's change is money.split over the unlocked matched lines sorted by their key.

    Where a tie decides a cent, the SQL breaks it by a hash of the line key (see
    test_ties_follow_the_hash_of_the_key), so those lines are compared by their sum only.
    """
    present = sorted({key[0] for key, _c, _l in plan})
    owner = data.draw(st.sampled_from(present))
    unlocked = sorted((key, c) for key, c, locked in plan if key[0] == owner and not locked)
    total = D(data.draw(st.integers(-sum(c for _k, c in unlocked), 10_000_000))) / 100
    if total == 0:
        total = D("0.01")
    t = build(plan)
    try:
        before = state(t)
        if not unlocked:
            with pytest.raises(Refused):
                t.scenario_ops.split(Y, "baseline", total, BudgetFilter(owners=(owner,)), "p")
            return
        t.scenario_ops.split(Y, "baseline", total, BudgetFilter(owners=(owner,)), "p")
        after = state(t)
    finally:
        t.close()
    weights = [c for _k, c in unlocked]
    parts = [cents(after[k][0] - before[k][0]) for k, _c in unlocked]
    reference = [cents(p) for p in split(total, [D(w) for w in weights])]
    exact, tie = largest_remainder(cents(total), weights)
    assert sum(parts) == sum(reference) == cents(total)
    if not tie:
        assert parts == reference == exact
    else:
        # Each line still gets its exact share rounded down or up to the cent.
        total_w = sum(weights)
        for part, w in zip(parts, weights, strict=True):
            low = abs(cents(total)) * w // total_w if total_w else abs(cents(total)) // len(weights)
            assert abs(part) - low in (0, 1)


# -- the SQL allocation on its own --------------------------------------------------------------
def sql_allocate(rows: Sequence[tuple[int, Key, int, str]], totals: dict[str, int]
                 ) -> tuple[dict[int, int], dict[int, int]]:
    """Run the store's allocation SQL: (id -> part in cents, id -> the tie value it used)."""
    con = duckdb.connect()
    try:
        con.execute("CREATE TEMP TABLE lines (id BIGINT, owner VARCHAR, category VARCHAR,"
                    " funnel_stage VARCHAR, channel VARCHAR, region VARCHAR, month DATE,"
                    " w BIGINT, g INTEGER)")
        number = {name: n for n, name in enumerate(sorted(totals))}  # groups are numbered
        con.executemany("INSERT INTO lines VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [[i, *k[:5], date(int(k[5][:4]), int(k[5][5:]), 1), w, number[g]]
                         for i, k, w, g in rows])
        con.execute(f"CREATE TEMP TABLE alloc_in AS SELECT id, g, w, {allocate_sql.TIE} AS tie"
                    " FROM lines")
        allocate_sql.parts(con, "SELECT id, g, w FROM lines", [],
                           {number[name]: cents for name, cents in totals.items()},
                           table="lines")
        parts = dict(con.execute("SELECT id, part FROM alloc_out").fetchall())
        ties = dict(con.execute("SELECT id, tie FROM alloc_in").fetchall())
        return parts, ties
    finally:
        con.close()


allocations = st.tuples(
    st.lists(st.tuples(keys, st.one_of(st.integers(0, 10), st.integers(0, 10**10)),
                       st.sampled_from(["a", "b"])),
             min_size=1, max_size=25, unique_by=lambda line: line[0]),
    st.integers(-10**13, 10**13), st.integers(-10**6, 10**6))


@settings(max_examples=150, deadline=None, database=None)
@given(case=allocations, seed=st.randoms(use_true_random=False))
def test_sql_allocation_agrees_with_money_split_in_key_order(case, seed):
    lines, total_a, total_b = case
    totals = {"a": total_a, "b": total_b}
    order = list(range(len(lines)))
    seed.shuffle(order)
    rows = [(100 + pos, *lines[i]) for pos, i in enumerate(order)]  # ids in a random order
    parts, ties = sql_allocate(rows, totals)
    weight_of = {i: w for i, _key, w, _g in rows}
    for group in ("a", "b"):
        members = sorted((key, i) for i, key, _w, g in rows if g == group)
        if not members:
            continue
        weights = [weight_of[i] for _key, i in members]
        got = [parts[i] for _key, i in members]
        assert sum(got) == totals[group]
        exact, tie = largest_remainder(totals[group], weights)
        reference = [cents(p) for p in split(D(totals[group]) / 100, [D(w) for w in weights])]
        if not tie:
            assert got == exact == reference
        else:
            # Equal remainders: the cents go in the order of the key's hash, then the id.
            by_tie = sorted(range(len(members)), key=lambda j: (ties[members[j][1]],
                                                                members[j][1]))
            tied, _ = largest_remainder(totals[group], [weights[j] for j in by_tie])
            assert [got[j] for j in by_tie] == tied


@settings(max_examples=40, deadline=None, database=None)
@given(lines=st.lists(keys, min_size=2, max_size=20, unique=True),
       total=st.integers(-10**6, 10**6), seed=st.randoms(use_true_random=False))
def test_ties_follow_the_hash_of_the_key_not_the_storage_order(lines, total, seed):
    # Equal weights make every remainder equal: only the tie-break decides the left-over cents.
    rows = [(i, key, 7, "a") for i, key in enumerate(lines)]
    shuffled = list(lines)
    seed.shuffle(shuffled)
    rows_shuffled = [(500 - i, key, 7, "a") for i, key in enumerate(shuffled)]
    parts, _ = sql_allocate(rows, {"a": total})
    parts_shuffled, _ = sql_allocate(rows_shuffled, {"a": total})
    by_key = {key: parts[i] for i, key, _w, _g in rows}
    assert by_key == {key: parts_shuffled[i] for i, key, _w, _g in rows_shuffled}
    assert sum(by_key.values()) == total
    base = abs(total) // len(lines)
    assert sorted(abs(p) for p in by_key.values()) == sorted(
        [base] * (len(lines) - abs(total) % len(lines)) + [base + 1] * (abs(total) % len(lines)))


def test_sql_allocation_of_all_zero_weights_is_even():
    rows = [(i, ("sales", "Tools", "purchase", "Webinars", "EMEA", f"2026-{i:02d}"), 0, "a")
            for i in range(1, 5)]
    parts, _ = sql_allocate(rows, {"a": 400})
    assert parts == {1: 100, 2: 100, 3: 100, 4: 100}


def test_sql_allocation_uses_exact_integers_beyond_bigint():
    # 10**15 cents x weights of 10**10 overflow BIGINT; the parts must still be exact.
    rows = [(1, ("sales", "Tools", "purchase", "Webinars", "EMEA", "2026-01"), 10**10, "a"),
            (2, ("sales", "Tools", "purchase", "Webinars", "EMEA", "2026-02"), 2 * 10**10, "a")]
    parts, _ = sql_allocate(rows, {"a": 10**15 + 1})
    assert parts == {1: 333333333333334, 2: 666666666666667}


# -- the Python reference -----------------------------------------------------------------------
def test_money_split_ties_go_to_the_earlier_part_with_equal_integer_parts():
    # 10 cents over 1, 1, 1: exact 3.33.. each, the tie to the first part.
    assert split(D("0.10"), [D(1), D(1), D(1)]) == [D("0.04"), D("0.03"), D("0.03")]
    assert largest_remainder(10, [1, 1, 1]) == ([4, 3, 3], True)


def test_money_split_ties_go_to_the_earlier_part_whatever_the_size_of_the_parts():
    # 429288 cents over 1, 1, 7 (of 9): exact 47698.667, 47698.667, 333890.667 cents; every
    # remainder is 6/9, so the 2 cents left over go to the two earlier parts.
    assert split(D("4292.88"), [D(1), D(1), D(7)]) == [D("476.99"), D("476.99"), D("3338.90")]


def test_the_reference_matches_a_random_tie_free_split():
    rng = random.Random(7)
    for _ in range(200):
        weights = [rng.randint(0, 10**6) for _ in range(rng.randint(1, 8))]
        total = rng.randint(-10**9, 10**9)
        exact, tie = largest_remainder(total, weights)
        if not tie:
            assert [cents(p) for p in split(D(total) / 100, [D(w) for w in weights])] == exact
