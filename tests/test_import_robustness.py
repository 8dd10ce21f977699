"""The importer never raises, never hangs and says what is wrong, whatever the bytes.

Each class of input an outside audit (and the fuzzer, `fuzz/import_fuzz.py`) found failing has
tests here; every input the fuzzer keeps under tests/data/fuzz is replayed at the end.
"""
from __future__ import annotations

import io
import time
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planning import audit
from planning.exports import export_csv
from planning.imports import import_csv
from planning.imports.kinds import KINDS
from planning.imports.problems import SHOWN_PROBLEMS, VALUE_CHARS
from planning.store import Store

FUZZ = Path(__file__).parent / "data" / "fuzz"
PLAN_HEADER = "fiscal_year,owner,category,funnel_stage,channel,region,month,amount,description"


def row(month: str = "2026-01", amount: str = "100.00", *, year: str = "2026",
        category: str = "Events", region: str = "EMEA", description: str = "") -> str:
    return ",".join([year, "sales", category, "awareness", "Field", region, month, amount,
                     description])


def plan(*rows: str, end: str = "\n") -> bytes:
    return (PLAN_HEADER + end + "".join(r + end for r in rows)).encode("utf-8")


def lines(store: Store) -> list[tuple]:
    return store.query("SELECT strftime(month, '%Y-%m'), amount, description FROM plan_lines"
                       " ORDER BY month")


def messages(report) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.message) for p in report.problems]


# -- line ends ----------------------------------------------------------------------------------

@pytest.mark.parametrize("end", ["\r", "\n\r", "\r\n", "\n"], ids=["CR", "LF CR", "CRLF", "LF"])
def test_every_line_end_reads_the_same_rows(store, end):
    data = plan(row("2026-01", "1.00"), row("2026-02", "2.00", description="two"), end=end)
    report = import_csv(store, "plan", data)
    assert report.ok, messages(report)
    assert lines(store) == [("2026-01", Decimal("1.00"), None),
                            ("2026-02", Decimal("2.00"), "two")]


def test_a_lone_cr_among_crlf_line_ends_is_a_line_end(store):
    # DuckDB's reader stops in "an invalid state" on this; the importer reads it with LF ends.
    data = plan(row("2026-01", "1.00"), end="\r\n") + (row("2026-02") + "\r"
                                                       + row("2026-03") + "\r\n").encode()
    report = import_csv(store, "plan", data)
    assert report.ok, messages(report)
    assert [m for m, _a, _d in lines(store)] == ["2026-01", "2026-02", "2026-03"]


def test_rows_of_a_classic_mac_file_are_numbered_as_a_spreadsheet_shows_them(store):
    data = plan(row("2026-01"), row("2026-02", "x"), "", row("2026-03", "y"), end="\r")
    report = import_csv(store, "plan", data, file_name="mac.csv")
    assert [(p.row, p.column) for p in report.problems] == [(3, "amount"), (5, "amount")]


@pytest.mark.parametrize("written", ["a\r\nb", "a\rb", "a\nb"])
def test_a_line_break_in_a_cell_is_stored_as_lf_and_round_trips(store, tmp_path, written):
    data = plan(row(description=f'"{written}"'), end="\r\n")
    assert import_csv(store, "plan", data).ok
    assert lines(store)[0][2] == "a\nb"
    exported = export_csv(store, "plan")
    # Read back the way a spreadsheet or Python's text mode would: newlines translated.
    path = tmp_path / "export.csv"
    path.write_text(exported, encoding="utf-8", newline="")
    translated = path.read_text(encoding="utf-8")
    fresh = Store(tmp_path / "fresh.duckdb")
    assert import_csv(fresh, "plan", translated.encode()).ok
    assert export_csv(fresh, "plan") == exported
    fresh.close()


