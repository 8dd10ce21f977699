"""Signed out, no figure shows; signed in, each person sees their pages; the Review page."""
from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from planning.budget import BudgetFilter
from planning.review import Review
from tests.app.conftest import (
    APP,
    PAGES,
    assert_numeric,
    column_formats,
    open_page,
    signed_in,
    table,
    unfold,
)

PAGE_FILES = ["budget.py", "scenarios.py", "compare.py", "review.py", "import_data.py"]


def _tandem(store_file):
    from dashboard.ui.context import open_tandem

    return open_tandem(str(store_file))


def test_signed_out_the_app_shows_only_the_sign_in_form(store_file):
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "Tandem"
    assert not at.metric and not at.dataframe
    assert at.button(key="FormSubmitter:sign_in-Sign in")
    for page in PAGE_FILES:  # no page of the plan can be opened
        with pytest.raises(Exception):  # noqa: B017 - AppTest raises a bare error
            at.switch_page(str(PAGES / page)).run()


def test_signing_in_with_the_right_password(store_file):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="sign_in_name").set_value("Marco Marketing")
    at.text_input(key="sign_in_password").set_value("marketing-demo-2026")
    at.button(key="FormSubmitter:sign_in-Sign in").click().run()
    assert not at.exception
    assert at.title[0].value == "Shared budget · FY2026"
    assert "Signed in as Marco Marketing (marketing head)" in at.sidebar.caption[0].value


def test_a_wrong_password_says_so_and_shows_nothing(store_file):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="sign_in_name").set_value("Marco Marketing")
    at.text_input(key="sign_in_password").set_value("guess")
    at.button(key="FormSubmitter:sign_in-Sign in").click().run()
    assert at.error[0].value == "That name and password do not match an account."
    assert not at.metric


def test_a_viewer_sees_no_scenarios_page_and_cannot_import(store_file):
    at = signed_in("Vic Viewer")
    with pytest.raises(Exception):  # noqa: B017
        at.switch_page(str(PAGES / "scenarios.py")).run()
    with pytest.raises(Exception):  # noqa: B017 - no exports for a viewer, so no such page
        signed_in("Vic Viewer").switch_page(str(PAGES / "import_data.py")).run()


def test_every_page_opens_for_every_role_that_may_see_it(store_file):
    for name, pages in {"Sofia Sales": PAGE_FILES, "Erin Executive": PAGE_FILES,
                        "Vic Viewer": ["budget.py", "compare.py", "kpis.py",
                                       "review.py"]}.items():
        for page in pages:
            open_page(signed_in(name), page)


def test_the_marketing_head_signs_off_from_the_queue(store_file):
    """The demo's review is part way: 8 lines wait for the marketing head (LATAM's December
    field sales lines, 2 of them joint and also waiting for the sales head)."""
    at = open_page(signed_in("Marco Marketing"), "review.py")
    assert (at.metric[0].value, at.metric[0].delta) == ("3,251", "of 3,264 · 99.6%")
    assert at.metric[2].value == "8"  # waiting for the marketing head
    assert at.subheader[0].value == "My queue (8 lines waiting for Marco Marketing)"
    assert len(at.dataframe[1].value) == 8  # after the status table
    at.button(key="FormSubmitter:decide_form-Sign off").click().run()
    assert not at.exception
    assert "Signed off 8 line(s); 6 are now fully signed off." in at.success[0].value
    assert at.metric[0].value == "3,257"


def test_a_head_submits_their_lines_without_picking_an_owner(store_file):
    """On the all-draft "Digital shift", the sales head's submit takes the sales and joint
    lines and leaves marketing's as drafts."""
    at = open_page(signed_in("Sofia Sales"), "review.py")
    at.selectbox(key="review_scenario").set_value("Digital shift").run()
    unfold(at, "submit_box")
    at.button(key="FormSubmitter:submit_form-Submit draft and returned lines").click().run()
    assert not at.exception and not at.error
    assert "Submitted 2,016 line" in at.success[0].value
    t = _tandem(store_file)
    assert dict(t.store.query(
        "SELECT l.owner, list(DISTINCT l.status) FROM plan_lines l JOIN scenarios s"
        " ON s.id = l.scenario_id WHERE s.name = 'Digital shift' GROUP BY 1")) == {
        "sales": ["submitted"], "joint": ["submitted"], "marketing": ["draft"]}


