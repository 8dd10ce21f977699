"""What a planner clicks: open the Budget page, upload a bad CSV, read every error."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import choose, go_to, screenshot, sign_in, upload, wait_idle

BAD_PLAN = (
    "fiscal_year,owner,category,funnel_stage,channel,region,month,amount\n"
    "2026,sales,Events,awareness,Webinars,EMEA,2026-01,\"1,200.00\"\n"
    "2026,salse,Events,awareness,Webinars,EMEA,2026-02,100.00\n"
    "2026,sales,Events,awareness,Webinars,EMEA,2026-13,100.00\n"
)


def tile(page, label: str):
    """The metric tile whose label is exactly `label`."""
    return page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True))


def test_budget_page_shows_the_demo_pool(server, page):
    sign_in(page, server, "Pat Planner", "planner-demo-2026")
    expect(page.get_by_role("heading", name="Shared budget · FY2026")).to_be_visible()
    expect(tile(page, "Pool")).to_contain_text("$6,250,000")
    expect(page.get_by_text("Monthly phasing by owner")).to_be_visible()
    screenshot(page, "budget")


def test_bad_upload_lists_every_error(server, page, tmp_path):
    bad = tmp_path / "bad-plan.csv"
    bad.write_text(BAD_PLAN, encoding="utf-8")
    sign_in(page, server, "Pat Planner", "planner-demo-2026")
    wait_idle(page)
    # Budget is the page after signing in: its allocation before the upload.
    allocated = re.search(r"\$[\d,]+", tile(page, "Allocated").inner_text()).group(0)
    go_to(page, "Import & export")
    expect(page.get_by_role("heading", name="Import & export")).to_be_visible()
    choose(page, "scenario", "baseline (the adopted plan)")  # a plan's target is a choice
    upload(page, bad)
    expect(page.get_by_text("was refused: 3 problem(s) found")).to_be_visible()
    errors = page.get_by_test_id("stDataFrame").first
    expect(errors).to_be_visible()
    screenshot(page, "import-errors")
    # The store is unchanged: the Budget page still shows the demo allocation.
    go_to(page, "Budget")
    expect(tile(page, "Allocated")).to_contain_text(allocated)
