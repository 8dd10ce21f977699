"""A line's history: every audited change to it, its sign-offs and its comment thread."""
from __future__ import annotations

import streamlit as st

from planning import Tandem, audit
from planning.review import Review


def line_history(t: Tandem, key: str) -> int | None:
    """Ask for a line number and show its history; returns the line shown."""
    line_id = st.number_input("Line number (the Line column of a table)", min_value=1, step=1,
                              value=None, key=key)
    if line_id is None:
        return None
    line_id = int(line_id)
    history = audit.entries(t.store, entities=[f"line {line_id}"], limit=100)
    if history:
        st.dataframe([{"When": e.recorded_at.strftime("%Y-%m-%d %H:%M"), "Who": e.actor,
                       "What": e.action, "Before": e.before or "", "After": e.after or "",
                       "Reason": e.reason or ""} for e in history],
                     hide_index=True, width="stretch", key=f"{key}_table")
    else:
        st.caption("No change to this line since it was imported or cloned.")
    for _id, _line, author, body, at in Review(t.store).comments(line_id):
        st.markdown(f"**{author}** · {at:%Y-%m-%d %H:%M}: {body}")
    return line_id
