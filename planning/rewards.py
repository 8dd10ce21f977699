"""The shared rewards: one payout factor both departments are paid on.

An executive sets, per fiscal year, the KPIs the incentive is paid on with their weights (in
percent, adding up to 100) and the payout curve: a `threshold` of attainment (default 0.8)
below which a KPI pays nothing, the `floor` it pays at the threshold (default 0.5), and the
`cap` above 100% (default 1.5). A KPI's attainment is the fiscal year's row of `tandem kpis`
(`planning.kpi_values.year_rows`: the whole year against the annual target). Its payout is 0
below the threshold or without a value; from the threshold to 100% it climbs in a straight
line from the floor to 1; from 100% on it is the attainment itself, up to the cap. The factor
is the sum of weight / 100 × payout. Payouts and the factor are kept to 4 places, rounded half
up; the factor adds the KPIs' rounded payouts, so the table a person reads adds up.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from planning import access, audit
from planning.errors import Refused
from planning.kpi_values import year_rows
from planning.kpis import KPI, KPI_NAMES
from planning.people import Person
from planning.store import Store

PLACES = Decimal("0.0001")
HUNDRED = Decimal(100)
DEFAULT_THRESHOLD, DEFAULT_FLOOR, DEFAULT_CAP = Decimal("0.8"), Decimal("0.5"), Decimal("1.5")
# KPIs judged by their distance from the target have no attainment: nothing could ever be paid.
UNPAYABLE = tuple(k for k in KPI_NAMES if KPI[k].better == "closer to 0")
PAYABLE = tuple(k for k in KPI_NAMES if k not in UNPAYABLE)
EXAMPLE = "revenue=40 pipeline=20 win_rate=20 cac=20"


def _four(value: Decimal) -> Decimal:
    return value.quantize(PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Curve:
    """The payout curve: what an attainment pays."""

    threshold: Decimal = DEFAULT_THRESHOLD
    floor: Decimal = DEFAULT_FLOOR
    cap: Decimal = DEFAULT_CAP

    def payout(self, attainment: Decimal | None) -> Decimal:
        """0 below the threshold or without a value; floor + (1 - floor) × (a - threshold) /
        (1 - threshold) up to 100%; min(a, cap) from 100% on; to 4 places."""
        if attainment is None or attainment < self.threshold:
            return _four(Decimal(0))
        if attainment < 1:
            return _four(self.floor + (1 - self.floor) * (attainment - self.threshold)
                         / (1 - self.threshold))
        return _four(min(Decimal(attainment), self.cap))

    def points(self, upto: Decimal | None = None) -> list[tuple[Decimal, Decimal]]:
        """The curve's corners from 0 to `upto` (default: a little past the cap), in order, to
        draw it: flat at 0, the step up to the floor at the threshold, the climb to 1 at 100%,
        the climb to the cap, flat after it."""
        end = max(upto or Decimal(0), self.cap + Decimal("0.2"))
        return [(Decimal(0), Decimal(0)), (self.threshold, Decimal(0)),
                (self.threshold, self.floor), (Decimal(1), Decimal(1)),
                (self.cap, self.cap), (end, self.cap)]

    def describe(self) -> str:
        return (f"nothing below {self.threshold * 100:.0f}% of target, {self.floor * 100:.0f}%"
                f" at it, 100% at target, up to a cap of {self.cap * 100:.0f}%")


@dataclass(frozen=True)
class RewardPlan:
    fiscal_year: int
    weights: dict[str, Decimal]  # kpi -> weight in percent, in the KPI table's order
    curve: Curve
    set_by: str | None = None
    set_at: datetime | None = None


@dataclass(frozen=True)
class KpiPayout:
    kpi: str
    weight: Decimal  # percent
    attainment: Decimal | None  # the fiscal year's row of `tandem kpis`
    payout: Decimal  # by the curve, 4 places
    actual: Decimal | int | None = None
    target: Decimal | None = None

    @property
    def contribution(self) -> Decimal:
        """What this KPI adds to the factor: weight / 100 × payout (unrounded)."""
        return self.weight / HUNDRED * self.payout


@dataclass(frozen=True)
class Factor:
    plan: RewardPlan
    kpis: list[KpiPayout]

    @property
    def payout(self) -> Decimal:
        """The factor both departments are paid on: the sum of the contributions, 4 places."""
        return _four(sum((k.contribution for k in self.kpis), Decimal(0)))

    def what_if(self, kpi: str, attainment: Decimal | None) -> Decimal:
        """The factor if this KPI's attainment were `attainment` (the others as they are)."""
        if kpi not in self.plan.weights:
            raise Refused(f"{kpi} is not one of the KPIs the rewards of {self.plan.fiscal_year}"
                          f" are paid on ({', '.join(self.plan.weights)})")
        curve = self.plan.curve
        changed = [replace(k, attainment=attainment, payout=curve.payout(attainment))
                   if k.kpi == kpi else k for k in self.kpis]
        return Factor(self.plan, changed).payout


def plan(store: Store, year: int) -> RewardPlan | None:
    """The rewards plan of a fiscal year, or None when none is set."""
    found = store.query("SELECT threshold, payout_floor, payout_cap, set_by, set_at"
                        " FROM reward_plans WHERE fiscal_year = ?", [year])
    if not found:
        return None
    threshold, floor, cap, set_by, set_at = found[0]
    weights = dict(store.query("SELECT kpi, weight FROM reward_weights WHERE fiscal_year = ?",
                               [year]))
    ordered = {k: Decimal(weights[k]) for k in KPI_NAMES if k in weights}
    return RewardPlan(year, ordered, Curve(Decimal(threshold), Decimal(floor), Decimal(cap)),
                      set_by, set_at)


