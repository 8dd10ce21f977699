"""Tandem's entry: page config, the store, who is signed in, and the one list of pages."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `streamlit run dashboard/app.py` from a checkout
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard.ui.auth import (  # noqa: E402
    current_person,
    demo_warning,
    keep_cookie,
    password_form,
    sign_in_page,
    sign_out,
)
from dashboard.ui.context import audit_banner, tandem, wait_for_store, year_picker  # noqa: E402
from dashboard.ui.first_run import first_run_page  # noqa: E402
from dashboard.ui.layout import fold_sidebar_on_phone  # noqa: E402
from planning import access, first_run  # noqa: E402
from planning.errors import StoreBusy, TandemError  # noqa: E402

# "auto": the sidebar starts folded on a phone and open on a wider screen.
st.set_page_config(page_title="Tandem", page_icon=":material/handshake:", layout="wide",
                   initial_sidebar_state="auto")

PAGES = ROOT / "pages"
# (file, title, icon, url path, the action a person must be allowed to see it: planning.access)
SCREENS = [
    (file, title, icon, url, access.SCREENS[url]) for file, title, icon, url in (
        ("budget.py", "Budget", ":material/account_balance:", "budget"),
        ("scenarios.py", "Scenarios", ":material/alt_route:", "scenarios"),
        ("compare.py", "Compare", ":material/compare_arrows:", "compare"),
        ("kpis.py", "KPIs", ":material/monitoring:", "kpis"),
        ("handoff.py", "Hand-off", ":material/sync_alt:", "handoff"),
        ("forecast.py", "Where we land", ":material/flight_land:", "forecast"),
        ("review.py", "Review", ":material/rate_review:", "review"),
        ("alignment.py", "Alignment", ":material/handshake:", "alignment"),
        ("import_data.py", "Import & export", ":material/upload_file:", "import"))]


def at_every_address(screen, title: str, icon: str) -> None:
    """Show one screen whatever page the address names, so a bookmark or a reload lands on its
    own page once the person has signed in (and never on "Page not found")."""
    st.navigation([st.Page(screen, title=title, icon=icon, url_path=url,
                           default=file == "budget.py")
                   for file, _title, _icon, url, _action in SCREENS], position="hidden").run()


def signed_in(t, person) -> None:
    navigation = st.navigation([
        st.Page(PAGES / file, title=title, icon=icon, url_path=url, default=file == "budget.py")
        for file, title, icon, url, action in SCREENS if access.allowed(person, action)
    ])
    st.sidebar.markdown(f"**{t.firm_name}** · shared sales & marketing plan")
    st.sidebar.caption(f"Signed in as {person.describe()}")
    if st.sidebar.button("Sign out", key="sign_out", icon=":material/logout:"):
        sign_out(t)
    password_form(t, person)
    demo_warning(t)
    year_picker(t)
    fold_sidebar_on_phone(navigation.url_path)
    navigation.run()


try:
    t = tandem()
    wait_for_store(t)
    keep_cookie()
    person = current_person(t)
    audit_banner(t)
    if person is None and first_run.is_new(t):
        at_every_address(lambda: first_run_page(t), "Welcome", ":material/waving_hand:")
    elif person is None:  # signed out, no page shows any figure
        at_every_address(lambda: sign_in_page(t), "Sign in", ":material/login:")
    else:
        signed_in(t, person)
except StoreBusy as exc:
    st.warning(f"The store is still busy: {exc.holder} is using it. Nothing was lost; reload the"
               " page in a moment.", icon=":material/hourglass_top:")
except TandemError as exc:
    st.error(str(exc), icon=":material/error:")
