"""The tamper-evident trail: every change appends an entry, hash-chained to the one before.

Entries are written inside the transaction of the change they record, so a change and its entry
land together or not at all. No code path updates or deletes an entry.

Entries written since the audit key exists (hash version 2) are chained with HMAC-SHA-256 under
a key held outside the store (`planning.audit_key`), and say whether they came from the app or
the `tandem` command (`via`); older entries (version 1, plain SHA-256) keep verifying as they
were. Someone who can edit the store but not read the key cannot rewrite, forge or re-hash an
entry unseen; cutting entries off the end is seen only against an anchor (an entry's number and
hash) kept elsewhere, such as the head printed by `tandem audit verify` or ending the minutes.
"""
from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import duckdb

from planning import audit_key
from planning.errors import Refused
from planning.store import Store

GENESIS = "0" * 64
HASH_VERSION = 2
VIAS = ("app", "command")
_VIA: ContextVar[str] = ContextVar("tandem_audit_via", default="app")


@contextmanager
def via(where: str) -> Iterator[None]:
    """Record the entries written inside the block as coming from `where` (app or command).
    Outside any block, entries come from the app."""
    if where not in VIAS:
        raise ValueError(f"via is one of {', '.join(VIAS)}, not {where!r}")
    token = _VIA.set(where)
    try:
        yield
    finally:
        _VIA.reset(token)


def _json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))


def entry_hash(seq: int, at: str, actor: str, action: str, entity: str, before: str | None,
               after: str | None, reason: str | None, prev_hash: str) -> str:
    """Hash version 1: SHA-256 of the entry, no key (entries written before the audit key)."""
    body = json.dumps([seq, at, actor, action, entity, before, after, reason, prev_hash],
                      separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def entry_hmac(key: bytes, seq: int, at: str, actor: str, action: str, entity: str,
               before: str | None, after: str | None, reason: str | None, via_: str | None,
               prev_hash: str) -> str:
    """Hash version 2: HMAC-SHA-256 under the audit key, `via` included."""
    body = json.dumps([HASH_VERSION, seq, at, actor, action, entity, before, after, reason, via_,
                       prev_hash], separators=(",", ":"))
    return hmac.new(key, body.encode("utf-8"), hashlib.sha256).hexdigest()


def _database_path(cur: duckdb.DuckDBPyConnection) -> str | None:
    store = getattr(cur, "store", None)  # a server store's cursor names its store
    if store is not None:
        return store.path
    return cur.execute("SELECT path FROM duckdb_databases()"
                       " WHERE database_name = current_database()").fetchone()[0]


def _refuse_inactive(cur: duckdb.DuckDBPyConnection, actor: str) -> None:
    """A disabled or removed person acts no more, whatever screen or command they come from:
    every change writes its entry here, in its own transaction, so this refuses it whole."""
    row = cur.execute("SELECT disabled, removed_at FROM people WHERE name = ?",
                      [actor]).fetchone()
    if row and row[1] is not None:
        raise Refused(f"{actor} has been removed and can no longer act")
    if row and row[0]:
        raise Refused(f"{actor} is disabled and can no longer act; an administrator may enable"
                      " them again")


def next_seq(cur: duckdb.DuckDBPyConnection) -> int:
    """The number the next entry of this transaction gets (rows written under it before the
    entry itself pass it to `record` as `seq`, which checks it)."""
    return cur.execute("SELECT coalesce(max(seq), 0) + 1 FROM audit_log").fetchone()[0]


def record(cur: duckdb.DuckDBPyConnection, actor: str, action: str, entity: str, *,
           before: Any = None, after: Any = None, reason: str | None = None,
           seq: int | None = None) -> int:
    """Append one entry in the caller's transaction; returns its sequence number (`seq`, when
    given, is the number the caller expects: anything else refuses the whole change).

    Refuses (and so rolls back the change it would record) when the actor is a disabled or
    removed person."""
    _refuse_inactive(cur, actor)
    last = cur.execute("SELECT seq, hash, hash_version FROM audit_log ORDER BY seq DESC LIMIT 1"
                       ).fetchone()
    expected = seq
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    if expected is not None and expected != seq:
        raise RuntimeError(f"audit entry {seq} is not the expected {expected}; nothing written")
    key = audit_key.for_writing(_database_path(cur), seq,
                                keyed_entries=bool(last and last[2] == HASH_VERSION))
    at = datetime.now(timezone.utc).replace(tzinfo=None).isoformat(timespec="microseconds")
    b, a, where = _json(before), _json(after), _VIA.get()
    digest = entry_hmac(key.secret, seq, at, actor, action, entity, b, a, reason, where, prev)
    cur.execute("INSERT INTO audit_log (seq, recorded_at, actor, action, entity, before, after,"
                " reason, prev_hash, hash, via, hash_version)"
                " VALUES (?, CAST(? AS TIMESTAMP), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [seq, at, actor, action, entity, b, a, reason, prev, digest, where,
                 HASH_VERSION])
    return seq