def test_a_stored_cr_is_exported_as_a_line_feed(store):
    assert import_csv(store, "plan", plan(row(description="x"))).ok
    store.write(lambda cur: cur.execute("UPDATE plan_lines SET description = 'a' || chr(13)"
                                        " || 'b' || chr(13) || chr(10) || 'c'"))
    assert '"a\nb\nc"' in export_csv(store, "plan")


# -- headers ------------------------------------------------------------------------------------

def test_a_header_cell_over_128_kib_is_an_unknown_column(store):
    data = (PLAN_HEADER + "," + "a" * 140_000 + "\n" + row() + "\n").encode()
    report = import_csv(store, "plan", data)
    assert report.problem_count == 1
    problem = report.problems[0]
    assert (problem.row, problem.message[:16]) == (1, "unknown column '")
    assert len(problem.value) < VALUE_CHARS + 40 and "140,000 characters" in problem.value
    assert len(str(problem)) < 2000


def test_a_quoted_header_cell_of_any_size_is_read(store):
    data = (PLAN_HEADER + ',"' + "b" * 140_000 + '"\n' + row() + "\n").encode()
    report = import_csv(store, "plan", data)
    assert report.problem_count == 1 and report.problems[0].message.startswith("unknown column")


def test_a_header_with_a_quote_left_open_is_refused_on_row_1(store):
    report = import_csv(store, "plan", (PLAN_HEADER + ',"x\n' + row() + "\n").encode())
    assert messages(report) == [(1, "-", "the header has a quote that is not closed")]


def test_a_million_unknown_columns_are_counted_and_a_thousand_listed(store):
    header = PLAN_HEADER + "," + ",".join(f"c{i}" for i in range(1_000_000))
    start = time.monotonic()
    report = import_csv(store, "plan", (header + "\n" + row() + "\n").encode())
    assert time.monotonic() - start < 10
    assert report.problem_count == 1_000_000
    assert len(report.problems) == SHOWN_PROBLEMS
    [more] = report.omitted
    assert more.count == 1_000_000 - SHOWN_PROBLEMS
    assert str(more).startswith("plan.csv:1:c0: and 999,000 more problem(s) like this one")


# -- quotes ---------------------------------------------------------------------------------------

def test_a_quote_inside_a_cell_that_is_not_quoted_is_text(store):
    # An odd number of quotes in the file: it is checked for one left open, and has none.
    report = import_csv(store, "plan", plan(row(description='12" screen'), row("2026-02")))
    assert report.ok, messages(report)
    assert lines(store)[0] == ("2026-01", Decimal("100.00"), '12" screen')


def test_a_quote_left_open_is_named_at_its_row_without_reading_the_rest(store):
    rest = "".join(row(region=f"R{i}") + "\n" for i in range(200_000))  # about 11 MB
    data = plan(row(), row("2026-02")) + b'"' + rest.encode()
    start = time.monotonic()
    report = import_csv(store, "plan", data)
    assert time.monotonic() - start < 10
    assert messages(report) == [(4, "-", "this row cannot be read (a quoted cell is not closed"
                                         " before the end of the file)")]


def test_a_quoted_cell_of_megabytes_is_named_by_its_column(store):
    big = '"' + "ab\n" * 3_000_000 + '"'  # 9 MB over 3 million lines: measured, not split
    report = import_csv(store, "plan", plan(row(), row("2026-02", description=big),
                                            row("2026-03", "x")))
    assert messages(report) == [(3, "description", "is 9000000 characters long, more than 200"),
                                (4, "amount", "'x' is not a plain amount")]
    assert report.problems[0].value.startswith("ab\nab\n")


def test_the_values_of_bad_cells_are_shown_however_many_rows_are_bad(store):
    rows = [row(f"2026-{m:02d}", f"{i}x", region=f"R{i}") for i in range(300) for m in (1, 2)]
    rows.insert(0, row(region="R-1", description='"a, quoted, cell"'))
    rows.append(row("2026-99", region="last"))
    report = import_csv(store, "plan", plan(*rows))
    assert report.problem_count == 601
    assert [(p.row, p.value) for p in report.problems[:2]] == [(3, "0x"), (4, "0x")]
    assert (report.problems[-1].row, report.problems[-1].value) == (603, "2026-99")


