"""Freed money: what the closed months did not spend, back in the shared pool.

A plan line of a closed month frees its plan minus its actuals, where positive. Until it is
released, that money stays with its lines; a release (one per fiscal year and as-of month) puts
what was freed since the year's earlier releases back in the pool's headroom, from where the
forecast of open months can use it. An executive releases, or the two heads together (each
approves; the second approval releases). Money freed on joint lines needs both heads: an
executive's release waits for their two approvals when there is any.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from planning import access, audit
from planning.errors import Refused
from planning.forecast import adopted_id, as_of_month
from planning.kpi_values import fiscal_months
from planning.model import OWNERS
from planning.people import Person
from planning.store import Store
from planning.store import forecast_sql as sql

ZERO = Decimal("0.00")
HEADS = ("sales", "marketing")


@dataclass(frozen=True)
class Freed:
    fiscal_year: int
    as_of: date | None
    freed: dict[str, Decimal]  # per owner, by the closed months to `as_of`
    released: dict[str, Decimal]  # per owner, by every release of the year so far
    released_now: bool  # this as-of month's release is done
    approvals: dict[str, str] = field(default_factory=dict)  # department -> head who approved

    @property
    def to_release(self) -> dict[str, Decimal]:
        """Per owner, what a release of this as-of month would put back in the pool."""
        return {o: max(self.freed[o] - self.released[o], ZERO) for o in OWNERS}

    @property
    def total_to_release(self) -> Decimal:
        return sum(self.to_release.values(), ZERO)

    @property
    def total_released(self) -> Decimal:
        return sum(self.released.values(), ZERO)

    @property
    def total_freed(self) -> Decimal:
        return sum(self.freed.values(), ZERO)

    def waiting_for(self) -> list[str]:
        """The departments whose head has not approved this month's release yet."""
        return [d for d in HEADS if d not in self.approvals]


def freed(store: Store, year: int, as_of: date | None = None) -> Freed:
    closed_to = as_of_month(store, year, as_of)
    if closed_to is None:
        zero = dict.fromkeys(OWNERS, ZERO)
        return Freed(year, None, zero, dict(zero), False)
    first = fiscal_months(store, year)[0]
    with store.cursor() as cur:
        by_owner = dict(cur.execute(sql.FREED, [adopted_id(cur, year), first, closed_to]
                                    ).fetchall())
        released = dict(cur.execute(
            "SELECT owner, sum(amount) FROM freed_releases WHERE fiscal_year = ? GROUP BY owner",
            [year]).fetchall())
        done = cur.execute("SELECT count(*) FROM freed_releases WHERE fiscal_year = ? AND"
                           " as_of = ?", [year, closed_to]).fetchone()[0] > 0
        approvals = dict(cur.execute(
            "SELECT department, person FROM freed_approvals WHERE fiscal_year = ? AND as_of = ?",
            [year, closed_to]).fetchall())
    return Freed(year, closed_to, {o: Decimal(by_owner.get(o) or 0) for o in OWNERS},
                 {o: Decimal(released.get(o) or 0) for o in OWNERS}, done, approvals)


def release(store: Store, actor: Person | str, year: int, as_of: date | None = None) -> Freed:
    """Approve (a head) or make (an executive, or the second head) this as-of month's release.

    Returns the state after the call; refused with the reason when nothing can be released."""
    who = access.require(access.person(actor), "release_freed")
    state = freed(store, year, as_of)
    if state.as_of is None:
        raise Refused("no month is closed yet: nothing has been freed")
    if state.released_now:
        raise Refused(f"the money freed to {state.as_of:%Y-%m} is released already; the next"
                      " release is after the next month closes")
    if state.total_to_release <= 0:
        raise Refused(f"nothing was freed to {state.as_of:%Y-%m} beyond what is released")
    head = who.head_of
    approvals = dict(state.approvals)
    if head is not None:
        if head in approvals:
            raise Refused(f"{approvals[head]} approved this release for {head} already;"
                          f" waiting for the {state.waiting_for()[0]} head")
        approvals[head] = who.name
    both = all(d in approvals for d in HEADS)
    releasing = both or (head is None and (state.to_release["joint"] <= 0))
    if head is None and not releasing:
        waiting = " and ".join(d for d in HEADS if d not in approvals)
        raise Refused(f"money freed on joint lines needs both heads' approval; waiting for the"
                      f" {waiting} head")

    def work(cur) -> None:
        entity = f"freed money {year} to {state.as_of:%Y-%m}"
        if head is not None:
            cur.execute("INSERT INTO freed_approvals (fiscal_year, as_of, person, department)"
                        " VALUES (?, ?, ?, ?)", [year, state.as_of, who.name, head])
            audit.record(cur, who.name, "approve release", entity,
                         after={"department": head, **_amounts(state.to_release)})
        if releasing:
            for owner, amount in state.to_release.items():
                cur.execute("INSERT INTO freed_releases (fiscal_year, as_of, owner, amount,"
                            " released_by) VALUES (?, ?, ?, ?, ?)",
                            [year, state.as_of, owner, amount, who.name])
            audit.record(cur, who.name, "release freed money", entity,
                         before=_amounts(state.released), after=_amounts(state.to_release))

    store.write(work)
    return freed(store, year, state.as_of)


def _amounts(by_owner: dict[str, Decimal]) -> dict[str, Decimal]:
    return {**by_owner, "total": sum(by_owner.values(), ZERO)}