@dataclass(frozen=True)
class Verdict:
    intact: bool
    entries: int
    broken_at: int | None = None
    problem: str | None = None
    # The hash of the last entry that verified (GENESIS for none): with `entries`, the anchor
    # to keep elsewhere. Not compared, so a verdict reads as intact-with-N-entries in tests.
    head: str = field(default=GENESIS, compare=False)


def parse_anchor(text: str) -> tuple[int, str]:
    """`N:HASH` (as `tandem audit verify` prints it) as (N, HASH); ValueError otherwise."""
    number, sep, digest = text.strip().partition(":")
    digest = digest.strip().lower()
    if not sep or not number.strip().isdigit() or int(number) < 1 or len(digest) != 64 \
            or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError(f"{text!r} is not an anchor; write N:HASH, e.g. 12:{'0' * 64}")
    return int(number), digest


def _problem(row: tuple, prev: str, key: audit_key.Key | None, keyed_seen: bool) -> str | None:
    seq, at, actor, action, entity, before, after, reason, where, version, prev_hash, digest = row
    if prev_hash != prev:
        return "its link to the previous entry does not match"
    if version == 1:
        if keyed_seen or (key and key.keyed_from is not None and seq >= key.keyed_from):
            return "it is not keyed, yet the audit key signs every entry from here on"
        expected = entry_hash(seq, at, actor, action, entity, before, after, reason, prev)
    elif version == HASH_VERSION:
        if key is None:
            return "it is keyed, but the audit key is missing; restore it to check the trail"
        expected = entry_hmac(key.secret, seq, at, actor, action, entity, before, after, reason,
                              where, prev)
    else:
        return f"its hash version {version} is unknown"
    return None if hmac.compare_digest(expected, digest) else "its content does not match its hash"


def verify(store: Store, anchor: tuple[int, str] | None = None) -> Verdict:
    """Walk the chain from the first entry; name the first entry that does not match.

    With an `anchor` (N, HASH) noted earlier, the chain must still hold entry N with that hash:
    otherwise entries were cut off the end or the chain was rewritten since."""
    key = audit_key.for_reading(store.path)
    prev, count, keyed_seen = GENESIS, 0, False
    rows = store.query("SELECT seq, strftime(recorded_at, '%Y-%m-%dT%H:%M:%S.%f'), actor, action,"
                       " entity, before, after, reason, via, hash_version, prev_hash, hash"
                       " FROM audit_log ORDER BY seq")
    hashes: dict[int, str] = {}
    for expected_seq, row in enumerate(rows, start=1):
        seq = row[0]
        if seq != expected_seq:
            return Verdict(False, count, seq, f"entry {expected_seq} is missing", prev)
        problem = _problem(row, prev, key, keyed_seen)
        if problem:
            return Verdict(False, count, seq, problem, prev)
        keyed_seen = keyed_seen or row[9] == HASH_VERSION
        prev, count = row[11], count + 1
        hashes[seq] = prev
    if key is not None and key.keyed_from is not None and count < key.keyed_from - 1:
        return Verdict(False, count, count + 1, f"entries {count + 1} to {key.keyed_from - 1},"
                       " written before the audit key, are missing", prev)
    if anchor is not None:
        number, digest = anchor
        if number not in hashes:
            return Verdict(False, count, number, f"entry {number} of the anchor is gone: the"
                           f" trail was cut back to {count} entries", prev)
        if hashes[number] != digest:
            return Verdict(False, count, number, f"entry {number} no longer has the anchor's"
                           " hash: the trail was rewritten", prev)
    return Verdict(True, count, head=prev)


