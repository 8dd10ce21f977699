"""A signed-in person stays signed in across a reload, a bookmark and a new tab; signing out
ends the session in every tab."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import screenshot, settle, sign_in


def test_a_reload_and_a_bookmark_keep_a_person_signed_in_until_they_sign_out(server, browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    first = context.new_page()
    first.set_default_timeout(30_000)
    sign_in(first, server, "Sofia Sales", "sales-demo-2026")
    settle(first)
    cookie = next(c for c in context.cookies() if c["name"] == "tandem_session")
    assert len(cookie["value"]) >= 40 and "Sofia" not in cookie["value"]
    assert cookie["sameSite"] == "Strict"

    first.reload()
    first.get_by_text("Signed in as Sofia Sales").wait_for()
    expect(first.get_by_role("heading", name="Shared budget · FY2026")).to_be_visible()

    bookmark = context.new_page()  # a bookmarked page opened in a new tab
    bookmark.set_default_timeout(30_000)
    bookmark.goto(f"{server}/kpis")
    bookmark.get_by_text("Signed in as Sofia Sales").wait_for()
    settle(bookmark)
    assert bookmark.url.endswith("/kpis")
    expect(bookmark.get_by_text("Page not found")).to_have_count(0)
    screenshot(bookmark, "session-bookmark-kpis")

    first.get_by_role("button", name="Sign out").click()
    first.get_by_role("button", name="Sign in").wait_for()
    settle(first)
    assert not [c for c in context.cookies() if c["name"] == "tandem_session" and c["value"]]

    # the other tab held the same session: its next rerun finds it ended and shows no figure
    bookmark.reload()
    bookmark.get_by_role("button", name="Sign in").wait_for()
    settle(bookmark)
    expect(bookmark.get_by_text("Signed in as")).to_have_count(0)
    expect(bookmark.get_by_text("$")).to_have_count(0)
    context.close()


def test_a_signed_out_visitor_with_a_bookmark_sees_the_sign_in_form_then_their_page(server,
                                                                                   browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{server}/review")
    page.get_by_role("button", name="Sign in").wait_for()
    settle(page)
    expect(page.get_by_text("Page not found")).to_have_count(0)
    page.locator(".st-key-sign_in_name input").fill("Marco Marketing")
    page.locator(".st-key-sign_in_password input").fill("marketing-demo-2026")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as Marco Marketing").wait_for()
    settle(page)
    assert page.url.endswith("/review")
    context.close()


def test_a_forged_or_stale_cookie_opens_nothing(server, browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    host = server.split("//")[1].split(":")[0]
    context.add_cookies([{"name": "tandem_session", "value": "x" * 43, "domain": host,
                          "path": "/"}])
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(server)
    page.get_by_role("button", name="Sign in").wait_for()
    settle(page)
    expect(page.get_by_text("Signed in as")).to_have_count(0)
    context.close()
