"""A plan line's history, read from the audit trail: everything that happened to it, in order.

Every change of plan lines writes its audit entry and, under it, the state of each line it
changed before and after (`audit_lines`, see `planning.audit.note_lines`): edits, imports that
changed the line, scale, shift and split, submitting, signing off, returning, locking. Comments
are entries of their own (`line N`). The lines an import or a clone created are named by the
entry's `first_line`..`last_line`; a copy's history starts with that of the line it copies, up
to the clone. Entries written before the trail kept single lines name only their totals, so a
line's history may start later than the line.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from planning.store import Store

_OF_LINE = """
SELECT a.seq, a.recorded_at, a.actor, a.action, a.entity, a.after, a.reason, a.via,
       x.amount_before, x.amount_after, x.status_before, x.status_after,
       x.locked_before, x.locked_after, x.description_before, x.description_after
FROM audit_lines x JOIN audit_log a ON a.seq = x.seq
WHERE x.line_id = ?
ORDER BY a.seq
"""
_ENTRIES_OF_LINE = """
SELECT seq, recorded_at, actor, action, entity, before, after, reason, via
FROM audit_log WHERE entity = ? ORDER BY seq
"""
# Entries that may have created lines: imports and clones name the ids they handed out.
_CREATIONS = """
SELECT seq, recorded_at, actor, action, entity, after, via FROM audit_log
WHERE action IN ('import', 'clone') AND after LIKE '%"first_line"%' ORDER BY seq
"""
_LINE = """
SELECT l.amount, s.name FROM plan_lines l JOIN scenarios s ON s.id = l.scenario_id
WHERE l.id = ?
"""


@dataclass(frozen=True)
class LineEvent:
    """One thing that happened to a line: who, when, what, and the line before and after.

    A field that did not change has equal before and after (descriptions: both None)."""

    seq: int
    at: datetime
    actor: str
    action: str  # import, clone, edit line, scale, shift, split, submit, sign off, return, ...
    line_id: int  # the line it happened to: a copy's history starts on the line it copies
    where: str  # the scenario, file or line the entry names
    amount_before: Decimal | None = None
    amount_after: Decimal | None = None
    status_before: str | None = None
    status_after: str | None = None
    locked_before: bool | None = None
    locked_after: bool | None = None
    description_before: str | None = None
    description_after: str | None = None
    note: str | None = None  # a comment's text, a return's or reopen's reason
    via: str | None = None

    @property
    def amount_changed(self) -> bool:
        return self.amount_before != self.amount_after

    def changes(self) -> list[str]:
        """What changed, in words: `amount 100.00 → 110.00`, `status submitted → signed_off`."""
        found = []
        if self.amount_changed:
            found.append(f"amount {self.amount_before if self.amount_before is not None else '—'}"
                         f" → {self.amount_after}")
        if self.status_before != self.status_after and self.status_after is not None:
            found.append(f"status {self.status_before or 'new'} → {self.status_after}")
        if self.locked_before != self.locked_after and self.locked_after is not None:
            found.append("locked" if self.locked_after else "unlocked")
        if self.description_before != self.description_after:
            found.append(f"description {self.description_before or '—'!s}"
                         f" → {self.description_after or '—'!s}")
        return found


def _scenario(entity: str) -> str:
    return entity.removeprefix("scenario ")


def _own_events(store: Store, line_id: int) -> list[LineEvent]:
    events = []
    for seq, at, actor, action, entity, after, reason, via, *state in store.query(
            _OF_LINE, [line_id]):
        where = _scenario(entity)
        if action == "import":  # `plan FILE`: the scenario is in the entry, the file noted
            where, reason = json.loads(after)["scenario"], f"from {entity.partition(' ')[2]}"
        events.append(LineEvent(seq, at, actor, action, line_id, where, *state, note=reason,
                                via=via))
    recorded = {e.seq for e in events}
    for seq, at, actor, action, entity, before, after, reason, via in store.query(
            _ENTRIES_OF_LINE, [f"line {line_id}"]):
        if seq in recorded:
            continue
        old, new = json.loads(before or "{}"), json.loads(after or "{}")
        if action == "comment":
            events.append(LineEvent(seq, at, actor, action, line_id, entity, note=new.get("body"),
                                    via=via))
        elif action == "edit line":  # written before the trail kept single lines
            events.append(LineEvent(
                seq, at, actor, action, line_id, entity,
                amount_before=Decimal(old["amount"]), amount_after=Decimal(new["amount"]),
                description_before=old.get("description"),
                description_after=new.get("description"), note=reason, via=via))
    return sorted(events, key=lambda e: e.seq)


def _creation(store: Store, line_id: int) -> tuple[tuple, dict] | None:
    for row in store.query(_CREATIONS):
        after = json.loads(row[5])
        if after["first_line"] <= line_id <= after["last_line"]:
            return row, after
    return None


def line_history(store: Store, line_id: int) -> list[LineEvent]:
    """Everything the audit trail holds about a line, oldest first (empty for no such line)."""
    found = store.query(_LINE, [line_id])
    if not found:
        return []
    history: list[LineEvent] = []
    # The line, then the line it was copied from (up to the clone), and so on. `amount` is the
    # line's amount at the end of the part read: a line's creation amount is the amount its
    # first change started from, or that one when nothing changed it.
    line, until, amount = line_id, None, found[0][0]
    while True:
        events = [e for e in _own_events(store, line) if until is None or e.seq < until]
        made = _creation(store, line)
        if made is not None and until is not None and made[0][0] >= until:
            made = None
        if made is not None:
            (seq, at, actor, action, entity, _after, via), after = made
            amount = next((e.amount_before for e in events if e.amount_before is not None),
                          amount)
            if action == "clone":
                where, note = _scenario(entity), (f"copied from line"
                                                  f" {line - after['source_offset']}"
                                                  f" of {after['from']}")
            else:
                where, note = after["scenario"], f"from {entity.partition(' ')[2]}"
            events.insert(0, LineEvent(seq, at, actor, action, line, where, amount_after=amount,
                                       status_after="draft", note=note, via=via))
        history = events + history
        if made is None or made[0][3] != "clone":
            return history
        line, until = line - made[1]["source_offset"], made[0][0]
