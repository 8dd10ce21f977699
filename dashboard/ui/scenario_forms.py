"""The forms of the Scenarios page: each calls one operation of planning.scenarios."""
from __future__ import annotations

from decimal import Decimal

import pandas as pd
import streamlit as st

from dashboard.ui.context import actor, notice, shown_refusals
from dashboard.ui.filters import line_filter
from dashboard.ui.format import column, count, format_money, table, table_money_format
from planning import Tandem, access
from planning.budget import Budget
from planning.money import CENT, ZERO, parse_amount
from planning.projection import SPEC
from planning.review import Review
from planning.scenarios import LineEdit, OperationResult


def _lines(n: int) -> str:
    return f"{n:,} line" + ("" if n == 1 else "s")


def said(result: OperationResult, currency: str, how: str = "") -> str:
    """What an operation did, as a person would say it: which scenario, how many lines, the
    money, and the scenario's total before and after."""
    name, lines = f"'{result.scenario}'", _lines(result.lines_changed)
    if result.action == "clone":
        return (f"Cloned '{how}' as {name}: {lines},"
                f" {format_money(result.total_after, currency)}.")
    verb = {"scale": f"Scaled {lines} of {name}{how}", "shift": f"Moved {how} in {name}"
            f" across {lines}", "split": f"Spread {how} over {lines} of {name}",
            "edit": f"Saved {lines} of {name}"}.get(result.action,
                                                    f"{result.action.capitalize()}: {lines}"
                                                    f" of {name}")
    if result.change:
        sign = "+" if result.change > 0 else ""
        total = (f"its total went from {format_money(result.total_before, currency)} to"
                 f" {format_money(result.total_after, currency)}"
                 f" ({sign}{format_money(result.change, currency)})")
    else:
        total = f"its total stays {format_money(result.total_after, currency)}"
    kept = (f" {_lines(result.locked_kept)} locked, left as they were." if result.locked_kept
            else "")
    return f"{verb}; {total}.{kept}"


def _done(result: OperationResult, currency: str, how: str = "") -> None:
    notice(said(result, currency, how))


def _amount(text: str, label: str) -> Decimal | None:
    try:
        return parse_amount(text)
    except ValueError as exc:
        st.error(f"{label}: {exc}")
        return None


def scenario_state(t: Tandem, year: int, scenario) -> access.ScenarioState:
    """The state of a scenario (a `planning.model.Scenario`) the access rules ask about."""
    unsigned = sum(lines for _owner, status, lines, _amount in Review(t.store).status(
        year, scenario.name) if status != "signed_off")
    return access.ScenarioState(scenario.name, scenario.locked, scenario.adopted, unsigned)


def _offered(where, operation: str, state: access.ScenarioState, label: str,
             key: str, **options) -> bool:
    """A button for an operation on the working scenario: shown to those whose role may do
    it, disabled with the reason while the scenario's state refuses it."""
    who = actor()
    if access.role_refusal(who, access.OPERATIONS[operation]):
        return False
    reason = access.scenario_refusal(who, operation, state)
    return where.button(label, key=key, disabled=reason is not None,
                        help=reason or options.pop("help", None), **options)


def manage(t: Tandem, year: int, name: str, state: access.ScenarioState) -> None:
    ops = t.scenario_ops
    left, right = st.columns(2)
    with left.form("clone_form", clear_on_submit=True):
        new = st.text_input("Clone into a new scenario named", key="clone_name", max_chars=60)
        if st.form_submit_button(f"Clone {name}", icon=":material/content_copy:"):
            with shown_refusals():
                result = ops.clone(year, name, new, actor())
                st.session_state["working_next"] = result.scenario
                _done(result, t.currency, name)
    rename_refused = access.scenario_refusal(actor(), "rename", state)
    with right.form("rename_form", clear_on_submit=True):
        renamed = st.text_input("Rename to", key="rename_name", max_chars=60,
                                disabled=rename_refused is not None)
        if st.form_submit_button(f"Rename {name}", disabled=rename_refused is not None,
                                 help=rename_refused):
            with shown_refusals():
                ops.rename(year, name, renamed, actor())
                st.session_state["working_next"] = renamed.strip()
                notice(f"Renamed '{name}' to '{renamed.strip()}'.")
    buttons = st.container(horizontal=True)  # no gap where a button is not offered
    if _offered(buttons, "adopt", state, f"Adopt {name} as the FY{year} plan", "adopt",
                icon=":material/verified:"):
        with shown_refusals():
            ops.adopt(year, name, actor())
            notice(f"'{name}' is now the adopted plan of FY{year}: the Budget page and the KPIs"
                   " follow it.")
    if _offered(buttons, "lock", state, f"Lock {name}", "lock", icon=":material/lock:"):
        with shown_refusals():
            ops.lock(year, name, actor())
            notice(f"Locked '{name}': nothing in it can change until an executive reopens it.")
    if _offered(buttons, "delete", state, f"Delete {name}", "delete",
                icon=":material/delete:"):
        with shown_refusals():
            ops.delete(year, name, actor())
            st.session_state["working_next"] = None
            notice(f"Deleted '{name}'.")
    # The reasons, said where a phone (which has no hover for a button's help) shows them too.
    why = [f"{op.capitalize()}: {reason}." for op in ("adopt", "lock", "delete")
           if not access.role_refusal(actor(), access.OPERATIONS[op])
           and (reason := access.scenario_refusal(actor(), op, state))]
    if why:
        st.caption(" · ".join(why))


