"""Import & export: check a planner's CSV, see every problem or a summary, then commit it."""
from __future__ import annotations

import functools

import pandas as pd
import streamlit as st

from dashboard.ui import format as fmt
from dashboard.ui.context import actor, fiscal_year, show_notice, shown_refusals, tandem
from dashboard.ui.format import format_money
from dashboard.ui.mapping_form import mapping_builder
from planning import access, mappings, overspend
from planning.demo import DEMO_DIR
from planning.imports import ImportReport, first_rows
from planning.imports.importer import IMPORT_ACTION
from planning.model import BASELINE, KINDS

TEMPLATES = DEMO_DIR.parent / "templates"
WHAT = {
    "plan": "budget lines of one scenario (who owns them, funnel stage, channel, region, month)",
    "actuals": "money actually spent, by the same keys as the plan",
    "outcomes": "what the shared funnel produced: leads to wins, pipeline and revenue",
    "targets": "what both departments are measured on, by KPI and period",
    "forecast": "the latest estimate of the months still open, by the same keys as the plan",
    "leads": "the hand-off from marketing to sales, one row per lead from the CRM (times in UTC)",
    "survey": "how each side rates the relationship: 20 statements, 1 to 5, per quarter",
}

t = tandem()
currency = t.currency
st.title("Import & export")
st.caption("Every file is checked in full before anything is written: a file with any problem"
           " changes nothing, a good one is written in one go. Importing the same file twice"
           " leaves the store as one import would.")

who = actor()
kinds = [k for k in KINDS if access.allowed(who, IMPORT_ACTION.get(k, "import"))]
if not kinds:
    st.info(f"{who.describe()} may look at and export the data; importing is for planners and"
            " the department heads.")
left, right = st.columns([2, 1])
kind = left.selectbox("What are you loading?", kinds or KINDS, key="kind", disabled=not kinds,
                      format_func=lambda k: f"{k} — {WHAT[k]}")
# The value each kind's changes are shown by (the others are listed beside it).
CONTROL = {"plan": "amount", "actuals": "amount", "outcomes": "revenue", "targets": "target",
           "forecast": "amount", "survey": "score"}  # a lead's changes are listed as they are
NEW = "A new scenario…"
scenario: str | None = BASELINE  # a kind other than plan has no scenario
if kind == "plan":
    # The target is a choice a person makes, never a default: an upload into the adopted plan
    # changes the plan everyone works from.
    adopted = {t.adopted_scenario(y) for y in t.fiscal_years()}
    names = sorted({s.name for y in t.fiscal_years() for s in t.scenarios(y)})
    scenario = right.selectbox(
        "Into scenario", [*names, NEW], index=None, key="scenario",
        placeholder="Choose the scenario", format_func=lambda n: f"{n} (the adopted plan)"
        if n in adopted else n)
    if scenario == NEW:
        scenario = right.text_input("Name of the new scenario", key="new_scenario",
                                    max_chars=60).strip() or None
    if scenario in adopted:
        st.warning(f"**{scenario}** is the adopted plan: importing into it changes the plan"
                   " everyone works from, and a changed line needs its sign-offs again.",
                   icon=":material/warning:")
right.download_button(f"Download the {kind} template", (TEMPLATES / f"{kind}.csv").read_bytes(),
                      file_name=f"{kind}-template.csv", mime="text/csv",
                      icon=":material/download:", key="template")

# A file from another tool is read through a saved column mapping, or mapped here first.
OWN, NEW_MAPPING = "In Tandem's own columns", "Map the columns of a file from another tool…"
saved = [m for m in mappings.saved(t.store) if m.kind == kind]
may_map = access.allowed(who, "manage_mappings")
if "mapping_saved" in st.session_state:  # one was just saved: read the file through it
    st.session_state["mapping_choice"] = st.session_state.pop("mapping_saved")
    st.session_state["edit_mapping"] = False
show_notice()
reading = st.selectbox(
    "Read the file", [OWN, *(m.name for m in saved), *([NEW_MAPPING] if may_map else [])],
    key="mapping_choice", disabled=not kinds,
    format_func=lambda c: c if c in (OWN, NEW_MAPPING) else f"through mapping {c}",
    help="A file exported from a CRM or an ERP keeps its own column names: map them once, save"
         " the mapping, and next month's file imports in one step.")
mapping = next((m for m in saved if m.name == reading), None)
editing = mapping is not None and may_map and st.toggle(
    f"Change mapping {reading}", key="edit_mapping",
    help="Add values it does not know yet, or change its columns; saved under the same name"
         " it replaces the mapping (audited).")

