"""The DuckDB store: one connection per process, a cursor per unit of work, serialised writes."""
from __future__ import annotations

from planning.store.connection import Store

__all__ = ["Store"]
