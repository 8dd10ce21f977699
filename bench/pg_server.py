"""A PostgreSQL server for the benchmarks: new databases beside the URL's own, dropped after."""
from __future__ import annotations

import os
import secrets


def new_database(server: str, name: str) -> str:
    """A new, empty database `name` on the PostgreSQL server of URL `server`; its URL."""
    import psycopg

    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return f"{server.rpartition('/')[0]}/{name}"


def drop_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def share_audit_key() -> None:
    """A server store keys its audit from the environment: one key for this run, which the
    processes it starts inherit, unless one is set."""
    os.environ.setdefault("TANDEM_AUDIT_KEY", secrets.token_hex(32))
