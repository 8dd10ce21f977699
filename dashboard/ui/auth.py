"""Who is signed in: local accounts from the store, or single sign-on when it is configured.

A sign-in starts a session in the store (`planning.sessions`) whose random token the browser
keeps in a cookie, so a reload, a new tab or a bookmark finds the person still signed in. The
cookie is read with Streamlit's own `st.context.cookies` and written by one line of script in
the page (Streamlit has no call for it): `SameSite=Strict`, `Secure` over HTTPS, holding 256
random bits and nothing else. The store keeps only the token's SHA-256, so a copy of the store
opens no session; signing out deletes it there, which ends the session in every tab.
"""
from __future__ import annotations

import json

import streamlit as st

from dashboard.ui import lazy
from planning import Tandem
from planning.errors import Refused
from planning.people import People, Person, SignInThrottled
from planning.sessions import Sessions

COOKIE = "tandem_session"
COOKIE_DAYS = 30  # the browser may keep it this long; the store ends idle sessions sooner


def sso_configured() -> bool:
    """True when `.streamlit/secrets.toml` has an [auth] section for st.login (OIDC)."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def _cookie_token() -> str | None:
    try:
        value = st.context.cookies.get(COOKIE)
    except Exception:  # no browser behind this run (AppTest, a bare script run)
        return None
    return value if isinstance(value, str) and value else None


def current_person(t: Tandem) -> Person | None:
    """The signed-in person, checked against the store on every run (sign-out, idle, disable)."""
    state = st.session_state
    token = state.get("session_token")
    if token is None and "person" not in state and not state.get("signed_out"):
        token = _cookie_token()
    if token is not None:
        person = Sessions(t.store).resume(token)
        if person is None:
            _forget(clear_cookie=True)
            return None
        state["person"], state["session_token"] = person, token
    person = state.get("person")
    if person is None and sso_configured() and getattr(st.user, "is_logged_in", False):
        person = People(t.store).by_email(st.user.email or "")
        state["person"] = person
    elif person is not None and token is None:
        person = People(t.store).active(person.name)  # disabled since: signed out at once
        if person is None:
            _forget()
    return person


def _forget(*, clear_cookie: bool = False) -> None:
    """Drop everything this browser tab held: a signed-out tab keeps no figure, no filter."""
    st.session_state.clear()
    st.session_state["signed_out"] = True
    if clear_cookie:
        st.session_state["cookie_to_set"] = ""


def keep_cookie() -> None:
    """Write (or clear) the session cookie asked for by the run before, once."""
    value = st.session_state.pop("cookie_to_set", None)
    if value is None:
        return
    age = COOKIE_DAYS * 86400 if value else 0
    script = (f"document.cookie = {json.dumps(COOKIE)} + '=' + {json.dumps(value)}"
              f" + '; Path=/; Max-Age={age}; SameSite=Strict'"
              " + (location.protocol === 'https:' ? '; Secure' : '');")
    st.html(f"<script>{script}</script>", unsafe_allow_javascript=True)


def signed_in(t: Tandem, person: Person) -> None:
    token = Sessions(t.store).start(person)
    st.session_state.pop("signed_out", None)
    st.session_state["person"] = person
    st.session_state["user"] = person.name
    st.session_state["session_token"] = token
    st.session_state["cookie_to_set"] = token
    st.rerun()


def sign_out(t: Tandem) -> None:
    Sessions(t.store).end(st.session_state.get("session_token"))
    _forget(clear_cookie=True)
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
            try:
                person = People(t.store).sign_in(name, password, client=_client())
            except SignInThrottled as exc:  # failed attempts, or a crowd signing in at once
                st.error(_sentence(exc), icon=":material/timer:")
                return
            if person is None:
                st.error("That name and password do not match an account.")
            else:
                signed_in(t, person)


def _sentence(exc: Exception) -> str:
    text = str(exc)
    return f"{text[:1].upper()}{text[1:]}."


def _client() -> str | None:
    """Where the attempt comes from, for the sign-in throttle (the browser's address)."""
    try:
        address = st.context.ip_address
    except Exception:
        return None
    return address if isinstance(address, str) else None


def password_form(t: Tandem, person: Person) -> None:
    """A person changes their own password, proving it with the current one."""
    with lazy.expander("Change my password", key="password_box", where=st.sidebar,
                       icon=":material/key:") as box:
        if box.open:
            _password_fields(t, person)


def _password_fields(t: Tandem, person: Person) -> None:
    with st.form("change_password", clear_on_submit=True):
        old = st.text_input("Current password", type="password", key="pw_old")
        new = st.text_input("New password", type="password", key="pw_new")
        again = st.text_input("New password again", type="password", key="pw_again")
        if st.form_submit_button("Change it"):
            if new != again:
                st.error("The two new passwords differ.")
                return
            try:
                People(t.store).change_password(person.name, old, new, client=_client())
            except SignInThrottled as exc:
                st.error(_sentence(exc))
            except Refused as exc:
                st.error(str(exc))
            else:
                st.success("Your password is changed.")


def demo_warning(t: Tandem) -> None:
    """A store whose people still hold the demo firm's published passwords says so everywhere."""
    names = People(t.store).demo_accounts()
    if names:
        st.sidebar.warning(f"Demo store: {', '.join(names)} still sign in with the passwords the"
                           " README publishes.", icon=":material/warning:")
