"""Review: the joint budget review meeting. Each head signs off the other department's lines."""
from __future__ import annotations

import functools
from datetime import date, datetime, timedelta

import streamlit as st

from dashboard.ui import format as fmt
from dashboard.ui import lazy
from dashboard.ui.context import actor, fiscal_year, notice, show_notice, shown_refusals, tandem
from dashboard.ui.filters import line_filter
from dashboard.ui.format import count, percent, state
from dashboard.ui.history import line_history
from dashboard.ui.variances import variance_summary
from planning import access, audit
from planning.review import Review

t = tandem()
who = actor()
year = fiscal_year()
currency = t.currency
st.title("Review" + (f" · FY{year}" if year else ""))
if year is None:
    st.info("No plan yet.")
    st.stop()
review = Review(t.store)
scenarios = [s for s in t.scenarios(year)]
adopted = t.adopted_scenario(year)
names = [s.name for s in scenarios]
name = st.selectbox("Scenario under review", names,
                    index=names.index(adopted) if adopted in names else 0, key="review_scenario",
                    format_func=lambda n: f"{n} (adopted)" if n == adopted else n)
locked = next(s.locked for s in scenarios if s.name == name)
st.caption("The owner's side submits lines; the other department's head signs them off or"
           " returns them with a comment; a joint line needs both heads. Nobody signs off a line"
           " version they edited. When every line is signed off, either head locks the plan.")
show_notice()

# -- where the scenario stands ------------------------------------------------------------------
status = review.status(year, name)
STATES = ("draft", "returned", "submitted", "signed_off")
by_owner: dict[str, dict[str, int]] = {}
for owner, line_state, lines, _amount in status:
    of_owner = by_owner.setdefault(owner, dict.fromkeys(STATES, 0))
    of_owner[line_state] = of_owner.get(line_state, 0) + int(lines)
total = sum(int(lines) for *_, lines, _amount in status)
signed = sum(int(lines) for _o, line_state, lines, _a in status if line_state == "signed_off")
# Short figures and labels that fit a tile at any width; the whole count is in the delta line.
tiles = st.container(horizontal=True)
tiles.metric("Lines signed off", count(signed), border=True,
             delta=f"of {count(total)} · {percent(signed, total)}", delta_color="off",
             delta_arrow="off")
tiles.metric("Waiting for sales head", count(review.waiting(year, name, "sales")),
             border=True, help="Submitted marketing and joint lines without the sales head's"
             " sign-off.")
tiles.metric("Waiting for marketing head", count(review.waiting(year, name, "marketing")),
             border=True, help="Submitted sales and joint lines without the marketing head's"
             " sign-off.")
tiles.metric("Plan", state("locked" if locked else "open"), border=True)
fmt.table(st, [{"Owner": owner} | {state(s): of_owner[s] for s in STATES}
               for owner, of_owner in sorted(by_owner.items())], key="status_table",
          kinds={state(s): "count" for s in STATES})

variance_summary(t, year)

# -- my queue -----------------------------------------------------------------------------------
if who.head_of and not locked:
    queue = review.queue(who, year, name)
    st.subheader(f"My queue ({count(len(queue))} line{'' if len(queue) == 1 else 's'}"
                 f" waiting for {who.name})")
    if queue:
        fmt.table(st, [{"Line": q.id, "Month": q.month, "Amount": q.amount, "Owner": q.owner,
                        "Category": q.category, "Stage": q.funnel_stage, "Channel": q.channel,
                        "Region": q.region, "Last edited by": q.edited_by or ""}
                       for q in queue[:200]],
                  key="queue_table", currency=currency,
                  kinds={"Line": "id", "Month": "month", "Amount": "money"})
    else:
        st.caption("Nothing waits for you.")
    budget = t.budget(year, name)
    first, last = budget.month_range()
    with st.form("decide_form", clear_on_submit=True):
        st.markdown("**Sign off or return the submitted lines that match** (with no owner"
                    " picked: the lines waiting for you)")
        where = line_filter(st, budget.options(), first, last, "review", columns=3)
        comment = st.text_input("Comment (required to return lines)", key="review_comment")
        sign, back = st.columns(2)
        if sign.form_submit_button("Sign off", type="primary", icon=":material/done_all:"):
            with shown_refusals():
                result = review.sign(who, year, name, where)
                notice(f"Signed off {count(result.lines)} line(s);"
                       f" {count(result.signed_off)} are now fully signed off.")
        if back.form_submit_button("Return with comment", icon=":material/undo:"):
            with shown_refusals():
                result = review.return_lines(who, year, name, where, comment)
                notice(f"Returned {count(result.lines)} line(s) to their owner.")

