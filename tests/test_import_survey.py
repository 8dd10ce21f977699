"""The `survey` kind: each respondent's rating (1 to 5) of the 20 statements, once per fiscal
quarter, upserted on (respondent, period, item). A respondent answers a quarter for one
department, sales or marketing."""
from __future__ import annotations

import io

import openpyxl
import pytest

from planning.cli import main
from planning.exports import export_csv
from planning.imports import import_csv
from planning.store import Store

HEADER = "respondent,department,period,item,score"


def answers(*rows: str, header: str = HEADER, separator: str = ",") -> bytes:
    return ("\n".join([header, *rows]) + "\n").replace(",", separator).encode("utf-8")


def quarter(respondent: str, department: str, period: str, scores: list[int]) -> list[str]:
    """A respondent's rows for a quarter: item 1 rated scores[0], item 2 scores[1], ..."""
    return [f"{respondent},{department},{period},{item},{score}"
            for item, score in enumerate(scores, start=1)]


def stored(store: Store) -> list[tuple]:
    return store.query("SELECT respondent, department, period, item, score FROM survey_answers"
                       " ORDER BY respondent, period, item")


def problems(report) -> list[str]:
    return [str(p) for p in report.problems]


def test_answers_are_stored_with_department_lower_and_quarter_upper_case(store):
    data = answers(" S01 , Sales ,2026-q2, 1 ,3", "S01,SALES,2026-Q2,20,5",
                   "M01,marketing, 2026-Q3 ,7,1")
    report = import_csv(store, "survey", data, file_name="survey.csv")
    assert report.ok, problems(report)
    assert (report.rows, report.added, report.fiscal_years, report.control_total) == (
        3, 3, (2026,), None)
    assert stored(store) == [("M01", "marketing", "2026-Q3", 7, 1),
                             ("S01", "sales", "2026-Q2", 1, 3), ("S01", "sales", "2026-Q2", 20, 5)]
    # The time an answer was given is the time it was imported.
    assert store.scalar("SELECT count(*) FROM survey_answers WHERE answered_at IS NULL") == 0


def test_every_bad_cell_is_named_at_once_and_nothing_is_written(store, snapshot):
    before = snapshot(store)
    data = answers("S01,neutral,2026-Q2,1,3",   # only the two departments answer a file
                   "S02,sales,2026-Q5,0,6",
                   "S03,sales,2026-3,21,-1",
                   "S04,sales,26-Q1,1.5,three",
                   ",sales,2026-Q1,2,",
                   f"{'x' * 101},sales,2026-Q1,3,4")
    report = import_csv(store, "survey", data, file_name="survey.csv")
    assert [(p.row, p.column, p.value, p.message) for p in report.problems] == [
        (2, "department", "neutral", "'neutral' is not one of the accepted values"),
        (3, "period", "2026-Q5", "'2026-Q5' is not a fiscal quarter"),
        (3, "item", "0", "'0' is not a whole number from 1 to 20"),
        (3, "score", "6", "'6' is not a whole number from 1 to 5"),
        (4, "period", "2026-3", "'2026-3' is not a fiscal quarter"),
        (4, "item", "21", "'21' is not a whole number from 1 to 20"),
        (4, "score", "-1", "'-1' is not a whole number from 1 to 5"),
        (5, "period", "26-Q1", "'26-Q1' is not a fiscal quarter"),
        (5, "item", "1.5", "'1.5' is not a whole number from 1 to 20"),
        (5, "score", "three", "'three' is not a whole number from 1 to 5"),
        (6, "respondent", None, "is empty"),
        (6, "score", None, "is empty"),
        (7, "respondent", "x" * 101, "is 101 characters long, more than 100")]
    fixes = {p.column: p.fix for p in report.problems}
    assert fixes["department"] == "use one of sales, marketing"
    assert fixes["period"] == "write the quarter as YYYY-Qn with n from 1 to 4, e.g. 2026-Q3"
    assert fixes["item"] == "use a whole number from 1 to 20"
    assert fixes["score"] == "fill in score: a whole number from 1 to 5"
    assert snapshot(store) == before


def test_a_respondent_answers_a_quarter_for_one_department(store):
    data = answers("S01,sales,2026-Q2,1,3", "S01,sales,2026-Q2,2,3",
                   "S01,marketing,2026-Q2,3,4",  # the same quarter: refused
                   "S01,marketing,2026-Q3,1,4")  # another quarter: another department is fine
    report = import_csv(store, "survey", data, file_name="survey.csv")
    assert problems(report) == [
        "survey.csv:4:department: department marketing differs from row 2, for the same"
        " respondent and quarter; a respondent answers a quarter for one department: give all of"
        " their rows of that quarter the same department"]
    assert stored(store) == []


def test_answers_stored_for_other_items_keep_the_respondents_department(store):
    assert import_csv(store, "survey", answers(*quarter("S01", "sales", "2026-Q2",
                                                        [3] * 20))).added == 20
    # One item again, as marketing: the other 19 would stay sales.
    report = import_csv(store, "survey", answers("S01,marketing,2026-Q2,5,4"), file_name="fix.csv")
    assert problems(report) == [
        "fix.csv:2:department: department marketing differs from the answers stored: S01"
        " answered 2026-Q2 as sales in 19 item(s) this file leaves as they are; use the"
        " department stored, or include all 20 items of this respondent's quarter with the new"
        " one"]
    # All 20 items again with the new department: a correction of the whole quarter.
    report = import_csv(store, "survey", answers(*quarter("S01", "marketing", "2026-Q2",
                                                          [3] * 20)))
    assert (report.added, report.updated, report.unchanged) == (0, 20, 0)
    assert {r[1] for r in stored(store)} == {"marketing"}


