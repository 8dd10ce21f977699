"""People and their roles; local accounts with salted, slow password hashes (stdlib scrypt).

Roles: the sales head and the marketing head review each other's lines; an executive sees
everything and may reopen a locked plan with a reason; a planner uploads and edits draft lines
for one department or both; a viewer only looks.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass

import duckdb

from planning import audit
from planning.errors import Refused
from planning.store import Store

ROLES = ("sales_head", "marketing_head", "executive", "planner", "viewer")
ADMIN_ROLE = "administrator"  # not a stored role: the server's own administrator
DEPARTMENTS = ("sales", "marketing", "both")
# scrypt at OWASP's minimum cost: 2**17 × 8 × 128 bytes = 128 MiB and ~0.4 s per check. The
# parameters are stored in each hash, so a later, higher cost still checks older hashes.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
SCRYPT_MAXMEM = 256 * 1024 * 1024
MIN_PASSWORD = 8


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


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R,
                            p=SCRYPT_P, maxmem=SCRYPT_MAXMEM)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str | None) -> bool:
    if not stored:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        found = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n),
                               r=int(r), p=int(p), maxmem=SCRYPT_MAXMEM)
    except ValueError:
        return False
    return hmac.compare_digest(found.hex(), digest)


class People:
    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, name: str, role: str, password: str | None, *, department: str | None = None,
            email: str | None = None, actor: str = "admin") -> Person:
        name = name.strip()
        if not 1 <= len(name) <= 60:
            raise Refused("a name has 1 to 60 characters")
        if role not in ROLES:
            raise Refused(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
        if (role == "planner") != (department is not None):
            raise Refused("a planner needs a department (sales, marketing or both); others none")
        if department is not None and department not in DEPARTMENTS:
            raise Refused(f"unknown department {department!r}; use one of"
                          f" {', '.join(DEPARTMENTS)}")
        if password is not None and len(password) < MIN_PASSWORD:
            raise Refused(f"a password has at least {MIN_PASSWORD} characters")
        hashed = hash_password(password) if password is not None else None
        email = email.strip().lower() if email else None

        def work(cur: duckdb.DuckDBPyConnection) -> None:
            if cur.execute("SELECT 1 FROM people WHERE name = ?", [name]).fetchone():
                raise Refused(f"there is already a person named {name!r}")
            if email and cur.execute("SELECT 1 FROM people WHERE email = ?", [email]).fetchone():
                raise Refused(f"the e-mail {email} already belongs to someone")
            cur.execute("INSERT INTO people (name, role, department, email, password_hash)"
                        " VALUES (?, ?, ?, ?, ?)", [name, role, department, email, hashed])
            audit.record(cur, actor, "add person", f"person {name}",
                         after={"role": role, "department": department, "email": email})

        self.store.write(work)
        return Person(name, role, department, email)

    def list(self) -> list[Person]:
        return [Person(*r) for r in self.store.query(
            "SELECT name, role, department, email FROM people ORDER BY name")]

    def get(self, name: str) -> Person:
        row = self.store.query("SELECT name, role, department, email FROM people WHERE name = ?",
                               [name])
        if not row:
            raise Refused(f"there is no person named {name!r}")
        return Person(*row[0])

    def by_email(self, email: str) -> Person | None:
        row = self.store.query("SELECT name, role, department, email FROM people"
                               " WHERE email = ?", [email.strip().lower()])
        return Person(*row[0]) if row else None

    def sign_in(self, name: str, password: str) -> Person | None:
        """The person, if the password is theirs; None otherwise (never says which was wrong)."""
        row = self.store.query("SELECT password_hash FROM people WHERE name = ?", [name.strip()])
        stored = row[0][0] if row else None
        if not check_password(password, stored or _decoy()):
            return None
        return self.get(name.strip()) if stored else None


@functools.cache
def _decoy() -> str:
    """Checked when the name is unknown, so a wrong name takes as long as a wrong password."""
    return hash_password(secrets.token_urlsafe(16))
