"""The importer against every rule of the data contract."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import planning.imports.merge as merge
from planning.errors import Refused
from planning.exports import export_csv
from planning.imports import ImportProblem, import_csv
from planning.imports.kinds import KINDS
from planning.store import Store, copy_in

# -- the four kinds, as the contract writes them -------------------------------------------------

CONTRACT_COLUMNS = {
    "plan": ("fiscal_year", "owner", "category", "funnel_stage", "channel", "region", "month",
             "amount", "description"),
    "actuals": ("owner", "category", "funnel_stage", "channel", "region", "month", "amount",
                "description", "reference"),
    "outcomes": ("month", "region", "channel", "sourced_by", "leads", "mqls", "sqls",
                 "opportunities", "wins", "pipeline", "revenue", "renewals_due", "renewals_won"),
    "targets": ("fiscal_year", "kpi", "period", "target"),
}
OPTIONAL = {
    "plan": {"description"},
    "actuals": {"description", "reference"},
    "outcomes": {"renewals_due", "renewals_won"},
    "targets": set(),
}
KPI_NAMES = ("revenue", "pipeline", "leads", "mqls", "sqls", "opportunities", "wins", "win_rate",
             "lead_to_win", "spend", "budget_variance", "cac", "roi", "marketing_sourced_share",
             "retention_rate")

# One row per kind, written the untidy way a planner might (case, spaces); cells as in the file.
SAMPLES: dict[str, dict[str, str]] = {
    "plan": {"fiscal_year": "2026", "owner": " Marketing ", "category": " Events ",
             "funnel_stage": "AWARENESS", "channel": "Paid search  ", "region": "  EMEA",
             "month": "2026-03", "amount": "1234.5", "description": "  Spring fair "},
    "actuals": {"owner": "SALES", "category": "Travel", "funnel_stage": " Purchase",
                "channel": " Field sales ", "region": "North America", "month": "2026-04",
                "amount": "-120.00", "description": " Refund ", "reference": " CN-7 "},
    "outcomes": {"month": "2026-05", "region": " EMEA ", "channel": "Webinars",
                 "sourced_by": " Joint ", "leads": "120", "mqls": "40", "sqls": "15",
                 "opportunities": "8", "wins": "3", "pipeline": "250000.00",
                 "revenue": " 90000.5 ", "renewals_due": "4", "renewals_won": "3"},
    "targets": {"fiscal_year": "2026", "kpi": "Win_Rate", "period": "2026-q2", "target": "25%"},
}
# What the store holds for each sample: trimmed, enums lower-case, typed.
STORED_SAMPLES = {
    "plan": (2026, "marketing", "Events", "awareness", "Paid search", "EMEA", date(2026, 3, 1),
             Decimal("1234.50"), "Spring fair"),
    "actuals": ("sales", "Travel", "purchase", "Field sales", "North America", date(2026, 4, 1),
                Decimal("-120.00"), "Refund", "CN-7"),
    "outcomes": (date(2026, 5, 1), "EMEA", "Webinars", "joint", 120, 40, 15, 8, 3,
                 Decimal("250000.00"), Decimal("90000.50"), 4, 3),
    "targets": (2026, "win_rate", "2026-Q2", Decimal("0.25")),
}
STORED_SQL = {
    "plan": "SELECT s.fiscal_year, l.owner, l.category, l.funnel_stage, l.channel, l.region,"
            " l.month, l.amount, l.description FROM plan_lines l"
            " JOIN scenarios s ON s.id = l.scenario_id ORDER BY l.id",
    "actuals": "SELECT owner, category, funnel_stage, channel, region, month, amount,"
               " description, reference FROM actuals ORDER BY id",
    "outcomes": "SELECT month, region, channel, sourced_by, leads, mqls, sqls, opportunities,"
                " wins, pipeline, revenue, renewals_due, renewals_won FROM outcomes ORDER BY id",
    "targets": "SELECT fiscal_year, kpi, period, target FROM targets ORDER BY id",
}
ALL_KINDS = tuple(CONTRACT_COLUMNS)
PLAN_HEADER = ",".join(CONTRACT_COLUMNS["plan"])


def build(kind: str, cells: dict[str, str] | None = None, *, columns: list[str] | None = None,
          header: list[str] | None = None, rows: int = 1, bom: bool = False) -> bytes:
    """A CSV file of one kind: `columns` picks and orders them, `header` spells their names."""
    cells = {**SAMPLES[kind], **(cells or {})}
    columns = list(columns or CONTRACT_COLUMNS[kind])
    head = ",".join(header or columns)
    line = ",".join(cells[c] for c in columns)
    text = head + "\n" + "".join(line + "\n" for _ in range(rows))
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def stored(store: Store, kind: str) -> list[tuple]:
    return store.query(STORED_SQL[kind])


def plan_row(month: str = "2026-01", amount: str = "100.00", *, owner: str = "sales",
             category: str = "Events", stage: str = "awareness", channel: str = "Field",
             region: str = "EMEA", description: str = "", year: str = "2026") -> str:
    return ",".join([year, owner, category, stage, channel, region, month, amount, description])


def plan_file(*rows: str) -> bytes:
    return (PLAN_HEADER + "\n" + "".join(r + "\n" for r in rows)).encode("utf-8")


def only_problem(report) -> ImportProblem:
    assert not report.ok
    assert report.problem_count == 1, [str(p) for p in report.problems]
    return report.problems[0]


def test_the_importer_knows_the_contract_columns():
    for kind, columns in CONTRACT_COLUMNS.items():
        assert KINDS[kind].names == columns
        assert set(KINDS[kind].required) == set(columns) - OPTIONAL[kind]


# -- common rules, for each of the four kinds ---------------------------------------------------

@pytest.mark.parametrize("kind", ALL_KINDS)
def test_a_row_is_stored_trimmed_with_enums_lower_case(store, kind):
    report = import_csv(store, kind, build(kind), file_name=f"{kind}.csv")
    assert report.ok and report.committed
    assert (report.rows, report.added, report.updated, report.unchanged) == (1, 1, 0, 0)
    assert stored(store, kind) == [STORED_SAMPLES[kind]]


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_header_is_matched_case_insensitively_after_trimming_spaces(store, kind):
    header = [f"  {name.upper()} " for name in CONTRACT_COLUMNS[kind]]
    report = import_csv(store, kind, build(kind, header=header))
    assert report.ok, [str(p) for p in report.problems]
    assert stored(store, kind) == [STORED_SAMPLES[kind]]


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_column_order_is_free(store, kind):
    columns = list(reversed(CONTRACT_COLUMNS[kind]))
    report = import_csv(store, kind, build(kind, columns=columns))
    assert report.ok, [str(p) for p in report.problems]
    assert stored(store, kind) == [STORED_SAMPLES[kind]]


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_a_byte_order_mark_is_accepted(store, kind):
    report = import_csv(store, kind, build(kind, bom=True))
    assert report.ok, [str(p) for p in report.problems]
    assert stored(store, kind) == [STORED_SAMPLES[kind]]


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_windows_line_endings_are_accepted(store, kind):
    report = import_csv(store, kind, build(kind).replace(b"\n", b"\r\n"))
    assert report.ok, [str(p) for p in report.problems]
    assert stored(store, kind) == [STORED_SAMPLES[kind]]


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_an_unknown_column_is_an_error(store, kind, snapshot):
    before = snapshot(store)
    header, row = build(kind).decode().splitlines()
    data = f"{header},Notes\n{row},x\n".encode()
    report = import_csv(store, kind, data, file_name="typo.csv")
    problem = only_problem(report)
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "typo.csv", 1, "Notes", "Notes")
    assert problem.message == "unknown column 'Notes'"
    assert problem.fix == ("rename it to one of " + ", ".join(CONTRACT_COLUMNS[kind])
                           + " or remove it")
    assert snapshot(store) == before


def test_a_typo_in_a_header_name_is_an_error_not_a_dropped_column(store):
    data = plan_file(plan_row()).replace(b"description", b"descripton")
    problem = only_problem(import_csv(store, "plan", data, file_name="p.csv"))
    assert (problem.row, problem.column, problem.message) == (
        1, "descripton", "unknown column 'descripton'")
    assert store.scalar("SELECT count(*) FROM plan_lines") == 0


def test_a_column_named_twice_is_an_error(store):
    data = b"fiscal_year,owner,OWNER,category,funnel_stage,channel,region,month,amount\n"
    problem = only_problem(import_csv(store, "plan", data, file_name="p.csv"))
    assert (problem.row, problem.column, problem.message) == (
        1, "owner", "column 'owner' appears twice")


REQUIRED = [(kind, column) for kind in ALL_KINDS for column in CONTRACT_COLUMNS[kind]
            if column not in OPTIONAL[kind]]


@pytest.mark.parametrize(("kind", "missing"), REQUIRED)
def test_a_missing_required_column_is_an_error(store, kind, missing):
    columns = [c for c in CONTRACT_COLUMNS[kind] if c != missing]
    report = import_csv(store, kind, build(kind, columns=columns), file_name="f.csv")
    problem = only_problem(report)
    assert (problem.file, problem.row, problem.column, problem.value) == ("f.csv", 1, missing, None)
    assert problem.message == f"the required column {missing!r} is missing"
    assert problem.fix == f"add a {missing} column to the header"
    assert stored(store, kind) == []


@pytest.mark.parametrize("kind", ["plan", "actuals"])
def test_optional_text_columns_may_be_left_out(store, kind):
    columns = [c for c in CONTRACT_COLUMNS[kind] if c not in OPTIONAL[kind]]
    report = import_csv(store, kind, build(kind, columns=columns))
    assert report.ok
    expected = STORED_SAMPLES[kind][: len(columns)] + (None,) * len(OPTIONAL[kind])
    assert stored(store, kind) == [expected]


ENUMS = [("plan", "owner"), ("plan", "funnel_stage"), ("actuals", "owner"),
         ("actuals", "funnel_stage"), ("outcomes", "sourced_by"), ("targets", "kpi")]


@pytest.mark.parametrize(("kind", "column"), ENUMS)
def test_an_enum_value_outside_the_list_is_an_error(store, kind, column):
    report = import_csv(store, kind, build(kind, {column: " Finance "}), file_name="f.csv")
    problem = only_problem(report)
    assert (problem.row, problem.column, problem.value) == (2, column, "Finance")
    assert problem.message == "'Finance' is not one of the accepted values"
    assert problem.fix == "use one of " + ", ".join(KINDS[kind].column(column).values)


@pytest.mark.parametrize("owner", ["sales", "Sales", "SALES", " sAlEs "])
def test_owner_is_case_insensitive_and_stored_lower_case(store, owner):
    assert import_csv(store, "plan", plan_file(plan_row(owner=owner))).ok
    assert store.query("SELECT owner FROM plan_lines") == [("sales",)]


TEXTS = [("plan", "category", 60), ("plan", "channel", 60), ("plan", "region", 60),
         ("plan", "description", 200), ("actuals", "category", 60),
         ("actuals", "description", 200), ("actuals", "reference", 100),
         ("outcomes", "region", 60), ("outcomes", "channel", 60)]


@pytest.mark.parametrize(("kind", "column", "limit"), TEXTS)
def test_text_has_a_maximum_length(store, kind, column, limit):
    assert import_csv(store, kind, build(kind, {column: "x" * limit})).ok
    report = import_csv(store, kind, build(kind, {column: "y" * (limit + 1)}), file_name="f.csv")
    problem = only_problem(report)
    assert (problem.row, problem.column) == (2, column)
    assert problem.message == f"is {limit + 1} characters long, more than {limit}"
    assert problem.fix == f"shorten it to at most {limit} characters"


@pytest.mark.parametrize("column", ["category", "channel", "region"])
def test_required_text_that_is_only_spaces_is_empty(store, column):
    problem = only_problem(import_csv(store, "plan", build("plan", {column: "   "})))
    assert (problem.row, problem.column, problem.value, problem.message) == (
        2, column, None, "is empty")
    assert problem.fix == f"fill in {column}: text of 1 to 60 characters"


# -- month --------------------------------------------------------------------------------------

MONTH_KINDS = ("plan", "actuals", "outcomes")


@pytest.mark.parametrize("kind", MONTH_KINDS)
@pytest.mark.parametrize("bad", ["2026-3", "2026/03", "03-2026", "2026-13", "2026-00",
                                 "2026-03-01", "March 2026", "202603"])
def test_month_must_be_yyyy_mm(store, kind, bad):
    report = import_csv(store, kind, build(kind, {"month": bad}), file_name="m.csv")
    problem = only_problem(report)
    assert (problem.file, problem.row, problem.column, problem.value) == ("m.csv", 2, "month", bad)
    assert problem.message == f"{bad!r} is not a month"
    assert problem.fix == "write the month as YYYY-MM, e.g. 2026-03"


@pytest.mark.parametrize("kind", MONTH_KINDS)
def test_an_empty_month_is_an_error(store, kind):
    problem = only_problem(import_csv(store, kind, build(kind, {"month": ""})))
    assert (problem.row, problem.column, problem.value, problem.message) == (
        2, "month", None, "is empty")
    assert problem.fix == "fill in month: a month written YYYY-MM, e.g. 2026-03"


# -- money --------------------------------------------------------------------------------------

MONEY = [("plan", "amount"), ("actuals", "amount"), ("outcomes", "pipeline"),
         ("outcomes", "revenue")]
BAD_MONEY = [
    ('"£1,234.50"', "£1,234.50", "'£1,234.50' is not a plain amount"),
    ('"1.234,50"', "1.234,50", "'1.234,50' is not a plain amount"),
    ('"1,234.50"', "1,234.50", "'1,234.50' is not a plain amount"),
    ("$5", "$5", "'$5' is not a plain amount"),
    ("1e3", "1e3", "'1e3' is not a plain amount"),
    (".5", ".5", "'.5' is not a plain amount"),
    ("12.345", "12.345", "'12.345' has too many decimal places"),
    ("", None, "is empty"),
]


@pytest.mark.parametrize(("kind", "column"), MONEY)
@pytest.mark.parametrize(("cell", "value", "message"), BAD_MONEY)
def test_money_forms_that_are_refused_show_the_accepted_form(store, kind, column, cell, value,
                                                             message):
    report = import_csv(store, kind, build(kind, {column: cell}), file_name="money.csv")
    problem = only_problem(report)
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "money.csv", 2, column, value)
    assert problem.message == message
    assert "1234.50" in problem.fix
    assert stored(store, kind) == []


@pytest.mark.parametrize(("kind", "column"), MONEY)
@pytest.mark.parametrize(("cell", "amount"), [("1234.5", "1234.50"), ("1234.50", "1234.50"),
                                              ("1234", "1234.00"), (" 7.05 ", "7.05"),
                                              ("0", "0.00"), ("9999999999999999.99",
                                                              "9999999999999999.99")])
def test_money_forms_that_are_accepted(store, kind, column, cell, amount):
    report = import_csv(store, kind, build(kind, {column: cell}))
    assert report.ok, [str(p) for p in report.problems]
    table = KINDS[kind].table
    value = store.scalar(f'SELECT "{column}" FROM {table}')
    assert value == Decimal(amount)
    assert isinstance(value, Decimal)
    assert str(value) == amount


@pytest.mark.parametrize(("kind", "column"), MONEY)
def test_money_with_more_than_16_digits_before_the_point_is_too_large(store, kind, column):
    problem = only_problem(import_csv(store, kind, build(kind, {column: "1" * 17})))
    assert (problem.column, problem.message) == (column, f"'{'1' * 17}' is too large")


@pytest.mark.parametrize(("kind", "column"), [("plan", "amount"), ("outcomes", "pipeline"),
                                              ("outcomes", "revenue")])
def test_negative_money_is_refused_outside_actuals(store, kind, column):
    problem = only_problem(import_csv(store, kind, build(kind, {column: "-5.00"})))
    assert (problem.row, problem.column, problem.value) == (2, column, "-5.00")
    assert problem.message == "'-5.00' is negative"
    assert stored(store, kind) == []


def test_a_negative_plan_amount_says_where_refunds_belong(store):
    problem = only_problem(import_csv(store, "plan", plan_file(plan_row(amount="-1"))))
    assert problem.fix == "use an amount of 0 or more (refunds and credit notes belong in actuals)"


def test_negative_actuals_are_accepted(store):
    report = import_csv(store, "actuals", build("actuals", {"amount": "-120.5"}))
    assert report.ok
    assert report.control_total == Decimal("-120.50")
    assert store.query("SELECT amount FROM actuals") == [(Decimal("-120.50"),)]


# -- counts -------------------------------------------------------------------------------------

COUNTS = ("leads", "mqls", "sqls", "opportunities", "wins")


@pytest.mark.parametrize("column", COUNTS + ("renewals_due",))
@pytest.mark.parametrize(("cell", "message"), [
    ("-1", "'-1' is negative"),
    ("2.5", "'2.5' is not a whole number"),
    ("x", "'x' is not a whole number"),
    ('"1,000"', "'1,000' is not a whole number"),
    ("1e3", "'1e3' is not a whole number"),
])
def test_counts_are_non_negative_integers(store, column, cell, message):
    cells = {column: cell, "renewals_won": "0"}
    report = import_csv(store, "outcomes", build("outcomes", cells), file_name="o.csv")
    problem = only_problem(report)
    assert (problem.file, problem.row, problem.column, problem.message) == (
        "o.csv", 2, column, message)
    assert stored(store, "outcomes") == []


@pytest.mark.parametrize("column", COUNTS)
def test_an_empty_required_count_is_an_error(store, column):
    problem = only_problem(import_csv(store, "outcomes", build("outcomes", {column: ""})))
    assert (problem.column, problem.message) == (column, "is empty")
    assert problem.fix == f"fill in {column}: a whole number of 0 or more"


def test_zero_counts_are_accepted(store):
    cells = dict.fromkeys(COUNTS + ("renewals_due", "renewals_won"), "0")
    assert import_csv(store, "outcomes", build("outcomes", cells)).ok
    assert store.query("SELECT leads, mqls, sqls, opportunities, wins, renewals_due,"
                       " renewals_won FROM outcomes") == [(0,) * 7]


def test_renewals_default_to_zero_when_their_columns_are_absent(store):
    columns = [c for c in CONTRACT_COLUMNS["outcomes"] if not c.startswith("renewals")]
    assert import_csv(store, "outcomes", build("outcomes", columns=columns)).ok
    assert store.query("SELECT renewals_due, renewals_won FROM outcomes") == [(0, 0)]


def test_renewals_due_alone_defaults_renewals_won_to_zero(store):
    columns = [c for c in CONTRACT_COLUMNS["outcomes"] if c != "renewals_won"]
    assert import_csv(store, "outcomes", build("outcomes", columns=columns)).ok
    assert store.query("SELECT renewals_due, renewals_won FROM outcomes") == [(4, 0)]


def test_renewals_won_alone_is_more_than_the_default_of_zero_due(store):
    columns = [c for c in CONTRACT_COLUMNS["outcomes"] if c != "renewals_due"]
    problem = only_problem(import_csv(store, "outcomes", build("outcomes", columns=columns)))
    assert (problem.row, problem.column, problem.value) == (2, "renewals_won", "3")
    assert problem.message == "renewals_won 3 is more than renewals_due 0"


def test_renewals_won_may_not_exceed_renewals_due(store):
    cells = {"renewals_due": "2", "renewals_won": "3"}
    report = import_csv(store, "outcomes", build("outcomes", cells), file_name="o.csv")
    problem = only_problem(report)
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "o.csv", 2, "renewals_won", "3")
    assert problem.message == "renewals_won 3 is more than renewals_due 2"
    assert problem.fix == "renewals_won must be at most renewals_due"


def test_renewals_won_equal_to_renewals_due_is_accepted(store):
    assert import_csv(store, "outcomes", build("outcomes", {"renewals_won": "4"})).ok
    assert store.query("SELECT renewals_due, renewals_won FROM outcomes") == [(4, 4)]


# -- targets ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("cell", "expected"), [
    ("25%", "0.25"), ("0.25", "0.25"), (" 25% ", "0.25"), ("12.5%", "0.125"), ("100%", "1"),
    ("1250000.00", "1250000"), ("27900000", "27900000"), ("-0.05", "-0.05"), ("0", "0"),
])
def test_target_forms(store, cell, expected):
    assert import_csv(store, "targets", build("targets", {"target": cell})).ok
    value = store.scalar("SELECT target FROM targets")
    assert isinstance(value, Decimal)
    assert value == Decimal(expected)


def test_a_rate_written_as_a_percentage_equals_the_decimal(store):
    data = b"fiscal_year,kpi,period,target\n2026,win_rate,2026,25%\n2026,roi,2026,0.25\n"
    assert import_csv(store, "targets", data).ok
    rows = dict(store.query("SELECT kpi, target FROM targets"))
    assert rows["win_rate"] == rows["roi"] == Decimal("0.25")


@pytest.mark.parametrize(("cell", "message"), [
    ("abc", "'abc' is not a number"), ("25 %", "'25 %' is not a number"),
    ('"1,000"', "'1,000' is not a number"),
    ("0.1234567", "'0.1234567' has too many decimal places"),
    ("", "is empty"),
])
def test_bad_targets_are_refused(store, cell, message):
    problem = only_problem(import_csv(store, "targets", build("targets", {"target": cell})))
    assert (problem.row, problem.column, problem.message) == (2, "target", message)


@pytest.mark.parametrize(("period", "stored_as"), [
    ("2026", "2026"), ("2026-Q1", "2026-Q1"), ("2026-Q4", "2026-Q4"), ("2026-q3", "2026-Q3"),
    ("2026-01", "2026-01"), ("2026-12", "2026-12"),
])
def test_target_periods_of_the_fiscal_year(store, period, stored_as):
    assert import_csv(store, "targets", build("targets", {"period": period})).ok
    assert store.query("SELECT period FROM targets") == [(stored_as,)]


@pytest.mark.parametrize("period", ["2026-Q5", "2026-Q0", "2026Q1", "2026-13", "26", "Q1-2026",
                                    "2026-1", "FY2026"])
def test_target_periods_that_are_not_a_period(store, period):
    problem = only_problem(import_csv(store, "targets", build("targets", {"period": period})))
    assert (problem.row, problem.column, problem.value) == (2, "period", period)
    assert problem.message == f"{period!r} is not a period"
    assert problem.fix == "write YYYY for the year, YYYY-Qn for a fiscal quarter or YYYY-MM"


@pytest.mark.parametrize("period", ["2027", "2025", "2027-Q1", "2025-12", "2027-01"])
def test_target_periods_outside_the_fiscal_year(store, period):
    problem = only_problem(import_csv(store, "targets", build("targets", {"period": period})))
    assert (problem.row, problem.column, problem.value) == (2, "period", period)
    assert problem.message == f"period {period} is not in fiscal year 2026"
    assert problem.fix == "correct the period or the fiscal_year of this row"


def test_target_periods_follow_a_fiscal_year_starting_in_april(store):
    store.set_setting("fiscal_year_start_month", "4")
    good = b"fiscal_year,kpi,period,target\n" + b"".join(
        f"2026,revenue,{p},1\n".encode() for p in ("2026", "2026-Q4", "2026-04", "2027-03"))
    assert import_csv(store, "targets", good).ok
    bad = b"fiscal_year,kpi,period,target\n2026,roi,2026-03,1\n2026,roi,2027-04,1\n"
    report = import_csv(store, "targets", bad)
    assert [(p.row, p.column, p.message) for p in report.problems] == [
        (2, "period", "period 2026-03 is not in fiscal year 2026"),
        (3, "period", "period 2027-04 is not in fiscal year 2026"),
    ]


def test_every_kpi_of_the_contract_is_accepted_as_a_target(store):
    data = "fiscal_year,kpi,period,target\n" + "".join(
        f"2026,{name.upper()},2026,1\n" for name in KPI_NAMES)
    report = import_csv(store, "targets", data.encode())
    assert report.ok and report.added == len(KPI_NAMES) == 15
    assert sorted(r[0] for r in store.query("SELECT kpi FROM targets")) == sorted(KPI_NAMES)


def test_an_unknown_kpi_is_refused(store):
    problem = only_problem(import_csv(store, "targets", build("targets", {"kpi": "CTR"})))
    assert (problem.row, problem.column, problem.value) == (2, "kpi", "CTR")
    assert problem.fix == "use one of " + ", ".join(KPI_NAMES)


def test_a_fiscal_year_must_be_four_digits(store):
    problem = only_problem(import_csv(store, "targets", build("targets", {"fiscal_year": "26"})))
    assert (problem.column, problem.message) == ("fiscal_year", "'26' is not a year")


# -- plan months and fiscal years ----------------------------------------------------------------

@pytest.mark.parametrize("month", ["2025-12", "2027-01"])
def test_a_plan_month_outside_its_fiscal_year_is_refused(store, month):
    report = import_csv(store, "plan", plan_file(plan_row(month)), file_name="p.csv")
    problem = only_problem(report)
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "p.csv", 2, "month", month)
    assert problem.message == f"month {month} is not in fiscal year 2026"
    assert problem.fix == "correct the month or the fiscal_year of this row"


def test_plan_months_follow_a_fiscal_year_starting_in_april(store):
    store.set_setting("fiscal_year_start_month", "4")
    report = import_csv(store, "plan", plan_file(plan_row("2026-04"), plan_row("2027-02"),
                                                 plan_row("2027-03")))
    assert report.ok, [str(p) for p in report.problems]
    assert report.fiscal_years == (2026,)
    assert store.query("SELECT s.fiscal_year, l.month FROM plan_lines l JOIN scenarios s"
                       " ON s.id = l.scenario_id ORDER BY l.month") == [
        (2026, date(2026, 4, 1)), (2026, date(2027, 2, 1)), (2026, date(2027, 3, 1))]
    report = import_csv(store, "plan", plan_file(plan_row("2026-03", "1"),
                                                 plan_row("2027-04", "1")))
    assert [(p.row, p.message) for p in report.problems] == [
        (2, "month 2026-03 is not in fiscal year 2026"),
        (3, "month 2027-04 is not in fiscal year 2026")]


def test_actuals_take_their_fiscal_year_from_the_month(store):
    store.set_setting("fiscal_year_start_month", "4")
    data = build("actuals", {"month": "2027-02"})
    report = import_csv(store, "actuals", data)
    assert report.fiscal_years == (2026,)


def test_a_plan_file_may_hold_several_fiscal_years(store):
    report = import_csv(store, "plan", plan_file(plan_row("2026-05"),
                                                 plan_row("2027-05", year="2027")))
    assert report.ok and report.fiscal_years == (2026, 2027)
    assert store.query("SELECT fiscal_year, name FROM scenarios ORDER BY 1") == [
        (2026, "baseline"), (2027, "baseline")]
    assert store.query("SELECT fiscal_year FROM fiscal_years ORDER BY 1") == [(2026,), (2027,)]


# -- problems: where, what, all at once ---------------------------------------------------------

THREE_WRONG = (
    PLAN_HEADER + "\n"                                          # row 1
    + plan_row("2026-01") + "\n"                                 # row 2
    + "\n"                                                       # row 3: blank
    + plan_row("2026-02", "12.345") + "\n"                       # row 4: bad amount
    + plan_row("2026-03", description='"two\nlines"') + "\n"     # row 5 (two lines in the file)
    + plan_row("2026-04", owner="bogus") + "\n"                  # row 6: bad owner
    + plan_row("2026-05") + "\n"                                 # row 7
    + plan_row("2026-13") + "\n"                                 # row 8: bad month
).encode()


def test_all_errors_of_a_file_are_reported_at_once_with_spreadsheet_rows(store):
    report = import_csv(store, "plan", THREE_WRONG, file_name="plan.csv")
    assert not report.ok and not report.committed
    assert report.problem_count == 3
    assert report.problems == (
        ImportProblem("plan.csv", 4, "amount", "12.345", "'12.345' has too many decimal places",
                      "round it to cents: at most 2 decimals, e.g. 1234.50"),
        ImportProblem("plan.csv", 6, "owner", "bogus", "'bogus' is not one of the accepted values",
                      "use one of sales, marketing, joint"),
        ImportProblem("plan.csv", 8, "month", "2026-13", "'2026-13' is not a month",
                      "write the month as YYYY-MM, e.g. 2026-03"),
    )
    assert store.scalar("SELECT count(*) FROM plan_lines") == 0


def test_a_problem_prints_as_file_row_column(store):
    report = import_csv(store, "plan", THREE_WRONG, file_name="plan.csv")
    assert [str(p) for p in report.problems] == [
        "plan.csv:4:amount: '12.345' has too many decimal places;"
        " round it to cents: at most 2 decimals, e.g. 1234.50",
        "plan.csv:6:owner: 'bogus' is not one of the accepted values;"
        " use one of sales, marketing, joint",
        "plan.csv:8:month: '2026-13' is not a month; write the month as YYYY-MM, e.g. 2026-03",
    ]
    assert str(report.problems[0]).startswith("plan.csv:4:amount: ")


def test_a_file_name_is_taken_from_a_path(store, tmp_path):
    path = tmp_path / "march plan.csv"
    path.write_bytes(plan_file(plan_row(amount="x")))
    problem = only_problem(import_csv(store, "plan", path))
    assert str(problem).startswith("march plan.csv:2:amount: ")


def test_several_problems_in_one_row_come_in_column_order(store):
    data = plan_file(plan_row("2026-1", "-3", owner="", stage="middle"))
    report = import_csv(store, "plan", data)
    assert [(p.row, p.column) for p in report.problems] == [
        (2, "owner"), (2, "funnel_stage"), (2, "month"), (2, "amount")]


def test_a_row_with_too_many_cells(store):
    data = plan_file(plan_row("2026-01"), plan_row("2026-02") + ",extra", plan_row("2026-03"))
    report = import_csv(store, "plan", data, file_name="p.csv")
    problem = only_problem(report)
    assert (problem.file, problem.row, problem.column) == ("p.csv", 3, "-")
    assert problem.value == plan_row("2026-02") + ",extra"
    assert problem.message == "this row has more cells than the header's 9"
    assert problem.fix == ("a cell holds a comma: put that cell in double quotes, and write"
                           " amounts without thousands separators (12500.00, not 12,500.00)")
    assert store.scalar("SELECT count(*) FROM plan_lines") == 0


def test_a_row_with_too_few_cells(store):
    data = plan_file(plan_row("2026-01"), "2026,sales,Events", plan_row("2026-03", "x"))
    report = import_csv(store, "plan", data, file_name="p.csv")
    assert [(p.row, p.message) for p in report.problems] == [
        (3, "this row has 3 cells but the header has 9"),
        (4, "'x' is not a plain amount"),
    ]


@pytest.mark.parametrize("row", [
    # An unquoted thousands separator with an empty description: DuckDB alone would drop the
    # empty last cell and read an amount of 12 and a description of "500.00".
    plan_row("2026-02", "12,500.00", description=""),
    plan_row("2026-02", description="") + ",",
    plan_row("2026-02", description="") + ",,",
])
def test_a_row_one_empty_cell_too_long_is_refused_not_shifted(store, row):
    report = import_csv(store, "plan", plan_file(plan_row("2026-01"), row), file_name="p.csv")
    problem = only_problem(report)
    assert (problem.row, problem.column) == (3, "-")
    assert problem.message == "this row has more cells than the header's 9"
    assert store.scalar("SELECT count(*) FROM plan_lines") == 0


def test_a_short_row_in_a_file_with_a_cell_spanning_lines(store):
    # Short rows are padded by a serial read once a quoted cell spans lines: still found.
    data = plan_file(plan_row("2026-01", description='"one\ntwo"'), "2026,sales,Events,purchase")
    report = import_csv(store, "plan", data, file_name="p.csv")
    assert [(p.row, p.message) for p in report.problems] == [
        (3, "this row has 4 cells but the header has 9")]


def test_rows_after_a_rejected_row_keep_their_spreadsheet_numbers(store):
    data = (PLAN_HEADER + "\n"                                        # row 1
            + plan_row("2026-01", description='"a\nb"') + "\n"         # row 2, two lines
            + plan_row("2026-02") + ",extra\n"                         # row 3
            + "2026\n"                                                 # row 4
            + plan_row("2026-03", "x") + "\n").encode()                # row 5
    report = import_csv(store, "plan", data, file_name="p.csv")
    assert [(p.row, p.column, p.message) for p in report.problems] == [
        (3, "-", "this row has more cells than the header's 9"),
        (4, "-", "this row has 1 cells but the header has 9"),
        (5, "amount", "'x' is not a plain amount"),
    ]


def test_a_problem_inside_a_cell_spanning_lines_is_on_the_row_where_it_starts(store):
    data = (PLAN_HEADER + "\n"
            + plan_row("2026-01", "z", description='"one\ntwo\nthree"') + "\n"  # row 2
            + plan_row("2026-02", "y") + "\n").encode()                          # row 3
    report = import_csv(store, "plan", data, file_name="p.csv")
    assert [(p.row, p.column, p.value) for p in report.problems] == [
        (2, "amount", "z"), (3, "amount", "y")]


def test_a_duplicate_names_the_first_row_across_blank_and_spanning_lines(store):
    data = (PLAN_HEADER + "\n"
            + plan_row("2026-01", "1", description='"a\nb"') + "\n"   # row 2
            + "\n"                                                    # row 3
            + plan_row("2026-01", "2") + "\n").encode()               # row 4
    problem = only_problem(import_csv(store, "plan", data, file_name="p.csv"))
    assert problem.row == 4
    assert problem.message.startswith("this row has the same key as row 2 (")


def test_every_problem_is_counted_though_only_the_first_thousand_are_listed(store):
    rows = [plan_row(f"2026-{m:02d}", "bad", region=f"R{i}") for i in range(125)
            for m in range(1, 13)]
    report = import_csv(store, "plan", plan_file(*rows), file_name="p.csv")
    assert report.problem_count == 1500
    assert len(report.problems) == 1000
    assert [p.row for p in report.problems[:3]] == [2, 3, 4]
    assert report.problems[-1].row == 1001
    assert store.scalar("SELECT count(*) FROM plan_lines") == 0


def test_a_blank_line_before_a_row_with_too_many_cells(store):
    data = (PLAN_HEADER + "\n" + plan_row("2026-01") + "\n"           # rows 1, 2
            + "\n"                                                     # row 3: blank
            + plan_row("2026-02") + ",extra\n").encode()               # row 4
    report = import_csv(store, "plan", data, file_name="p.csv")
    assert [(p.row, p.column, p.message) for p in report.problems] == [
        (4, "-", "this row has more cells than the header's 9")]


def test_a_blank_line_right_after_the_header_before_a_rejected_row(store):
    data = (PLAN_HEADER + "\n\n" + plan_row("2026-02") + ",extra\n").encode()
    report = import_csv(store, "plan", data, file_name="p.csv")
    assert [(p.row, p.column) for p in report.problems] == [(3, "-")]


def test_an_unterminated_quote_names_its_row(store):
    data = plan_file(plan_row("2026-01"), '2026,sales,"Events,awareness,Field,EMEA,2026-02,1,')
    report = import_csv(store, "plan", data, file_name="p.csv")
    assert report.problem_count == 1
    assert report.problems[0].row == 3
    assert "cannot be read" in report.problems[0].message


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_two_rows_with_one_key_name_both_rows(store, kind):
    report = import_csv(store, kind, build(kind, rows=3), file_name="dup.csv")
    assert report.problem_count == 2
    for problem, row in zip(report.problems, (3, 4), strict=True):
        assert (problem.file, problem.row) == ("dup.csv", row)
        assert "this row has the same key as row 2" in problem.message
        assert problem.fix == "keep one of the two rows, or merge their amounts into one"
    assert stored(store, kind) == []


def test_a_duplicate_key_is_found_after_case_and_spaces_are_normalised(store):
    data = plan_file(plan_row("2026-01", "1"), plan_row("2026-02", "2"),
                     plan_row("2026-01", "3", owner=" SALES ", region="EMEA ", stage="Awareness"))
    problem = only_problem(import_csv(store, "plan", data, file_name="p.csv"))
    assert problem.row == 4
    assert problem.column == "owner/category/funnel_stage/channel/region/month"
    assert problem.message == ("this row has the same key as row 2"
                               " (2026 / sales / Events / awareness / Field / EMEA / 2026-01)")


def test_the_same_line_in_two_fiscal_years_is_not_a_duplicate(store):
    report = import_csv(store, "targets", b"fiscal_year,kpi,period,target\n"
                                          b"2026,revenue,2026,1\n2027,revenue,2027,2\n")
    assert report.ok and report.added == 2


def test_a_binary_file_is_refused(store):
    # (A workbook is read: tests/test_import_formats.py. This is an image.)
    data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    problem = only_problem(import_csv(store, "plan", data, file_name="plan.png"))
    assert (problem.file, problem.row, problem.column) == ("plan.png", 3, "-")  # its first NUL
    assert problem.message == "this is not a CSV text file (it holds binary data)"
    assert problem.fix == "export the sheet as 'CSV UTF-8 (comma delimited)' and upload that"


def test_a_file_that_is_not_utf8_is_refused(store):
    data = plan_file(plan_row("2026-01")) + plan_row(
        "2026-02", category="Café").encode("latin-1") + b"\n"
    problem = only_problem(import_csv(store, "plan", data, file_name="p.csv"))
    assert (problem.file, problem.row, problem.column, problem.value) == ("p.csv", 3, "-", "0xe9")
    assert problem.message == "the file is not UTF-8 text"
    assert problem.fix == "save it as 'CSV UTF-8' from your spreadsheet"
    assert store.scalar("SELECT count(*) FROM plan_lines") == 0


def test_utf8_text_is_kept(store):
    assert import_csv(store, "plan", plan_file(plan_row(category="Café", region="Zürich"))).ok
    assert store.query("SELECT category, region FROM plan_lines") == [("Café", "Zürich")]


@pytest.mark.parametrize("data", [b"", b"   \n\n", b"\r\n"])
def test_an_empty_file_is_refused(store, data):
    problem = only_problem(import_csv(store, "plan", data, file_name="p.csv"))
    assert (problem.file, problem.row, problem.column) == ("p.csv", 1, "-")
    assert problem.message == "the file is empty"
    assert problem.fix == "start from the plan template: its header is " + PLAN_HEADER


def test_a_file_holding_only_a_byte_order_mark_is_refused(store, snapshot):
    before = snapshot(store)
    report = import_csv(store, "plan", b"\xef\xbb\xbf", file_name="p.csv")
    assert not report.ok and not report.committed
    assert {p.row for p in report.problems} == {1}
    assert snapshot(store) == before


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_a_header_without_rows_is_refused(store, kind):
    data = (",".join(CONTRACT_COLUMNS[kind]) + "\n").encode()
    problem = only_problem(import_csv(store, kind, data, file_name="h.csv"))
    assert (problem.file, problem.row, problem.column) == ("h.csv", 2, "-")
    assert problem.message == "the file has a header but no rows"
    assert problem.fix == "add at least one row under the header"


def test_an_unknown_kind_is_refused(store):
    with pytest.raises(Refused, match="unknown kind 'budget'"):
        import_csv(store, "budget", plan_file(plan_row()))


@pytest.mark.parametrize("scenario", ["", "   ", "x" * 61])
def test_a_scenario_name_has_1_to_60_characters(store, scenario):
    with pytest.raises(Refused, match="1 to 60 characters"):
        import_csv(store, "plan", plan_file(plan_row()), scenario=scenario)


# -- nothing is written when a file is refused --------------------------------------------------

REFUSED_AFTER_GOOD = {
    "plan": plan_file(plan_row("2026-01", "999.00"), plan_row("2026-06"),
                      plan_row("2026-07", "oops")),
    "actuals": build("actuals", {"amount": "5.00"})
    + b"sales,Travel,purchase,Field,EMEA,2026-13,1.00,,\n",
    "outcomes": build("outcomes", {"revenue": "1.00", "wins": "-2"}),
    "targets": build("targets", {"target": "30%"}) + b"2026,roi,2027,1\n",
}


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_a_refused_file_leaves_the_store_exactly_as_it_was(store, kind, snapshot):
    good = plan_file(plan_row("2026-01"), plan_row("2026-02")) if kind == "plan" else build(kind)
    assert import_csv(store, kind, good).ok
    before, exported = snapshot(store), export_csv(store, kind)
    report = import_csv(store, kind, REFUSED_AFTER_GOOD[kind], file_name="bad.csv")
    assert not report.ok and not report.committed
    assert (report.added, report.updated) == (0, 0)
    assert snapshot(store) == before
    assert export_csv(store, kind) == exported


def test_a_refused_plan_creates_no_scenario_and_no_fiscal_year(store, snapshot):
    before = snapshot(store)
    report = import_csv(store, "plan", plan_file(plan_row("2026-01"), plan_row("2026-02", "x")),
                        scenario="stretch")
    assert report.problem_count == 1
    assert snapshot(store) == before
    assert store.query("SELECT * FROM scenarios") == []


# -- upsert, idempotence, dry run, control total -------------------------------------------------

FILES = {
    "plan": plan_file(plan_row("2026-01", "100.00"), plan_row("2026-02", "200.00"),
                      plan_row("2026-03", "300.00", description="Q1 push")),
    "actuals": b"owner,category,funnel_stage,channel,region,month,amount\n"
               b"sales,Travel,purchase,Field,EMEA,2026-01,10.00\n"
               b"sales,Travel,purchase,Field,EMEA,2026-02,-2.50\n"
               b"marketing,Programs,awareness,Search,EMEA,2026-01,7.25\n",
    "outcomes": b"month,region,channel,sourced_by,leads,mqls,sqls,opportunities,wins,pipeline,"
                b"revenue\n2026-01,EMEA,Web,marketing,10,5,3,2,1,1000.00,500.00\n"
                b"2026-01,EMEA,Web,sales,4,2,2,1,1,800.00,400.10\n"
                b"2026-02,EMEA,Web,marketing,12,6,3,2,0,900.00,0\n",
    "targets": b"fiscal_year,kpi,period,target\n2026,revenue,2026,1000000\n"
               b"2026,win_rate,2026-Q1,25%\n2026,cac,2026-03,1500.00\n",
}
CONTROL_TOTALS = {"plan": Decimal("600.00"), "actuals": Decimal("14.75"),
                  "outcomes": Decimal("900.10"), "targets": None}


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_importing_the_same_file_twice_changes_nothing(store, kind, snapshot):
    first = import_csv(store, kind, FILES[kind], file_name=f"{kind}.csv")
    assert (first.rows, first.added, first.updated, first.unchanged) == (3, 3, 0, 0)
    before = snapshot(store, logs=False)
    second = import_csv(store, kind, FILES[kind], file_name=f"{kind}.csv")
    assert second.ok and second.committed
    assert (second.rows, second.added, second.updated, second.unchanged) == (3, 0, 0, 3)
    assert snapshot(store, logs=False) == before
    # The import log records both imports, the second one adding nothing.
    assert store.query("SELECT kind, rows_in_file, rows_added, rows_updated FROM imports"
                       " ORDER BY id") == [(kind, 3, 3, 0), (kind, 3, 0, 0)]


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_the_control_total_is_the_decimal_sum(store, kind):
    report = import_csv(store, kind, FILES[kind])
    assert report.control_total == CONTROL_TOTALS[kind]
    if CONTROL_TOTALS[kind] is not None:
        assert isinstance(report.control_total, Decimal)
    assert store.scalar("SELECT control_total FROM imports") == CONTROL_TOTALS[kind]


def test_the_control_total_does_not_drift_like_a_float(store):
    rows = [plan_row(f"2026-{m:02d}", "0.10") for m in range(1, 11)]
    report = import_csv(store, "plan", plan_file(*rows))
    assert report.control_total == Decimal("1.00")
    assert str(report.control_total) == "1.00"


def test_changing_an_amount_updates_the_line(store):
    assert import_csv(store, "plan", FILES["plan"]).ok
    changed = FILES["plan"].replace(b"2026-02,200.00", b"2026-02,250.75")
    report = import_csv(store, "plan", changed)
    assert (report.added, report.updated, report.unchanged) == (0, 1, 2)
    assert report.control_total == Decimal("650.75")
    assert store.query("SELECT month, amount, version FROM plan_lines ORDER BY month") == [
        (date(2026, 1, 1), Decimal("100.00"), 1),
        (date(2026, 2, 1), Decimal("250.75"), 2),
        (date(2026, 3, 1), Decimal("300.00"), 1),
    ]


def test_changing_a_description_counts_as_an_update(store):
    assert import_csv(store, "plan", FILES["plan"]).ok
    report = import_csv(store, "plan", FILES["plan"].replace(b"Q1 push", b'"Q1 push, bigger"'))
    assert (report.added, report.updated, report.unchanged) == (0, 1, 2)
    assert store.query("SELECT description, version FROM plan_lines WHERE description"
                       " IS NOT NULL") == [("Q1 push, bigger", 2)]


def test_a_new_key_is_added_beside_the_existing_lines(store):
    assert import_csv(store, "plan", FILES["plan"]).ok
    report = import_csv(store, "plan", plan_file(plan_row("2026-04", "40.00")))
    assert (report.added, report.updated, report.unchanged) == (1, 0, 0)
    assert store.scalar("SELECT count(*) FROM plan_lines") == 4
    assert store.scalar("SELECT sum(amount) FROM plan_lines") == Decimal("640.00")


def test_upserting_outcomes_and_targets_replaces_their_values(store):
    assert import_csv(store, "outcomes", FILES["outcomes"]).ok
    assert import_csv(store, "targets", FILES["targets"]).ok
    outcomes = FILES["outcomes"].replace(b"1000.00,500.00", b"1000.00,650.00")
    report = import_csv(store, "outcomes", outcomes)
    assert (report.added, report.updated, report.unchanged) == (0, 1, 2)
    assert store.scalar("SELECT revenue FROM outcomes WHERE sourced_by = 'marketing'"
                        " AND month = DATE '2026-01-01'") == Decimal("650.00")
    report = import_csv(store, "targets", FILES["targets"].replace(b"25%", b"30%"))
    assert (report.added, report.updated, report.unchanged) == (0, 1, 2)
    assert store.scalar("SELECT target FROM targets WHERE kpi = 'win_rate'") == Decimal("0.3")


def test_a_dry_run_writes_nothing_but_reports_what_it_would_do(store, snapshot):
    before = snapshot(store)
    report = import_csv(store, "plan", FILES["plan"], commit=False)
    assert report.ok and not report.committed
    assert (report.rows, report.added, report.updated, report.unchanged) == (3, 3, 0, 0)
    assert report.control_total == Decimal("600.00")
    assert report.fiscal_years == (2026,)
    assert snapshot(store) == before

    assert import_csv(store, "plan", FILES["plan"]).ok
    before = snapshot(store)
    changed = FILES["plan"].replace(b"2026-02,200.00", b"2026-02,201.00") + (
        plan_row("2026-04", "1.00") + "\n").encode()
    report = import_csv(store, "plan", changed, commit=False)
    assert (report.rows, report.added, report.updated, report.unchanged) == (4, 1, 1, 2)
    assert snapshot(store) == before


@pytest.mark.parametrize("kind", ["actuals", "outcomes", "targets"])
def test_a_dry_run_of_the_other_kinds_writes_nothing(store, kind, snapshot):
    before = snapshot(store)
    report = import_csv(store, kind, FILES[kind], commit=False)
    assert (report.added, report.updated, report.committed) == (3, 0, False)
    assert snapshot(store) == before


def test_a_dry_run_still_reports_problems(store):
    report = import_csv(store, "plan", THREE_WRONG, file_name="plan.csv", commit=False)
    assert [(p.row, p.column) for p in report.problems] == [
        (4, "amount"), (6, "owner"), (8, "month")]


# -- scenarios, sign-off and locks --------------------------------------------------------------

def test_a_plan_goes_to_the_baseline_scenario_by_default(store):
    report = import_csv(store, "plan", FILES["plan"], actor="ana")
    assert report.scenario == "baseline"
    assert store.query("SELECT fiscal_year, name, locked, created_by FROM scenarios") == [
        (2026, "baseline", False, "ana")]
    assert store.query("SELECT kind, scenario, imported_by FROM imports") == [
        ("plan", "baseline", "ana")]


def test_a_plan_creates_the_scenario_named_by_the_import(store):
    assert import_csv(store, "plan", FILES["plan"]).ok
    report = import_csv(store, "plan", FILES["plan"].replace(b"100.00", b"150.00"),
                        scenario="  Stretch ")
    assert report.scenario == "Stretch"
    assert (report.added, report.updated) == (3, 0)
    assert store.query("SELECT s.name, sum(l.amount), count(*) FROM plan_lines l"
                       " JOIN scenarios s ON s.id = l.scenario_id GROUP BY 1 ORDER BY 1") == [
        ("Stretch", Decimal("650.00"), 3), ("baseline", Decimal("600.00"), 3)]
    assert export_csv(store, "plan", scenario="Stretch").count("150.00") == 1


def test_other_kinds_have_no_scenario(store):
    report = import_csv(store, "actuals", FILES["actuals"], scenario="stretch")
    assert report.scenario is None
    assert store.query("SELECT * FROM scenarios") == []


def test_a_row_touching_a_signed_off_line_refuses_the_file(store, snapshot):
    assert import_csv(store, "plan", FILES["plan"]).ok
    store.write(lambda cur: cur.execute(
        "UPDATE plan_lines SET status = 'signed_off' WHERE month = DATE '2026-02-01'"))
    before = snapshot(store)
    changed = plan_file(plan_row("2026-01", "101.00"), plan_row("2026-02", "999.00"),
                        plan_row("2026-04", "5.00"))
    report = import_csv(store, "plan", changed, file_name="p.csv")
    problem = only_problem(report)
    assert (problem.file, problem.row) == ("p.csv", 3)
    assert problem.column == "owner/category/funnel_stage/channel/region/month"
    assert problem.message == ("the line sales / Events / awareness / Field / EMEA / 2026-02"
                               " is signed off and cannot be changed by an import")
    assert problem.fix == "remove this row, or have the line reopened in review first"
    assert snapshot(store) == before


def test_a_row_equal_to_a_signed_off_line_changes_nothing_and_passes(store, snapshot):
    assert import_csv(store, "plan", FILES["plan"]).ok
    store.write(lambda cur: cur.execute("UPDATE plan_lines SET status = 'signed_off'"))
    before = snapshot(store, logs=False)
    report = import_csv(store, "plan", FILES["plan"], file_name="again.csv")
    assert report.ok and (report.added, report.updated) == (0, 0)
    assert snapshot(store, logs=False) == before


def test_a_signed_off_line_in_another_scenario_does_not_block(store):
    assert import_csv(store, "plan", FILES["plan"]).ok
    store.write(lambda cur: cur.execute("UPDATE plan_lines SET status = 'signed_off'"))
    report = import_csv(store, "plan", FILES["plan"].replace(b"100.00", b"1.00"),
                        scenario="what-if")
    assert report.ok and report.added == 3


def test_a_locked_scenario_refuses_every_row_of_its_year(store, snapshot):
    assert import_csv(store, "plan", FILES["plan"]).ok
    store.write(lambda cur: cur.execute("UPDATE scenarios SET locked = true"))
    before = snapshot(store)
    data = plan_file(plan_row("2026-01", "100.00"), plan_row("2026-09", "9.00"),
                     plan_row("2027-01", "1.00", year="2027"))
    report = import_csv(store, "plan", data, file_name="p.csv")
    assert [(p.row, p.column, p.value) for p in report.problems] == [
        (2, "fiscal_year", "2026"), (3, "fiscal_year", "2026")]
    assert report.problems[0].message == (
        "scenario baseline 2026 is locked; no line of it can be changed")
    assert report.problems[0].fix == "import into another scenario, or have the scenario reopened"
    assert snapshot(store) == before


# -- all or nothing -----------------------------------------------------------------------------

def test_a_write_that_fails_midway_leaves_the_store_as_it_was(store, snapshot, monkeypatch):
    assert import_csv(store, "plan", FILES["plan"]).ok
    before, exported = snapshot(store), export_csv(store, "plan")
    # The write step: the staging database's own upsert (DuckDB), or the copy into a server.
    module, name, kind_at = (merge, "_write", 1) if store.dialect.name == "duckdb" else (
        copy_in, "write", 2)
    real = getattr(module, name)
    calls = []

    def upsert_then_fail(*args, **kwargs):
        real(*args, **kwargs)
        calls.append(args[kind_at].name)
        raise RuntimeError("disk full")

    monkeypatch.setattr(module, name, upsert_then_fail)
    changed = plan_file(plan_row("2026-01", "111.00"), plan_row("2026-05", "5.00"),
                        plan_row("2027-05", "7.00", year="2027"))
    with pytest.raises(RuntimeError, match="disk full"):
        import_csv(store, "plan", changed, scenario="stretch")
    assert calls == ["plan"]  # the rows were written, then the transaction failed
    assert snapshot(store) == before
    assert export_csv(store, "plan") == exported

    monkeypatch.setattr(module, name, real)
    report = import_csv(store, "plan", changed)
    assert (report.added, report.updated, report.unchanged) == (2, 1, 0)


# -- spreadsheet formulas (CSV injection) --------------------------------------------------------

@pytest.mark.parametrize("text", ["=SUM(A1)", "- carried over", "+1 for Q2", "@risk"])
def test_a_cell_a_spreadsheet_would_run_is_guarded_in_exports(store, text):
    assert import_csv(store, "plan", plan_file(plan_row(description=text))).ok
    assert store.scalar("SELECT description FROM plan_lines") == text
    exported = export_csv(store, "plan")
    assert exported.splitlines()[1].endswith(",'" + text)
    assert f",{text}" not in exported

    fresh = Store()
    report = import_csv(fresh, "plan", exported.encode())
    assert report.ok
    assert fresh.scalar("SELECT description FROM plan_lines") == text
    assert export_csv(fresh, "plan") == exported
    again = import_csv(store, "plan", exported.encode())
    assert (again.added, again.updated, again.unchanged) == (0, 0, 1)


def test_guarded_text_round_trips_in_every_text_column(store):
    data = (b"owner,category,funnel_stage,channel,region,month,amount,description,reference\n"
            b"sales,=cat,purchase,+chan,@reg,2026-01,-1.00,=SUM(A1),-42\n")
    assert import_csv(store, "actuals", data).ok
    exported = export_csv(store, "actuals")
    assert exported.splitlines()[1] == (
        "sales,'=cat,purchase,'+chan,'@reg,2026-01,-1.00,'=SUM(A1),'-42")
    fresh = Store()
    assert import_csv(fresh, "actuals", exported.encode()).ok
    assert fresh.query("SELECT category, channel, region, description, reference FROM actuals") \
        == [("=cat", "+chan", "@reg", "=SUM(A1)", "-42")]


# Cells a planner might type, some needing quotes: commas, quotes, line breaks, spaces.
_TEXT = st.text(alphabet=st.sampled_from('ab ,"\n'), max_size=6)


def _cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n') else text


@settings(max_examples=40, deadline=None)
@given(description=_TEXT, extra=st.integers(-3, 3))
def test_a_row_reads_whole_or_is_refused_never_shifted(tmp_path_factory, description, extra):
    """Whatever the description, a row with the header's cells is read as written, and a row
    with fewer or more cells (empty ones too) is refused with nothing written."""
    cells = plan_row("2026-02", "12.50").split(",")[:-1] + [_cell(description)]
    if extra > 0:
        cells += [""] * extra
    elif extra < 0:
        cells = cells[:extra]
    store = Store(tmp_path_factory.mktemp("prop") / "t.duckdb")
    try:
        report = import_csv(store, "plan", plan_file(",".join(cells)))
        if extra == 0:
            assert report.ok, report.problems
            assert store.query("SELECT amount, coalesce(description, '') FROM plan_lines") == [
                (Decimal("12.50"), description.strip(" "))]  # SQL trim(): spaces only
        else:
            assert not report.ok
            assert [(p.row, p.column) for p in report.problems] == [(2, "-")]
            assert store.scalar("SELECT count(*) FROM plan_lines") == 0
    finally:
        store.close()
