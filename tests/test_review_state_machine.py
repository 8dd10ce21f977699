"""The cross-review as a state machine: random people edit, submit, sign, return, lock, reopen.

Any step may be refused; a refused step changes nothing. Whatever the order, no line is signed
off without the current version's sign-offs of its reviewing departments, nobody's sign-off of
a version they edited counts, a locked scenario does not change, and the audit chain holds.
"""
from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from planning import audit
from planning.budget import BudgetFilter
from planning.errors import Refused
from planning.people import People, Person
from planning.review import Review
from planning.scenarios import LineEdit
from planning.store import Store
from planning.tandem import Tandem

D = Decimal
Y = 2026
HEADER = "fiscal_year,owner,category,funnel_stage,channel,region,month,amount,description"
PLAN = [  # (owner, category, amount): every line Field sales, EMEA, January; one category each
    ("sales", "Travel", "100.00"), ("sales", "Headcount", "400.00"),
    ("sales", "Commissions", "250.00"),
    ("marketing", "Programs", "300.00"), ("marketing", "Events", "120.00"),
    ("marketing", "Content", "80.00"),
    ("joint", "Tools", "60.00"), ("joint", "Enablement", "90.00"),
]
CATEGORIES = [category for _owner, category, _amount in PLAN]
PEOPLE = (
    ("Sofia Sales", "sales_head", None), ("Marco Marketing", "marketing_head", None),
    ("Erin Executive", "executive", None), ("Pat Planner", "planner", "both"),
    ("Sam Seller", "planner", "sales"), ("Mona Marketer", "planner", "marketing"),
    ("Vic Viewer", "viewer", None),
)
NAMES = [name for name, _role, _department in PEOPLE]
HEADS = ["Sofia Sales", "Marco Marketing"]
FILTERS = [BudgetFilter(), *(BudgetFilter(owners=(o,)) for o in ("sales", "marketing", "joint")),
           *(BudgetFilter(categories=(c,)) for c in CATEGORIES)]
# Tables a review step may touch: a refused step leaves every one of them as it was.
WATCHED = ("plan_lines", "sign_offs", "comments", "scenarios", "audit_log")

people = st.sampled_from(NAMES)
filters = st.sampled_from(FILTERS)


def plan_csv() -> bytes:
    rows = [f"{Y},{owner},{category},purchase,Field sales,EMEA,2026-01,{amount},"
            for owner, category, amount in PLAN]
    return (HEADER + "\n" + "\n".join(rows) + "\n").encode()


class ReviewMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.t = Tandem(Store(":memory:"))
        assert self.t.import_csv("plan", plan_csv(), actor="importer").ok
        directory = People(self.t.store)
        for name, role, department in PEOPLE:
            directory.add(name, role, None, department=department, actor="setup")
        self.people: dict[str, Person] = {p.name: p for p in directory.list()}
        self.review = Review(self.t.store)
        self.frozen: list[tuple] | None = None  # the lines as they were locked
        self.done: dict[str, int] = {}

    def teardown(self) -> None:
        self.t.close()

    # -- helpers ---------------------------------------------------------------------------------
    def tables(self) -> dict[str, list[tuple]]:
        return {table: sorted(self.t.store.query(f"SELECT * FROM {table}"), key=repr)
                for table in WATCHED}

    def lines(self) -> list[tuple]:
        return self.t.store.query("SELECT id, amount, version, status, edited_by, owner"
                                  " FROM plan_lines ORDER BY id")

    def locked(self) -> bool:
        return self.t.store.scalar("SELECT locked FROM scenarios WHERE name = 'baseline'")

    def attempt(self, step: str, call) -> bool:
        """Run a step; if refused, check that it wrote nothing. True when it was done."""
        before = self.tables()
        try:
            call()
        except Refused:
            assert self.tables() == before, f"a refused {step} wrote something"
            return False
        self.done[step] = self.done.get(step, 0) + 1
        return True

    # -- rules -----------------------------------------------------------------------------------
    @rule(who=people, category=st.sampled_from(CATEGORIES), amount=st.integers(0, 500),
          stale=st.booleans())
    def edit(self, who: str, category: str, amount: int, stale: bool) -> None:
        line_id, version = self.t.store.query(
            "SELECT id, version FROM plan_lines WHERE category = ?", [category])[0]
        opened = version - 1 if stale and version > 1 else version
        change = LineEdit(line_id, opened, D(amount).quantize(D("0.01")))
        before = self.lines()
        done = self.attempt("edit", lambda: self.t.scenario_ops.edit_lines(
            Y, "baseline", [change], self.people[who]))
        if opened != version:
            assert not done  # an edit of an older version is always refused
        after = {row[0]: row for row in self.lines()}
        old = {row[0]: row for row in before}[line_id]
        if done and old[1] != change.amount:
            assert after[line_id][1:5] == (change.amount, version + 1, "draft", who)

    @rule(who=people, where=filters)
    def submit(self, who: str, where: BudgetFilter) -> None:
        self.attempt("submit", lambda: self.review.submit(self.people[who], Y, "baseline", where))

    @rule(who=people, where=filters)
    def sign(self, who: str, where: BudgetFilter) -> None:
        person = self.people[who]
        if self.attempt("sign", lambda: self.review.sign(person, Y, "baseline", where)):
            assert person.head_of is not None

    @rule(who=people, where=filters, comment=st.sampled_from(["", "  ", "too high"]))
    def return_lines(self, who: str, where: BudgetFilter, comment: str) -> None:
        if self.attempt("return", lambda: self.review.return_lines(
                self.people[who], Y, "baseline", where, comment)):
            assert comment.strip() and self.people[who].head_of is not None

    @rule(who=st.sampled_from(HEADS), via_review=st.booleans())
    def lock(self, who: str, via_review: bool) -> None:
        person = self.people[who]
        all_signed = {row[3] for row in self.lines()} == {"signed_off"}
        if via_review:
            done = self.attempt("lock", lambda: self.review.lock(person, Y, "baseline"))
        else:
            done = self.attempt("lock", lambda: self.t.scenario_ops.lock(Y, "baseline", person))
        assert done == (all_signed and self.frozen is None)
        if done:
            self.frozen = self.lines()

    @rule(who=st.sampled_from(["Erin Executive", "Erin Executive", "Sofia Sales"]),
          reason=st.sampled_from(["Q2 reforecast", "", "Q2 reforecast"]))
    def reopen(self, who: str, reason: str) -> None:
        was_locked = self.locked()
        done = self.attempt("reopen", lambda: self.review.reopen(
            self.people[who], Y, "baseline", reason))
        assert done == (was_locked and who == "Erin Executive" and bool(reason))
        if done:
            self.frozen = None
            assert self.t.store.query("SELECT actor, reason FROM audit_log ORDER BY seq DESC"
                                      " LIMIT 1") == [("Erin Executive", reason)]

    @precondition(lambda self: self.frozen is None)
    @rule(returned=st.sampled_from([None, None, None, None, *CATEGORIES]),
          then_lock=st.booleans(),
          who=st.sampled_from(HEADS))
    def review_everything(self, returned: str | None, then_lock: bool, who: str) -> None:
        """Drive the review to its end, so that locking and reopening are reached often: Pat
        takes over joint lines a head edited, submits every draft, and each head signs off every
        line waiting for them (or returns one line instead); then a head may lock."""
        pat = self.people["Pat Planner"]
        stuck = self.t.store.query(
            "SELECT id, version, amount FROM plan_lines WHERE owner = 'joint'"
            " AND edited_by IN ('Sofia Sales', 'Marco Marketing')")
        if stuck:
            self.t.scenario_ops.edit_lines(
                Y, "baseline", [LineEdit(i, v, a + 1) for i, v, a in stuck], pat)
        if self.t.store.scalar("SELECT count(*) FROM plan_lines"
                               " WHERE status IN ('draft', 'returned')"):
            self.review.submit(pat, Y, "baseline", BudgetFilter())
        for head in HEADS:
            person = self.people[head]
            waiting = [r[0] for r in self.t.store.query(
                "SELECT category FROM plan_lines WHERE status = 'submitted'"
                " AND owner IN (?, 'joint') AND edited_by IS DISTINCT FROM ?"
                " ORDER BY category",
                ["sales" if person.head_of == "marketing" else "marketing", head])]
            if returned in waiting:
                waiting.remove(returned)
                self.review.return_lines(person, Y, "baseline",
                                         BudgetFilter(categories=(returned,)), "not this one")
                self.done["return"] = self.done.get("return", 0) + 1
            if waiting:
                result = self.review.sign(person, Y, "baseline",
                                          BudgetFilter(categories=tuple(waiting)))
                assert result.lines == len(waiting)
                self.done["sign"] = self.done.get("sign", 0) + 1
        if returned is None:
            assert {row[3] for row in self.lines()} == {"signed_off"}
        if then_lock:
            self.lock(who, via_review=returned is None)

    # -- invariants ------------------------------------------------------------------------------
    @invariant()
    def signed_off_lines_have_every_current_sign_off(self) -> None:
        missing = self.t.store.query("""
            SELECT l.id FROM plan_lines l
            WHERE l.status = 'signed_off' AND (
                (l.owner IN ('sales', 'joint') AND NOT EXISTS (SELECT 1 FROM sign_offs s
                    WHERE s.line_id = l.id AND s.version = l.version
                    AND s.department = 'marketing'))
             OR (l.owner IN ('marketing', 'joint') AND NOT EXISTS (SELECT 1 FROM sign_offs s
                    WHERE s.line_id = l.id AND s.version = l.version AND s.department = 'sales')))
        """)
        assert missing == []

    @invariant()
    def nobody_signs_off_a_version_they_edited(self) -> None:
        own = self.t.store.query("""
            SELECT so.line_id, so.version, so.department, so.person, l.edited_by
            FROM sign_offs so JOIN plan_lines l ON l.id = so.line_id AND l.version = so.version
            LEFT JOIN people p ON p.name = l.edited_by
            WHERE so.person = l.edited_by
               OR (p.role = 'sales_head' AND so.department = 'sales')
               OR (p.role = 'marketing_head' AND so.department = 'marketing')
        """)
        assert own == []

    @invariant()
    def sign_offs_come_from_the_other_department_s_head(self) -> None:
        wrong = self.t.store.query("""
            SELECT so.line_id, so.department, so.person, l.owner, p.role
            FROM sign_offs so JOIN plan_lines l ON l.id = so.line_id
            JOIN people p ON p.name = so.person
            WHERE so.department = l.owner
               OR p.role <> so.department || '_head'
        """)
        assert wrong == []
        assert self.t.store.query("SELECT line_id, version, department FROM sign_offs"
                                  " GROUP BY ALL HAVING count(*) > 1") == []

    @invariant()
    def a_locked_scenario_does_not_change(self) -> None:
        if self.locked():
            assert self.frozen is not None
            assert self.lines() == self.frozen
            assert {row[3] for row in self.frozen} == {"signed_off"}
        else:
            assert self.frozen is None

    @invariant()
    def the_trail_is_intact(self) -> None:
        verdict = audit.verify(self.t.store)
        assert verdict.intact, verdict