def scale(t: Tandem, budget: Budget) -> None:
    first, last = budget.month_range()
    with st.form("scale_form"):
        st.markdown("Scale the lines that match by a percentage. Locked lines are left alone.")
        where = line_filter(st, budget.options(), first, last, "scale", columns=3)
        percent = st.number_input("Percent (10 adds 10%, -20 cuts 20%)", value=10.0,
                                  min_value=-100.0, step=1.0, key="scale_percent")
        if st.form_submit_button("Scale", type="primary"):
            with shown_refusals():
                _done(t.scenario_ops.scale(budget.year, budget.scenario,
                                           Decimal(str(percent)), where, actor()), t.currency,
                      f" by {percent:+g}%")


def shift(t: Tandem, budget: Budget) -> None:
    first, last = budget.month_range()
    options = budget.options()
    with st.form("shift_form"):
        st.markdown("Move money from the lines of one filter to those of another; the scenario"
                    " total stays the same.")
        amount = st.text_input(f"Amount ({t.currency})", value="100000.00", key="shift_amount")
        source, target = st.columns(2)
        source.markdown("**From**")
        take = line_filter(source, options, first, last, "shift_from")
        target.markdown("**To**")
        give = line_filter(target, options, first, last, "shift_to")
        mode = st.radio("Take and give", ["pro_rata", "even"], horizontal=True, key="shift_mode",
                        format_func=lambda m: {"pro_rata": "pro rata to current amounts",
                                               "even": "evenly"}[m])
        if st.form_submit_button("Shift", type="primary"):
            value = _amount(amount, "Amount")
            if value is not None:
                with shown_refusals():
                    _done(t.scenario_ops.shift(budget.year, budget.scenario, value, take, give,
                                               actor(), mode=mode), t.currency,
                          format_money(value, t.currency))


def split(t: Tandem, budget: Budget) -> None:
    first, last = budget.month_range()
    options = budget.options()
    summary = budget.summary()
    by = st.selectbox("Weights", ["amount", "even", "owner", "funnel_stage", "channel", "region"],
                      key="split_by", format_func=lambda b: {
                          "amount": "pro rata to current amounts", "even": "evenly"}.get(
                          b, f"a weight per {b.replace('_', ' ')}"))
    with st.form("split_form"):
        st.markdown("Spread an amount over the lines that match (top-down allocation)."
                    + (f" Unallocated now: **{format_money(summary.unallocated, t.currency)}**."
                       if summary.unallocated is not None else ""))
        default = summary.unallocated if summary.unallocated and summary.unallocated > 0 \
            else Decimal("10000.00")
        amount = st.text_input(f"Amount ({t.currency})", value=str(default), key="split_amount")
        where = line_filter(st, options, first, last, "split", columns=3)
        weights = {}
        if by in options:
            cells = st.columns(min(4, len(options[by])) or 1)
            for i, value in enumerate(options[by]):
                weights[value] = cells[i % len(cells)].number_input(
                    value, min_value=0.0, value=1.0, step=1.0, key=f"split_w_{by}_{value}")
        if st.form_submit_button("Split", type="primary"):
            value = _amount(amount, "Amount")
            if value is not None:
                with shown_refusals():
                    given = {k: Decimal(str(w)) for k, w in weights.items()}
                    _done(t.scenario_ops.split(budget.year, budget.scenario, value, where,
                                               actor(), by=by, weights=given or None),
                          t.currency, format_money(value, t.currency))


def lock_lines(t: Tandem, budget: Budget) -> None:
    first, last = budget.month_range()
    with st.form("lock_form"):
        st.markdown("Locked lines keep their amounts through scale, shift and split.")
        where = line_filter(st, budget.options(), first, last, "lock", columns=3)
        lock, unlock = st.columns(2)
        for column, locked in ((lock, True), (unlock, False)):
            if column.form_submit_button("Lock these lines" if locked else "Unlock these lines"):
                with shown_refusals():
                    changed = t.scenario_ops.lock_lines(budget.year, budget.scenario, where,
                                                        actor(), locked=locked)
                    notice(f"{'Locked' if locked else 'Unlocked'} {_lines(changed)} of"
                           f" '{budget.scenario}': scale, shift and split"
                           f" {'leave them alone' if locked else 'may change them again'}.")


