"""The shared budget of one scenario: pool, allocation, breakdowns and the line table."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from planning.errors import Refused
from planning.model import OWNERS, BudgetLine
from planning.money import ZERO
from planning.store import Store
from planning.store import budget_sql as sql
from planning.store.reads import cached

DIMENSIONS = ("owner", "funnel_stage", "category", "channel", "region")
SORTABLE = (*DIMENSIONS, "month", "amount", "status")
PAGE_SIZE = 200


@dataclass(frozen=True)
class BudgetFilter:
    """Empty means all. Months are first-of-month dates, both ends included."""

    owners: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    month_from: date | None = None
    month_to: date | None = None

    def clauses(self) -> tuple[list[str], list]:
        found: list[str] = []
        params: list = []
        for column, values in (("owner", self.owners), ("funnel_stage", self.stages),
                               ("category", self.categories), ("channel", self.channels),
                               ("region", self.regions)):
            if values:
                found.append(f"l.{column} IN ({', '.join('?' for _ in values)})")
                params.extend(values)
        if self.month_from:
            found.append("l.month >= ?")
            params.append(self.month_from)
        if self.month_to:
            found.append("l.month <= ?")
            params.append(self.month_to)
        return found, params

    @property
    def active(self) -> bool:
        return bool(self.clauses()[0])

    @classmethod
    def parse(cls, pairs: list[str] | None) -> BudgetFilter:
        """From `COL=VALUE` words (the command's --where); a column given twice means either.

        `month=2026-07` is one month, `month=2026-07..2026-09` a range.
        """
        values: dict[str, list[str]] = {}
        month_from = month_to = None
        for pair in pairs or []:
            column, sep, value = pair.partition("=")
            column, value = FILTER_ALIASES.get(column.strip(), column.strip()), value.strip()
            if not sep or not value:
                raise Refused(f"{pair!r} is not COLUMN=VALUE")
            if column == "month":
                first, _, last = value.partition("..")
                month_from, month_to = _month(first), _month(last or first)
            elif column in FILTER_FIELDS:
                values.setdefault(FILTER_FIELDS[column], []).append(
                    value.lower() if column in ("owner", "funnel_stage") else value)
            else:
                raise Refused(f"cannot filter on {column!r}; use one of"
                              f" {', '.join([*FILTER_FIELDS, 'month'])}")
        return cls(**{k: tuple(v) for k, v in values.items()}, month_from=month_from,
                   month_to=month_to)

    def describe(self) -> str:
        """`channel=Trade shows, region=EMEA`, or `all lines`."""
        parts = [f"{column}={'|'.join(getattr(self, field))}"
                 for column, field in FILTER_FIELDS.items() if getattr(self, field)]
        if self.month_from or self.month_to:
            parts.append(f"month={self.month_from or ''}..{self.month_to or ''}")
        return ", ".join(parts) or "all lines"


FILTER_FIELDS = {"owner": "owners", "funnel_stage": "stages", "category": "categories",
                 "channel": "channels", "region": "regions"}
FILTER_ALIASES = {"stage": "funnel_stage"}


def _month(text: str) -> date:
    try:
        year, month = text.strip().split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        raise Refused(f"{text!r} is not a month like 2026-07") from None


def totals_under(dim: str) -> str:
    """The plan_totals dimension a breakdown by `dim` reads: every row names its owner, so the
    owner's totals are those under the month (each line counts once there)."""
    return "month" if dim == "owner" else dim


@dataclass(frozen=True)
class BudgetSummary:
    pool: Decimal | None
    allocated_all: Decimal  # the whole scenario, whatever the filter
    allocated: Decimal  # the filtered lines
    by_owner: dict[str, Decimal] = field(default_factory=dict)
    lines: int = 0

    @property
    def unallocated(self) -> Decimal | None:
        return None if self.pool is None else self.pool - self.allocated_all


class Budget:
    """One scenario of one fiscal year, seen through a filter."""

    def __init__(self, store: Store, year: int, scenario: str,
                 where: BudgetFilter | None = None) -> None:
        self.store, self.year, self.scenario = store, year, scenario
        self.filter = where or BudgetFilter()
        found = store.reads.get(("scenario id", year, scenario),
                                lambda: store.scalar(sql.SCENARIO_ID, [year, scenario]))
        if found is None:
            raise Refused(f"there is no scenario {scenario!r} in fiscal year {year}")
        self.scenario_id: int = found

    def cache_key(self) -> tuple:
        return (self.year, self.scenario_id, self.filter)

    def filtered(self, where: BudgetFilter) -> Budget:
        return Budget(self.store, self.year, self.scenario, where)

    def _where(self) -> tuple[str, list]:
        clauses, params = self.filter.clauses()
        return " AND ".join(["l.scenario_id = ?", *clauses]), [self.scenario_id, *params]

    @cached
    def totals(self) -> list[tuple[str, str, str, Decimal, int]]:
        """(dim, value, owner, amount, lines) of the filtered lines: each line once under each
        dimension but the owner (a month as its first day, `YYYY-MM-DD`). The page's totals,
        breakdowns and month picker all come from these rows."""
        if not self.filter.active:
            return self.store.query(sql.TOTALS, [self.scenario_id])
        where, params = self._where()
        return self.store.query(sql.FILTERED_TOTALS.format(where=where), params)

    def _whole(self) -> Budget:
        """The whole scenario, whatever the filter."""
        return self.filtered(BudgetFilter()) if self.filter.active else self

    def _rows_of(self, dim: str) -> list[tuple[str, str, Decimal, int]]:
        """(value, owner, amount, lines) under one dimension (the owner: under every month)."""
        under = totals_under(dim)
        return [(owner if dim == "owner" else value, owner, amount, lines)
                for d, value, owner, amount, lines in self.totals() if d == under]

    @cached
    def summary(self) -> BudgetSummary:
        by_owner = {o: ZERO for o in OWNERS}
        lines = 0
        for _value, owner, amount, n in self._rows_of("owner"):
            by_owner[owner] += amount
            lines += n
        allocated = sum(by_owner.values(), ZERO)
        return BudgetSummary(
            pool=self.store.scalar(sql.POOL, [self.year]),
            allocated_all=self._whole().summary().allocated if self.filter.active else allocated,
            allocated=allocated,
            by_owner=by_owner,
            lines=lines,
        )

    @cached
    def by_dimension(self, dim: str) -> list[tuple[str, str, Decimal]]:
        """(value, owner, amount) for each value of a dimension, by value then owner."""
        if dim not in DIMENSIONS:
            raise Refused(f"cannot break the budget down by {dim!r}")
        found: dict[tuple[str, str], Decimal] = {}
        for value, owner, amount, _n in self._rows_of(dim):
            found[value, owner] = found.get((value, owner), ZERO) + amount
        return [(value, owner, amount) for (value, owner), amount in sorted(found.items())]

    @cached
    def monthly(self) -> list[tuple[date, str, Decimal]]:
        return sorted((date.fromisoformat(value), owner, amount)
                      for value, owner, amount, _n in self._rows_of("month"))

    @cached
    def lines(self, *, sort: str = "amount", descending: bool = True, page: int = 0,
              page_size: int = PAGE_SIZE) -> list[BudgetLine]:
        """One page of lines; the table never holds more than `page_size` rows."""
        if sort not in SORTABLE:
            raise Refused(f"cannot sort lines by {sort!r}")
        where, params = self._where()
        order = f"l.{sort} {'DESC' if descending else 'ASC'}"
        rows = self.store.query(sql.LINES_PAGE.format(where=where, order=order),
                                [*params, page_size, page * page_size])
        return [BudgetLine(r[0], self.scenario, *r[1:]) for r in rows]

    @cached
    def options(self) -> dict[str, list[str]]:
        """The values each dimension takes in this scenario, for filter pickers."""
        return {dim: sorted({value for value, *_ in self._whole()._rows_of(dim)})
                for dim in DIMENSIONS}

    @cached
    def month_range(self) -> tuple[date | None, date | None]:
        months = [value for value, *_ in self._whole()._rows_of("month")]
        if not months:
            return None, None
        return date.fromisoformat(min(months)), date.fromisoformat(max(months))
