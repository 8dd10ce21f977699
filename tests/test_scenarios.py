"""Scenario management and the exact allocation operations, on a hand-written plan of six lines.

Every expected amount below is computed by hand with the largest-remainder method: each line gets
the floor of its exact share in cents, the cents left over go to the largest remainders, ties to
the line whose key (owner, category, funnel_stage, channel, region, month) sorts first.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from planning import audit
from planning.budget import BudgetFilter
from planning.errors import Refused
from planning.scenarios import LineEdit, OperationResult, Scenarios
from planning.tandem import Tandem
from tests.conftest import sign_off_everything

D = Decimal
Y = 2026
HEADER = "fiscal_year,owner,category,funnel_stage,channel,region,month,amount,description"
# Short names for the lines of PLAN, used as keys of the expected amounts.
L1 = ("marketing", "Programs", "awareness", "Paid search", "EMEA", "2026-01")
L2 = ("marketing", "Programs", "awareness", "Paid search", "EMEA", "2026-02")
L3 = ("marketing", "Events", "consideration", "Trade shows", "EMEA", "2026-03")
L4 = ("sales", "Travel", "purchase", "Field sales", "EMEA", "2026-01")
L5 = ("sales", "Headcount", "purchase", "Field sales", "North America", "2026-02")
L6 = ("joint", "Tools", "loyalty", "Partners", "EMEA", "2026-01")
PLAN = {L1: ("100.00", "Search Jan"), L2: ("200.00", ""), L3: ("0.01", "Booth deposit"),
        L4: ("300.00", "Visits"), L5: ("600.00", ""), L6: ("50.00", "CRM seats")}
START = {key: D(amount) for key, (amount, _d) in PLAN.items()}
TOTAL = D("1250.01")
MARKETING = BudgetFilter(owners=("marketing",))
FIELD = BudgetFilter(channels=("Field sales",))
JOINT = BudgetFilter(owners=("joint",))
ALL = BudgetFilter()


def plan_csv(lines: dict, year: int = Y) -> bytes:
    rows = [f"{year},{','.join(key)},{amount},{text}" for key, (amount, text) in lines.items()]
    return (HEADER + "\n" + "\n".join(rows) + "\n").encode()


def one_line(key: tuple[str, ...]) -> BudgetFilter:
    """The filter that matches exactly the line of a key."""
    month = date(int(key[5][:4]), int(key[5][5:]), 1)
    return BudgetFilter((key[0],), (key[2],), (key[1],), (key[3],), (key[4],), month, month)


def lines(t: Tandem, scenario: str = "baseline") -> dict[tuple, tuple]:
    """key -> (id, amount, description, locked, version) of a scenario's lines."""
    rows = t.store.query(
        "SELECT l.owner, l.category, l.funnel_stage, l.channel, l.region,"
        " strftime(l.month, '%Y-%m'), l.id, l.amount, l.description, l.locked, l.version"
        " FROM plan_lines l JOIN scenarios s ON s.id = l.scenario_id"
        " WHERE s.fiscal_year = ? AND s.name = ?", [Y, scenario])
    return {tuple(r[:6]): tuple(r[6:]) for r in rows}


def amounts(t: Tandem, scenario: str = "baseline") -> dict[tuple, Decimal]:
    return {key: row[1] for key, row in lines(t, scenario).items()}


def total(t: Tandem, scenario: str = "baseline") -> Decimal:
    return sum(amounts(t, scenario).values(), D("0.00"))


def actions(t: Tandem) -> list[tuple[str, str, str]]:
    return [tuple(r) for r in t.store.query(
        "SELECT actor, action, entity FROM audit_log ORDER BY seq")]


@pytest.fixture
def t(tandem: Tandem) -> Tandem:
    report = tandem.import_csv("plan", plan_csv(PLAN), actor="importer")
    assert report.ok and report.rows == 6
    return tandem


@pytest.fixture
def ops(t: Tandem) -> Scenarios:
    return t.scenario_ops


def test_the_hand_written_plan(t):
    assert amounts(t) == START
    assert total(t) == TOTAL
    assert t.adopted_scenario(Y) == "baseline"


# -- clone ------------------------------------------------------------------------------------
def test_clone_copies_every_line_under_new_ids(t, ops):
    ops.lock_lines(Y, "baseline", one_line(L1), "ann")
    before = t.store.query("SELECT * FROM plan_lines ORDER BY id")
    result = ops.clone(Y, "baseline", "stretch", "ann")
    assert result == OperationResult("stretch", "clone", 6, D("0.00"), TOTAL)
    assert result.change == TOTAL
    source, copy = lines(t, "baseline"), lines(t, "stretch")
    assert set(copy) == set(source)
    for key in source:
        _id, amount, description, locked, _version = copy[key]
        assert (amount, description, locked) == source[key][1:4]
    assert copy[L1][3] is True and copy[L2][3] is False
    assert copy[L1][2] == "Search Jan" and copy[L2][2] is None
    assert not {row[0] for row in copy.values()} & {row[0] for row in source.values()}
    assert total(t, "stretch") == total(t, "baseline") == TOTAL
    # The source is unchanged, to the last column.
    old_ids = [r[0] for r in before]
    assert t.store.query(f"SELECT * FROM plan_lines WHERE id IN ({','.join(map(str, old_ids))})"
                         " ORDER BY id") == before
    scenarios = {s.name: s for s in t.scenarios(Y)}
    assert (scenarios["stretch"].lines, scenarios["stretch"].allocated) == (6, TOTAL)
    assert not scenarios["stretch"].adopted and not scenarios["stretch"].locked


