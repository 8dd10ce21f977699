"""Personal access tokens: how a person proves who they are to the `tandem` command in scripts.

A token is 32 random bytes (URL-safe text after the `tandem_` prefix), shown once when made and
kept only as its SHA-256: a token has as much entropy as the hash's input space, so a fast hash
is enough (unlike a password, it cannot be guessed from a list), and a stolen store yields no
usable token. Making one needs the person's password; an administrator may revoke any.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone

import duckdb

from planning import audit
from planning.errors import Refused
from planning.people import ADMIN_ROLE, People, Person
from planning.store import Store

PREFIX = "tandem_"


def digest(token: str) -> str:
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


@dataclass(frozen=True)
class TokenInfo:
    id: int
    person: str
    created_at: datetime
    revoked_at: datetime | None


class Tokens:
    def __init__(self, store: Store) -> None:
        self.store = store

    def create(self, name: str, password: str, *, client: str | None = None) -> tuple[int, str]:
        """A new token for `name`, who proves it with their password (throttled as a sign-in).
        Returns (its number, the token): the token is not kept and cannot be shown again."""
        person = People(self.store).sign_in(name, password, client=client)
        if person is None:
            raise Refused(f"that is not the password of {name.strip()!r}, or they may not act")
        token = PREFIX + secrets.token_urlsafe(32)

        def work(cur: duckdb.DuckDBPyConnection) -> int:
            number = cur.execute("INSERT INTO access_tokens (person, token_hash, created_at)"
                                 " VALUES (?, ?, ?) RETURNING id",
                                 [person.name, digest(token), _now()]).fetchone()[0]
            audit.record(cur, person.name, "create token", f"person {person.name}",
                         after={"token": number})
            return number

        return self.store.write(work), token

    def person(self, token: str) -> Person | None:
        """Whose token this is, if it is live and its person may still act; None otherwise."""
        row = self.store.query("SELECT person FROM access_tokens WHERE token_hash = ?"
                               " AND revoked_at IS NULL", [digest(token)])
        return People(self.store).active(row[0][0]) if row else None

    def list(self, name: str) -> list[TokenInfo]:
        return [TokenInfo(*r) for r in self.store.query(
            "SELECT id, person, created_at, revoked_at FROM access_tokens WHERE person = ?"
            " ORDER BY id", [name])]

    def revoke(self, name: str, number: int | None = None, *, actor: str = ADMIN_ROLE) -> int:
        """Revoke token `number` of `name`, or all their live tokens; returns how many."""
        name = People(self.store).get(name).name
        live = [t.id for t in self.list(name) if t.revoked_at is None
                and (number is None or t.id == number)]
        if not live:
            raise Refused(f"{name} has no live token{f' {number}' if number else ''}")

        def work(cur: duckdb.DuckDBPyConnection) -> None:
            cur.execute(f"UPDATE access_tokens SET revoked_at = ? WHERE id IN"
                        f" ({', '.join('?' for _ in live)})", [_now(), *live])
            audit.record(cur, actor, "revoke token", f"person {name}", after={"tokens": live})

        self.store.write(work)
        return len(live)
