"""The KPI page: the period and the filters change the numbers; tiles match the domain."""
from __future__ import annotations

from planning.kpi_values import KpiFilter, scorecard
from planning.money import format_money
from tests.app.conftest import metric, open_page, signed_in


def _card(store_file, period, where=None):
    from dashboard.ui.context import open_tandem

    return {r.kpi: r for r in scorecard(open_tandem(str(store_file)).store, 2026, period,
                                        where or KpiFilter())}


def test_opens_on_the_year_to_date(store_file):
    at = open_page(signed_in("Erin Executive"), "kpis.py")
    card = _card(store_file, "2026-YTD")
    assert at.title[0].value == "Joint KPIs · FY2026"
    assert metric(at, "Revenue") == "$21.22M"
    assert metric(at, "Wins") == f"{card['wins'].actual:,}"
    assert metric(at, "Spend") == format_money(card["spend"].actual, "USD", cents=False)
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
