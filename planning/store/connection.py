"""The embedded DuckDB store: a connection per process, opened while the process uses the file.

Reads take a cursor, writes go through `Store.write` (one transaction, serialised in the process
by a lock and between processes by `planning.store.turns`). Every committed write bumps the
store's revision, so read results can be kept per revision (`Store.reads`).
"""
from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from planning.errors import StoreBusy, StoreError, TandemError
from planning.store.dialect import DUCKDB
from planning.store.migrations import MIGRATIONS
from planning.store.reads import ReadCache
from planning.store.turns import Busy, FileTurns

T = TypeVar("T")
DEFAULT_WAIT = 120.0  # seconds a process waits for its turn before giving up
IDLE_CHECK = 0.05  # seconds between two looks for a process waiting for the store


def wait_seconds() -> float:
    """How long to wait for the store: $TANDEM_WAIT seconds, else two minutes."""
    try:
        return max(0.0, float(os.environ.get("TANDEM_WAIT", DEFAULT_WAIT)))
    except ValueError:
        return DEFAULT_WAIT


def _translate(exc: duckdb.Error, path: str) -> StoreError:
    text = str(exc)
    if "lock" in text.lower() and "conflicting" in text.lower():
        return StoreError(
            f"The store {path} is open in a program that does not take turns (an older Tandem,"
            " or DuckDB itself); close it and try again."
        )
    return StoreError(f"The store {path} could not do that: {text.splitlines()[0]}")


# How DuckDB commits: by default a commit appends the transaction to the WAL. A transaction that
# inserts a row group (122,880 rows) or more into a table writes those rows into the store file
# as it goes and puts only a pointer to them in the WAL. DuckDB 1.5 replays such a pointer
# outside the replay's transaction: when a kill cuts the WAL short after it, the rows are kept
# and the rest of the transaction (a scenario row, an id mark, the audit entry) is not. These
# settings make such a commit a checkpoint instead (no WAL at all), which lands whole or not at
# all. Settings are the database's, so they are put back after the commit.
CHECKPOINT_ON_COMMIT = {"checkpoint_threshold": "0KB", "auto_checkpoint_skip_wal_threshold": "0"}


