"""The whole cross-review as each demo person in turn: submit, return with a comment, resubmit,
sign off, lock, a change to the locked plan refused, reopen with a reason."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import pick, screenshot, settle, sign_in, sign_out

PEOPLE = {"Pat Planner": "planner-demo-2026", "Sofia Sales": "sales-demo-2026",
          "Marco Marketing": "marketing-demo-2026", "Erin Executive": "executive-demo-2026"}


def review_as(page, server, name):
    sign_in(page, server, name, PEOPLE[name])
    page.get_by_role("link", name="Review").click()
    expect(page.get_by_role("heading", name="Review · FY2026")).to_be_visible()
    settle(page)


def submit_all(page):
    page.get_by_text("Submit my department's lines for review").click()
    page.get_by_role("button", name="Submit draft and returned lines").click()
    expect(page.get_by_text("line(s) for review.")).to_be_visible()
    settle(page)


def test_submit_return_sign_lock_reopen(server, page, tmp_path):
    review_as(page, server, "Pat Planner")
    submit_all(page)
    sign_out(page)

    review_as(page, server, "Sofia Sales")  # returns the EMEA webinars, signs off the rest
    pick(page, "review_owner", "marketing")
    pick(page, "review_channel", "Webinars")
    pick(page, "review_region", "EMEA")
    page.locator(".st-key-review_comment input").fill("March looks high; spread it over Q1")
    page.get_by_role("button", name="Return with comment").click()
    expect(page.get_by_text("line(s) to their owner.")).to_be_visible()
    settle(page)
    page.get_by_role("button", name="Sign off", exact=True).click()
    expect(page.get_by_text("are now fully signed off")).to_be_visible()
    sign_out(page)

    review_as(page, server, "Pat Planner")  # the returned lines go back for review
    expect(page.get_by_text("March looks high").first).to_be_attached()  # the open threads
    submit_all(page)
    sign_out(page)

    review_as(page, server, "Sofia Sales")
    page.get_by_role("button", name="Sign off", exact=True).click()
    expect(page.get_by_text("are now fully signed off")).to_be_visible()
    sign_out(page)

    review_as(page, server, "Marco Marketing")
    page.get_by_role("button", name="Sign off", exact=True).click()
    expect(page.get_by_text("are now fully signed off")).to_be_visible()
    settle(page)
    expect(page.get_by_text("3,264 of 3,264")).to_be_visible()
    page.get_by_role("button", name="Lock baseline").click()
    expect(page.get_by_text("baseline is locked")).to_be_visible()
    screenshot(page, "review-locked")

    # A change to the locked plan is refused: an import of one of its lines.
    bad = tmp_path / "change.csv"
    bad.write_text("fiscal_year,owner,category,funnel_stage,channel,region,month,amount\n"
                   "2026,marketing,Programs,awareness,Paid search,EMEA,2026-01,1.00\n")
    page.get_by_role("link", name="Import & export").click()
    page.locator("input[type=file]").set_input_files(str(bad))
    expect(page.get_by_text("was refused: 1 problem(s) found")).to_be_visible()
    expect(page.get_by_text("scenario baseline 2026 is locked")).to_be_attached()
    sign_out(page)

    review_as(page, server, "Erin Executive")
    page.locator(".st-key-reason input").fill("Board asked to move 50k to partners")
    page.get_by_role("button", name="Reopen the plan").click()
    expect(page.get_by_text("baseline is open again.")).to_be_visible()
    expect(page.get_by_text("audit trail is broken")).to_have_count(0)
    settle(page)
    screenshot(page, "review-reopened")
