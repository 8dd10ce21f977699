"""People and their roles; local accounts with salted, slow password hashes (stdlib scrypt).

Roles: the sales head and the marketing head review each other's lines; an executive sees
everything and may reopen a locked plan with a reason; a planner uploads and edits draft lines
for one department or both; a viewer only looks.

An administrator disables, enables and removes people; a disabled or removed person cannot sign
in or act (`planning.audit.record` refuses any change in their name). A removed person is kept,
hidden, so that their name, which past audit entries and sign-offs carry, is never given to
someone else; their sign-offs stand (see `People.remove`).
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import json
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timezone

import duckdb

from planning import audit, throttle
from planning.errors import Refused
from planning.store import Store

ROLES = ("sales_head", "marketing_head", "executive", "planner", "viewer")
ADMIN_ROLE = "administrator"  # not a stored role: the server's own administrator
DEPARTMENTS = ("sales", "marketing", "both")
# scrypt at OWASP's recommended cost: 2**17 × 8 × 128 bytes = 128 MiB and ~0.4 s per check.
# Kept, not lowered: the memory is what makes each guess expensive on a GPU for whoever steals
# the store. What the server spends is bounded instead by hashing at most HASHING_AT_ONCE
# passwords at a time in a process (2 × 128 MiB), and by the sign-in throttle. The parameters
# are stored in each hash, so a later, higher cost still checks older hashes.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
SCRYPT_MAXMEM = 256 * 1024 * 1024
MIN_PASSWORD = 8
HASHING_AT_ONCE = 2
# Seconds a sign-in waits for a free hashing slot before it is told to retry: twenty people
# signing in at the same instant on a busy 2-core server are all let in (measured: the last
# waited about 30 s), rather than one of them being told to come back.
HASHING_WAIT = 90.0
_hashing = threading.BoundedSemaphore(HASHING_AT_ONCE)
DEMO_SETTING = "demo_accounts"  # names still holding the demo firm's published passwords


class SignInThrottled(Refused):
    """Too many failed sign-ins for this name or from this client, or too many password checks
    at once: try again in `retry_after` seconds. The password was not checked."""

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(message or f"too many failed sign-ins; try again in"
                                    f" {self.retry_after} s")


@dataclass(frozen=True)
class Person:
    name: str
    role: str
    department: str | None = None
    email: str | None = None

    @property
    def head_of(self) -> str | None:
        """The department this person heads, if any."""
        return {"sales_head": "sales", "marketing_head": "marketing"}.get(self.role)

    @property
    def owners(self) -> frozenset[str]:
        """The line owners whose draft lines this person may edit."""
        if self.head_of:
            return frozenset({self.head_of, "joint"})
        if self.role == ADMIN_ROLE:
            return frozenset({"sales", "marketing", "joint"})
        if self.role == "planner":
            if self.department == "both":
                return frozenset({"sales", "marketing", "joint"})
            return frozenset({self.department or "", "joint"})
        return frozenset()

    def describe(self) -> str:
        role = self.role.replace("_", " ")
        return f"{self.name} ({role}{f', {self.department}' if self.department else ''})"


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    """scrypt, at most HASHING_AT_ONCE at a time in this process: 20 people signing in together
    take 2 × 128 MiB and queue, not 20 × 128 MiB."""
    if not _hashing.acquire(timeout=HASHING_WAIT):
        raise SignInThrottled(5, "many people are signing in at once (too many passwords to"
                                 " check at once); try again in 5 s")
    try:
        return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                              maxmem=SCRYPT_MAXMEM)
    finally:
        _hashing.release()


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str | None) -> bool:
    if not stored:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        found = _scrypt(password, bytes.fromhex(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(found.hex(), digest)


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


PERSON = "SELECT name, role, department, email FROM people"
ACTIVE = " AND removed_at IS NULL"
# A name is typed by people ("sofia sales" for "Sofia Sales"): it is found whatever its case, and
# no two people have names that differ only in case (an exact match wins for stores older than
# that rule).
NAMED = " lower(name) = lower(?)"
EXACT_FIRST = " ORDER BY name = ? DESC LIMIT 1"


class People:
    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, name: str, role: str, password: str | None, *, department: str | None = None,
            email: str | None = None, actor: str = "admin") -> Person:
        name = name.strip()
        if not 1 <= len(name) <= 60:
            raise Refused("a name has 1 to 60 characters")
        if name == ADMIN_ROLE:
            raise Refused(f"{ADMIN_ROLE!r} names the server's administrator; choose another name")
        if role not in ROLES:
            raise Refused(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
        if (role == "planner") != (department is not None):
            raise Refused("a planner needs a department (sales, marketing or both); others none")
        if department is not None and department not in DEPARTMENTS:
            raise Refused(f"unknown department {department!r}; use one of"
                          f" {', '.join(DEPARTMENTS)}")
        _check_length(password)
        hashed = hash_password(password) if password is not None else None
        email = email.strip().lower() if email else None

        def work(cur: duckdb.DuckDBPyConnection) -> None:
            found = cur.execute(f"SELECT removed_at, name FROM people WHERE{NAMED}"
                                f"{EXACT_FIRST}", [name, name]).fetchone()
            if found and found[0] is not None:
                raise Refused(f"{found[1]!r} named a person who was removed; a name is never"
                              " given again (past entries carry it), so choose another")
            if found:
                raise Refused(f"there is already a person named {found[1]!r}")
            if email and cur.execute("SELECT 1 FROM people WHERE email = ?", [email]).fetchone():
                raise Refused(f"the e-mail {email} already belongs to someone")
            cur.execute("INSERT INTO people (name, role, department, email, password_hash)"
                        " VALUES (?, ?, ?, ?, ?)", [name, role, department, email, hashed])
            audit.record(cur, actor, "add person", f"person {name}",
                         after={"role": role, "department": department, "email": email})

        self.store.write(work)
        return Person(name, role, department, email)

    def list(self) -> list[Person]:
        """Everyone not removed (disabled people included, see `disabled`), by name."""
        return [Person(*r) for r in self.store.query(
            f"{PERSON} WHERE true{ACTIVE} ORDER BY name")]

    def disabled(self) -> set[str]:
        """Names of the people who are disabled (and not removed)."""
        return {r[0] for r in self.store.query(
            f"SELECT name FROM people WHERE disabled{ACTIVE}")}

    def get(self, name: str) -> Person:
        """The person of that name, whatever its case (as typed at sign-in or in `--as`)."""
        name = name.strip()
        row = self.store.query(f"{PERSON} WHERE{NAMED}{ACTIVE}{EXACT_FIRST}", [name, name])
        if not row:
            raise Refused(f"there is no person named {name!r}")
        return Person(*row[0])

    def active(self, name: str) -> Person | None:
        """The person, if they exist and may still act (not disabled, not removed): the app
        checks its signed-in person with this on every page, so a disable takes effect at once."""
        # Kept per store revision, which every change to people bumps: a disable still takes
        # effect on the next rerun.
        return self.store.reads.get(("active person", name), lambda: self._active(name))

    def _active(self, name: str) -> Person | None:
        row = self.store.query(f"{PERSON} WHERE{NAMED} AND NOT disabled{ACTIVE}{EXACT_FIRST}",
                               [name, name])
        return Person(*row[0]) if row else None

    def require_active(self, name: str) -> Person:
        """The person, or Refused naming why they cannot act."""
        person = self.get(name)
        if person.name in self.disabled():
            raise Refused(f"{person.name} is disabled and can no longer act; an administrator may"
                          " enable them again")
        return person

    def by_email(self, email: str) -> Person | None:
        """The active person with this e-mail (single sign-on); None for a disabled one."""
        row = self.store.query(f"{PERSON} WHERE email = ? AND NOT disabled{ACTIVE}",
                               [email.strip().lower()])
        return Person(*row[0]) if row else None

    # -- signing in ---------------------------------------------------------------------------
    def sign_in(self, name: str, password: str, *, client: str | None = None) -> Person | None:
        """The person, if the password is theirs and they may act; None otherwise (never says
        whether the name, the password or the account was the problem).

        `client` identifies where the attempt comes from (the app passes the visitor's address);
        failures are throttled per name, per client and per pair (`planning.throttle`). While
        held, this raises `SignInThrottled` (a `Refused`) with `retry_after` seconds, before any
        password is checked, so "try again in N s" is told apart from a wrong password.
        """
        name = name.strip()
        wait = throttle.retry_after(self.store, name.lower(), client)
        if wait > 0:
            raise SignInThrottled(wait)
        row = self.store.query("SELECT password_hash, disabled, removed_at, name FROM people"
                               f" WHERE{NAMED}{EXACT_FIRST}", [name, name])
        stored = row[0][0] if row else None
        if not check_password(password, stored or _decoy()) or not stored:
            throttle.failed(self.store, name.lower(), client)
            return None
        if row[0][1] or row[0][2] is not None:
            return None  # the right password of an account that may no longer sign in
        throttle.succeeded(self.store, name.lower(), client)
        return self.get(row[0][3])

    # -- passwords ----------------------------------------------------------------------------
    def set_password(self, name: str, password: str, *, actor: str = ADMIN_ROLE) -> None:
        """An administrator sets a person's password (audited; the password is not kept)."""
        self._store_password(self.get(name).name, password, actor, "set password")

    def change_password(self, name: str, old: str, new: str, *,
                        client: str | None = None) -> None:
        """A person changes their own password, proving it with the current one (throttled as a
        sign-in: `SignInThrottled` while held; Refused when `old` is not right)."""
        person = self.sign_in(name, old, client=client)
        if person is None:
            raise Refused("the current password is not right")
        if new == old:
            raise Refused("the new password is the current one; choose another")
        self._store_password(person.name, new, person.name, "change password")

    def _store_password(self, name: str, password: str, actor: str, action: str) -> None:
        _check_length(password)
        hashed = hash_password(password)

        def work(cur: duckdb.DuckDBPyConnection) -> None:
            cur.execute("UPDATE people SET password_hash = ? WHERE name = ?", [hashed, name])
            _forget_demo(cur, name)
            audit.record(cur, actor, action, f"person {name}")

        self.store.write(work)

    # -- disable, enable, remove ----------------------------------------------------------------
    def disable(self, name: str, *, actor: str = ADMIN_ROLE) -> None:
        """The person can no longer sign in or act; their data and history stay."""
        self._set_disabled(name, True, actor)

    def enable(self, name: str, *, actor: str = ADMIN_ROLE) -> None:
        self._set_disabled(name, False, actor)

    def _set_disabled(self, name: str, disabled: bool, actor: str) -> None:
        name = self.get(name).name
        if (name in self.disabled()) == disabled:
            raise Refused(f"{name} is already {'disabled' if disabled else 'enabled'}")

        def work(cur: duckdb.DuckDBPyConnection) -> None:
            cur.execute("UPDATE people SET disabled = ? WHERE name = ?", [disabled, name])
            audit.record(cur, actor, "disable person" if disabled else "enable person",
                         f"person {name}", before={"disabled": not disabled},
                         after={"disabled": disabled})

        self.store.write(work)

    def remove(self, name: str, *, actor: str = ADMIN_ROLE) -> None:
        """Remove a person: they vanish from lists, cannot sign in or act, their password,
        e-mail and tokens are dropped, and their name is never given again.

        Their past audit entries stay as written, and so do their sign-offs: a sign-off was a
        decision a head was entitled to take when they took it, and removing someone who left
        must not quietly reopen a reviewed plan. A line they signed off that changes afterwards
        is a new version and needs a new sign-off anyway; to review their decisions again, the
        other head returns the lines.
        """
        person = self.get(name)

        def work(cur: duckdb.DuckDBPyConnection) -> None:
            cur.execute("UPDATE people SET removed_at = ?, disabled = true, password_hash = NULL,"
                        " email = NULL WHERE name = ?", [_now(), person.name])
            cur.execute("UPDATE access_tokens SET revoked_at = ? WHERE person = ?"
                        " AND revoked_at IS NULL", [_now(), person.name])
            _forget_demo(cur, person.name)
            audit.record(cur, actor, "remove person", f"person {person.name}",
                         before={"role": person.role, "department": person.department,
                                 "email": person.email})

        self.store.write(work)

    # -- the demo firm's accounts ---------------------------------------------------------------
    def mark_demo(self, names: list[str]) -> None:
        """Note that these people hold the demo firm's published passwords (`load_demo`)."""
        if not names:
            return

        def work(cur: duckdb.DuckDBPyConnection) -> None:
            known = set(_demo_names(cur))
            _set_demo(cur, sorted(known | set(names)))

        self.store.write(work)

    def demo_accounts(self) -> list[str]:
        """People who can still sign in with a password the README publishes: while there are
        any, anyone who reads the README can sign in to this store. A person leaves the list
        when their password changes or they are removed or disabled. Every page asks: kept per
        store revision, which those changes bump."""
        return list(self.store.reads.get(("demo accounts",), self._demo_accounts))

    def _demo_accounts(self) -> tuple[str, ...]:
        names = self.store.scalar("SELECT value FROM settings WHERE key = ?", [DEMO_SETTING])
        if not names:
            return ()
        live = {r[0] for r in self.store.query(
            f"SELECT name FROM people WHERE NOT disabled AND password_hash IS NOT NULL{ACTIVE}")}
        return tuple(n for n in json.loads(names) if n in live)


def _check_length(password: str | None) -> None:
    if password is not None and len(password) < MIN_PASSWORD:
        raise Refused(f"a password has at least {MIN_PASSWORD} characters")


def _demo_names(cur: duckdb.DuckDBPyConnection) -> list[str]:
    row = cur.execute("SELECT value FROM settings WHERE key = ?", [DEMO_SETTING]).fetchone()
    return json.loads(row[0]) if row else []


def _set_demo(cur: duckdb.DuckDBPyConnection, names: list[str]) -> None:
    value = json.dumps(names)
    cur.execute("INSERT INTO settings VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = ?",
                [DEMO_SETTING, value, value])


def _forget_demo(cur: duckdb.DuckDBPyConnection, name: str) -> None:
    names = _demo_names(cur)
    if name in names:
        _set_demo(cur, [n for n in names if n != name])


@functools.cache
def _decoy() -> str:
    """Checked when the name is unknown, so a wrong name takes as long as a wrong password."""
    return hash_password(secrets.token_urlsafe(16))
