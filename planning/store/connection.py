"""One DuckDB connection per process; reads take a cursor, writes go through `Store.write`."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from planning.errors import StoreError, TandemError
from planning.store.migrations import MIGRATIONS

T = TypeVar("T")


def _translate(exc: duckdb.Error, path: str) -> StoreError:
    text = str(exc)
    if "lock" in text.lower() and "conflicting" in text.lower():
        return StoreError(
            f"The store {path} is open in another program (the app or another `tandem` command);"
            " close it and try again."
        )
    return StoreError(f"The store {path} could not do that: {text.splitlines()[0]}")


@contextmanager
def transaction(cur: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Commit what the block did, or roll all of it back if the block raises."""
    cur.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        cur.execute("ROLLBACK")
        raise
    cur.execute("COMMIT")


class Store:
    """A DuckDB file (or `:memory:`) with Tandem's schema, migrated on open."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.path = str(path)
        try:
            self._conn = duckdb.connect(self.path)
        except duckdb.Error as exc:
            raise _translate(exc, self.path) from exc
        # DuckDB fails the second of two concurrent writers; serialise them instead.
        self._write_lock = threading.RLock()
        self._migrate()

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of its own for one unit of work (a shared one raises 'connection is busy')."""
        cur = self._conn.cursor()
        try:
            yield cur
        except duckdb.Error as exc:
            raise _translate(exc, self.path) from exc
        finally:
            cur.close()

    def query(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[tuple]:
        with self.cursor() as cur:
            return cur.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> Any:
        rows = self.query(sql, params)
        return rows[0][0] if rows else None

    @contextmanager
    def write_cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor holding the process-wide write lock; open `transaction(cur)` on it to write."""
        with self._write_lock, self.cursor() as cur:
            yield cur

    def write(self, work: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """Run `work(cursor)` as one transaction: all of it is written, or none of it."""
        with self.write_cursor() as cur, transaction(cur):
            return work(cur)

    def _migrate(self) -> None:
        def run(cur: duckdb.DuckDBPyConnection) -> None:
            cur.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " name VARCHAR PRIMARY KEY, applied_at TIMESTAMP DEFAULT current_timestamp)"
            )
            done = {row[0] for row in cur.execute("SELECT name FROM schema_migrations").fetchall()}
            for name, sql in MIGRATIONS:
                if name not in done:
                    cur.execute(sql)
                    cur.execute("INSERT INTO schema_migrations (name) VALUES (?)", [name])
            return len(MIGRATIONS) - len(done)

        if self.write(run) and self.path != ":memory:":
            # A WAL that still holds schema DDL fails to replay after a crash ("GetDefaultDatabase
            # with no default database set", DuckDB 1.5): fold the new schema into the file now.
            with self.write_cursor() as cur:
                cur.execute("CHECKPOINT")

    # -- settings -----------------------------------------------------------------------------
    def setting(self, key: str) -> str:
        value = self.scalar("SELECT value FROM settings WHERE key = ?", [key])
        if value is None:
            raise TandemError(f"unknown setting {key!r}")
        return value

    def set_setting(self, key: str, value: str) -> None:
        self.write(
            lambda cur: cur.execute(
                "INSERT INTO settings VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = ?",
                [key, value, value],
            )
        )

    @property
    def currency(self) -> str:
        return self.setting("currency")

    @property
    def fiscal_year_start_month(self) -> int:
        return int(self.setting("fiscal_year_start_month"))
