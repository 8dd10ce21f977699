"""`tandem` commands run while `streamlit run` holds the store: they take their turn instead of
failing, and the open page shows what they wrote on its next rerun, without a restart."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ROOT, go_to, screenshot, settle, sign_in, start_app, stop_app

NIGHTLY = ("fiscal_year,owner,category,funnel_stage,channel,region,month,amount,description\n"
           "2026,joint,Programs,awareness,Webinars,EMEA,2026-11,1234.50,nightly feed\n"
           "2026,joint,Programs,awareness,Webinars,EMEA,2026-12,2345.60,nightly feed\n")


@pytest.fixture
def own_server(tmp_path):
    """The app on a store of its own, so what this test imports stays out of the others."""
    store = tmp_path / "beside.duckdb"
    subprocess.run([sys.executable, "-m", "planning", "init", "--demo"], cwd=ROOT,
                   env={**os.environ, "TANDEM_DB": str(store)}, check=True,
                   capture_output=True)
    url, proc = start_app(store, tmp_path / "streamlit.log")
    yield url, store
    stop_app(proc)


def test_an_import_and_a_report_run_beside_the_app_and_the_page_shows_the_import(
        own_server, browser, tmp_path):
    url, store = own_server
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    sign_in(page, url, "Pat Planner", "planner-demo-2026")
    settle(page)  # the app has the store open now

    plan = tmp_path / "nightly.csv"
    plan.write_text(NIGHTLY, encoding="utf-8")
    env = {**os.environ, "TANDEM_DB": str(store)}
    done = subprocess.run([sys.executable, "-m", "planning", "import", "plan", str(plan),
                           "--scenario", "Nightly feed"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "imported 2 rows of plan" in done.stdout
    report = subprocess.run([sys.executable, "-m", "planning", "kpis", "--year", "2026",
                             "--format", "json"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=300)
    assert report.returncode == 0, report.stderr
    assert '"kpi": "revenue"' in report.stdout

    go_to(page, "Scenarios")
    # the scenarios table (a canvas grid, whose cells are in the page but drawn, not shown)
    cells = page.locator("td[role=gridcell]").filter(has_text="Nightly feed")
    expect(cells.first).to_be_attached()
    screenshot(page, "commands-beside-app")
    context.close()
