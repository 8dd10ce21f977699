"""The `leads` kind: the hand-off from marketing to sales, one row per lead, upserted on lead_id.

Times are read in every form the contract names and stored in UTC, to the second:
  2026-03-02 09:15           -> 2026-03-02 09:15:00 (no offset: UTC)
  2026-03-02T09:15:30+02:00  -> 2026-03-02 07:15:30 (two hours east of UTC)
  2026-03-02T22:50:00-0530   -> 2026-03-03 04:20:00 (five and a half hours west, next day)
Each row checks the hand-off's order: mql_at >= created_at, first_touch_at >= mql_at,
sql_at >= mql_at; a lead touched or accepted names its rep.
"""
from __future__ import annotations

import io
import re
from datetime import datetime, timedelta

import duckdb
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planning.cli import main
from planning.errors import Refused
from planning.exports import export_csv
from planning.imports import import_csv
from planning.imports.kinds import KINDS, code_sql, convert, invalid
from planning.people import Person
from planning.store import Store

HEADER = "lead_id,created_at,region,channel,sourced_by,mql_at,rep,first_touch_at,sql_at"
COLUMNS = HEADER.split(",")
D = datetime


def lead(lead_id: str = "L-1", created: str = "2026-03-02 09:00", mql: str = "",
         rep: str = "", touch: str = "", sql: str = "", *, region: str = "EMEA",
         channel: str = "Webinars", source: str = "marketing") -> str:
    return ",".join([lead_id, created, region, channel, source, mql, rep, touch, sql])


def leads_file(*rows: str, header: str = HEADER, separator: str = ",") -> bytes:
    text = "\n".join([header, *rows]) + "\n"
    return text.replace(",", separator).encode("utf-8")


def stored(store: Store) -> list[tuple]:
    return store.query("SELECT lead_id, created_at, region, channel, sourced_by, mql_at, rep,"
                       " first_touch_at, sql_at FROM leads ORDER BY lead_id")


def problems(report) -> list[str]:
    return [str(p) for p in report.problems]


# -- times: every accepted form, stored in UTC ---------------------------------------------------

@pytest.mark.parametrize(("cell", "utc"), [
    ("2026-03-02 09:15", D(2026, 3, 2, 9, 15)),
    ("2026-03-02 09:15:30", D(2026, 3, 2, 9, 15, 30)),
    ("2026-03-02T09:15", D(2026, 3, 2, 9, 15)),
    ("2026-03-02T09:15:30", D(2026, 3, 2, 9, 15, 30)),
    ("2026-03-02T09:15:30Z", D(2026, 3, 2, 9, 15, 30)),
    ("2026-03-02T09:15:30.250Z", D(2026, 3, 2, 9, 15, 30)),  # kept to the second
    ("2026-03-02T09:15:30+02:00", D(2026, 3, 2, 7, 15, 30)),
    ("2026-03-02T09:15:30+0200", D(2026, 3, 2, 7, 15, 30)),
    ("2026-03-02T09:15:30+02", D(2026, 3, 2, 7, 15, 30)),
    ("2026-03-02 09:15+02:00", D(2026, 3, 2, 7, 15)),
    ("2026-03-02T22:50:00-0530", D(2026, 3, 3, 4, 20)),
    ("2026-03-02T00:30:00+01:00", D(2026, 3, 1, 23, 30)),  # the day before, in UTC
    ("2026-01-01T00:30:00+01:00", D(2025, 12, 31, 23, 30)),  # the year before
    ("2024-02-29 12:00", D(2024, 2, 29, 12, 0)),
])
def test_each_timestamp_form_is_stored_in_utc(store, cell, utc):
    report = import_csv(store, "leads", leads_file(lead(created=cell)), file_name="crm.csv")
    assert report.ok, problems(report)
    assert store.scalar("SELECT created_at FROM leads") == utc


def test_a_row_is_stored_trimmed_with_its_source_lower_case(store):
    row = lead(" L-7 ", " 2026-03-02 09:00 ", " 2026-03-02T12:00:00+01:00 ", " Ann Lee ",
               "2026-03-02 12:30", "2026-03-05 16:00", region=" EMEA ", channel="Paid search ",
               source=" Marketing ")
    report = import_csv(store, "leads", leads_file(row), file_name="crm.csv")
    assert report.ok, problems(report)
    assert (report.rows, report.added, report.updated, report.fiscal_years) == (1, 1, 0, (2026,))
    assert report.control_total is None and report.scenario is None
    assert stored(store) == [("L-7", D(2026, 3, 2, 9), "EMEA", "Paid search", "marketing",
                              D(2026, 3, 2, 11), "Ann Lee", D(2026, 3, 2, 12, 30),
                              D(2026, 3, 5, 16))]


