"""Variances that their owner explains and the other department's head accepts.

A group is an owner's spend in one channel and region, or the owner's total. Over the closed
months of a fiscal year (up to the as-of month, see `planning.forecast`), its variance is actual
minus planned; it needs an explanation when it is beyond both thresholds: a share of its plan
(default 10%) and an amount (default 5,000 in the store's currency), which an executive sets.
The owning side explains (a category and a short text); the other department's head accepts or
questions it (a question starts or continues the group's thread, and the owner explains again).
A joint group is explained by either side and decided by the head who did not explain it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from planning import access, audit
from planning.errors import Refused
from planning.forecast import adopted_id, as_of_month
from planning.kpi_values import fiscal_months
from planning.money import CENT
from planning.people import Person
from planning.store import Store
from planning.store import forecast_sql as sql

CATEGORIES = ("timing", "price", "volume", "scope", "error")
SHARE, AMOUNT = "variance_explain_share", "variance_explain_amount"
TOTAL = ""  # the channel and region of an owner's own total


@dataclass(frozen=True)
class Comment:
    author: str
    written_at: datetime
    text: str


@dataclass(frozen=True)
class Explanation:
    category: str
    text: str
    explained_by: str
    status: str  # explained, accepted, questioned
    decided_by: str | None
    variance: Decimal  # the variance it explained
    thread: tuple[Comment, ...] = ()


@dataclass(frozen=True)
class Group:
    owner: str
    channel: str  # '' for the owner's total
    region: str
    planned: Decimal
    actual: Decimal
    needs_explaining: bool
    explanation: Explanation | None = None

    @property
    def variance(self) -> Decimal:
        """Above 0: overspent."""
        return self.actual - self.planned

    @property
    def is_total(self) -> bool:
        return self.channel == TOTAL

    def describe(self) -> str:
        return (f"{self.owner} in total" if self.is_total else
                f"{self.owner} {self.channel} {self.region}")

    @property
    def state(self) -> str:
        """What the group waits for: to be explained, a decision, or nothing."""
        if self.explanation is None:
            return "to explain" if self.needs_explaining else "within thresholds"
        return {"explained": "awaiting acceptance", "accepted": "accepted",
                "questioned": "questioned"}[self.explanation.status]


@dataclass(frozen=True)
class Variances:
    fiscal_year: int
    as_of: date | None
    share: Decimal
    amount: Decimal
    groups: list[Group] = field(default_factory=list)

    def needing(self, state: str) -> list[Group]:
        return [g for g in self.groups if g.state == state]


def thresholds(store: Store) -> tuple[Decimal, Decimal]:
    """(share of plan, amount) beyond both of which a variance must be explained."""
    return Decimal(store.setting(SHARE)), Decimal(store.setting(AMOUNT))


def set_thresholds(store: Store, actor: Person | str, share: Decimal, amount: Decimal) -> None:
    who = access.require(access.person(actor), "configure")
    share, amount = Decimal(share), Decimal(amount)
    if not (0 <= share <= 10) or amount < 0 or amount != amount.quantize(CENT):
        raise Refused("a variance threshold is a share of the plan from 0 to 10 (0.10 is 10%) and"
                      " an amount of 0 or more with at most 2 decimals")
    before = thresholds(store)

    def work(cur) -> None:
        for key, value in ((SHARE, str(share)), (AMOUNT, str(amount))):
            cur.execute("UPDATE settings SET value = ? WHERE key = ?", [value, key])
        audit.record(cur, who.name, "set variance thresholds", "variance explanations",
                     before={"share": before[0], "amount": before[1]},
                     after={"share": share, "amount": amount})

    store.write(work)


def beyond(variance: Decimal, planned: Decimal, share: Decimal, amount: Decimal) -> bool:
    """Beyond both thresholds: more than `share` of the plan and more than `amount` off (spend
    with no plan at all is beyond any share)."""
    return abs(variance) > amount and abs(variance) > share * abs(planned)


def variances(store: Store, year: int, as_of: date | None = None) -> Variances:
    """Every group's closed-month variance, with its explanation as of that month (kept per
    store revision: the Review page asks on every rerun)."""
    return store.reads.get(("variances", year, as_of), lambda: _variances(store, year, as_of))


def _variances(store: Store, year: int, as_of: date | None) -> Variances:
    share, amount = thresholds(store)
    closed_to = as_of_month(store, year, as_of)
    if closed_to is None:
        return Variances(year, None, share, amount)
    first = fiscal_months(store, year)[0]
    with store.cursor() as cur:
        rows = cur.execute(sql.CLOSED_VARIANCE, [adopted_id(cur, year), first, closed_to]
                           ).fetchall()
        said = {tuple(r[:3]): r[3:] for r in cur.execute(
            "SELECT owner, channel, region, category, text, explained_by, status, decided_by,"
            " variance FROM variance_explanations WHERE fiscal_year = ? AND as_of = ?",
            [year, closed_to]).fetchall()}
        threads: dict[tuple, list[Comment]] = {}
        for owner, channel, region, author, at, text in cur.execute(
                "SELECT owner, channel, region, author, written_at, text FROM variance_comments"
                " WHERE fiscal_year = ? AND as_of = ? ORDER BY seq", [year, closed_to]
        ).fetchall():
            threads.setdefault((owner, channel, region), []).append(Comment(author, at, text))
    groups = []
    for owner, channel, region, planned, actual in rows:
        key = (owner, channel or TOTAL, region or TOTAL)
        planned, actual = Decimal(planned or 0), Decimal(actual or 0)
        explained = said.get(key)
        groups.append(Group(
            *key, planned, actual, beyond(actual - planned, planned, share, amount),
            Explanation(*explained, thread=tuple(threads.get(key, ()))) if explained else None))
    return Variances(year, closed_to, share, amount, groups)


def _group(store: Store, year: int, owner: str, channel: str, region: str,
           as_of: date | None) -> tuple[Variances, Group]:
    found = variances(store, year, as_of)
    group = next((g for g in found.groups if (g.owner, g.channel, g.region) ==
                  (owner, channel, region)), None)
    if group is None:
        raise Refused(f"there is no closed-month spend or plan for {owner} {channel} {region}"
                      f" in fiscal year {year}".replace("  ", " "))
    return found, group


def explain(store: Store, actor: Person | str, year: int, owner: str, channel: str,
            region: str, category: str, text: str, *, as_of: date | None = None) -> None:
    """The owning side explains a group's variance (again, after a question)."""
    who = access.require(access.person(actor), "explain_variance")
    access.require_owners(who, [owner], "explain the variance of")
    text = (text or "").strip()
    if category not in CATEGORIES:
        raise Refused(f"an explanation's category is one of {', '.join(CATEGORIES)}")
    if not 1 <= len(text) <= 500:
        raise Refused("say why in 1 to 500 characters")
    found, group = _group(store, year, owner, channel, region, as_of)
    if group.explanation is not None and group.explanation.status == "accepted":
        raise Refused(f"the variance of {group.describe()} is explained and accepted already")

    def work(cur) -> None:
        before = group.explanation
        cur.execute("DELETE FROM variance_explanations WHERE fiscal_year = ? AND as_of = ? AND"
                    " owner = ? AND channel = ? AND region = ?",
                    [year, found.as_of, owner, channel, region])
        cur.execute("INSERT INTO variance_explanations (fiscal_year, as_of, owner, channel,"
                    " region, variance, category, text, explained_by) VALUES"
                    " (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [year, found.as_of, owner, channel, region, group.variance, category, text,
                     who.name])
        audit.record(cur, who.name, "explain variance", _entity(year, found.as_of, group),
                     before=None if before is None else {
                         "category": before.category, "text": before.text,
                         "status": before.status},
                     after={"variance": group.variance, "category": category, "text": text})

    store.write(work)