# After an import the uploader starts again empty (a new key), and says what was imported.
round_ = st.session_state.setdefault("upload_round", 0)
upload = st.file_uploader(f"Upload the {kind} file: CSV, text or Excel workbook",
                          type=["csv", "txt", "tsv", "xlsx"], key=f"upload_{round_}",
                          disabled=not kinds or scenario is None,
                          help="Choose the scenario first." if scenario is None else None)
if "imported" in st.session_state:
    st.success(st.session_state.pop("imported"), icon=":material/done_all:")
    if over := st.session_state.pop("overspent", None):
        st.warning("\n".join(f"- {line.strip()}" if line.startswith(" ") else f"\n{line}\n"
                             for line in over), icon=":material/trending_up:")


def problems_table(report: ImportReport) -> pd.DataFrame:
    return pd.DataFrame(
        [{"Row": p.row, "Column": p.column, "Value": p.value if p.value is not None else "",
          "Problem": p.message, "Fix": p.fix} for p in report.problems])


def omitted_table(report: ImportReport) -> pd.DataFrame:
    return pd.DataFrame(
        [{"More": o.count, "Like row": o.example.row, "Column": o.example.column,
          "Problem": o.example.message, "Up to row": o.last_row, "Fix": o.example.fix}
         for o in report.omitted])


def summary_line(report: ImportReport) -> str:
    text = (f"**{report.rows:,}** rows: **{report.added:,}** new, **{report.updated:,}** changed,"
            f" **{report.unchanged:,}** unchanged")
    if report.control_total is not None:
        text += f" · control total **{format_money(report.control_total, currency)}**"
    if report.fiscal_years:
        text += " · fiscal year " + ", ".join(f"FY{y}" for y in report.fiscal_years)
    if report.note:  # targets: proposals until the other head agrees, or in force at once
        text += f". {report.note[0].upper()}{report.note[1:]}"
    return text


def changes_table(report: ImportReport) -> None:
    """The stored rows the file would change: key, old and new amount (or value), and what
    else changes."""
    main = CONTROL.get(report.kind)
    rows = []
    for change in report.changes:
        row = {column.replace("_", " ").capitalize(): value for column, value in change.key}
        if main is not None:
            old, new = change.change(main) or (None, None)
            row.update({"Old": old, "New": new,
                        "Change": new - old if old is not None else None})
        row["Also changes" if main else "Changes"] = ", ".join(
            f"{c}: {b if b is not None else '—'} → {a if a is not None else '—'}"
            for c, b, a in change.values if c != main)
        rows.append(row)
    order = "biggest change first" if report.control_total is not None else "in file order"
    st.markdown(f"**{report.updated:,} stored row(s) change** ({order}"
                + (f", the first {len(rows):,} shown" if len(rows) < report.updated else "")
                + (f"): {main} before and after." if main else "): each value before and after."))
    shown = {"amount": "money", "pipeline": "money", "revenue": "money", "score": "count"}
    number = shown.get(main, "rate")
    fmt.table(st, rows, key="changes", currency=currency,
              kinds={"Month": "month", **({"Old": number, "New": number, "Change": number}
                                          if main else {})})


def read(data: bytes, name: str, *, commit: bool) -> ImportReport:
    """Check (or import) the upload as chosen: in the kind's own form or through a mapping."""
    if mapping is not None:
        return mappings.import_mapped(t.store, mapping, data, file_name=name,
                                      scenario=scenario, actor=actor(), commit=commit)
    return t.import_csv(kind, data, file_name=name, scenario=scenario, commit=commit,
                        actor=actor())


if upload is not None and scenario is None:
    st.info("Choose the scenario this plan goes into.", icon=":material/info:")
elif upload is not None and (reading == NEW_MAPPING or editing):
    mapping_builder(t, who, kind, upload.name, upload.getvalue(), start=mapping)
