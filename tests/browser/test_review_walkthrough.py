"""The whole cross-review as each demo person in turn: submit, return with a comment, resubmit,
sign off, lock, a change to the locked plan refused, reopen with a reason."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import (
    choose,
    click,
    fill,
    go_to,
    pick,
    screenshot,
    sign_in,
    sign_out,
    unfold,
    upload,
)

PEOPLE = {"Pat Planner": "planner-demo-2026", "Sofia Sales": "sales-demo-2026",
          "Marco Marketing": "marketing-demo-2026", "Erin Executive": "executive-demo-2026"}


def review_as(page, draft_server, name):
    sign_in(page, draft_server, name, PEOPLE[name])
    go_to(page, "Review")
    expect(page.get_by_role("heading", name="Review · FY2026")).to_be_visible()


def submit_all(page):
    unfold(page, "Submit my department's lines for review")
    click(page, "Submit draft and returned lines")
    expect(page.get_by_text(re.compile(r"^Submitted [\d,]+ lines? for review\.$"))).to_be_visible()


def test_submit_return_sign_lock_reopen(draft_server, page, tmp_path):
    review_as(page, draft_server, "Pat Planner")
    submit_all(page)
    sign_out(page)

    review_as(page, draft_server, "Sofia Sales")  # returns the EMEA webinars, signs off the rest
    pick(page, "review_owner", "marketing")
    pick(page, "review_channel", "Webinars")
    pick(page, "review_region", "EMEA")
    fill(page, "review_comment", "March looks high; spread it over Q1")
    click(page, "Return with comment")
    expect(page.get_by_text("line(s) to their owner.")).to_be_visible()
    click(page, "Sign off")
    expect(page.get_by_text("are now fully signed off")).to_be_visible()
    sign_out(page)

    review_as(page, draft_server, "Pat Planner")  # the returned lines go back for review
    expect(page.get_by_text("March looks high").first).to_be_attached()  # the open threads
    submit_all(page)
    sign_out(page)

    review_as(page, draft_server, "Sofia Sales")
    click(page, "Sign off")
    expect(page.get_by_text("are now fully signed off")).to_be_visible()
    sign_out(page)

    review_as(page, draft_server, "Marco Marketing")
    click(page, "Sign off")
    expect(page.get_by_text("are now fully signed off")).to_be_visible()
    expect(page.get_by_text("· 100.0%")).to_be_visible()  # every line signed off
    click(page, "Lock baseline")
    expect(page.get_by_text("baseline is locked")).to_be_visible()
    screenshot(page, "review-locked")

    # A change to the locked plan is refused: an import of one of its lines.
    bad = tmp_path / "change.csv"
    bad.write_text("fiscal_year,owner,category,funnel_stage,channel,region,month,amount\n"
                   "2026,marketing,Programs,awareness,Paid search,EMEA,2026-01,1.00\n")
    go_to(page, "Import & export")
    choose(page, "scenario", "baseline (the adopted plan)")  # a plan's target is a choice
    upload(page, bad)
    expect(page.get_by_text("was refused: 1 problem(s) found")).to_be_visible()
    expect(page.get_by_text("scenario baseline 2026 is locked")).to_be_attached()
    sign_out(page)

    review_as(page, draft_server, "Erin Executive")
    fill(page, "reason", "Board asked to move 50k to partners")
    click(page, "Reopen the plan")
    expect(page.get_by_text("baseline is open again.")).to_be_visible()
    expect(page.get_by_text("audit trail is broken")).to_have_count(0)
    screenshot(page, "review-reopened")
