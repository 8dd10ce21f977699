"""Who may do what, table-driven: every action against every role on the demo firm.

The five demo people plus a sales planner and a marketing planner try every action. An allowed
call does what it says and leaves an audit entry in its actor's name; a refused call raises
`Refused` naming the person and the rule (or the state that refuses it) and writes nothing.

Demo figures used below (FY2026 baseline, 3264 lines, EMEA, January 2026):
sales Field sales 6 lines 26,755.00 (Headcount purchase 15,245.00 the first);
marketing Paid search 3 lines 12,596.00; joint Partners 2 lines 4,140.00.
"""
from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from planning import access, agreements, rewards
from planning.alignment import answer, department_of, own_answers, quarter_of
from planning.budget import BudgetFilter
from planning.demo import DEMO_PEOPLE, load_demo
from planning.errors import Refused
from planning.forecast import ForecastLine, forecasts, set_forecast
from planning.freed import release
from planning.funnel_back import funnel_back, write_mql_targets
from planning.kpi_values import Thresholds, set_thresholds, thresholds
from planning.mappings import get as mapping_named
from planning.mappings import save as save_mapping
from planning.people import ADMIN_ROLE, People, Person
from planning.review import Review, ReviewResult
from planning.scenarios import LineEdit
from planning.store import Store
from planning.tandem import Tandem
from planning.variance import decide, explain
from tests.conftest import sign_off_everything

D = Decimal
Y = 2026
JAN = date(2026, 1, 1)

SOFIA, MARCO, ERIN = "Sofia Sales", "Marco Marketing", "Erin Executive"
PAT, VIC = "Pat Planner", "Vic Viewer"
SAM, MONA = "Sam Seller", "Mona Marketer"  # planners of one department each
EVERYONE = (SOFIA, MARCO, ERIN, PAT, VIC, SAM, MONA)
EXTRA_PEOPLE = ((SAM, "planner", "sales"), (MONA, "planner", "marketing"))

SALES = BudgetFilter(owners=("sales",), channels=("Field sales",), regions=("EMEA",),
                     month_from=JAN, month_to=JAN)
MARKETING = BudgetFilter(owners=("marketing",), channels=("Paid search",), regions=("EMEA",),
                         month_from=JAN, month_to=JAN)
JOINT = BudgetFilter(owners=("joint",), channels=("Partners",), regions=("EMEA",),
                     month_from=JAN, month_to=JAN)
SIDES = {"sales": SALES, "marketing": MARKETING, "joint": JOINT}
LINES = {"sales": 6, "marketing": 3, "joint": 2}
TOTALS = {"sales": D("26755.00"), "marketing": D("12596.00"), "joint": D("4140.00")}

PLAN_HEADER = "fiscal_year,owner,category,funnel_stage,channel,region,month,amount,description"
NEW_ROWS = {"sales": "2026,sales,Matrix,purchase,Field sales,EMEA,2026-01,10.00,m",
            "marketing": "2026,marketing,Matrix,awareness,Paid search,EMEA,2026-01,20.00,m",
            "joint": "2026,joint,Matrix,loyalty,Partners,EMEA,2026-01,30.00,m"}

SETUP = access.person("setup")  # the server's administrator, preparing a state


# -- the states a case starts from -------------------------------------------------------------
def _alt(t: Tandem) -> None:
    t.scenario_ops.clone(Y, "baseline", "alt", SETUP)


def _submitted(t: Tandem) -> None:
    review = Review(t.store)
    for where in SIDES.values():
        review.submit(SETUP, Y, "baseline", where)


def _signed(t: Tandem) -> None:
    sign_off_everything(t.store, Y, "baseline")


def _locked(t: Tandem) -> None:
    _signed(t)
    t.scenario_ops.lock(Y, "baseline", SETUP)


# Spend in a region of its own for each side, with no plan: beyond any threshold, to explain.
UNPLANNED = {side: (side, "Matrix", "awareness", channel, "Matrixland")
             for side, channel in (("sales", "Field sales"), ("marketing", "Paid search"),
                                   ("joint", "Partners"))}
EXPLAINER = {"sales": SOFIA, "marketing": MARCO, "joint": SOFIA}


def _unplanned(t: Tandem) -> None:
    rows = "".join(f"{','.join(key)},{Y}-10,9000.00\n" for key in UNPLANNED.values())
    assert t.import_csv("actuals", ("owner,category,funnel_stage,channel,region,month,amount\n"
                                    + rows).encode(), file_name="unplanned.csv", actor=SETUP).ok


def _explained(t: Tandem) -> None:
    _unplanned(t)
    for side, (_o, _c, _s, channel, region) in UNPLANNED.items():
        explain(t.store, People(t.store).get(EXPLAINER[side]), Y, side, channel, region,
                "scope", "spend outside the plan")


def _proposed(t: Tandem) -> None:
    """The sales head proposes a revenue target for the year: it waits for the marketing head."""
    agreements.propose_target(t.store, People(t.store).get(SOFIA), Y, "revenue", str(Y),
                              "30000000")


def _proposed_window(t: Tandem) -> None:
    """The marketing head proposes an 8-hour first-touch window: it waits for the sales head."""
    agreements.propose_sla(t.store, People(t.store).get(MARCO), 8)