def test_optional_columns_may_be_left_out_of_the_header(store):
    data = (b"Lead_ID,CREATED_AT,region,channel,sourced_by\n"
            b"L-1,2026-03-02 09:00,EMEA,Webinars,joint\n")
    report = import_csv(store, "leads", data, file_name="crm.csv")
    assert report.ok, problems(report)
    assert stored(store) == [("L-1", D(2026, 3, 2, 9), "EMEA", "Webinars", "joint", None, None,
                              None, None)]


def test_a_lead_becomes_an_mql_at_the_instant_it_is_created(store):
    # Equal times are in order (>=); an offset makes two cells written differently equal.
    row = lead(created="2026-03-02 09:00", mql="2026-03-02T10:00:00+01:00", rep="Ann",
               touch="2026-03-02 09:00", sql="2026-03-02T09:00:00Z")
    assert import_csv(store, "leads", leads_file(row)).ok


def test_a_lead_sourced_by_sales_needs_no_mql(store):
    # first_touch_at and sql_at are compared with mql_at only when the lead has one.
    row = lead(created="2026-03-02 09:00", rep="Sam", touch="2026-03-02 08:00",
               sql="2026-03-03 09:00", source="sales")
    report = import_csv(store, "leads", leads_file(row))
    assert report.ok, problems(report)
    assert stored(store)[0][5:] == (None, "Sam", D(2026, 3, 2, 8), D(2026, 3, 3, 9))


# -- cells that are not times --------------------------------------------------------------------

def test_every_bad_time_is_named_at_once_with_its_fix_and_nothing_is_written(store, snapshot):
    before = snapshot(store)
    data = leads_file(
        lead("L-1", "2026-03-02"),                    # no time of day
        lead("L-2", "02/03/2026 09:00"),               # another form
        lead("L-3", "2026-02-30 09:00"),               # no such day
        lead("L-4", "2026-03-02 24:00"),               # no such hour
        lead("L-5", "2026-03-02T09:00+15:00"),         # no such offset
        lead("L-6", "1899-12-31 23:00"),               # a year the store does not hold
        lead("L-7", "2026-03-02 09:00", mql="2026-3-2 10:00"),
        lead("L-8", "2026-03-02t09:00"),               # ISO's T is upper case
    )
    report = import_csv(store, "leads", data, file_name="crm.csv")
    form = ("write YYYY-MM-DD HH:MM or YYYY-MM-DD HH:MM:SS (read as UTC), or ISO 8601 with a T"
            " and an offset, e.g. 2026-03-02T09:30:00+01:00")
    assert problems(report) == [
        f"crm.csv:2:created_at: '2026-03-02' is not a time in an accepted form; {form}",
        f"crm.csv:3:created_at: '02/03/2026 09:00' is not a time in an accepted form; {form}",
        "crm.csv:4:created_at: '2026-02-30 09:00' is not a day of the calendar; check the day"
        " of the month (e.g. 2026-02-29 does not exist)",
        f"crm.csv:5:created_at: '2026-03-02 24:00' is not a time in an accepted form; {form}",
        "crm.csv:6:created_at: '2026-03-02T09:00+15:00' has an offset from UTC of more than 14"
        " hours (or more than 59 minutes); write the offset as +HH:MM or -HH:MM, e.g. +01:00, or"
        " Z for UTC",
        "crm.csv:7:created_at: '1899-12-31 23:00' is in a year the store does not hold; use a"
        " year from 1900 to 2999, e.g. 2026",
        f"crm.csv:8:mql_at: '2026-3-2 10:00' is not a time in an accepted form; {form}",
        f"crm.csv:9:created_at: '2026-03-02t09:00' is not a time in an accepted form; {form}",
    ]
    assert report.problem_count == 8 and not report.committed
    assert snapshot(store) == before


