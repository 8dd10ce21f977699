"""Map a file from another tool to a kind, on the page: its columns, its values, its formats,
with the first rows shown as they will be read; then save the mapping under a name."""
from __future__ import annotations

import io

import pandas as pd
import streamlit as st

from dashboard.ui.context import notice, shown_refusals
from planning import mappings
from planning.errors import Refused
from planning.imports.kinds import KINDS
from planning.people import Person
from planning.tandem import Tandem

FROM_FILE = "From the file's column"
CONSTANT = "Or the same value on every row"
PREVIEW_ROWS = 20
DECIMALS = {".": "point: 1234.50", ",": "comma: 1234,50"}
THOUSANDS = {"": "none", ",": "comma: 1,234", ".": "point: 1.234", " ": "space: 1 234"}


def builder_key(kind_name: str, file_name: str, start: mappings.Mapping | None) -> str:
    """The form's widgets' key prefix: a new file or mapping starts a new form."""
    return f"map_{kind_name}_{file_name}_{start.name if start else ''}"


def mapping_builder(t: Tandem, who: Person, kind_name: str, file_name: str, data: bytes,
                    *, start: mappings.Mapping | None = None) -> None:
    """The mapping form for one uploaded file (started from a saved mapping, if given)."""
    kind = KINDS[kind_name]
    header = mappings.file_header(kind_name, file_name, data)
    if not header:
        st.error(f"**{file_name}** has no header line to map: its first line must name its"
                 " columns.", icon=":material/error:")
        return
    by_name = {h.lower(): h for h in header}
    key = builder_key(kind_name, file_name, start)

    st.markdown(f"**1. Columns.** For each column of **{kind.name}**, the column of "
                f"*{file_name}* that holds it, or one value for every row.")
    rows = []
    for column in kind.columns:
        source = (start.columns.get(column.name) if start else None) or by_name.get(column.name)
        rows.append({"Column": column.name, "Required": column.required,
                     FROM_FILE: source if source in header else None,
                     CONSTANT: (start.constants.get(column.name, "") if start else ""),
                     "Accepted": column.describe()})
    edited = st.data_editor(
        pd.DataFrame(rows), key=f"{key}_columns", hide_index=True, width="stretch",
        disabled=["Column", "Required", "Accepted"],
        column_config={FROM_FILE: st.column_config.SelectboxColumn(FROM_FILE, options=header),
                       CONSTANT: st.column_config.TextColumn(CONSTANT, max_chars=200),
                       "Required": st.column_config.CheckboxColumn(width="small")})
    columns = {r["Column"]: r[FROM_FILE] for r in edited.to_dict("records")
               if isinstance(r[FROM_FILE], str) and r[FROM_FILE]}
    constants = {r["Column"]: str(r[CONSTANT]).strip() for r in edited.to_dict("records")
                 if r["Column"] not in columns and isinstance(r[CONSTANT], str)
                 and r[CONSTANT].strip()}

    st.markdown("**2. Values.** Where the file names things its own way (`Google Ads` for the"
                " channel *Paid search*, `MKT` for the owner *marketing*), translate them.")
    enums = [c.name for c in kind.columns if c.type == "enum" and c.name in columns]
    chosen = st.multiselect(
        "Translate the values of", list(columns),
        default=[c for c in columns if c in enums or (start and c in start.values)],
        key=f"{key}_translate")
    values: dict[str, dict[str, str]] = {}
    for column in chosen:
        found = mappings.distinct_values(file_name, data, columns[column], kind_name)
        known = start.values.get(column, {}) if start else {}
        accepted = kind.column(column).values
        table = st.data_editor(
            pd.DataFrame({"In the file": found,
                          "Means": [known.get(v) or (v.lower() if v.lower() in accepted
                                                     else None) for v in found]}),
            key=f"{key}_values_{column}", hide_index=True, width="stretch",
            disabled=["In the file"],
            column_config={"Means": st.column_config.SelectboxColumn(
                f"{column} it means", options=list(accepted)) if accepted else
                st.column_config.TextColumn(f"{column} it means", max_chars=60)})
        values[column] = {a: str(b).strip() for a, b in zip(table["In the file"], table["Means"],
                                                            strict=True)
                          if isinstance(b, str) and b.strip()}

    st.markdown("**3. Formats** of the file's dates and numbers.")
    left, middle, right = st.columns(3)
    date = left.text_input("Dates written as", value=(start.date if start else None) or "",
                           key=f"{key}_date", placeholder="e.g. %d/%m/%Y",
                           help="Python's date codes: %d day, %m month, %Y year, %b month name."
                                " A date in a month column is read as its month.").strip()
    decimal = middle.selectbox("Decimal separator", list(DECIMALS), key=f"{key}_decimal",
                               index=list(DECIMALS).index(start.decimal) if start else 0,
                               format_func=DECIMALS.get)
    thousands = right.selectbox("Thousands separator", list(THOUSANDS), key=f"{key}_thousands",
                                index=list(THOUSANDS).index(start.thousands) if start else 0,
                                format_func=THOUSANDS.get)

    text = mappings.to_toml(kind_name, columns, constants, values, date or None, decimal,
                            thousands)
    try:
        mapping = mappings.parse(start.name if start else "new", text)
    except Refused as exc:
        st.warning(str(exc).split(": ", 1)[-1], icon=":material/edit_note:")
        return
    st.markdown(f"**4. Preview**: the first {PREVIEW_ROWS} rows as they will be read.")
    name, converted, found = mappings.convert(mapping, file_name, data, limit=PREVIEW_ROWS)
    if converted is not None:
        read = pd.read_csv(io.BytesIO(converted), dtype=str, keep_default_na=False)
        st.dataframe(read, hide_index=True, width="stretch", key=f"{key}_preview")
    problems, count, _omitted = found.finish({})
    if count:
        st.warning(f"{count} problem(s) in these rows: " + "; ".join(
            f"row {p.row}, {p.column}: {p.message}" for p in problems[:5]),
            icon=":material/warning:")
    with st.form(f"{key}_save", border=False):
        saved_name = st.text_input("Save the mapping as", value=start.name if start else "",
                                   max_chars=60, key=f"{key}_name",
                                   placeholder="e.g. ERP spend report")
        if st.form_submit_button("Save mapping", type="primary", icon=":material/save:"):
            with shown_refusals():
                done = mappings.save(t.store, who, saved_name, text)
                st.session_state["mapping_saved"] = done.name  # the page reads through it
                notice(f"Mapping **{done.name}** saved. Choose it under *Read the file* to"
                       f" import {file_name} and next month's file in one step.")
    with st.expander("The mapping as text (for `tandem mappings add`)"):
        st.code(text, language="toml")