SETUPS: dict[str, Callable[[Tandem], None]] = {
    "fresh": lambda t: None, "alt": _alt, "submitted": _submitted, "signed": _signed,
    "locked": _locked, "unplanned": _unplanned, "explained": _explained,
    "proposed": _proposed, "proposed_window": _proposed_window}


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A store file for each starting state: the demo firm, its people and two planners more."""
    folder = tmp_path_factory.mktemp("matrix")
    base = folder / "fresh.duckdb"
    import planning.people

    cheap = planning.people.SCRYPT_N
    planning.people.SCRYPT_N = 2**10  # the module fixture runs outside the autouse one
    try:
        t = Tandem(Store(base))
        load_demo(t, review=False)  # the demo's data, every line a draft of baseline
        for name, role, department in EXTRA_PEOPLE:
            People(t.store).add(name, role, "password-2026", department=department,
                                actor="setup")
        t.close()
    finally:
        planning.people.SCRYPT_N = cheap
    found = {"fresh": base}
    for name, prepare in SETUPS.items():
        if name == "fresh":
            continue
        path = folder / f"{name}.duckdb"
        shutil.copy(base, path)
        shutil.copy(f"{base}.key", f"{path}.key")  # the audit key travels with its store
        t = Tandem(Store(path))
        prepare(t)
        t.close()
        found[name] = path
    return found


# -- helpers -----------------------------------------------------------------------------------
def ids(t: Tandem, where: BudgetFilter, scenario: str = "baseline") -> list[int]:
    clauses, params = where.clauses()
    return [r[0] for r in t.store.query(
        "SELECT l.id FROM plan_lines l JOIN scenarios s ON s.id = l.scenario_id"
        f" WHERE s.fiscal_year = ? AND s.name = ? AND {' AND '.join(clauses)} ORDER BY l.id",
        [Y, scenario, *params])]


def lines(t: Tandem, where: BudgetFilter) -> list[tuple]:
    """(amount, version, status, edited_by, locked) of the baseline lines of a filter."""
    found = ids(t, where)
    return t.store.query("SELECT amount, version, status, edited_by, locked FROM plan_lines"
                         " WHERE id IN (SELECT unnest(?)) ORDER BY id", [found])


def total(t: Tandem, where: BudgetFilter) -> Decimal:
    return sum((row[0] for row in lines(t, where)), D("0.00"))


def statuses(t: Tandem, where: BudgetFilter) -> set[str]:
    return {row[2] for row in lines(t, where)}


def last_entry(t: Tandem) -> tuple:
    return t.store.query("SELECT actor, action, entity, after, reason FROM audit_log"
                         " ORDER BY seq DESC LIMIT 1")[0]


def plan_file(*owners: str) -> bytes:
    return (PLAN_HEADER + "\n" + "\n".join(NEW_ROWS[o] for o in owners) + "\n").encode()


def scenario_names(t: Tandem) -> list[str]:
    return sorted(s.name for s in t.scenarios(Y))


# -- the cases ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    name: str
    rule: str  # the ROLES_FOR action whose roles are checked first
    allowed: frozenset[str]
    call: Callable[[Tandem, Person], object]
    check: Callable[[Tandem, Person, object], None]  # what an allowed call did
    audit: tuple[str, str] | None  # (action, entity) of the entry an allowed call leaves
    setup: str = "fresh"
    state: str | None = None  # why a person whose role may do it is still refused
    line: str | None = None  # the audit entity names this side's first line
    deciding: str | None = None  # the entry's action when an executive decides it at once


def case(name: str, rule: str, allowed: set[str] | tuple[str, ...], call, check,
         audit: tuple[str, str] | None, **more) -> Case:
    return Case(name, rule, frozenset(allowed), call, check, audit, **more)


HEADS = {SOFIA, MARCO}
PLANNERS = {PAT, SAM, MONA}
SALES_SIDE = {SOFIA, PAT, SAM}
MARKETING_SIDE = {MARCO, PAT, MONA}
JOINT_SIDE = HEADS | PLANNERS
MANAGERS = HEADS | PLANNERS | {ERIN}
EDITORS = {"sales": SALES_SIDE, "marketing": MARKETING_SIDE, "joint": JOINT_SIDE}


def _import_plan(*owners: str) -> Case:
    expected = sum((D(NEW_ROWS[o].split(",")[7]) for o in owners), D("0.00"))

    def call(t: Tandem, who: Person):
        return t.import_csv("plan", plan_file(*owners), file_name="matrix.csv", actor=who)

    def check(t: Tandem, who: Person, report) -> None:
        assert report.ok and (report.rows, report.added) == (len(owners), len(owners))
        assert t.store.query("SELECT sum(amount), list(DISTINCT edited_by), count(*)"
                             " FROM plan_lines WHERE category = 'Matrix'") == [
            (expected, [who.name], len(owners))]

    allowed = set.intersection(*(EDITORS[o] for o in owners))
    return case(f"import_plan_{'_'.join(owners)}", "import", allowed, call, check,
                ("import", "plan matrix.csv"))


def _import_targets(t: Tandem, who: Person):
    return t.import_csv("targets", b"fiscal_year,kpi,period,target\n2026,revenue,2026,30000000\n",
                        file_name="targets.csv", actor=who)


REVENUE = agreements.target(Y, "revenue", str(Y))


def _revenue(t: Tandem) -> tuple[Decimal, tuple | None]:
    """The year's revenue target in force, and the proposal of it waiting (value, by, for)."""
    s = next(s for s in agreements.targets_standing(t.store, Y) if s.key == REVENUE)
    p = s.proposal
    return s.in_force, None if p is None else (p.value, p.proposed_by, p.department)


def _check_revenue_proposed(t: Tandem, who: Person) -> None:
    """A head's or planner's revenue target of 30M waits beside the demo's 27.9M; an
    executive's is in force at once."""
    if who.role == "executive":
        assert _revenue(t) == (D("30000000"), None)
    else:
        assert _revenue(t) == (D("27900000"), (D("30000000"), who.name,
                                               who.head_of or who.department))