def test_an_offset_of_more_than_59_minutes_is_refused(store):
    report = import_csv(store, "leads", leads_file(lead(created="2026-03-02T09:00+02:75")))
    assert [(p.row, p.column, p.value) for p in report.problems] == [
        (2, "created_at", "2026-03-02T09:00+02:75")]


def test_required_cells_and_enumerations(store):
    data = leads_file(lead("", "", region="", channel="", source="partner"),
                      lead("L-2", rep="R" * 101, region="x" * 61))
    report = import_csv(store, "leads", data, file_name="crm.csv")
    assert [(p.row, p.column, p.message) for p in report.problems] == [
        (2, "lead_id", "is empty"), (2, "created_at", "is empty"), (2, "region", "is empty"),
        (2, "channel", "is empty"),
        (2, "sourced_by", "'partner' is not one of the accepted values"),
        (3, "region", "is 61 characters long, more than 60"),
        (3, "rep", "is 101 characters long, more than 100")]
    assert report.problems[4].fix == "use one of sales, marketing, joint"
    assert report.problems[0].fix == "fill in lead_id: text of 1 to 100 characters"


def test_a_missing_required_column_is_named(store):
    data = b"lead_id,region,channel,sourced_by\nL-1,EMEA,Webinars,marketing\n"
    report = import_csv(store, "leads", data, file_name="crm.csv")
    assert problems(report) == ["crm.csv:1:created_at: the required column 'created_at' is"
                                " missing; add a created_at column to the header"]


# -- the hand-off's order and the rep ------------------------------------------------------------

def test_every_rule_of_the_hand_off_is_checked_at_once_with_row_numbers(store, snapshot):
    before = snapshot(store)
    data = leads_file(
        lead("L-1", "2026-03-02 09:00", "2026-03-02 10:00", "Ann", "2026-03-02 11:00"),  # good
        lead("L-2", "2026-03-02 09:00", "2026-03-02T09:30:00+01:00"),  # MQL 08:30 UTC
        lead("L-3", "2026-03-02 09:00", "2026-03-02 10:00", "Ann", "2026-03-02 09:59:59"),
        lead("L-4", "2026-03-02 09:00", "2026-03-02 10:00", "Ann", "", "2026-03-01 10:00"),
        lead("L-5", "2026-03-02 09:00", "2026-03-02 10:00", "", "2026-03-02 11:00"),
        lead("L-6", "2026-03-02 09:00", "2026-03-02 10:00", "", "", "2026-03-03 10:00"),
    )
    report = import_csv(store, "leads", data, file_name="crm.csv")
    order = ("a lead is created, then handed over as an MQL, then touched or accepted by sales")
    assert problems(report) == [
        "crm.csv:3:mql_at: mql_at 2026-03-02 08:30:00 is earlier than created_at 2026-03-02"
        f" 09:00:00 (both in UTC); correct mql_at or created_at: {order}",
        "crm.csv:4:first_touch_at: first_touch_at 2026-03-02 09:59:59 is earlier than mql_at"
        f" 2026-03-02 10:00:00 (both in UTC); correct first_touch_at or mql_at: {order}",
        "crm.csv:5:sql_at: sql_at 2026-03-01 10:00:00 is earlier than mql_at 2026-03-02"
        f" 10:00:00 (both in UTC); correct sql_at or mql_at: {order}",
        "crm.csv:6:rep: rep is empty, but the lead has a first_touch_at; name the salesperson"
        " the lead was routed to (1 to 100 characters)",
        "crm.csv:7:rep: rep is empty, but the lead has a sql_at; name the salesperson the lead"
        " was routed to (1 to 100 characters)",
    ]
    assert snapshot(store) == before


def test_two_rows_of_one_lead_name_both_rows(store):
    data = leads_file(lead("L-1"), lead("L-2"), lead("L-1", "2026-03-03 09:00"))
    report = import_csv(store, "leads", data, file_name="crm.csv")
    assert problems(report) == [
        "crm.csv:4:lead_id: this row has the same key as row 2 (L-1); keep one of the two rows,"
        " or merge their amounts into one"]


# -- upsert: a CRM export of the same leads, again -----------------------------------------------

