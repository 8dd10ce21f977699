"""One rule per kind of number, the same in text and in tables, on every page."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pyarrow as pa
import pytest

from dashboard.ui import format as fmt
from tests.app.conftest import assert_numeric, column_formats, open_page, table

BAD_PLAN = (b"fiscal_year,owner,category,funnel_stage,channel,region,month,amount,description\n"
            b"2026,sales,Headcount,purchase,Field sales,EMEA,2026-01,\xc2\xa31200,x\n")
GOOD_PLAN = (b"fiscal_year,owner,category,funnel_stage,channel,region,month,amount,description\n"
             b"2026,sales,Formats,purchase,Field sales,EMEA,2026-01,1299.50,x\n")


def test_each_kind_of_number_has_one_rule():
    assert fmt.format_money(Decimal("25544.00"), "USD") == "$25,544.00"
    assert fmt.format_money(Decimal("-1200"), "EUR") == "-€1,200.00"
    assert fmt.tile_money(Decimal("21220000"), "USD") == "$21.22M"
    assert fmt.tile_money(Decimal("22320000"), "USD") == "$22.32M"  # a target reads the same
    assert fmt.tile_money(Decimal("845000"), "USD") == "$845,000"
    assert fmt.count(3264) == "3,264"
    assert fmt.share(Decimal("0.9531")) == "95.3%"
    assert fmt.percent(Decimal("1"), Decimal("4")) == "25.0%"
    assert fmt.percent(Decimal("1"), Decimal("0")) == "n/a"
    assert fmt.points(Decimal("0.012")) == "+1.2 pts"
    assert fmt.ratio(Decimal("3.675")) == "3.68×"
    assert fmt.month(date(2026, 1, 1)) == "Jan 2026"
    assert fmt.day(date(2026, 11, 29)) == "2026-11-29"
    assert fmt.state("signed_off") == "Signed off" and fmt.state("draft") == "Draft"


@pytest.mark.parametrize(("currency", "cents", "expected"), [
    ("USD", True, "dollar"), ("EUR", True, "euro"), ("USD", False, "dollar"),
    ("GBP", True, "£%,.2f"), ("GBP", False, "£%,.0f"), ("SEK", True, "SEK %,.2f")])
def test_table_money_follows_the_store_currency(currency, cents, expected):
    assert fmt.table_money_format(currency, cents=cents) == expected


def test_a_table_holds_numbers_and_keeps_none_empty():
    frame = fmt.frame([{"Amount": Decimal("1071228.26"), "Wins": 3, "Rate": Decimal("0.25")},
                       {"Amount": Decimal("199485.70"), "Wins": None, "Rate": None}],
                      {"Amount": "money", "Wins": "count", "Rate": "percent"})
    assert sorted(frame["Amount"].to_pylist()) == [199485.70, 1071228.26]  # numbers, not text
    assert frame["Wins"].type == pa.int64() and frame["Wins"].to_pylist() == [3, None]
    assert frame["Rate"].to_pylist()[0] == 25.0
    assert fmt.frame([{"Share": Decimal("0.5"), "Count": Decimal("2.5")}],
                     {"Share": "percent", "Count": "count"})["Count"].type == pa.float64()


def test_import_tables_keep_numbers_and_wrap_long_fixes(app, store_file):
    at = open_page(app, "import_data.py")
    at.selectbox(key="scenario").select("A new scenario…").run()
    at.text_input(key="new_scenario").input("Formats trial").run()
    at.file_uploader(key="upload_0").upload("bad.csv", BAD_PLAN, "text/csv")
    at.run()
    assert not at.exception
    problems = table(at, "Row", "Fix")
    assert problems.proto.row_height > 64  # Streamlit wraps text in rows taller than 4rem
    at.file_uploader(key="upload_0").upload("good.csv", GOOD_PLAN, "text/csv")
    at.run()
    at.button(key="commit").click().run()
    assert not at.exception
    recent = table(at, "When", "Kind", "File", "Control total")
    assert_numeric(recent, "Rows", "Added", "Updated", "Control total")
    assert column_formats(recent)["Control total"] == "dollar"
    assert column_formats(recent)["When"] == "YYYY-MM-DD HH:mm"