def _check_targets(t: Tandem, who: Person, report) -> None:
    assert report.ok and (report.rows, report.updated) == (1, 1)
    assert report.proposed == (0 if who.role == "executive" else 1)
    _check_revenue_proposed(t, who)


def _check_agreed(t: Tandem, who: Person, _result) -> None:
    assert _revenue(t) == (D("30000000"), None)
    record = next(s.record for s in agreements.targets_standing(t.store, Y) if s.key == REVENUE)
    assert (record.proposed_by, record.decided_by) == (SOFIA, who.name)


def _check_derived(t: Tandem, who: Person, _result) -> None:
    """Each month's needed MQLs, proposed by the head (in force for an executive)."""
    needed = {m.period: D(m.mqls) for m in funnel_back(t.store, Y).months}
    found = {s.key.period: (s.in_force if who.role == "executive" else s.proposal.value)
             for s in agreements.targets_standing(t.store, Y)
             if s.key.name == "mqls" and s.key.period in needed}
    assert found == needed and len(needed) == 12


def _check_window(t: Tandem, who: Person, _result) -> None:
    window = agreements.sla_standing(t.store)[0]
    if who.role == "executive":
        assert (t.store.setting("first_touch_hours"), window.proposal) == ("8", None)
    else:
        assert t.store.setting("first_touch_hours") == "24"
        assert (window.proposal.value, window.proposal.proposed_by) == (D("8"), who.name)


def _check_window_agreed(t: Tandem, who: Person, _result) -> None:
    window = agreements.sla_standing(t.store)[0]
    assert (t.store.setting("first_touch_hours"), window.proposal) == ("8", None)
    assert (window.record.proposed_by, window.record.decided_by) == (MARCO, who.name)


def _import_actuals(t: Tandem, who: Person):
    text = ("owner,category,funnel_stage,channel,region,month,amount,description,reference\n"
            "sales,Matrix,purchase,Field sales,EMEA,2026-01,12.34,m,INV-MATRIX\n")
    return t.import_csv("actuals", text.encode(), file_name="actuals.csv", actor=who)


def _check_actuals(t: Tandem, who: Person, report) -> None:
    assert report.ok and (report.rows, report.added) == (1, 1)
    assert t.store.query("SELECT amount FROM actuals WHERE reference = 'INV-MATRIX'") == [
        (D("12.34"),)]


def _import_leads(t: Tandem, who: Person):
    text = ("lead_id,created_at,region,channel,sourced_by,mql_at,rep,first_touch_at\n"
            "MATRIX-1,2026-03-02 09:00,EMEA,Webinars,marketing,2026-03-02 10:00,Ann,"
            "2026-03-02T12:00:00+01:00\n")
    return t.import_csv("leads", text.encode(), file_name="leads.csv", actor=who)


def _check_leads(t: Tandem, who: Person, report) -> None:
    assert report.ok and (report.rows, report.added) == (1, 1)
    assert t.store.query("SELECT strftime(first_touch_at, '%Y-%m-%d %H:%M'), rep FROM leads"
                         " WHERE lead_id = 'MATRIX-1'") == [("2026-03-02 11:00", "Ann")]


def _import_survey(t: Tandem, who: Person):
    return t.import_csv("survey", b"respondent,department,period,item,score\n"
                        b"MATRIX,Sales,2026-Q4,7,4\n", file_name="survey.csv", actor=who)


def _check_survey(t: Tandem, who: Person, report) -> None:
    assert report.ok and (report.rows, report.added) == (1, 1)
    assert t.store.query("SELECT department, item, score FROM survey_answers"
                         " WHERE respondent = 'MATRIX'") == [("sales", 7, 4)]


def _scale(side: str) -> Case:
    def call(t: Tandem, who: Person):
        return t.scenario_ops.scale(Y, "baseline", D("10"), SIDES[side], who)

    def check(t: Tandem, who: Person, result) -> None:
        assert result.change == (TOTALS[side] / 10).quantize(D("0.01"))
        assert total(t, SIDES[side]) == TOTALS[side] * D("1.1")
        assert {r[1:4] for r in lines(t, SIDES[side])} == {(2, "draft", who.name)}

    allowed = EDITORS[side]
    return case(f"scale_{side}", "change_lines", allowed, call, check,
                ("scale", "scenario baseline"))


def _shift(source: str, target: str, allowed: set[str]) -> Case:
    def call(t: Tandem, who: Person):
        return t.scenario_ops.shift(Y, "baseline", D("100.00"), SIDES[source], SIDES[target], who)

    def check(t: Tandem, who: Person, result) -> None:
        assert (result.change, result.total_after) == (D("0.00"), D("5966651.00"))
        assert total(t, SIDES[source]) == TOTALS[source] - 100
        assert total(t, SIDES[target]) == TOTALS[target] + 100

    return case(f"shift_{source}_to_{target}", "change_lines", allowed, call, check,
                ("shift", "scenario baseline"))


def _split_sales(t: Tandem, who: Person):
    return t.scenario_ops.split(Y, "baseline", D("100.00"), SALES, who)


def _check_split(t: Tandem, who: Person, result) -> None:
    assert (result.lines_changed, result.change) == (6, D("100.00"))
    assert total(t, SALES) == D("26855.00")


def _variance_entity(side: str) -> str:
    return f"variance {Y} to {Y}-10 {side} {UNPLANNED[side][3]} Matrixland"


