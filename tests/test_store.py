"""The DuckDB store: migrations, transactions, schema constraints, settings, threads."""
from __future__ import annotations

import threading
from decimal import Decimal

import duckdb
import pytest

from planning.errors import Refused, StoreError, TandemError
from planning.store import Store
from planning.store.migrations import MIGRATIONS
from planning.tandem import Tandem

INSERT_LINE = (
    "INSERT INTO plan_lines (id, scenario_id, owner, category, funnel_stage, channel, region,"
    " month, amount) VALUES (?, 1, 'sales', 'Events', 'awareness', 'Field', 'EMEA', ?, ?)"
)


def test_migrations_are_recorded(tmp_path):
    store = Store(tmp_path / "t.duckdb")
    names = [r[0] for r in store.query("SELECT name FROM schema_migrations ORDER BY name")]
    assert names == [name for name, _sql in MIGRATIONS]
    assert names[0] == "0001_foundation"
    assert store.scalar("SELECT count(*) FROM schema_migrations WHERE applied_at IS NULL") == 0
    tables = {r[0] for r in store.query("SELECT table_name FROM information_schema.tables")}
    assert {"settings", "fiscal_years", "scenarios", "plan_lines", "actuals", "outcomes",
            "targets", "imports", "schema_migrations"} <= tables
    store.close()


def test_reopening_a_store_does_not_rerun_its_migrations(tmp_path):
    path = tmp_path / "t.duckdb"
    store = Store(path)
    first = store.query("SELECT name, applied_at FROM schema_migrations")
    store.set_setting("currency", "EUR")
    store.write(lambda cur: cur.execute(INSERT_LINE, [1, "2026-01-01", Decimal("5.00")]))
    store.close()

    again = Store(path)
    assert again.query("SELECT name, applied_at FROM schema_migrations") == first
    # Re-running 0001 would have failed (CREATE TABLE) or reset the settings it inserts.
    assert again.currency == "EUR"
    assert again.query("SELECT id, amount FROM plan_lines") == [(1, Decimal("5.00"))]
    again.close()


def test_write_commits_what_the_work_did(store):
    result = store.write(lambda cur: cur.execute(
        INSERT_LINE, [7, "2026-02-01", Decimal("12.50")]).fetchall())
    assert result == [(1,)]
    assert store.query("SELECT id, amount FROM plan_lines") == [(7, Decimal("12.50"))]


def test_write_rolls_back_when_the_work_raises(store):
    def work(cur: duckdb.DuckDBPyConnection) -> None:
        cur.execute(INSERT_LINE, [1, "2026-01-01", Decimal("1.00")])
        cur.execute("UPDATE settings SET value = 'EUR' WHERE key = 'currency'")
        raise RuntimeError("changed my mind")

    with pytest.raises(RuntimeError, match="changed my mind"):
        store.write(work)
    assert store.scalar("SELECT count(*) FROM plan_lines") == 0
    assert store.currency == "USD"
    # The store still works after a rollback.
    store.write(lambda cur: cur.execute(INSERT_LINE, [2, "2026-01-01", Decimal("2.00")]))
    assert store.scalar("SELECT sum(amount) FROM plan_lines") == Decimal("2.00")


def test_a_database_error_inside_write_is_translated_and_rolled_back(store):
    def work(cur: duckdb.DuckDBPyConnection) -> None:
        cur.execute(INSERT_LINE, [1, "2026-01-01", Decimal("1.00")])
        cur.execute(INSERT_LINE, [2, "2026-02-01", Decimal("-2.00")])  # breaks a CHECK

    with pytest.raises(StoreError, match="could not do that"):
        store.write(work)
    assert store.scalar("SELECT count(*) FROM plan_lines") == 0


@pytest.mark.parametrize(("sql", "params", "expression"), [
    (INSERT_LINE, [1, "2026-01-01", Decimal("-0.01")], "amount >= 0"),
    (INSERT_LINE, [1, "2026-01-15", Decimal("1.00")], "day"),
    (INSERT_LINE.replace("'sales'", "'finance'"), [1, "2026-01-01", Decimal("1.00")], "owner"),
    ("INSERT INTO outcomes (id, month, region, channel, sourced_by, leads, mqls, sqls,"
     " opportunities, wins, pipeline, revenue, renewals_due, renewals_won)"
     " VALUES (1, DATE '2026-01-01', 'EMEA', 'Web', 'sales', 1, 1, 1, 1, 1, 0, 0, 1, 2)",
     [], "renewals_won <= renewals_due"),
    ("INSERT INTO outcomes (id, month, region, channel, sourced_by, leads, mqls, sqls,"
     " opportunities, wins, pipeline, revenue)"
     " VALUES (1, DATE '2026-01-01', 'EMEA', 'Web', 'sales', -1, 1, 1, 1, 1, 0, 0)",
     [], "leads >= 0"),
    ("INSERT INTO fiscal_years (fiscal_year, pool) VALUES (2026, -5)", [], "pool >= 0"),
])
def test_schema_checks_back_up_the_python_checks(store, sql, params, expression):
    with pytest.raises(StoreError, match="CHECK constraint failed") as caught:
        store.write(lambda cur: cur.execute(sql, params))
    assert expression in str(caught.value)
    for table in ("plan_lines", "outcomes", "fiscal_years"):
        assert store.scalar(f"SELECT count(*) FROM {table}") == 0