def decide(store: Store, actor: Person | str, year: int, owner: str, channel: str,
           region: str, *, accept: bool, comment: str = "", as_of: date | None = None) -> None:
    """The other department's head accepts the explanation, or questions it with a comment."""
    who = access.person(actor)
    found, group = _group(store, year, owner, channel, region, as_of)
    if group.explanation is None:
        raise Refused(f"the variance of {group.describe()} has no explanation to decide on yet")
    access.require_acceptor(who, owner, group.explanation.explained_by)
    comment = (comment or "").strip()
    if not accept and not comment:
        raise Refused("say what is unclear: a question needs a comment")
    if len(comment) > 1000:
        raise Refused("a comment has at most 1,000 characters")
    status = "accepted" if accept else "questioned"

    def work(cur) -> None:
        cur.execute("UPDATE variance_explanations SET status = ?, decided_by = ?, decided_at ="
                    " current_timestamp WHERE fiscal_year = ? AND as_of = ? AND owner = ? AND"
                    " channel = ? AND region = ?",
                    [status, who.name, year, found.as_of, owner, channel, region])
        if comment:
            seq = cur.execute("SELECT coalesce(max(seq), 0) + 1 FROM variance_comments WHERE"
                              " fiscal_year = ? AND as_of = ? AND owner = ? AND channel = ? AND"
                              " region = ?", [year, found.as_of, owner, channel, region]
                              ).fetchone()[0]
            cur.execute("INSERT INTO variance_comments (fiscal_year, as_of, owner, channel,"
                        " region, seq, author, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [year, found.as_of, owner, channel, region, seq, who.name, comment])
        audit.record(cur, who.name, "accept explanation" if accept else "question explanation",
                     _entity(year, found.as_of, group),
                     before={"status": group.explanation.status},
                     after={"status": status, **({"comment": comment} if comment else {})})

    store.write(work)


def _entity(year: int, as_of: date, group: Group) -> str:
    return f"variance {year} to {as_of:%Y-%m} {group.describe()}"