# -- rows with too many cells ---------------------------------------------------------------------

@pytest.mark.parametrize("extra", [2, 10_000, 1_000_000])
def test_a_row_with_many_extra_cells_is_counted_exactly_in_linear_time(store, extra):
    data = plan(row("2026-01"), row("2026-02") + ",a" * extra, row("2026-03", "x"))
    start = time.monotonic()
    report = import_csv(store, "plan", data, file_name="p.csv")
    assert time.monotonic() - start < 10
    assert messages(report) == [
        (3, "-", f"this row has {9 + extra:,} cells but the header has 9"),
        (4, "amount", "'x' is not a plain amount")]


def test_many_rows_with_extra_cells_are_all_counted(store):
    rows = [row(f"2026-{m:02d}", region=f"R{i}") + ",a,b" for i in range(200) for m in range(1, 13)]
    report = import_csv(store, "plan", plan(*rows))
    assert report.problem_count == 2400
    assert len(report.problems) == SHOWN_PROBLEMS
    assert report.problems[0].message == "this row has 11 cells but the header has 9"
    assert sum(o.count for o in report.omitted) == 2400 - SHOWN_PROBLEMS


def test_a_row_with_an_extra_cell_after_a_blank_line_and_a_spanning_cell(store):
    data = (PLAN_HEADER + "\n" + row("2026-01", description='"a\nb"') + "\n\n"
            + row("2026-02") + ",a,b\n" + row("2026-03", "x") + "\n").encode()
    report = import_csv(store, "plan", data)
    assert messages(report) == [(4, "-", "this row has 11 cells but the header has 9"),
                                (5, "amount", "'x' is not a plain amount")]


# -- bytes that are not text --------------------------------------------------------------------

def test_a_nul_after_the_first_64_kib_refuses_the_file(store):
    rows = [row(f"2026-{m:02d}", region=f"Region {i}") for i in range(100) for m in range(1, 13)]
    bad = row("2026-01", region="EM\x00\x00\x00EA")
    data = plan(*rows, bad)
    assert data.index(b"\x00") > 65536
    report = import_csv(store, "plan", data)
    assert messages(report) == [(1202, "-", "this is not a CSV text file (it holds binary data)")]
    assert store.scalar("SELECT count(*) FROM plan_lines") == 0


@pytest.mark.parametrize("char", ["\x01", "\x07", "\x0b", "\x0c", "\x1b", "\x1f"])
def test_a_control_character_in_a_text_cell_is_named(store, char):
    report = import_csv(store, "plan", plan(row(), row("2026-02", category=f"Ev{char}ents")))
    [problem] = report.problems
    assert (problem.row, problem.column) == (3, "category")
    assert problem.message == (f"'Ev\\x{ord(char):02x}ents' holds a control character"
                               f" (U+{ord(char):04X})")


def test_tabs_and_line_breaks_in_a_text_cell_are_text(store):
    assert import_csv(store, "plan", plan(row(description='"a\tb\nc"'))).ok


def test_a_control_character_in_a_number_is_not_a_number(store):
    report = import_csv(store, "plan", plan(row(amount="1\x1b0")))
    assert [(p.column, p.message) for p in report.problems] == [
        ("amount", "'1\\x1b0' is not a plain amount")]


# -- values the store cannot hold -------------------------------------------------------------

@pytest.mark.parametrize("year", ["1899", "3000", "0000", "9999"])
def test_a_fiscal_year_the_store_cannot_hold_is_a_problem(store, year):
    data = plan(row(f"{year}-01", year=year))
    report = import_csv(store, "plan", data)
    assert [(p.row, p.column, p.value) for p in report.problems] == [(2, "fiscal_year", year)]
    assert report.problems[0].fix == "use a year from 1900 to 2999, e.g. 2026"


