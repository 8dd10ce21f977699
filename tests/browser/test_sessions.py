"""A signed-in person stays signed in across a reload, a bookmark and a new tab; signing out
ends the session in every tab."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import (
    new_context,
    open_app,
    reload,
    screenshot,
    settle,
    sign_in,
    sign_out,
)

# The app writes its cookie from a line of script in the page drawn by the run after sign-in
# (or sign-out); the browser holds it once that script has run.
COOKIE_SET = "() => /(^|; )tandem_session=[^;]/.test(document.cookie)"


def test_a_reload_and_a_bookmark_keep_a_person_signed_in_until_they_sign_out(server, browser):
    context = new_context(browser)
    first = context.new_page()
    sign_in(first, server, "Sofia Sales", "sales-demo-2026")
    first.wait_for_function(COOKIE_SET)
    cookie = next(c for c in context.cookies() if c["name"] == "tandem_session")
    assert len(cookie["value"]) >= 40 and "Sofia" not in cookie["value"]
    assert cookie["sameSite"] == "Strict"

    reload(first)
    expect(first.get_by_text("Signed in as Sofia Sales")).to_be_visible()
    expect(first.get_by_role("heading", name="Shared budget · FY2026")).to_be_visible()

    bookmark = context.new_page()  # a bookmarked page opened in a new tab
    open_app(bookmark, f"{server}/kpis")
    expect(bookmark.get_by_text("Signed in as Sofia Sales")).to_be_visible()
    assert bookmark.url.endswith("/kpis")
    expect(bookmark.get_by_text("Page not found")).to_have_count(0)
    screenshot(bookmark, "session-bookmark-kpis")

    sign_out(first)
    first.wait_for_function(f"() => !({COOKIE_SET})()")
    assert not [c for c in context.cookies() if c["name"] == "tandem_session" and c["value"]]

    # the other tab held the same session: its next rerun finds it ended and shows no figure
    reload(bookmark)
    expect(bookmark.get_by_role("button", name="Sign in")).to_be_visible()
    expect(bookmark.get_by_text("Signed in as")).to_have_count(0)
    expect(bookmark.get_by_text("$")).to_have_count(0)
    context.close()


def test_a_signed_out_visitor_with_a_bookmark_sees_the_sign_in_form_then_their_page(server,
                                                                                   browser):
    context = new_context(browser)
    page = context.new_page()
    open_app(page, f"{server}/review")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_text("Page not found")).to_have_count(0)
    page.locator(".st-key-sign_in_name input").fill("Marco Marketing")
    page.locator(".st-key-sign_in_password input").fill("marketing-demo-2026")
    page.get_by_role("button", name="Sign in").click()
    settle(page)
    expect(page.get_by_text("Signed in as Marco Marketing")).to_be_visible()
    assert page.url.endswith("/review")
    context.close()


def test_a_forged_or_stale_cookie_opens_nothing(server, browser):
    context = new_context(browser)
    host = server.split("//")[1].split(":")[0]
    context.add_cookies([{"name": "tandem_session", "value": "x" * 43, "domain": host,
                          "path": "/"}])
    page = context.new_page()
    open_app(page, server)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_text("Signed in as")).to_have_count(0)
    context.close()
