"""`tandem import` of a file with more problems than it lists: each kind's count is printed."""
from __future__ import annotations

from pathlib import Path

from planning.cli import main
from planning.imports.problems import SHOWN_PROBLEMS

HEADER = "fiscal_year,owner,category,funnel_stage,channel,region,month,amount,description"


def test_each_kind_of_problem_not_listed_is_counted_on_stderr(tmp_path: Path, capsys):
    db = tmp_path / "cli.duckdb"
    assert main(["--db", str(db), "init"]) == 0
    rows = [f"2026,sales,Events,awareness,Field,R{i},2026-01,{i}x,"
            f"\n2026,salse,Events,awareness,Field,R{i},2026-02,1.00," for i in range(700)]
    path = tmp_path / "plan.csv"
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["--db", str(db), "import", "plan", str(path)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == "plan.csv: refused, 1400 problem(s); nothing was written"
    listed, more = err[:SHOWN_PROBLEMS], err[SHOWN_PROBLEMS:-1]
    assert all(line.startswith("plan.csv:") for line in listed)
    # 500 of each kind are listed (rows 2 to 1001); the rest are counted, kind by kind.
    assert more == [
        "plan.csv:2:amount: and 200 more problem(s) like this one, up to row 1,400 ('0x' is not a"
        " plain amount); write digits with '.' before the cents and no currency sign or"
        " thousands separator, e.g. 1234.50",
        "plan.csv:3:owner: and 200 more problem(s) like this one, up to row 1,401 ('salse' is not"
        " one of the accepted values); use one of sales, marketing, joint",
    ]


def test_a_workbook_is_imported_by_the_command_and_its_problems_name_the_sheet(tmp_path, capsys):
    import openpyxl

    db = tmp_path / "cli.duckdb"
    assert main(["--db", str(db), "init"]) == 0
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Plan"
    sheet.append(HEADER.split(","))
    sheet.append([2026, "sales", "Events", "awareness", "Field", "EMEA", "2026-01", 1234.5, None])
    sheet.append([2026, "sales", "Events", "awareness", "Field", "EMEA", "2026-02", 0.125, None])
    path = tmp_path / "plan.xlsx"
    book.save(path)
    capsys.readouterr()
    assert main(["--db", str(db), "import", "plan", str(path)]) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        "plan.xlsx[Plan]:3:amount: '0.125' has too many decimal places; round it to cents: at"
        " most 2 decimals, e.g. 1234.50")
    sheet["H3"] = 0.5
    book.save(path)
    assert main(["--db", str(db), "import", "plan", str(path)]) == 0
    assert "2 rows" in capsys.readouterr().out