def test_clone_ids_stay_unique_with_several_scenarios(t, ops):
    assert t.import_csv("plan", plan_csv({L6: ("7.00", "")}), scenario="other").ok
    ops.clone(Y, "baseline", "a", "ann")
    ops.clone(Y, "a", "b", "ann")
    ops.clone(Y, "other", "c", "ann")
    assert t.store.query("SELECT count(*), count(DISTINCT id) FROM plan_lines") == [(20, 20)]
    assert amounts(t, "b") == START
    assert amounts(t, "c") == {L6: D("7.00")}


def test_clone_refuses_an_existing_name(t, ops, snapshot):
    ops.clone(Y, "baseline", "stretch", "ann")
    before = snapshot(t.store)
    with pytest.raises(Refused, match="scenario 'stretch' already exists in fiscal year 2026"):
        ops.clone(Y, "baseline", "stretch", "bob")
    with pytest.raises(Refused, match="scenario 'baseline' already exists"):
        ops.clone(Y, "stretch", " baseline ", "bob")
    with pytest.raises(Refused, match="there is no scenario 'nope' in fiscal year 2026"):
        ops.clone(Y, "nope", "x", "bob")
    with pytest.raises(Refused, match="a scenario name has 1 to 60 characters"):
        ops.clone(Y, "baseline", "x" * 61, "bob")
    assert snapshot(t.store) == before


# -- rename, delete, adopt --------------------------------------------------------------------
def test_rename(t, ops):
    ops.clone(Y, "baseline", "stretch", "ann")
    ops.rename(Y, "stretch", "stretch v2", "ann")
    assert [s.name for s in t.scenarios(Y)] == ["baseline", "stretch v2"]
    assert amounts(t, "stretch v2") == START
    with pytest.raises(Refused, match="there is no scenario 'stretch'"):
        t.budget(Y, "stretch")
    with pytest.raises(Refused, match="scenario 'baseline' already exists"):
        ops.rename(Y, "stretch v2", "baseline", "ann")


def test_renaming_the_adopted_scenario_keeps_it_adopted(t, ops):
    ops.rename(Y, "baseline", "plan 2026", "ann")
    assert t.adopted_scenario(Y) == "plan 2026"
    assert t.budget(Y).scenario == "plan 2026"
    ops.clone(Y, "plan 2026", "stretch", "ann")
    ops.adopt(Y, "stretch", "ann")
    ops.rename(Y, "stretch", "chosen", "ann")
    assert t.adopted_scenario(Y) == "chosen"
    assert [(s.name, s.adopted) for s in t.scenarios(Y)] == [("chosen", True),
                                                             ("plan 2026", False)]


def test_delete_a_draft_scenario(t, ops):
    ops.clone(Y, "baseline", "stretch", "ann")
    # An override of the scenario (written directly: see test_projection for set_assumption).
    t.store.write(lambda cur: cur.execute(
        "INSERT INTO assumptions (scenario_id, name, channel, value, set_by, reason)"
        " SELECT id, 'lead_to_mql', '', 0.5, 'ann', 'test' FROM scenarios WHERE name = ?",
        ["stretch"]))
    ops.delete(Y, "stretch", "ann")
    assert [s.name for s in t.scenarios(Y)] == ["baseline"]
    assert t.store.query("SELECT count(*) FROM plan_lines") == [(6,)]
    assert t.store.query("SELECT count(*) FROM assumptions") == [(0,)]
    assert actions(t)[-1] == ("ann", "delete", "scenario stretch")
    assert t.store.query("SELECT before FROM audit_log ORDER BY seq DESC LIMIT 1") == [
        ('{"lines":6,"total":"1250.01"}',)]


def test_delete_refuses_the_adopted_or_a_locked_scenario(t, ops, snapshot):
    ops.clone(Y, "baseline", "stretch", "ann")
    sign_off_everything(t.store, Y, "stretch")
    ops.lock(Y, "stretch", "ann")
    before = snapshot(t.store)
    with pytest.raises(Refused, match="scenario 'baseline' is the adopted plan of FY2026; adopt"
                                      " another one before deleting it"):
        ops.delete(Y, "baseline", "ann")
    with pytest.raises(Refused, match="scenario 'stretch' is locked; nothing in it can change"):
        ops.delete(Y, "stretch", "ann")
    assert snapshot(t.store) == before


def test_adopt_changes_the_plan_of_the_year_and_the_budget_default(t, ops):
    ops.clone(Y, "baseline", "stretch", "ann")
    ops.scale(Y, "stretch", D("10"), ALL, "ann")
    assert t.budget(Y).scenario == "baseline"
    assert t.budget(Y).summary().allocated == TOTAL
    ops.adopt(Y, "stretch", "bob")
    assert t.adopted_scenario(Y) == "stretch"
    assert t.budget(Y).scenario == "stretch"
    assert t.budget(Y).summary().allocated == D("1375.01")
    assert [(s.name, s.adopted) for s in t.scenarios(Y)] == [("baseline", False),
                                                             ("stretch", True)]
    assert t.store.query("SELECT actor, action, entity, before, after FROM audit_log"
                         " ORDER BY seq DESC LIMIT 1") == [
        ("bob", "adopt", "fiscal year 2026", '{"adopted":"baseline"}', '{"adopted":"stretch"}')]
    # The adopted baseline can now be deleted.
    ops.delete(Y, "baseline", "bob")
    assert [s.name for s in t.scenarios(Y)] == ["stretch"]


