"""The first visit to an empty store: explore the demo firm, or start your own firm."""
from __future__ import annotations

import streamlit as st

from dashboard.ui.auth import signed_in
from planning import Tandem
from planning.errors import Refused
from planning.first_run import explore_demo, start_firm

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def first_run_page(t: Tandem) -> None:
    st.title("Welcome to Tandem")
    st.write("One shared budget and joint KPIs for your sales and marketing departments. This"
             " store is new: nobody has an account yet.")
    demo, own = st.columns(2, border=True)
    with demo:
        st.subheader("Explore the demo firm")
        st.write("Northwind Analytics: a year of plan lines, actuals, outcomes and targets, and"
                 " five demo people whose passwords the README publishes. For trying Tandem"
                 " out, not for your own figures.")
        if st.button("Explore the demo firm", key="first_run_demo", icon=":material/explore:"):
            with st.spinner("Loading the demo firm through the importer…"):
                try:
                    explore_demo(t)
                except Refused as exc:
                    st.error(str(exc))
                    return
            st.rerun()
    with own, st.form("first_run_firm"):
        st.subheader("Start my firm")
        firm = st.text_input("Firm", key="first_firm", max_chars=80)
        left, right = st.columns(2)
        currency = left.text_input("Currency (ISO code)", value="USD", key="first_currency",
                                   max_chars=3)
        start = right.selectbox("Fiscal year starts in", MONTHS, key="first_start")
        st.caption("You become the firm's first executive and add everyone else"
                   " (`tandem users add`).")
        name = st.text_input("Your name", key="first_name", max_chars=60)
        password = st.text_input("Password (8 characters or more)", type="password",
                                 key="first_password")
        again = st.text_input("Password again", type="password", key="first_again")
        if st.form_submit_button("Start my firm", type="primary"):
            if password != again:
                st.error("The two passwords differ.")
                return
            try:
                person = start_firm(t, firm=firm, currency=currency,
                                    fiscal_year_start_month=MONTHS.index(start) + 1,
                                    name=name, password=password)
            except Refused as exc:
                st.error(str(exc))
                return
            signed_in(t, person)
