"""The cross-review in a real browser: the marketing head signs off a sales line; the sales head
may not sign off their own."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import (
    click,
    go_to,
    pick,
    screenshot,
    sign_in,
    sign_out,
    unfold,
)


def test_marketing_signs_off_a_sales_line_the_sales_head_cannot(draft_server, page):
    sign_in(page, draft_server, "Sofia Sales", "sales-demo-2026")
    go_to(page, "Review")
    expect(page.get_by_role("heading", name="Review · FY2026")).to_be_visible()
    unfold(page, "Submit my department's lines for review")
    expect(page.locator(".st-key-submit_owner input")).to_be_visible()
    pick(page, "submit_owner", "sales")
    pick(page, "submit_channel", "Field sales")
    pick(page, "submit_region", "EMEA")
    click(page, "Submit draft and returned lines")
    expect(page.get_by_text("Submitted 72 lines for review.")).to_be_visible()

    pick(page, "review_owner", "sales")
    click(page, "Sign off")
    expect(page.get_by_text("may not sign off sales lines")).to_be_visible()
    screenshot(page, "review-refused")
    sign_out(page)

    sign_in(page, draft_server, "Marco Marketing", "marketing-demo-2026")
    go_to(page, "Review")
    expect(page.get_by_text("My queue (72 lines waiting for Marco Marketing)")).to_be_visible()
    click(page, "Sign off")
    expect(page.get_by_text("Signed off 72 line(s); 72 are now fully signed off.")).to_be_visible()
    screenshot(page, "review")