def test_adopt_refuses_an_unknown_scenario(t, ops, snapshot):
    before = snapshot(t.store)
    with pytest.raises(Refused, match="there is no scenario 'stretch' in fiscal year 2026"):
        ops.adopt(Y, "stretch", "ann")
    with pytest.raises(Refused, match="there is no scenario 'baseline' in fiscal year 2027"):
        ops.adopt(2027, "baseline", "ann")
    assert snapshot(t.store) == before


# -- lock ---------------------------------------------------------------------------------------
LOCKED_OPERATIONS: dict[str, Callable[[Scenarios, dict], object]] = {
    "scale": lambda ops, ids: ops.scale(Y, "baseline", D("10"), ALL, "bob"),
    "shift": lambda ops, ids: ops.shift(Y, "baseline", D("1.00"), MARKETING, FIELD, "bob"),
    "split": lambda ops, ids: ops.split(Y, "baseline", D("1.00"), ALL, "bob"),
    "split by owner": lambda ops, ids: ops.split(Y, "baseline", D("1.00"), ALL, "bob",
                                                  by="owner"),
    "edit": lambda ops, ids: ops.edit_lines(Y, "baseline", [LineEdit(ids[L1], 1, D("1.00"))],
                                            "bob"),
    "lock lines": lambda ops, ids: ops.lock_lines(Y, "baseline", MARKETING, "bob"),
    "unlock lines": lambda ops, ids: ops.lock_lines(Y, "baseline", MARKETING, "bob",
                                                    locked=False),
    "rename": lambda ops, ids: ops.rename(Y, "baseline", "other", "bob"),
    "lock": lambda ops, ids: ops.lock(Y, "baseline", "bob"),
}


@pytest.mark.parametrize("operation", list(LOCKED_OPERATIONS))
def test_a_locked_scenario_refuses_every_change_and_writes_nothing(t, ops, snapshot, operation):
    sign_off_everything(t.store, Y, "baseline")
    ops.lock(Y, "baseline", "ann")
    assert [s.locked for s in t.scenarios(Y)] == [True]
    ids = {key: row[0] for key, row in lines(t).items()}
    before = snapshot(t.store)
    with pytest.raises(Refused, match="^scenario 'baseline' is locked; nothing in it can change$"):
        LOCKED_OPERATIONS[operation](ops, ids)
    assert snapshot(t.store) == before
    assert amounts(t) == START


def test_a_locked_scenario_can_still_be_cloned_and_adopted(t, ops):
    sign_off_everything(t.store, Y, "baseline")
    ops.lock(Y, "baseline", "ann")
    ops.clone(Y, "baseline", "copy", "ann")
    ops.scale(Y, "copy", D("-100"), ALL, "ann")
    assert total(t, "copy") == D("0.00")
    ops.adopt(Y, "copy", "ann")
    ops.adopt(Y, "baseline", "ann")
    assert t.adopted_scenario(Y) == "baseline"
    assert amounts(t) == START


# -- scale ------------------------------------------------------------------------------------
def test_scale_by_33_33_percent_hand_computed(t, ops):
    # 300.01 x 33.33% = 99.993333 -> 99.99 = 9999 cents over weights 10000, 20000, 1 (of 30001):
    # exact 3332.889, 6665.778, 0.333 -> floors 3332, 6665, 0 leave 2 cents: to .889 and .778.
    result = ops.scale(Y, "baseline", D("33.33"), MARKETING, "ann")
    assert result == OperationResult("baseline", "scale", 2, TOTAL, D("1350.00"))
    assert result.change == D("99.99")
    assert amounts(t) == START | {L1: D("133.33"), L2: D("266.66"), L3: D("0.01")}


def test_scale_by_10_percent_hand_computed(t, ops):
    # 300.01 x 10% = 30.001 -> 30.00: exact 999.967, 1999.933, 0.09999 cents -> 1000, 2000, 0.
    result = ops.scale(Y, "baseline", D("10"), MARKETING, "ann")
    assert (result.lines_changed, result.change) == (2, D("30.00"))
    assert amounts(t) == START | {L1: D("110.00"), L2: D("220.00"), L3: D("0.01")}


def test_scale_of_everything_by_a_negative_percent(t, ops):
    # 1250.01 x -12.5% = -156.25125 -> -156.25 over 10000, 20000, 1, 30000, 60000, 5000 cents.
    result = ops.scale(Y, "baseline", D("-12.5"), ALL, "ann")
    assert result.change == D("-156.25")
    assert amounts(t) == {L1: D("87.50"), L2: D("175.00"), L3: D("0.01"), L4: D("262.50"),
                          L5: D("525.00"), L6: D("43.75")}


def test_scale_rounds_the_change_half_even_to_the_cent(tandem):
    key_a = ("marketing", "Programs", "awareness", "Paid search", "EMEA", "2026-01")
    key_b = ("marketing", "Programs", "awareness", "Paid search", "EMEA", "2026-02")
    assert tandem.import_csv("plan", plan_csv({key_a: ("0.05", ""), key_b: ("0.15", "")})).ok
    ops = tandem.scenario_ops
    # 0.05 x 50% = 0.025 -> 0.02 (half even), not 0.03.
    assert ops.scale(Y, "baseline", D("50"), one_line(key_a), "ann").change == D("0.02")
    # 0.15 x 50% = 0.075 -> 0.08 (half even).
    assert ops.scale(Y, "baseline", D("50"), one_line(key_b), "ann").change == D("0.08")
    assert amounts(tandem) == {key_a: D("0.07"), key_b: D("0.23")}