def _explain(side: str) -> Case:
    def call(t: Tandem, who: Person):
        return explain(t.store, who, Y, side, UNPLANNED[side][3], "Matrixland", "timing",
                       "paid early")

    def check(t: Tandem, who: Person, _result) -> None:
        assert t.store.query("SELECT explained_by, status FROM variance_explanations") == [
            (who.name, "explained")]

    return case(f"explain_{side}", "explain_variance", EDITORS[side], call, check,
                ("explain variance", _variance_entity(side)), setup="unplanned")


def _accept(side: str) -> Case:
    deciders = {"sales": {MARCO}, "marketing": {SOFIA}, "joint": {MARCO}}[side]
    refused = (f"{EXPLAINER[side]} ({'sales' if EXPLAINER[side] == SOFIA else 'marketing'} head)"
               + (" explained this variance; the other head decides on it (four eyes)"
                  if side == "joint" else
                  " may not accept their own department's explanation; the other department's"
                  " head does"))

    def call(t: Tandem, who: Person):
        return decide(t.store, who, Y, side, UNPLANNED[side][3], "Matrixland", accept=True)

    def check(t: Tandem, who: Person, _result) -> None:
        assert t.store.query("SELECT decided_by, status FROM variance_explanations WHERE"
                             " owner = ?", [side]) == [(who.name, "accepted")]

    return case(f"accept_{side}", "accept_explanation", deciders, call, check,
                ("accept explanation", _variance_entity(side)), setup="explained",
                state=refused)


# The survey is open for the current fiscal quarter only (the demo's year starts in January).
SURVEY = quarter_of(datetime.now(timezone.utc).date(), 1)
FOURS = {item: 4 for item in range(1, 21)}


def _check_answer(t: Tandem, who: Person, _result) -> None:
    # (the demo firm's own answers are of earlier quarters)
    assert t.store.query("SELECT DISTINCT respondent, department FROM survey_answers"
                         " WHERE period = ?", [SURVEY]) == [(who.name, department_of(who))]
    assert own_answers(t.store, who, SURVEY) == FOURS


def _check_approved(t: Tandem, who: Person, state) -> None:
    assert state.approvals == {who.head_of: who.name} and not state.released_now


def _forecast(side: str) -> Case:
    """A forecast of an open month (the demo's actuals run to October) for one side's key."""
    line = ForecastLine(side, "Matrix", "purchase", "Field sales", "EMEA", date(Y, 12, 1),
                        D("42.00"))

    def call(t: Tandem, who: Person):
        return set_forecast(t.store, who, Y, [line])

    def check(t: Tandem, who: Person, changed) -> None:
        assert changed == 1
        assert forecasts(t.store, Y) == [line]

    return case(f"forecast_{side}", "forecast", EDITORS[side], call, check,
                ("set forecast", f"forecast {Y} {side} Matrix purchase Field sales EMEA 2026-12"))


def _edit(side: str) -> Case:
    def call(t: Tandem, who: Person):
        first = ids(t, SIDES[side])[0]
        return t.scenario_ops.edit_lines(Y, "baseline", [LineEdit(first, 1, D("1.00"))], who)

    def check(t: Tandem, who: Person, result) -> None:
        assert result.lines_changed == 1
        assert lines(t, SIDES[side])[0] == (D("1.00"), 2, "draft", who.name, False)

    allowed = EDITORS[side]
    return case(f"edit_{side}", "change_lines", allowed, call, check, ("edit line", None),
                line=side)


def _lock_lines(side: str) -> Case:
    def call(t: Tandem, who: Person):
        return t.scenario_ops.lock_lines(Y, "baseline", SIDES[side], who)

    def check(t: Tandem, who: Person, changed) -> None:
        assert changed == LINES[side]
        assert {r[4] for r in lines(t, SIDES[side])} == {True}

    allowed = EDITORS[side]
    return case(f"lock_lines_{side}", "change_lines", allowed, call, check,
                ("lock lines", "scenario baseline"))


def _submit(side: str) -> Case:
    def call(t: Tandem, who: Person):
        return Review(t.store).submit(who, Y, "baseline", SIDES[side])

    def check(t: Tandem, who: Person, result) -> None:
        assert result == ReviewResult("submit", LINES[side])
        assert statuses(t, SIDES[side]) == {"submitted"}

    allowed = EDITORS[side]
    return case(f"submit_{side}", "submit", allowed, call, check, ("submit", "scenario baseline"))


def _sign(side: str) -> Case:
    def call(t: Tandem, who: Person):
        return Review(t.store).sign(who, Y, "baseline", SIDES[side])

    def check(t: Tandem, who: Person, result) -> None:
        done = 0 if side == "joint" else LINES[side]
        assert result == ReviewResult("sign off", LINES[side], done)
        assert statuses(t, SIDES[side]) == {"submitted" if side == "joint" else "signed_off"}
        assert t.store.query("SELECT DISTINCT version, department, person FROM sign_offs") == [
            (1, who.head_of, who.name)]

    allowed = {"sales": {MARCO}, "marketing": {SOFIA}, "joint": HEADS}[side]
    return case(f"sign_{side}", "review", allowed, call, check, ("sign off", "scenario baseline"),
                setup="submitted")


def _return(side: str) -> Case:
    def call(t: Tandem, who: Person):
        return Review(t.store).return_lines(who, Y, "baseline", SIDES[side], "too much")

    def check(t: Tandem, who: Person, result) -> None:
        assert result == ReviewResult("return", LINES[side])
        assert statuses(t, SIDES[side]) == {"returned"}
        assert t.store.query("SELECT author, body, count(*) FROM comments GROUP BY ALL") == [
            (who.name, "too much", LINES[side])]

    allowed = {"sales": {MARCO}, "marketing": {SOFIA}, "joint": HEADS}[side]
    return case(f"return_{side}", "review", allowed, call, check, ("return", "scenario baseline"),
                setup="submitted")


