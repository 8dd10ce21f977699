"""A department head clones the plan, shifts money between channels and sees the comparison."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import pick, screenshot, settle, sign_in


def test_clone_shift_and_compare(server, page):
    sign_in(page, server, "Pat Planner", "planner-demo-2026")
    page.get_by_role("link", name="Scenarios").click()
    expect(page.get_by_role("heading", name="Scenarios · FY2026")).to_be_visible()
    page.locator(".st-key-clone_name input").fill("search-push")
    page.get_by_role("button", name="Clone baseline").click()
    settle(page)
    expect(page.get_by_text("search-push: 3,264 line(s) changed")).to_be_visible()

    page.locator(".st-key-working").click()
    page.get_by_role("option", name="search-push").click()
    settle(page)
    shift_tab = page.get_by_role("tab", name="Shift")
    expect(shift_tab).to_have_count(1)  # not while a rerun still shows the old page too
    shift_tab.click()
    settle(page)
    page.locator(".st-key-shift_amount input").fill("200000.00")
    pick(page, "shift_from_channel", "Trade shows")
    pick(page, "shift_to_channel", "Paid search")
    page.get_by_role("button", name="Shift", exact=True).click()
    expect(page.get_by_text("search-push: ")).to_contain_text("change $0.00")
    screenshot(page, "scenarios")

    page.get_by_role("link", name="Compare").click()
    expect(page.get_by_role("heading", name="Compare scenarios · FY2026")).to_be_visible()
    expect(page.get_by_text("Where the money moved, by channel")).to_be_visible()
    expect(page.get_by_text("line(s) differ, the largest first")).to_be_visible()
    page.wait_for_timeout(1500)
    screenshot(page, "compare")
