"""The demo firm, loaded through the importer like any planner's files (so it proves it)."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from planning.errors import TandemError
from planning.model import KINDS
from planning.people import People
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


def load_demo(tandem: Tandem, directory: Path = DEMO_DIR) -> None:
    """Import the four demo files and set the 2026 pool; refuse if any file has a problem."""
    tandem.configure(firm_name=DEMO_FIRM, currency="USD")
    for kind in KINDS:
        report = tandem.import_csv(kind, directory / f"{kind}.csv", actor="demo")
        if not report.ok:
            raise TandemError(f"the demo file {kind}.csv was refused: {report.problems[0]}")
    tandem.set_pool(DEMO_YEAR, DEMO_POOL, "demo")
    people = People(tandem.store)
    known = {p.name for p in people.list()}
    added = []
    for name, role, department, password in DEMO_PEOPLE:
        if name not in known:
            people.add(name, role, password, department=department, actor="demo")
            added.append(name)
    # Their passwords are published in the README: note it, so the app can say so on every page.
    people.mark_demo(added)