def head(store: Store) -> tuple[int, str]:
    """(number, hash) of the last entry, (0, GENESIS) for none: an anchor to publish."""
    row = store.query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
    return (row[0][0], row[0][1]) if row else (0, GENESIS)


def money(value: Decimal | None) -> str | None:
    """Money in an audit entry: the exact decimal text, never a float."""
    return None if value is None else str(value)


@dataclass(frozen=True)
class Entry:
    seq: int
    recorded_at: datetime
    actor: str
    action: str
    entity: str
    before: str | None
    after: str | None
    reason: str | None
    via: str | None = None  # app or command; None for entries older than the distinction


def entries(store: Store, *, since: datetime | None = None, until: datetime | None = None,
            entities: list[str] | None = None, actions: list[str] | None = None,
            limit: int = 1000) -> list[Entry]:
    """Audit entries, newest first, optionally in a time window, for entities or actions."""
    clauses, params = ["true"], []
    if since is not None:
        clauses.append("recorded_at >= ?")
        params.append(since)
    if until is not None:
        clauses.append("recorded_at < ?")
        params.append(until)
    for column, values in (("entity", entities), ("action", actions)):
        if values:
            clauses.append(f"{column} IN ({', '.join('?' for _ in values)})")
            params.extend(values)
    rows = store.query(f"SELECT seq, recorded_at, actor, action, entity, before, after, reason,"
                       f" via FROM audit_log WHERE {' AND '.join(clauses)} ORDER BY seq DESC"
                       f" LIMIT ?", [*params, limit])
    return [Entry(*r) for r in rows]


DECISIONS = ["submit", "sign off", "return", "lock", "reopen", "adopt", "set assumption",
             "explain variance", "accept explanation", "question explanation",
             "approve release", "release freed money",
             "propose targets", "agree targets", "set targets", "withdraw targets",
             "propose SLA", "agree SLA", "set SLA", "withdraw SLA"]
# Decisions about the year's spend, and what both sides are measured on (targets, the
# service-level agreement), not one scenario's lines: in every scenario's minutes.
YEAR_WIDE = ("fiscal year", "variance ", "freed money ", "targets ", "service-level agreement")


def minutes(store: Store, since: datetime, until: datetime, scenario: str | None = None) -> str:
    """The decisions taken in a period, as Markdown for the minutes of a budget review.

    The last line publishes the trail's head ("N entries, head HASH"): kept with the minutes, it
    is an anchor that `tandem audit verify --anchor N:HASH` checks the trail against later."""
    found = entries(store, since=since, until=until, actions=DECISIONS, limit=10_000)
    if scenario:
        found = [e for e in found if e.entity in (f"scenario {scenario}",) or
                 e.entity.startswith(YEAR_WIDE)]
    # `until` is the first instant after the period: a period ending at midnight ends, as the
    # people reading the minutes count it, on the day before.
    last = until - timedelta(microseconds=1)
    lines = [f"# Budget review decisions, {since:%Y-%m-%d} to {last:%Y-%m-%d}", ""]
    if not found:
        lines.append("No decisions were recorded in this period.")
    for e in reversed(found):
        detail = json.loads(e.after) if e.after else {}
        what = ", ".join(f"{k} {v}" for k, v in detail.items() if v not in (None, ""))
        lines.append(f"- {e.recorded_at:%Y-%m-%d %H:%M} — **{e.actor}** {e.action} "
                     f"({e.entity}){': ' + what if what else ''}"
                     f"{f' — reason: {e.reason}' if e.reason else ''}")
    count, digest = head(store)
    lines += ["", f"Audit trail: {count} entries, head {digest}"]
    return "\n".join(lines) + "\n"


