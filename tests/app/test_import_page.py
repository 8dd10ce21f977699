"""The Import & export page: a bad file shows every problem and writes nothing."""
from __future__ import annotations

from tests.app.conftest import open_page

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
    at.file_uploader(key="upload").upload("bad-plan.csv", BAD_PLAN, "text/csv")
    at.run()
    assert not at.exception
    assert "was refused: 3 problem(s)" in at.error[0].value
    problems = at.dataframe[0].value
    assert list(problems["Row"]) == [2, 3, 4]
    assert list(problems["Column"]) == ["amount", "owner", "month"]
    assert list(problems["Value"]) == ["£1200", "salse", "2026-13"]
    assert all(problems["Fix"].str.len() > 0)
    assert _lines(store_file) == before


def test_good_file_is_checked_then_committed(app, store_file):
    at = open_page(app, "import_data.py")
    before = _lines(store_file)
    at.file_uploader(key="upload").upload("new-lines.csv", GOOD_PLAN, "text/csv")
    at.run()
    assert "2** new" in at.success[0].value and "$1,299.50" in at.success[0].value
    assert _lines(store_file) == before  # checked, not yet written
    at.button(key="commit").click().run()
    assert not at.exception
    assert any("Imported." in s.value for s in at.success)
    assert _lines(store_file) == before + 2
    history = at.dataframe[-1].value
    assert history.iloc[0]["File"] == "new-lines.csv"


def test_templates_and_exports_are_offered(app):
    at = open_page(app, "import_data.py")
    assert at.selectbox(key="kind").value == "plan"
    labels = [b.label for b in at.get("download_button")]
    assert "Download the plan template" in labels
    assert {"plan FY2026", "actuals FY2026", "outcomes FY2026", "targets FY2026"} <= set(labels)