def test_scale_by_minus_100_percent_empties_the_matched_lines(t, ops):
    result = ops.scale(Y, "baseline", D("-100"), FIELD, "ann")
    assert result == OperationResult("baseline", "scale", 2, TOTAL, D("350.01"))
    assert amounts(t) == START | {L4: D("0.00"), L5: D("0.00")}
    # The emptied lines are still there, at zero, and can be scaled again (by nothing).
    assert ops.scale(Y, "baseline", D("50"), FIELD, "ann").change == D("0.00")
    assert amounts(t) == START | {L4: D("0.00"), L5: D("0.00")}


def test_scale_refuses_below_minus_100_percent_and_unknown_values(t, ops, snapshot):
    before = snapshot(t.store)
    with pytest.raises(Refused, match="use a percent of -100 or more"):
        ops.scale(Y, "baseline", D("-100.01"), ALL, "ann")
    with pytest.raises(Refused, match="^no line of this scenario has region 'Emea'$"):
        ops.scale(Y, "baseline", D("10"), BudgetFilter(regions=("Emea",)), "ann")
    with pytest.raises(Refused, match="^no line matches this filter$"):
        ops.scale(Y, "baseline", D("10"),
                  BudgetFilter(owners=("joint",), channels=("Paid search",)), "ann")
    with pytest.raises(Refused, match="^no line matches this filter$"):
        ops.scale(Y, "baseline", D("10"), BudgetFilter(month_from=date(2026, 11, 1)), "ann")
    assert snapshot(t.store) == before


# -- shift --------------------------------------------------------------------------------------
def test_shift_pro_rata_hand_computed(t, ops):
    # From 100.00, 200.00, 0.01 (30001 cents): 9000 cents x 10000/30001 = 2999.900,
    # x 20000/30001 = 5999.800, x 1/30001 = 0.29999 -> floors 2999, 5999, 0 leave 2 cents.
    # To 300.00 and 600.00: 9000 cents -> 3000 and 6000 exactly.
    result = ops.shift(Y, "baseline", D("90.00"), MARKETING, FIELD, "ann")
    assert result == OperationResult("baseline", "shift", 4, TOTAL, TOTAL)
    assert result.change == D("0.00")
    assert amounts(t) == START | {L1: D("70.00"), L2: D("140.00"), L3: D("0.01"),
                                  L4: D("330.00"), L5: D("660.00")}


def test_shift_evenly_hand_computed(t, ops):
    # From two lines: 450 cents each. To three lines: 300 cents each.
    result = ops.shift(Y, "baseline", D("9.00"), FIELD, MARKETING, "ann", mode="even")
    assert (result.lines_changed, result.change) == (5, D("0.00"))
    assert amounts(t) == START | {L4: D("295.50"), L5: D("595.50"), L3: D("3.01"),
                                  L1: D("103.00"), L2: D("203.00")}


def test_shift_evenly_with_a_cent_left_over(t, ops):
    # 1000 cents over three lines: 333 each, and the cent left over to exactly one of them
    # (the remainders tie; the tie is broken by the line's key, whatever order lines came in).
    ops.shift(Y, "baseline", D("10.00"), FIELD, MARKETING, "ann", mode="even")
    after = amounts(t)
    assert (after[L4], after[L5]) == (D("295.00"), D("595.00"))
    assert sorted(after[k] - START[k] for k in (L1, L2, L3)) == [D("3.33"), D("3.33"), D("3.34")]
    assert total(t) == TOTAL


def test_shift_of_everything_the_source_holds(t, ops):
    ops.shift(Y, "baseline", D("900.00"), FIELD, JOINT, "ann")
    assert amounts(t) == START | {L4: D("0.00"), L5: D("0.00"), L6: D("950.00")}
    assert total(t) == TOTAL


@pytest.mark.parametrize(("amount", "source", "target", "mode", "message"), [
    (D("900.01"), FIELD, JOINT, "pro_rata",
     r"^the source lines hold 900\.00 \(unlocked\), less than 900\.01$"),
    (D("1.00"), MARKETING, BudgetFilter(channels=("Paid search",)), "pro_rata",
     r"^2 line\(s\) match both the source and the target filter$"),
    (D("1.00"), BudgetFilter(channels=("Paid serch",)), JOINT, "pro_rata",
     r"^no line of this scenario has channel 'Paid serch'$"),
    (D("1.00"), JOINT, BudgetFilter(regions=("APAC",)), "pro_rata",
     r"^no line of this scenario has region 'APAC'$"),
    # Evenly, 10 cents over three lines takes 3 or 4 from L3, which holds 1.
    (D("0.10"), MARKETING, JOINT, "even",
     r"^1 line\(s\) would go below zero; take less \(taking pro rata"),
    (D("0"), MARKETING, JOINT, "pro_rata", "shift a positive amount with at most 2 decimals"),
    (D("-5.00"), MARKETING, JOINT, "pro_rata", "shift a positive amount"),
    (D("1.005"), MARKETING, JOINT, "pro_rata", "shift a positive amount with at most 2 decimals"),
    (D("1.00"), MARKETING, JOINT, "sideways", "unknown weighting 'sideways'"),
])
def test_shift_refusals_write_nothing(t, ops, snapshot, amount, source, target, mode, message):
    before = snapshot(t.store)
    with pytest.raises(Refused, match=message):
        ops.shift(Y, "baseline", amount, source, target, "ann", mode=mode)
    assert snapshot(t.store) == before