def test_a_second_file_updates_the_scores_it_repeats(store, snapshot):
    first = quarter("S01", "sales", "2026-Q2", [3, 2, 4])
    assert import_csv(store, "survey", answers(*first)).added == 3
    before = snapshot(store, logs=False)
    again = import_csv(store, "survey", answers(*first))
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    assert snapshot(store, logs=False) == before
    report = import_csv(store, "survey", answers("S01,sales,2026-Q2,2,5", "S01,sales,2026-Q2,4,1"))
    assert (report.added, report.updated, report.unchanged) == (1, 1, 0)
    assert [(c.key, c.values) for c in report.changes] == [
        ((("respondent", "S01"), ("period", "2026-Q2"), ("item", 2)), (("score", 2, 5),))]
    assert [r[3:] for r in stored(store)] == [(1, 3), (2, 5), (3, 4), (4, 1)]


def test_two_rows_of_one_answer_name_both_rows(store):
    report = import_csv(store, "survey", answers("S01,sales,2026-Q2,1,3", "S01,sales,2026-Q2,1,4"),
                        file_name="survey.csv")
    assert problems(report) == [
        "survey.csv:3:respondent/period/item: this row has the same key as row 2"
        " (S01 / 2026-Q2 / 1); keep one of the two rows, or merge their amounts into one"]


def test_export_holds_the_two_departments_answers_and_reads_back_unchanged(store, new_store):
    import_csv(store, "survey", answers("S01,sales,2026-Q2,1,3", "M01,marketing,2026-Q2,1,5",
                                        "S01,sales,2027-Q1,1,4"))
    # An answer given in the app by someone of neither department is not a file's to hold.
    store.write(lambda cur: cur.execute(
        "INSERT INTO survey_answers (respondent, department, period, item, score)"
        " VALUES ('Erin Executive', 'neutral', '2026-Q2', 1, 4)"))
    text = export_csv(store, "survey")
    assert text.splitlines() == [HEADER, "M01,marketing,2026-Q2,1,5", "S01,sales,2026-Q2,1,3",
                                 "S01,sales,2027-Q1,1,4"]
    assert export_csv(store, "survey", year=2026).splitlines()[1:] == [
        "M01,marketing,2026-Q2,1,5", "S01,sales,2026-Q2,1,3"]
    again = import_csv(store, "survey", text.encode())
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    assert store.scalar("SELECT count(*) FROM survey_answers") == 4
    fresh = new_store()
    assert import_csv(fresh, "survey", text.encode()).added == 3
    assert export_csv(fresh, "survey") == text


@pytest.mark.parametrize("separator", [";", "\t"])
def test_semicolon_and_tab_files_are_read(store, separator):
    report = import_csv(store, "survey", answers("S01,sales,2026-Q2,1,3", separator=separator))
    assert report.ok, problems(report)
    assert stored(store) == [("S01", "sales", "2026-Q2", 1, 3)]


def test_a_workbook_with_number_cells_is_read(store):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Survey"
    sheet.append(HEADER.split(","))
    sheet.append(["S01", "Sales", "2026-Q2", 1, 3])
    sheet.append(["S01", "Sales", "2026-Q2", 2, 3.5])
    out = io.BytesIO()
    book.save(out)
    report = import_csv(store, "survey", out.getvalue(), file_name="survey.xlsx")
    assert problems(report) == [
        "survey.xlsx[Survey]:3:score: '3.5' is not a whole number from 1 to 5; use a whole number"
        " from 1 to 5"]
    sheet.delete_rows(3)
    out = io.BytesIO()
    book.save(out)
    assert import_csv(store, "survey", out.getvalue(), file_name="survey.xlsx").ok
    assert stored(store) == [("S01", "sales", "2026-Q2", 1, 3)]


def test_the_template_adds_rows_and_changes_none_of_the_demo_firm(demo):
    from planning.demo import DEMO_DIR

    path = DEMO_DIR.parent / "templates" / "survey.csv"
    report = import_csv(demo.store, "survey", path, commit=False)
    assert report.ok, problems(report)
    assert (report.added, report.updated) == (2, 0)


def test_the_command_imports_and_exports_a_survey(tmp_path, capsys):
    db = str(tmp_path / "cli.duckdb")
    assert main(["--db", db, "init"]) == 0
    path = tmp_path / "survey.csv"
    path.write_bytes(answers(*quarter("M01", "marketing", "2026-Q3", [4, 5])))
    capsys.readouterr()
    assert main(["--db", db, "import", "survey", str(path)]) == 0
    assert capsys.readouterr().out.strip() == (
        "survey.csv: imported 2 rows of survey; 2 added, 0 updated, 0 unchanged")
    assert main(["--db", db, "export", "survey"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        HEADER, "M01,marketing,2026-Q3,1,4", "M01,marketing,2026-Q3,2,5"]
