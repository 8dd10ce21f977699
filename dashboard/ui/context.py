"""The store handle, the fiscal year in view, and one place that shows refused actions."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from planning import Tandem, TandemError, audit
from planning.cli import store_path
from planning.people import Person


@st.cache_resource(show_spinner="Opening the store…")
def open_tandem(path: str) -> Tandem:
    """One store handle per process and store (a new store starts empty: see `first_run`)."""
    return Tandem.open(path, label="the app")


def tandem() -> Tandem:
    return open_tandem(store_path(None))


def fiscal_year() -> int | None:
    """The fiscal year chosen in the sidebar (the newest by default)."""
    return st.session_state.get("fiscal_year")


def year_picker(t: Tandem) -> int | None:
    years = t.fiscal_years()
    if not years:
        return None
    return st.sidebar.selectbox("Fiscal year", years, key="fiscal_year",
                                format_func=lambda y: f"FY{y}")


def actor() -> Person | None:
    """The signed-in person: every change made in the app is theirs, checked by planning."""
    return st.session_state.get("person")


def notice(message: str) -> None:
    """Show `message` once, after the rerun that follows a change."""
    st.session_state["notice"] = message
    st.rerun()


def show_notice() -> None:
    message = st.session_state.pop("notice", None)
    if message:
        st.success(message, icon=":material/check_circle:")


def audit_banner(t: Tandem) -> None:
    """Check the audit trail once a session; show a banner on every page if it is broken."""
    if "audit_verdict" not in st.session_state:
        st.session_state["audit_verdict"] = audit.verify(t.store)
    verdict = st.session_state["audit_verdict"]
    if not verdict.intact:
        st.error(f"The audit trail is broken at entry {verdict.broken_at}: {verdict.problem}."
                 " Changes may have been made outside Tandem; tell the administrator.",
                 icon=":material/gpp_bad:")


@contextmanager
def shown_refusals() -> Iterator[None]:
    """Show a refused action as an error box instead of a traceback."""
    try:
        yield
    except TandemError as exc:
        st.error(str(exc), icon=":material/block:")


def wait_for_store(t: Tandem) -> None:
    """While a `tandem` command holds the store, say so, and wait for it rather than fail."""
    holder = t.store.busy_with()
    if holder:
        with st.spinner(f"The store is busy: {holder} is running. This page loads as soon as it"
                        " is done.", show_time=True):
            t.store.revision()