def _check_locked(t: Tandem, who: Person, _result) -> None:
    assert [s.locked for s in t.scenarios(Y)] == [True]


def _reopen(reason: str, setup: str, state: str | None, allowed: set[str]) -> Case:
    def call(t: Tandem, who: Person):
        return Review(t.store).reopen(who, Y, "baseline", reason)

    def check(t: Tandem, who: Person, _result) -> None:
        assert [s.locked for s in t.scenarios(Y)] == [False]
        assert last_entry(t)[4] == reason

    return case(f"reopen_{setup}_{'reason' if reason.strip() else 'no_reason'}", "reopen",
                allowed, call, check, ("reopen", "scenario baseline"), setup=setup, state=state)


ASSUMPTIONS = {
    "cost_per_lead": (D("120"), MARKETING_SIDE), "lead_to_mql": (D("0.3"), MARKETING_SIDE),
    "lead_spend_share": (D("0.9"), MARKETING_SIDE), "mql_to_sql": (D("0.4"), JOINT_SIDE),
    "sql_to_opportunity": (D("0.5"), SALES_SIDE), "opportunity_to_win": (D("0.25"), SALES_SIDE),
    "deal_size": (D("50000"), SALES_SIDE),
    "pipeline_per_opportunity": (D("120000"), SALES_SIDE),
}


def _assumption(name: str) -> Case:
    value, allowed = ASSUMPTIONS[name]

    def call(t: Tandem, who: Person):
        return t.set_assumption(Y, "baseline", name, value, who, "matrix")

    def check(t: Tandem, who: Person, _result) -> None:
        assert t.store.query("SELECT name, channel, value, set_by, reason FROM assumptions") == [
            (name, "", value, who.name, "matrix")]
        assert json.loads(last_entry(t)[3]) == {"name": name, "channel": "",
                                                "value": str(value)}

    return case(f"set_assumption_{name}", "set_assumption", allowed, call, check,
                ("set assumption", "scenario baseline"))


def _comment(t: Tandem, who: Person):
    return Review(t.store).comment(who, ids(t, JOINT)[0], "  looks high  ")


def _check_comment(t: Tandem, who: Person, _result) -> None:
    assert [r[1:4] for r in Review(t.store).comments(ids(t, JOINT)[0])] == [
        (ids(t, JOINT)[0], who.name, "looks high")]


def _check_clone(t: Tandem, who: Person, result) -> None:
    assert (result.lines_changed, result.total_after) == (3264, D("5966651.00"))
    assert scenario_names(t) == ["baseline", "copy"]


def _check_names(*names: str) -> Callable[[Tandem, Person, object], None]:
    def check(t: Tandem, who: Person, _result) -> None:
        assert scenario_names(t) == sorted(names)

    return check


def _check_adopted(t: Tandem, who: Person, _result) -> None:
    assert t.adopted_scenario(Y) == "alt"


def _check_pool(t: Tandem, who: Person, _result) -> None:
    assert t.pool(Y) == D("6500000.00")


STRICTER = Thresholds(D("1.00"), D("0.95"), D("0.05"), D("0.10"))


MAPPING = """kind = "actuals"
[columns]
month = "Posting Date"
amount = "Amount"
channel = "Vendor"
region = "Cost Center"
[constants]
owner = "marketing"
category = "Programs"
funnel_stage = "awareness"
"""


def _check_mapping(t: Tandem, who: Person, _result) -> None:
    assert mapping_named(t.store, "ERP").saved_by == who.name


def _check_thresholds(t: Tandem, who: Person, _result) -> None:
    assert thresholds(t.store) == STRICTER


REWARDS = {"revenue": D(40), "pipeline": D(20), "win_rate": D(20), "cac": D(20)}


def _check_rewards(t: Tandem, who: Person, _result) -> None:
    found = rewards.plan(t.store, Y)
    assert (found.weights, found.set_by) == (REWARDS, who.name)


NOT_SIGNED = "3264 line(s) of baseline are not signed off yet; a scenario locks when every line is"

def _check_export(t: Tandem, who: Person, text: str) -> None:
    assert text.startswith("fiscal_year,owner,category,")
    assert len(text.splitlines()) == 1 + t.store.scalar(
        "SELECT count(*) FROM plan_lines l JOIN scenarios s ON s.id = l.scenario_id"
        " WHERE s.name = 'baseline'")


