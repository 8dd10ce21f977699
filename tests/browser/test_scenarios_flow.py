"""A department head clones the plan, shifts money between channels and sees the comparison."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import (
    choose,
    click,
    fill,
    go_to,
    pick,
    screenshot,
    sign_in,
    unfold,
)


def test_clone_shift_and_compare(server, page):
    sign_in(page, server, "Pat Planner", "planner-demo-2026")
    go_to(page, "Scenarios")
    expect(page.get_by_role("heading", name="Scenarios · FY2026")).to_be_visible()
    fill(page, "clone_name", "search-push")
    click(page, "Clone baseline")
    expect(page.get_by_text("Cloned 'baseline' as 'search-push': ")).to_be_visible()

    choose(page, "working", "search-push")
    unfold(page, "Shift", tab=True)
    shift_tab = page.get_by_role("tab", name="Shift")
    expect(shift_tab).to_have_attribute("aria-selected", "true")
    fill(page, "shift_amount", "200000.00")
    pick(page, "shift_from_channel", "Trade shows")
    pick(page, "shift_to_channel", "Paid search")
    click(page, "Shift")
    expect(page.get_by_text("Moved $200,000.00 in 'search-push' across ")).to_contain_text(
        "its total stays")
    # The operation's rerun keeps the Shift tab open, where the person was working.
    expect(shift_tab).to_have_attribute("aria-selected", "true")
    screenshot(page, "scenarios")

    go_to(page, "Compare")
    expect(page.get_by_role("heading", name="Compare scenarios · FY2026")).to_be_visible()
    expect(page.get_by_text("Where the money moved, by channel")).to_be_visible()
    expect(page.get_by_text("lines differ, the largest first").first).to_be_visible()
    screenshot(page, "compare")