def submit_form() -> None:
    budget = t.budget(year, name)
    first, last = budget.month_range()
    with st.form("submit_form", clear_on_submit=True):
        mine = " and ".join(sorted(who.owners))
        st.markdown(f"**Submit the draft and returned lines that match** (with no owner"
                    f" picked: your lines, {mine})")
        where = line_filter(st, budget.options(), first, last, "submit", columns=3)
        if st.form_submit_button("Submit draft and returned lines"):
            with shown_refusals():
                result = review.submit(who, year, name, where)
                notice(f"Submitted {count(result.lines)} line{'' if result.lines == 1 else 's'}"
                       " for review.")


# -- submit ------------------------------------------------------------------------------------
if access.allowed(who, "submit") and not locked:
    with lazy.expander("Submit my department's lines for review", key="submit_box") as box:
        if box.open:
            submit_form()

# -- lock / reopen ------------------------------------------------------------------------------
if locked and access.allowed(who, "reopen"):
    with st.form("reopen_form"):
        reason = st.text_input("Why reopen the plan (kept in the audit trail)", key="reason")
        if st.form_submit_button("Reopen the plan", icon=":material/lock_open:"):
            with shown_refusals():
                review.reopen(who, year, name, reason)
                notice(f"{name} is open again.")
elif not locked and access.allowed(who, "lock_scenario"):
    now = access.ScenarioState(name, locked, name == adopted, total - signed)
    refused = access.scenario_refusal(who, "lock", now)
    if st.button(f"Lock {name}", disabled=refused is not None, key="lock_plan",
                 icon=":material/lock:", help=refused or "Every line is signed off."):
        with shown_refusals():
            t.scenario_ops.lock(year, name, who)
            notice(f"{name} is locked: it is read-only for everyone.")

# -- comments and history -----------------------------------------------------------------------
st.subheader("Open comment threads")
threads = review.open_threads(year, name)
if threads:
    fmt.table(st, [{"Line": r[0], "Owner": r[1], "Category": r[2], "Channel": r[3],
                    "Region": r[4], "Month": r[5], "Status": state(r[6]), "Comments": r[7],
                    "Latest": f"{r[10]}: {r[9]}"} for r in threads],
              key="threads_table", kinds={"Line": "id", "Month": "month",
                                          "Comments": "count"})
else:
    st.caption("No open thread.")

# Keyed, so it stays open while a line is asked for: entering a number must not fold it away.
with lazy.expander("A line's history and comments", key="history_expander") as box:
    line_id = line_history(t, "history_line") if box.open else None
    if line_id is not None and access.allowed(who, "comment"):
        with st.form("comment_form", clear_on_submit=True):
            body = st.text_area("Add a comment", key="comment_body")
            if st.form_submit_button("Comment"):
                with shown_refusals():
                    review.comment(who, line_id, body)
                    notice("Comment added.")

st.subheader("What changed, and the minutes")
left, right = st.columns(2)
# Both days are included, and written as the minutes' header writes them.
since = left.date_input("Since", value=date.today() - timedelta(days=7), key="since",
                        format=fmt.DATE_INPUT)
until = right.date_input("Until", value=date.today(), key="until", format=fmt.DATE_INPUT)
start = datetime.combine(since, datetime.min.time())
end = datetime.combine(until, datetime.min.time()) + timedelta(days=1)
changes = audit.entries(t.store, since=start, until=end, limit=500)
fmt.table(st, [{"When": e.recorded_at, "Who": e.actor, "What": e.action, "Of": e.entity,
                "Reason": e.reason or ""} for e in changes], key="changes_table",
          kinds={"When": "when"})
st.caption(f"From {fmt.day(since)} to {fmt.day(until)}, both days included.")
if access.allowed(who, "export"):
    st.download_button("Download the minutes (Markdown)",
                       functools.partial(audit.minutes, t.store, start, end, name),
                       file_name=f"minutes-{name}-{since}-{until}.md", mime="text/markdown",
                       key="minutes", icon=":material/download:")