def test_a_negative_plan_amount_is_refused_by_raw_sql_on_the_connection(tmp_path):
    path = tmp_path / "raw.duckdb"
    Store(path).close()
    conn = duckdb.connect(str(path))
    with pytest.raises(duckdb.ConstraintException, match="CHECK"):
        conn.execute(INSERT_LINE, [1, "2026-01-01", Decimal("-100.00")])
    assert conn.execute("SELECT count(*) FROM plan_lines").fetchone() == (0,)
    conn.close()


def test_outcomes_and_targets_keep_their_natural_key_unique(store):
    store.write(lambda cur: cur.execute(
        "INSERT INTO targets VALUES (1, 2026, 'revenue', '2026', 1)"))
    with pytest.raises(StoreError, match="(?i)duplicate key|constraint"):
        store.write(lambda cur: cur.execute(
            "INSERT INTO targets VALUES (2, 2026, 'revenue', '2026', 2)"))


def test_money_columns_are_decimal_18_2(store):
    types = {name: (kind.upper().split("(")[0], precision, scale) for name, kind, precision, scale
             in store.query(
        "SELECT table_name || '.' || column_name, data_type, numeric_precision, numeric_scale"
        " FROM information_schema.columns WHERE table_schema = ?"
        " AND column_name IN ('amount', 'pipeline', 'revenue', 'pool', 'control_total')",
        [store.dialect.schema])}
    # DuckDB says DECIMAL, PostgreSQL NUMERIC: the same exact type.
    assert set(types.values()) in ({("DECIMAL", 18, 2)}, {("NUMERIC", 18, 2)})
    assert types["plan_lines.amount"][1:] == (18, 2)


def test_default_settings(store):
    assert store.currency == "USD"
    assert store.fiscal_year_start_month == 1
    assert isinstance(store.fiscal_year_start_month, int)
    assert store.setting("firm_name") == "Tandem"


def test_settings_are_changed_and_kept(tmp_path):
    path = tmp_path / "t.duckdb"
    store = Store(path)
    store.set_setting("currency", "GBP")
    store.set_setting("fiscal_year_start_month", "4")
    store.set_setting("currency", "EUR")  # an upsert, not a second row
    assert store.currency == "EUR"
    assert store.fiscal_year_start_month == 4
    assert store.scalar("SELECT count(*) FROM settings WHERE key = 'currency'") == 1
    store.close()
    again = Store(path)
    assert (again.currency, again.fiscal_year_start_month) == ("EUR", 4)
    again.close()


def test_an_unknown_setting_is_an_error(store):
    with pytest.raises(TandemError, match="unknown setting 'colour'"):
        store.setting("colour")


def test_configure_checks_its_settings(tandem):
    tandem.configure(currency="eur", fiscal_year_start_month=7, firm_name="  Acme  ")
    assert (tandem.currency, tandem.store.fiscal_year_start_month, tandem.firm_name) == (
        "EUR", 7, "Acme")
    with pytest.raises(Refused, match="not a currency code"):
        tandem.configure(currency="EURO")
    with pytest.raises(Refused, match="from 1 to 12"):
        tandem.configure(fiscal_year_start_month=13)
    assert tandem.currency == "EUR"


def test_the_first_month_of_the_year_cannot_change_once_lines_exist(tandem):
    report = tandem.import_csv("plan", b"fiscal_year,owner,category,funnel_stage,channel,region,"
                                       b"month,amount\n2026,sales,E,awareness,F,R,2026-01,1\n")
    assert report.ok
    with pytest.raises(Refused, match="cannot change once lines exist"):
        tandem.configure(fiscal_year_start_month=4)
    assert tandem.store.fiscal_year_start_month == 1


