"""The KPI page: the period and the filters change the numbers; tiles match the domain."""
from __future__ import annotations

from decimal import Decimal

from planning.kpi_values import KpiFilter, scorecard
from planning.money import format_compact, format_money
from tests.app.conftest import (
    assert_numeric,
    column_formats,
    metric,
    open_page,
    signed_in,
    table,
    unfold,
)


def _card(store_file, period, where=None):
    from dashboard.ui.context import open_tandem

    return {r.kpi: r for r in scorecard(open_tandem(str(store_file)).store, 2026, period,
                                        where or KpiFilter())}


def test_opens_on_the_year_to_date(store_file):
    at = unfold(open_page(signed_in("Erin Executive"), "kpis.py"), "thresholds_box")
    card = _card(store_file, "2026-YTD")
    assert at.title[0].value == "Joint KPIs · FY2026"
    assert metric(at, "Revenue") == "$21.22M"
    assert metric(at, "Wins") == f"{card['wins'].actual:,}"
    # A million or more shows compact on its tile (the full figure is in the tile's help).
    assert card["spend"].actual >= 1_000_000
    assert metric(at, "Spend") == format_compact(card["spend"].actual, "USD")
    assert metric(at, "Win rate") == f"{card['win_rate'].actual * 100:.1f}%"


def test_a_month_and_a_region_change_the_numbers(store_file):
    at = open_page(signed_in("Erin Executive"), "kpis.py")
    at.selectbox(key="kpi_period").set_value("2026-03").run()
    at.multiselect(key="kpi_region").set_value(["EMEA"]).run()
    assert not at.exception
    card = _card(store_file, "2026-03", KpiFilter(regions=("EMEA",)))
    assert metric(at, "Wins") == f"{card['wins'].actual:,}"
    assert metric(at, "Spend") == format_money(card["spend"].actual, "USD", cents=False)
    assert card["wins"].actual < _card(store_file, "2026-YTD")["wins"].actual


def test_a_month_without_data_shows_n_a_not_zero(store_file):
    at = open_page(signed_in("Vic Viewer"), "kpis.py")
    at.selectbox(key="kpi_period").set_value("2026-12").run()
    assert metric(at, "Win rate") == "n/a"
    assert metric(at, "CAC") == "n/a"
    assert metric(at, "ROI") == "n/a"


def test_an_executive_changes_the_status_thresholds(store_file):
    from dashboard.ui.context import open_tandem
    from planning import audit
    from planning.kpi_values import Thresholds, thresholds

    at = unfold(open_page(signed_in("Erin Executive"), "kpis.py"), "thresholds_box")
    card = _card(store_file, "2026-YTD")
    reached = card["revenue"].attainment
    assert reached is not None
    # Move "on track" above revenue's attainment: its tile must turn from whatever it was to
    # "watch" or "off track", and the caption must state the new thresholds.
    green = float(reached * 100) + 5
    at.number_input(key="green_pct").set_value(green)
    at.number_input(key="amber_pct").set_value(0.0)
    at.button[0].click()  # the form's submit button
    at.run()
    assert not at.exception
    store = open_tandem(str(store_file)).store
    assert thresholds(store) == Thresholds(green=Decimal(f"{green:.1f}") / 100, amber=Decimal(0))
    assert _card(store_file, "2026-YTD")["revenue"].status == "amber"
    assert any("Status thresholds changed" in s.value for s in at.success)
    assert audit.entries(store, limit=1)[0].action == "set thresholds"


def test_inconsistent_thresholds_are_refused_on_the_page(store_file):
    from dashboard.ui.context import open_tandem
    from planning.kpi_values import DEFAULT_THRESHOLDS, thresholds

    at = unfold(open_page(signed_in("Erin Executive"), "kpis.py"), "thresholds_box")
    at.number_input(key="amber_pct").set_value(120.0)  # above green's 100
    at.button[0].click()
    at.run()
    assert any("amber starts below green" in e.value for e in at.error)
    assert thresholds(open_tandem(str(store_file)).store) == DEFAULT_THRESHOLDS


def test_only_an_executive_sees_the_thresholds_form(store_file):
    for name in ("Sofia Sales", "Vic Viewer", "Pat Planner"):
        at = open_page(signed_in(name), "kpis.py")
        assert not [n for n in at.number_input if n.key == "green_pct"], name
        assert sum(c.value.count("on track at 100%") for c in at.caption) == 1


