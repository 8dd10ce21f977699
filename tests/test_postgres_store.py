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