def test_shift_evenly_within_what_each_line_holds(t, ops):
    # 0.03 evenly from three lines is 1 cent each: L3 goes to zero, which is allowed.
    ops.shift(Y, "baseline", D("0.03"), MARKETING, JOINT, "ann", mode="even")
    assert amounts(t) == START | {L1: D("99.99"), L2: D("199.99"), L3: D("0.00"),
                                  L6: D("50.03")}


# -- split --------------------------------------------------------------------------------------
def test_split_pro_rata_to_amounts(t, ops):
    # 100000 cents x 30000/90000 = 33333.33, x 60000/90000 = 66666.67: the left cent goes to L5.
    result = ops.split(Y, "baseline", D("1000.00"), FIELD, "ann")
    assert result == OperationResult("baseline", "split", 2, TOTAL, D("2250.01"))
    assert amounts(t) == START | {L4: D("633.33"), L5: D("1266.67")}


def test_split_evenly(t, ops):
    # 6 cents over three lines: 2 each, whatever their amounts.
    result = ops.split(Y, "baseline", D("0.06"), MARKETING, "ann", by="even")
    assert result.change == D("0.06")
    assert amounts(t) == START | {L3: D("0.03"), L1: D("100.02"), L2: D("200.02")}


def test_split_a_negative_amount_takes_money_away(t, ops):
    ops.split(Y, "baseline", D("-90.00"), FIELD, "ann")
    assert amounts(t) == START | {L4: D("270.00"), L5: D("540.00")}


def test_split_by_owner_with_weights_gives_exact_group_totals(t, ops):
    # sales 60% = 600.00 over 300/600 -> 200.00, 400.00.
    # marketing 40% = 40000 cents over 10000, 20000, 1: 13332.889, 26665.778, 1.333
    # -> floors 13332, 26665, 1 leave 2 cents for the two largest remainders (L1, L2).
    result = ops.split(Y, "baseline", D("1000.00"), ALL, "ann", by="owner",
                       weights={"sales": D("60"), "marketing": D("40")})
    assert result == OperationResult("baseline", "split", 5, TOTAL, D("2250.01"))
    assert amounts(t) == {L1: D("233.33"), L2: D("466.66"), L3: D("0.02"), L4: D("500.00"),
                          L5: D("1000.00"), L6: D("50.00")}
    by_owner = t.budget(Y).summary().by_owner
    assert by_owner == {"sales": D("1500.00"), "marketing": D("700.01"), "joint": D("50.00")}


def test_split_by_owner_without_weights_is_equal_per_owner(t, ops):
    # 0.10 over three owners (joint, marketing, sales): 0.04, 0.03, 0.03 (the tie to joint).
    ops.split(Y, "baseline", D("0.10"), ALL, "ann", by="owner")
    by_owner = t.budget(Y).summary().by_owner
    assert by_owner == {"sales": D("900.03"), "marketing": D("300.04"), "joint": D("50.04")}


def test_split_by_month_with_weights(t, ops):
    # January (L1, L4, L6) gets 3/4 of 4.00, February (L2, L5) 1/4, March nothing.
    # January's 300 cents over 10000, 30000, 5000: 66.667, 200, 33.333 -> the left cent to L1.
    ops.split(Y, "baseline", D("4.00"), ALL, "ann", by="month",
              weights={"2026-01": D("3"), "2026-02": D("1")})
    assert amounts(t) == START | {L1: D("100.67"), L4: D("302.00"), L6: D("50.33"),
                                  L2: D("200.25"), L5: D("600.75")}


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"by": "owner", "weights": {"sales": D("60"), "partners": D("40")}},
     r"^no matching line has owner 'partners'$"),
    ({"by": "owner", "weights": {"Sales": D("1")}}, r"^no matching line has owner 'Sales'$"),
    ({"by": "owner", "weights": {"sales": D("0"), "marketing": D("0")}},
     "^the weights must add up to more than zero$"),
    ({"by": "status"}, "unknown weighting 'status'"),
])
def test_split_refusals_write_nothing(t, ops, snapshot, kwargs, message):
    before = snapshot(t.store)
    with pytest.raises(Refused, match=message):
        ops.split(Y, "baseline", D("100.00"), ALL, "ann", **kwargs)
    assert snapshot(t.store) == before


@pytest.mark.parametrize("amount", [D("0"), D("0.001"), D("10.005")])
def test_split_refuses_zero_or_sub_cent_amounts(t, ops, snapshot, amount):
    before = snapshot(t.store)
    with pytest.raises(Refused, match="split a non-zero amount with at most 2 decimals"):
        ops.split(Y, "baseline", amount, ALL, "ann")
    assert snapshot(t.store) == before


def test_split_taking_more_than_the_lines_hold_is_refused(t, ops, snapshot):
    before = snapshot(t.store)
    # -90001 cents over 30000 and 60000: 30000.33 and 60000.67, the left cent from L5 (600.00).
    with pytest.raises(Refused, match=r"^1 line\(s\) would go below zero"):
        ops.split(Y, "baseline", D("-900.01"), FIELD, "ann")
    assert snapshot(t.store) == before


