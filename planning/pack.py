"""The weekly joint meeting pack: what the two heads put on the table, gathered from the very
functions the pages draw (one definition of every figure), for a period since a date.

It holds the KPIs against target (the KPI page's year to date, `kpi_views.kpi_view`), the latest
estimate (`forecast.estimate`) and the largest variances with their explanations
(`variance.variances`), the hand-off's SLA breaches (`sla.sla`), the lines waiting for each
head (`review.Review`), the decisions (the audit trail) and comments written since the date, the
alignment stage (`alignment`), and the shared rewards' factor (`rewards.factor`). `to_markdown`
and `to_html` render it (see `planning.pack_render`). Making a pack is a bulk take-away of the
firm's figures (the `export` rule) and is audited: the next pack covers, by default, the time
since this one (the last meeting), else the last 7 days.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from planning import access, audit
from planning.alignment import Survey, trend
from planning.errors import Refused
from planning.forecast import Estimate, estimate
from planning.kpi_values import KpiResult, year_rows
from planning.kpi_views import kpi_view
from planning.kpis import KPIS
from planning.people import Person
from planning.review import QueuedLine, Review
from planning.rewards import Factor, factor, plan
from planning.sla import Sla, sla
from planning.store import Store
from planning.store import pack_sql as sql
from planning.variance import Group, Variances, variances

ACTION = "make pack"
# The decisions a meeting looks back on: the review's and the year's (as in the minutes), and
# the executive's settings both departments live by.
DECISIONS = (*audit.DECISIONS, "set pool", "set rewards", "set thresholds",
             "set variance thresholds")
LARGEST = 5  # variances and waiting lines listed
LISTED = 40  # decisions and comments listed (all are counted)
DEFAULT_DAYS = 7


@dataclass(frozen=True)
class Waiting:
    """The submitted lines waiting for one head's sign-off: how many, and the largest."""

    department: str
    lines: int
    largest: list[QueuedLine]


@dataclass(frozen=True)
class Note:
    """A comment written in the period: on a plan line, or in a variance's thread."""

    at: datetime
    author: str
    about: str
    text: str


@dataclass(frozen=True)
class Pack:
    firm: str
    currency: str
    year: int
    since: datetime
    until: datetime  # when it was made
    made_by: str
    kpi_period: str  # the KPI page's period: the year to date
    kpi_months: list[date]
    kpis: list[KpiResult]  # those with a target for the period, in the KPI table's order
    annual: dict[str, KpiResult]  # each KPI's whole year against the annual target
    estimate: Estimate
    variances: Variances
    largest: list[Group]  # the largest variances beyond the thresholds, explained or not
    sla: Sla | None  # None: no MQL in the year
    waiting: list[Waiting]
    decisions: list[audit.Entry]  # oldest first, at most LISTED
    decision_count: int
    notes: list[Note]  # oldest first, at most LISTED
    note_count: int
    alignment: Survey | None  # the newest quarter with answers
    rewards: Factor | None  # None: no rewards plan for the year
    scenario: str = ""


def now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def last_made(store: Store) -> datetime | None:
    """When the last pack was made (the last meeting), if ever."""
    return store.scalar(sql.LAST_PACK, [ACTION])


def default_since(store: Store, until: datetime | None = None) -> datetime:
    """The last pack's time, else 7 days before `until` (midnight, UTC)."""
    found = last_made(store)
    if found is not None:
        return found
    until = until or now()
    return datetime.combine(until.date() - timedelta(days=DEFAULT_DAYS), time.min)


def start_of(day: date) -> datetime:
    return datetime.combine(day, time.min)


def _largest(found: Variances) -> list[Group]:
    beyond = [g for g in found.groups if g.needs_explaining and not g.is_total]
    return sorted(beyond, key=lambda g: (-abs(g.variance), g.owner, g.channel, g.region)
                  )[:LARGEST]


def _waiting(store: Store, year: int, scenario: str) -> list[Waiting]:
    review = Review(store)
    out = []
    for department in ("sales", "marketing"):
        # The department's queue as its head's Review page lists it (no line is the
        # reader's own edit here: the pack is read by both).
        head = Person("", f"{department}_head")
        out.append(Waiting(department, review.waiting(year, scenario, department),
                           review.queue(head, year, scenario, LARGEST)))
    return out


def _notes(store: Store, year: int, since: datetime, until: datetime) -> list[Note]:
    notes = [Note(at, author, f"{owner} {category} · {channel} · {region} · {month:%b %Y}"
                  f" ({scenario}, line {line})", body)
             for at, author, body, owner, category, channel, region, month, scenario, line
             in store.query(sql.LINE_COMMENTS, [year, since, until])]
    notes += [Note(at, author, f"variance of {owner} "
                   + (f"{channel} · {region}" if channel else "in total")
                   + f" to {as_of:%b %Y}", text)
              for at, author, text, owner, channel, region, as_of
              in store.query(sql.VARIANCE_COMMENTS, [year, since, until])]
    return sorted(notes, key=lambda n: n.at)


def _alignment(store: Store) -> Survey | None:
    quarters = trend(store)
    return quarters[-1] if quarters else None


def build(store: Store, year: int, since: datetime, *, made_by: str,
          until: datetime | None = None) -> Pack:
    """Gather a pack of a fiscal year for the period from `since` to `until` (default now)."""
    until = until or now()
    if since > until:
        raise Refused(f"the pack covers a period up to now: {since:%Y-%m-%d} is later")
    period = f"{year}-YTD"
    view = kpi_view(store, year, period)
    kpis = [view.card[k.name] for k in KPIS if view.card[k.name].target is not None]
    landing = estimate(store, year)
    found = variances(store, year)
    handoff = sla(store, year)
    decisions = list(reversed(audit.entries(store, since=since, until=until,
                                            actions=list(DECISIONS), limit=10_000)))
    notes = _notes(store, year, since, until)
    paid = factor(store, year) if plan(store, year) is not None else None
    return Pack(
        firm=store.setting("firm_name"), currency=store.currency, year=year, since=since,
        until=until, made_by=made_by, kpi_period=period, kpi_months=view.months, kpis=kpis,
        annual={r.kpi: r for r in year_rows(store, year)}, estimate=landing,
        variances=found, largest=_largest(found),
        sla=handoff if handoff.year.mqls else None,
        waiting=_waiting(store, year, landing.scenario),
        decisions=decisions[-LISTED:], decision_count=len(decisions),
        notes=notes[-LISTED:], note_count=len(notes), alignment=_alignment(store),
        rewards=paid, scenario=landing.scenario)


def make(store: Store, actor: Person | str, year: int, since: datetime | date | None = None,
         *, what: str = "pack") -> Pack:
    """Make the pack (who may take the firm's figures away: the `export` rule) and note that
    it was made, so the next one covers the time since (audited)."""
    who = access.require(access.person(actor), "export")
    if since is None:
        since = default_since(store)
    elif not isinstance(since, datetime):
        since = start_of(since)
    made = build(store, year, since, made_by=who.name)
    store.write(lambda cur: audit.record(
        cur, who.name, ACTION, f"pack FY{year}",
        after={"since": f"{since:%Y-%m-%d %H:%M}", "until": f"{made.until:%Y-%m-%d %H:%M}",
               "as": what}))
    return made


def to_markdown(pack: Pack) -> str:
    from planning.pack_render import markdown

    return markdown(pack)


def to_html(pack: Pack) -> str:
    from planning.pack_render import html

    return html(pack)