def test_an_in_memory_store_is_migrated_too():
    store = Store()
    assert store.path == ":memory:"
    assert store.currency == "USD"
    assert store.scalar("SELECT count(*) FROM schema_migrations") == len(MIGRATIONS)


def test_a_store_that_cannot_be_opened_raises_a_store_error(tmp_path):
    with pytest.raises(StoreError, match="could not be opened"):
        Store(tmp_path / "no such dir" / "t.duckdb")


def test_concurrent_writes_from_threads_all_land(store):
    store.write(lambda cur: cur.execute("CREATE TABLE hits (thread INTEGER, n INTEGER)"))
    threads, per_thread = 8, 25
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def worker(t: int) -> None:
        try:
            start.wait()
            for n in range(per_thread):
                store.write(lambda cur, n=n: cur.execute("INSERT INTO hits VALUES (?, ?)", [t, n]))
                store.query("SELECT count(*) FROM hits")  # reads interleave with writes
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    pool = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    for th in pool:
        th.start()
    for th in pool:
        th.join()
    assert errors == []
    assert store.scalar("SELECT count(*) FROM hits") == threads * per_thread
    assert store.query("SELECT thread, count(DISTINCT n) FROM hits GROUP BY 1 ORDER BY 1") == [
        (t, per_thread) for t in range(threads)]


def test_concurrent_imports_from_threads_all_land(store):
    header = b"fiscal_year,owner,category,funnel_stage,channel,region,month,amount\n"
    errors: list[BaseException] = []
    reports = []

    def worker(m: int) -> None:
        try:
            data = header + f"2026,sales,Events,awareness,Field,EMEA,2026-{m:02d},{m}.00\n".encode()
            reports.append(Tandem(store).import_csv("plan", data))
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    pool = [threading.Thread(target=worker, args=(m,)) for m in range(1, 13)]
    for th in pool:
        th.start()
    for th in pool:
        th.join()
    assert errors == []
    assert all(r.ok and r.added == 1 for r in reports) and len(reports) == 12
    assert store.scalar("SELECT count(*) FROM plan_lines") == 12
    assert store.scalar("SELECT sum(amount) FROM plan_lines") == Decimal("78.00")
    assert store.scalar("SELECT count(*) FROM scenarios") == 1
    assert store.scalar("SELECT count(DISTINCT id) FROM plan_lines") == 12


def test_a_new_store_appears_whole_or_not_at_all(tmp_path):
    path = tmp_path / "new.duckdb"
    (tmp_path / "new.duckdb.new").write_bytes(b"DUCK" * 10)  # a creation killed mid-header

    def build(store: Store) -> None:
        store.write(lambda cur: cur.execute("INSERT INTO settings VALUES ('firm_name', 'X')"
                                            " ON CONFLICT (key) DO UPDATE SET value = 'X'"))
        raise RuntimeError("killed while loading")

    with pytest.raises(RuntimeError):
        Store(path, build=build)
    assert not path.exists()  # nobody will ever open a half-built store

    store = Store(path, build=lambda s: s.set_setting("firm_name", "Whole"))
    assert store.setting("firm_name") == "Whole"
    assert not (tmp_path / "new.duckdb.new").exists()
    store.close()


def test_a_bulk_write_commits_by_checkpoint_even_while_other_threads_read(tmp_path):
    """A checkpoint cannot be torn by a crash; DuckDB takes that path only while no other
    transaction is open, so the commit waits for this process's readers."""
    path = tmp_path / "bulk.duckdb"
    store = Store(path)
    store.write(lambda cur: cur.execute("CREATE TABLE t (n INTEGER)"))
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            store.query("SELECT count(*) FROM t")

    readers = [threading.Thread(target=read) for _ in range(3)]
    for reader in readers:
        reader.start()
    try:
        store.write(lambda cur: cur.execute("INSERT INTO t SELECT range FROM range(200000)"),
                    bulk=True)
        wal = path.with_name(path.name + ".wal")
        assert not wal.exists() or wal.stat().st_size == 0
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert store.scalar("SELECT count(*) FROM t") == 200000
    store.close()


def test_a_bulk_write_inside_the_same_threads_open_cursor_does_not_wait_for_itself(tmp_path):
    import time

    store = Store(tmp_path / "nested.duckdb")
    store.write(lambda cur: cur.execute("CREATE TABLE t (n INTEGER)"))
    start = time.monotonic()
    with store.write_cursor():  # as `tandem init --demo` holds the store while it loads
        store.write(lambda cur: cur.execute("INSERT INTO t VALUES (1)"), bulk=True)
    assert time.monotonic() - start < 5
    assert store.scalar("SELECT count(*) FROM t") == 1
    store.close()