@contextmanager
def commit_by_checkpoint(cur: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Have the transactions opened inside the block commit by a checkpoint, not the WAL."""
    saved = {name: str(cur.execute("SELECT current_setting(?)", [name]).fetchone()[0])
             for name in CHECKPOINT_ON_COMMIT}
    for name, value in CHECKPOINT_ON_COMMIT.items():
        cur.execute(f"SET {name} = '{value}'")
    try:
        yield
    finally:
        for name, value in saved.items():
            cur.execute(f"SET {name} = '{value}'")


@contextmanager
def transaction(cur: duckdb.DuckDBPyConnection, *, bump: bool = True,
                commit_when: Callable[[], AbstractContextManager] = nullcontext) -> Iterator[None]:
    """Commit what the block did, or roll all of it back if the block raises.

    A transaction that changes data bumps the store's revision in the same commit; `bump=False`
    is for bookkeeping that no read result depends on (sign-in sessions). The commit runs
    inside `commit_when()` (see `Store.bulk_transaction`).
    """
    cur.execute("BEGIN TRANSACTION")
    try:
        yield
        if bump:
            cur.execute("UPDATE store_revision SET revision = revision + 1")
    except BaseException:
        cur.execute("ROLLBACK")
        raise
    with commit_when():
        cur.execute("COMMIT")


class Store:
    """A DuckDB file (or `:memory:`) with Tandem's schema, migrated on open.

    `label` says who holds the file, for another process waiting its turn; `wait` is how long
    this one waits for its turn (`StoreBusy` past it); `on_wait(holder)` is called once when a
    wait begins.
    """

    dialect = DUCKDB

    def __init__(self, path: str | Path = ":memory:", *, label: str = "a tandem command",
                 wait: float | None = None, on_wait: Callable[[str], None] | None = None,
                 build: Callable[[Store], None] | None = None, _draft: bool = False) -> None:
        """`build(store)` fills a store this call creates (the demo firm, say) before anyone
        else can see it: a new store appears whole, or not at all, whenever the process dies."""
        self.path = str(path)
        self._build = build
        self._draft = _draft  # the store being built by `_create`: made where it stands
        self.wait = wait_seconds() if wait is None else wait
        self.on_wait = on_wait
        self.reads = ReadCache(self.revision)
        self._conn: duckdb.DuckDBPyConnection | None = None
        self._users = 0
        self._mine: dict[int, int] = {}  # cursors open per thread
        self._revision: int | None = None
        self._state = threading.Condition(threading.RLock())
        # DuckDB fails the second of two concurrent writers; serialise them instead.
        self._write_lock = threading.RLock()
        self._closed = False
        self._draining: int | None = None  # the thread committing a bulk write alone
        try:
            self._turns = None if self.path == ":memory:" else FileTurns(self.path, label)
        except OSError as exc:
            raise StoreError(f"The store {self.path} could not be opened: {exc.strerror}") from exc
        try:
            self._migrate()
        except BaseException:
            self.close()
            raise
        if self._turns is not None:
            threading.Thread(target=self._give_way, name="tandem-store-turns",
                             daemon=True).start()

    # -- the connection -------------------------------------------------------------------------
    def _checkout(self) -> duckdb.DuckDBPyConnection:
        with self._state:
            while self._draining not in (None, threading.get_ident()):
                self._state.wait()
            if self._closed:
                raise StoreError(f"The store {self.path} is closed.")
            if self._conn is None:
                self._open()
            self._users += 1
            me = threading.get_ident()
            self._mine[me] = self._mine.get(me, 0) + 1
            return self._conn

    def _checkin(self) -> None:
        with self._state:
            self._users -= 1
            me = threading.get_ident()
            self._mine[me] -= 1
            if not self._mine[me]:
                del self._mine[me]
            self._state.notify_all()
            if self._users == 0 and self._turns is not None and self._turns.someone_waits():
                self._shut()

    def _open(self) -> None:
        if self._turns is not None:
            try:
                self._turns.acquire(self.wait, self.on_wait)
            except Busy as exc:
                raise StoreBusy(self.path, exc.holder, exc.waited) from None
            if not self._draft and not os.path.exists(self.path):
                try:
                    self._create()
                except BaseException:
                    self._turns.release()
                    raise
        try:
            self._conn = duckdb.connect(self.path)
        except duckdb.Error as exc:
            if self._turns is not None:
                self._turns.release()
            raise _translate(exc, self.path) from exc
        self._revision = None  # another process may have written while the file was closed

    def _create(self) -> None:
        """Build a new store beside its path, then move it in: no process ever opens a store
        whose creation was cut short (DuckDB cannot open a file killed mid-header, and a
        half-loaded demo firm would look like a firm of its own). Called holding the turn, so
        two processes never build the same store."""
        draft = f"{self.path}.new"
        for leftover in (draft, f"{draft}.wal", f"{draft}.key"):
            if os.path.exists(leftover):
                os.remove(leftover)
        new = Store(draft, label="a store being created", wait=self.wait, _draft=True)
        try:
            if self._build is not None:
                self._build(new)
            with new.write_cursor() as cur:
                cur.execute("CHECKPOINT")
        finally:
            new.close()
        if os.path.exists(f"{draft}.key"):  # the audit key of entries the build wrote
            os.replace(f"{draft}.key", f"{self.path}.key")
        os.replace(draft, self.path)
        for leftover in (f"{draft}.lock", f"{draft}.wait"):
            if os.path.exists(leftover):
                os.remove(leftover)

    def _shut(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._turns is not None and self._turns.held:
            self._turns.release()

    def _give_way(self) -> None:
        """Close the file whenever it is idle and another process waits for it."""
        while True:
            with self._state:
                if self._closed:
                    return
                if self._conn is not None and self._users == 0 and self._turns.someone_waits():
                    self._shut()
            threading.Event().wait(IDLE_CHECK)

    def busy_with(self) -> str:
        """Who else holds the store right now ('' when nobody or this process does)."""
        turns = self._turns  # no lock: a thread of ours may be waiting for the turn with it
        if turns is None or turns.held:
            return ""
        return turns.holder()

    def close(self) -> None:
        with self._state:
            self._closed = True
            self._shut()
            if self._turns is not None:
                self._turns.close()
                self._turns = None

    # -- units of work --------------------------------------------------------------------------
    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of its own for one unit of work (a shared one raises 'connection is busy')."""
        conn = self._checkout()
        try:
            cur = conn.cursor()
            try:
                yield cur
            except duckdb.Error as exc:
                raise _translate(exc, self.path) from exc
            finally:
                cur.close()
        finally:
            self._checkin()

    def query(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[tuple]:
        with self.cursor() as cur:
            return cur.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> Any:
        rows = self.query(sql, params)
        return rows[0][0] if rows else None

    @contextmanager
    def write_cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor holding the process-wide write lock; open `transaction(cur)` on it to write."""
        with self._write_lock:
            try:
                with self.cursor() as cur:
                    yield cur
            finally:
                with self._state:
                    self._revision = None

    def write(self, work: Callable[[duckdb.DuckDBPyConnection], T], *, bump: bool = True,
              bulk: bool = False) -> T:
        """Run `work(cursor)` as one transaction: all of it is written, or none of it.

        `bulk` is for work that may insert a row group or more (a clone, an import): it then
        commits by a checkpoint, which a crash cannot tear (see `CHECKPOINT_ON_COMMIT`).
        """
        with self.write_cursor() as cur:
            with self.bulk_transaction(cur) if bulk else transaction(cur, bump=bump):
                return work(cur)

    def transaction(self, cur: duckdb.DuckDBPyConnection, *,
                    bump: bool = True) -> AbstractContextManager[None]:
        """All of the block on a write cursor, or none of it (see `transaction`)."""
        return transaction(cur, bump=bump)

    @contextmanager
    def staging(self, *, write: bool, mirror: list[tuple[str, str, list]]
                ) -> Iterator[duckdb.DuckDBPyConnection]:
        """The cursor an import stages and checks a file in: this store's own (a write cursor
        with `write`); the stored rows are at hand, so `mirror` is not needed here."""
        with self.write_cursor() if write else self.cursor() as cur:
            yield cur

    @contextmanager
    def import_transaction(self, stage: duckdb.DuckDBPyConnection
                           ) -> Iterator[duckdb.DuckDBPyConnection]:
        """The transaction an import writes in: on the staging cursor itself, committed by a
        checkpoint (see `bulk_transaction`)."""
        with self.bulk_transaction(stage):
            yield stage

    @contextmanager
    def bulk_transaction(self, cur: duckdb.DuckDBPyConnection) -> Iterator[None]:
        """A transaction (on a write cursor) that commits by a checkpoint. DuckDB commits that
        way only while no other transaction is open, so the commit waits for this process's
        other cursors to finish and holds new ones back for its instant."""
        with commit_by_checkpoint(cur), transaction(cur, commit_when=self._alone):
            yield

    @contextmanager
    def _alone(self) -> Iterator[None]:
        with self._state:
            self._draining = threading.get_ident()
            me = threading.get_ident()  # this thread's own cursors do not hold the commit back
            self._state.wait_for(lambda: self._users == self._mine.get(me, 0), timeout=30)
        try:
            yield
        finally:
            with self._state:
                self._draining = None
                self._state.notify_all()

    def revision(self) -> int:
        """A number every committed change of data increases, in this process or another."""
        with self._state, self.cursor() as cur:
            if self._revision is None:
                self._revision = cur.execute("SELECT revision FROM store_revision").fetchone()[0]
            return self._revision

    def _migrate(self) -> None:
        def run(cur: duckdb.DuckDBPyConnection) -> int:
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

        if self.write(run, bump=False) and self.path != ":memory:":
            # A WAL that still holds schema DDL fails to replay after a crash ("GetDefaultDatabase
            # with no default database set", DuckDB 1.5): fold the new schema into the file now.
            with self.write_cursor() as cur:
                cur.execute("CHECKPOINT")

    def csv_text(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> str:
        """The rows of a query as CSV text with a header (an export)."""
        with tempfile.TemporaryDirectory() as tmp, self.cursor() as cur:
            out = Path(tmp) / "export.csv"
            cur.execute(f"CREATE OR REPLACE TEMP TABLE export_rows AS {sql}", params)
            cur.execute(f"COPY export_rows TO '{out}' (HEADER, DELIMITER ',')")
            return out.read_text(encoding="utf-8")

    # -- settings -----------------------------------------------------------------------------
    def setting(self, key: str) -> str:
        value = self.reads.get(("setting", key), lambda: self.scalar(
            "SELECT value FROM settings WHERE key = ?", [key]))
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