def test_a_region_shows_rates_against_target_and_sums_without(store_file):
    at = open_page(signed_in("Sofia Sales"), "kpis.py")
    at.selectbox(key="kpi_period").set_value("2026-Q3").run()
    at.multiselect(key="kpi_region").set_value(["EMEA"]).run()
    assert not at.exception
    card = _card(store_file, "2026-Q3", KpiFilter(regions=("EMEA",)))
    badges = [c.value for c in at.caption if "badge[" in c.value]
    assert badges[0] == ":gray-badge[no target]"  # revenue: the firm's target is no region's
    assert card["win_rate"].target is not None
    assert badges[3].endswith(f" of {card['win_rate'].target * 100:.1f}%")
    assert any("Targets are the firm's" in c.value for c in at.caption)
    # Against Q2: counts signed, rates in percentage points.
    deltas = {m.label: m.delta for m in at.metric}
    assert deltas["Wins"][0] in "+-" and deltas["Win rate"].endswith(" pts")


def test_every_table_keeps_numbers_as_numbers(store_file):
    at = open_page(signed_in("Erin Executive"), "kpis.py")
    pays = table(at, "Channel", "Spend", "ROI")
    assert_numeric(pays, "Spend", "Opportunities", "Wins", "Revenue", "CAC",
                   "Cost per opportunity", "ROI", "Revenue per $1 spent")
    formats = column_formats(pays)
    assert formats["Spend"] == formats["Revenue"] == "dollar" and formats["Wins"] == "%,.0f"
    # Sorting Spend sorts amounts, not text: $1,071,228.26 comes after $199,485.70.
    spend = sorted(pays.value["Spend"])
    assert spend == sorted(float(e.spend) for e in _view(store_file).efficiency["channel"])
    variance = table(at, "Owner", "Actual", "Planned", "Variance %")
    assert_numeric(variance, "Actual", "Planned", "Variance", "Variance %")
    assert column_formats(variance)["Variance %"] == "%+.1f%%"
    conversions = table(at, "Sourced by")
    steps = [c for c in conversions.value.columns if c != "Sourced by"]
    assert steps
    assert_numeric(conversions, *steps)


def _view(store_file):
    from dashboard.ui.context import open_tandem
    from planning.kpi_views import kpi_view

    return kpi_view(open_tandem(str(store_file)).store, 2026, "2026-YTD", KpiFilter())


def test_a_tile_and_its_target_read_alike(store_file):
    at = unfold(open_page(signed_in("Erin Executive"), "kpis.py"), "thresholds_box")
    card = _card(store_file, "2026-YTD")
    badges = [c.value for c in at.caption if "badge[" in c.value]
    revenue = card["revenue"]
    assert metric(at, "Revenue") == format_compact(revenue.actual, "USD")
    assert badges[0].endswith(f"{revenue.attainment * 100:.0f}% of"
                              f" {format_compact(revenue.target, 'USD')}")
    assert "$22,320,000" not in badges[0]
    labels = [m.label for m in at.metric]
    assert "Marketing-sourced" in labels  # a label that fits its tile; the help has the rest
    share = next(m for m in at.metric if m.label == "Marketing-sourced")
    assert share.help.startswith("Marketing-sourced share: ")
    # The filters other than the period are folded away, so the tiles come first on a phone;
    # the status rules are said below the tiles.
    assert any(e.label == "Region, channel and source" for e in at.expander)
    assert "on track at 100%" not in at.caption[0].value


def test_lines_over_plan_beyond_the_thresholds_are_listed(store_file):
    from dashboard.ui.context import open_tandem
    from planning.overspend import overspent

    over = overspent(open_tandem(str(store_file)).store, 2026)
    at = unfold(open_page(signed_in("Erin Executive"), "kpis.py"), "overspent_box")
    label = next(e.label for e in at.expander if e.label.startswith("Over plan"))
    assert label.startswith(f"Over plan: {len(over):,} line-month(s) of FY2026")
    shown = table(at, "Over", "Planned", "Actual").value
    assert over and len(shown) == len(over)  # the demo firm overspent somewhere
    assert Decimal(str(shown["Over"].iloc[0])) == over[0].over