WEEK_ONE = leads_file(
    lead("L-1", "2026-03-02 09:00", "2026-03-02 10:00", "Ann", "2026-03-02 11:00"),
    lead("L-2", "2026-03-02 09:30"),
    lead("L-3", "2026-03-03 14:00", "2026-03-04 08:00", "Bo"),
)
WEEK_TWO = leads_file(  # L-2 became an MQL, L-3 was touched and accepted; L-4 is new
    lead("L-1", "2026-03-02 09:00", "2026-03-02 10:00", "Ann", "2026-03-02 11:00"),
    lead("L-2", "2026-03-02 09:30", "2026-03-06 10:00", "Cy"),
    lead("L-3", "2026-03-03 14:00", "2026-03-04 08:00", "Bo", "2026-03-04T10:00:00+01:00",
         "2026-03-09 15:00"),
    lead("L-4", "2026-03-09 08:00"),
)


def test_importing_the_same_file_twice_is_importing_it_once(store, snapshot):
    assert import_csv(store, "leads", WEEK_ONE).added == 3
    before = snapshot(store, logs=False)
    again = import_csv(store, "leads", WEEK_ONE)
    assert (again.rows, again.added, again.updated, again.unchanged) == (3, 0, 0, 3)
    assert snapshot(store, logs=False) == before


def test_a_later_export_of_the_crm_updates_the_leads_it_sent_before(store):
    first = import_csv(store, "leads", WEEK_ONE, file_name="week-1.csv")
    report = import_csv(store, "leads", WEEK_TWO, file_name="week-2.csv")
    assert (report.rows, report.added, report.updated, report.unchanged) == (4, 1, 2, 1)
    assert [(c.key, c.values) for c in report.changes] == [
        ((("lead_id", "L-2"),), (("mql_at", None, D(2026, 3, 6, 10)), ("rep", None, "Cy"))),
        ((("lead_id", "L-3"),), (("first_touch_at", None, D(2026, 3, 4, 9)),
                                 ("sql_at", None, D(2026, 3, 9, 15))))]
    assert stored(store)[1:3] == [
        ("L-2", D(2026, 3, 2, 9, 30), "EMEA", "Webinars", "marketing", D(2026, 3, 6, 10), "Cy",
         None, None),
        ("L-3", D(2026, 3, 3, 14), "EMEA", "Webinars", "marketing", D(2026, 3, 4, 8), "Bo",
         D(2026, 3, 4, 9), D(2026, 3, 9, 15))]
    # Each lead remembers the import that last changed it (an unchanged one keeps its own).
    ids = dict(store.query("SELECT file_name, id FROM imports"))
    assert dict(store.query("SELECT lead_id, import_id FROM leads")) == {
        "L-1": ids["week-1.csv"], "L-2": ids["week-2.csv"], "L-3": ids["week-2.csv"],
        "L-4": ids["week-2.csv"]}
    assert first.committed and report.committed


def test_a_dry_run_counts_and_writes_nothing(store, snapshot):
    import_csv(store, "leads", WEEK_ONE)
    before = snapshot(store)
    report = import_csv(store, "leads", WEEK_TWO, commit=False)
    assert (report.added, report.updated, report.committed) == (1, 2, False)
    assert snapshot(store) == before


def test_a_refused_file_leaves_the_stored_leads_as_they_were(store, snapshot):
    import_csv(store, "leads", WEEK_ONE)
    before = snapshot(store)
    bad = WEEK_TWO.replace(b"2026-03-09 08:00", b"2026-03-09 8:00")
    report = import_csv(store, "leads", bad, file_name="week-2.csv")
    assert [(p.row, p.column) for p in report.problems] == [(5, "created_at")]
    assert snapshot(store) == before


# -- export: the form the importer reads ---------------------------------------------------------

def test_export_writes_utc_times_to_the_second_and_reads_back_unchanged(store, new_store):
    import_csv(store, "leads", WEEK_TWO)
    text = export_csv(store, "leads")
    assert text.splitlines() == [
        HEADER,
        "L-1,2026-03-02 09:00:00,EMEA,Webinars,marketing,2026-03-02 10:00:00,Ann,"
        "2026-03-02 11:00:00,",
        "L-2,2026-03-02 09:30:00,EMEA,Webinars,marketing,2026-03-06 10:00:00,Cy,,",
        "L-3,2026-03-03 14:00:00,EMEA,Webinars,marketing,2026-03-04 08:00:00,Bo,"
        "2026-03-04 09:00:00,2026-03-09 15:00:00",
        "L-4,2026-03-09 08:00:00,EMEA,Webinars,marketing,,,,"]
    again = import_csv(store, "leads", text.encode())
    assert (again.added, again.updated, again.unchanged) == (0, 0, 4)
    fresh = new_store()
    assert import_csv(fresh, "leads", text.encode()).added == 4
    assert export_csv(fresh, "leads") == text


