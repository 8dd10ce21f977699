"""The demo firm, loaded through the importer like any planner's files (so it proves it)."""
from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

from planning import agreements
from planning.budget import BudgetFilter
from planning.demo_landing import landing_in_progress
from planning.demo_rewards import rewards_in_place
from planning.errors import TandemError
from planning.money import CENT
from planning.people import People
from planning.review import Review
from planning.tandem import Tandem

DEMO_DIR = Path(__file__).resolve().parents[1] / "data" / "demo"
DEMO_FIRM = "Northwind Analytics"
DEMO_YEAR = 2026
DEMO_POOL = Decimal("6250000.00")
# (name, role, department, password): the README lists them for people trying the demo.
DEMO_PEOPLE = (
    ("Sofia Sales", "sales_head", None, "sales-demo-2026"),
    ("Marco Marketing", "marketing_head", None, "marketing-demo-2026"),
    ("Erin Executive", "executive", None, "executive-demo-2026"),
    ("Pat Planner", "planner", "both", "planner-demo-2026"),
    ("Vic Viewer", "viewer", None, "viewer-demo-2026"),
)


def load_demo(tandem: Tandem, directory: Path = DEMO_DIR, *, review: bool = True) -> None:
    """The demo firm part way through its budget review, made as its people would make it:
    import the demo files (DEMO_FILES), set the 2026 pool, then `review_in_progress` (unless
    `review` is false: one scenario of draft lines, a known start for tests of every rule).
    Refuses if any file has a problem."""
    tandem.configure(firm_name=DEMO_FIRM, currency="USD")
    people = People(tandem.store)
    known = {p.name for p in people.list()}
    added = []
    for name, role, department, password in DEMO_PEOPLE:
        if name not in known:
            people.add(name, role, password, department=department, actor="demo")
            added.append(name)
    # Their passwords are published in the README: note it, so the app can say so on every page.
    people.mark_demo(added)
    if review and DEMO_YEAR in tandem.fiscal_years() and \
            ALTERNATIVE in {s.name for s in tandem.scenarios(DEMO_YEAR)}:
        return  # loaded already: its files would now change signed-off lines
    planner = people.get(PLANNER)
    for kind in DEMO_FILES:
        report = tandem.import_csv(kind, directory / f"{kind}.csv", actor=planner)
        if not report.ok:
            raise TandemError(f"the demo file {kind}.csv was refused: {report.problems[0]}")
    tandem.set_pool(DEMO_YEAR, DEMO_POOL, people.get(EXECUTIVE))
    if review:
        review_in_progress(tandem, directory)
        landing_in_progress(tandem, DEMO_YEAR)
        rewards_in_place(tandem, DEMO_YEAR)
    targets_agreed(tandem)


def targets_agreed(tandem: Tandem) -> None:
    """The planner's targets file made proposals for both departments: each head agrees to
    them, and only then are they in force."""
    people = People(tandem.store)
    for name in (MARKETING_HEAD, SALES_HEAD):
        head = people.get(name)
        waiting = agreements.waiting_for(tandem.store, head, DEMO_YEAR)
        if waiting:
            agreements.agree(tandem.store, head, [p.key for p in waiting])


# -- the story the demo tells ------------------------------------------------------------------
# The demo's files, in the order a firm loads them (its forecasts are set by its people, below).
DEMO_FILES = ("plan", "actuals", "outcomes", "targets", "leads", "survey")
PLANNER, SALES_HEAD, MARKETING_HEAD, EXECUTIVE = (
    "Pat Planner", "Sofia Sales", "Marco Marketing", "Erin Executive")
ALTERNATIVE = "Digital shift"
# Lines the planner's March revision changes (+10%): the trade show lines of EMEA in March.
REVISED = {"region": "EMEA", "month": "2026-03", "channel": "Trade shows"}
# The one line the marketing head returns, and the thread that follows.
RETURNED = BudgetFilter(owners=("sales",), categories=("Travel",), channels=("Field sales",),
                        stages=("purchase",), regions=("EMEA",), month_from=date(2026, 6, 1),
                        month_to=date(2026, 6, 1))
