"""Tabs and expanders that build only what a person sees.

Streamlit runs the content of every tab and of every folded expander on each rerun, though a
person sees one tab and nothing folded. Under load that hidden content was a large share of a
page's cost: the Scenarios page's operation tabs were three quarters of its server time
(measured with py-spy). Keyed and with `on_change="rerun"`, a tab or an expander knows whether
it is open (`.open`), and a page builds its content only then; opening one reruns the page.

Widgets inside are forgotten while hidden (their entries start afresh when shown again), so a
widget that filters the rest of a page must not live in one.
"""
from __future__ import annotations

import streamlit as st


def tabs(labels, *, key: str, where=st):
    """Tabs whose `.open` says which one is shown."""
    return where.tabs(labels, key=key, on_change="rerun")


def expander(label: str, *, key: str, where=st, **options):
    """An expander whose `.open` says whether it is unfolded."""
    return where.expander(label, key=key, on_change="rerun", **options)