def test_a_lines_history_shows_the_import_that_changed_it_and_both_sign_offs(store_file):
    t = _tandem(store_file)
    line = t.store.scalar(
        "SELECT l.id FROM plan_lines l JOIN scenarios s ON s.id = l.scenario_id"
        " WHERE s.name = 'baseline' AND l.owner = 'joint' AND l.category = 'Events'"
        " AND l.funnel_stage = 'preference' AND l.channel = 'Trade shows'"
        " AND l.region = 'EMEA' AND l.month = DATE '2026-03-01'")
    at = unfold(open_page(signed_in("Vic Viewer"), "review.py"), "history_expander")
    at.number_input(key="history_line").set_value(line).run()
    assert not at.exception
    history = next(d.value for d in at.dataframe if "Amount before" in d.value.columns)
    assert list(zip(history["Who"], history["What"], strict=True)) == [
        ("Sofia Sales", "Signed off"), ("Marco Marketing", "Signed off"),
        ("Sofia Sales", "Submitted"), ("Pat Planner", "Imported"), ("Pat Planner", "Imported")]
    assert list(history["Status"]) == ["Submitted → Signed off", "Submitted",
                                       "Draft → Submitted", "Draft", "New → Draft"]
    # newest first: the revision took the line from 3,441.00 to 3,785.10; it was new before
    assert history["Amount before"].iloc[-2] == 3441.0
    assert pd.isna(history["Amount before"].iloc[-1])
    assert list(history["Amount after"])[-2:] == [3785.1, 3441.0]
    assert history["In"].iloc[-2] == "baseline"
    assert history["Note"].iloc[-2] == "from plan-revision-march.csv"


def test_the_sales_head_is_told_why_they_cannot_sign_their_own_lines(store_file):
    t = _tandem(store_file)
    from planning.people import People

    sofia = People(t.store).get("Sofia Sales")
    Review(t.store).submit(sofia, 2026, "baseline", BudgetFilter(owners=("sales",)))
    at = open_page(signed_in("Sofia Sales"), "review.py")
    at.multiselect(key="review_owner").set_value(["sales"])
    at.button(key="FormSubmitter:decide_form-Sign off").click().run()
    assert "may not sign off sales lines" in at.error[0].value


def test_review_tables_hold_numbers_and_states_in_words(store_file):
    at = open_page(signed_in("Marco Marketing"), "review.py")
    status = table(at, "Owner", "Signed off")
    assert list(status.value.columns) == ["Owner", "Draft", "Returned", "Submitted",
                                          "Signed off"]
    assert_numeric(status, "Draft", "Returned", "Submitted", "Signed off")
    assert status.value[["Draft", "Returned", "Submitted", "Signed off"]].sum().sum() == \
        _tandem(store_file).scenarios(2026)[0].lines
    labels = [m.label for m in at.metric]
    assert labels == ["Lines signed off", "Waiting for sales head", "Waiting for marketing head",
                      "Plan"]
    assert at.metric[3].value == "Open"
    changes = table(at, "When", "Who", "What")
    assert column_formats(changes)["When"] == "YYYY-MM-DD HH:mm"


def test_the_minutes_cover_the_days_the_inputs_show(store_file):
    from datetime import date

    at = open_page(signed_in("Marco Marketing"), "review.py")
    at.date_input(key="since").set_value(date(2026, 11, 1))
    at.date_input(key="until").set_value(date(2026, 11, 29)).run()
    assert at.date_input(key="until").proto.format == "YYYY-MM-DD"
    assert any(c.value == "From 2026-11-01 to 2026-11-29, both days included." for c in at.caption)
    from datetime import datetime

    from planning import audit

    text = audit.minutes(_tandem(store_file).store, datetime(2026, 11, 1), datetime(2026, 11, 30))
    assert text.startswith("# Budget review decisions, 2026-11-01 to 2026-11-29\n")


def test_a_viewer_takes_no_minutes_away_and_is_not_told_to_clone(store_file):
    at = open_page(signed_in("Vic Viewer"), "review.py")
    assert not [b for b in at.get("download_button") if b.proto.id.endswith("minutes")]
    assert not [b for b in at.button if b.key == "lock_plan"]
    head = open_page(signed_in("Marco Marketing"), "review.py")
    assert [b for b in head.get("download_button") if b.proto.id.endswith("minutes")]
    t = _tandem(store_file)
    for other in [s.name for s in t.scenarios(2026) if not s.adopted]:
        t.scenario_ops.delete(2026, other, "test")  # a year of one scenario
    compare = open_page(signed_in("Vic Viewer"), "compare.py")
    assert "Scenarios** page" not in compare.info[0].value  # a page a viewer cannot open
    assert "makes another by cloning it" in compare.info[0].value
    planner = open_page(signed_in("Pat Planner"), "compare.py")
    assert "Clone it on the **Scenarios** page" in planner.info[0].value
