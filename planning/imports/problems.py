"""What an import reports: every problem of a file, or what it wrote.

A broken file can hold millions of problems (a header of a million unknown columns, every cell
of two million rows). Every producer of problems feeds a `ProblemList`, which keeps the first
`PER_KIND` of each kind in full and only counts the rest; the report lists the first
`SHOWN_PROBLEMS` in row order, counts all of them, and says per kind how many more there are.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

SHOWN_PROBLEMS = 1000  # listed per file
PER_KIND = 1000        # kept in full per kind of problem (a code in one column)
VALUE_CHARS = 200      # a cell's text shown in a problem, longer ones are cut


def clip(value: str | None, limit: int = VALUE_CHARS, length: int | None = None) -> str | None:
    """A cell's text short enough to show: a 50 MB cell must not become a 50 MB message.

    `length` is the whole text's length when `value` is already its start (cut in SQL).
    """
    length = len(value) if length is None and value is not None else length
    if value is None or length <= limit:
        return value
    return f"{value[:limit]}… ({length:,} characters)"


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with a file, placed as a spreadsheet shows it (header = row 1)."""

    file: str
    row: int
    column: str
    value: str | None
    message: str
    fix: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", clip(self.value))
        object.__setattr__(self, "column", clip(self.column, 100))

    def __str__(self) -> str:
        return f"{self.file}:{self.row}:{self.column}: {self.message}; {self.fix}"


@dataclass(frozen=True)
class Omitted:
    """Problems of one kind counted but not listed: `count` more like the listed `example`."""

    example: ImportProblem
    count: int
    last_row: int

    def __str__(self) -> str:
        e = self.example
        return (f"{e.file}:{e.row}:{e.column}: and {self.count:,} more problem(s) like this one,"
                f" up to row {self.last_row:,} ({e.message}); {e.fix}")


SHOWN_CHANGES = 500  # stored rows a file changes, listed biggest change first


@dataclass(frozen=True)
class RowChange:
    """A stored row a file changes: its key (the contract's key columns and values), and each
    value that changes, as (column, before, after)."""

    key: tuple[tuple[str, object], ...]
    values: tuple[tuple[str, object, object], ...]

    def change(self, column: str) -> tuple[object, object] | None:
        """(before, after) of a column, None when it does not change."""
        return next(((b, a) for c, b, a in self.values if c == column), None)


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
    shown_problems_cap: int = field(default=SHOWN_PROBLEMS, repr=False)
    omitted: tuple[Omitted, ...] = ()  # per kind, the problems counted but not listed
    # The stored rows the file changes (the first SHOWN_CHANGES, biggest change first), so a
    # person sees old and new before importing; `updated` counts them all.
    changes: tuple[RowChange, ...] = ()
    # Targets a head or planner imports are proposals, in force once the other head agrees
    # (planning.agreements): how many, and a sentence saying what happens to them.
    proposed: int = 0
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.problem_count == 0


class ProblemList:
    """The problems of one file, bounded: the first `per_kind` of each kind in full, all counted.

    A kind is any hashable the producer chooses (a problem code and its column). Problems may
    arrive in any order; `finish` sorts them by row (and `order`, the column order) and lists the
    first `shown`.
    """

    def __init__(self, per_kind: int = PER_KIND, shown: int = SHOWN_PROBLEMS) -> None:
        self.per_kind, self.shown = per_kind, shown
        self._kept: dict[object, list[ImportProblem]] = {}
        self._counts: dict[object, int] = {}
        self._last_row: dict[object, int] = {}

    def add(self, problem: ImportProblem, kind: object = None) -> None:
        kind = (problem.column, problem.message) if kind is None else kind
        self.add_counted(kind, [problem], 1, problem.row)

    def add_counted(self, kind: object, listed: Iterable[ImportProblem], count: int,
                    last_row: int) -> None:
        """`count` problems of one kind, of which `listed` (the first ones) are given in full."""
        kept = self._kept.setdefault(kind, [])
        for problem in listed:
            if len(kept) >= self.per_kind:
                break
            kept.append(problem)
        self._counts[kind] = self._counts.get(kind, 0) + count
        self._last_row[kind] = max(self._last_row.get(kind, 0), last_row)

    def wants(self, kind: object) -> bool:
        """Whether a problem of this kind would still be kept in full (else only count it)."""
        return len(self._kept.get(kind, ())) < self.per_kind

    def count_of(self, kind: object) -> int:
        """How many problems of this kind were added."""
        return self._counts.get(kind, 0)

    @property
    def count(self) -> int:
        return sum(self._counts.values())

    def __bool__(self) -> bool:
        return self.count > 0

    def finish(self, order: dict[str, int] | None = None
               ) -> tuple[tuple[ImportProblem, ...], int, tuple[Omitted, ...]]:
        """(problems listed, total count, what is counted but not listed, per kind)."""
        order = order or {}

        def place(p: ImportProblem) -> tuple[int, int]:
            return p.row, order.get(p.column, len(order))

        everything = sorted((p for kept in self._kept.values() for p in kept), key=place)
        listed = everything[: self.shown]
        shown = {id(p) for p in listed}
        omitted = []
        for kind, kept in self._kept.items():
            listed_here = sum(id(p) in shown for p in kept)
            more = self._counts[kind] - listed_here
            if more > 0 and kept:
                example = next((p for p in kept if id(p) in shown), kept[0])
                omitted.append(Omitted(example, more, self._last_row[kind]))
        omitted.sort(key=lambda o: place(o.example))
        return tuple(listed), self.count, tuple(omitted)
