"""The store handle, the fiscal year in view, and one place that shows refused actions."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import streamlit as st

from planning import Tandem, TandemError
from planning.cli import store_path
from planning.demo import load_demo


@st.cache_resource(show_spinner="Opening the store…")
def open_tandem(path: str) -> Tandem:
    """One connection per process and store file; a store created here gets the demo firm."""
    is_new = path == ":memory:" or not Path(path).exists()
    tandem = Tandem.open(path)
    if is_new:
        load_demo(tandem)
    return tandem


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


def actor() -> str:
    """Who the audit trail names for a change made in the app."""
    return st.session_state.get("user", "app")


def notice(message: str) -> None:
    """Show `message` once, after the rerun that follows a change."""
    st.session_state["notice"] = message
    st.rerun()


def show_notice() -> None:
    message = st.session_state.pop("notice", None)
    if message:
        st.success(message, icon=":material/check_circle:")


@contextmanager
def shown_refusals() -> Iterator[None]:
    """Show a refused action as an error box instead of a traceback."""
    try:
        yield
    except TandemError as exc:
        st.error(str(exc), icon=":material/block:")