elif upload is not None:
    data = upload.getvalue()
    check_key = (upload.file_id, kind, scenario, reading)
    with shown_refusals():
        if st.session_state.get("checked_key") != check_key:
            st.session_state["checked"] = read(data, upload.name, commit=False)
            st.session_state["checked_key"] = check_key
        report: ImportReport = st.session_state["checked"]
        if not report.ok:
            st.error(f"**{upload.name}** was refused: {report.problem_count:,} problem(s) found."
                     " Nothing was written. Fix them all and upload the file again.",
                     icon=":material/error:")
            if report.omitted:
                # Per kind of problem, how many more there are than the table lists.
                st.caption(f"The first {len(report.problems):,} are listed below; more of the"
                           " same kinds:")
                st.dataframe(omitted_table(report), hide_index=True, width="stretch",
                             key="omitted")
            table = problems_table(report)
            # Rows tall enough for three lines: a long problem or fix wraps, never cut off.
            st.dataframe(table, hide_index=True, width="stretch", key="problems", row_height=72,
                         column_config={"Row": st.column_config.NumberColumn(width="small"),
                                        "Column": st.column_config.TextColumn(width="small"),
                                        # A whole misshapen row is a long value: it
                                        # must not push the problem and its fix out of view.
                                        "Value": st.column_config.TextColumn(width=150),
                                        "Problem": st.column_config.TextColumn(width=300),
                                        "Fix": st.column_config.TextColumn(width=400)})
            st.download_button("Download the problems as CSV",
                               table.to_csv(index=False).encode(), file_name="problems.csv",
                               mime="text/csv", key="problems_csv")
            if mapping is not None and any("is not in mapping" in p.message
                                           for p in report.problems):
                st.info(f"Some values are not in mapping **{mapping.name}** yet: turn on"
                        f" *Change mapping {mapping.name}* above to add them.",
                        icon=":material/add_circle:")
            elif mapping is None and any(p.message.startswith("unknown column")
                                         for p in report.problems) and may_map:
                st.info("The file's columns are not Tandem's. If it comes from another tool,"
                        f" choose *{NEW_MAPPING}* under *Read the file*.",
                        icon=":material/schema:")
        else:
            into = f" into scenario **{scenario}**" if kind == "plan" else ""
            st.success(f"**{upload.name}** is valid. Importing it{into} would write "
                       + summary_line(report) + ".", icon=":material/task_alt:")
            if report.changes:
                changes_table(report)
            if mapping is None:
                header, first = first_rows(kind, upload.name, data)  # as the importer reads
            else:
                _name, converted, _found = mappings.convert(mapping, upload.name, data,
                                                            limit=20)
                header, first = first_rows(kind, upload.name, converted)
            preview = pd.DataFrame(first, columns=header)
            st.caption("First rows of the file")
            st.dataframe(preview, hide_index=True, width="stretch", key="preview")
            if st.button(f"Import {report.rows:,} rows", type="primary", key="commit"):
                done = read(data, upload.name, commit=True)
                st.session_state.pop("checked_key", None)
                if done.ok:
                    st.session_state["imported"] = (f"Imported **{upload.name}**{into}. "
                                                    + summary_line(done) + ".")
                    st.session_state["upload_round"] = round_ + 1
                    if done.kind == "actuals":  # what went over plan, seen the day it lands
                        st.session_state["overspent"] = overspend.import_summary(
                            t.store, done.fiscal_years, lambda m: format_money(m, currency))
                    st.rerun()
                else:  # the store changed between the check and the commit
                    st.error(f"Refused on import: {done.problems[0]}")

st.divider()
st.subheader("Export")
year = fiscal_year()
# Four a row: seven kinds in one row cut their labels short.
cols = [c for start in range(0, len(KINDS), 4) for c in st.columns(4)][: len(KINDS)]
for column, export_kind in zip(cols, KINDS, strict=True):
    if year is None:
        break
    column.download_button(  # the file is built when it is asked for, not on every rerun
        f"{export_kind} FY{year}", functools.partial(t.export_csv, export_kind, year=year,
                                                           actor=actor()),
        file_name=f"{export_kind}-FY{year}.csv", mime="text/csv",
        icon=":material/download:", key=f"export_{export_kind}", width="stretch")
if year is not None:
    st.download_button(
        f"Everything of FY{year} as one Excel workbook (a sheet per kind)",
        functools.partial(t.export_workbook, list(KINDS), year=year, actor=actor()),
        file_name=f"tandem-FY{year}.xlsx", icon=":material/table_view:", key="export_workbook",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
st.caption("Exports are in the same form the importer reads. Text that a spreadsheet would run"
           " as a formula is prefixed with an apostrophe; the importer removes it again.")

st.subheader("Recent imports")
history = t.recent_imports()
if history:
    fmt.table(st, [{"When": h[0], "Kind": h[1], "File": h[2], "Scenario": h[3] or "",
                    "Rows": h[4], "Added": h[5], "Updated": h[6], "Control total": h[7],
                    "By": h[8]} for h in history],
              key="history", currency=currency,
              kinds={"When": "when", "Rows": "count", "Added": "count", "Updated": "count",
                     "Control total": "money"})
else:
    st.caption("Nothing imported yet.")
