"""Where the year lands: the latest estimate of a fiscal year, and the forecast of its open months.

The as-of month closes the year up to and including it (default: the latest month of the year with
any actual). Over the adopted scenario: `planned` is the plan of all twelve months,
`actual_to_date` the actuals of the closed months (unplanned spend included), `remaining` each open
month's forecast where one is set for the key, else the plan's amount; `latest_estimate` is their
sum and `variance` its difference from the plan. A forecast never changes the plan.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from planning import access, audit
from planning.errors import Refused
from planning.kpi_values import fiscal_months
from planning.model import FUNNEL_STAGES, OWNERS
from planning.money import CENT, split
from planning.people import Person
from planning.scenarios import adopted_scenario
from planning.store import Store, budget_sql
from planning.store import forecast_sql as sql

ZERO = Decimal("0.00")
DIMENSIONS = ("month", "funnel_stage", "channel", "region")


@dataclass(frozen=True)
class Landing:
    """One owner's year (or all owners'): the plan, what was spent, what is still expected."""

    owner: str
    planned: Decimal = ZERO
    actual_to_date: Decimal = ZERO
    remaining: Decimal = ZERO

    @property
    def latest_estimate(self) -> Decimal:
        return self.actual_to_date + self.remaining

    @property
    def variance(self) -> Decimal:
        """Above 0: the year lands over its plan."""
        return self.latest_estimate - self.planned

    def __add__(self, other: Landing) -> Landing:
        return Landing(self.owner, self.planned + other.planned,
                       self.actual_to_date + other.actual_to_date,
                       self.remaining + other.remaining)


@dataclass(frozen=True)
class Estimate:
    fiscal_year: int
    scenario: str
    as_of: date | None  # the last closed month; None when no month is closed
    months: tuple[date, ...]  # the year's twelve months
    pool: Decimal | None
    owners: dict[str, Landing]  # sales, marketing, joint: every owner, even with nothing
    # dimension -> value -> owner -> Landing; value is a month (date) or a stage/channel/region
    by: dict[str, dict[object, dict[str, Landing]]] = field(default_factory=dict)

    @property
    def total(self) -> Landing:
        total = Landing("all")
        for landing in self.owners.values():
            total = total + landing
        return Landing("all", total.planned, total.actual_to_date, total.remaining)

    @property
    def headroom(self) -> Decimal | None:
        """What the pool still holds once the year lands; below 0 the pool is overspent."""
        return None if self.pool is None else self.pool - self.total.latest_estimate

    def closed(self, month: date) -> bool:
        return self.as_of is not None and month <= self.as_of

    def rows(self, dimension: str) -> list[tuple[object, Landing]]:
        """Every value of a dimension with its landing over all owners, in its natural order
        (months in the year's order, stages in funnel order, others by name)."""
        found = self.by.get(dimension, {})
        if dimension == "month":
            values: Iterable = self.months
        elif dimension == "funnel_stage":
            values = [s for s in FUNNEL_STAGES if s in found]
        else:
            values = sorted(found)
        out = []
        for value in values:
            total = Landing(str(value))
            for landing in found.get(value, {}).values():
                total = total + landing
            out.append((value, total))
        return out


def as_of_month(store: Store, year: int, as_of: date | None = None) -> date | None:
    """The last closed month: `as_of` (which must fall in the fiscal year), else the latest month
    of the year with any actual, else None (nothing closed yet)."""
    months = fiscal_months(store, year)
    if as_of is not None:
        as_of = as_of.replace(day=1)
        if as_of not in months:
            raise Refused(f"{as_of:%Y-%m} is not a month of fiscal year {year}"
                          f" ({months[0]:%Y-%m} to {months[-1]:%Y-%m})")
        return as_of
    return store.scalar(sql.LAST_ACTUAL_MONTH, [months[0], months[-1]])


def estimate(store: Store, year: int, as_of: date | None = None) -> Estimate:
    """The latest estimate of a fiscal year over its adopted scenario, computed in one pass."""
    months = tuple(fiscal_months(store, year))
    closed_to = as_of_month(store, year, as_of)
    with store.cursor() as cur:
        scenario = adopted_scenario(cur, year)
        pool = cur.execute(budget_sql.POOL, [year]).fetchone()
        rows = cur.execute(sql.ESTIMATE, [
            adopted_id(cur, year, scenario), months[0], closed_to or _before(months[0]),
            months[-1], year]).fetchall()
    by: dict[str, dict[object, dict[str, Landing]]] = {d: defaultdict(dict) for d in DIMENSIONS}
    owners = {o: Landing(o) for o in OWNERS}
    for dimension, owner, value, planned, actual, remaining in rows:
        landing = Landing(owner, _money(planned), _money(actual), _money(remaining))
        key: object = date.fromisoformat(value[:10]) if dimension == "month" else value
        by[dimension][key][owner] = landing
        if dimension == "month":
            owners[owner] = owners[owner] + landing
    return Estimate(year, scenario, closed_to, months, pool[0] if pool else None, owners,
                    {d: dict(v) for d, v in by.items()})


def adopted_id(cur, year: int, scenario: str | None = None) -> int:
    """The id of the year's adopted scenario, or -1 (no line has it) when the year has none
    yet: its actuals and forecasts still count, against no plan."""
    found = cur.execute(budget_sql.SCENARIO_ID,
                        [year, scenario or adopted_scenario(cur, year)]).fetchone()
    return found[0] if found else -1


def _before(month: date) -> date:
    return date(month.year - 1, 12, 1) if month.month == 1 else date(month.year, month.month - 1, 1)


def _money(value: Decimal | int | None) -> Decimal:
    return Decimal(value or 0).quantize(CENT)


# -- the forecast of open months ----------------------------------------------------------------
@dataclass(frozen=True)
class ForecastLine:
    owner: str
    category: str
    funnel_stage: str
    channel: str
    region: str
    month: date
    amount: Decimal

    @property
    def key(self) -> tuple:
        return (self.owner, self.category, self.funnel_stage, self.channel, self.region,
                self.month)


def forecasts(store: Store, year: int) -> list[ForecastLine]:
    """The forecast lines set for a fiscal year, closed months included (they no longer count)."""
    return [ForecastLine(*r) for r in store.query(
        f"SELECT {sql.FORECAST_KEY_COLUMNS}, amount FROM forecasts WHERE fiscal_year = ?"
        f" ORDER BY {sql.FORECAST_KEY_COLUMNS}", [year])]


def set_forecast(store: Store, actor: Person | str, year: int, lines: Iterable[ForecastLine],
                 *, as_of: date | None = None, operation: str | None = None,
                 counted: dict[tuple, Decimal] | None = None) -> int:
    """Set the forecast of open-month lines (all or none); returns how many changed.

    Each line changed is an audit entry of its own, or, for an `operation` over many lines (a
    scale, a shift), one entry naming it with the lines' totals before and after (`counted`:
    what each line of the operation counts now, when the caller has read it already).
    Refused, with nothing written, when the person may not forecast, a line is not theirs, a
    month is closed or outside the year, or an amount is below 0 or finer than a cent."""
    who = access.require(access.person(actor), "forecast")
    lines = list(lines)
    access.require_owners(who, {line.owner for line in lines}, "forecast")
    months = fiscal_months(store, year)
    closed_to = as_of_month(store, year, as_of)
    problems = []
    for line in lines:
        if line.owner not in OWNERS or line.funnel_stage not in FUNNEL_STAGES:
            problems.append(f"{_describe(line)}: unknown owner or funnel stage")
        elif line.month not in months:
            problems.append(f"{_describe(line)}: {line.month:%Y-%m} is not in fiscal year {year}")
        elif closed_to is not None and line.month <= closed_to:
            problems.append(f"{_describe(line)}: {line.month:%Y-%m} is closed (actuals run to"
                            f" {closed_to:%Y-%m}); only months after it can be forecast")
        elif line.amount < 0 or line.amount != line.amount.quantize(CENT):
            problems.append(f"{_describe(line)}: the forecast must be an amount of 0 or more with"
                            f" at most 2 decimals, not {line.amount}")
    if problems:
        raise Refused("; ".join(problems))
    keys = [line.key for line in lines]
    if len(set(keys)) != len(keys):
        raise Refused("the same line is forecast twice in one change")
    if operation is not None:
        if counted is None:
            counted = {ln.line.key: ln.line.amount for ln in open_lines(
                store, year, {line.owner for line in lines}, closed_to)}
        totals = (sum((counted.get(k, ZERO) for k in keys), ZERO),
                  sum((line.amount for line in lines), ZERO))

    def work(cur) -> int:
        changed = 0
        for line in lines:
            before = cur.execute(
                "SELECT amount FROM forecasts WHERE fiscal_year = ? AND owner = ? AND"
                " category = ? AND funnel_stage = ? AND channel = ? AND region = ? AND month = ?",
                [year, *line.key]).fetchone()
            if before and before[0] == line.amount:
                continue
            if before:
                cur.execute("UPDATE forecasts SET amount = ?, updated_by = ?, updated_at ="
                            " current_timestamp WHERE fiscal_year = ? AND owner = ? AND"
                            " category = ? AND funnel_stage = ? AND channel = ? AND region = ?"
                            " AND month = ?", [line.amount, who.name, year, *line.key])
            else:
                cur.execute(f"INSERT INTO forecasts (id, fiscal_year, {sql.FORECAST_KEY_COLUMNS},"
                            " amount, updated_by) SELECT coalesce(max(id), 0) + 1, ?, ?, ?, ?, ?,"
                            " ?, ?, ?, ? FROM forecasts", [year, *line.key, line.amount, who.name])
            if operation is None:
                audit.record(cur, who.name, "set forecast", f"forecast {year} {_describe(line)}",
                             before={"amount": before[0]} if before else None,
                             after={"amount": line.amount})
            changed += 1
        if operation is not None and changed:
            audit.record(cur, who.name, "set forecast", f"forecast {year}",
                         before={"total": totals[0]},
                         after={"operation": operation, "lines": changed, "total": totals[1]})
        return changed

    return store.write(work)


def _describe(line: ForecastLine) -> str:
    return (f"{line.owner} {line.category} {line.funnel_stage} {line.channel} {line.region}"
            f" {line.month:%Y-%m}")



@dataclass(frozen=True)
class OpenLine:
    """A line of an open month: its plan (None for new spend) and its forecast (None: the plan
    is expected)."""

    line: ForecastLine  # the amount is what the estimate counts: the forecast, else the plan
    planned: Decimal | None
    forecast: Decimal | None


def open_lines(store: Store, year: int, owners: Iterable[str] = OWNERS,
               as_of: date | None = None) -> list[OpenLine]:
    """The lines the forecast may change: every open month's plan line of the adopted scenario
    and every open-month forecast without one, of these owners, by key."""
    owners = [o for o in OWNERS if o in set(owners)]
    months = fiscal_months(store, year)
    closed_to = as_of_month(store, year, as_of)
    first_open = next((m for m in months if closed_to is None or m > closed_to), None)
    if not owners or first_open is None:
        return []
    marks = ", ".join("?" for _ in owners)
    with store.cursor() as cur:
        scenario = adopted_id(cur, year)
        rows = cur.execute(sql.OPEN_LINES.format(owners=marks), [
            year, scenario, first_open, months[-1], *owners,
            year, first_open, months[-1], *owners, scenario]).fetchall()
    return [OpenLine(ForecastLine(*key, forecast if forecast is not None else planned),
                     planned, forecast) for *key, planned, forecast in rows]


@dataclass(frozen=True)
class ForecastFilter:
    """Which open-month lines an operation takes: any of these owners, channels, regions and
    months (an empty choice takes all)."""

    owners: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    months: tuple[date, ...] = ()

    def matches(self, line: ForecastLine) -> bool:
        return all(not chosen or value in chosen for chosen, value in (
            (self.owners, line.owner), (self.channels, line.channel),
            (self.regions, line.region), (self.months, line.month)))

    def describe(self) -> str:
        parts = [", ".join(str(v) if not isinstance(v, date) else f"{v:%Y-%m}" for v in chosen)
                 for chosen in (self.owners, self.channels, self.regions, self.months) if chosen]
        return "; ".join(parts) or "every open line"


def _taken(store: Store, year: int, where: ForecastFilter, as_of: date | None) -> list[OpenLine]:
    lines = [ln for ln in open_lines(store, year, where.owners or OWNERS, as_of)
             if where.matches(ln.line)]
    if not lines:
        raise Refused(f"no open-month line matches {where.describe()}")
    return lines


def _spread(lines: list[OpenLine], total: Decimal) -> list[ForecastLine]:
    """The lines' new forecasts adding up to `total` exactly, pro rata to what each counts now
    (evenly when all count 0), to the cent by largest remainder."""
    weights = [ln.line.amount for ln in lines]
    parts = split(total, weights if any(weights) else [Decimal(1)] * len(weights))
    return [ForecastLine(*ln.line.key, part) for ln, part in zip(lines, parts, strict=True)
            if part != ln.line.amount]  # a line that keeps its amount is left as it is


def scale_forecast(store: Store, actor: Person | str, year: int, percent: Decimal,
                   where: ForecastFilter, *, as_of: date | None = None) -> int:
    """Scale the forecast of a filter's open-month lines by `percent` (-100 or more), exact to
    the cent: the new total is the old one scaled and rounded, spread by largest remainder."""
    percent = Decimal(percent)
    if percent < -100:
        raise Refused("a forecast cannot be scaled below -100%")
    lines = _taken(store, year, where, as_of)
    total = sum((ln.line.amount for ln in lines), ZERO)
    new = _spread(lines, (total * (1 + percent / 100)).quantize(CENT))
    return set_forecast(store, actor, year, new, as_of=as_of,
                        operation=f"scale {percent}% of {where.describe()}",
                        counted={ln.line.key: ln.line.amount for ln in lines})


def shift_forecast(store: Store, actor: Person | str, year: int, amount: Decimal,
                   source: ForecastFilter, target: ForecastFilter, *,
                   as_of: date | None = None) -> int:
    """Move `amount` of forecast from one filter's open-month lines to another's, pro rata on
    each side; the total forecast stays the same to the cent."""
    amount = Decimal(amount)
    if amount <= 0 or amount != amount.quantize(CENT):
        raise Refused("the amount to shift is more than 0 with at most 2 decimals")
    taken, given = _taken(store, year, source, as_of), _taken(store, year, target, as_of)
    if {ln.line.key for ln in taken} & {ln.line.key for ln in given}:
        raise Refused("the lines to shift from and to overlap; pick two distinct filters")
    have = sum((ln.line.amount for ln in taken), ZERO)
    if amount > have:
        raise Refused(f"the lines of {source.describe()} hold {have} of forecast; no more can"
                      " be shifted from them")
    goal = sum((ln.line.amount for ln in given), ZERO) + amount
    return set_forecast(store, actor, year,
                        [*_spread(taken, have - amount), *_spread(given, goal)], as_of=as_of,
                        operation=f"shift {amount} from {source.describe()} to"
                                  f" {target.describe()}",
                        counted={ln.line.key: ln.line.amount for ln in (*taken, *given)})