CASES: list[Case] = [
    _import_plan("sales"), _import_plan("marketing"), _import_plan("joint"),
    _import_plan("sales", "marketing"), _import_plan("marketing", "joint"),
    case("import_targets", "import_targets", MANAGERS, _import_targets, _check_targets,
         ("import", "targets targets.csv")),
    case("import_actuals", "import", HEADS | PLANNERS, _import_actuals, _check_actuals,
         ("import", "actuals actuals.csv")),
    case("import_leads", "import", HEADS | PLANNERS, _import_leads, _check_leads,
         ("import", "leads leads.csv")),
    case("import_survey", "import", HEADS | PLANNERS, _import_survey, _check_survey,
         ("import", "survey survey.csv")),
    case("clone", "manage_scenarios", MANAGERS,
         lambda t, who: t.scenario_ops.clone(Y, "baseline", "copy", who), _check_clone,
         ("clone", "scenario copy")),
    case("rename", "manage_scenarios", MANAGERS,
         lambda t, who: t.scenario_ops.rename(Y, "alt", "renamed", who),
         _check_names("baseline", "renamed"), ("rename", "scenario alt"), setup="alt"),
    case("delete", "manage_scenarios", MANAGERS,
         lambda t, who: t.scenario_ops.delete(Y, "alt", who), _check_names("baseline"),
         ("delete", "scenario alt"), setup="alt"),
    case("adopt", "adopt", HEADS | {ERIN},
         lambda t, who: t.scenario_ops.adopt(Y, "alt", who), _check_adopted,
         ("adopt", "fiscal year 2026"), setup="alt"),
    _scale("sales"), _scale("marketing"), _scale("joint"),
    _shift("sales", "joint", SALES_SIDE), _shift("marketing", "sales", {PAT}),
    _shift("joint", "marketing", MARKETING_SIDE),
    case("split_sales", "change_lines", SALES_SIDE, _split_sales, _check_split,
         ("split", "scenario baseline")),
    _edit("sales"), _edit("marketing"), _edit("joint"),
    _lock_lines("sales"), _lock_lines("marketing"), _lock_lines("joint"),
    _submit("sales"), _submit("marketing"), _submit("joint"),
    _sign("sales"), _sign("marketing"), _sign("joint"),
    _return("sales"), _return("marketing"), _return("joint"),
    case("lock_signed_off", "lock_scenario", HEADS,
         lambda t, who: t.scenario_ops.lock(Y, "baseline", who), _check_locked,
         ("lock", "scenario baseline"), setup="signed"),
    case("review_lock_signed_off", "lock_scenario", HEADS,
         lambda t, who: Review(t.store).lock(who, Y, "baseline"), _check_locked,
         ("lock", "scenario baseline"), setup="signed"),
    case("lock_not_signed_off", "lock_scenario", set(),
         lambda t, who: t.scenario_ops.lock(Y, "baseline", who), _check_locked, None,
         state=NOT_SIGNED),
    case("review_lock_not_signed_off", "lock_scenario", set(),
         lambda t, who: Review(t.store).lock(who, Y, "baseline"), _check_locked, None,
         state=NOT_SIGNED),
    _reopen("budget cut in March", "locked", None, {ERIN}),
    _reopen("   ", "locked",
            "say why the plan is reopened: the reason is kept in the audit trail", set()),
    _reopen("budget cut in March", "fresh", "scenario 'baseline' is not locked", set()),
    case("set_pool", "set_pool", {ERIN},
         lambda t, who: t.set_pool(Y, D("6500000.00"), who), _check_pool,
         ("set pool", "fiscal year 2026")),
    case("export", "export", MANAGERS,
         lambda t, who: t.export_csv("plan", year=Y, actor=who),
         _check_export, ("export", "plan FY2026")),
    case("configure", "configure", {ERIN},
         lambda t, who: set_thresholds(t.store, who, STRICTER), _check_thresholds,
         ("set thresholds", "KPI status")),
    case("set_rewards", "set_rewards", {ERIN},
         lambda t, who: rewards.set_plan(t.store, who, Y, REWARDS), _check_rewards,
         ("set rewards", f"rewards {Y}")),
    *[_assumption(name) for name in ASSUMPTIONS],
    case("comment", "comment", MANAGERS, _comment, _check_comment, ("comment", None),
         line="joint"),
    _forecast("sales"), _forecast("marketing"), _forecast("joint"),
    _explain("sales"), _explain("marketing"), _explain("joint"),
    _accept("sales"), _accept("marketing"), _accept("joint"),
    case("answer_survey", "answer_survey", MANAGERS,
         lambda t, who: answer(t.store, who, SURVEY, FOURS), _check_answer,
         ("answer survey", f"survey {SURVEY}")),
    case("release_freed", "release_freed", HEADS,
         lambda t, who: release(t.store, who, Y), _check_approved,
         ("approve release", f"freed money {Y} to {Y}-10"),
         state="money freed on joint lines needs both heads' approval; waiting for the sales"
               " and marketing head"),
    case("manage_mappings", "manage_mappings", HEADS | PLANNERS,
         lambda t, who: save_mapping(t.store, who, "ERP", MAPPING), _check_mapping,
         ("add mapping", "mapping ERP")),
    case("propose_target", "propose_target", MANAGERS,
         lambda t, who: agreements.propose_target(t.store, who, Y, "revenue", str(Y),
                                                  "30000000"),
         lambda t, who, _r: _check_revenue_proposed(t, who),
         ("propose targets", f"targets FY{Y}"), deciding="set targets"),
    case("agree_target", "agree_target", {MARCO, ERIN},
         lambda t, who: agreements.agree(t.store, who, [REVENUE]), _check_agreed,
         ("agree targets", f"targets FY{Y}"), deciding="set targets", setup="proposed",
         state="Sofia Sales (sales head) may not agree to the sales department's own proposal"
               " of Revenue 2026; the marketing head agrees"),
    case("derive_targets", "derive_targets", HEADS | {ERIN},
         lambda t, who: write_mql_targets(t.store, who, Y), _check_derived,
         ("propose targets", f"targets FY{Y}"), deciding="set targets"),
    case("propose_sla", "propose_sla", HEADS | {ERIN},
         lambda t, who: agreements.propose_sla(t.store, who, 8), _check_window,
         ("propose SLA", "service-level agreement"), deciding="set SLA"),
    case("agree_sla", "agree_sla", {SOFIA, ERIN},
         lambda t, who: agreements.agree(t.store, who, [agreements.FIRST_TOUCH]),
         _check_window_agreed, ("agree SLA", "service-level agreement"), deciding="set SLA",
         setup="proposed_window",
         state="Marco Marketing (marketing head) may not agree to the marketing department's own"
               " proposal of First-touch window (hours); the sales head agrees"),
]