def export_csv(store: Store) -> str:
    """The whole trail as CSV, oldest first, hashes included so it can be checked elsewhere.

    Text a person wrote (a name, a reason, a file name) is safe to open in a spreadsheet: a
    cell that would run as a formula (starting with =, +, -, @, tab or CR, after any
    apostrophes) gets one more apostrophe in front, as plan exports do. To check a hash
    elsewhere, take that one apostrophe off such a cell first.
    """
    import re

    formula = re.compile(r"'*[=+\-@\t\r]")

    def cell(value: object) -> object:
        if value is None:
            return ""
        if isinstance(value, str) and formula.match(value):
            return "'" + value
        return value

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["seq", "recorded_at", "actor", "action", "entity", "before", "after",
                     "reason", "prev_hash", "hash"])
    for row in store.query("SELECT seq, strftime(recorded_at, '%Y-%m-%dT%H:%M:%S.%f'), actor,"
                           " action, entity, before, after, reason, prev_hash, hash"
                           " FROM audit_log ORDER BY seq"):
        writer.writerow([cell(v) for v in row])
    return out.getvalue()


# -- what a change did to single lines ---------------------------------------------------------
# A change of plan lines notes the state of the lines it is about to change (`note_lines`),
# changes them, writes its entry (`record`), then `record_lines` keeps one row per noted line
# in `audit_lines` under that entry: the state before and after, in the same transaction.
# Lines an import or a clone creates are named by their entry (`first_line`..`last_line`).
_NOTED = "audit_lines_noted"
_RECORD_LINES = f"""
INSERT INTO audit_lines
SELECT ?, l.id, l.version, b.amount, l.amount, b.status, l.status, b.locked, l.locked,
       CASE WHEN b.description IS DISTINCT FROM l.description THEN b.description END,
       CASE WHEN b.description IS DISTINCT FROM l.description THEN l.description END
FROM {_NOTED} b JOIN plan_lines l ON l.id = b.id
"""


def note_lines(cur: duckdb.DuckDBPyConnection, from_where: str, params: list, *,
               more: bool = False) -> None:
    """Note the lines that `FROM ... WHERE ...` (over `plan_lines l`) finds as they are now,
    before a change; `more` adds to the lines already noted."""
    select = f"SELECT l.id, l.amount, l.status, l.locked, l.description {from_where}"
    if more:
        cur.execute(f"INSERT INTO {_NOTED} {select}", params)
    else:
        cur.execute(f"DROP TABLE IF EXISTS {_NOTED}")
        cur.execute(f"CREATE TEMP TABLE {_NOTED} AS {select}", params)


def note_line_ids(cur: duckdb.DuckDBPyConnection, line_ids: list[int]) -> None:
    note_lines(cur, "FROM plan_lines l WHERE l.id IN (SELECT unnest(CAST(? AS BIGINT[])))",
               [line_ids])


def record_lines(cur: duckdb.DuckDBPyConnection, seq: int) -> None:
    """Keep the noted lines' state before and now under entry `seq`; forget the noted lines."""
    cur.execute(_RECORD_LINES, [seq])
    cur.execute(f"DROP TABLE {_NOTED}")


def id_mark(cur: duckdb.DuckDBPyConnection) -> int:
    """The largest plan line id handed out so far: the lines a write creates are those above
    the mark it found (ids are never given twice, see planning.store.ids)."""
    row = cur.execute("SELECT last FROM id_marks WHERE table_name = 'plan_lines'").fetchone()
    return row[0] if row else 0
