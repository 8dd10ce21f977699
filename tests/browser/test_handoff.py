"""The Hand-off page in a browser: a head signs in, opens it, and reads both sides on one screen;
the tiles agree with `tandem sla`; on a phone the answer comes first."""
from __future__ import annotations

import csv
import json
import random
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    ROOT,
    SERVER_LOGS,
    go_to,
    new_context,
    screenshot,
    settle,
    sign_in,
    start_app,
    stop_app,
)
from tests.browser.test_budget_and_import import tile

PHONE = {"width": 390, "height": 844}
REPS = ("Ana Ortiz", "Ben Carter", "Chloé Martin", "Dev Patel", "Emma Lind", "Farid Haddad")
SLOW = "Ben Carter"  # touches most MQLs a day or more late
EXPORTED = datetime(2026, 11, 29, 12)


def believable_leads(seed: int = 7) -> list[tuple]:
    """A fiscal year of leads in the demo firm's channels and regions: most MQLs touched within
    hours, one slow rep, some accepted, the latest ones still untouched."""
    with (ROOT / "data" / "demo" / "plan.csv").open(encoding="utf-8") as f:
        places = sorted({(r["channel"], r["region"]) for r in csv.DictReader(f)})
    rng = random.Random(seed)
    leads, start = [], datetime(2025, 12, 20)
    for i in range(3000):
        created = start + timedelta(minutes=rng.randrange(345 * 24 * 60))
        channel, region = rng.choice(places)
        mql = created + timedelta(hours=rng.uniform(0, 48)) if rng.random() < 0.6 else None
        rep = touch = accepted = None
        if mql is not None:
            rep = rng.choice(REPS)
            hours = rng.lognormvariate(3.4 if rep == SLOW else 0.6, 0.9)
            if rng.random() < 0.96:
                touch = mql + timedelta(hours=hours)
            if touch is not None and rng.random() < 0.4:
                accepted = touch + timedelta(days=rng.uniform(1, 10))
        leads.append((f"BR-{i:05d}", created, region, channel, "marketing", mql, rep, touch,
                      accepted))
    return [_exported(lead) for lead in leads if lead[1] < EXPORTED]


def _exported(lead: tuple) -> tuple:
    """The lead as a CRM export of 29 November holds it: nothing later than that."""
    lead_id, created, region, channel, source, mql, rep, touch, accepted = lead
    if mql is None or mql >= EXPORTED:
        return (lead_id, created, region, channel, source, None, None, None, None)
    touch = touch if touch is not None and touch < EXPORTED else None
    accepted = accepted if touch is not None and accepted is not None and \
        accepted < EXPORTED else None
    return (lead_id, created, region, channel, source, mql, rep, touch, accepted)


HANDOFF = """
import sys
from decimal import Decimal
from planning.store import Store
from tests.browser.test_handoff import believable_leads
store = Store(sys.argv[1])
def work(cur):
    if not cur.execute("SELECT count(*) FROM leads").fetchone()[0]:
        cur.executemany("INSERT INTO leads (lead_id, created_at, region, channel, sourced_by,"
                        " mql_at, rep, first_touch_at, sql_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        believable_leads())
    if not cur.execute("SELECT count(*) FROM targets WHERE kpi = 'mqls' AND length(period) = 7"
                       ).fetchone()[0]:
        for m in range(1, 13):
            cur.execute("INSERT INTO targets (id, fiscal_year, kpi, period, target) SELECT"
                        " coalesce(max(id), 0) + 1, 2026, 'mqls', ?, ? FROM targets",
                        [f"2026-{m:02d}", Decimal(150 if m != 6 else 200)])
store.write(work)
store.close()
"""


@pytest.fixture(scope="module")
def handoff_server(tmp_path_factory):
    """The app on the demo firm with a year of leads and monthly MQL targets (the demo's own
    when it has them)."""
    where = tmp_path_factory.mktemp("handoff-store")
    store = where / "tandem.duckdb"
    subprocess.run([sys.executable, "-m", "planning", "init", "--demo"], cwd=ROOT,
                   env={"TANDEM_DB": str(store), **_env()}, check=True, capture_output=True)
    subprocess.run([sys.executable, "-c", HANDOFF, str(store)], cwd=ROOT, check=True,
                   capture_output=True)
    log = where / "streamlit.log"
    url, proc = start_app(store, log)
    SERVER_LOGS.append(log)
    yield url, store
    stop_app(proc)


def _env() -> dict:
    import os

    return dict(os.environ)


def _sla(store, as_of: str) -> dict:
    """What `tandem sla` says as of a time (the app holds the store: the command waits its
    turn)."""
    out = subprocess.run([sys.executable, "-m", "planning", "--db", str(store), "sla",
                          "--year", "2026", "--as-of", as_of, "--format", "json"], cwd=ROOT,
                         check=True, capture_output=True, text=True, timeout=180).stdout
    return json.loads(out)


def test_a_head_reads_both_sides_on_one_screen(handoff_server, page):
    url, store = handoff_server
    sign_in(page, url, "Marco Marketing", "marketing-demo-2026")
    go_to(page, "Hand-off")
    expect(page.get_by_role("heading", name="Hand-off · FY2026")).to_be_visible()
    # The demo's leads end with October: the page judges them as of their last day.
    caption = page.get_by_text("first-touch window", exact=False).first.inner_text()
    as_of = caption.removeprefix("As of ").split(" UTC")[0]
    assert as_of == "2026-11-01 00:00"
    found = _sla(store, as_of)
    months = found["months"]
    breaches = sum(m["breaches"] for m in months)
    expect(tile(page, "Breaches")).to_contain_text(f"{breaches:,}")
    expect(page.get_by_text("Marketing handed over")).to_be_visible()
    # The three charts are drawn, titled.
    for title in ("Marketing: MQLs delivered against the target",
                  "Sales: MQLs touched within the window", "Hours from MQL to first touch"):
        expect(page.get_by_text(title, exact=True).first).to_be_visible()
    # The tables: months, reps (the slow rep named above them), overdue MQLs, channels.
    for heading in ("Month by month", "By rep", "To follow up now",
                    "By channel and region: what the MQLs cost"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    slowest = max(found["reps"], key=lambda r: r["breaches"])
    expect(page.get_by_text(f"Most breaches: {slowest['rep']}")).to_be_visible()
    assert page.get_by_test_id("stDataFrame").count() >= 4
    screenshot(page, "handoff")
    page.set_viewport_size({"width": 1440, "height": 4400})  # the whole page, for a reader
    screenshot(page, "handoff-full")


def test_on_a_phone_the_answer_comes_first(handoff_server, browser):
    url, _store = handoff_server
    context = new_context(browser, viewport=PHONE)
    page = context.new_page()
    sign_in(page, url, "Sofia Sales", "sales-demo-2026")
    page.get_by_test_id("stExpandSidebarButton").click()
    page.get_by_role("link", name="Hand-off").click()
    settle(page)
    expect(page.get_by_role("heading", name="Hand-off · FY2026")).to_be_visible()
    expect(page.get_by_text("Sales touched")).to_be_in_viewport()
    screenshot(page, "handoff-phone")
    page.set_viewport_size({"width": PHONE["width"], "height": 9000})
    screenshot(page, "handoff-phone-full")
    context.close()