# -- locked lines ---------------------------------------------------------------------------------
@pytest.fixture
def l1_locked(t, ops) -> Tandem:
    assert ops.lock_lines(Y, "baseline", one_line(L1), "ann") == 1
    assert [key for key, row in lines(t).items() if row[3]] == [L1]
    return t


def test_lock_lines_counts_what_changed(t, ops):
    assert ops.lock_lines(Y, "baseline", MARKETING, "ann") == 3
    assert ops.lock_lines(Y, "baseline", MARKETING, "ann") == 0
    assert ops.lock_lines(Y, "baseline", BudgetFilter(channels=("Paid search",)), "ann",
                          locked=False) == 2
    assert sorted(key for key, row in lines(t).items() if row[3]) == [L3]
    with pytest.raises(Refused, match="no line of this scenario has owner 'partner'"):
        ops.lock_lines(Y, "baseline", BudgetFilter(owners=("partner",)), "ann")


def test_scale_leaves_locked_lines_and_the_rest_absorbs(l1_locked, ops):
    # Unlocked 200.00 + 0.01: 20.001 -> 20.00; exact 1999.9 and 0.09999 cents -> 2000 and 0.
    result = ops.scale(Y, "baseline", D("10"), MARKETING, "ann")
    assert (result.lines_changed, result.locked_kept, result.change) == (1, 1, D("20.00"))
    assert amounts(l1_locked) == START | {L2: D("220.00")}


def test_shift_leaves_locked_lines_and_the_rest_absorbs(l1_locked, ops):
    # Source unlocked: 200.00 and 0.01, so at most 200.01 can move.
    with pytest.raises(Refused, match=r"the source lines hold 200\.01 \(unlocked\), less than"
                                      r" 200\.02"):
        ops.shift(Y, "baseline", D("200.02"), MARKETING, JOINT, "ann")
    result = ops.shift(Y, "baseline", D("200.01"), MARKETING, JOINT, "ann")
    assert result.locked_kept == 1
    assert amounts(l1_locked) == START | {L2: D("0.00"), L3: D("0.00"), L6: D("250.01")}


def test_shift_into_a_filter_with_locked_lines(l1_locked, ops):
    ops.shift(Y, "baseline", D("50.00"), JOINT, MARKETING, "ann")
    # Pro rata over the unlocked L2 (20000) and L3 (1): 4999.75 and 0.25 cents -> 5000 and 0.
    assert amounts(l1_locked) == START | {L2: D("250.00"), L6: D("0.00")}


def test_split_leaves_locked_lines_and_the_rest_absorbs(l1_locked, ops):
    ops.split(Y, "baseline", D("3.00"), MARKETING, "ann", by="even")
    assert amounts(l1_locked) == START | {L2: D("201.50"), L3: D("1.51")}


def test_split_by_owner_leaves_locked_lines(l1_locked, ops):
    ops.split(Y, "baseline", D("10.00"), ALL, "ann", by="owner",
              weights={"marketing": D("1")})
    # marketing's unlocked lines L2 (20000) and L3 (1): 999.95 and 0.05 cents -> 1000 and 0.
    assert amounts(l1_locked) == START | {L2: D("210.00")}


def test_every_matched_line_locked_is_refused(t, ops, snapshot):
    assert ops.lock_lines(Y, "baseline", MARKETING, "ann") == 3
    before = snapshot(t.store)
    message = "^all 3 lines that match are locked; unlock some first$"
    with pytest.raises(Refused, match=message):
        ops.scale(Y, "baseline", D("10"), MARKETING, "ann")
    with pytest.raises(Refused, match=message):
        ops.shift(Y, "baseline", D("1.00"), MARKETING, JOINT, "ann")
    with pytest.raises(Refused, match=message):
        ops.shift(Y, "baseline", D("1.00"), JOINT, MARKETING, "ann")
    with pytest.raises(Refused, match=message):
        ops.split(Y, "baseline", D("1.00"), MARKETING, "ann")
    assert snapshot(t.store) == before
    assert ops.lock_lines(Y, "baseline", ALL, "ann") == 3
    before = snapshot(t.store)
    with pytest.raises(Refused, match="^all 6 lines that match are locked; unlock some first$"):
        ops.scale(Y, "baseline", D("10"), ALL, "ann")
    with pytest.raises(Refused, match="^all 6 lines that match are locked; unlock some first$"):
        ops.split(Y, "baseline", D("1.00"), ALL, "ann", by="owner")
    assert snapshot(t.store) == before
    assert amounts(t) == START


# -- edit_lines ----------------------------------------------------------------------------------
def test_edit_changes_amount_and_description_and_bumps_the_version(t, ops):
    id1, id2 = lines(t)[L1][0], lines(t)[L2][0]
    result = ops.edit_lines(Y, "baseline", [LineEdit(id1, 1, D("123.45"), "Revised"),
                                            LineEdit(id2, 1, D("200.00"), "Now described")],
                            "ann")
    assert result == OperationResult("baseline", "edit", 2, TOTAL, D("1273.46"))
    assert lines(t)[L1][1:] == (D("123.45"), "Revised", False, 2)
    assert lines(t)[L2][1:] == (D("200.00"), "Now described", False, 2)
    # An edit that changes nothing is skipped: no new version.
    result = ops.edit_lines(Y, "baseline", [LineEdit(id1, 2, D("123.45"), "Revised")], "ann")
    assert result == OperationResult("baseline", "edit", 0, D("1273.46"), D("1273.46"))
    assert lines(t)[L1][4] == 2


