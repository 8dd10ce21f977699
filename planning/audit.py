"""The tamper-evident trail: every change appends an entry, hash-chained to the one before.

Entries are written inside the transaction of the change they record, so a change and its entry
land together or not at all. No code path updates or deletes an entry.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import duckdb

from planning.store import Store

GENESIS = "0" * 64


def _json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))


def entry_hash(seq: int, at: str, actor: str, action: str, entity: str, before: str | None,
               after: str | None, reason: str | None, prev_hash: str) -> str:
    body = json.dumps([seq, at, actor, action, entity, before, after, reason, prev_hash],
                      separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def record(cur: duckdb.DuckDBPyConnection, actor: str, action: str, entity: str, *,
           before: Any = None, after: Any = None, reason: str | None = None) -> int:
    """Append one entry in the caller's transaction; returns its sequence number."""
    last = cur.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    at = datetime.now(timezone.utc).replace(tzinfo=None).isoformat(timespec="microseconds")
    b, a = _json(before), _json(after)
    digest = entry_hash(seq, at, actor, action, entity, b, a, reason, prev)
    cur.execute("INSERT INTO audit_log VALUES (?, CAST(? AS TIMESTAMP), ?, ?, ?, ?, ?, ?, ?, ?)",
                [seq, at, actor, action, entity, b, a, reason, prev, digest])
    return seq


@dataclass(frozen=True)
class Verdict:
    intact: bool
    entries: int
    broken_at: int | None = None
    problem: str | None = None


def verify(store: Store) -> Verdict:
    """Walk the chain from the first entry; name the first entry that does not match."""
    prev, count = GENESIS, 0
    rows = store.query("SELECT seq, strftime(recorded_at, '%Y-%m-%dT%H:%M:%S.%f'), actor, action,"
                       " entity, before, after, reason, prev_hash, hash FROM audit_log"
                       " ORDER BY seq")
    for expected_seq, row in enumerate(rows, start=1):
        seq, at, actor, action, entity, before, after, reason, prev_hash, digest = row
        if seq != expected_seq:
            return Verdict(False, count, seq, f"entry {expected_seq} is missing")
        if prev_hash != prev:
            return Verdict(False, count, seq, "its link to the previous entry does not match")
        if entry_hash(seq, at, actor, action, entity, before, after, reason, prev) != digest:
            return Verdict(False, count, seq, "its content does not match its hash")
        prev, count = digest, count + 1
    return Verdict(True, count)


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
    rows = store.query(f"SELECT seq, recorded_at, actor, action, entity, before, after, reason"
                       f" FROM audit_log WHERE {' AND '.join(clauses)} ORDER BY seq DESC"
                       f" LIMIT ?", [*params, limit])
    return [Entry(*r) for r in rows]


DECISIONS = ["submit", "sign off", "return", "lock", "reopen", "adopt", "set assumption"]


def minutes(store: Store, since: datetime, until: datetime, scenario: str | None = None) -> str:
    """The decisions taken in a period, as Markdown for the minutes of a budget review."""
    found = entries(store, since=since, until=until, actions=DECISIONS, limit=10_000)
    if scenario:
        found = [e for e in found if e.entity in (f"scenario {scenario}",) or
                 e.entity.startswith("fiscal year")]
    lines = [f"# Budget review decisions, {since:%Y-%m-%d} to {until:%Y-%m-%d}", ""]
    if not found:
        lines.append("No decisions were recorded in this period.")
    for e in reversed(found):
        detail = json.loads(e.after) if e.after else {}
        what = ", ".join(f"{k} {v}" for k, v in detail.items() if v not in (None, ""))
        lines.append(f"- {e.recorded_at:%Y-%m-%d %H:%M} — **{e.actor}** {e.action} "
                     f"({e.entity}){': ' + what if what else ''}"
                     f"{f' — reason: {e.reason}' if e.reason else ''}")
    return "\n".join(lines) + "\n"


def export_csv(store: Store) -> str:
    """The whole trail as CSV, oldest first, hashes included so it can be checked elsewhere."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["seq", "recorded_at", "actor", "action", "entity", "before", "after",
                     "reason", "prev_hash", "hash"])
    for row in store.query("SELECT seq, strftime(recorded_at, '%Y-%m-%dT%H:%M:%S.%f'), actor,"
                           " action, entity, before, after, reason, prev_hash, hash"
                           " FROM audit_log ORDER BY seq"):
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()
