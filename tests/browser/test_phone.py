"""On a phone (390 × 844): the sidebar folds after a page is picked, and the Budget and KPI
pages answer their question first, with their filters on the page rather than behind the
sidebar."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import new_context, open_app, settle, wait_idle
from tests.browser.test_budget_and_import import tile

PHONE = {"width": 390, "height": 844}


def _signed_in_on_a_phone(browser, server: str, name: str, password: str):
    context = new_context(browser, viewport=PHONE)
    page = context.new_page()
    open_app(page, server)
    page.locator(".st-key-sign_in_name input").fill(name)
    page.locator(".st-key-sign_in_password input").fill(password)
    expect(page.locator(".st-key-sign_in_password input")).to_have_value(password)
    page.get_by_role("button", name="Sign in").click()
    settle(page)
    return context, page


def test_a_phone_shows_the_question_first_and_folds_the_sidebar(browser, server):
    context, page = _signed_in_on_a_phone(browser, server, "Sofia Sales", "sales-demo-2026")
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_have_attribute("data-collapsed", "true")
    # Budget: the pool tile is on the first screen, the filters are on the page, folded.
    expect(tile(page, "Pool")).to_be_in_viewport()
    expect(page.get_by_text("Scenario and filters")).to_be_in_viewport()
    # Open the sidebar and pick a page: it folds again, the page is not left under it.
    wait_idle(page)
    page.get_by_test_id("stExpandSidebarButton").click()
    expect(sidebar).to_have_attribute("data-collapsed", "false")
    page.get_by_role("link", name="KPIs").click()
    settle(page)
    expect(page.get_by_role("heading", name="Joint KPIs · FY2026")).to_be_visible()
    expect(sidebar).to_have_attribute("data-collapsed", "true")
    # KPIs: revenue and ROI are within the first two screens, not 1,500 px down.
    expect(tile(page, "Revenue")).to_be_in_viewport()
    roi = tile(page, "ROI").bounding_box()
    assert roi is not None and roi["y"] < 2 * PHONE["height"], roi
    context.close()