def test_edit_refuses_a_stale_version(t, ops, snapshot):
    id1 = lines(t)[L1][0]
    ops.edit_lines(Y, "baseline", [LineEdit(id1, 1, D("150.00"), "Search Jan")], "ann")
    before = snapshot(t.store)
    with pytest.raises(Refused, match=rf"^line {id1} changed since you opened it \(now version 2,"
                                      r" amount 150\.00\); reload and edit again$"):
        ops.edit_lines(Y, "baseline", [LineEdit(id1, 1, D("99.00"), "Search Jan")], "bob")
    assert snapshot(t.store) == before


def test_an_operation_bumps_the_version_so_an_open_edit_is_refused(t, ops):
    id2 = lines(t)[L2][0]
    ops.scale(Y, "baseline", D("10"), MARKETING, "ann")
    assert lines(t)[L2][4] == 2 and lines(t)[L3][4] == 1  # L3 did not change
    with pytest.raises(Refused, match="changed since you opened it"):
        ops.edit_lines(Y, "baseline", [LineEdit(id2, 1, D("1.00"))], "bob")


@pytest.mark.parametrize(("amount", "message"), [
    (D("-0.01"), "is not an amount of 0 or more with at most 2 decimals"),
    (D("1.234"), "is not an amount of 0 or more with at most 2 decimals"),
])
def test_edit_refuses_negative_or_three_decimal_amounts(t, ops, snapshot, amount, message):
    id1 = lines(t)[L1][0]
    before = snapshot(t.store)
    with pytest.raises(Refused, match=f"^line {id1}: {amount} {message}$"):
        ops.edit_lines(Y, "baseline", [LineEdit(id1, 1, amount)], "ann")
    assert snapshot(t.store) == before


def test_edit_refuses_a_locked_line_a_foreign_line_and_a_long_description(l1_locked, ops,
                                                                           snapshot):
    ops.clone(Y, "baseline", "other", "ann")
    id1, id2 = lines(l1_locked)[L1][0], lines(l1_locked)[L2][0]
    foreign = lines(l1_locked, "other")[L2][0]
    before = snapshot(l1_locked.store)
    with pytest.raises(Refused, match=f"^line {id1} is locked$"):
        ops.edit_lines(Y, "baseline", [LineEdit(id1, 1, D("1.00"))], "ann")
    with pytest.raises(Refused, match=f"^line {foreign} is not in scenario 'baseline'$"):
        ops.edit_lines(Y, "baseline", [LineEdit(foreign, 1, D("1.00"))], "ann")
    with pytest.raises(Refused, match=f"^line {id2}: the description is over 200 characters$"):
        ops.edit_lines(Y, "baseline", [LineEdit(id2, 1, D("1.00"), "x" * 201)], "ann")
    assert snapshot(l1_locked.store) == before


def test_a_refused_batch_writes_nothing(t, ops, snapshot):
    id2, id4, id5 = lines(t)[L2][0], lines(t)[L4][0], lines(t)[L5][0]
    before = snapshot(t.store)
    with pytest.raises(Refused, match=f"^line {id5}: -1.00 is not an amount"):
        ops.edit_lines(Y, "baseline", [LineEdit(id2, 1, D("1.00")), LineEdit(id4, 1, D("2.00")),
                                       LineEdit(id5, 1, D("-1.00"))], "ann")
    assert snapshot(t.store) == before
    assert amounts(t) == START


# -- audit -------------------------------------------------------------------------------------
def test_every_operation_appends_audit_entries_and_the_chain_stays_intact(t, ops):
    id1 = lines(t)[L1][0]
    ops.clone(Y, "baseline", "stretch", "ann")
    ops.rename(Y, "stretch", "stretch v2", "ann")
    ops.lock_lines(Y, "baseline", JOINT, "bob")
    ops.scale(Y, "baseline", D("10"), MARKETING, "ann")
    ops.shift(Y, "baseline", D("10.00"), MARKETING, FIELD, "bob")
    ops.split(Y, "baseline", D("5.00"), FIELD, "ann", by="even")
    ops.edit_lines(Y, "baseline", [LineEdit(id1, 3, D("1.00"), None)], "bob")
    ops.lock_lines(Y, "baseline", JOINT, "bob", locked=False)
    ops.adopt(Y, "stretch v2", "ann")
    sign_off_everything(t.store, Y, "stretch v2")
    ops.lock(Y, "stretch v2", "ann")
    ops.delete(Y, "baseline", "bob")
    assert actions(t) == [
        ("importer", "import", "plan plan.csv"),
        ("ann", "clone", "scenario stretch"),
        ("ann", "rename", "scenario stretch"),
        ("bob", "lock lines", "scenario baseline"),
        ("ann", "scale", "scenario baseline"),
        ("bob", "shift", "scenario baseline"),
        ("ann", "split", "scenario baseline"),
        ("bob", "edit line", f"line {id1}"),
        ("bob", "unlock lines", "scenario baseline"),
        ("ann", "adopt", "fiscal year 2026"),
        ("ann", "lock", "scenario stretch v2"),
        ("bob", "delete", "scenario baseline"),
    ]
    assert audit.verify(t.store) == audit.Verdict(True, 12)
    details = t.store.query("SELECT before, after FROM audit_log WHERE seq BETWEEN 4 AND 8"
                            " ORDER BY seq")
    assert details == [
        (None, '{"filter":"owner=joint","lines":1}'),
        ('{"total":"1250.01"}',
         '{"change":"30.00","lines_changed":2,"percent":"10","total":"1280.01"}'),
        ('{"total":"1280.01"}',
         '{"amount":"10.00","from":"owner=marketing","lines_changed":4,'
         '"mode":"pro_rata","to":"channel=Field sales","total":"1280.01"}'),
        ('{"total":"1280.01"}',
         '{"amount":"5.00","by":"even","filter":"channel=Field sales","lines_changed":2,'
         '"total":"1285.01"}'),
        ('{"amount":"106.67","description":"Search Jan"}',
         '{"amount":"1.00","description":null}'),
    ]


