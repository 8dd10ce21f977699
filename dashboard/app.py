"""Tandem's entry: page config, the store, the fiscal year, and the one list of pages."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `streamlit run dashboard/app.py` from a checkout
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard.ui.context import tandem, year_picker  # noqa: E402

st.set_page_config(page_title="Tandem", page_icon=":material/handshake:", layout="wide")

PAGES = ROOT / "pages"
navigation = st.navigation([
    st.Page(PAGES / "budget.py", title="Budget", icon=":material/account_balance:",
            default=True),
    st.Page(PAGES / "scenarios.py", title="Scenarios", icon=":material/alt_route:"),
    st.Page(PAGES / "compare.py", title="Compare", icon=":material/compare_arrows:"),
    st.Page(PAGES / "import_data.py", title="Import & export", icon=":material/upload_file:",
            url_path="import"),
])

t = tandem()
st.sidebar.markdown(f"**{t.firm_name}** · shared sales & marketing plan")
year_picker(t)
navigation.run()
