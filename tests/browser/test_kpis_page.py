"""The executive opens the KPI page; a tile shows what `tandem kpis` says for the year."""
from __future__ import annotations

import json
import subprocess
import sys

from playwright.sync_api import expect

from tests.browser.conftest import (
    ROOT,
    choose,
    click,
    fill,
    go_to,
    screenshot,
    sign_in,
    unfold,
    wait_idle,
)
from tests.browser.test_budget_and_import import tile


def test_a_tile_agrees_with_the_command(server, page, tmp_path):
    # The server holds its store open; the same demo firm in a store of its own has the same
    # figures, read through the command exactly as the contract says.
    # `python3 -m planning` is the `tandem` command of this checkout (the one on PATH may be
    # another installation's).
    db = tmp_path / "same-demo.duckdb"
    tandem = [sys.executable, "-m", "planning", "--db", str(db)]
    subprocess.run([*tandem, "init", "--demo"], cwd=ROOT, check=True, capture_output=True)
    out = subprocess.run([*tandem, "kpis", "--year", "2026", "--format", "json"], cwd=ROOT,
                         check=True, capture_output=True, text=True).stdout
    wins = next(r for r in json.loads(out) if r["kpi"] == "wins" and r["period"] == "2026")

    sign_in(page, server, "Erin Executive", "executive-demo-2026")
    go_to(page, "KPIs")
    expect(page.get_by_role("heading", name="Joint KPIs · FY2026")).to_be_visible()
    choose(page, "kpi_period", "Fiscal year 2026")
    expect(tile(page, "Wins")).to_contain_text(f"{int(wins['actual']):,}")
    screenshot(page, "kpis")


def _set_on_track_from(page, percent: str) -> None:
    box = page.locator(".st-key-green_pct input")
    wait_idle(page)
    if not box.is_visible():
        unfold(page, "Status thresholds")
        expect(box).to_be_visible()
    fill(page, "green_pct", percent)
    click(page, "Change the thresholds")


def test_an_executive_changes_when_a_kpi_is_on_track(server, page):
    sign_in(page, server, "Erin Executive", "executive-demo-2026")
    go_to(page, "KPIs")
    expect(page.get_by_text("on track at 100% of target or better")).to_be_visible()
    _set_on_track_from(page, "120.0")
    expect(page.get_by_text("Status thresholds changed")).to_be_visible()
    expect(page.get_by_text("on track at 120% of target or better")).to_be_visible()
    screenshot(page, "kpis-thresholds")
    # Put the default back for the other tests on this server.
    _set_on_track_from(page, "100.0")
    expect(page.get_by_text("on track at 100% of target or better")).to_be_visible()
