"""Cross-review: the owner's side submits lines, the other department's head signs them off.

A line is `draft`, `submitted`, `signed_off` or `returned`. A sales line needs the marketing
head's sign-off, a marketing line the sales head's, a joint line both. Nobody signs off a line
version they edited (four eyes). A change to a line makes a new version: its sign-offs no longer
count and it is a draft again. When every line of a scenario is signed off, either head may lock
it; only an executive may reopen it, with a reason. Every step is audited.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from decimal import Decimal

import duckdb

from planning import access, audit
from planning.budget import BudgetFilter
from planning.errors import Refused
from planning.history import LineEvent, line_history
from planning.people import Person
from planning.scenarios import Scenarios, _where, scenario_id
from planning.store import Store
from planning.store import review_sql as sql
from planning.store.reads import cached

OTHER = {"sales": "marketing", "marketing": "sales"}


@dataclass(frozen=True)
class QueuedLine:
    id: int
    owner: str
    category: str
    funnel_stage: str
    channel: str
    region: str
    month: date
    amount: Decimal
    version: int
    edited_by: str | None


@dataclass(frozen=True)
class ReviewResult:
    action: str
    lines: int
    signed_off: int = 0  # lines that are now fully signed off


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _matched(cur: duckdb.DuckDBPyConnection, sid: int, where: BudgetFilter,
             statuses: tuple[str, ...]) -> list[tuple]:
    clause, params = _where(sid, where, unlocked=False)
    marks = ", ".join("?" for _ in statuses)
    return cur.execute(f"SELECT l.id, l.owner, l.version, l.edited_by, l.status FROM plan_lines l"
                       f" WHERE {clause} AND l.status IN ({marks}) ORDER BY l.id",
                       [*params, *statuses]).fetchall()


def own_scope(who: Person, where: BudgetFilter) -> BudgetFilter:
    """What submitting a filter reaches: with no owner picked, the person's own lines (their
    department's and the joint ones they may change). A filter that names owners is taken as
    it is, and refused if the person may not submit them. (Signing off and returning take,
    with no owner picked, the lines that wait for the head: see `_for_review`.)"""
    return where if where.owners else replace(where, owners=tuple(sorted(who.owners)))


def _for_review(cur: duckdb.DuckDBPyConnection, who: Person, year: int, scenario: str,
                where: BudgetFilter, verb: str) -> list[tuple]:
    """The submitted lines of a filter, if this head may review every one of them."""
    department = who.head_of or ""
    lines = _matched(cur, scenario_id(cur, year, scenario, writable=True), where, ("submitted",))
    if not lines:
        raise Refused("no submitted line matches")
    own = [ln for ln in lines if ln[1] == department]
    # With no owner picked the head's own lines are simply not theirs to review: the filter
    # means the lines waiting for them. Named, or all there is, they are refused with the reason.
    if own and (where.owners or len(own) == len(lines)):
        raise Refused(f"{who.describe()} may not {verb} {department} lines ({len(own)} match):"
                      f" the {OTHER[department]} head reviews them")
    return [ln for ln in lines if ln[1] != department]


class Review:
    def __init__(self, store: Store) -> None:
        self.store = store

    def submit(self, who: Person, year: int, scenario: str, where: BudgetFilter) -> ReviewResult:
        """Submit the owner's draft (or returned) lines of a filter for the other head's review
        (with no owner in the filter: the person's own lines, see `own_scope`)."""
        access.require(who, "submit")
        asked, where = where, own_scope(who, where)

        def work(cur: duckdb.DuckDBPyConnection) -> ReviewResult:
            sid = scenario_id(cur, year, scenario, writable=True)
            lines = _matched(cur, sid, where, ("draft", "returned"))
            if not lines:
                raise Refused("no draft or returned line matches")
            access.require_owners(who, {owner for _id, owner, *_ in lines}, "submit")
            ids = [line[0] for line in lines]
            audit.note_line_ids(cur, ids)
            cur.execute("UPDATE plan_lines SET status = 'submitted' WHERE id IN"
                        " (SELECT unnest(?))", [ids])
            seq = audit.record(cur, who.name, "submit", f"scenario {scenario}",
                               after={"lines": len(ids), "filter": asked.describe()})
            audit.record_lines(cur, seq)
            return ReviewResult("submit", len(ids))

        return self.store.write(work)

    def sign(self, who: Person, year: int, scenario: str, where: BudgetFilter) -> ReviewResult:
        """Sign off the submitted lines of a filter that wait for this head's department."""
        access.require(who, "review")
        department = who.head_of or ""

        def work(cur: duckdb.DuckDBPyConnection) -> ReviewResult:
            lines = _for_review(cur, who, year, scenario, where, "sign off")
            edited = [ln for ln in lines if ln[3] == who.name]
            if edited:
                raise Refused(f"{who.describe()} edited {len(edited)} of these lines in their"
                              " current version and may not sign them off (four eyes)")
            now = _now()
            audit.note_line_ids(cur, [ln[0] for ln in lines])
            # One statement for all lines (a row at a time took seconds for a thousand lines).
            cur.execute("INSERT INTO sign_offs SELECT l.id, l.version, ?, ?, ? FROM plan_lines l"
                        " WHERE l.id IN (SELECT unnest(CAST(? AS BIGINT[])))"
                        " AND NOT EXISTS (SELECT 1 FROM sign_offs s WHERE s.line_id = l.id"
                        " AND s.version = l.version AND s.department = ?)",
                        [department, who.name, now, [ln[0] for ln in lines], department])
            done = _settle(cur, [ln[0] for ln in lines])
            seq = audit.record(cur, who.name, "sign off", f"scenario {scenario}",
                               after={"lines": len(lines), "now_signed_off": done,
                                      "filter": where.describe()})
            audit.record_lines(cur, seq)
            return ReviewResult("sign off", len(lines), done)

        return self.store.write(work)

    def return_lines(self, who: Person, year: int, scenario: str, where: BudgetFilter,
                     comment: str) -> ReviewResult:
        """Send submitted lines back to their owner with a comment saying why."""
        access.require(who, "review")
        comment = comment.strip()
        if not comment:
            raise Refused("say why the lines go back: the comment is required")

        def work(cur: duckdb.DuckDBPyConnection) -> ReviewResult:
            lines = _for_review(cur, who, year, scenario, where, "return")
            ids = [ln[0] for ln in lines]
            now = _now()
            audit.note_line_ids(cur, ids)
            cur.execute("UPDATE plan_lines SET status = 'returned' WHERE id IN (SELECT unnest(?))",
                        [ids])
            cur.executemany("INSERT INTO comments (line_id, author, body, created_at)"
                            " VALUES (?, ?, ?, ?)", [[i, who.name, comment, now] for i in ids])
            seq = audit.record(cur, who.name, "return", f"scenario {scenario}",
                               after={"lines": len(ids), "filter": where.describe()},
                               reason=comment)
            audit.record_lines(cur, seq)
            return ReviewResult("return", len(ids))

        return self.store.write(work)

    def comment(self, who: Person, line_id: int, body: str) -> None:
        access.require(who, "comment")
        body = body.strip()
        if not 1 <= len(body) <= 2000:
            raise Refused("a comment has 1 to 2,000 characters")

        def work(cur: duckdb.DuckDBPyConnection) -> None:
            if not cur.execute("SELECT 1 FROM plan_lines WHERE id = ?", [line_id]).fetchone():
                raise Refused(f"there is no line {line_id}")
            cur.execute("INSERT INTO comments (line_id, author, body, created_at)"
                        " VALUES (?, ?, ?, ?)", [line_id, who.name, body, _now()])
            audit.record(cur, who.name, "comment", f"line {line_id}", after={"body": body})

        self.store.write(work)

    def lock(self, who: Person, year: int, scenario: str) -> None:
        """Lock a scenario whose every line is signed off (the rule is Scenarios.lock's)."""
        Scenarios(self.store).lock(year, scenario, who)

    def reopen(self, who: Person, year: int, scenario: str, reason: str) -> None:
        access.require(who, "reopen")
        reason = reason.strip()
        if not reason:
            raise Refused("say why the plan is reopened: the reason is kept in the audit trail")

        def work(cur: duckdb.DuckDBPyConnection) -> None:
            sid = scenario_id(cur, year, scenario)
            if not cur.execute("SELECT locked FROM scenarios WHERE id = ?", [sid]).fetchone()[0]:
                raise Refused(f"scenario {scenario!r} is not locked")
            cur.execute("UPDATE scenarios SET locked = false WHERE id = ?", [sid])
            audit.record(cur, who.name, "reopen", f"scenario {scenario}",
                         before={"locked": True}, after={"locked": False}, reason=reason)

        self.store.write(work)

    # -- what the review meeting looks at ---------------------------------------------------------
    def cache_key(self) -> tuple:
        return ()

    @cached
    def queue(self, who: Person, year: int, scenario: str, limit: int = 500) -> list[QueuedLine]:
        """Lines waiting for this head's sign-off, biggest first (none for other roles)."""
        if not who.head_of:
            return []
        with self.store.cursor() as cur:
            sid = scenario_id(cur, year, scenario)
            rows = cur.execute(sql.QUEUE, [sid, OTHER[who.head_of], who.head_of, who.name,
                                           limit]).fetchall()
        return [QueuedLine(*r) for r in rows]

    @cached
    def status(self, year: int, scenario: str) -> list[tuple[str, str, int, Decimal]]:
        """(owner, status, lines, amount) of a scenario."""
        with self.store.cursor() as cur:
            return cur.execute(sql.STATUS_COUNTS, [scenario_id(cur, year, scenario)]).fetchall()

    @cached
    def waiting(self, year: int, scenario: str, department: str) -> int:
        """Submitted lines that still need this department's sign-off."""
        with self.store.cursor() as cur:
            sid = scenario_id(cur, year, scenario)
            return cur.execute(sql.WAITING, [sid, OTHER[department], department]).fetchone()[0]

    @cached
    def history(self, line_id: int) -> list[LineEvent]:
        """Everything that happened to a line, oldest first (see planning.history)."""
        return line_history(self.store, line_id)

    @cached
    def comments(self, line_id: int) -> list[tuple]:
        return self.store.query(sql.COMMENTS, [line_id])

    @cached
    def open_threads(self, year: int, scenario: str) -> list[tuple]:
        with self.store.cursor() as cur:
            return cur.execute(sql.OPEN_THREADS, [scenario_id(cur, year, scenario)]).fetchall()


def _settle(cur: duckdb.DuckDBPyConnection, ids: list[int]) -> int:
    """Mark lines signed off once their required departments have signed this version."""
    return cur.execute("""
        UPDATE plan_lines SET status = 'signed_off'
        WHERE id IN (SELECT unnest(?)) AND status = 'submitted' AND (
            (owner = 'sales' AND EXISTS (SELECT 1 FROM sign_offs s WHERE s.line_id = plan_lines.id
                AND s.version = plan_lines.version AND s.department = 'marketing'))
         OR (owner = 'marketing' AND EXISTS (SELECT 1 FROM sign_offs s
                WHERE s.line_id = plan_lines.id AND s.version = plan_lines.version
                AND s.department = 'sales'))
         OR (owner = 'joint' AND (SELECT count(DISTINCT s.department) FROM sign_offs s
                WHERE s.line_id = plan_lines.id AND s.version = plan_lines.version) = 2))
    """, [ids]).fetchone()[0]
