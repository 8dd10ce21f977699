"""The PostgreSQL store's own parts that need no server: the SQL it sends for the domain's SQL,
the address that picks it, and what a command says when the server does not answer."""
from __future__ import annotations

from decimal import Decimal

import pytest

from planning.cli import main
from planning.store import Store, is_server, open_store
from planning.store.postgres import bind, redacted, translate


def test_question_marks_become_psycopg_placeholders_outside_literals_and_names():
    text, values, before = bind(
        "SELECT '?', \"a?\", x FROM t WHERE a = ? AND b LIKE '50%' -- why?\n AND c = ?",
        [1, Decimal("2.50")])
    assert text == ("SELECT '?', \"a?\", x FROM t WHERE a = %s AND b LIKE '50%%' -- why?\n"
                    " AND c = %s")
    assert values == [1, Decimal("2.50")]
    assert before is None


def test_numbered_parameters_may_repeat_and_a_null_is_written_as_null():
    text, values, _ = bind("SELECT $1, $2, $1 WHERE $2 IS NULL", [5, None])
    assert text == "SELECT %s, NULL, %s WHERE NULL IS NULL"
    assert values == [5, 5]
    text, values, _ = bind("SELECT ? IS NULL OR x = ?", [None, None])
    assert (text, values) == ("SELECT NULL IS NULL OR x = NULL", [])


def test_sql_without_parameters_is_sent_as_written():
    assert bind("SELECT strftime(d, '%Y-%m') FROM t", []) == (
        "SELECT strftime(d, '%Y-%m') FROM t", None, None)


def test_a_replaced_temporary_table_is_dropped_first():
    parts, takes, before = translate("CREATE OR REPLACE TEMP TABLE alloc_out AS SELECT ? AS x")
    assert before == "DROP TABLE IF EXISTS alloc_out"
    assert parts == ("CREATE TEMP TABLE alloc_out AS SELECT ", " AS x")
    assert takes == (0,)


def test_the_address_picks_the_store():
    assert is_server("postgresql://u@h/db") and is_server("postgres://u@h/db")
    assert not is_server("tandem.duckdb") and not is_server(":memory:")
    store = open_store(":memory:")
    assert isinstance(store, Store) and store.dialect.name == "duckdb"
    store.close()


def test_messages_never_show_the_password():
    assert redacted("postgresql://ann:s3cret@db.example:5432/tandem") == (
        "postgresql://ann:***@db.example:5432/tandem")
    assert redacted("postgresql://db.example/tandem") == "postgresql://db.example/tandem"


def test_a_server_that_does_not_answer_exits_3_and_names_it(capsys, monkeypatch):
    monkeypatch.setenv("TANDEM_WAIT", "1")
    code = main(["kpis", "--year", "2026", "--db", "postgresql://ann:pw@127.0.0.1:1/nothing"])
    err = capsys.readouterr().err
    assert code == 3
    assert "postgresql://ann:***@127.0.0.1:1/nothing could not be reached" in err
    assert "pw@" not in err


@pytest.mark.parametrize("address", ["postgresql://ann@127.0.0.1:1/x"])
def test_init_on_an_unreachable_server_exits_3(address, capsys, monkeypatch):
    monkeypatch.setenv("TANDEM_WAIT", "1")
    assert main(["init", "--demo", "--db", address]) == 3
    assert "could not be reached" in capsys.readouterr().err


# -- on a server (`--store=postgres`): what the store does for PostgreSQL's planner -------------

def plan_csv(lines: int) -> bytes:
    """`lines` valid plan lines with distinct keys, all in fiscal year 2026."""
    rows = ["fiscal_year,owner,category,funnel_stage,channel,region,month,amount,description"]
    rows += [f"2026,sales,Events,awareness,Channel {i // 12},EMEA,2026-{i % 12 + 1:02d},"
             f"{i}.50," for i in range(lines)]
    return ("\n".join(rows) + "\n").encode()


@pytest.fixture
def pg_store(store):
    if store.dialect.name != "postgres":
        pytest.skip("about the PostgreSQL store (run with --store=postgres)")
    return store


def _planned_rows(store) -> float:
    """What the planner believes plan_lines holds (-1 before any ANALYZE)."""
    return store.scalar("SELECT reltuples FROM pg_class WHERE relname = 'plan_lines'")


def test_the_plan_lines_have_a_block_range_index_on_their_scenario(pg_store):
    found = pg_store.query("SELECT indexdef FROM pg_indexes WHERE tablename = 'plan_lines'")
    assert [r[0] for r in found] == [
        "CREATE INDEX plan_lines_scenario ON public.plan_lines USING brin (scenario_id)"
        " WITH (pages_per_range='32')"]
    assert pg_store.scalar("SELECT count(*) FROM schema_migrations"
                           " WHERE name = 'pg_0001_plan_lines_by_scenario'") == 1


def test_a_large_import_and_a_clone_leave_the_planner_statistics_of_what_they_wrote(pg_store):
    from planning.imports import import_csv
    from planning.scenarios import Scenarios

    report = import_csv(pg_store, "plan", plan_csv(1_200), file_name="plan.csv")
    assert report.ok and report.added == 1_200
    assert _planned_rows(pg_store) == 1_200
    Scenarios(pg_store).clone(2026, "baseline", "stretch", "system")
    assert _planned_rows(pg_store) == 2_400
    # and the block ranges they filled are summarized: nothing is left for a query to read
    # whatever its scenario
    assert pg_store.scalar("SELECT brin_summarize_new_values('plan_lines_scenario')") == 0


def test_a_small_import_leaves_the_statistics_to_autovacuum(pg_store):
    from planning.imports import import_csv

    assert import_csv(pg_store, "plan", plan_csv(20), file_name="plan.csv").added == 20
    assert _planned_rows(pg_store) < 20
