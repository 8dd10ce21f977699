"""Shared fixtures for the domain tests: fresh stores and a way to compare a store before/after."""
from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from planning.demo import load_demo
from planning.store import Store, open_store
from planning.tandem import Tandem

# The server the domain tests run against with `--store=postgres` (.ci/postgres prints it).
PG_SERVER = "postgresql://tandem:tandem@127.0.0.1:5433/tandem"
# A fixed audit key for server stores (they have no key file): the same for every test database.
PG_AUDIT_KEY = "7e" * 32

# Tables that log what was done (and the revision every write bumps): a second, identical import
# or an export changes them and nothing else.
LOG_TABLES = frozenset({"imports", "audit_log", "store_revision"})

Snapshot = dict[str, list[tuple]]


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch):
    """scrypt at its real cost takes 0.4 s a hash; tests hash many demo accounts."""
    import planning.people

    monkeypatch.setattr(planning.people, "SCRYPT_N", 2**10)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--store", choices=("duckdb", "postgres"),
        default="postgres" if os.environ.get("TANDEM_TEST_PG") else "duckdb",
        help="the store the domain tests run against: an embedded DuckDB file (default), or a"
             " fresh database per test on the PostgreSQL server $TANDEM_TEST_PG (default"
             f" {PG_SERVER})")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "duckdb_only: about the embedded DuckDB file itself (taking"
                            " turns, kill -9, checkpoints); skipped with --store=postgres")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--store") != "postgres":
        return
    skip = pytest.mark.skip(reason="about the embedded DuckDB file")
    for item in items:
        if "duckdb_only" in item.keywords:
            item.add_marker(skip)


class PgDatabases:
    """Fresh PostgreSQL databases for tests: each kind of store (empty, demo) is migrated and
    filled once into a template database, and every test gets a copy (CREATE DATABASE ...
    TEMPLATE takes a fraction of a second; migrating and loading the demo take seconds)."""

    def __init__(self, server: str) -> None:
        import psycopg

        self.server = server
        self.admin = psycopg.connect(server, autocommit=True)
        self.prefix = f"t{os.getpid()}_"
        self.names = itertools.count(1)
        self.templates: dict[str, str] = {}

    def url(self, name: str) -> str:
        base, _, _ = self.server.rpartition("/")
        return f"{base}/{name}"

    def _create(self, name: str, template: str | None = None) -> None:
        self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.execute(f'CREATE DATABASE "{name}"'
                           + (f' TEMPLATE "{template}"' if template else ""))

    def fresh(self, kind: str) -> str:
        if kind not in self.templates:
            name = f"tandem_template_{kind}_{os.getpid()}"
            self._create(name)
            saved = os.environ.get("TANDEM_AUDIT_KEY")
            os.environ["TANDEM_AUDIT_KEY"] = PG_AUDIT_KEY
            store = open_store(self.url(name))
            try:
                if kind == "demo":
                    load_demo(Tandem(store))
            finally:
                store.close()
                if saved is None:
                    del os.environ["TANDEM_AUDIT_KEY"]
                else:
                    os.environ["TANDEM_AUDIT_KEY"] = saved
            self.templates[kind] = name
        name = f"{self.prefix}{next(self.names)}"
        self._create(name, self.templates[kind])
        return self.url(name)

    def drop(self, url: str) -> None:
        self.admin.execute(f'DROP DATABASE IF EXISTS "{url.rpartition("/")[2]}" WITH (FORCE)')

    def close(self) -> None:
        for name in self.templates.values():
            self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.close()


@pytest.fixture(scope="session")
def store_kind(request: pytest.FixtureRequest) -> str:
    return request.config.getoption("--store")


@pytest.fixture(scope="session")
def pg_databases(store_kind: str) -> PgDatabases | None:
    if store_kind != "postgres":
        yield None
        return
    databases = PgDatabases(os.environ.get("TANDEM_TEST_PG") or PG_SERVER)
    yield databases
    databases.close()


@pytest.fixture
def new_store(tmp_path: Path, pg_databases: PgDatabases | None, monkeypatch: pytest.MonkeyPatch
              ) -> Callable[..., Store]:
    """Make a fresh store of the kind under test: `new_store()` an empty one, `new_store("demo")`
    one holding the demo firm; options as for `Store`. Closed (and dropped) after the test."""
    made: list[tuple[Store, str | None]] = []
    names = itertools.count(1)
    if pg_databases is not None:
        monkeypatch.setenv("TANDEM_AUDIT_KEY", PG_AUDIT_KEY)

    def make(kind: str = "empty", **options) -> Store:
        if pg_databases is None:
            s = Store(tmp_path / f"{kind}-{next(names)}.duckdb", **options)
            if kind == "demo":
                load_demo(Tandem(s))
            made.append((s, None))
            return s
        url = pg_databases.fresh(kind)
        s = open_store(url, **options)
        made.append((s, url))
        return s

    yield make
    for s, url in made:
        s.close()
        if url is not None:
            pg_databases.drop(url)


@pytest.fixture
def store(new_store: Callable[..., Store]) -> Store:
    """A fresh, empty store of the kind under test (a DuckDB file of its own by default)."""
    return new_store()


@pytest.fixture
def tandem(store: Store) -> Tandem:
    return Tandem(store)


@pytest.fixture
def demo(new_store: Callable[..., Store]) -> Tandem:
    """A fresh store holding the demo firm, loaded through the importer."""
    return Tandem(new_store("demo"))


@pytest.fixture
def snapshot() -> Callable[..., Snapshot]:
    """Every row of every table of the store, in a stable order: equal snapshots, equal stores.

    `snapshot(store, logs=False)` leaves out the log tables, to compare the data alone.
    """

    def take(store: Store, *, logs: bool = True) -> Snapshot:
        tables = [r[0] for r in store.query(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = ? AND table_type = 'BASE TABLE' ORDER BY 1",
            [store.dialect.schema])]
        assert "plan_lines" in tables
        return {
            table: sorted(store.query(f'SELECT * FROM "{table}"'), key=repr)
            for table in tables
            if logs or table not in LOG_TABLES
        }

    return take


def sign_off_everything(store: Store, year: int, scenario: str) -> None:
    """Stand in for a finished review, so that a test may lock the scenario."""
    store.write(lambda cur: cur.execute(
        "UPDATE plan_lines SET status = 'signed_off' WHERE scenario_id ="
        " (SELECT id FROM scenarios WHERE fiscal_year = ? AND name = ?)", [year, scenario]))