def test_export_of_a_year_takes_the_leads_created_or_qualified_in_it(store):
    data = leads_file(
        lead("L-1", "2025-12-30 09:00", "2026-01-02 10:00", "Ann"),  # created 2025, MQL 2026
        lead("L-2", "2025-12-30 09:00", "2025-12-31 10:00", "Ann"),  # all 2025
        lead("L-3", "2026-06-01T00:30:00+02:00"),  # 2026 written, 2026-05-31 22:30 UTC
    )
    assert import_csv(store, "leads", data).fiscal_years == (2025, 2026)
    ids = {year: [line.split(",")[0] for line in export_csv(store, "leads", year=year)
                  .splitlines()[1:]] for year in (2025, 2026, 2027)}
    assert ids == {2025: ["L-1", "L-2"], 2026: ["L-1", "L-3"], 2027: []}


def test_a_text_cell_a_spreadsheet_would_run_is_guarded_and_reads_back(store):
    import_csv(store, "leads", leads_file(lead("=HYPERLINK(1)", rep="", channel="+Events")))
    text = export_csv(store, "leads")
    assert text.splitlines()[1].startswith("'=HYPERLINK(1),2026-03-02 09:00:00,EMEA,'+Events,")
    assert import_csv(store, "leads", text.encode()).unchanged == 1


# -- the forms a spreadsheet saves ---------------------------------------------------------------

@pytest.mark.parametrize("separator", [";", "\t"])
def test_semicolon_and_tab_files_are_read(store, separator):
    data = leads_file(lead("L-1", "2026-03-02T09:00:00+01:00", "2026-03-02 10:00", "Ann"),
                      separator=separator)
    report = import_csv(store, "leads", data, file_name="crm.csv")
    assert report.ok, problems(report)
    assert stored(store) == [("L-1", D(2026, 3, 2, 8), "EMEA", "Webinars", "marketing",
                              D(2026, 3, 2, 10), "Ann", None, None)]


def test_a_workbook_with_date_cells_is_read_and_its_problems_name_the_sheet(store):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Leads"
    sheet.append(COLUMNS)
    sheet.append(["L-1", D(2026, 3, 2, 9, 15), "EMEA", "Webinars", "Marketing",
                  D(2026, 3, 2, 10, 0, 30), "Ann", "2026-03-02T12:00:00+01:00", None])
    sheet.append(["L-2", D(2026, 3, 2, 9, 15), "EMEA", "Webinars", "marketing",
                  D(2026, 3, 2, 8, 0), None, None, None])
    out = io.BytesIO()
    book.save(out)
    report = import_csv(store, "leads", out.getvalue(), file_name="crm.xlsx")
    assert problems(report) == [
        "crm.xlsx[Leads]:3:mql_at: mql_at 2026-03-02 08:00:00 is earlier than created_at"
        " 2026-03-02 09:15:00 (both in UTC); correct mql_at or created_at: a lead is created,"
        " then handed over as an MQL, then touched or accepted by sales"]
    sheet.delete_rows(3)
    out = io.BytesIO()
    book.save(out)
    report = import_csv(store, "leads", out.getvalue(), file_name="crm.xlsx")
    assert report.ok, problems(report)
    assert stored(store) == [("L-1", D(2026, 3, 2, 9, 15), "EMEA", "Webinars", "marketing",
                              D(2026, 3, 2, 10, 0, 30), "Ann", D(2026, 3, 2, 11), None)]


def test_the_template_adds_rows_and_changes_none_of_the_demo_firm(demo):
    from planning.demo import DEMO_DIR

    path = DEMO_DIR.parent / "templates" / "leads.csv"
    report = import_csv(demo.store, "leads", path, commit=False)
    assert report.ok, problems(report)
    assert (report.added, report.updated) == (2, 0)


# -- who imports, and the command ----------------------------------------------------------------

