"""The Budget page's numbers on a hand-written plan of twelve lines, with and without filters."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from planning.budget import Budget, BudgetFilter, BudgetSummary
from planning.errors import Refused
from planning.model import BudgetLine
from planning.tandem import Tandem

D = Decimal
HEADER = "fiscal_year,owner,category,funnel_stage,channel,region,month,amount,description"
# (owner, category, stage, channel, region, month, amount)
LINES = [
    ("marketing", "Programs", "awareness", "Paid search", "EMEA", "2026-01", "1000.00"),
    ("marketing", "Programs", "awareness", "Paid search", "EMEA", "2026-02", "1500.50"),
    ("marketing", "Events", "consideration", "Events", "North America", "2026-03", "2000.00"),
    ("marketing", "Programs", "preference", "Paid social", "EMEA", "2026-04", "750.25"),
    ("sales", "Headcount", "purchase", "Field sales", "North America", "2026-01", "5000.00"),
    ("sales", "Headcount", "purchase", "Field sales", "North America", "2026-02", "5000.00"),
    ("sales", "Travel", "purchase", "Field sales", "EMEA", "2026-03", "800.10"),
    ("sales", "Enablement", "loyalty", "Partners", "EMEA", "2026-06", "1200.00"),
    ("joint", "Tools", "advocacy", "Partners", "North America", "2026-01", "300.00"),
    ("joint", "Tools", "loyalty", "Events", "EMEA", "2026-07", "450.15"),
    ("joint", "Events", "consideration", "Events", "North America", "2026-03", "2500.00"),
    ("marketing", "Programs", "awareness", "Paid search", "North America", "2026-12", "99.99"),
]
POOL = D("25000.00")


def plan_csv(lines, year: str = "2026") -> bytes:
    return (HEADER + "\n" + "".join(f"{year},{','.join(line)},\n" for line in lines)).encode()


@pytest.fixture
def budget_store(tandem: Tandem) -> Tandem:
    assert tandem.import_csv("plan", plan_csv(LINES)).ok
    # Lines that must never show in the 2026 baseline: another scenario and another year.
    assert tandem.import_csv("plan", plan_csv([LINES[0][:-1] + ("7777.77",)]),
                             scenario="stretch").ok
    other_year = [("sales", "Headcount", "purchase", "Field sales", "EMEA", "2027-01", "8888.88")]
    assert tandem.import_csv("plan", plan_csv(other_year, "2027")).ok
    tandem.set_pool(2026, POOL)
    return tandem


@pytest.fixture
def budget(budget_store: Tandem) -> Budget:
    return budget_store.budget(2026)


def test_summary_of_the_whole_scenario(budget):
    summary = budget.summary()
    assert summary == BudgetSummary(
        pool=D("25000.00"),
        allocated_all=D("20600.99"),
        allocated=D("20600.99"),
        by_owner={"sales": D("12000.10"), "marketing": D("5350.74"), "joint": D("3250.15")},
        lines=12,
    )
    assert summary.unallocated == D("4399.01")


def test_summary_without_a_pool_has_no_unallocated(tandem):
    assert tandem.import_csv("plan", plan_csv(LINES[:2])).ok
    summary = tandem.budget(2026).summary()
    assert summary.pool is None
    assert summary.unallocated is None
    assert summary.allocated == D("2500.50")
    assert summary.by_owner == {"sales": D("0.00"), "marketing": D("2500.50"), "joint": D("0.00")}


def test_every_amount_is_a_decimal_never_a_float(budget):
    summary = budget.summary()
    found = [summary.pool, summary.allocated, summary.allocated_all, summary.unallocated,
             *summary.by_owner.values()]
    for dim in ("owner", "funnel_stage", "category", "channel", "region"):
        found += [amount for _v, _o, amount in budget.by_dimension(dim)]
    found += [amount for _m, _o, amount in budget.monthly()]
    found += [line.amount for line in budget.lines()]
    assert len(found) > 40
    for amount in found:
        assert isinstance(amount, Decimal), amount
        assert not isinstance(amount, float)
        assert amount == amount.quantize(D("0.01"))


def test_by_dimension_splits_each_value_by_owner(budget):
    assert budget.by_dimension("channel") == [
        ("Events", "joint", D("2950.15")),
        ("Events", "marketing", D("2000.00")),
        ("Field sales", "sales", D("10800.10")),
        ("Paid search", "marketing", D("2600.49")),
        ("Paid social", "marketing", D("750.25")),
        ("Partners", "joint", D("300.00")),
        ("Partners", "sales", D("1200.00")),
    ]
    assert budget.by_dimension("region") == [
        ("EMEA", "joint", D("450.15")),
        ("EMEA", "marketing", D("3250.75")),
        ("EMEA", "sales", D("2000.10")),
        ("North America", "joint", D("2800.00")),
        ("North America", "marketing", D("2099.99")),
        ("North America", "sales", D("10000.00")),
    ]
    stages = {}
    for stage, _owner, amount in budget.by_dimension("funnel_stage"):
        stages[stage] = stages.get(stage, D(0)) + amount
    assert stages == {"advocacy": D("300.00"), "awareness": D("2600.49"),
                      "consideration": D("4500.00"), "loyalty": D("1650.15"),
                      "preference": D("750.25"), "purchase": D("10800.10")}


def test_by_dimension_refuses_an_unknown_dimension(budget):
    with pytest.raises(Refused, match="cannot break the budget down by 'amount'"):
        budget.by_dimension("amount")
    with pytest.raises(Refused):
        budget.by_dimension("owner; DROP TABLE plan_lines")


def test_monthly_totals_by_owner(budget):
    assert budget.monthly() == [
        (date(2026, 1, 1), "joint", D("300.00")),
        (date(2026, 1, 1), "marketing", D("1000.00")),
        (date(2026, 1, 1), "sales", D("5000.00")),
        (date(2026, 2, 1), "marketing", D("1500.50")),
        (date(2026, 2, 1), "sales", D("5000.00")),
        (date(2026, 3, 1), "joint", D("2500.00")),
        (date(2026, 3, 1), "marketing", D("2000.00")),
        (date(2026, 3, 1), "sales", D("800.10")),
        (date(2026, 4, 1), "marketing", D("750.25")),
        (date(2026, 6, 1), "sales", D("1200.00")),
        (date(2026, 7, 1), "joint", D("450.15")),
        (date(2026, 12, 1), "marketing", D("99.99")),
    ]


def test_lines_are_sorted_and_paged(budget):
    page0 = budget.lines(sort="amount", descending=True, page=0, page_size=5)
    page1 = budget.lines(sort="amount", descending=True, page=1, page_size=5)
    page2 = budget.lines(sort="amount", descending=True, page=2, page_size=5)
    page3 = budget.lines(sort="amount", descending=True, page=3, page_size=5)
    assert [line.amount for line in page0] == [D("5000.00"), D("5000.00"), D("2500.00"),
                                               D("2000.00"), D("1500.50")]
    assert [line.amount for line in page1] == [D("1200.00"), D("1000.00"), D("800.10"),
                                               D("750.25"), D("450.15")]
    assert [line.amount for line in page2] == [D("300.00"), D("99.99")]
    assert page3 == []
    # Ties are broken by id, so the two 5000.00 lines come in import order.
    assert [line.month for line in page0[:2]] == [date(2026, 1, 1), date(2026, 2, 1)]
    ids = [line.id for page in (page0, page1, page2) for line in page]
    assert len(set(ids)) == 12


def test_lines_sorted_ascending_by_month(budget):
    lines = budget.lines(sort="month", descending=False)
    assert [line.month.month for line in lines] == [1, 1, 1, 2, 2, 3, 3, 3, 4, 6, 7, 12]
    assert lines[-1] == BudgetLine(
        id=lines[-1].id, scenario="baseline", owner="marketing", category="Programs",
        funnel_stage="awareness", channel="Paid search", region="North America",
        month=date(2026, 12, 1), amount=D("99.99"), description=None, status="draft", version=1)


def test_lines_default_page_holds_every_line_of_a_small_plan(budget):
    assert len(budget.lines()) == 12
    assert budget.lines()[0].amount == D("5000.00")


def test_lines_refuse_an_unknown_sort(budget):
    with pytest.raises(Refused, match="cannot sort lines by 'id; DROP'"):
        budget.lines(sort="id; DROP")


def test_options_and_month_range(budget):
    options = budget.options()
    assert options["owner"] == ["joint", "marketing", "sales"]
    assert options["region"] == ["EMEA", "North America"]
    assert options["category"] == ["Enablement", "Events", "Headcount", "Programs", "Tools",
                                   "Travel"]
    assert budget.month_range() == (date(2026, 1, 1), date(2026, 12, 1))


def _line_matches(where: BudgetFilter) -> Callable[[tuple], bool]:
    def match(line: tuple) -> bool:
        owner, category, stage, channel, region, month, _amount = line
        first = date(int(month[:4]), int(month[5:]), 1)
        return ((not where.owners or owner in where.owners)
                and (not where.stages or stage in where.stages)
                and (not where.categories or category in where.categories)
                and (not where.channels or channel in where.channels)
                and (not where.regions or region in where.regions)
                and (where.month_from is None or first >= where.month_from)
                and (where.month_to is None or first <= where.month_to))
    return match


FILTERS = [
    (BudgetFilter(owners=("sales",)), D("12000.10"), 4),
    (BudgetFilter(owners=("marketing", "joint")), D("8600.89"), 8),
    (BudgetFilter(stages=("purchase",)), D("10800.10"), 3),
    (BudgetFilter(categories=("Tools",)), D("750.15"), 2),
    (BudgetFilter(channels=("Events",)), D("4950.15"), 3),
    (BudgetFilter(regions=("EMEA",)), D("5701.00"), 6),
    (BudgetFilter(month_from=date(2026, 1, 1), month_to=date(2026, 3, 1)), D("18100.60"), 8),
    (BudgetFilter(month_from=date(2026, 6, 1)), D("1750.14"), 3),
    (BudgetFilter(owners=("marketing",), regions=("EMEA",)), D("3250.75"), 3),
    (BudgetFilter(regions=("APAC",)), D("0.00"), 0),
]


@pytest.mark.parametrize(("where", "total", "count"), FILTERS)
def test_a_filter_affects_every_number(budget, where, total, count):
    assert where.active
    expected = [line for line in LINES if _line_matches(where)(line)]
    assert len(expected) == count
    assert sum((D(line[6]) for line in expected), D(0)) == total
    seen = budget.filtered(where)

    summary = seen.summary()
    assert summary.allocated == total
    assert summary.lines == count
    assert summary.allocated_all == D("20600.99")  # the pool is shared by the whole scenario
    assert summary.unallocated == D("4399.01")
    for owner in ("sales", "marketing", "joint"):
        assert summary.by_owner[owner] == sum(
            (D(line[6]) for line in expected if line[0] == owner), D("0.00"))

    for dim in ("owner", "funnel_stage", "category", "channel", "region"):
        rows = seen.by_dimension(dim)
        assert sum((amount for *_k, amount in rows), D(0)) == total
    assert sum((amount for *_k, amount in seen.monthly()), D(0)) == total
    lines = seen.lines()
    assert len(lines) == count
    assert sum((line.amount for line in lines), D(0)) == total
    assert sorted((ln.owner, ln.category, ln.funnel_stage, ln.channel, ln.region,
                   ln.month.strftime("%Y-%m"), str(ln.amount)) for ln in lines) == sorted(expected)


def test_an_empty_filter_is_not_active():
    assert not BudgetFilter().active
    assert BudgetFilter().clauses() == ([], [])


def test_a_filter_value_is_a_parameter_not_sql(budget):
    where = BudgetFilter(owners=("sales' OR '1'='1",))
    assert budget.filtered(where).summary().allocated == D("0.00")


def test_another_scenario_and_year_are_kept_apart(budget_store):
    stretch = budget_store.budget(2026, "stretch").summary()
    assert (stretch.allocated, stretch.lines) == (D("7777.77"), 1)
    assert stretch.pool == D("25000.00")
    next_year = budget_store.budget(2027).summary()
    assert (next_year.allocated, next_year.lines, next_year.pool) == (D("8888.88"), 1, None)
    assert budget_store.fiscal_years() == [2027, 2026]
    assert [(s.name, s.lines, s.allocated, s.adopted) for s in budget_store.scenarios(2026)] == [
        ("baseline", 12, D("20600.99"), True), ("stretch", 1, D("7777.77"), False)]


@pytest.mark.parametrize(("year", "scenario"), [(2026, "nope"), (2031, "baseline"),
                                                (2027, "stretch")])
def test_an_unknown_scenario_is_refused(budget_store, year, scenario):
    with pytest.raises(Refused, match=f"there is no scenario '{scenario}' in fiscal year {year}"):
        Budget(budget_store.store, year, scenario)
    with pytest.raises(Refused):
        budget_store.budget(year, scenario)


@pytest.mark.parametrize("amount", [D("-1.00"), D("10.005")])
def test_a_pool_must_be_whole_cents_and_not_negative(budget_store, amount):
    with pytest.raises(Refused, match="the pool must be an amount of 0 or more"):
        budget_store.set_pool(2026, amount)
    assert budget_store.pool(2026) == D("25000.00")
