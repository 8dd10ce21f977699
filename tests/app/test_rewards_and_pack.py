"""The Alignment page's shared rewards and weekly meeting pack: the factor, the what-if and the
pack are the domain's own; an executive sets the plan, the heads make the pack, a viewer reads.

The demo firm is paid on revenue 40, pipeline 20, win rate 20 and CAC 20: revenue (76.1% of the
annual target) and pipeline (76.2%) pay nothing, win rate pays 1.0055, CAC 0.9165, so the factor
is 0.2 × 1.0055 + 0.2 × 0.9165 = 0.3844 (38.4%).
"""
from __future__ import annotations

from decimal import Decimal

from planning import pack
from planning.rewards import factor, plan
from tests.app.conftest import column_formats, metric, open_page, signed_in, table


def _store(store_file):
    from dashboard.ui.context import open_tandem

    return open_tandem(str(store_file)).store


def _weights(at, **weights: float):
    for kpi in ("revenue", "pipeline", "win_rate", "cac"):
        at.number_input(key=f"rewards_weight_{kpi}").set_value(weights.get(kpi, 0.0))
    at.button(key="FormSubmitter:rewards_form-Save the rewards plan").click().run()
    assert not at.exception, at.exception
    return at


def test_both_see_the_factor_and_what_if(store_file):
    at = open_page(signed_in("Sofia Sales"), "alignment.py")
    assert "Shared rewards" in [s.value for s in at.subheader]
    assert metric(at, "Payout factor") == "38.4%"
    assert factor(_store(store_file), 2026).payout == Decimal("0.3844")
    rows = table(at, "KPI", "Weight", "Attainment", "Payout", "Contribution").value
    assert list(rows["KPI"]) == ["Revenue", "Pipeline", "Win rate", "CAC"]
    assert list(rows["Weight"]) == [40.0, 20.0, 20.0, 20.0]
    assert list(rows["Payout"]) == [0.0, 0.0, 100.55, 91.65]
    formats = column_formats(table(at, "KPI", "Payout"))
    assert (formats["Payout"], formats["Contribution"]) == ("%.2f%%", "%.2f%%")  # as printed
    # What if revenue reaches 100% of target: 0.4 × 1 + 0.3844 = 0.7844.
    label = "If revenue reaches 100.0% of target, the factor becomes"
    assert metric(at, label) == "78.4%"
    # ... and 90%: 0.4 × (0.5 + 0.5 × 0.1 / 0.2) = 0.3, so 0.6844.
    at.number_input(key="rewards_what_if_revenue").set_value(90.0).run()
    assert metric(at, "If revenue reaches 90.0% of target, the factor becomes") == "68.4%"
    at.selectbox(key="rewards_what_if_kpi").set_value("cac").run()
    # CAC at 100%: 0.2 × 1 instead of 0.2 × 0.9165, so 0.3844 + 0.0167 = 0.4011.
    assert metric(at, "If CAC reaches 100.0% of target, the factor becomes") == "40.1%"
    # A head reads the plan; only an executive sets it.
    assert not [n for n in at.number_input if n.key == "rewards_weight_revenue"]
    assert len([c for c in at.get("vega_lite_chart")]) >= 2


def test_an_executive_sets_the_plan(store_file):
    at = open_page(signed_in("Erin Executive"), "alignment.py")
    _weights(at, revenue=50.0, win_rate=50.0)
    assert "Rewards plan of FY2026 saved" in at.success[0].value
    found = plan(_store(store_file), 2026)
    assert found.weights == {"revenue": Decimal(50), "win_rate": Decimal(50)}
    assert found.set_by == "Erin Executive"
    # 0.5 × 0 + 0.5 × 1.0055 = 0.50275 → 0.5028
    assert metric(at, "Payout factor") == "50.3%"


def test_weights_that_do_not_add_up_are_refused(store_file):
    at = open_page(signed_in("Erin Executive"), "alignment.py")
    _weights(at, revenue=50.0, win_rate=40.0)
    assert "the weights add up to 90, not 100" in at.error[0].value
    assert plan(_store(store_file), 2026).weights["revenue"] == Decimal(40)


def test_a_head_makes_the_meeting_pack(store_file):
    at = open_page(signed_in("Marco Marketing"), "alignment.py")
    store = _store(store_file)
    assert pack.last_made(store) is None
    at.button(key="pack_make").click().run()
    assert not at.exception, at.exception
    assert any("is ready" in s.value for s in at.success)
    year, since, markdown, page = at.session_state["meeting_pack"]
    assert year == 2026 and markdown.startswith("# Joint meeting pack · Northwind Analytics")
    assert "**38.4%** of the target incentive" in markdown
    assert page.startswith("<!DOCTYPE html>")
    assert pack.last_made(store) is not None
    assert {b.proto.label for b in at.get("download_button")} == {
        "Download for print (HTML)", "Download as Markdown"}


def test_a_viewer_reads_the_rewards_and_makes_no_pack(store_file):
    at = open_page(signed_in("Vic Viewer"), "alignment.py")
    assert metric(at, "Payout factor") == "38.4%"
    assert not [b for b in at.button if b.key == "pack_make"]
    assert any("make the pack" in c.value for c in at.caption)
