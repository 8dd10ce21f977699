"""The vocabulary of the shared budget: owners, funnel stages, the CSV kinds."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum


class Owner(str, Enum):
    SALES = "sales"
    MARKETING = "marketing"
    JOINT = "joint"


class FunnelStage(str, Enum):
    """In funnel order: awareness first, advocacy last."""

    AWARENESS = "awareness"
    CONSIDERATION = "consideration"
    PREFERENCE = "preference"
    PURCHASE = "purchase"
    LOYALTY = "loyalty"
    ADVOCACY = "advocacy"


OWNERS: tuple[str, ...] = tuple(o.value for o in Owner)
FUNNEL_STAGES: tuple[str, ...] = tuple(s.value for s in FunnelStage)
KINDS: tuple[str, ...] = ("plan", "actuals", "outcomes", "targets", "forecast", "leads", "survey")
BASELINE = "baseline"


@dataclass(frozen=True)
class BudgetLine:
    id: int
    scenario: str
    owner: str
    category: str
    funnel_stage: str
    channel: str
    region: str
    month: date
    amount: Decimal
    description: str | None
    status: str
    version: int
    locked: bool = False


@dataclass(frozen=True)
class Scenario:
    fiscal_year: int
    name: str
    locked: bool
    adopted: bool
    lines: int
    allocated: Decimal
    by_owner: dict[str, Decimal] = field(default_factory=dict)

    @property
    def status(self) -> str:
        return "locked" if self.locked else "draft"
