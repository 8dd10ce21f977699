"""The demo firm's shared rewards: its executive pays both departments on the same four KPIs,
revenue first, on the contract's payout curve (set through the domain, as a person would)."""
from __future__ import annotations

from decimal import Decimal

from planning.people import People
from planning.rewards import set_plan
from planning.tandem import Tandem

EXECUTIVE = "Erin Executive"
WEIGHTS = {"revenue": Decimal(40), "pipeline": Decimal(20), "win_rate": Decimal(20),
           "cac": Decimal(20)}


def rewards_in_place(tandem: Tandem, year: int) -> None:
    set_plan(tandem.store, People(tandem.store).get(EXECUTIVE), year, WEIGHTS)
