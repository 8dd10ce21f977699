"""What an import reports: every problem of a file, or what it wrote."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with a file, placed as a spreadsheet shows it (header = row 1)."""

    file: str
    row: int
    column: str
    value: str | None
    message: str
    fix: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}:{self.column}: {self.message}; {self.fix}"


@dataclass(frozen=True)
class ImportReport:
    kind: str
    file: str
    scenario: str | None
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    control_total: Decimal | None = None
    fiscal_years: tuple[int, ...] = ()
    problems: tuple[ImportProblem, ...] = ()
    problem_count: int = 0
    committed: bool = False
    shown_problems_cap: int = field(default=1000, repr=False)

    @property
    def ok(self) -> bool:
        return self.problem_count == 0
