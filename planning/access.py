"""Who may do what: every rule in one place, checked by planning whatever calls it.

A refused action raises `Refused` with a one-line reason naming the person and the rule.
"""
from __future__ import annotations

from collections.abc import Iterable

from planning.errors import Refused
from planning.people import ADMIN_ROLE, Person

# action -> roles allowed (line ownership is checked separately, see `require_owners`)
ROLES_FOR = {
    "view": {"sales_head", "marketing_head", "executive", "planner", "viewer"},
    # A viewer reads every page but takes no data away in bulk (exports, the Import page).
    "export": {"sales_head", "marketing_head", "executive", "planner"},
    "import": {"sales_head", "marketing_head", "planner"},
    "import_targets": {"sales_head", "marketing_head", "planner", "executive"},
    "manage_scenarios": {"sales_head", "marketing_head", "planner", "executive"},
    "adopt": {"sales_head", "marketing_head", "executive"},
    "change_lines": {"sales_head", "marketing_head", "planner"},
    "submit": {"sales_head", "marketing_head", "planner"},
    "review": {"sales_head", "marketing_head"},
    "lock_scenario": {"sales_head", "marketing_head"},
    "reopen": {"executive"},
    "set_pool": {"executive"},
    "configure": {"executive"},
    "set_assumption": {"sales_head", "marketing_head", "planner"},
    "comment": {"sales_head", "marketing_head", "executive", "planner"},
}

WHAT = {
    "view": "see the plan",
    "export": "export the plan's data",
    "import": "import plans, actuals or outcomes",
    "import_targets": "import targets",
    "manage_scenarios": "clone, rename or delete scenarios",
    "adopt": "adopt a scenario as the year's plan",
    "change_lines": "change budget lines",
    "submit": "submit lines for review",
    "review": "sign off or return lines",
    "lock_scenario": "lock a signed-off scenario",
    "reopen": "reopen a locked scenario",
    "set_pool": "set the pool",
    "configure": "change the KPI status thresholds",
    "set_assumption": "override funnel assumptions",
    "comment": "comment on lines",
}


for _action, _roles in ROLES_FOR.items():
    # The administrator on the server (the `tandem` command without --as) may do all but the
    # review itself, which is the heads' alone.
    if _action not in ("review",):
        _roles.add(ADMIN_ROLE)


def person(who: Person | str | None) -> Person:
    """The person acting. A bare name is an administrator working on the server (scripts, the
    `tandem` command without --as); the app always passes the signed-in person, and nobody
    signed in (None) may do nothing."""
    if who is None:
        raise Refused("sign in first")
    return who if isinstance(who, Person) else Person(who, ADMIN_ROLE)


def allowed(person: Person | None, action: str) -> bool:
    return person is not None and person.role in ROLES_FOR[action]


def require(person: Person | None, action: str) -> Person:
    """The person, if their role may do `action`; otherwise refuse with the reason."""
    if person is None:
        raise Refused("sign in first")
    if person.role not in ROLES_FOR[action]:
        roles = ", ".join(sorted(r.replace("_", " ") for r in ROLES_FOR[action]))
        raise Refused(f"{person.describe()} may not {WHAT[action]}; that is for: {roles}")
    return person


def require_owners(person: Person, owners: Iterable[str], what: str = "change") -> None:
    """Refuse unless the person may edit lines of every one of these owners."""
    outside = sorted(set(owners) - person.owners)
    if outside:
        raise Refused(f"{person.describe()} may not {what} {', '.join(outside)} lines; only"
                      f" {', '.join(sorted(person.owners)) or 'no'} lines are theirs")


def assumption_side(owner: str, person: Person) -> None:
    """Marketing owns the top of the funnel, sales the bottom; MQL → SQL is joint."""
    if owner == "joint":
        require_owners(person, ["joint"], "override the")
    else:
        require_owners(person, [owner], "override assumptions of")
