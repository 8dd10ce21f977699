"""The weekly meeting pack in a real browser: a head reads the shared rewards on the Alignment
page, makes the pack with one click and downloads it; the downloaded page opens on its own
(it asks for nothing from anywhere) and prints on A4, a section a page."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import SHOTS, click, go_to, screenshot, sign_in, wait_idle


def test_a_head_makes_and_prints_the_meeting_pack(server, page, browser, tmp_path):
    sign_in(page, server, "Marco Marketing", "marketing-demo-2026")
    go_to(page, "Alignment")
    expect(page.get_by_role("heading", name="Shared rewards")).to_be_visible()
    # The demo's factor: 0.2 × 1.0055 + 0.2 × 0.9165 = 0.3844 (revenue and pipeline below 80%).
    expect(page.get_by_test_id("stMetric").filter(has_text="Payout factor")).to_contain_text(
        "38.4%")
    click(page, "Make the meeting pack")
    expect(page.get_by_text("is ready", exact=False)).to_be_visible()
    screenshot(page, "alignment-rewards-and-pack")
    wait_idle(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download for print (HTML)").click()
    saved = tmp_path / "pack.html"
    download.value.save_as(saved)
    assert re.fullmatch(r"meeting-pack-FY2026-\d{4}-\d{2}-\d{2}\.html",
                        download.value.suggested_filename)

    reader = browser.new_page()
    asked: list[str] = []
    reader.on("request", lambda request: asked.append(request.url))
    reader.goto(saved.as_uri())
    expect(reader.get_by_role("heading", name="Joint meeting pack")).to_be_visible()
    expect(reader.locator("figure svg")).to_have_count(3)
    assert asked == [saved.as_uri()]  # the page alone: no font, script, image or style fetched
    SHOTS.mkdir(exist_ok=True)
    reader.screenshot(path=str(SHOTS / "meeting-pack.png"), full_page=True)
    pdf = reader.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    # At a glance and the KPIs, then where we land, the hand-off, sign-offs, decisions and
    # comments, alignment and rewards: each from a page of its own.
    assert pages >= 7, pages
    reader.close()
