"""The PostgreSQL store: the same interface as the DuckDB `Store`, for a database many processes
share (several app processes, any number of commands at once).

Connections come from a pool (psycopg 3, psycopg_pool). A read takes a pooled connection for its
unit of work; a write (`write_cursor`) opens a transaction that first locks the one row of
`store_revision`, so writers in every process take turns in the database itself: checks made at
the start of a write still hold at its commit, and the hash-chained audit stays one chain. Each
`transaction(cur)` inside it is a savepoint (all of it, or none of it) that bumps the revision;
the whole commits when `write_cursor` ends. Reads made by the writing thread go through its own
connection, so they see what it has written so far.

Domain SQL is DuckDB's and the standard's: `PgCursor` turns `?` (and `$n`) into psycopg's
placeholders, once per SQL text.
"""
from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import errors as pg_errors
from psycopg_pool import ConnectionPool, PoolTimeout

from planning.errors import StoreBusy, StoreError, StoreUnreachable
from planning.store.connection import Store, wait_seconds
from planning.store.dialect import POSTGRES
from planning.store.migrations_postgres import BRIN_INDEXES, MIGRATIONS_POSTGRES
from planning.store.reads import ReadCache

T = TypeVar("T")
POOL_SIZE = 16
REVISION_FRESH = 0.05  # seconds a read of the store revision is taken as current
MIGRATION_LOCK = 7_246_511  # advisory lock key: one process migrates at a time


def is_url(address: str) -> bool:
    return address.startswith(("postgresql://", "postgres://"))


def redacted(url: str) -> str:
    """The URL without its password, to name the store in messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    return urlunsplit(parts._replace(netloc=netloc[0].split(":")[0] + ":***@" + netloc[1]))


_TEMP_REPLACE = re.compile(r"^\s*CREATE\s+OR\s+REPLACE\s+TEMP(?:ORARY)?\s+TABLE\s+(\w+)",
                           re.IGNORECASE)


@lru_cache(maxsize=4096)
def translate(sql: str) -> tuple[tuple[str, ...], tuple[int, ...], str | None]:
    """(the SQL cut at its placeholders, the parameter each placeholder takes, a statement to run
    first or None). `?` takes the next parameter and `$n` the n-th, outside literals and quoted
    names; `%` is doubled everywhere for psycopg. DuckDB's `CREATE OR REPLACE TEMP TABLE t`
    becomes a drop of `t` first (PostgreSQL has no such form)."""
    before = None
    match = _TEMP_REPLACE.match(sql)
    if match:
        before = f"DROP TABLE IF EXISTS {match.group(1)}"
        sql = f"CREATE TEMP TABLE {match.group(1)}" + sql[match.end():]
    parts: list[str] = []
    takes: list[int] = []
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c in "'\"":
            end = i + 1
            while end < n:
                if sql[end] == c:
                    if end + 1 < n and sql[end + 1] == c:
                        end += 2
                        continue
                    break
                end += 1
            out.append(sql[i:end + 1].replace("%", "%%"))
            i = end + 1
            continue
        if c == "-" and sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            out.append(sql[i:end].replace("%", "%%"))
            i = end
            continue
        if c == "?" or (c == "$" and i + 1 < n and sql[i + 1].isdigit()):
            end = i + 1
            while c == "$" and end < n and sql[end].isdigit():
                end += 1
            takes.append(len(takes) if c == "?" else int(sql[i + 1:end]) - 1)
            parts.append("".join(out))
            out = []
            i = end
            continue
        out.append("%%" if c == "%" else c)
        i += 1
    parts.append("".join(out))
    return tuple(parts), tuple(takes), before


def bind(sql: str, params: Any) -> tuple[str, list | None, str | None]:
    """psycopg's SQL and parameters for the domain's. A NULL parameter is written into the SQL as
    NULL: PostgreSQL cannot tell the type of a bare NULL parameter (`? IS NULL`), and the
    literal means the same."""
    parts, takes, before = translate(sql)
    if not takes:
        return (sql if before is None else parts[0].replace("%%", "%")), None, before
    params = list(params)
    text, values = [parts[0]], []
    for k, part in zip(takes, parts[1:], strict=True):
        value = params[k]
        if value is None:
            text.append("NULL")
        else:
            text.append("%s")
            values.append(value)
        text.append(part)
    return "".join(text), values, before


class PgCursor:
    """A psycopg cursor that takes the domain's SQL and parameters as a DuckDB cursor does."""

    dialect = POSTGRES

    def __init__(self, cur: psycopg.Cursor, store: PostgresStore) -> None:
        self._cur = cur
        self.store = store

    def execute(self, sql: str, params: Any = None) -> PgCursor:
        text, values, before = bind(sql, params or ())
        if before:
            self._cur.execute(before)
        self._cur.execute(text, values)
        return self

    def executemany(self, sql: str, rows: Any) -> PgCursor:
        parts, takes, _before = translate(sql)
        text = "".join(p + "%s" for p in parts[:-1]) + parts[-1]
        self._cur.executemany(text, [[row[k] for k in takes] for row in rows])
        return self

    # A statement that returns no rows (INSERT, UPDATE, DELETE) answers, as in DuckDB, with one
    # row: how many rows it changed.
    def fetchone(self) -> tuple | None:
        if self._cur.description is None:
            return (self._cur.rowcount,)
        return self._cur.fetchone()

    def fetchall(self) -> list[tuple]:
        if self._cur.description is None:
            return [(self._cur.rowcount,)]
        return self._cur.fetchall()

    def fetchmany(self, size: int = 1) -> list[tuple]:
        if self._cur.description is None:
            return [(self._cur.rowcount,)]
        return self._cur.fetchmany(size)

    @property
    def description(self) -> Any:
        return self._cur.description

    @property
    def rowcount(self) -> int:
        return self._cur.rowcount

    def copy(self, statement: str) -> Any:
        """psycopg's COPY (`with cur.copy("COPY t FROM STDIN") as copy: copy.write(...)`)."""
        return self._cur.copy(statement)

    def close(self) -> None:
        self._cur.close()


