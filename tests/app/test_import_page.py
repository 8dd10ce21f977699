"""The Import & export page: a bad file shows every problem and writes nothing."""
from __future__ import annotations

from tests.app.conftest import open_page, table

BAD_PLAN = (
    "fiscal_year,owner,category,funnel_stage,channel,region,month,amount\n"
    "2026,sales,Events,awareness,Webinars,EMEA,2026-01,£1200\n"
    "2026,salse,Events,awareness,Webinars,EMEA,2026-02,100.00\n"
    "2026,sales,Events,awareness,Webinars,EMEA,2026-13,100.00\n"
).encode()

GOOD_PLAN = (
    b"fiscal_year,owner,category,funnel_stage,channel,region,month,amount,description\n"
    b"2026,sales,Events,awareness,Webinars,Antarctica,2026-01,1200.00,New line\n"
    b"2026,marketing,Programs,awareness,Paid search,Antarctica,2026-01,99.50,\n"
)


def _lines(store_file) -> int:
    from dashboard.ui.context import open_tandem

    return open_tandem(str(store_file)).store.scalar("SELECT count(*) FROM plan_lines")


def test_bad_file_lists_every_problem_and_writes_nothing(app, store_file):
    at = open_page(app, "import_data.py")
    before = _lines(store_file)
    at.selectbox(key="scenario").set_value("Digital shift").run()
    at.file_uploader(key="upload_0").upload("bad-plan.csv", BAD_PLAN, "text/csv")
    at.run()
    assert not at.exception
    assert "was refused: 3 problem(s)" in at.error[0].value
    problems = at.dataframe[0].value
    assert list(problems["Row"]) == [2, 3, 4]
    assert list(problems["Column"]) == ["amount", "owner", "month"]
    assert list(problems["Value"]) == ["£1200", "salse", "2026-13"]
    assert all(problems["Fix"].str.len() > 0)
    assert _lines(store_file) == before


def test_good_file_is_checked_then_committed_and_the_form_is_cleared(app, store_file):
    at = open_page(app, "import_data.py")
    before = _lines(store_file)
    at.selectbox(key="scenario").select("A new scenario…").run()
    at.text_input(key="new_scenario").input("Antarctica trial").run()
    at.file_uploader(key="upload_0").upload("new-lines.csv", GOOD_PLAN, "text/csv")
    at.run()
    assert "2** new" in at.success[0].value and "$1,299.50" in at.success[0].value
    assert "into scenario **Antarctica trial**" in at.success[0].value
    assert _lines(store_file) == before  # checked, not yet written
    at.button(key="commit").click().run()
    assert not at.exception
    assert _lines(store_file) == before + 2
    # The form starts again: no "would write" box, no Import button, an empty uploader.
    assert [s.value for s in at.success] == [
        "Imported **new-lines.csv** into scenario **Antarctica trial**. **2** rows: **2** new,"
        " **0** changed, **0** unchanged · control total **$1,299.50** · fiscal year FY2026."]
    assert not _has(at, "commit")
    assert at.file_uploader(key="upload_1").value is None
    history = at.dataframe[-1].value
    assert history.iloc[0]["File"] == "new-lines.csv"


def _has(at, key: str) -> bool:
    return any(getattr(b, "key", None) == key for b in at.button)


def test_a_plan_goes_only_into_a_scenario_chosen_and_the_adopted_plan_is_named(app):
    at = open_page(app, "import_data.py")
    assert at.selectbox(key="scenario").value is None  # no silent default
    assert at.selectbox(key="scenario").options == [
        "Digital shift", "baseline (the adopted plan)", "A new scenario…"]
    at.selectbox(key="scenario").set_value("baseline").run()
    assert "**baseline** is the adopted plan" in at.warning[0].value


def test_the_dry_run_lists_the_lines_it_changes_with_old_and_new_amounts(app, store_file):
    from dashboard.ui.context import open_tandem

    t = open_tandem(str(store_file))
    rows = t.store.query(
        "SELECT l.owner, l.category, l.funnel_stage, l.channel, l.region,"
        " strftime(l.month, '%Y-%m'), l.amount FROM plan_lines l JOIN scenarios s"
        " ON s.id = l.scenario_id WHERE s.name = 'Digital shift' ORDER BY l.id LIMIT 3")
    body = "fiscal_year,owner,category,funnel_stage,channel,region,month,amount\n" + "".join(
        f"2026,{','.join(r[:6])},{r[6] + (100 if i == 0 else 0) + (5 if i == 1 else 0)}\n"
        for i, r in enumerate(rows))
    at = open_page(app, "import_data.py")
    at.selectbox(key="scenario").set_value("Digital shift").run()
    at.file_uploader(key="upload_0").upload("revision.csv", body.encode(), "text/csv").run()
    assert not at.exception
    assert "**2** changed, **1** unchanged" in at.success[0].value
    changes = next(d.value for d in at.dataframe if "Old" in d.value.columns)
    assert list(changes["Old"]) == [float(rows[0][6]), float(rows[1][6])]  # biggest change first
    assert list(changes["New"]) == [float(rows[0][6] + 100), float(rows[1][6] + 5)]
    assert list(changes["Change"]) == [100.0, 5.0]
    assert list(changes["Channel"]) == [rows[0][3], rows[1][3]]


def test_templates_and_exports_are_offered(app):
    at = open_page(app, "import_data.py")
    assert at.selectbox(key="kind").value == "plan"
    labels = [b.label for b in at.get("download_button")]
    assert "Download the plan template" in labels
    assert {"plan FY2026", "actuals FY2026", "outcomes FY2026", "targets FY2026"} <= set(labels)


def test_problems_past_the_listing_are_counted_kind_by_kind(app, store_file):
    at = open_page(app, "import_data.py")
    at.selectbox(key="scenario").set_value("Digital shift").run()
    header = BAD_PLAN.split(b"\n", 1)[0]
    rows = b"".join(b"2026,sales,Events,awareness,Webinars,R%d,2026-01,%dx\n"
                    b"2026,salse,Events,awareness,Webinars,R%d,2026-02,1.00\n" % (i, i, i)
                    for i in range(700))
    at.file_uploader(key="upload_0").upload("many.csv", header + b"\n" + rows, "text/csv")
    at.run()
    assert not at.exception
    assert "was refused: 1,400 problem(s)" in at.error[0].value
    more = table(at, "More", "Like row", "Up to row").value
    assert list(more["More"]) == [200, 200]
    assert list(more["Column"]) == ["amount", "owner"]
    assert list(more["Up to row"]) == [1400, 1401]
    assert more["Problem"][1] == "'salse' is not one of the accepted values"


def test_an_excel_workbook_is_checked_and_previewed_as_its_sheet(app, store_file):
    from pathlib import Path

    at = open_page(app, "import_data.py")
    at.selectbox(key="scenario").set_value("Digital shift").run()
    data = (Path(__file__).parent.parent / "data" / "plan-libreoffice.xlsx").read_bytes()
    at.file_uploader(key="upload_0").upload("plan.xlsx", data,
                                            "application/vnd.openxmlformats-officedocument"
                                            ".spreadsheetml.sheet")
    at.run()
    assert not at.exception
    assert not at.error
    assert "**plan.xlsx** is valid" in at.success[0].value
    preview = table(at, "month", "amount", "description").value
    assert list(preview["month"]) == ["2026-01", "2026-02"]
    assert list(preview["amount"]) == ["1200", "99.5"]