THREAD = (
    (MARKETING_HEAD, "Field travel is up on last year while deals move to inside sales; can we"
                     " hold June flat?"),
    (SALES_HEAD, "Two new field reps start in June and their first quarter is on the road."),
    (MARKETING_HEAD, "Fair. Put the new reps in the description and send it back."),
)
# What is still waiting, in LATAM's December: the field sales lines for the marketing head;
# paid search and field sales lines for the sales head (joint field sales lines wait for both).
WAITING_REGION, WAITING_MONTH = "LATAM", date(2026, 12, 1)
WAITING_CHANNELS = {MARKETING_HEAD: ("Field sales",), SALES_HEAD: ("Paid search", "Field sales")}


def _revision(directory: Path) -> bytes:
    """The planner's revision of the plan: the lines of REVISED, 10% more."""
    with (directory / "plan.csv").open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        if all(row[k] == v for k, v in REVISED.items()):
            row["amount"] = str((Decimal(row["amount"]) * Decimal("1.1")).quantize(CENT))
            writer.writerow(row)
    return out.getvalue().encode()


def review_in_progress(tandem: Tandem, directory: Path = DEMO_DIR) -> None:
    """Through the domain, as the demo people: a revision import, the "Digital shift"
    alternative, and the review of the adopted plan part way (most lines signed off, one
    returned with a comment thread, a few waiting for each head)."""
    people = People(tandem.store)
    who = {name: people.get(name) for name in (PLANNER, SALES_HEAD, MARKETING_HEAD, EXECUTIVE)}
    year, plan = DEMO_YEAR, tandem.adopted_scenario(DEMO_YEAR)
    ops, review = tandem.scenario_ops, Review(tandem.store)
    report = tandem.import_csv("plan", _revision(directory), file_name="plan-revision-march.csv",
                               scenario=plan, actor=who[PLANNER])
    if not report.ok:
        raise TandemError(f"the demo's plan revision was refused: {report.problems[0]}")
    sales_head, marketing_head = who[SALES_HEAD], who[MARKETING_HEAD]
    ops.scale(year, plan, Decimal("-5"), BudgetFilter(owners=("sales",), categories=("Travel",)),
              sales_head)
    # The alternative: marketing moves trade show money into paid search and paid social.
    ops.clone(year, plan, ALTERNATIVE, marketing_head)
    ops.shift(year, ALTERNATIVE, Decimal("120000.00"),
              BudgetFilter(owners=("marketing",), channels=("Trade shows",)),
              BudgetFilter(owners=("marketing",), channels=("Paid search", "Paid social")),
              marketing_head)
    # The review of the adopted plan: each head submits their lines ...
    review.submit(sales_head, year, plan, BudgetFilter())
    review.submit(marketing_head, year, plan, BudgetFilter())
    # ... the marketing head returns one, and the thread that follows ...
    review.return_lines(marketing_head, year, plan, RETURNED, THREAD[0][1])
    line = tandem.store.scalar("SELECT l.id FROM plan_lines l JOIN scenarios s ON"
                               " s.id = l.scenario_id WHERE s.fiscal_year = ? AND s.name = ?"
                               " AND l.status = 'returned'", [year, plan])
    for name, body in THREAD[1:]:
        review.comment(who[name], line, body)
    # ... and each head signs off all but a few of the lines waiting for them.
    channels = sorted({r[0] for r in tandem.store.query(
        "SELECT DISTINCT channel FROM plan_lines")})
    last_but_one = date(WAITING_MONTH.year, WAITING_MONTH.month - 1, 1)
    regions = sorted({r[0] for r in tandem.store.query("SELECT DISTINCT region FROM plan_lines")}
                     - {WAITING_REGION})
    for head in (marketing_head, sales_head):
        for where in (
                BudgetFilter(month_to=last_but_one),
                BudgetFilter(regions=tuple(regions), month_from=WAITING_MONTH),
                BudgetFilter(regions=(WAITING_REGION,), month_from=WAITING_MONTH,
                             channels=tuple(c for c in channels
                                            if c not in WAITING_CHANNELS[head.name]))):
            review.sign(head, year, plan, where)
