"""The page around the screens: the sidebar folds away on a phone once a page is picked."""
from __future__ import annotations

import streamlit as st

# Streamlit folds the sidebar after a page is picked only when the browser says it is a phone
# (its user agent); a narrow window of any browser is folded here too, once per page change,
# so the page picked is not left under the sidebar.
FOLD = """
(() => {
  const doc = window.parent ? window.parent.document : document;
  if ((window.parent || window).innerWidth > 768) return;
  const sidebar = doc.querySelector('[data-testid="stSidebar"]');
  if (!sidebar || sidebar.getAttribute('data-collapsed') !== 'false') return;
  const fold = doc.querySelector('[data-testid="stSidebarCollapseButton"] button');
  if (fold) fold.click();
})();
"""


def fold_sidebar_on_phone(page: str) -> None:
    """On the first run of a page picked in the sidebar, fold the sidebar on a narrow screen."""
    if st.session_state.get("page_shown") == page:
        return
    first = "page_shown" not in st.session_state
    st.session_state["page_shown"] = page
    if not first:  # the first page of a visit opens with the sidebar folded already
        st.html(f"<script>{FOLD}</script>", unsafe_allow_javascript=True)