@pytest.fixture
def fresh_copy(templates: dict[str, Path], tmp_path: Path):
    opened: list[Tandem] = []

    def open_copy(setup: str) -> Tandem:
        path = tmp_path / "matrix.duckdb"
        shutil.copy(templates[setup], path)
        shutil.copy(f"{templates[setup]}.key", f"{path}.key")
        t = Tandem(Store(path))
        opened.append(t)
        return t

    yield open_copy
    for t in opened:
        t.close()


@pytest.fixture(scope="module")
def snapshots() -> dict[str, object]:
    """The snapshot of each starting state, taken once: every copy of a template is the same."""
    return {}


@pytest.mark.parametrize("who", EVERYONE, ids=lambda n: n.split()[0].lower())
@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_role_action_matrix(c: Case, who: str, fresh_copy, snapshot, snapshots):
    t = fresh_copy(c.setup)
    person = People(t.store).get(who)
    entity = f"line {ids(t, SIDES[c.line])[0]}" if c.line else (c.audit or ("", ""))[1]
    seq = t.store.scalar("SELECT max(seq) FROM audit_log")
    if who in c.allowed:
        result = c.call(t, person)
        c.check(t, person, result)
        assert c.audit is not None
        action = c.deciding if c.deciding and person.role == "executive" else c.audit[0]
        assert last_entry(t)[:3] == (who, action, entity)
        assert t.store.scalar("SELECT max(seq) FROM audit_log") > seq
        return
    if c.setup not in snapshots:
        snapshots[c.setup] = snapshot(t.store)
    before = snapshots[c.setup]
    with pytest.raises(Refused) as refused:
        c.call(t, person)
    message = str(refused.value)
    if c.state and access.allowed(person, c.rule):
        assert message == c.state
    else:
        assert message.startswith(f"{person.describe()} may not "), message
    assert snapshot(t.store) == before


# -- the table itself ------------------------------------------------------------------------
def test_every_case_names_a_rule_and_known_people():
    assert {c.rule for c in CASES} == set(access.ROLES_FOR) - {"view"}
    assert len({c.name for c in CASES}) == len(CASES) == 72
    for c in CASES:
        assert c.allowed <= set(EVERYONE), c.name
        assert c.setup in SETUPS


def test_roles_for_is_the_documented_table():
    def roles(action: str) -> set[str]:
        return access.ROLES_FOR[action] - {ADMIN_ROLE}

    heads = {"sales_head", "marketing_head"}
    assert roles("view") == heads | {"executive", "planner", "viewer"}
    assert roles("export") == heads | {"executive", "planner"}
    assert roles("import") == heads | {"planner"}
    assert roles("import_targets") == heads | {"planner", "executive"}
    assert roles("manage_scenarios") == heads | {"planner", "executive"}
    assert roles("adopt") == heads | {"executive"}
    assert roles("change_lines") == heads | {"planner"}
    assert roles("submit") == heads | {"planner"}
    assert roles("review") == heads
    assert roles("lock_scenario") == heads
    assert roles("reopen") == {"executive"}
    assert roles("set_pool") == {"executive"}
    assert roles("configure") == {"executive"}
    assert roles("set_assumption") == heads | {"planner"}
    assert roles("comment") == heads | {"executive", "planner"}
    assert roles("forecast") == heads | {"planner"}
    assert roles("explain_variance") == heads | {"planner"}
    assert roles("accept_explanation") == heads
    assert roles("release_freed") == heads | {"executive"}
    assert roles("propose_target") == heads | {"planner", "executive"}
    assert roles("agree_target") == heads | {"executive"}
    assert roles("derive_targets") == heads | {"executive"}
    assert roles("propose_sla") == heads | {"executive"}
    assert roles("agree_sla") == heads | {"executive"}
    assert roles("set_rewards") == {"executive"}
    assert roles("answer_survey") == heads | {"executive", "planner"}
    assert roles("manage_mappings") == heads | {"planner"}
    # The server's administrator may do everything but the review, deciding on explanations and
    # answering the survey (a person's own view).
    assert {a for a, r in access.ROLES_FOR.items() if ADMIN_ROLE not in r} == {
        "review", "accept_explanation", "answer_survey"}
    assert set(access.WHAT) == set(access.ROLES_FOR)


def test_a_viewer_may_view_and_nobody_signed_out_may_do_anything():
    viewer = Person("V", "viewer")
    assert access.allowed(viewer, "view") is True
    assert access.allowed(viewer, "comment") is False
    assert access.allowed(None, "view") is False
    with pytest.raises(Refused, match="^sign in first$"):
        access.require(None, "view")
    with pytest.raises(Refused, match="^sign in first$"):
        access.person(None)
    assert access.person("ops") == Person("ops", ADMIN_ROLE)
    assert access.person(viewer) is viewer
    with pytest.raises(Refused) as refused:
        access.require(viewer, "set_pool")
    assert str(refused.value) == ("V (viewer) may not set the pool; that is for: administrator,"
                                  " executive")


def test_the_administrator_may_change_lines_but_never_review(fresh_copy, snapshot):
    t = fresh_copy("fresh")
    ops = access.person("ops")
    result = t.scenario_ops.shift(Y, "baseline", D("1.00"), MARKETING, SALES, "ops")
    assert (result.lines_changed, result.change) == (9, D("0.00"))
    assert Review(t.store).submit(ops, Y, "baseline", SALES) == ReviewResult("submit", 6)
    before = snapshot(t.store)
    with pytest.raises(Refused) as refused:
        Review(t.store).sign(ops, Y, "baseline", SALES)
    assert str(refused.value) == ("ops (administrator) may not sign off or return lines; that is"
                                  " for: marketing head, sales head")
    with pytest.raises(Refused):
        Review(t.store).return_lines(ops, Y, "baseline", SALES, "no")
    assert snapshot(t.store) == before


