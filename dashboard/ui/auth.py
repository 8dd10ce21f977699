"""Who is signed in: local accounts from the store, or single sign-on when it is configured."""
from __future__ import annotations

import streamlit as st

from planning import Tandem
from planning.people import People, Person


def sso_configured() -> bool:
    """True when `.streamlit/secrets.toml` has an [auth] section for st.login (OIDC)."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def current_person(t: Tandem) -> Person | None:
    person = st.session_state.get("person")
    if person is None and sso_configured() and getattr(st.user, "is_logged_in", False):
        person = People(t.store).by_email(st.user.email or "")
        st.session_state["person"] = person
    return person


def sign_out() -> None:
    st.session_state.pop("person", None)
    st.session_state.pop("user", None)
    if sso_configured() and getattr(st.user, "is_logged_in", False):
        st.logout()
    st.rerun()


def sign_in_page(t: Tandem) -> None:
    """The only page a signed-out visitor sees: no figure of the plan is shown here."""
    st.title("Tandem")
    st.caption(f"{t.firm_name} · one shared budget for sales and marketing")
    if sso_configured():
        if getattr(st.user, "is_logged_in", False):
            st.error(f"{st.user.email} has no Tandem account; ask an administrator to add one"
                     " with `tandem users add NAME --role ROLE --email ADDRESS`.")
            st.button("Sign out", on_click=st.logout)
        else:
            st.button("Sign in with your company account", type="primary", on_click=st.login)
        return
    with st.form("sign_in"):
        name = st.text_input("Name", key="sign_in_name")
        password = st.text_input("Password", type="password", key="sign_in_password")
        if st.form_submit_button("Sign in", type="primary"):
            person = People(t.store).sign_in(name, password)
            if person is None:
                st.error("That name and password do not match an account.")
            else:
                st.session_state["person"] = person
                st.session_state["user"] = person.name
                st.rerun()
