"""Signed-in sessions that outlive a page reload: a random token per sign-in, kept hashed.

The browser keeps the token (a cookie); the store keeps only its SHA-256, whose person it is
and when it was last used. A session ends when its person signs out (the token is deleted, so
every tab holding it is signed out on its next rerun), after a spell of inactivity (default 12
hours, `TANDEM_SESSION_HOURS`), or when the person is disabled or removed. Sessions live in
the store, so every app process serving the store knows them.
"""
from __future__ import annotations

import hashlib
import os
import secrets
from datetime import datetime, timedelta, timezone

from planning.people import People, Person
from planning.store import Store

DEFAULT_IDLE_HOURS = 12.0
TOUCH_EVERY = timedelta(minutes=5)  # last_seen is written at most this often per session


def idle_limit() -> timedelta:
    """How long a session lasts without use: $TANDEM_SESSION_HOURS, else 12 hours."""
    try:
        hours = float(os.environ.get("TANDEM_SESSION_HOURS", DEFAULT_IDLE_HOURS))
    except ValueError:
        hours = DEFAULT_IDLE_HOURS
    return timedelta(hours=max(hours, 0.0))


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Sessions:
    def __init__(self, store: Store) -> None:
        self.store = store

    def start(self, person: Person) -> str:
        """A new session for a person who has just proved who they are; returns its token."""
        token = secrets.token_urlsafe(32)  # 256 random bits
        now = _now()
        self.store.write(lambda cur: cur.execute(
            "INSERT INTO sign_in_sessions VALUES (?, ?, ?, ?)",
            [_digest(token), person.name, now, now]), bump=False)
        return token

    def resume(self, token: str | None) -> Person | None:
        """The person of a live session, or None (unknown, ended, idle too long, disabled)."""
        if not isinstance(token, str) or not token or len(token) > 200:
            return None
        digest = _digest(token)
        row = self.store.query(
            "SELECT person, last_seen FROM sign_in_sessions WHERE token_hash = ?", [digest])
        if not row:
            return None
        name, last_seen = row[0]
        now = _now()
        if now - last_seen > idle_limit():
            self.end(token)
            return None
        person = People(self.store).active(name)
        if person is None:  # disabled or removed since
            self.end(token)
            return None
        if now - last_seen > TOUCH_EVERY:
            self.store.write(lambda cur: cur.execute(
                "UPDATE sign_in_sessions SET last_seen = ? WHERE token_hash = ?",
                [now, digest]), bump=False)
        return person

    def end(self, token: str | None) -> None:
        """Sign out: the token no longer opens anything, in any tab or process."""
        if token:
            self.store.write(lambda cur: cur.execute(
                "DELETE FROM sign_in_sessions WHERE token_hash = ?", [_digest(token)]),
                bump=False)

    def end_all(self, name: str) -> int:
        """End every session of a person (a changed password, a disabled account)."""
        def work(cur) -> int:
            count = cur.execute("SELECT count(*) FROM sign_in_sessions WHERE person = ?",
                                [name]).fetchone()[0]
            cur.execute("DELETE FROM sign_in_sessions WHERE person = ?", [name])
            return count

        return self.store.write(work, bump=False)
