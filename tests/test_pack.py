"""The weekly joint meeting pack: its figures are the pages' own (the same functions' outputs),
every section is there, the period filters the decisions and comments, and the HTML page is
one self-contained file."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal as D

import pytest

from planning import pack
from planning.errors import Refused
from planning.forecast import estimate
from planning.kpi_values import year_rows
from planning.kpi_views import kpi_view
from planning.money import format_money
from planning.people import People
from planning.review import Review
from planning.rewards import factor
from planning.sla import sla
from planning.tandem import Tandem
from planning.variance import variances

Y = 2026
TITLES = ["KPIs against target", "Where we land", "The hand-off: SLA breaches",
          "Waiting for sign-off", "Decisions and comments since", "Alignment", "Shared rewards"]


@pytest.fixture
def made(demo: Tandem) -> pack.Pack:
    return pack.build(demo.store, Y, pack.now() - timedelta(days=7), made_by="Erin Executive")


def test_the_figures_are_the_pages_own(demo, made):
    store = demo.store
    view = kpi_view(store, Y, f"{Y}-YTD")  # the KPI page's default period
    assert made.kpi_period == f"{Y}-YTD" and made.kpi_months == view.months
    assert made.kpis == [r for r in view.card.values() if r.target is not None]
    assert {r.kpi for r in made.kpis} >= {"revenue", "pipeline", "win_rate", "cac"}
    assert made.annual == {r.kpi: r for r in year_rows(store, Y)}
    assert made.estimate == estimate(store, Y)  # the Where we land page
    found = variances(store, Y)
    assert made.variances == found
    beyond = [g for g in found.groups if g.needs_explaining and not g.is_total]
    assert made.largest == sorted(beyond, key=lambda g: -abs(g.variance))[:5]
    assert [abs(g.variance) for g in made.largest] == sorted(
        (abs(g.variance) for g in made.largest), reverse=True)
    review = Review(store)
    scenario = demo.adopted_scenario(Y)
    # The Review page's tiles: 8 lines wait for the marketing head, 6 for the sales head.
    assert [(w.department, w.lines) for w in made.waiting] == [
        ("sales", review.waiting(Y, scenario, "sales")),
        ("marketing", review.waiting(Y, scenario, "marketing"))] == [("sales", 6),
                                                                      ("marketing", 8)]
    assert all(len(w.largest) == 5 for w in made.waiting)
    assert [q.amount for q in made.waiting[0].largest] == sorted(
        (q.amount for q in made.waiting[0].largest), reverse=True)
    assert made.rewards == factor(store, Y) and made.rewards.payout == D("0.3844")
    handoff = sla(store, Y)
    if handoff.year.mqls:  # the hand-off page's year
        assert made.sla.year == handoff.year and made.sla.months == handoff.months
    else:
        assert made.sla is None


def test_the_printed_figures_are_the_figures(demo, made):
    text = pack.to_markdown(made)
    e = made.estimate.total
    for amount in (e.planned, e.actual_to_date, e.latest_estimate, e.variance):
        assert format_money(amount, "USD") in text
    revenue = next(r for r in made.kpis if r.kpi == "revenue")
    assert f"| Revenue | {format_money(revenue.actual, 'USD', cents=False)} |" in text
    assert f"{revenue.attainment * 100:.1f}%" in text
    assert "**38.4%** of the target incentive (0.3844)" in text
    # Each KPI's payout and contribution as the Alignment page shows them (2 decimals).
    assert "| Win rate | 20% | 100.6% | 100.55% | 20.11% |" in text
    assert "| Revenue | 40% | 76.1% | 0.00% | 0.00% |" in text
    # If revenue reaches 100% of target: 0.4 × 1 + 0.2 × 1.0055 + 0.2 × 0.9165 = 0.7844.
    assert "If revenue reaches 100% of target, the factor becomes 78.4%." in text
    assert "### For the sales head: 6 line(s)" in text


def test_every_section_is_there(made):
    text = pack.to_markdown(made)
    assert text.startswith("# Joint meeting pack · Northwind Analytics\n")
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert headings[0] == "At a glance"
    assert [h.split(". ", 1)[1] for h in headings[1:]][:4] == TITLES[:4]
    assert headings[5].startswith("5. Decisions and comments since ")
    assert [h.split(". ", 1)[1] for h in headings[6:]] == TITLES[5:]
    page = pack.to_html(made)
    for title in TITLES:
        assert re.search(rf"<h2><span class=\"n\">\d</span>{re.escape(title)}", page), title
    # The first page holds At a glance and the KPIs; every other section starts a page.
    assert page.count("<section") == len(TITLES)
    assert page.count("<svg") == 3  # KPIs, where we land, the payout curve
    assert "Northwind Analytics" in page and "Made " in page and "period covered" in page


def test_the_html_page_is_self_contained(made):
    page = pack.to_html(made)
    assert page.startswith("<!DOCTYPE html>")
    # Nothing is fetched: no script, stylesheet, image or font from anywhere, no link out.
    assert not re.search(r"<script|<link|<img|<iframe|@import|url\(", page, re.I)
    assert not re.search(r"""(src|href)\s*=\s*["']?[a-z]+:""", page, re.I)
    addresses = set(re.findall(r"https?://[^\s\"'<>)]+", page))
    assert addresses <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    assert "@page { size: A4" in page and "break-before: page" in page