def test_a_target_year_the_store_cannot_hold_is_a_problem(store):
    report = import_csv(store, "targets", b"fiscal_year,kpi,period,target\n1899,revenue,1899,1\n")
    assert [(p.row, p.column) for p in report.problems] == [(2, "fiscal_year")]


BIG = "9999999999999999.00"


@pytest.mark.parametrize("kind,data", [
    ("plan", plan(row("2026-01", BIG), row("2026-02", BIG))),
    ("actuals", b"owner,category,funnel_stage,channel,region,month,amount\n"
                b"sales,a,awareness,b,c,2026-01,-9999999999999999.00\n"
                b"sales,a,awareness,b,c,2026-02,-9999999999999999.00\n"),
    ("outcomes", b"month,region,channel,sourced_by,leads,mqls,sqls,opportunities,wins,pipeline,"
                 b"revenue\n2026-01,a,b,sales,1,1,1,1,1,1,9999999999999999.00\n"
                 b"2026-02,a,b,sales,1,1,1,1,1,1,9999999999999999.00\n"),
])
def test_amounts_adding_up_past_what_the_store_holds_are_refused_before_writing(store, kind,
                                                                                 data):
    report = import_csv(store, kind, data, file_name="big.csv")
    [problem] = report.problems
    assert (problem.row, problem.column) == (3, KINDS[kind].control)
    assert "add up to" in problem.message and "more than a total can hold" in problem.message
    assert store.scalar(f"SELECT count(*) FROM {KINDS[kind].table}") == 0
    assert store.scalar("SELECT count(*) FROM imports") == 0


def test_an_upsert_past_the_total_is_refused_too(store):
    assert import_csv(store, "plan", plan(row("2026-01", BIG))).ok
    report = import_csv(store, "plan", plan(row("2026-01", BIG), row("2026-02", BIG)))
    assert not report.ok
    assert store.scalar("SELECT count(*) FROM plan_lines") == 1


def test_a_last_line_longer_than_duckdbs_default_is_read_and_named(store):
    data = plan(row()) + row("2026-02", description="x" * 3_000_000).encode()
    report = import_csv(store, "plan", data)
    [problem] = report.problems
    assert (problem.row, problem.column) == (3, "description")
    assert problem.message == "is 3000000 characters long, more than 200"
    assert len(problem.value) < VALUE_CHARS + 40


# -- bounded listings ---------------------------------------------------------------------------

def test_every_kind_of_problem_is_counted_and_the_listing_is_bounded(store):
    rows = [row(f"2026-{m:02d}", "x", region=f"R{i}", category="") for i in range(300)
            for m in range(1, 13)]
    report = import_csv(store, "plan", plan(*rows))
    assert report.problem_count == 2 * 3600
    assert len(report.problems) == SHOWN_PROBLEMS
    assert {(o.example.column, o.count) for o in report.omitted} == {
        ("category", 3600 - 500), ("amount", 3600 - 500)}


def test_a_long_cell_is_cut_in_every_problem(store):
    cell = "y" * 100_000
    report = import_csv(store, "plan", plan(row(amount=cell), row("2026-02") + "," + cell))
    for problem in report.problems:
        assert len(problem.value) < VALUE_CHARS + 40
        assert len(problem.message) < 2 * VALUE_CHARS + 100


# -- exports a spreadsheet opens safely ---------------------------------------------------------

@pytest.mark.parametrize("text", ["'=x", "''+y", "'z", "=SUM(A1)", "'", "-1", "\tx"])
def test_a_stored_text_round_trips_whatever_apostrophes_it_starts_with(store, tmp_path, text):
    assert import_csv(store, "plan", plan(row(description="d"))).ok
    store.write(lambda cur: cur.execute("UPDATE plan_lines SET description = ?", [text]))
    exported = export_csv(store, "plan")
    fresh = Store(tmp_path / "fresh.duckdb")
    assert import_csv(fresh, "plan", exported.encode()).ok
    assert lines(fresh)[0][2] == text
    assert export_csv(fresh, "plan") == exported
    fresh.close()