def factor(store: Store, year: int) -> Factor:
    """Each weighted KPI's attainment and payout, and the factor; refused without a plan."""
    found = plan(store, year)
    if found is None:
        raise Refused(f"no rewards plan is set for fiscal year {year}; an executive sets one"
                      f" (`tandem rewards set --year {year} --weight {EXAMPLE}`)")
    rows = {r.kpi: r for r in year_rows(store, year)}
    return Factor(found, [
        KpiPayout(kpi, weight, rows[kpi].attainment, found.curve.payout(rows[kpi].attainment),
                  rows[kpi].actual, rows[kpi].target)
        for kpi, weight in found.weights.items()])


def what_if(store: Store, year: int, kpi: str, attainment: Decimal | None) -> Decimal:
    """The year's factor with this KPI's attainment replaced."""
    return factor(store, year).what_if(kpi, attainment)


def _problems(weights: Mapping[str, Decimal], curve: Curve) -> list[str]:
    problems = []
    if not weights:
        problems.append(f"give the KPIs the rewards are paid on with their weights in percent,"
                        f" e.g. {EXAMPLE}")
    for kpi, weight in weights.items():
        if kpi not in KPI:
            problems.append(f"{kpi!r} is not a KPI (choose from {', '.join(PAYABLE)})")
        elif kpi in UNPAYABLE:
            problems.append(f"{kpi} has no attainment (it is judged by its distance from its"
                            " target), so nothing could be paid on it: choose another KPI")
        if not weight.is_finite() or weight <= 0:
            problems.append(f"the weight of {kpi} must be above 0, not {weight}")
        elif weight != weight.quantize(Decimal("0.01")):
            problems.append(f"the weight of {kpi} has at most 2 decimals, not {weight}")
    total = sum((w for w in weights.values() if w.is_finite()), Decimal(0))
    if weights and total != HUNDRED:
        problems.append(f"the weights add up to {total.normalize():f}, not 100")
    for name, value in (("threshold", curve.threshold), ("floor", curve.floor),
                        ("cap", curve.cap)):
        if not value.is_finite() or value != value.quantize(PLACES):
            problems.append(f"the {name} is a number with at most 4 decimals, not {value}")
            return problems
    if not 0 < curve.threshold < 1:
        problems.append(f"the threshold is the attainment from which a KPI pays, above 0 and"
                        f" below 1 (0.8 is 80% of target), not {curve.threshold}")
    if not 0 <= curve.floor <= 1:
        problems.append(f"the floor is what a KPI pays at the threshold, from 0 to 1 (0.5 pays"
                        f" half), not {curve.floor}")
    if curve.cap < 1:
        problems.append(f"the cap is the most a KPI pays, 1 or more (1.5 is 150%), not"
                        f" {curve.cap}")
    return problems


def _state(found: RewardPlan | None) -> dict | None:
    if found is None:
        return None
    return {"weights": {k: str(w) for k, w in found.weights.items()},
            "threshold": str(found.curve.threshold), "floor": str(found.curve.floor),
            "cap": str(found.curve.cap)}


def set_plan(store: Store, actor: Person | str, year: int,
             weights: Mapping[str, Decimal] | None = None, threshold: Decimal | None = None,
             floor: Decimal | None = None, cap: Decimal | None = None) -> RewardPlan:
    """Set a fiscal year's rewards plan (an executive, or the server's administrator); audited.

    What is not given stays as the year's plan has it (the contract's defaults for a new plan);
    weights given replace all the year's weights. Refused, with nothing written, naming every
    problem at once: unknown KPIs, weights not above 0 or not adding up to 100, a threshold not
    between 0 and 1, a floor outside 0 to 1, a cap below 1."""
    who = access.require(access.person(actor), "set_rewards")
    before = plan(store, year)
    if weights is None and before is None:
        raise Refused(f"fiscal year {year} has no rewards plan yet: give its weights, e.g."
                      f" {EXAMPLE}")
    old = before.curve if before else Curve()
    curve = Curve(*(old_value if new is None else Decimal(new) for old_value, new in (
        (old.threshold, threshold), (old.floor, floor), (old.cap, cap))))
    chosen = {k.strip().lower(): Decimal(w) for k, w in weights.items()} if weights is not None \
        else dict(before.weights)
    problems = _problems(chosen, curve)
    if problems:
        raise Refused("; ".join(problems))
    ordered = {k: chosen[k] for k in KPI_NAMES if k in chosen}
    after = RewardPlan(year, ordered, curve, who.name)

    def work(cur) -> None:
        cur.execute("DELETE FROM reward_weights WHERE fiscal_year = ?", [year])
        cur.execute("DELETE FROM reward_plans WHERE fiscal_year = ?", [year])
        cur.execute("INSERT INTO reward_plans (fiscal_year, threshold, payout_floor, payout_cap,"
                    " set_by) VALUES (?, ?, ?, ?, ?)",
                    [year, curve.threshold, curve.floor, curve.cap, who.name])
        cur.executemany("INSERT INTO reward_weights (fiscal_year, kpi, weight) VALUES (?, ?, ?)",
                        [[year, k, w] for k, w in ordered.items()])
        audit.record(cur, who.name, "set rewards", f"rewards {year}", before=_state(before),
                     after=_state(after))

    store.write(work)
    return plan(store, year)
