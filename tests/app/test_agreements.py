"""Targets and the SLA's terms set together, on screen: a head proposes, the other agrees (the
KPI page's "Targets and who agreed them"); the funnel worked backwards and its one action; the
SLA's terms with their agree buttons. Figures are the domain's (planning.agreements,
planning.funnel_back) on the demo firm."""
from __future__ import annotations

import json
from decimal import Decimal

from streamlit.testing.v1 import AppTest

from planning import agreements
from planning.agreements import FIRST_TOUCH, target
from planning.funnel_back import funnel_back
from planning.kpi_values import targets
from tests.app.conftest import metric, open_page, signed_in, table, unfold

Y = 2026
MARCH = target(Y, "mqls", "2026-03")


def _store(store_file):
    from dashboard.ui.context import open_tandem

    return open_tandem(str(store_file)).store


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def _propose(at: AppTest, kpi: str, period: str, value: str, label: str) -> AppTest:
    at.selectbox(key="propose_kpi").set_value(kpi)
    at.selectbox(key="propose_period").set_value(period)
    at.text_input(key="propose_value").input(value)
    _button(at, label).click().run()
    assert not at.exception, at.exception
    return at


def test_a_head_proposes_a_target_and_the_other_head_agrees_on_the_kpi_page(store_file):
    store = _store(store_file)
    at = unfold(open_page(signed_in("Marco Marketing"), "kpis.py"), "targets_expander")
    shown = table(at, "KPI", "Period", "In force", "How it came into force", "Proposed")
    assert len(shown.value) == len(agreements.targets_standing(store, Y))
    revenue = shown.value[(shown.value["KPI"] == "Revenue") & (shown.value["Period"] == "2026")]
    assert list(revenue["In force"]) == ["$27,900,000"]  # whole units, as the tiles
    assert list(revenue["How it came into force"])[0].startswith(
        "proposed by Pat Planner (both departments) on ")
    assert ", agreed by Marco Marketing and Sofia Sales on " in list(
        revenue["How it came into force"])[0]
    in_force = targets(store, Y)[("mqls", "2026-03")]
    _propose(at, "mqls", "2026-03", "1200", "Propose")
    assert at.success[0].value == ("1 target(s) now proposed: nothing in force changes until the"
                                   " sales head agrees.")
    assert targets(store, Y)[("mqls", "2026-03")] == in_force  # nothing in force changed
    waiting = table(at, "KPI", "Proposed", "Waiting for")
    row = waiting.value[waiting.value["Period"] == "2026-03"]
    row = row[row["KPI"] == "MQLs"]
    assert list(row["Proposed"]) == ["1,200"] and list(row["Waiting for"]) == ["the sales head"]
    # The proposer is offered no agree button for his own proposal, only to withdraw it.
    assert "Agree" not in [b.label for b in at.button]
    assert at.multiselect(key="targets_withdraw_pick").options == ["MQLs 2026-03: 1,200"]

    at = unfold(open_page(signed_in("Sofia Sales"), "kpis.py"), "targets_expander")
    assert at.multiselect(key="targets_agree_pick").value == ["MQLs 2026-03"]
    _button(at, "Agree").click().run()
    assert not at.exception
    assert at.success[0].value == "Agreed: 1 value(s) now in force."
    assert targets(store, Y)[("mqls", "2026-03")] == Decimal("1200")
    record = next(s.record for s in agreements.targets_standing(store, Y) if s.key == MARCH)
    assert (record.proposed_by, record.decided_by) == ("Marco Marketing", "Sofia Sales")


def test_the_executive_sets_a_target_at_once_and_a_viewer_only_reads(store_file):
    store = _store(store_file)
    at = unfold(open_page(signed_in("Erin Executive"), "kpis.py"), "targets_expander")
    _propose(at, "win_rate", "2026-Q4", "30%", "Set in force")
    assert at.success[0].value == ("1 target(s) now in force, set by the executive Erin Executive"
                                   " without agreement (the firm's decision).")
    assert targets(store, Y)[("win_rate", "2026-Q4")] == Decimal("0.3")
    shown = table(at, "KPI", "Period", "In force")
    row = shown.value[(shown.value["KPI"] == "Win rate") & (shown.value["Period"] == "2026-Q4")]
    assert list(row["In force"]) == ["30.0%"]
    assert list(row["How it came into force"])[0].endswith(", in force without agreement")

    at = unfold(open_page(signed_in("Vic Viewer"), "kpis.py"), "targets_expander")
    assert table(at, "KPI", "Period", "In force") is not None
    labels = [b.label for b in at.button]
    assert not {"Propose", "Set in force", "Agree", "Withdraw"} & set(labels)


def _sections():
    """The funnel worked backwards and the SLA's terms, as the Hand-off page shows them."""
    from dashboard.ui.agreements import sla_terms_section
    from dashboard.ui.context import actor, tandem
    from dashboard.ui.funnel_back import funnel_back_section

    t = tandem()
    funnel_back_section(t, 2026)
    sla_terms_section(t, 2026, actor(), t.currency)


