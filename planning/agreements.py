"""What both departments are measured on, set together: the KPI targets and the service-level
agreement's terms (the first-touch window; the monthly MQL commitment is the `mqls` targets).

A head proposes a value; the other department's head agrees; only then is it in force, and
until then the proposal is shown beside the value in force. A planner proposes on behalf of
their department (a planner for both departments needs both heads). The proposer's department
never agrees to its own proposal. A change to a value in force, agreed or not, is a new
proposal and needs the other head again; a new proposal of a key replaces the one waiting.
An executive or the administrator (the `tandem` command without --as) sets a value in force at
once, recorded as the firm's decision "in force without agreement"; it replaces any proposal
of that key, and they may put a waiting proposal in force the same way. The proposer, their
department's head, an executive or the administrator may withdraw a proposal. Every step is one
audited entry per fiscal year (targets) or for the SLA, and a decision in the review's minutes.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation

import duckdb

from planning import access, audit
from planning.errors import Refused
from planning.kpi_values import fiscal_months
from planning.kpis import KPI, KPI_NAMES
from planning.people import ADMIN_ROLE, Person
from planning.store import Store
from planning.store import agreements_sql as sql

DEPARTMENTS = ("sales", "marketing")
OTHER = {"sales": "marketing", "marketing": "sales"}
DECIDERS = ("executive", ADMIN_ROLE)  # their word puts a value in force at once
TOPICS = ("target", "sla")
# An SLA term: its label, and the whole values it may take.
SLA_TERMS = {"first_touch_hours": ("First-touch window (hours)", 1, 720)}
ACTION = {("propose", "target"): "propose_target", ("agree", "target"): "agree_target",
          ("propose", "sla"): "propose_sla", ("agree", "sla"): "agree_sla"}
WORD = {"target": "targets", "sla": "SLA"}  # in the audit trail's actions: "agree targets"
TARGET_FORM = re.compile(r"-?[0-9]+(\.[0-9]+)?%?")


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def plain(value: Decimal | None) -> str:
    """A value as people write it: 785, 0.25, 1860000.5 (no trailing zeros); none for none."""
    if value is None:
        return "none"
    text = f"{Decimal(value).normalize():f}"
    return text if text != "-0" else "0"


@dataclass(frozen=True, order=True)
class Key:
    """What a value is of: a target (fiscal year, KPI, period) or an SLA term (year 0)."""

    topic: str
    fiscal_year: int
    name: str
    period: str

    @property
    def label(self) -> str:
        if self.topic == "sla":
            return SLA_TERMS[self.name][0]
        return f"{KPI[self.name].label} {self.period}"

    @property
    def entity(self) -> str:
        """The audit entity: every target step of a year under one name, the SLA under one."""
        return f"targets FY{self.fiscal_year}" if self.topic == "target" else \
            "service-level agreement"

    def params(self) -> list:
        return [self.topic, self.fiscal_year, self.name, self.period]


def target(year: int, kpi: str, period: str) -> Key:
    return Key("target", int(year), kpi, period)


FIRST_TOUCH = Key("sla", 0, "first_touch_hours", "")


def period_order(period: str) -> tuple[int, str]:
    """The year first, then its quarters, then its months."""
    return (0 if len(period) == 4 else 1 if period[5:6] == "Q" else 2), period


def key_order(key: Key) -> tuple:
    kpis = {k: i for i, k in enumerate(KPI_NAMES)}
    return key.topic, key.fiscal_year, kpis.get(key.name, -1), period_order(key.period)


@dataclass(frozen=True)
class Change:
    """A value proposed (or set) for a key, with how it was worked out when derived."""

    key: Key
    value: Decimal
    basis: str | None = None


def needs(department: str) -> tuple[str, ...]:
    """The departments whose head agrees to a department's proposal: the other one; both for a
    proposal of both (a planner for both departments)."""
    return DEPARTMENTS if department == "both" else (OTHER[department],)


def heads(departments: Iterable[str]) -> str:
    """`marketing head`, `sales and marketing heads`."""
    found = list(departments)
    return " and ".join(found) + (" heads" if len(found) > 1 else " head")


def department_label(department: str) -> str:
    return "both departments" if department == "both" else department


@dataclass(frozen=True)
class Proposal:
    key: Key
    value: Decimal
    proposed_by: str
    department: str  # sales, marketing or both: whose proposal it is
    proposed_at: datetime
    basis: str | None
    agreed: tuple[tuple[str, str, datetime], ...] = ()  # (department, person, when)

    @property
    def needs(self) -> tuple[str, ...]:
        return needs(self.department)

    @property
    def waiting_for(self) -> tuple[str, ...]:
        done = {d for d, _p, _at in self.agreed}
        return tuple(d for d in self.needs if d not in done)


@dataclass(frozen=True)
class Record:
    """How the value in force came to be: agreed, or put in force without agreement."""

    key: Key
    value: Decimal
    proposed_by: str
    department: str
    proposed_at: datetime
    basis: str | None
    decided_by: str
    decided_at: datetime
    how: str  # agreed, executive or administrator

    def describe(self) -> str:
        proposed = (f"proposed by {self.proposed_by} ({department_label(self.department)}) on"
                    f" {self.proposed_at:%Y-%m-%d}")
        if self.how == "agreed":
            return f"{proposed}, agreed by {self.decided_by} on {self.decided_at:%Y-%m-%d}"
        by = deciding(self.how, self.decided_by)
        if self.department in DECIDERS:
            return f"set by {by} on {self.decided_at:%Y-%m-%d}, in force without agreement"
        return (f"{proposed}, put in force by {by} on {self.decided_at:%Y-%m-%d}, without"
                " agreement")


@dataclass(frozen=True)
class Standing:
    """One key as it stands: the value in force and how it came to be, and what waits."""

    key: Key
    in_force: Decimal | None
    record: Record | None
    proposal: Proposal | None

    def describe(self) -> str:
        if self.in_force is None:
            return "none in force"
        if self.record is None:
            return "in force before agreements were recorded"
        return self.record.describe()


@dataclass(frozen=True)
class Outcome:
    """What a call did: the keys now in force, the keys now proposed (or agreed by one head of
    two), how many were unchanged, and how many waiting proposals a decision replaced."""

    in_force: tuple[Key, ...] = ()
    proposed: tuple[Key, ...] = ()
    unchanged: int = 0
    superseded: int = 0
    waiting_for: tuple[str, ...] = ()
    decided_by: str | None = None  # whose word it was: `the executive Erin Executive`

    def message(self, what: str = "target", *, done: bool = True) -> str:
        """A sentence for the person who did it (`done=False`: what it would do)."""
        now = "" if done else "would be "
        parts = []
        if self.proposed:
            verb = "agree" if len(self.waiting_for) > 1 else "agrees"
            parts.append(f"{len(self.proposed)} {what}(s) {now or 'now '}proposed: nothing in"
                         f" force changes until the {heads(self.waiting_for)} {verb}")
        if self.in_force:
            parts.append(f"{len(self.in_force)} {what}(s) {now or 'now '}in force"
                         + (f", set by {self.decided_by} without agreement (the firm's"
                            " decision)" if self.decided_by else ""))
        if self.superseded:
            parts.append(f"{self.superseded} waiting proposal(s) {now}replaced")
        if not parts:
            return f"nothing to change: every {what} is already in force or proposed as it stands"
        return "; ".join(parts)


# -- reading --------------------------------------------------------------------------------------
def _proposal(row: tuple) -> Proposal:
    topic, year, name, period, value, by, department, at, basis, s_by, s_at, m_by, m_at = row
    agreed = tuple((d, who, when) for d, who, when in (("sales", s_by, s_at),
                                                        ("marketing", m_by, m_at)) if who)
    agreed = tuple(sorted(agreed, key=lambda a: a[2]))
    return Proposal(Key(topic, year, name, period), value, by, department, at, basis, agreed)


def _record(row: tuple) -> Record:
    topic, year, name, period, *rest = row
    return Record(Key(topic, year, name, period), *rest)


def _pending(cur: duckdb.DuckDBPyConnection, key: Key) -> Proposal | None:
    row = cur.execute(sql.PROPOSAL, key.params()).fetchone()
    return _proposal(row) if row else None


def _value_in_force(cur: duckdb.DuckDBPyConnection, key: Key) -> Decimal | None:
    if key.topic == "sla":
        found = cur.execute(sql.SETTING, [key.name]).fetchone()
        return Decimal(found[0]) if found else None
    found = cur.execute(sql.TARGET, [key.fiscal_year, key.name, key.period]).fetchone()
    return found[0] if found else None


def targets_standing(store: Store, year: int) -> list[Standing]:
    """Every target of a fiscal year in force or proposed, in KPI and period order."""
    return store.reads.get(("agreements.targets", year), lambda: _targets_standing(store, year))


def _targets_standing(store: Store, year: int) -> list[Standing]:
    with store.cursor() as cur:
        in_force = {target(year, k, p): v for k, p, v in
                    cur.execute(sql.TARGETS_OF_YEAR, [year]).fetchall()}
        records = {r.key: r for r in map(_record, cur.execute(
            sql.RECORDS_OF_YEAR, ["target", year]).fetchall())}
        waiting = {p.key: p for p in map(_proposal, cur.execute(
            sql.PROPOSALS_OF_YEAR, ["target", year]).fetchall())}
    keys = sorted(set(in_force) | set(waiting), key=key_order)
    return [Standing(k, in_force.get(k), _current(records.get(k), in_force.get(k)),
                     waiting.get(k)) for k in keys]


def _current(record: Record | None, value: Decimal | None) -> Record | None:
    """The record, if it still describes the value in force."""
    return record if record is not None and record.value == value else None


def sla_standing(store: Store) -> list[Standing]:
    """Each SLA term: its value in force, how it came to be, and any proposal waiting."""
    return store.reads.get(("agreements.sla",), lambda: _sla_standing(store))


def _sla_standing(store: Store) -> list[Standing]:
    found = []
    with store.cursor() as cur:
        for name in SLA_TERMS:
            key = Key("sla", 0, name, "")
            value = _value_in_force(cur, key)
            row = cur.execute(sql.RECORD, key.params()).fetchone()
            found.append(Standing(key, value, _current(_record(row) if row else None, value),
                                  _pending(cur, key)))
    return found


def waiting_for(store: Store, person: Person | None, year: int) -> list[Proposal]:
    """The proposals this person may agree to now (targets of the year, then SLA terms)."""
    shown = [s.proposal for s in (*targets_standing(store, year), *sla_standing(store))
             if s.proposal is not None]
    return [p for p in shown if agree_refusal(person, p) is None]


# -- who may ---------------------------------------------------------------------------------------
def deciding(role: str, name: str) -> str:
    """`the executive Erin Executive`; `the administrator` when that is the name too."""
    return f"the {role}" if name == role else f"the {role} {name}"


def _department(who: Person) -> str:
    """The department a person proposes for: a head's own, a planner's (or both)."""
    return who.head_of or who.department or ""


def agree_refusal(person: Person | None, p: Proposal) -> str | None:
    """Why this person may not agree to the proposal now, or None when they may."""
    reason = access.role_refusal(person, ACTION[("agree", p.key.topic)])
    if reason or person.role in DECIDERS:
        return reason
    mine = person.head_of
    if mine not in p.needs:
        return (f"{person.describe()} may not agree to the {mine} department's own proposal of"
                f" {p.key.label}; the {' and '.join(p.needs)} head agrees")
    if mine not in p.waiting_for:
        return f"the {mine} head has agreed to {p.key.label} already"
    return None


def withdraw_refusal(person: Person | None, p: Proposal) -> str | None:
    """Why this person may not withdraw the proposal, or None: its proposer, a head of the
    proposing department, an executive or the administrator may."""
    reason = access.role_refusal(person, ACTION[("propose", p.key.topic)])
    if reason or person.role in DECIDERS or person.name == p.proposed_by:
        return reason
    if person.head_of and p.department in (person.head_of, "both"):
        return None
    return (f"{person.describe()} may not withdraw {p.proposed_by}'s proposal of {p.key.label};"
            " its proposer or their head withdraws it (propose another value instead)")


# -- checking what is proposed -------------------------------------------------------------------
def parse_target(text: str) -> Decimal:
    """A target as the targets file writes it: `1250000.00`, `0.25` or `25%`."""
    cleaned = str(text).strip()
    if not TARGET_FORM.fullmatch(cleaned):
        raise Refused(f"{text!r} is not a target; write a number like 1250000.00, or a rate like"
                      " 0.25 or 25%")
    percent = cleaned.endswith("%")
    number = cleaned.rstrip("%")
    places = len(number.partition(".")[2]) + (2 if percent else 0)
    if places > 6 or len(number.lstrip("-").partition(".")[0]) > 12:
        raise Refused(f"{text!r} has too many digits: a target takes at most 12 before the point"
                      " and 6 decimals (4 before a %)")
    value = Decimal(number)
    return value / 100 if percent else value


def _check(change: Change, months: Sequence[date]) -> None:
    key, value = change.key, change.value
    try:
        value = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise Refused(f"{change.value!r} is not a number") from None
    if not value.is_finite():
        raise Refused(f"{key.label}: {value} is not a number")
    if key.topic == "sla":
        if key.name not in SLA_TERMS:
            raise Refused(f"unknown SLA term {key.name!r}; use one of {', '.join(SLA_TERMS)}")
        label, low, high = SLA_TERMS[key.name]
        if value != value.to_integral_value() or not low <= value <= high:
            raise Refused(f"{label} is a whole number from {low} to {high}, not {plain(value)}")
        return
    if key.name not in KPI:
        raise Refused(f"unknown KPI {key.name!r}; use one of {', '.join(KPI_NAMES)}")
    year, period = key.fiscal_year, key.period
    quarter = re.fullmatch(rf"{year}-Q[1-4]", period)
    month = re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", period)
    if not (period == str(year) or quarter or
            (month and date(int(period[:4]), int(period[5:]), 1) in months)):
        raise Refused(f"{period!r} is not a period of fiscal year {year}: write {year},"
                      f" {year}-Q1 to {year}-Q4, or a month from {months[0]:%Y-%m} to"
                      f" {months[-1]:%Y-%m}")
    if -value.as_tuple().exponent > 6 or abs(value) >= Decimal(10) ** 12:
        raise Refused(f"{key.label}: a target takes at most 12 digits before the point and 6"
                      " decimals")


# -- writing ---------------------------------------------------------------------------------------
def _put_in_force(cur: duckdb.DuckDBPyConnection, key: Key, value: Decimal) -> None:
    if key.topic == "sla":
        cur.execute(sql.PUT_SETTING, [key.name, plain(value)])
    else:
        cur.execute(sql.PUT_TARGET, [key.fiscal_year, key.name, key.period, value])


def _keep_record(cur: duckdb.DuckDBPyConnection, key: Key, value: Decimal, by: str,
                 department: str, at: datetime, basis: str | None, decided_by: str,
                 decided_at: datetime, how: str) -> None:
    cur.execute(sql.PUT_RECORD, [*key.params(), value, by, department, at, basis, decided_by,
                                 decided_at, how])


def _plan(cur: duckdb.DuckDBPyConnection, who: Person, changes: Sequence[Change]
          ) -> list[tuple[Change, Decimal | None, Proposal | None, str]]:
    """What each change does, read only: 'in force', 'proposed' or 'unchanged'."""
    decides = who.role in DECIDERS
    department = _department(who)
    planned = []
    for c in changes:
        current, pending = _value_in_force(cur, c.key), _pending(cur, c.key)
        if pending is None and current == c.value:
            what = "unchanged"  # a proposal of the value in force changes nothing
        elif decides:
            what = "in force"
        elif pending is not None and pending.value == c.value and \
                pending.department == department:
            what = "unchanged"  # the same proposal again keeps its agreements so far
        else:
            what = "proposed"
        planned.append((c, current, pending, what))
    return planned


def _outcome(who: Person, planned: list) -> Outcome:
    department = _department(who)
    proposed = tuple(c.key for c, _cur, _p, what in planned if what == "proposed")
    waiting = needs(department) if proposed else ()
    return Outcome(
        in_force=tuple(c.key for c, _cur, _p, what in planned if what == "in force"),
        proposed=proposed,
        unchanged=sum(what == "unchanged" for *_x, what in planned),
        superseded=sum(what == "in force" and p is not None for _c, _cur, p, what in planned),
        waiting_for=waiting,
        decided_by=deciding(who.role, who.name) if who.role in DECIDERS else None)


def _listing(pairs: Iterable[tuple[Key, Decimal | None]]) -> str:
    return "; ".join(f"{k.label}: {plain(v)}" for k, v in pairs)


def _terms(pairs: Iterable[tuple[Key, Decimal]]) -> dict[str, str]:
    """SLA terms now in force, by their setting's name: what the SLA reads to say who set its
    window (planning.sla)."""
    return {k.name: plain(v) for k, v in pairs if k.topic == "sla"}


def _apply(cur: duckdb.DuckDBPyConnection, who: Person, changes: Sequence[Change], *,
           source: str | None = None) -> Outcome:
    """Propose (or, for an executive or the administrator, set) each change in the caller's
    transaction, with one audit entry per entity. The role was checked by the caller."""
    planned = _plan(cur, who, changes)
    now, department = _now(), _department(who)
    for c, _current, pending, what in planned:
        if what == "in force":
            _put_in_force(cur, c.key, c.value)
            _keep_record(cur, c.key, c.value, who.name, who.role, now, c.basis, who.name, now,
                         who.role)
            if pending is not None:
                cur.execute(sql.DROP_PROPOSAL, c.key.params())
        elif what == "proposed":
            cur.execute(sql.PUT_PROPOSAL, [*c.key.params(), c.value, who.name, department, now,
                                           c.basis])
    outcome = _outcome(who, planned)
    for entity, group in _by_entity([p for p in planned if p[3] != "unchanged"]):
        topic = group[0][0].key.topic
        setting = who.role in DECIDERS
        after = {"values": _listing((c.key, c.value) for c, *_x in group), "from": source,
                 "basis": group[0][0].basis if len(group) == 1 and not source else None}
        if setting:
            after["in_force"] = "set without agreement (the firm's decision)"
            after["replaced_proposals"] = sum(p is not None for _c, _cur, p, _w in group) or None
            after.update(_terms((c.key, c.value) for c, *_x in group))
        else:
            after["waiting_for"] = heads(outcome.waiting_for)
        audit.record(cur, who.name, f"{'set' if setting else 'propose'} {WORD[topic]}", entity,
                     before={"values": _listing((c.key, cur_) for c, cur_, *_x in group)},
                     after=after)
    return outcome


def _by_entity(items: list) -> list[tuple[str, list]]:
    groups: dict[str, list] = {}
    for item in sorted(items, key=lambda i: key_order(i[0].key)):
        groups.setdefault(item[0].key.entity, []).append(item)
    return list(groups.items())


def _checked(store: Store, changes: Sequence[Change]) -> list[Change]:
    if not changes:
        raise Refused("nothing to propose")
    keys = [c.key for c in changes]
    if len(set(keys)) != len(keys):
        raise Refused("a value is proposed twice for the same key; propose each once")
    months: dict[int, list[date]] = {}
    found = []
    for c in changes:
        year = c.key.fiscal_year
        if c.key.topic == "target" and year not in months:
            months[year] = fiscal_months(store, year)
        _check(c, months.get(year, []))
        basis = (c.basis or "").strip()[:2000] or None
        found.append(Change(c.key, Decimal(c.value), basis))
    return found


def propose(store: Store, actor: Person | str, changes: Sequence[Change]) -> Outcome:
    """Propose values (a head or planner), or set them in force (an executive or the
    administrator); all of them or, when one is refused, none."""
    who = access.person(actor)
    changes = _checked(store, changes)
    for topic in {c.key.topic for c in changes}:
        access.require(who, ACTION[("propose", topic)])

    def work(cur: duckdb.DuckDBPyConnection) -> Outcome:
        outcome = _apply(cur, who, changes)
        if not outcome.in_force and not outcome.proposed and not outcome.superseded:
            raise Refused("nothing to propose: " + ", ".join(
                f"{c.key.label} is {plain(c.value)} already" for c in changes))
        return outcome

    return store.write(work)


def propose_target(store: Store, actor: Person | str, year: int, kpi: str, period: str,
                   value: Decimal | str, basis: str | None = None) -> Outcome:
    value = parse_target(value) if isinstance(value, str) else value
    return propose(store, actor, [Change(target(year, kpi, period.strip().upper()), value,
                                         basis)])


def propose_sla(store: Store, actor: Person | str, hours: int | Decimal,
                basis: str | None = None) -> Outcome:
    """Propose (or, an executive, set) the first-touch window in hours."""
    return propose(store, actor, [Change(FIRST_TOUCH, Decimal(hours), basis)])


def import_targets(cur: duckdb.DuckDBPyConnection, who: Person,
                   rows: Sequence[tuple[int, str, str, Decimal]], file_name: str) -> Outcome:
    """The rows of a checked targets file, in the import's own transaction: proposals for a
    head or planner, in force at once for an executive or the administrator."""
    return _apply(cur, who, [Change(target(*r[:3]), r[3], f"imported from {file_name}")
                             for r in rows], source=file_name)


def preview_import(store: Store, who: Person,
                   rows: Sequence[tuple[int, str, str, Decimal]]) -> Outcome:
    """What `import_targets` would do, written nowhere (a dry run)."""
    with store.cursor() as cur:
        return _outcome(who, _plan(cur, who, [Change(target(*r[:3]), r[3]) for r in rows]))


def agree(store: Store, actor: Person | str, keys: Sequence[Key],
          seen: dict[Key, Decimal] | None = None) -> Outcome:
    """Agree to waiting proposals (the other department's head), or put them in force (an
    executive or the administrator). `seen` holds the values the person was shown: a proposal
    changed since is refused rather than agreed unseen."""
    who = access.person(actor)
    if not keys:
        raise Refused("choose the proposals to agree to")
    for topic in {k.topic for k in keys}:
        access.require(who, ACTION[("agree", topic)])

    def work(cur: duckdb.DuckDBPyConnection) -> Outcome:
        now, done, partial, steps = _now(), [], [], []
        for key in sorted(set(keys), key=key_order):
            p = _pending(cur, key)
            if p is None:
                raise Refused(f"no proposal of {key.label} waits for agreement")
            if seen is not None and key in seen and Decimal(seen[key]) != p.value:
                raise Refused(f"the proposal of {key.label} changed since you looked: it is now"
                              f" {plain(p.value)}, by {p.proposed_by}; look at it again")
            reason = agree_refusal(who, p)
            if reason:
                raise Refused(reason)
            if who.role in DECIDERS:
                _settle(cur, p, who.name, now, who.role)
                done.append(p)
            else:
                mine = who.head_of
                cur.execute(sql.AGREE_SALES if mine == "sales" else sql.AGREE_MARKETING,
                            [who.name, now, *key.params()])
                if [d for d in p.waiting_for if d != mine]:
                    partial.append(p)
                else:
                    names = " and ".join([*(n for _d, n, _at in p.agreed), who.name])
                    _settle(cur, p, names, now, "agreed")
                    done.append(p)
            steps.append(p)
        for entity, group in _by_entity([(p, None, None, None) for p in steps]):
            topic = group[0][0].key.topic
            waiting = [p for p, *_x in group if p in partial]
            after = {"values": _listing((p.key, p.value) for p, *_x in group),
                     "proposed_by": ", ".join(sorted({p.proposed_by for p, *_x in group})),
                     "in_force": "yes" if not waiting else _listing(
                         (p.key, p.value) for p, *_x in group if p not in partial) or "no"}
            after.update(_terms((p.key, p.value) for p, *_x in group if p not in partial))
            if who.role in DECIDERS:
                after["in_force"] = "set without agreement (the firm's decision)"
                action = f"set {WORD[topic]}"
            else:
                others = [d for d in DEPARTMENTS if any(d in p.waiting_for and d != who.head_of
                                                        for p in waiting)]
                after["waiting_for"] = heads(others) if others else None
                action = f"agree {WORD[topic]}"
            audit.record(cur, who.name, action, entity, after=after)
        return Outcome(in_force=tuple(p.key for p in done),
                       proposed=tuple(p.key for p in partial),
                       waiting_for=tuple(sorted({d for p in partial for d in p.waiting_for
                                                 if d != who.head_of})),
                       decided_by=deciding(who.role, who.name) if who.role in DECIDERS else None)

    return store.write(work)


def _settle(cur: duckdb.DuckDBPyConnection, p: Proposal, decided_by: str, now: datetime,
            how: str) -> None:
    """Put a proposal in force, keep who proposed and who decided, and drop the proposal."""
    _put_in_force(cur, p.key, p.value)
    _keep_record(cur, p.key, p.value, p.proposed_by, p.department, p.proposed_at, p.basis,
                 decided_by, now, how)
    cur.execute(sql.DROP_PROPOSAL, p.key.params())


def withdraw(store: Store, actor: Person | str, keys: Sequence[Key]) -> int:
    """Withdraw waiting proposals; the values in force stay as they are."""
    who = access.person(actor)
    if not keys:
        raise Refused("choose the proposals to withdraw")
    for topic in {k.topic for k in keys}:
        access.require(who, ACTION[("propose", topic)])

    def work(cur: duckdb.DuckDBPyConnection) -> int:
        found = []
        for key in sorted(set(keys), key=key_order):
            p = _pending(cur, key)
            if p is None:
                raise Refused(f"no proposal of {key.label} waits: there is nothing to withdraw")
            reason = withdraw_refusal(who, p)
            if reason:
                raise Refused(reason)
            cur.execute(sql.DROP_PROPOSAL, key.params())
            found.append((p, None, None, None))
        for entity, group in _by_entity(found):
            audit.record(cur, who.name, f"withdraw {WORD[group[0][0].key.topic]}", entity,
                         after={"values": _listing((p.key, p.value) for p, *_x in group),
                                "proposed_by": ", ".join(sorted({p.proposed_by
                                                                 for p, *_x in group}))})
        return len(found)

    return store.write(work)