def test_the_audit_export_guards_cells_a_spreadsheet_would_run(store):
    store.write(lambda cur: audit.record(cur, "=HYPERLINK(\"http://x\")", "comment", "+entity",
                                         reason="@SUM(1)"))
    text = audit.export_csv(store)
    assert "'=HYPERLINK" in text and "'+entity" in text and "'@SUM(1)" in text
    import csv
    rows = list(csv.reader(io.StringIO(text)))
    assert all(not cell or cell[0] not in "=+-@\t\r" for r in rows for cell in r)


# -- rows placed as DuckDB reads them ------------------------------------------------------------

_DESCRIPTION = st.sampled_from(["", "x", '"a,b"', '"a\nb"', '"a\r\nb"', '"q""q"', ' "s" ',
                                '"open'])
_SHAPE = st.sampled_from(["ok", "blank", "short", "one more", "many more", "bad amount"])


@settings(max_examples=60, deadline=None)
@given(shapes=st.lists(st.tuples(_SHAPE, _DESCRIPTION), min_size=1, max_size=8),
       end=st.sampled_from(["\n", "\r\n", "\r"]))
def test_rows_are_placed_and_named_whatever_their_shape(shapes, end):
    """Blank lines, cells spanning lines, rows DuckDB skips: every row is where a spreadsheet
    shows it, and the importer never falls back to 'cannot be told apart'."""
    lines_, expected = [PLAN_HEADER], set()
    for i, (shape, description) in enumerate(shapes):
        number = len(lines_) + 1
        text = row(f"2026-{i % 12 + 1:02d}", region=f"R{i}", description=description)
        if shape == "blank":
            lines_.append("")
            continue
        if shape == "short":
            text = "2026,sales"
        elif shape == "one more":
            text += ",x"
        elif shape == "many more":
            text += ",x,y,z"
        elif shape == "bad amount":
            text = row(f"2026-{i % 12 + 1:02d}", "bad", region=f"R{i}", description=description)
        if shape != "ok":
            expected.add(number)
        lines_.append(text)
    data = end.join(lines_).encode() + end.encode()
    store = Store()
    report = import_csv(store, "plan", data)
    for problem in report.problems:
        assert "cannot be told apart" not in problem.message
        assert "cannot be read as CSV" not in problem.message
    if all(shape == "blank" for shape, _d in shapes):
        assert messages(report) == [(2, "-", "the file has a header but no rows")]
    elif not any('"open' == d for _s, d in shapes):
        if '"a' not in data.decode() and '"q' not in data.decode():
            # One line per row: each problem is on a row that was made wrong.
            assert {p.row for p in report.problems} <= expected | {1}
        assert report.ok == (not expected), messages(report)
    store.close()


# -- every input the fuzzer kept ------------------------------------------------------------------

def _kept() -> list[Path]:
    return sorted(FUZZ.glob("*.csv"))


@pytest.mark.parametrize("path", _kept(), ids=lambda p: p.name)
def test_a_kept_fuzz_input_gives_a_report(path):
    kind = path.name.split("-", 1)[0]
    store = Store()
    for commit in (False, True):
        start = time.monotonic()
        report = import_csv(store, kind, path.read_bytes(), file_name=path.name, commit=commit)
        assert time.monotonic() - start < 10
        assert report.ok or report.problems
        assert len(report.problems) <= SHOWN_PROBLEMS
        for problem in report.problems:
            assert problem.row >= 0 and problem.message and problem.fix
            assert "cannot be told apart" not in problem.message
            assert "cannot be read as CSV" not in problem.message
    store.close()