def _translate_error(exc: psycopg.Error, path: str) -> StoreError:
    if isinstance(exc, psycopg.OperationalError) and not isinstance(
            exc, pg_errors.QueryCanceled | pg_errors.LockNotAvailable):
        return StoreUnreachable(path, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    text = (str(exc).splitlines() or [type(exc).__name__])[0]
    return StoreError(f"The store {path} could not do that: {text}")


class PostgresStore:
    """A PostgreSQL database with Tandem's schema, migrated on open. Options as for `Store`
    (`label` names this process to the server; `wait` is how long a writer waits for another)."""

    dialect = POSTGRES

    def __init__(self, url: str, *, label: str = "a tandem command", wait: float | None = None,
                 on_wait: Callable[[str], None] | None = None,
                 build: Callable[[Any], None] | None = None, pool_size: int = POOL_SIZE) -> None:
        self.url = url
        self.path = redacted(url)
        self.wait = wait_seconds() if wait is None else wait
        self.on_wait = on_wait
        self.reads = ReadCache(self._cache_revision)
        self._local = threading.local()
        self._seen: tuple[int, float] | None = None  # the last revision read, and when
        self._closed = False
        self._pool = ConnectionPool(
            url, min_size=1, max_size=pool_size, open=False, name="tandem",
            kwargs={"autocommit": True, "application_name": label[:60]},
            reconnect_timeout=max(self.wait, 1.0))
        try:
            self._pool.open(wait=True, timeout=max(min(self.wait, 30.0), 1.0))
        except PoolTimeout:
            reason = self._why_unreachable()
            self._pool.close()
            raise StoreUnreachable(self.path, reason) from None
        try:
            created = self._migrate()
            if created and build is not None:
                build(self)
        except BaseException:
            self.close()
            raise

    def _why_unreachable(self) -> str:
        try:
            psycopg.connect(self.url, connect_timeout=5).close()
        except psycopg.Error as exc:
            return (str(exc).strip().splitlines() or ["no answer"])[-1]
        return "no connection within the wait"

    # -- connections ----------------------------------------------------------------------------
    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection]:
        if self._closed:
            raise StoreError(f"The store {self.path} is closed.")
        try:
            with self._pool.connection(timeout=max(self.wait, 1.0)) as conn:
                yield conn
        except PoolTimeout:
            raise StoreBusy(self.path, "other requests of this process", self.wait) from None

    @contextmanager
    def cursor(self) -> Iterator[PgCursor]:
        held = getattr(self._local, "conn", None)
        try:
            if held is not None:
                cur = PgCursor(held.cursor(), self)
                try:
                    yield cur
                finally:
                    cur.close()
                return
            with self._connection() as conn:
                cur = PgCursor(conn.cursor(), self)
                try:
                    yield cur
                finally:
                    cur.close()
        except pg_errors.CheckViolation as exc:
            raise StoreError(f"The store {self.path} could not do that: CHECK constraint failed"
                             f" on {exc.diag.table_name}: {self._check_of(exc)}") from exc
        except psycopg.Error as exc:
            raise _translate_error(exc, self.path) from exc

    def _check_of(self, exc: pg_errors.CheckViolation) -> str:
        """The failed CHECK's expression, as DuckDB names it (PostgreSQL names the constraint)."""
        name = exc.diag.constraint_name or ""
        try:
            with self._pool.connection(timeout=5) as conn:
                row = conn.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint"
                                   " WHERE conname = %s AND conrelid = %s::regclass",
                                   [name, exc.diag.table_name]).fetchone()
        except (psycopg.Error, PoolTimeout):
            return name
        if row is None:
            return name
        # CHECK ((amount >= (0)::numeric)) -> CHECK (amount >= 0)
        return re.sub(r"\((\w+)\)::(?:character varying|\w+)|::(?:character varying|\w+)"
                      r"(?:\[\])?", r"\1", row[0])

    def query(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[tuple]:
        with self.cursor() as cur:
            return cur.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> Any:
        rows = self.query(sql, params)
        return rows[0][0] if rows else None

    @contextmanager
    def write_cursor(self) -> Iterator[PgCursor]:
        """A cursor in this thread's write transaction, which holds the writers' turn (the row
        lock of `store_revision`) until the outermost `write_cursor` ends and commits."""
        if getattr(self._local, "conn", None) is not None:
            with self.cursor() as cur:
                yield cur
            return
        with self._connection() as conn:
            try:
                conn.execute("BEGIN")
                conn.execute(f"SET LOCAL lock_timeout = '{max(1, int(self.wait * 1000))}ms'")
                self._take_turn(conn)
            except psycopg.Error as exc:
                conn.execute("ROLLBACK")
                raise _translate_error(exc, self.path) from exc
            self._local.conn, self._local.depth, self._local.grown = conn, 0, set()
            try:
                with self.cursor() as cur:
                    yield cur
            except BaseException:
                self._end(conn, commit=False)
                raise
            else:
                self._end(conn, commit=True)
                self._analyze(conn, self._local.grown)

    def grown(self, *tables: str) -> None:
        """Note tables the open write transaction fills in bulk (an import, a clone): their
        planner statistics are taken again (ANALYZE) once it commits. Autovacuum would take
        them only later, and until then PostgreSQL plans from a table it believes small: right
        after a million lines were imported, a Budget query sorted them on disk where it would
        otherwise hash them (about twice as slow)."""
        if getattr(self._local, "conn", None) is None:
            raise StoreError("grown() needs a write cursor (store.write_cursor())")
        self._local.grown.update(tables)

    def _analyze(self, conn: psycopg.Connection, tables: set[str]) -> None:
        """ANALYZE `tables` and summarize their block range indexes after the commit, outside
        the writers' turn (both only guide reads: a failure here loses nothing written)."""
        for table in sorted(tables):
            try:
                conn.execute(f"ANALYZE {table}")
                if table in BRIN_INDEXES:
                    conn.execute("SELECT brin_summarize_new_values(%s)", [BRIN_INDEXES[table]])
            except psycopg.Error:
                break

    def _take_turn(self, conn: psycopg.Connection) -> None:
        try:
            conn.execute("SELECT revision FROM store_revision FOR UPDATE NOWAIT")
            return
        except pg_errors.LockNotAvailable:
            conn.execute("ROLLBACK")
            conn.execute("BEGIN")
            conn.execute(f"SET LOCAL lock_timeout = '{max(1, int(self.wait * 1000))}ms'")
        if self.on_wait is not None:
            self.on_wait("another writer")
        try:
            conn.execute("SELECT revision FROM store_revision FOR UPDATE")
        except pg_errors.LockNotAvailable:
            conn.execute("ROLLBACK")
            raise StoreBusy(self.path, "another writer", self.wait) from None

    def _end(self, conn: psycopg.Connection, *, commit: bool) -> None:
        """Commit the write transaction: each `transaction` inside it either completed or was
        rolled back to its savepoint, so what is left is whole (a failed statement outside any
        `transaction` leaves PostgreSQL's transaction failed, and the commit a rollback)."""
        self._local.conn = None
        failed = conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR
        try:
            conn.execute("ROLLBACK" if failed else "COMMIT")
        except psycopg.Error as exc:
            raise _translate_error(exc, self.path) from exc
        finally:
            self._seen = None  # this process's write shows on its next read

    @contextmanager
    def transaction(self, cur: PgCursor, *, bump: bool = True) -> Iterator[None]:
        """All of the block, or none of it (a savepoint in the write transaction); bumps the
        revision unless `bump=False` (bookkeeping no read depends on)."""
        if getattr(self._local, "conn", None) is None:
            raise StoreError("a transaction needs a write cursor (store.write_cursor())")
        self._local.depth += 1
        name = f"tandem_{self._local.depth}"
        try:
            cur.execute(f"SAVEPOINT {name}")
            yield
            if bump:
                cur.execute("UPDATE store_revision SET revision = revision + 1")
            cur.execute(f"RELEASE SAVEPOINT {name}")
        except BaseException:
            if self._local.conn is not None and self._local.conn.info.transaction_status in (
                    psycopg.pq.TransactionStatus.INERROR, psycopg.pq.TransactionStatus.INTRANS):
                self._local.conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
            raise
        finally:
            self._local.depth -= 1

    def write(self, work: Callable[[PgCursor], T], *, bump: bool = True,
              bulk: bool = False) -> T:
        """Run `work(cursor)` as one transaction. `bulk` (work that may add a million lines: a
        clone) has the plan lines' statistics taken again after the commit (see `grown`);
        committing by checkpoint is DuckDB's concern (see `planning.store.connection`)."""
        with self.write_cursor() as cur, self.transaction(cur, bump=bump):
            if bulk:
                self.grown("plan_lines")
            return work(cur)

    @contextmanager
    def bulk_transaction(self, cur: PgCursor) -> Iterator[None]:
        with self.transaction(cur):
            self.grown("plan_lines")
            yield

    @contextmanager
    def import_transaction(self, stage: Any) -> Iterator[PgCursor]:
        """The transaction an import writes in, on this store's write cursor (the staging
        cursor is a DuckDB database of its own: see `staging`)."""
        with self.write_cursor() as cur, self.transaction(cur):
            yield cur

    @contextmanager
    def staging(self, *, write: bool, mirror: list[tuple[str, str, list]]) -> Iterator[Any]:
        """An in-memory DuckDB cursor to stage and check a file in, holding copies of the stored
        rows the checks read (`mirror` lists (table, select, params)). With `write`, the
        writers' turn is taken first and held to the end, so the copies stay true until the
        import commits."""
        from planning.store.copy_in import staging  # DuckDB only when importing

        if write:
            with self.write_cursor() as out, staging(out, mirror) as cur:
                yield cur
        else:
            with self.cursor() as out, staging(out, mirror) as cur:
                yield cur

    def csv_text(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> str:
        """The rows of a query as CSV text with a header (an export)."""
        with self.cursor() as cur:
            cur.execute(f"CREATE OR REPLACE TEMP TABLE export_rows AS {sql}", params)
            chunks = []
            with cur.copy("COPY export_rows TO STDOUT (FORMAT csv, HEADER)") as copy:
                for chunk in copy:
                    chunks.append(bytes(chunk))
            cur.execute("DROP TABLE export_rows")
            return b"".join(chunks).decode("utf-8")

    # -- revision -------------------------------------------------------------------------------
    def revision(self) -> int:
        """A number every committed change of data increases, in this process or another."""
        with self.cursor() as cur:
            return cur.execute("SELECT revision FROM store_revision").fetchone()[0]

    def _cache_revision(self) -> int | None:
        """The revision read results are kept under; None (keep nothing) inside this thread's
        write transaction, whose reads may yet be rolled back. Read from the database at most
        every REVISION_FRESH seconds: a page's rerun asks dozens of kept questions in a burst,
        and one round trip each cost more than the answers (1.5 ms a read, measured on a loaded
        machine, against 0.2 ms on DuckDB); a write by another process shows within that time,
        one by this process at once."""
        if getattr(self._local, "conn", None) is not None:
            return None
        seen = self._seen
        if seen is not None and time.monotonic() - seen[1] < REVISION_FRESH:
            return seen[0]
        at = time.monotonic()
        revision = self.revision()
        self._seen = (revision, at)
        return revision

    def busy_with(self) -> str:
        return ""

    def close(self) -> None:
        self._closed = True
        self._pool.close()

    # -- schema ---------------------------------------------------------------------------------
    def _migrate(self) -> bool:
        """Apply the migrations not yet applied, all in one transaction under an advisory lock
        (two processes starting at once: the second waits, then finds nothing to do). True when
        this call created the schema."""
        try:
            with self._connection() as conn, conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])
                conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                             " name VARCHAR PRIMARY KEY,"
                             " applied_at TIMESTAMP DEFAULT current_timestamp)")
                done = {r[0] for r in conn.execute("SELECT name FROM schema_migrations")}
                for name, sql in MIGRATIONS_POSTGRES:
                    if name not in done:
                        conn.execute(sql)  # several statements: no parameters, one round trip
                        conn.execute("INSERT INTO schema_migrations (name) VALUES (%s)", [name])
                return not done
        except psycopg.Error as exc:
            raise _translate_error(exc, self.path) from exc

    # -- settings (as for DuckDB) ---------------------------------------------------------------
    setting = Store.setting
    set_setting = Store.set_setting
    currency = Store.currency
    fiscal_year_start_month = Store.fiscal_year_start_month
