"""The hand-off from marketing to sales, measured against its service-level agreement (SLA).

Every definition of the hand-off lives here (the data contract's `tandem sla` section):

- An **MQL** is a lead with `mql_at`; it belongs to the month of its `mql_at` (UTC). Only the
  fiscal year's months count: an MQL of the month before the year is not in the year.
- The **first-touch window** is the store's setting `first_touch_hours` (default 24); the
  **deadline** of an MQL is `mql_at` plus the window. The **as-of** time is the one given, else
  now (UTC); a time with an offset is converted to UTC.
- An MQL is **in time** when `first_touch_at` <= its deadline (a touch exactly at the deadline is
  in time); a **breach** when it is not in time and its deadline <= the as-of time (touched late,
  or untouched and overdue); otherwise **pending** (untouched, not due yet).
- **In-time rate** = in time / (in time + breaches): pending MQLs are not judged yet.
- **Hours to first touch**: from `mql_at` to `first_touch_at`, over the MQLs touched (late ones
  too). p50 and p95 by linear interpolation between the two nearest values, rounded to 2 places
  (half up); and the touched MQLs in **bands**: up to 1 h, over 1 to 4 h, over 4 to 24 h, over
  24 h (a touch on an edge falls in the band below it). Percentiles and bands, not averages: an
  average hides the slow tail.
- **Accepted**: MQLs with `sql_at`; **acceptance rate** = accepted / MQLs.
- **Marketing's side**: a month's MQLs against its `mqls` target (the target set for that
  month: `mql_target`), attainment = MQLs / target, and a status by the KPI page's thresholds
  (`planning.kpi_values`: on track, watch, off track). A month after the as-of time is not
  judged yet; the month in progress is judged against its target paced to the share of the month
  gone. The **year to date** runs to the as-of month: its target is each month's (the month's
  own, else the year's phased evenly, as the KPI page does), the month in progress paced.
- **By channel and region**: MQLs and accepted, with the **spend** that produced them: actuals
  of every owner in the same channel and region over the fiscal year's months. Cost per MQL =
  spend / MQLs, cost per accepted SQL = spend / accepted (money, to the cent, half to even as
  the KPIs' CAC).
- **Overdue follow-up**: untouched MQLs past their deadline, oldest first, with the hours since
  the deadline.

A ratio or percentile with nothing to compute from is None (n/a), never 0.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from planning import agreements
from planning.errors import Refused
from planning.kpi_values import fiscal_months, status, target_for, targets, thresholds
from planning.kpis import attainment
from planning.money import CENT, ratio
from planning.store import Store
from planning.store import sla_sql as sql
from planning.store.dialect import of

WINDOW_SETTING, DEFAULT_HOURS = "first_touch_hours", Decimal(24)
# The bands of hours to first touch: (label, upper edge in hours, None for no edge).
BANDS: tuple[tuple[str, int | None], ...] = (
    ("0-1 h", 1), ("1-4 h", 4), ("4-24 h", 24), ("over 24 h", None))
# A status in words, as the KPI page and `Thresholds.describe` say it.
STATUS_WORDS = {"green": "on track", "amber": "watch", "red": "off track"}
OVERDUE_SHOWN = 50  # untouched overdue MQLs listed for follow-up (all are counted)
HOUR_US = 3_600_000_000  # microseconds in an hour
IN_TIME, BREACH, UNTOUCHED = 0, 1, len(BANDS)  # the grouped SQL's state and band codes
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Handling:
    """What sales did with a set of MQLs (a month's, a rep's, the year's)."""

    mqls: int
    in_time: int
    breaches: int
    accepted: int
    p50_hours: Decimal | None
    p95_hours: Decimal | None
    bands: tuple[int, ...]  # touched MQLs per band of BANDS
    overdue: int  # the breaches not touched at all

    @property
    def pending(self) -> int:
        return self.mqls - self.in_time - self.breaches

    @property
    def in_time_rate(self) -> Decimal | None:
        return ratio(self.in_time, self.in_time + self.breaches)

    @property
    def acceptance_rate(self) -> Decimal | None:
        return ratio(self.accepted, self.mqls)

    @property
    def touched(self) -> int:
        return sum(self.bands)


NO_MQL = Handling(0, 0, 0, 0, None, None, (0,) * len(BANDS), 0)


@dataclass(frozen=True)
class MonthRow(Handling):
    """One month: marketing's side (MQLs against the month's target) and sales' side."""

    month: date = date.min
    mql_target: Decimal | None = None
    stage: str = "closed"  # "closed", "in progress" (the as-of month) or "ahead" (not judged)
    status: str | None = None  # "green", "amber", "red" (the KPI page's words), None: not judged

    @property
    def mql_attainment(self) -> Decimal | None:
        return attainment("mqls", self.mqls, self.mql_target)


@dataclass(frozen=True)
class RepRow(Handling):
    rep: str = ""


@dataclass(frozen=True)
class PlaceRow:
    """A channel and region: what its MQLs became, and what they cost."""

    channel: str
    region: str
    mqls: int
    accepted: int
    spend: Decimal

    @property
    def acceptance_rate(self) -> Decimal | None:
        return ratio(self.accepted, self.mqls)

    @property
    def cost_per_mql(self) -> Decimal | None:
        return _money_per(self.spend, self.mqls)

    @property
    def cost_per_accepted(self) -> Decimal | None:
        return _money_per(self.spend, self.accepted)


@dataclass(frozen=True)
class OverdueMql:
    lead_id: str
    rep: str | None  # None: routed to nobody
    channel: str
    region: str
    mql_at: datetime
    hours_overdue: Decimal  # since the deadline

    @property
    def days_overdue(self) -> Decimal:
        return (self.hours_overdue / 24).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Window:
    """The first-touch window in force, and who set it (None: no agreement recorded: the
    store's default, or a value set before agreements were kept)."""

    hours: Decimal
    set_by: str | None = None  # who agreed it, or set it in force
    set_at: datetime | None = None
    how: str | None = None  # the agreement's story: proposed by ..., agreed by ... on ...

    @property
    def default(self) -> bool:
        return self.set_by is None and self.hours == DEFAULT_HOURS

    @property
    def micros(self) -> int:
        return int(self.hours * HOUR_US)

    @property
    def delta(self) -> timedelta:
        return timedelta(microseconds=self.micros)


@dataclass(frozen=True)
class MarketingToDate:
    """Marketing's year to date: MQLs of the fiscal year's months up to the as-of month."""

    months: tuple[date, ...]
    mqls: int
    target: Decimal | None
    attainment: Decimal | None
    status: str | None


@dataclass(frozen=True)
class Sla:
    fiscal_year: int
    as_of: datetime
    window: Window
    months: tuple[MonthRow, ...]  # the year's months with an MQL or an `mqls` target, in order
    year: Handling
    to_date: MarketingToDate
    reps: tuple[RepRow, ...]  # reps with an MQL routed to them, by name
    unrouted: Handling  # MQLs routed to no rep
    places: tuple[PlaceRow, ...]  # channel and region with MQLs or spend, by channel and region
    latest_mql: datetime | None  # the year's latest `mql_at` in the store (how recent the data is)
    overdue: tuple[OverdueMql, ...]  # the oldest OVERDUE_SHOWN of `year.overdue`

    @property
    def all_places(self) -> PlaceRow:
        """Every channel and region together: the year's MQLs, accepted and spend."""
        return PlaceRow("all", "all", sum(p.mqls for p in self.places),
                        sum(p.accepted for p in self.places),
                        sum((p.spend for p in self.places), ZERO))

    @property
    def reps_by_breaches(self) -> tuple[RepRow, ...]:
        """The reps, most breaches first (then the lowest in-time rate, the slowest median)."""
        return tuple(sorted(self.reps, key=lambda r: (
            -r.breaches, Decimal(2) if r.in_time_rate is None else r.in_time_rate,
            -(r.p50_hours or 0), r.rep)))

    @property
    def slowest_rep(self) -> RepRow | None:
        """The first of `reps_by_breaches`, if any rep breached the window."""
        first = self.reps_by_breaches[:1]
        return first[0] if first and first[0].breaches else None


# -- the as-of time and the window ------------------------------------------------------------
_TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?")


def parse_as_of(text: str) -> datetime:
    """A timestamp as the contract writes one (`2026-06-30 17:00`, `2026-06-30 17:00:05`,
    ISO 8601 with `T`, an optional offset `Z` or `+02:00`) as a naive UTC datetime; ValueError
    naming the accepted forms otherwise."""
    cleaned = text.strip()
    try:
        if not _TIMESTAMP.fullmatch(cleaned):
            raise ValueError
        return utc(datetime.fromisoformat(cleaned.replace("Z", "+00:00")))
    except ValueError:
        raise ValueError(f"{text!r} is not a timestamp; write it as YYYY-MM-DD HH:MM[:SS], in"
                         " UTC or with an offset, e.g. 2026-06-30 17:00 or"
                         " 2026-06-30T17:00:00+02:00") from None


def utc(moment: datetime) -> datetime:
    """A naive UTC datetime, as the store keeps times (a naive one is taken as UTC already)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def window(store: Store) -> Window:
    """The first-touch window in force, and how it came to be (who proposed it, who agreed it
    or set it, and when: `planning.agreements`); none for the store's default, never changed."""
    text = store.setting(WINDOW_SETTING)
    try:
        hours = Decimal(text)
        if not hours.is_finite() or hours <= 0:
            raise InvalidOperation
    except InvalidOperation:
        raise Refused(f"the store's first-touch window ({WINDOW_SETTING} = {text!r}) is not a"
                      " number of hours above 0; set it again") from None
    record = next((s.record for s in agreements.sla_standing(store)
                   if s.key.name == WINDOW_SETTING), None)
    if record is None:
        return Window(hours)
    return Window(hours, record.decided_by, record.decided_at, record.describe())


def fiscal_year_at(store: Store, moment: datetime) -> int:
    """The fiscal year a moment falls in (named by the calendar year of its first month)."""
    start = store.fiscal_year_start_month
    return moment.year if moment.month >= start else moment.year - 1


def latest_mql(store: Store, year: int) -> datetime | None:
    """The fiscal year's latest hand-off in the store: how far the leads imported reach."""
    months = fiscal_months(store, year)
    start, end = datetime.combine(months[0], datetime.min.time()), _next(months[-1])
    with store.cursor() as cur:
        return cur.execute(sql.LATEST_MQL, [start, end]).fetchone()[0]


# -- the figures --------------------------------------------------------------------------------
def sla(store: Store, year: int, as_of: datetime | None = None, *,
        overdue_shown: int = OVERDUE_SHOWN) -> Sla:
    """The hand-off of a fiscal year as of a time: by month, for the year and to date, by rep,
    by channel and region, and the overdue MQLs to follow up. Kept per store revision."""
    as_of = now() if as_of is None else utc(as_of)
    return store.reads.get(("sla", year, as_of, overdue_shown),
                           lambda: _sla(store, year, as_of, overdue_shown))


def _sla(store: Store, year: int, as_of: datetime, overdue_shown: int) -> Sla:
    months = fiscal_months(store, year)
    start, end = datetime.combine(months[0], datetime.min.time()), _next(months[-1])
    terms = window(store)
    last_due = as_of - terms.delta  # an MQL at or before it has met its deadline
    edges = [edge * HOUR_US for _label, edge in BANDS if edge is not None]
    with store.cursor() as cur:
        name = of(cur).name
        counted = cur.execute(sql.COUNTS[name],
                              [terms.micros, last_due, start, end, *edges]).fetchall()
        spread = cur.execute(sql.PERCENTILES[name], [start, end]).fetchall()
        placed = cur.execute(sql.PLACES, [start, end]).fetchall()
        spent = cur.execute(sql.SPEND, [months[0], months[-1]]).fetchall()
        late = cur.execute(sql.OVERDUE, [last_due, start, end, overdue_shown]).fetchall()
    month_of = {m.month: m for m in months}
    tallies: dict[tuple[str, object], _Tally] = {}
    for number, rep, state, band, mqls, accepted in counted:
        for key in (("month", month_of[int(number)]), ("rep", rep), ("year", None)):
            tally = tallies.get(key)
            if tally is None:
                tally = tallies[key] = _Tally()
            tally.add(int(state), int(band), int(mqls), int(accepted))
    percentiles = {("month", month_of[int(number)]) if kind == "month" else
                   ("rep", rep) if kind == "rep" else ("year", None): tuple(values or ())
                   for kind, number, rep, values in spread}

    def handled(key: tuple[str, object]) -> Handling:
        tally = tallies.get(key)
        return NO_MQL if tally is None else tally.handling(percentiles.get(key, ()))

    found_targets = targets(store, year)
    limits = thresholds(store)
    rows = []
    for month in months:
        target = found_targets.get(("mqls", f"{month:%Y-%m}"))
        if ("month", month) not in tallies and target is None:
            continue
        h = handled(("month", month))
        rows.append(MonthRow(*_fields(h), month=month, mql_target=target,
                             stage=_stage(month, as_of),
                             status=_judged(h.mqls, target, month, as_of, limits)))
    reps = tuple(RepRow(*_fields(handled(key)), rep=key[1]) for key in sorted(
        (k for k in tallies if k[0] == "rep" and k[1] is not None), key=lambda k: k[1]))
    spend = {(c, r): Decimal(a) for c, r, a in spent}
    mqls_at = {(c, r): (int(n), int(a)) for c, r, n, a, _latest in placed}
    places = tuple(PlaceRow(c, r, *mqls_at.get((c, r), (0, 0)), spend.get((c, r), ZERO))
                   for c, r in sorted(set(mqls_at) | set(spend)))
    by_month = {m: handled(("month", m)) for m in months if ("month", m) in tallies}
    return Sla(year, as_of, terms, tuple(rows), handled(("year", None)),
               _to_date(store, year, months, by_month, found_targets, as_of, limits),
               reps, handled(("rep", None)), places,
               max((latest for *_place, latest in placed), default=None),
               tuple(OverdueMql(lead, rep, channel, region, at, _hours(_micros(last_due - at)))
                     for lead, rep, channel, region, at in late))


class _Tally:
    """Counts of one set of MQLs, added up from the grouped rows."""

    def __init__(self) -> None:
        self.mqls = self.in_time = self.breaches = self.accepted = self.overdue = 0
        self.bands = [0] * len(BANDS)

    def add(self, state: int, band: int, mqls: int, accepted: int) -> None:
        self.mqls += mqls
        self.accepted += accepted
        if state == IN_TIME:
            self.in_time += mqls
        elif state == BREACH:
            self.breaches += mqls
            self.overdue += mqls if band == UNTOUCHED else 0
        if band != UNTOUCHED:
            self.bands[band] += mqls

    def handling(self, percentiles: tuple) -> Handling:
        p50, p95 = (*percentiles, None, None)[:2]
        return Handling(self.mqls, self.in_time, self.breaches, self.accepted, _hours(p50),
                        _hours(p95), tuple(self.bands), self.overdue)


def _to_date(store: Store, year: int, months: list[date], by_month: dict[date, Handling],
             found: dict, as_of: datetime, limits) -> MarketingToDate:
    shown = tuple(m for m in months if _stage(m, as_of) != "ahead")
    mqls = sum((by_month[m].mqls for m in shown if m in by_month), 0)
    parts = [target_for(store, year, "mqls", f"{m:%Y-%m}", found, months=[m]) for m in shown]
    if not shown or any(p is None for p in parts):
        return MarketingToDate(shown, mqls, None, None, None)
    target = sum((_paced(p, m, as_of) for p, m in zip(parts, shown, strict=True)), Decimal(0))
    reached = attainment("mqls", mqls, target)
    return MarketingToDate(shown, mqls, target.quantize(CENT), reached,
                           status("mqls", mqls, target, reached, limits))


def _judged(mqls: int, target: Decimal | None, month: date, as_of: datetime,
            limits) -> str | None:
    """A month's status: against its target once it is over, against the target paced to the
    share of the month gone while it runs, none before it starts."""
    if target is None or _stage(month, as_of) == "ahead":
        return None
    paced = _paced(target, month, as_of)
    return status("mqls", mqls, paced, attainment("mqls", mqls, paced), limits)


def _stage(month: date, as_of: datetime) -> str:
    start = datetime.combine(month, datetime.min.time())
    if as_of <= start:  # as of its first instant, none of the month has gone yet
        return "ahead"
    return "closed" if as_of >= _next(month) else "in progress"


def _paced(target: Decimal, month: date, as_of: datetime) -> Decimal:
    """The month's target times the share of the month gone by the as-of time (all of it once
    the month is over)."""
    start, end = datetime.combine(month, datetime.min.time()), _next(month)
    if as_of >= end:
        return target
    gone = Decimal((as_of - start).total_seconds()) / Decimal((end - start).total_seconds())
    return target * max(gone, Decimal(0))


def _next(month: date) -> datetime:
    """The first instant after a month."""
    year, number = (month.year + 1, 1) if month.month == 12 else (month.year, month.month + 1)
    return datetime(year, number, 1)


def _fields(h: Handling) -> tuple:
    return (h.mqls, h.in_time, h.breaches, h.accepted, h.p50_hours, h.p95_hours, h.bands,
            h.overdue)


def _hours(micros: float | int | None) -> Decimal | None:
    if micros is None:
        return None
    return (Decimal(str(micros)) / HOUR_US).quantize(CENT, rounding=ROUND_HALF_UP)


def _micros(span: timedelta) -> int:
    return (span.days * 86_400 + span.seconds) * 1_000_000 + span.microseconds


def _money_per(spend: Decimal, count: int) -> Decimal | None:
    return None if not count else (spend / count).quantize(CENT)