def test_a_person_signed_out_is_refused_everywhere(fresh_copy, snapshot):
    t = fresh_copy("fresh")
    before = snapshot(t.store)
    for call in (lambda: t.scenario_ops.scale(Y, "baseline", D("1"), SALES, None),
                 lambda: t.set_pool(Y, D("1.00"), None),
                 lambda: t.import_csv("plan", plan_file("sales"), actor=None),
                 lambda: t.set_assumption(Y, "baseline", "deal_size", D("1"), None, "x")):
        with pytest.raises(Refused, match="^sign in first$"):
            call()
    assert snapshot(t.store) == before


def test_the_people_of_the_matrix(fresh_copy):
    t = fresh_copy("fresh")
    assert [(name, role, department) for name, role, department, _p in DEMO_PEOPLE] == [
        (SOFIA, "sales_head", None), (MARCO, "marketing_head", None), (ERIN, "executive", None),
        (PAT, "planner", "both"), (VIC, "viewer", None)]
    assert People(t.store).list() == [
        Person(ERIN, "executive"), Person(MARCO, "marketing_head"),
        Person(MONA, "planner", "marketing"), Person(PAT, "planner", "both"),
        Person(SAM, "planner", "sales"), Person(SOFIA, "sales_head"), Person(VIC, "viewer")]


# -- what the pages ask before they offer a control ---------------------------------------------
STATES = {"open": access.ScenarioState("alt"),
          "adopted": access.ScenarioState("baseline", adopted=True, unsigned=3264),
          "signed": access.ScenarioState("alt", unsigned=0),
          "unsigned": access.ScenarioState("alt", unsigned=12),
          "locked": access.ScenarioState("final", locked=True)}


@pytest.mark.parametrize("who", [Person(SOFIA, "sales_head"), Person(ERIN, "executive"),
                                 Person(PAT, "planner", "both"), Person(VIC, "viewer")],
                         ids=lambda p: p.role)
def test_what_a_person_may_do_to_a_scenario_now(who):
    """Each operation is offered when the role may do it and the scenario's state allows it;
    otherwise the reason names the role's rule first, then the state."""
    for operation, action in access.OPERATIONS.items():
        for state_name, state in STATES.items():
            reason = access.scenario_refusal(who, operation, state)
            if not access.allowed(who, action):
                assert reason == access.role_refusal(who, action), (operation, state_name)
                continue
            refused_by_state = (
                (state.locked and operation in access.CHANGES_LINES)
                or (operation == "reopen" and not state.locked)
                or (operation in ("delete", "adopt") and state.adopted)
                or (operation == "lock" and state.unsigned > 0))
            assert (reason is not None) == refused_by_state, (who.role, operation, state_name)
    assert access.scenario_refusal(None, "clone", STATES["open"]) == "sign in first"


def test_the_state_reasons_are_said_plainly():
    sofia = Person(SOFIA, "sales_head")
    assert access.scenario_refusal(sofia, "rename", STATES["locked"]) == (
        "final is locked: it is read-only until an executive reopens it")
    assert access.scenario_refusal(sofia, "lock", STATES["unsigned"]) == (
        "12 line(s) of alt are not signed off yet; a scenario locks when every line is")
    assert access.scenario_refusal(sofia, "delete", STATES["adopted"]) == (
        "baseline is the adopted plan; adopt another scenario before deleting it")
    assert access.scenario_refusal(sofia, "lock", STATES["signed"]) is None


def test_the_domain_refuses_what_the_pages_do_not_offer(fresh_copy):
    """The question the pages ask agrees with what the domain does when the call is made."""
    t = fresh_copy("locked")
    sofia = People(t.store).get(SOFIA)
    locked = access.ScenarioState("baseline", locked=True, adopted=True)
    for operation, call in (
            ("rename", lambda: t.scenario_ops.rename(Y, "baseline", "other", sofia)),
            ("lock", lambda: t.scenario_ops.lock(Y, "baseline", sofia)),
            ("change_lines", lambda: t.scenario_ops.scale(Y, "baseline", D("1"), SALES, sofia)),
            ("delete", lambda: t.scenario_ops.delete(Y, "baseline", sofia))):
        assert access.scenario_refusal(sofia, operation, locked) is not None
        with pytest.raises(Refused):
            call()
    assert access.scenario_refusal(sofia, "clone", locked) is None
    t.scenario_ops.clone(Y, "baseline", "copy", sofia)  # cloning a locked plan is allowed


def test_the_readme_roles_table_names_the_pages_each_role_sees():
    """The README's roles section, the app's list of pages and the matrix agree for a viewer."""
    import re

    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text()
    app = (root / "dashboard" / "app.py").read_text()
    titles = dict((url, title) for title, url in re.findall(
        r'^\s+\("\w+\.py", "([^"]+)", "[^"]+", "(\w+)"\)', app, re.M))
    assert set(titles) == set(access.SCREENS)
    row = next(line for line in readme.splitlines() if line.startswith("| `viewer` |"))
    viewer = Person(VIC, "viewer")
    seen = {titles[url] for url, action in access.SCREENS.items() if access.allowed(viewer, action)}
    listed = row.split("look (", 1)[1].split(")", 1)[0]
    assert {name.strip() for name in listed.split(",")} == seen
    for title in set(titles.values()) - seen:  # each page a viewer does not see is said so
        assert re.search(rf"no (\w+ or )?{re.escape(title)}\b", row), title
    assert not access.allowed(viewer, "export") and "no exports" in row