def _sections_as(name: str) -> AppTest:
    from planning.demo import DEMO_PEOPLE
    from planning.people import Person

    at = AppTest.from_function(_sections, default_timeout=60)
    _, role, department, _password = next(p for p in DEMO_PEOPLE if p[0] == name)
    at.session_state["person"] = Person(name, role, department)
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_funnel_worked_back_and_the_mql_targets_it_writes(store_file):
    store = _store(store_file)
    found = funnel_back(store, Y)
    at = _sections_as("Marco Marketing")
    inputs = table(at, "Input", "Value", "Source", "Owner")
    assert list(inputs.value["Owner"]) == ["sales", "sales", "sales", "joint"]
    assert list(inputs.value["Value"])[0] == f"${found.inputs[0].value:,.2f}"
    months = table(at, "Month", "MQLs needed", "MQLs committed", "MQLs projected")
    assert list(months.value["MQLs needed"]) == [m.mqls for m in found.months]
    assert list(months.value["Wins"]) == [m.wins for m in found.months]
    assert list(months.value["MQLs committed"]) == [int(m.committed) for m in found.months]
    (chart,) = at.get("vega_lite_chart")
    spec = json.loads(chart.proto.spec)
    assert spec["title"]["text"] == ("MQLs needed for the revenue target, against the commitment"
                                     " and the projection")
    assert spec["encoding"]["y"]["title"] == "MQLs per month"
    assert spec["encoding"]["x"]["title"] == "Month"

    _button(at, "Propose the needed MQLs as the monthly MQL targets").click().run()
    assert not at.exception
    assert at.success[0].value == ("12 monthly MQL target(s) now proposed: nothing in force"
                                   " changes until the sales head agrees.")
    waiting = {s.key.period: s.proposal.value for s in agreements.targets_standing(store, Y)
               if s.key.name == "mqls" and s.proposal is not None}
    assert waiting == {m.period: Decimal(m.mqls) for m in found.months}
    months = table(at, "Month", "MQLs needed", "MQLs proposed")
    assert list(months.value["MQLs proposed"]) == [m.mqls for m in found.months]

    # The sales head agrees to them among the SLA's terms: they are the commitment now.
    at = _sections_as("Sofia Sales")
    commitment = table(at, "KPI", "Period", "Proposed", "Waiting for")
    assert len(commitment.value) == 12
    assert set(commitment.value["Waiting for"]) == {"the sales head"}
    assert len(at.multiselect(key="sla_agree_pick").value) == 12
    _button(at, "Agree").click().run()
    assert not at.exception
    assert at.success[0].value == "Agreed: 12 value(s) now in force."
    assert [targets(store, Y)[("mqls", m.period)] for m in found.months] == [
        Decimal(m.mqls) for m in found.months]


def test_the_first_touch_window_is_proposed_and_agreed_among_the_sla_terms(store_file):
    store = _store(store_file)
    at = _sections_as("Marco Marketing")
    at.number_input(key="propose_hours").set_value(8)
    _button(at, "Propose the window").click().run()
    assert not at.exception
    assert at.success[0].value == ("1 SLA term(s) now proposed: nothing in force changes until"
                                   " the sales head agrees.")
    assert store.setting("first_touch_hours") == "24"
    at = _sections_as("Sofia Sales")
    assert any("Proposed: **8 hours** by Marco Marketing (marketing)" in i.value for i in at.info)
    at.multiselect(key="sla_agree_pick").set_value(["First-touch window (hours)"])
    _button(at, "Agree").click().run()
    assert not at.exception
    assert store.setting("first_touch_hours") == "8"
    window = next(s for s in agreements.sla_standing(store) if s.key == FIRST_TOUCH)
    assert (window.record.proposed_by, window.record.decided_by) == ("Marco Marketing",
                                                                     "Sofia Sales")


def test_the_hand_off_page_ends_with_the_funnel_and_the_sla_terms_both_heads_agree(store_file):
    store = _store(store_file)
    at = open_page(signed_in("Marco Marketing"), "handoff.py")
    headings = [s.value for s in at.subheader]
    assert headings[-2:] == ["The funnel worked backwards from revenue",
                             "The SLA's terms, and who agreed them"]
    assert metric(at, "First-touch window") == "24 hours"
    commitment = table(at, "KPI", "Period", "In force", "How it came into force")
    in_force = targets(store, Y)
    assert list(commitment.value["Period"]) == [f"2026-{n:02d}" for n in range(1, 13)]
    assert list(commitment.value["In force"]) == [
        f"{in_force[('mqls', f'2026-{n:02d}')]:,.0f}" for n in range(1, 13)]
    at.number_input(key="propose_hours").set_value(12)
    _button(at, "Propose the window").click().run()
    assert not at.exception
    assert "1 SLA term(s) now proposed" in at.success[0].value

    at = open_page(signed_in("Sofia Sales"), "handoff.py")
    at.multiselect(key="sla_agree_pick").set_value(["First-touch window (hours)"])
    _button(at, "Agree").click().run()
    assert not at.exception
    assert store.setting("first_touch_hours") == "12"
    assert metric(at, "First-touch window") == "12 hours"
    # The page's own caption reads the window in force and how it was agreed.
    assert any("**12 h** (proposed by Marco Marketing (marketing) on " in c.value
               and ", agreed by Sofia Sales on " in c.value for c in at.caption)