def test_the_period_filters_decisions_and_comments(demo):
    store = demo.store
    people = People(store)
    start = pack.now()
    line = store.scalar("SELECT min(id) FROM plan_lines")
    Review(store).comment(people.get("Sofia Sales"), line, "Can we <b>hold</b> this | flat?")
    demo.set_pool(Y, D("6300000.00"), people.get("Erin Executive"))
    since_then = pack.build(store, Y, start, made_by="x")
    assert [(e.actor, e.action) for e in since_then.decisions] == [
        ("Erin Executive", "set pool")]
    assert since_then.decision_count == 1
    assert [(n.author, n.text) for n in since_then.notes] == [
        ("Sofia Sales", "Can we <b>hold</b> this | flat?")]
    week = pack.build(store, Y, start - timedelta(days=7), made_by="x")
    assert week.decision_count > 10 and ("Sofia Sales", "sign off") in {
        (e.actor, e.action) for e in week.decisions}
    assert len(week.notes) == 4 + 1  # the demo's returned line's thread and its question
    before = pack.build(store, Y, start - timedelta(days=7), made_by="x", until=start)
    assert before.decision_count == week.decision_count - 1
    assert all(e.recorded_at < start for e in before.decisions)
    assert len(before.notes) == 4
    # Written out, a person's text is shown as text.
    page = pack.to_html(since_then)
    assert "Can we &lt;b&gt;hold&lt;/b&gt; this | flat?" in page and "<b>hold" not in page
    assert "Can we <b>hold</b> this \\| flat?" in pack.to_markdown(since_then)
    # An entry's money reads as money.
    assert "| Erin Executive | set pool | fiscal year 2026 | pool $6,300,000.00 |" in \
        pack.to_markdown(since_then)


def test_making_a_pack_is_noted_and_the_next_covers_the_time_since(demo):
    store = demo.store
    assert pack.last_made(store) is None
    first = pack.make(store, People(store).get("Marco Marketing"), Y)
    assert first.since == datetime.combine(first.until.date() - timedelta(days=7),
                                           datetime.min.time())
    entry = store.query("SELECT actor, action, entity, after FROM audit_log ORDER BY seq DESC"
                        " LIMIT 1")[0]
    assert entry[:3] == ("Marco Marketing", "make pack", "pack FY2026")
    made_at = pack.last_made(store)
    assert made_at is not None and pack.default_since(store) == made_at
    second = pack.make(store, "administrator", Y)
    assert second.since == made_at
    third = pack.make(store, "administrator", Y, first.until.date())
    assert third.since == datetime.combine(first.until.date(), datetime.min.time())


def test_a_viewer_takes_no_pack_away(demo, snapshot):
    store = demo.store
    before = snapshot(store)
    with pytest.raises(Refused, match=r"^Vic Viewer \(viewer\) may not export the plan's data"):
        pack.make(store, People(store).get("Vic Viewer"), Y)
    assert snapshot(store) == before


def test_a_period_ending_before_it_starts_is_refused(demo):
    with pytest.raises(Refused, match="the pack covers a period up to now: 2999-01-01 is later"):
        pack.make(demo.store, "administrator", Y, datetime(2999, 1, 1).date())


def test_a_firm_with_little_yet_still_gets_a_pack(tandem):
    plan = ("fiscal_year,owner,category,funnel_stage,channel,region,month,amount\n"
            "2026,sales,Travel,purchase,Field sales,EMEA,2026-01,1000.00\n")
    assert tandem.import_csv("plan", plan.encode(), file_name="plan.csv").ok
    made = pack.build(tandem.store, Y, pack.now() - timedelta(days=7), made_by="x")
    text = pack.to_markdown(made)
    for line in ("No KPI has a target for the year to date.",
                 "No MQL was handed to sales in fiscal year 2026.",
                 "Nobody has answered the relationship survey yet.",
                 "No rewards plan is set for fiscal year 2026.",
                 "No month is closed yet: there is no variance to explain.",
                 "No comment was written in this period."):
        assert line in text, line
    assert "| All | $1,000.00 | $0.00 | $1,000.00 | $1,000.00 | $0.00 |" in text
    page = pack.to_html(made)
    assert page.count("<svg") == 1  # where we land; no KPI with a target, no rewards


def test_the_charts_use_the_dashboard_colours():
    from dashboard.ui.charts import OWNER_COLOURS
    from planning.report_charts import OWNER_COLOURS as PRINTED

    assert PRINTED == OWNER_COLOURS
