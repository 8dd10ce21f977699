"""Tandem's domain core: one shared budget and joint KPIs for sales and marketing.

Nothing below this package imports Streamlit; pages and the `tandem` command call it.
"""
from __future__ import annotations

from planning.errors import Refused, StoreError, TandemError
from planning.tandem import Tandem

__all__ = ["Refused", "StoreError", "Tandem", "TandemError"]