def test_a_refused_operation_appends_no_audit_entry(t, ops):
    count = len(actions(t))
    for refused in (lambda: ops.scale(Y, "baseline", D("10"), BudgetFilter(owners=("x",)), "a"),
                    lambda: ops.shift(Y, "baseline", D("9999"), MARKETING, JOINT, "a"),
                    lambda: ops.clone(Y, "baseline", "baseline", "a"),
                    lambda: ops.delete(Y, "baseline", "a")):
        with pytest.raises(Refused):
            refused()
    assert len(actions(t)) == count == 1
    assert audit.verify(t.store) == audit.Verdict(True, 1)


def test_split_refuses_a_negative_weight(t, ops, snapshot):
    before = snapshot(t.store)
    with pytest.raises(Refused):
        ops.split(Y, "baseline", D("100.00"), ALL, "ann", by="owner",
                  weights={"sales": D("-10"), "marketing": D("60")})
    assert snapshot(t.store) == before


# -- what an operation writes, and ties at the cut ---------------------------------------------
def review_state(t: Tandem) -> dict[tuple, tuple]:
    """key -> (status, edited_by, version) of the baseline's lines."""
    rows = t.store.query("SELECT owner, category, funnel_stage, channel, region,"
                         " strftime(month, '%Y-%m'), status, edited_by, version FROM plan_lines")
    return {tuple(r[:6]): tuple(r[6:]) for r in rows}


def test_only_changed_lines_become_drafts_edited_by_the_actor(t, ops):
    sign_off_everything(t.store, Y, "baseline")
    ops.scale(Y, "baseline", D("10"), MARKETING, "ann")
    state = review_state(t)
    # L1 and L2 change (100.00 -> 110.00, 200.00 -> 220.00); L3's share is under a cent.
    assert state[L1] == state[L2] == ("draft", "ann", 2)
    assert state[L3] == ("signed_off", "importer", 1)
    assert {state[k] for k in (L4, L5, L6)} == {("signed_off", "importer", 1)}
    ops.scale(Y, "baseline", D("10"), MARKETING, "ann")  # the same editor again
    state = review_state(t)
    assert state[L1] == state[L2] == ("draft", "ann", 3)
    ops.scale(Y, "baseline", D("10"), MARKETING, "bob")  # someone else
    state = review_state(t)
    assert state[L1] == state[L2] == ("draft", "bob", 4)
    # 300.01 + 30.00 + 33.00 + 36.30 (each change the total x 10%, rounded to the cent)
    assert (amounts(t)[L1], amounts(t)[L2], amounts(t)[L3]) == (D("133.10"), D("266.20"),
                                                                D("0.01"))


def tied_plan(tandem: Tandem, count: int) -> list[int]:
    """`count` lines of 1.00 each; returns their ids in (hash of the key, id) order."""
    rows = [f"{Y},marketing,Tools,awareness,Channel {i:03d},EMEA,2026-01,1.00,"
            for i in range(count)]
    assert tandem.import_csv("plan", (HEADER + "\n" + "\n".join(rows) + "\n").encode()).ok
    return [r[0] for r in tandem.store.query(
        "SELECT id FROM plan_lines ORDER BY hash(owner, category, funnel_stage, channel,"
        " region, month), id")]


@pytest.mark.parametrize("count", [40, 150])  # tied lines hashed one by one, and in one pass
@pytest.mark.parametrize("by", ["even", "amount"])
def test_cents_left_over_among_equal_remainders_follow_the_key_hash(tandem, count, by):
    order = tied_plan(tandem, count)
    cents = count * 2 // 3  # every remainder is equal: only the tie-break decides
    tandem.scenario_ops.split(Y, "baseline", D(cents) / 100, ALL, "ann", by=by)
    got = dict(tandem.store.query("SELECT id, amount FROM plan_lines"))
    assert [got[i] for i in order] == [D("1.01")] * cents + [D("1.00")] * (count - cents)


@pytest.mark.parametrize("count", [40, 150])
def test_cents_taken_among_equal_remainders_follow_the_key_hash(tandem, count):
    order = tied_plan(tandem, count)
    cents = count // 3
    tandem.scenario_ops.scale(Y, "baseline", D(-cents) / count, ALL, "ann")  # -cents in all
    got = dict(tandem.store.query("SELECT id, amount FROM plan_lines"))
    assert [got[i] for i in order] == [D("0.99")] * cents + [D("1.00")] * (count - cents)