def test_one_known_path_through_the_machine():
    """The rules and invariants on a fixed path: review, lock, refused edits, reopen, edit."""
    machine = ReviewMachine()
    try:
        def check() -> None:
            machine.signed_off_lines_have_every_current_sign_off()
            machine.nobody_signs_off_a_version_they_edited()
            machine.sign_offs_come_from_the_other_department_s_head()
            machine.a_locked_scenario_does_not_change()
            machine.the_trail_is_intact()

        machine.edit("Sofia Sales", "Tools", 61, stale=False)  # a head edits a joint line
        machine.submit("Sofia Sales", BudgetFilter(categories=("Tools",)))
        machine.sign("Sofia Sales", BudgetFilter(categories=("Tools",)))  # four eyes: refused
        check()
        machine.review_everything(None, then_lock=True, who="Marco Marketing")
        check()
        assert machine.locked() and machine.frozen is not None
        machine.edit("Pat Planner", "Travel", 1, stale=False)  # refused: locked
        machine.reopen("Sofia Sales", "because")  # refused: not the executive
        machine.reopen("Erin Executive", "")  # refused: no reason
        check()
        machine.reopen("Erin Executive", "Q2 reforecast")
        machine.edit("Pat Planner", "Travel", 1, stale=False)
        machine.edit("Pat Planner", "Travel", 2, stale=True)  # refused: an older version
        check()
        assert machine.done == {"edit": 2, "submit": 1, "sign": 2, "lock": 1, "reopen": 1}
        assert not machine.locked()
        assert machine.t.store.query("SELECT amount, version, status, edited_by FROM plan_lines"
                                     " WHERE category IN ('Tools', 'Travel') ORDER BY id") == [
            (D("1.00"), 2, "draft", "Pat Planner"), (D("62.00"), 3, "signed_off", "Pat Planner")]
    finally:
        machine.teardown()


ReviewMachine.TestCase.settings = settings(
    max_examples=30, stateful_step_count=25, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
TestReviewStateMachine = ReviewMachine.TestCase