@pytest.mark.parametrize("role", ["viewer", "executive"])
def test_only_planners_and_heads_import_leads(store, snapshot, role):
    before = snapshot(store)
    with pytest.raises(Refused, match=f"^Val \\({role}\\) may not import plans, actuals,"
                                      " outcomes, leads or survey answers; that is for:"):
        import_csv(store, "leads", WEEK_ONE, actor=Person("Val", role))
    assert snapshot(store) == before
    assert import_csv(store, "leads", WEEK_ONE, actor=Person("Pat", "planner")).added == 3


def test_the_command_imports_exports_and_refuses_leads(tmp_path, capsys):
    db = str(tmp_path / "cli.duckdb")
    assert main(["--db", db, "init"]) == 0
    good, bad = tmp_path / "leads.csv", tmp_path / "bad-leads.csv"
    good.write_bytes(WEEK_ONE)
    bad.write_bytes(leads_file(lead("L-9", "2026-03-02 09:00", "2026-03-01 09:00")))
    capsys.readouterr()
    assert main(["--db", db, "import", "leads", str(good)]) == 0
    assert capsys.readouterr().out.strip() == (
        "leads.csv: imported 3 rows of leads; 3 added, 0 updated, 0 unchanged")
    assert main(["--db", db, "import", "leads", str(bad)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "bad-leads.csv:2:mql_at: mql_at 2026-03-01 09:00:00 is earlier than created_at"
        " 2026-03-02 09:00:00 (both in UTC); correct mql_at or created_at: a lead is created,"
        " then handed over as an MQL, then touched or accepted by sales",
        "bad-leads.csv: refused, 1 problem(s); nothing was written"]
    out = tmp_path / "out.csv"
    assert main(["--db", db, "export", "leads", "--year", "2026", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8").splitlines()[0] == HEADER
    assert len(out.read_text(encoding="utf-8").splitlines()) == 4


# -- the fast check and the conversion against a reference, cell by cell -------------------------
TIME_CELLS = st.one_of(
    st.from_regex(r"(18|19|20|29|30)[0-9]{2}-(0[0-9]|1[0-3])-([0-3][0-9])[T ]([0-2][0-9]):"
                  r"[0-6][0-9](:[0-6][0-9](\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?",
                  fullmatch=True),
    st.sampled_from(["2026-02-29 10:00", "2028-02-29 10:00", "2026-04-31T00:00Z",
                     "2026-03-02T09:00+14:00", "2026-03-02T09:00-14:01", "2026-03-02 09:00 ",
                     "2026-03-02", "2026-03-02T09:00:00.5+01", "1900-01-01 00:00+01:00"]),
)
REFERENCE = re.compile(r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d)(?:\.\d{1,9})?)?"
                       r"(Z|([+-])(\d\d)(?::?(\d\d))?)?")


def reference(cell: str) -> datetime | None:
    """The contract's reading of a time, written out in Python: None when it is refused."""
    found = REFERENCE.fullmatch(cell)
    if not found:
        return None
    year, month, day, hour, minute, second, zone, sign, oh, om = found.groups()
    if not 1900 <= int(year) <= 2999 or int(hour) > 23 or int(minute) > 59 \
            or int(second or 0) > 59:
        return None
    try:
        local = datetime(int(year), int(month), int(day), int(hour), int(minute),
                         int(second or 0))
    except ValueError:
        return None
    if zone in (None, "Z"):
        return local
    if int(oh) * 60 + int(om or 0) > 14 * 60 or int(om or 0) > 59:
        return None
    offset = timedelta(hours=int(oh), minutes=int(om or 0))
    return local - offset if sign == "+" else local + offset


@settings(max_examples=200, deadline=None)
@given(cells=st.lists(TIME_CELLS, min_size=1, max_size=30))
def test_a_time_is_accepted_and_converted_as_the_reference_reads_it(cells):
    con = duckdb.connect()
    col = KINDS["leads"].column("created_at")
    rows = con.execute(f"SELECT ({invalid(col)}), ({code_sql(col)}), ({convert(col)})"
                       " FROM (SELECT unnest(?) AS created_at)", [cells]).fetchall()
    for cell, (bad, code, value) in zip(cells, rows, strict=True):
        expected = reference(cell)
        assert bool(bad) == (code is not None) == (expected is None), (cell, code)
        if expected is not None:
            assert value == expected, cell