def edit_lines(t: Tandem, budget: Budget) -> None:
    first, last = budget.month_range()
    where = line_filter(st, budget.options(), first, last, "edit", columns=3)
    view = budget.filtered(where)
    lines = view.lines(sort="amount", page_size=200)
    if not lines:
        st.info("No line matches.")
        return
    st.caption(f"The {len(lines)} largest matching lines. Edit an amount or a description, then"
               " save; a line someone else changed meanwhile is refused, not overwritten.")
    frame = pd.DataFrame([{
        "id": ln.id, "Owner": ln.owner, "Category": ln.category, "Stage": ln.funnel_stage,
        "Channel": ln.channel, "Region": ln.region, "Month": pd.Timestamp(ln.month),
        "Amount": float(ln.amount), "Description": ln.description or "",
        "Locked": ln.locked} for ln in lines]).set_index("id")
    edited = st.data_editor(
        frame, key="edit_lines", width="stretch",
        disabled=["Owner", "Category", "Stage", "Channel", "Region", "Month", "Locked"],
        column_config={"Amount": st.column_config.NumberColumn(
            f"Amount ({t.currency})", min_value=0.0, step=0.01, required=True,
            format=table_money_format(t.currency)),
            "Month": column("month"),
            "Description": st.column_config.TextColumn(max_chars=200)})
    before = {ln.id: ln for ln in lines}
    edits = []
    # Only the rows whose cells differ are read one by one (200 rows each rerun otherwise).
    touched = edited.index[(edited["Amount"] != frame["Amount"])
                           | (edited["Description"] != frame["Description"])]
    for line_id in touched:
        old = before[line_id]
        amount = Decimal(str(edited.at[line_id, "Amount"])).quantize(CENT)
        text = edited.at[line_id, "Description"] or None
        if (amount, text) != (old.amount, old.description):
            edits.append(LineEdit(line_id, old.version, amount, text))
    change = sum((e.amount - before[e.line_id].amount for e in edits), ZERO)
    summary = budget.summary()
    headroom = None if summary.pool is None else summary.pool - summary.allocated_all - change
    cols = st.columns(3)
    cols[0].metric("Lines edited", count(len(edits)))
    cols[1].metric("Change", format_money(change, t.currency))
    cols[2].metric("Unallocated after saving", format_money(headroom, t.currency))
    over = headroom is not None and headroom < 0
    if over:
        st.error(f"These edits allocate {format_money(-headroom, t.currency)} more than the"
                 " pool. Reduce them, or raise the pool on the Budget page, before saving.")
    if st.button("Save edits", type="primary", disabled=not edits or over, key="save_edits"):
        with shown_refusals():
            _done(t.scenario_ops.edit_lines(budget.year, budget.scenario, edits, actor()),
                  t.currency)


def assumptions(t: Tandem, year: int, name: str, state: access.ScenarioState) -> None:
    projection = t.project(year, name)
    months = projection.history_months
    st.caption("Defaults come from the firm's own history"
               + (f": {len(months)} months with both actuals and outcomes,"
                  f" {months[0]:%b %Y} to {months[-1]:%b %Y}." if months else
                  " (none yet: import actuals and outcomes).")
               + " Marketing owns the top of the funnel, sales the bottom, MQL → SQL is joint.")
    # Rates and amounts in tables of their own, so each column holds one kind of number.
    for money, kind, title in ((False, "percent", "Rates"), (True, "money", "Amounts")):
        rows = [{"Assumption": a.label, "Owner": a.owner, "Value": a.value,
                 "Default": a.default, "Source": a.source}
                for a in projection.assumptions if SPEC[a.name].money == money]
        if rows:
            st.markdown(f"**{title}**")
            table(st, rows, key=f"assumptions_{kind}", currency=t.currency,
                  kinds={"Value": kind, "Default": kind})
    refused = access.scenario_refusal(actor(), "set_assumption", state)
    if refused:
        st.caption(f"Overrides: {refused}.")
        return
    # Only the assumptions of this person's side of the funnel are offered.
    theirs = [(a.name, a.channel) for a in projection.assumptions
              if access.owns(actor(), [SPEC[a.name].owner])]
    if not theirs:
        st.caption("Overrides: none of these assumptions is on your side of the funnel.")
        return
    with st.form("assumption_form"):
        st.markdown("**Override an assumption of your side of the funnel for this scenario**")
        cols = st.columns([2, 2, 1])
        choice = cols[0].selectbox("Assumption", theirs,
                                   format_func=lambda k: SPEC[k[0]].label
                                   + (f" · {k[1]}" if k[1] else ""), key="assumption_pick")
        value = cols[1].text_input("New value (a rate like 0.35, or an amount)",
                                   key="assumption_value")
        reason = st.text_input("Why (shown to both heads)", key="assumption_reason")
        set_it, clear_it = st.columns(2)
        if set_it.form_submit_button("Set override", type="primary"):
            with shown_refusals():
                try:
                    number = Decimal(value)
                except ArithmeticError:
                    st.error(f"{value!r} is not a number")
                else:
                    t.set_assumption(year, name, choice[0], number, actor(), reason, choice[1])
                    notice(f"{SPEC[choice[0]].label} set to {number} for {name}.")
        if clear_it.form_submit_button("Back to the default"):
            with shown_refusals():
                t.clear_assumption(year, name, choice[0], actor(), choice[1])
                notice(f"{SPEC[choice[0]].label} is back to its default for {name}.")
