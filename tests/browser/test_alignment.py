"""The Alignment page in a real browser: a head answers the survey for the current quarter and
sees that one answer shows no mean; a viewer on a phone reads the page and gets no form."""
from __future__ import annotations

from datetime import datetime, timezone

from playwright.sync_api import expect

from tests.browser.conftest import (
    choose,
    click,
    go_to,
    new_context,
    open_app,
    screenshot,
    settle,
    sign_in,
    wait_idle,
)
from tests.browser.test_budget_and_import import tile
from tests.browser.test_phone import PHONE

# The demo firm's fiscal year starts in January.
QUARTER = f"{datetime.now(timezone.utc):%Y}-Q{(datetime.now(timezone.utc).month - 1) // 3 + 1}"


def test_a_head_answers_the_survey(server, page):
    sign_in(page, server, "Sofia Sales", "sales-demo-2026")
    go_to(page, "Alignment")
    expect(page.get_by_role("heading", name="Alignment", exact=True)).to_be_visible()
    # The page opens on the latest quarter both sides have a score in; she answers this one.
    expect(page.get_by_text(f"Answers are taken for the current quarter, {QUARTER}; pick it"
                            " above to answer.")).to_be_visible()
    choose(page, "alignment_period", QUARTER)
    expect(page.get_by_text(f"Answer the survey for {QUARTER}")).to_be_visible()
    wait_idle(page)
    for item in range(1, 21):  # a form: the choices are sent together with the button
        page.locator(f".st-key-survey_item_{item}").get_by_text(
            "5 · strongly agree" if item % 4 == 0 else "4", exact=True).click()
    click(page, "Save my answers")
    expect(page.get_by_text(f"Saved your answers for {QUARTER}")).to_be_visible()
    # One sales answer: no mean is shown for sales, and the page says why.
    expect(tile(page, "Sales")).to_contain_text("n/a")
    expect(page.get_by_text("Fewer than 3 complete answers from sales")).to_be_visible()
    expect(page.get_by_text(f"Your answers for {QUARTER} (you may change")).to_be_visible()
    expect(page.get_by_text("The data says")).to_be_visible()
    screenshot(page, "alignment")


def test_a_viewer_on_a_phone_reads_it_and_answers_nothing(browser, server):
    context = new_context(browser, viewport=PHONE)
    page = context.new_page()
    open_app(page, server)
    page.locator(".st-key-sign_in_name input").fill("Vic Viewer")
    page.locator(".st-key-sign_in_password input").fill("viewer-demo-2026")
    page.get_by_role("button", name="Sign in").click()
    settle(page)
    wait_idle(page)
    page.get_by_test_id("stExpandSidebarButton").click()
    page.get_by_role("link", name="Alignment").click()
    settle(page)
    expect(page.get_by_role("heading", name="Alignment", exact=True)).to_be_visible()
    expect(page.get_by_text("The department heads, planners and executives answer the"
                            " survey.")).to_be_visible()
    expect(page.get_by_role("button", name="Save my answers")).to_have_count(0)
    screenshot(page, "alignment-phone")
    context.close()
