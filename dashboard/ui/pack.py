"""The weekly joint meeting pack on the Alignment page: one click makes it (planning.pack, the
same pack `tandem pack` writes), then it downloads as Markdown or as a printable HTML page and
shows below as it will print."""
from __future__ import annotations

import streamlit as st
import streamlit.components.v1 as components

from dashboard.ui.context import shown_refusals
from dashboard.ui.format import day
from planning import access, pack
from planning.people import Person
from planning.tandem import Tandem

KEPT = "meeting_pack"  # session state: the pack made last, as (year, since, markdown, html)


def pack_section(t: Tandem, person: Person | None, year: int | None) -> None:
    st.subheader("Weekly meeting pack")
    if year is None:
        st.caption("No fiscal year yet.")
        return
    st.caption("For the two heads' meeting: KPIs against target, where the year lands and the"
               " largest variances with their explanations, the hand-off's SLA breaches, the"
               " lines waiting for each head, the decisions and comments since the last"
               " meeting, the alignment stage and the shared rewards. The same figures as the"
               " pages; the same pack as `tandem pack`.")
    if not access.allowed(person, "export"):
        st.caption("The department heads, executives and planners make the pack.")
        return
    last = pack.last_made(t.store)
    since_default = pack.default_since(t.store)
    cells = st.columns([2, 3], vertical_alignment="bottom")
    since = cells[0].date_input(
        "Decisions and comments since", value=since_default.date(),
        max_value=pack.now().date(), key="pack_since", format="YYYY-MM-DD",
        help="By default, since the last pack was made (the last meeting), else the last"
             f" {pack.DEFAULT_DAYS} days.")
    cells[1].caption(f"Last pack made {day(last)}." if last else "No pack made yet.")
    if cells[1].button("Make the meeting pack", type="primary", key="pack_make",
                       icon=":material/description:"):
        with shown_refusals(), st.spinner("Making the pack…"):
            chosen = since_default if since == since_default.date() else since
            made = pack.make(t.store, person, year, chosen, what="app")
            st.session_state[KEPT] = (year, made.since, pack.to_markdown(made),
                                      pack.to_html(made))
            st.rerun()  # the next pack's default period now starts at this one
    kept = st.session_state.get(KEPT)
    if not kept or kept[0] != year:
        return
    _year, made_since, markdown, page = kept
    name = f"meeting-pack-FY{year}-{made_since:%Y-%m-%d}"
    st.success(f"The pack of FY{year} since {day(made_since)} is ready.",
               icon=":material/check_circle:")
    downloads = st.columns(2)
    downloads[0].download_button("Download for print (HTML)", page, file_name=f"{name}.html",
                                 mime="text/html", key="pack_download_html",
                                 icon=":material/print:", width="stretch")
    downloads[1].download_button("Download as Markdown", markdown, file_name=f"{name}.md",
                                 mime="text/markdown", key="pack_download_markdown",
                                 icon=":material/download:", width="stretch")
    st.caption("Open the HTML page in a browser and print it (A4) or save it as PDF.")
    with st.expander("Preview", expanded=True):
        components.html(page, height=900, scrolling=True)

