"""The store: an embedded DuckDB file (the default), or a PostgreSQL database named by URL.

`open_store(address)` picks one by its address; both give the same interface (see
`planning.store.connection.Store` and `planning.store.postgres.PostgresStore`).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from planning.store.connection import Store


def is_server(address: str | Path) -> bool:
    """A `postgresql://` (or `postgres://`) URL, not a file."""
    return str(address).startswith(("postgresql://", "postgres://"))


def open_store(address: str | Path = ":memory:", **options: Any) -> Any:
    """Open (and migrate) the store at `address`: a PostgreSQL URL opens a `PostgresStore`,
    anything else the DuckDB file (or `:memory:`). Options as for `Store`."""
    if is_server(address):
        from planning.store.postgres import PostgresStore  # psycopg only when asked for

        return PostgresStore(str(address), **options)
    return Store(address, **options)


__all__ = ["Store", "is_server", "open_store"]
