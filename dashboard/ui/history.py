"""A line's history: every change with before and after (imports, scenario operations, edits),
every sign-off and return with who, every comment; then the line's comment thread."""
from __future__ import annotations

import streamlit as st

from dashboard.ui.format import state, table
from planning import Tandem
from planning.history import LineEvent
from planning.review import Review

WHAT = {"import": "Imported", "clone": "Copied", "edit line": "Edited", "scale": "Scaled",
        "shift": "Shifted", "split": "Split", "submit": "Submitted", "sign off": "Signed off",
        "return": "Returned", "comment": "Commented", "lock lines": "Locked",
        "unlock lines": "Unlocked"}


def _status(event: LineEvent) -> str:
    if event.status_after is None or event.status_before == event.status_after:
        return state(event.status_after)
    return f"{state(event.status_before) or 'New'} → {state(event.status_after)}"


def _row(event: LineEvent, line_id: int) -> dict:
    other = [c for c in event.changes() if not c.startswith(("amount", "status"))]
    note = "; ".join([*other, *([event.note] if event.note else [])])
    return {"When": event.at, "Who": event.actor, "What": WHAT.get(event.action, event.action),
            "In": event.where if event.line_id == line_id else
            f"{event.where} (line {event.line_id}, before the copy)",
            "Amount before": event.amount_before, "Amount after": event.amount_after,
            "Status": _status(event), "Note": note}


def line_history(t: Tandem, key: str) -> int | None:
    """Ask for a line number and show its history; returns the line shown."""
    line_id = st.number_input("Line number (the Line column of a table)", min_value=1, step=1,
                              value=None, key=key)
    if line_id is None:
        return None
    line_id = int(line_id)
    review = Review(t.store)
    events = review.history(line_id)
    if not events:
        st.caption(f"There is no line {line_id:,}.")
        return None
    table(st, [_row(e, line_id) for e in reversed(events)], key=f"{key}_table",
          kinds={"When": "when", "Amount before": "money", "Amount after": "money"},
          currency=t.currency, widths={"Note": "large"})
    st.caption("Newest first. A copied line's history begins with the line it was copied from.")
    for _id, _line, author, body, at in review.comments(line_id):
        st.markdown(f"**{author}** · {at:%Y-%m-%d %H:%M}: {body}")
    return line_id
