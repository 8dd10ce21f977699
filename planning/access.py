"""Who may do what: every rule in one place, checked by planning whatever calls it.

A refused action raises `Refused` with a one-line reason naming the person and the rule.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

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
    "forecast": {"sales_head", "marketing_head", "planner"},
    "explain_variance": {"sales_head", "marketing_head", "planner"},
    "accept_explanation": {"sales_head", "marketing_head"},
    "release_freed": {"sales_head", "marketing_head", "executive"},
    # Targets and the SLA's terms: a head (or a planner, for their department) proposes, the
    # other head agrees; an executive's word puts them in force at once (planning.agreements).
    "propose_target": {"sales_head", "marketing_head", "planner", "executive"},
    "agree_target": {"sales_head", "marketing_head", "executive"},
    "derive_targets": {"sales_head", "marketing_head", "executive"},
    "propose_sla": {"sales_head", "marketing_head", "executive"},
    "agree_sla": {"sales_head", "marketing_head", "executive"},
    "set_rewards": {"executive"},
    # Each person's own view of the relationship: never a viewer's, nor the administrator's.
    "answer_survey": {"sales_head", "marketing_head", "executive", "planner"},
    "manage_mappings": {"sales_head", "marketing_head", "planner"},
}

WHAT = {
    "view": "see the plan",
    "export": "export the plan's data",
    "import": "import plans, actuals, outcomes, leads or survey answers",
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
    "forecast": "forecast the open months",
    "explain_variance": "explain a variance",
    "accept_explanation": "accept or question a variance's explanation",
    "release_freed": "release unspent money to the pool",
    "propose_target": "propose or set targets",
    "agree_target": "agree to proposed targets",
    "derive_targets": "write the MQL targets the revenue target needs",
    "propose_sla": "propose or set the service-level agreement's terms",
    "agree_sla": "agree to the service-level agreement's terms",
    "set_rewards": "set the shared rewards",
    "answer_survey": "answer the relationship survey",
    "manage_mappings": "add, replace or delete column mappings",
}


for _action, _roles in ROLES_FOR.items():
    # The administrator on the server (the `tandem` command without --as) may do all but the
    # review itself and deciding on a variance's explanation, which are the heads' alone, and
    # answering the survey, which only a person of the firm does for themselves.
    if _action not in ("review", "accept_explanation", "answer_survey"):
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


def role_refusal(person: Person | None, action: str) -> str | None:
    """Why this person's role may not do `action`, or None when it may."""
    if person is None:
        return "sign in first"
    if person.role not in ROLES_FOR[action]:
        roles = ", ".join(sorted(r.replace("_", " ") for r in ROLES_FOR[action]))
        return f"{person.describe()} may not {WHAT[action]}; that is for: {roles}"
    return None


def require(person: Person | None, action: str) -> Person:
    """The person, if their role may do `action`; otherwise refuse with the reason."""
    reason = role_refusal(person, action)
    if reason:
        raise Refused(reason)
    return person


def owns(person: Person | None, owners: Iterable[str]) -> bool:
    """Whether the person may edit lines of every one of these owners."""
    return person is not None and not set(owners) - person.owners


def require_owners(person: Person, owners: Iterable[str], what: str = "change") -> None:
    """Refuse unless the person may edit lines of every one of these owners."""
    if not owns(person, owners):
        outside = sorted(set(owners) - person.owners)
        raise Refused(f"{person.describe()} may not {what} {', '.join(outside)} lines; only"
                      f" {', '.join(sorted(person.owners)) or 'no'} lines are theirs")


def assumption_side(owner: str, person: Person) -> None:
    """Marketing owns the top of the funnel, sales the bottom; MQL → SQL is joint."""
    if owner == "joint":
        require_owners(person, ["joint"], "override the")
    else:
        require_owners(person, [owner], "override assumptions of")


# -- what a person may do to a scenario as it stands now (the pages ask before they offer) -----
# Each screen of the app and the action a person must be allowed to see it: a viewer sees the
# Budget, Compare, KPIs and Review, and neither the Scenarios nor the Import & export page.
SCREENS = {"budget": "view", "scenarios": "manage_scenarios", "compare": "view", "kpis": "view",
           "handoff": "view",
           "forecast": "view", "review": "view", "import": "export",
           "alignment": "view"}

# scenario operation -> the ROLES_FOR action it needs
OPERATIONS = {"clone": "manage_scenarios", "rename": "manage_scenarios",
              "delete": "manage_scenarios", "adopt": "adopt", "lock": "lock_scenario",
              "reopen": "reopen", "change_lines": "change_lines",
              "set_assumption": "set_assumption", "submit": "submit", "review": "review",
              "comment": "comment"}
# operations a locked scenario refuses (it is read-only for everyone until it is reopened)
CHANGES_LINES = {"rename", "delete", "lock", "change_lines", "set_assumption", "submit",
                 "review"}


@dataclass(frozen=True)
class ScenarioState:
    """What the rules need to know of a scenario: its name, whether it is locked, whether it is
    the adopted plan of its year, and how many of its lines are not signed off yet."""
    name: str
    locked: bool = False
    adopted: bool = False
    unsigned: int = 0


def scenario_refusal(person: Person | None, operation: str,
                     scenario: ScenarioState) -> str | None:
    """Why `person` may not do `operation` to `scenario` now (their role first, then the
    scenario's state), or None when they may. The domain refuses the same calls when made."""
    reason = role_refusal(person, OPERATIONS[operation])
    if reason:
        return reason
    name = scenario.name
    if scenario.locked and operation in CHANGES_LINES:
        return (f"{name} is already locked" if operation == "lock" else
                f"{name} is locked: it is read-only until an executive reopens it")
    if operation == "reopen" and not scenario.locked:
        return f"{name} is not locked"
    if operation == "delete" and scenario.adopted:
        return f"{name} is the adopted plan; adopt another scenario before deleting it"
    if operation == "adopt" and scenario.adopted:
        return f"{name} is already the adopted plan"
    if operation == "lock" and scenario.unsigned:
        return (f"{scenario.unsigned:,} line(s) of {name} are not signed off yet; a scenario"
                " locks when every line is")
    return None


def require_acceptor(person: Person, owner: str, explained_by: str) -> None:
    """Who accepts or questions the explanation of an owner's variance: the other department's
    head (for a joint variance, the head who did not explain it); never the one who explained
    it (four eyes)."""
    require(person, "accept_explanation")
    if owner == person.head_of:
        raise Refused(f"{person.describe()} may not accept their own department's explanation;"
                      " the other department's head does")
    if person.name == explained_by:
        raise Refused(f"{person.describe()} explained this variance; the other head decides on"
                      " it (four eyes)")
